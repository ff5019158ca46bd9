"""The run filter language (`and(eq(name, "x"), gt(latency, 2))`) and its ClickHouse compiler."""
