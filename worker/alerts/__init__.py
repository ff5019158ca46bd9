"""Alert rules evaluated on a schedule, and webhook deliveries sent with retries (docs/alerts.md)."""
