"""Wire schemas of /api/v1/playground/invoke and /stream."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

ROLES = {"system", "user", "assistant", "tool", "developer"}


class ChatBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Messages, or a prompt from the hub (`name`, `name:commit_or_tag`, `-/name:tag`) with its
    variables. Parameters left out come from a prompt's bound model, then the provider's default."""

    provider: str | None = None
    model: str | None = None
    messages: list[dict[str, Any]] | None = None
    prompt: str | None = None
    variables: dict[str, Any] = msgspec.field(default_factory=dict)
    temperature: float | None = None
    max_tokens: int | None = None
    top_p: float | None = None
    stop: str | list[str] | None = None
    tools: list[dict[str, Any]] | None = None
    tool_choice: Any = None
    response_format: dict[str, Any] | None = None
    seed: int | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    # Where the run is recorded (default: the workspace's "playground" project).
    project: str | None = None

    def __post_init__(self) -> None:
        if (self.messages is None) == (self.prompt is None):
            raise ValueError("send either messages or a prompt")
        for index, message in enumerate(self.messages or []):
            if not isinstance(message, dict) or message.get("role") not in ROLES:
                raise ValueError(f"messages[{index}] needs a role: one of {', '.join(sorted(ROLES))}")
        if self.temperature is not None and not 0 <= self.temperature <= 2:
            raise ValueError("temperature must be between 0 and 2")
        if self.max_tokens is not None and not 1 <= self.max_tokens <= 1_000_000:
            raise ValueError("max_tokens must be between 1 and 1000000")
        if isinstance(self.stop, str):
            self.stop = [self.stop]
        for tool in self.tools or []:
            if (
                not isinstance(tool, dict)
                or not isinstance(tool.get("function"), dict)
                or not tool["function"].get("name")
            ):
                raise ValueError('tools must be [{"type": "function", "function": {"name", "parameters"}}]')


class UsageOut(msgspec.Struct, kw_only=True):
    input_tokens: int
    output_tokens: int
    total_tokens: int


class ChatAnswer(msgspec.Struct, kw_only=True):
    run_id: uuid.UUID
    provider: str
    model: str
    message: dict[str, Any]
    finish_reason: str | None
    usage: UsageOut
    latency: float
