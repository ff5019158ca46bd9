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
    # A vendor's own model ids carry its list price wherever they are served (Azure, Bedrock,
    # Vertex, a proxy), so those entries name no provider; a host's prices are its own.
    assert {p.provider for p in defaults} == {None, "groq", "together", "amazon_bedrock"}


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
        ("chatgpt-4o-latest", "chatgpt-4o-latest", "5"),
        ("gemini-2.5-flash-preview-04-17", "gemini-2.5-flash (preview prices)", "0.15"),
        ("mistral-medium", "mistral-medium (2312)", "2.7"),
        ("mistral-medium-latest", "mistral-medium-3", "0.4"),
        ("command-r-plus-08-2024", "command-r-plus (08-2024)", "2.5"),
        ("cohere.command-r-plus-v1:0", "command-r-plus (Bedrock)", "3"),
    ],
)
def test_default_entries_match_the_names_providers_use(model: str, name: str, prompt_per_m: str) -> None:
    found = PriceList((), load_defaults()).find(model, None, dt.datetime(2025, 10, 1, tzinfo=UTC))
    assert found is not None and found.name == name
    assert found.prompt * 1_000_000 == Decimal(prompt_per_m)


@pytest.mark.parametrize(
    ("model", "provider", "name"),
    [
        ("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "amazon_bedrock", "claude-sonnet-4.5"),
        ("global.anthropic.claude-haiku-4-5-20251001-v1:0", "amazon_bedrock", "claude-haiku-4.5"),
        ("claude-sonnet-4-5@20250929", "google_vertexai", "claude-sonnet-4.5"),
        ("claude-3-5-sonnet-v2@20241022", "google_vertexai", "claude-3.5-sonnet"),
        ("gpt-4o", "azure", "gpt-4o"),
        ("gemini-2.5-pro", "google_vertexai", "gemini-2.5-pro"),
    ],
)
def test_a_vendors_model_served_elsewhere_gets_its_list_price(model: str, provider: str, name: str) -> None:
    found = PriceList((), load_defaults()).find(model, provider, None)
    assert found is not None and found.name == name


def test_a_hosts_price_stays_with_its_host() -> None:
    table = PriceList((), load_defaults())
    assert table.find("llama-3.3-70b-versatile", "groq", None) is not None
    assert table.find("llama-3.3-70b-versatile", "together", None) is None


def test_deepseeks_price_periods() -> None:
    table = PriceList((), load_defaults())
    prices = [
        table.find("deepseek-chat", None, dt.datetime(2025, 9, d, h, tzinfo=UTC)).prompt * 1_000_000  # type: ignore[union-attr]
        for d, h in ((5, 15), (5, 16), (28, 0), (29, 0))
    ]
    assert prices == [Decimal("0.27"), Decimal("0.56"), Decimal("0.56"), Decimal("0.28")]


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


# Real model ids, as providers, Bedrock, Vertex and proxies spell them.
REAL_IDS = """gpt-5 gpt-5-2025-08-07 gpt-5-chat-latest gpt-5-mini gpt-5-pro gpt-5.1 azure/gpt-5.1 gpt-5.2-pro
gpt-5.4-mini-2026-03-17 gpt-5.5 gpt-5.6-terra o1 o1-mini o1-pro o3 o3-mini o3-pro o4-mini gpt-4.1 gpt-4o
chatgpt-4o-latest gpt-4o-2024-05-13 claude-opus-4-1 claude-opus-4-5-20251101 anthropic.claude-opus-4-6-v1
global.anthropic.claude-opus-4-6-v1 claude-sonnet-4-20250514 claude-sonnet-4-5 claude-sonnet-4-6@20260217
us.anthropic.claude-sonnet-4-6 claude-sonnet-5 claude-haiku-4-5-20251001 claude-3-5-sonnet-v2@20241022
gemini-2.5-pro gemini-2.5-flash gemini-2.5-flash-preview-04-17 gemini-2.5-flash-lite gemini-3-pro-preview
models/gemini-3-flash-preview gemini-3.1-pro-preview-customtools gemini-3.5-flash grok-4 grok-4-0709 grok-4.3
mistral-large-2402 mistral-large-2411 mistral-large-latest mistral-medium mistral-medium-2508
codestral-2405 codestral-2501 gemini-2.5-flash-preview-09-2025 gemini-2.5-flash-preview-05-20
command-r-plus cohere.command-r-plus-v1:0 deepseek-chat deepseek-reasoner llama-3.3-70b-versatile
meta-llama/Llama-3.3-70B-Instruct-Turbo us.meta.llama3-1-70b-instruct-v1:0""".split()


@pytest.mark.parametrize("model", REAL_IDS)
def test_a_real_model_id_has_exactly_one_price_history(model: str) -> None:
    """Entries that share a pattern are one model's price changes over time; two different
    patterns matching one id would make the table's order, not the data, decide its price."""
    histories = {(p.match_pattern, p.provider) for p in load_defaults() if p.regex.search(model)}
    assert len(histories) == 1, f"{model}: {sorted(h[0] for h in histories)}"


def test_openais_price_cut_for_gpt_5_6_terra() -> None:
    table = PriceList((), load_defaults())
    launch = table.find("gpt-5.6-terra", None, dt.datetime(2026, 7, 15, tzinfo=UTC))
    cut = table.find("gpt-5.6-terra", None, dt.datetime(2026, 8, 1, tzinfo=UTC))
    assert launch is not None and cut is not None
    assert (launch.prompt * 1_000_000, cut.prompt * 1_000_000) == (Decimal("2.5"), Decimal(2))
