-- Undo 0019_storage.
DROP TABLE IF EXISTS storage_payload_expiries;
DROP TABLE IF EXISTS storage_samples;
DROP TABLE IF EXISTS storage_totals;
