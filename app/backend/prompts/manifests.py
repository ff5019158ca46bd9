"""Reading a commit's manifest (LangChain's serialisation) without loading LangChain classes."""

from __future__ import annotations

from typing import Any


def _class_path(node: Any) -> list[str]:
    if isinstance(node, dict) and node.get("lc") == 1 and node.get("type") == "constructor":
        path = node.get("id")
        if isinstance(path, list) and all(isinstance(p, str) for p in path):
            return path
    return []


def _is_model(node: Any) -> bool:
    path = _class_path(node)
    if path and path[-1] == "RunnableBinding":
        return _is_model((node.get("kwargs") or {}).get("bound"))
    return any(p in ("chat_models", "llms", "language_models") for p in path)


PLAYGROUND = ["langsmith", "playground", "PromptPlayground"]
SEQUENCE = ["langchain", "schema", "runnable", "RunnableSequence"]


def with_model(manifest: dict[str, Any]) -> dict[str, Any]:
    """LangSmith's playground saves a prompt with its model as a `PromptPlayground` (kwargs
    `first`, `last`), a class no LangChain can load; asked for the model, the SDK needs the
    RunnableSequence it stands for (`prompt | model`)."""
    if _class_path(manifest) != PLAYGROUND:
        return manifest
    kwargs = manifest.get("kwargs") or {}
    steps = {"first": kwargs.get("first"), "last": kwargs.get("last")}
    return {"lc": 1, "type": "constructor", "id": SEQUENCE, "kwargs": steps}


def without_model(manifest: dict[str, Any]) -> dict[str, Any]:
    """A prompt saved with its model (`prompt | model`, a RunnableSequence) is pulled as the prompt
    alone unless the caller asks for the model, as LangSmith does: loading the model needs its
    integration package, which a client that only wants the prompt may not have."""
    manifest = with_model(manifest)
    if _class_path(manifest)[-1:] != ["RunnableSequence"]:
        return manifest
    kwargs = manifest.get("kwargs") or {}
    first = kwargs.get("first")
    rest = [*(kwargs.get("middle") or []), kwargs.get("last")]
    if isinstance(first, dict) and "prompts" in _class_path(first) and any(_is_model(step) for step in rest):
        return first
    return manifest
