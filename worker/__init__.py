"""RQ workers that move accepted traces and feedback into ClickHouse (compose `queue` service)."""
