"""Prompts from the hub, rendered into chat messages without loading LangChain classes.

A manifest is LangChain's serialisation (`{"lc": 1, "type": "constructor", "id": [...], "kwargs"}`).
Loading it with langchain would instantiate whatever classes it names, so the playground reads the
few shapes a chat prompt has instead: ChatPromptTemplate with system/human/AI/chat message
templates, literal messages and MessagesPlaceholder, or a plain PromptTemplate; a prompt bound to a
model (RunnableSequence) also gives the model's name and parameters as defaults.

f-string templates substitute plain names only (`{question}`, never `{x.__class__}`), mustache
templates `{{name}}`; jinja2 templates are refused rather than executed.
"""

from __future__ import annotations

import re
import string
import uuid
from dataclasses import dataclass, field
from typing import Any

from app.backend.seam import MY_WORKSPACE, find_prompt_repo, resolve_commit, without_model
from app.core.errors import BadRequest, NotFound
from app.core.postgres import Postgres

ROLES = {
    "SystemMessagePromptTemplate": "system",
    "HumanMessagePromptTemplate": "user",
    "AIMessagePromptTemplate": "assistant",
    "SystemMessage": "system",
    "HumanMessage": "user",
    "AIMessage": "assistant",
}
PLACEHOLDER_ROLES = {"human": "user", "user": "user", "ai": "assistant", "assistant": "assistant", "system": "system"}
MUSTACHE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
# Model parameters a bound model's kwargs may carry, as our request names them.
MODEL_PARAMS = {
    "model": "model",
    "model_name": "model",
    "temperature": "temperature",
    "max_tokens": "max_tokens",
    "top_p": "top_p",
    "stop": "stop",
}


@dataclass
class RenderedPrompt:
    messages: list[dict[str, Any]]
    # Defaults from a bound model: model name and parameters.
    model_defaults: dict[str, Any] = field(default_factory=dict)
    commit_hash: str | None = None


def parse_identifier(identifier: str) -> tuple[str, str, str]:
    """`owner/name:ref`, `name:ref` or `name` → (owner, name, ref); ref defaults to latest."""
    text = identifier.strip()
    owner = MY_WORKSPACE
    if "/" in text:
        owner, _, text = text.partition("/")
    name, _, ref = text.partition(":")
    if not name:
        raise BadRequest("prompt must look like name, name:commit_or_tag or owner/name:commit_or_tag")
    return owner or MY_WORKSPACE, name, ref or "latest"


@dataclass
class HubPrompt:
    """A commit's prompt part, ready to render once per set of variables."""

    prompt: dict[str, Any]
    model_defaults: dict[str, Any]
    commit_hash: str

    def render(self, variables: dict[str, Any]) -> RenderedPrompt:
        return RenderedPrompt(render(self.prompt, variables), dict(self.model_defaults), self.commit_hash)


async def fetch_prompt(postgres: Postgres, workspace_id: uuid.UUID, identifier: str) -> HubPrompt:
    owner, name, ref = parse_identifier(identifier)
    repo_id = await find_prompt_repo(postgres, workspace_id, name) if owner == MY_WORKSPACE else None
    if repo_id is None:
        raise NotFound(f"prompt {name!r} not found")
    commit = await resolve_commit(postgres, repo_id, ref)
    manifest = commit["manifest"]
    prompt = without_model(manifest)
    defaults = _model_defaults(manifest) if prompt is not manifest else {}
    return HubPrompt(prompt=prompt, model_defaults=defaults, commit_hash=commit["commit_hash"])


async def load_prompt(
    postgres: Postgres, workspace_id: uuid.UUID, identifier: str, variables: dict[str, Any]
) -> RenderedPrompt:
    return (await fetch_prompt(postgres, workspace_id, identifier)).render(variables)


def _class(node: Any) -> str:
    return node["id"][-1] if isinstance(node, dict) and isinstance(node.get("id"), list) and node["id"] else ""


