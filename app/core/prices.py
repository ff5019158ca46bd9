"""Model prices: the entries of a workspace's price table, how a run's model finds its entry, and
what its tokens cost. Shared by the backend (the model-price-map API checks and lists entries) and
the queue's writer (which prices runs at ingest); docs/costs.md explains the rules.

Matching (LangSmith's model price map): an entry's `match_pattern` is a regular expression searched
in the run's model name; an entry with a `provider` applies only to runs of that provider (or runs
that name none); an entry with a `start_time` applies to runs that started at or after it. Of the
entries that apply, the workspace's own beat the shipped defaults, and within one of those tiers the
latest `start_time` wins (a price change is a new entry with a later start), then the earliest entry.

Patterns are user input that the writer runs on every priced run, so they are checked for what
makes Python's backtracking engine slow (ReDoS): a bounded length, no backreferences, no nested
repetition, at most two unbounded repeats; model names longer than MAX_MODEL_NAME are not priced.
With those bounds a search is at worst quadratic in a short name (see docs/costs.md).
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NamedTuple

# The parser behind `re` (public as the deprecated `sre_parse`): the pattern checks walk its tree.
_sre: Any = importlib.import_module("re._parser")

DEFAULTS_FILE = Path(__file__).with_name("default_model_prices.json")
# A fixed namespace makes each default entry's id the same on every install, so an override or a
# disabled default names it durably.
DEFAULT_NAMESPACE = uuid.UUID("6a1f3c2e-51d4-4c0e-9a57-7d1f2b0c9e41")

MAX_PATTERN = 200
MAX_MODEL_NAME = 256
MAX_NAME = 200
MAX_PROVIDER = 64
MAX_UNBOUNDED_REPEATS = 2
# A bounded repeat above this counts as unbounded ({1,1000} backtracks like +).
_SMALL_REPEAT = 16
# Token detail keys (LangChain's usage_metadata input/output_token_details) an entry can price.
PROMPT_DETAIL_KEYS = ("cache_read", "cache_creation", "audio", "image")
COMPLETION_DETAIL_KEYS = ("reasoning", "audio", "image")
# Costs are stored as Decimal(18, 9); a price per token above this is a typo (a price per 1M).
MAX_PRICE_PER_TOKEN = Decimal("0.01")
NINE_PLACES = Decimal("1e-9")
_MILLION = Decimal(1_000_000)


class PriceError(ValueError):
    """An entry that cannot be stored: the message names the field and says why."""


@dataclass(frozen=True, slots=True)
class Price:
    id: str
    name: str
    match_pattern: str
    regex: re.Pattern[str]
    prompt: Decimal
    completion: Decimal
    prompt_details: dict[str, Decimal] = field(default_factory=dict)
    completion_details: dict[str, Decimal] = field(default_factory=dict)
    provider: str | None = None
    start_time: dt.datetime | None = None
    is_default: bool = False


class Costs(NamedTuple):
    """A NamedTuple: the writer makes one per priced run, and a frozen dataclass's __init__ costs
    several times more."""

    prompt: Decimal
    completion: Decimal
    total: Decimal
    prompt_details: dict[str, Decimal]
    completion_details: dict[str, Decimal]


# --- checks ---------------------------------------------------------------------------------------


def check_pattern(pattern: Any) -> re.Pattern[str]:
    if not isinstance(pattern, str) or not pattern.strip():
        raise PriceError("match_pattern must be a non-empty regular expression")
    if len(pattern) > MAX_PATTERN:
        raise PriceError(f"match_pattern must be at most {MAX_PATTERN} characters")
    try:
        tree = _sre.parse(pattern)
        compiled = re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        raise PriceError(f"match_pattern is not a valid regular expression: {exc}") from None
    unbounded = _walk(tree)
    if unbounded > MAX_UNBOUNDED_REPEATS:
        raise PriceError(f"match_pattern may use at most {MAX_UNBOUNDED_REPEATS} unbounded repeats (*, +, {{n,}})")
    return compiled


def _walk(items: Iterable[Any]) -> int:
    """Counts unbounded repeats (a small repeat counts what it repeats that many times); refuses
    backreferences, lookarounds and a repeat or alternation inside an unbounded repeat, as in (a+)+ or (a|aa)* (the
    shapes behind catastrophic backtracking). An optional group, (-\\d{4})?, is fine."""
    count = 0
    for op, arg in items:
        name = str(op)
        if name in ("GROUPREF", "GROUPREF_EXISTS", "GROUPREF_IGNORE", "ASSERT", "ASSERT_NOT"):
            raise PriceError("match_pattern may not use backreferences or lookarounds")
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            _low, high, sub = arg
            if high == _sre.MAXREPEAT or high > _SMALL_REPEAT:
                if _has_choice(sub):
                    raise PriceError("match_pattern may not repeat a repeat or an alternation, as in (a+)+ or (a|ab)*")
                count += 1
            else:
                count += high * _walk(sub)
        elif name == "SUBPATTERN":
            count += _walk(arg[-1])
        elif name == "BRANCH":
            count += sum(_walk(branch) for branch in arg[1])
        elif name == "ATOMIC_GROUP":
            count += _walk(arg)
    return count


def _has_choice(items: Iterable[Any]) -> bool:
    """Whether a repeated part can match one text in more than one way (a repeat or a branch)."""
    for op, arg in items:
        name = str(op)
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT", "BRANCH"):
            return True
        if name == "SUBPATTERN" and _has_choice(arg[-1]):
            return True
        if name == "ATOMIC_GROUP" and _has_choice(arg):
            return True
    return False


def check_price(value: Any, what: str) -> Decimal:
    """A price per token: a non-negative number (or its text, kept exact) below MAX_PRICE_PER_TOKEN."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise PriceError(f"{what} must be a number (US dollars per token)")
    try:
        amount = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise PriceError(f"{what} must be a number (US dollars per token)") from None
    if not amount.is_finite() or amount < 0:
        raise PriceError(f"{what} must be a non-negative number")
    if amount > MAX_PRICE_PER_TOKEN:
        raise PriceError(f"{what} is a price per token and must be at most {MAX_PRICE_PER_TOKEN}")
    return amount.normalize() if amount else Decimal(0)


