"""Alert rules on a project, their state and history (evaluated by worker/alerts/evaluate.py)."""
