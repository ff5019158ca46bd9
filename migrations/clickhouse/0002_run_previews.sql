-- One-line previews of a run's inputs, outputs and error, computed by the worker at ingest
-- (app/core/previews.py). The runs table shows them on every page: read from these small columns
-- a page sorted by latency or cost no longer decompresses a payload granule per row. NULL means
-- the row was written before previews were stored (the backend then computes them from the
-- payloads); '' means an empty one (no inputs, no outputs, no error).
ALTER TABLE {database}.runs
    ADD COLUMN IF NOT EXISTS inputs_preview Nullable(String) CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS outputs_preview Nullable(String) CODEC(ZSTD(1)),
    ADD COLUMN IF NOT EXISTS error_preview Nullable(String) CODEC(ZSTD(1));