def check_details(value: Any, what: str, keys: Sequence[str]) -> dict[str, Decimal]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PriceError(f"{what} must be an object of prices by token kind")
    unknown = sorted(set(value) - set(keys))
    if unknown:
        raise PriceError(f"{what}.{unknown[0][:40]} is not a token kind here (one of {', '.join(keys)})")
    return {k: check_price(v, f"{what}.{k}") for k, v in value.items() if v is not None}


def check_text(value: Any, what: str, limit: int, *, required: bool) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip() and not required):
        if required:
            raise PriceError(f"{what} is required")
        return None
    if not isinstance(value, str) or not value.strip():
        raise PriceError(f"{what} must be a non-empty string")
    if len(value) > limit:
        raise PriceError(f"{what} must be at most {limit} characters")
    return value.strip()


# --- the shipped defaults -------------------------------------------------------------------------


def default_id(key: str) -> str:
    return str(uuid.uuid5(DEFAULT_NAMESPACE, key))


def stored_price(fields: Mapping[str, Any], *, is_default: bool = False) -> Price:
    """A Price from an entry as stored: a `model_prices` row (the writer) or its wire form (the
    backend's /match), which share the field names; prices per token as decimal text or numbers."""
    return Price(
        id=str(fields["id"]),
        name=fields["name"],
        match_pattern=fields["match_pattern"],
        regex=check_pattern(fields["match_pattern"]),
        provider=fields["provider"],
        start_time=fields["start_time"],
        prompt=Decimal(fields["prompt_cost"]),
        completion=Decimal(fields["completion_cost"]),
        prompt_details={k: Decimal(v) for k, v in (fields["prompt_cost_details"] or {}).items()},
        completion_details={k: Decimal(v) for k, v in (fields["completion_cost_details"] or {}).items()},
        is_default=is_default,
    )


def _per_token(per_million: Any, what: str) -> Decimal:
    return check_price(Decimal(str(per_million)) / _MILLION, what)


