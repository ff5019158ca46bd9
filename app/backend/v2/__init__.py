"""LangSmith's v2 API (`/api/v2/...`), which the SDK's generated client calls, over the v1 reads."""
