"""GET /api/v1/info: what the LangSmith SDK reads to configure its tracing thread (wire §1).

`batch_ingest_config` must carry all six keys: the SDK indexes several of them directly, and a
missing one is a KeyError in its background thread that silently stops tracing for the process.
"""

from __future__ import annotations

import msgspec
from litestar import get

from app.core.http import MAX_BODY_BYTES
from app.core.version import VERSION

# The SDK switches feedback to the multipart path only when the server reports >= 0.8.10, and its
# v2 accessors (runs, traces, threads, datasets: served by app/backend/v2) warn below 0.16.0; the
# annotation-queue items API (0.16.14) and sessions (0.18.0) are not served, so the SDK still warns
# there. We report the LangSmith API level we implement, not our own version.
LANGSMITH_API_VERSION = "0.16.0"


class BatchIngestConfig(msgspec.Struct):
    use_multipart_endpoint: bool = True
    scale_up_qsize_trigger: int = 1000
    scale_up_nthreads_limit: int = 16
    scale_down_nempty_trigger: int = 4
    size_limit: int = 100
    # Below our body limit (and nginx's client_max_body_size) so a full batch is never a 413.
    size_limit_bytes: int = 20_971_520


class Info(msgspec.Struct):
    version: str
    tracehouse_version: str
    license_expiration_time: None
    batch_ingest_config: BatchIngestConfig
    # Flags are added as the capabilities land (zstd ingestion, multipart examples). Never
    # `sdb_query_enabled`: it would move the SDK's reads to /api/v2.
    instance_flags: dict[str, bool]


assert BatchIngestConfig().size_limit_bytes < MAX_BODY_BYTES


@get("/api/v1/info", opt={"exclude_from_auth": True}, sync_to_thread=False)
def info() -> Info:
    return Info(
        version=LANGSMITH_API_VERSION,
        tracehouse_version=VERSION,
        license_expiration_time=None,
        batch_ingest_config=BatchIngestConfig(),
        # zstd: the SDK then sends one compressed stream per batch (decoded in app/core/encoding.py).
        # dataset_examples_multipart_enabled: examples (with attachments) go to
        # {platform}/datasets/{id}/examples as multipart instead of the JSON /examples/bulk.
        instance_flags={"zstd_compression_enabled": True, "dataset_examples_multipart_enabled": True},
    )