def load_defaults(path: Path = DEFAULTS_FILE) -> tuple[Price, ...]:
    """The shipped table (prices per 1M tokens in the file, per token here), in file order."""
    data = json.loads(path.read_text())
    out = []
    for item in data["models"]:
        key = item["key"]
        per_m = item["per_1m_tokens"]
        start = item.get("start_time")
        out.append(
            Price(
                id=default_id(key),
                name=item["name"],
                match_pattern=item["match_pattern"],
                regex=check_pattern(item["match_pattern"]),
                provider=item.get("provider"),
                start_time=dt.datetime.fromisoformat(start).replace(tzinfo=dt.UTC) if start else None,
                prompt=_per_token(per_m["prompt"], f"{key} prompt"),
                completion=_per_token(per_m["completion"], f"{key} completion"),
                prompt_details={
                    k: _per_token(per_m[k], f"{key} {k}") for k in PROMPT_DETAIL_KEYS if per_m.get(k) is not None
                },
                completion_details={
                    k: _per_token(per_m["completion_" + k], f"{key} {k}")
                    for k in COMPLETION_DETAIL_KEYS
                    if per_m.get("completion_" + k) is not None
                },
                is_default=True,
            )
        )
    return tuple(out)


def defaults_info(path: Path = DEFAULTS_FILE) -> dict[str, Any]:
    data = json.loads(path.read_text())
    return {"as_of": data["as_of"], "sources": data["sources"]}


# --- matching and pricing -------------------------------------------------------------------------


class PriceList:
    """A workspace's effective table: its own entries (tier 0) and the defaults it keeps (tier 1).
    Which entries' patterns match a model name is remembered per name: the writer sees few names."""

    def __init__(self, own: Sequence[Price], defaults: Sequence[Price]) -> None:
        self.tiers = (tuple(own), tuple(defaults))
        self._matches: dict[tuple[str, str], tuple[tuple[Price, ...], ...]] = {}

    def find(self, model: str, provider: str | None, at: dt.datetime | None) -> Price | None:
        if not model or len(model) > MAX_MODEL_NAME:
            return None
        key = (model, (provider or "").lower())
        tiers = self._matches.get(key)
        if tiers is None:
            if len(self._matches) > 10_000:
                self._matches.clear()  # a bound on memory against a flood of distinct names
            tiers = tuple(tuple(p for p in tier if _applies(p, model, key[1])) for tier in self.tiers)
            self._matches[key] = tiers
        for tier in tiers:
            best: Price | None = None
            for price in tier:
                if price.start_time is not None and at is not None and price.start_time > at:
                    continue
                if best is None or _later(price.start_time, best.start_time):
                    best = price
            if best is not None:
                return best
        return None


def _applies(price: Price, model: str, provider: str) -> bool:
    if price.provider and provider and price.provider.lower() != provider:
        return False
    return price.regex.search(model) is not None


def _later(a: dt.datetime | None, b: dt.datetime | None) -> bool:
    return a is not None and (b is None or a > b)


def compute(
    price: Price,
    prompt_tokens: int,
    completion_tokens: int,
    prompt_details: dict[str, int] | None,
    completion_details: dict[str, int] | None,
) -> Costs:
    """Detail tokens the entry prices are charged at their own price, the rest of the prompt or
    completion at the base price (LangChain's input_tokens include cache reads and writes, and
    output_tokens include reasoning). Exact in Decimal, rounded once per figure to 9 places."""
    p_cost, p_details = _side(prompt_tokens, prompt_details, price.prompt, price.prompt_details)
    c_cost, c_details = _side(completion_tokens, completion_details, price.completion, price.completion_details)
    return Costs(p_cost, c_cost, p_cost + c_cost, p_details, c_details)


def _side(
    tokens: int, details: dict[str, int] | None, base: Decimal, prices: dict[str, Decimal]
) -> tuple[Decimal, dict[str, Decimal]]:
    costs: dict[str, Decimal] = {}
    if not details or not prices:  # the common case: one multiplication
        return (base * tokens).quantize(NINE_PLACES, ROUND_HALF_EVEN), costs
    detailed = 0
    total = Decimal(0)
    for kind, count in details.items():
        unit = prices.get(kind)
        # A breakdown never exceeds its total: what is left of the total caps each detail.
        n = min(count, tokens - detailed)
        if unit is None or n <= 0:
            continue
        detailed += n
        amount = unit * n
        costs[kind] = amount.quantize(NINE_PLACES, ROUND_HALF_EVEN)
        total += amount
    total += base * (tokens - detailed)
    return total.quantize(NINE_PLACES, ROUND_HALF_EVEN), costs
