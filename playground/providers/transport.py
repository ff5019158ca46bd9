"""The request/answer round trip every provider makes for a whole (non-streamed) answer:
transport failures, error statuses and non-JSON bodies all become UpstreamError here."""

from __future__ import annotations

from typing import Any

import httpx

from playground.providers.base import ProviderConfig
from playground.providers.errors import json_object, malformed, raise_for_status, transport_errors


def endpoint(config: ProviderConfig, path: str) -> str:
    return config.base_url.rstrip("/") + path


async def request_json(
    client: httpx.AsyncClient,
    config: ProviderConfig,
    method: str,
    url: str,
    *,
    headers: dict[str, str],
    what: str,
    **kwargs: Any,
) -> dict[str, Any]:
    """One call whose answer must be a JSON object (`what` names it in errors)."""
    with transport_errors(config, url):
        response = await client.request(method, url, headers=headers, **kwargs)
        await raise_for_status(response, config)
    return json_object(response.content, config, what=what)


def model_ids(config: ProviderConfig, payload: dict[str, Any]) -> list[str]:
    """The ids of a `{"data": [{"id": ...}]}` model list (OpenAI's and Anthropic's shape)."""
    data = payload.get("data")
    if not isinstance(data, list):
        raise malformed(config, "the model list has no data")
    return [str(model["id"]) for model in data if isinstance(model, dict) and "id" in model]
