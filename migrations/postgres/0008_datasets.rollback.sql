-- Undo 0008_datasets.
DROP INDEX IF EXISTS projects_reference_dataset_idx;
DROP TABLE IF EXISTS comparative_experiments;
DROP TABLE IF EXISTS dataset_version_tags;
DROP TABLE IF EXISTS example_attachments;
DROP TABLE IF EXISTS example_revisions;
DROP TABLE IF EXISTS examples;
DROP TABLE IF EXISTS datasets;