def render(manifest: Any, variables: dict[str, Any]) -> list[dict[str, Any]]:
    kind = _class(manifest)
    kwargs = manifest.get("kwargs", {}) if isinstance(manifest, dict) else {}
    if kind in ("ChatPromptTemplate", "StructuredPrompt"):
        out: list[dict[str, Any]] = []
        for message in kwargs.get("messages", []):
            out.extend(_message(message, variables))
        return out
    if kind == "PromptTemplate":
        return [{"role": "user", "content": _template(kwargs, variables)}]
    raise BadRequest(f"the playground renders chat prompts and prompt templates, not {kind or 'this manifest'}")


def _message(node: Any, variables: dict[str, Any]) -> list[dict[str, Any]]:
    kind = _class(node)
    kwargs = node.get("kwargs", {})
    if kind == "MessagesPlaceholder":
        name = kwargs.get("variable_name")
        value = variables.get(name)
        if value is None:
            if kwargs.get("optional"):
                return []
            raise BadRequest(f"missing variable {name!r} (a list of messages)")
        return [_placeholder_message(m, name) for m in value]
    if kind in ("SystemMessage", "HumanMessage", "AIMessage"):
        return [{"role": ROLES[kind], "content": kwargs.get("content", "")}]
    if kind in ROLES or kind == "ChatMessagePromptTemplate":
        role = ROLES.get(kind) or PLACEHOLDER_ROLES.get(str(kwargs.get("role")), "user")
        prompt = kwargs.get("prompt")
        if isinstance(prompt, list):  # multimodal: text parts only
            text = "".join(_template(p.get("kwargs", {}), variables) for p in prompt if _class(p) == "PromptTemplate")
            return [{"role": role, "content": text}]
        return [{"role": role, "content": _template((prompt or {}).get("kwargs", {}), variables)}]
    raise BadRequest(f"unsupported message type {kind or '(unknown)'} in the prompt")


def _placeholder_message(value: Any, name: str) -> dict[str, Any]:
    if isinstance(value, dict) and "content" in value:
        role = PLACEHOLDER_ROLES.get(str(value.get("role") or value.get("type") or "user"), "user")
        return {"role": role, "content": value["content"]}
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return {"role": PLACEHOLDER_ROLES.get(str(value[0]), "user"), "content": value[1]}
    raise BadRequest(f"variable {name!r} must be a list of messages ({{'role', 'content'}} or [role, content])")


def fill(template: str, variables: dict[str, Any], style: str = "f-string") -> str:
    """One template string filled in (f-string or mustache), as a prompt's messages are."""
    return _template({"template": template, "template_format": style}, variables)


def _template(kwargs: dict[str, Any], variables: dict[str, Any]) -> str:
    template = kwargs.get("template", "")
    style = kwargs.get("template_format", "f-string")
    if style == "mustache":
        return MUSTACHE.sub(lambda m: _value(variables, m.group(1)), template)
    if style != "f-string":
        raise BadRequest(f"{style} templates are not rendered by the playground; use f-string or mustache")
    out = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise BadRequest(f"malformed template: {exc}") from None
    for literal, name, _spec, _conversion in parsed:
        out.append(literal)
        if name is None:
            continue
        if not name.isidentifier():
            raise BadRequest(f"template field {{{name}}} is not a plain variable name")
        out.append(_value(variables, name))
    return "".join(out)


def _value(variables: dict[str, Any], name: str) -> str:
    if name not in variables:
        raise BadRequest(f"missing variable {name!r}")
    value = variables[name]
    return value if isinstance(value, str) else str(value)


def _model_defaults(manifest: dict[str, Any]) -> dict[str, Any]:
    """Model name and parameters from a `prompt | model` manifest (the model may be wrapped in a
    RunnableBinding whose kwargs, e.g. stop, apply too)."""
    kwargs = manifest.get("kwargs", {})
    steps = [kwargs.get("last"), *(kwargs.get("middle") or [])]
    defaults: dict[str, Any] = {}
    for step in steps:
        if not isinstance(step, dict):
            continue
        node = step
        if _class(step) == "RunnableBinding":
            bound = step.get("kwargs", {})
            for key, target in MODEL_PARAMS.items():
                if key in (bound.get("kwargs") or {}):
                    defaults[target] = bound["kwargs"][key]
            node = bound.get("bound") or {}
        for key, target in MODEL_PARAMS.items():
            value = (node.get("kwargs") or {}).get(key)
            if value is not None and target not in defaults:
                defaults[target] = value
    return defaults
