-- Undo 0010_model_providers.
DROP TABLE IF EXISTS playground_dataset_run_items;
DROP TABLE IF EXISTS playground_dataset_runs;
DROP TABLE IF EXISTS model_providers;
