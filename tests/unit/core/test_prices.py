"""The price table's rules without a stack: the shipped file loads (every pattern passes the safety
checks), matching by pattern, provider and start time, tiers, and exact costs with breakdowns."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from app.core.prices import (
    PROMPT_DETAIL_KEYS,
    Price,
    PriceError,
    PriceList,
    check_details,
    check_pattern,
    check_price,
    compute,
    defaults_info,
    load_defaults,
)

UTC = dt.UTC


def entry(pattern: str, prompt: str, completion: str = "0", **kw: object) -> Price:
    return Price(
        id=pattern + str(kw.get("start_time")),
        name=pattern,
        match_pattern=pattern,
        regex=re.compile(pattern),
        prompt=Decimal(prompt),
        completion=Decimal(completion),
        **kw,  # type: ignore[arg-type]
    )


def test_the_shipped_table_loads_with_its_date_and_sources() -> None:
    defaults = load_defaults()
    assert len(defaults) > 50 and len({p.id for p in defaults}) == len(defaults)
    info = defaults_info()
    assert dt.date.fromisoformat(info["as_of"]) and all(s.startswith("https://") for s in info["sources"])
    providers = {p.provider for p in defaults}
    assert {"openai", "anthropic", "google_genai", "mistralai", "cohere", "groq", "together"} <= providers


@pytest.mark.parametrize(
    ("model", "name", "prompt_per_m"),
    [
        ("gpt-4o", "gpt-4o", "2.5"),
        ("gpt-4o-2024-08-06", "gpt-4o", "2.5"),
        ("gpt-4o-mini", "gpt-4o-mini", "0.15"),
        ("claude-3-5-sonnet-20241022", "claude-3.5-sonnet", "3"),
        ("anthropic.claude-3-5-sonnet-20241022-v2:0", "claude-3.5-sonnet", "3"),
        ("claude-sonnet-4-5-20250929", "claude-sonnet-4.5", "3"),
        ("gemini-2.5-flash", "gemini-2.5-flash", "0.3"),
        ("mistral-large-latest", "mistral-large", "2"),
        ("llama-3.3-70b-versatile", "llama-3.3-70b (Groq)", "0.59"),
    ],
)
def test_default_entries_match_the_names_providers_use(model: str, name: str, prompt_per_m: str) -> None:
    found = PriceList((), load_defaults()).find(model, None, dt.datetime(2025, 10, 1, tzinfo=UTC))
    assert found is not None and found.name == name
    assert found.prompt * 1_000_000 == Decimal(prompt_per_m)


def test_unknown_and_overlong_names_match_nothing() -> None:
    table = PriceList((), load_defaults())
    assert table.find("my-local-model", None, None) is None
    assert table.find("gpt-4o" + "x" * 300, None, None) is None
    assert table.find("gpt-4o-mini-but-not", None, None) is None


def test_a_later_start_wins_and_own_entries_beat_defaults() -> None:
    change = dt.datetime(2025, 6, 1, tzinfo=UTC)
    old, new = entry("^m$", "1"), entry("^m$", "2", start_time=change)
    table = PriceList((), (old, new))
    assert table.find("m", None, change - dt.timedelta(seconds=1)) is old
    assert table.find("m", None, change) is new
    own = entry("^m", "5", start_time=dt.datetime(2030, 1, 1, tzinfo=UTC))
    mine = PriceList((own,), (old, new))
    assert mine.find("m", None, change) is new  # the own entry is not in force yet
    assert mine.find("m", None, dt.datetime(2030, 1, 2, tzinfo=UTC)) is own


def test_provider_must_agree_when_both_name_one() -> None:
    openai = entry("^m$", "1", provider="openai")
    table = PriceList((), (openai,))
    assert table.find("m", "OpenAI", None) is openai
    assert table.find("m", None, None) is openai
    assert table.find("m", "azure", None) is None


def test_costs_are_exact_with_details_at_their_own_price() -> None:
    price = entry("^c$", "0.000003", "0.000015", prompt_details={"cache_read": Decimal("0.0000003")})
    costs = compute(price, 1000, 200, {"cache_read": 400, "audio": 10}, {"reasoning": 100})
    # 600 plain (audio is not priced separately, so it stays plain) + 400 cached.
    assert costs.prompt == Decimal("0.00192") and costs.prompt_details == {"cache_read": Decimal("0.00012")}
    assert costs.completion == Decimal("0.003") and costs.completion_details == {}
    assert costs.total == Decimal("0.00492")
    # A breakdown larger than its total is capped by it.
    assert compute(price, 10, 0, {"cache_read": 50}, None).prompt == Decimal("0.000003")


def test_rounding_is_once_to_nine_places_half_even() -> None:
    price = entry("^r$", "0.0000000015")
    assert compute(price, 1, 0, None, None).prompt == Decimal("0.000000002")
    assert compute(price, 3, 0, None, None).prompt == Decimal("0.000000004")


@pytest.mark.parametrize(
    "pattern",
    ["(a+)+$", "(a|aa)*b", "(\\w+\\s?)*$", "(x)\\1", "(?=a)a", "a*b*c*", "(a{1,100})+", "[", "", "a" * 201],
)
def test_unsafe_or_invalid_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(PriceError):
        check_pattern(pattern)


def test_ordinary_patterns_are_accepted() -> None:
    for pattern in ("^(openai/)?gpt-4o(-\\d{4}-\\d{2}-\\d{2})?$", "^gpt-4o.*-mini.*$", "claude", "^(a|b)c+$"):
        check_pattern(pattern)


def test_prices_and_details_are_checked() -> None:
    assert check_price("0.0000025", "p") == Decimal("0.0000025")
    assert check_price(2.5e-06, "p") == Decimal("0.0000025")
    for bad in (-1, "x", True, None, 1, float("nan")):
        with pytest.raises(PriceError):
            check_price(bad, "p")
    assert check_details({"cache_read": "0.1e-6"}, "d", PROMPT_DETAIL_KEYS) == {"cache_read": Decimal("1E-7")}
    with pytest.raises(PriceError, match=r"d\.sparkles"):
        check_details({"sparkles": 0}, "d", PROMPT_DETAIL_KEYS)
