-- Costs priced at ingest from the model price map (issue 19). The writer prices an LLM run from
-- its token counts and their breakdowns, so the breakdowns stage 1 reads from `usage_metadata`
-- (input/output_token_details: cache reads, cache writes, reasoning, audio...) are kept as columns
-- next to the costs they produce. `cost_source` says where a run's costs came from: '' (none),
-- 'caller' (sent with the run; never re-priced) or 'table' (priced here; re-priced on every write
-- of the run and by `./tracehouse costs recompute`).
ALTER TABLE {database}.runs
    ADD COLUMN IF NOT EXISTS prompt_token_details Map(LowCardinality(String), UInt64),
    ADD COLUMN IF NOT EXISTS completion_token_details Map(LowCardinality(String), UInt64),
    ADD COLUMN IF NOT EXISTS prompt_cost_details Map(LowCardinality(String), Decimal(18, 9)),
    ADD COLUMN IF NOT EXISTS completion_cost_details Map(LowCardinality(String), Decimal(18, 9)),
    ADD COLUMN IF NOT EXISTS cost_source LowCardinality(String);
