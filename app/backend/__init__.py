"""The main API: projects, runs queries, feedback, datasets, experiments, prompt hub."""
