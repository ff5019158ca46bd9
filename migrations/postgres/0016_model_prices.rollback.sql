-- Undo 0016_model_prices.
DROP TABLE IF EXISTS model_prices;
