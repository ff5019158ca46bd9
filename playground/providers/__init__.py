"""The providers the playground can call, by kind (the `kind` stored with a workspace's provider config).

Adding a provider later takes one module implementing `base.Provider` (canonical request in, canonical
result and stream events out, errors as `UpstreamError` via `errors`) and one line in `PROVIDERS` below.
"""

from __future__ import annotations

from playground.providers.anthropic import AnthropicProvider
from playground.providers.base import Provider
from playground.providers.openai import OpenAICompatibleProvider, OpenAIProvider

PROVIDERS: dict[str, Provider] = {
    provider.kind: provider
    for provider in (
        OpenAIProvider(),
        OpenAICompatibleProvider(),
        AnthropicProvider(),
    )
}


def provider_for(kind: str) -> Provider:
    try:
        return PROVIDERS[kind]
    except KeyError:
        known = ", ".join(sorted(PROVIDERS))
        raise ValueError(f"unknown provider kind {kind!r} (known: {known})") from None


__all__ = ["PROVIDERS", "Provider", "provider_for"]
