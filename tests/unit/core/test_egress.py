"""The playground's egress policy in-process (app/core/egress.py): schemes and ports of the
built-in hosts, `*` not reaching internal addresses, allowlist entries, and connections pinned to
the addresses that were checked. No stack needed; every refusal happens before any connection, and
nothing here connects anywhere but the loopback model server."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterator

import httpcore
import httpx
import pytest

from app.core.egress import Address, Egress, EgressTransport, PinnedBackend, parse_rule
from app.core.errors import BadRequest, Forbidden
from playground.providers.base import ProviderConfig
from playground.providers.openai import OpenAIProvider
from tests.support.model_server import ModelServer

PUBLIC = "93.184.215.14"


class Resolver:
    """A stand-in for DNS: a fixed answer per call (the last one repeats), counting calls."""

    def __init__(self, *answers: list[str]) -> None:
        self.answers = [[ipaddress.ip_address(a) for a in answer] for answer in answers]
        self.calls: list[tuple[str, int]] = []

    async def __call__(self, host: str, port: int) -> list[Address]:
        self.calls.append((host, port))
        return self.answers[min(len(self.calls), len(self.answers)) - 1]


def check(egress: Egress, url: str) -> list[Address]:
    return asyncio.run(egress.check(url))


def refused(egress: Egress, url: str) -> str:
    with pytest.raises(Forbidden) as info:
        check(egress, url)
    assert info.value.code == "egress_refused"
    return info.value.detail


@pytest.mark.parametrize(
    "url",
    [
        "http://api.openai.com/v1",
        "http://api.openai.com:6379/",
        "https://api.openai.com:6379/v1",
        "https://api.openai.com:80/v1",
        "http://api.anthropic.com",
        "https://api.anthropic.com:8443",
    ],
)
@pytest.mark.parametrize("allowed", ["", "*", "10.0.0.0/8", "api.openai.com,api.anthropic.com"])
def test_builtin_hosts_only_over_https_on_443(url: str, allowed: str) -> None:
    resolver = Resolver([PUBLIC])
    detail = refused(Egress(allowed, resolve=resolver), url)
    assert "only allowed over https on port 443" in detail
    assert resolver.calls == []  # decided before any DNS lookup


def test_builtin_hosts_themselves_pass() -> None:
    for url in ("https://api.openai.com/v1", "https://api.anthropic.com:443"):
        assert check(Egress("", resolve=Resolver([PUBLIC])), url) == [ipaddress.ip_address(PUBLIC)]


def test_an_explicit_entry_opens_another_scheme_or_port_of_a_builtin_host() -> None:
    egress = Egress("http://api.openai.com:8080", resolve=Resolver([PUBLIC]))
    assert check(egress, "http://api.openai.com:8080/v1")
    refused(egress, "http://api.openai.com:6379/v1")
    refused(egress, "http://api.openai.com/v1")


@pytest.mark.parametrize(
    "url",
    ["gopher://127.0.0.1:6379/_INFO", "file:///etc/passwd", "ftp://127.0.0.1/", "dict://127.0.0.1:11211/", "//x/"],
)
def test_only_http_and_https(url: str) -> None:
    egress = Egress("*,127.0.0.1", resolve=Resolver(["127.0.0.1"]))
    with pytest.raises(BadRequest):
        egress.check_syntax(url)
    with pytest.raises(BadRequest):
        check(egress, url)


INTERNAL = [
    "127.0.0.1",
    "127.1.2.3",
    "10.1.2.3",
    "172.16.5.4",
    "172.31.255.254",
    "192.168.1.1",
    "100.64.0.1",
    "169.254.169.254",
    "169.254.1.1",
    "0.0.0.0",
    "::1",
    "::",
    "fc00::1",
    "fd12:3456::1",
    "fe80::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "64:ff9b::a9fe:a9fe",
    "224.0.0.1",
]


def _url(address: str, port: int = 8000) -> str:
    return f"http://[{address}]:{port}/v1" if ":" in address else f"http://{address}:{port}/v1"


@pytest.mark.parametrize("address", INTERNAL)
def test_wildcard_does_not_reach_internal_addresses(address: str) -> None:
    # As an IP literal, and as a name resolving to it (alone, or among public addresses).
    refused(Egress("*", resolve=Resolver([address])), _url(address))
    refused(Egress("*", resolve=Resolver([address])), "http://models.example.com:8000/v1")
    refused(Egress("*", resolve=Resolver([PUBLIC, address])), "https://models.example.com/v1")
    # Nor do the built-in hosts when DNS points them inside.
    refused(Egress("*", resolve=Resolver([address])), "https://api.openai.com/v1")


def test_wildcard_reaches_public_addresses() -> None:
    egress = Egress("*", resolve=Resolver([PUBLIC, "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]))
    assert len(check(egress, "http://models.example.com:8000/v1")) == 2


def test_explicit_entries_open_internal_addresses() -> None:
    assert check(Egress("*,127.0.0.1"), "http://127.0.0.1:1234/v1")
    refused(Egress("*,127.0.0.1"), "http://127.0.0.2:1234/v1")
    assert check(Egress("10.0.0.0/8:8000"), "http://10.9.8.7:8000/v1")
    refused(Egress("10.0.0.0/8:8000"), "http://10.9.8.7:8001/v1")
    assert check(Egress("[::1]:8000"), "http://[::1]:8000/v1")
    assert check(Egress("127.0.0.1"), "http://[::ffff:127.0.0.1]:9/v1")  # the same address, written as IPv6
    # A name the administrator listed may resolve inside; its scheme and port are honoured.
    assert check(Egress("https://vllm.internal", resolve=Resolver(["10.0.0.5"])), "https://vllm.internal/v1")
    refused(Egress("https://vllm.internal", resolve=Resolver(["10.0.0.5"])), "http://vllm.internal/v1")
    refused(Egress("https://vllm.internal", resolve=Resolver(["10.0.0.5"])), "https://vllm.internal:8443/v1")


@pytest.mark.parametrize("allowed", ["169.254.0.0/16", "0.0.0.0/0", "metadata.internal", "*"])
def test_link_local_and_metadata_are_never_allowed(allowed: str) -> None:
    resolver = Resolver(["169.254.169.254"])
    refused(Egress(allowed, resolve=resolver), "http://metadata.internal/latest")
    refused(Egress(allowed, resolve=resolver), "http://169.254.169.254/latest")
    refused(Egress(allowed, resolve=resolver), "http://metadata.google.internal/")


def test_unresolvable_names_match_no_address_rule() -> None:
    refused(Egress("127.0.0.1", resolve=Resolver([])), "http://gone.example.com/v1")
    assert check(Egress("gone.example.com", resolve=Resolver([])), "http://gone.example.com/v1") == []


def test_unlisted_hosts_are_refused_without_dns() -> None:
    resolver = Resolver([PUBLIC])
    refused(Egress("vllm.internal", resolve=resolver), "http://elsewhere.example.com/v1")
    assert resolver.calls == []


@pytest.mark.parametrize(
    ("entry", "rule"),
    [
        ("vllm.internal", dict(host="vllm.internal", scheme=None, port=None)),
        ("VLLM.internal.:8000", dict(host="vllm.internal", scheme=None, port=8000)),
        ("https://vllm.internal", dict(host="vllm.internal", scheme="https", port=443)),
        ("api.openai.com", dict(host="api.openai.com", scheme="https", port=443)),
        ("[::1]:8000", dict(network=ipaddress.ip_network("::1/128"), port=8000)),
        ("fc00::/7", dict(network=ipaddress.ip_network("fc00::/7"), port=None)),
        ("10.0.0.0/8:11434", dict(network=ipaddress.ip_network("10.0.0.0/8"), port=11434)),
    ],
)
def test_allowlist_entries(entry: str, rule: dict) -> None:
    parsed = parse_rule(entry)
    assert {k: getattr(parsed, k) for k in rule} == rule


@pytest.mark.parametrize("entry", ["gopher://host", "host:99999", "host:x", "a/b", "[::1", "bad host"])
def test_bad_allowlist_entries_name_the_setting(entry: str) -> None:
    with pytest.raises(ValueError, match="PLAYGROUND_ALLOWED_HOSTS"):
        Egress(f"ok.example,{entry}")


@pytest.fixture(scope="module")
def server() -> Iterator[ModelServer]:
    with ModelServer() as model_server:
        yield model_server


async def _models(egress: Egress, url: str) -> list[str]:
    limits = httpx.Limits(max_connections=4)
    async with httpx.AsyncClient(transport=EgressTransport(egress, limits=limits), timeout=5) as http:
        return await OpenAIProvider().list_models(http, ProviderConfig("openai", "t", url, "sk-test-openai"))


def test_the_connection_goes_to_the_checked_address(server: ModelServer) -> None:
    """DNS rebinding: the name is resolved once, checked, and connected to by that address. A
    second lookup (here answering the metadata address) is never made for the same request."""
    server.reset()
    resolver = Resolver(["127.0.0.1"], ["169.254.169.254"])
    egress = Egress("model.test", resolve=resolver)
    # model.test exists only in this resolver: a connection that looked the name up again (in
    # the system's DNS) would fail, so reaching the server proves the checked address was used.
    assert asyncio.run(_models(egress, f"http://model.test:{server.port}/v1"))
    assert resolver.calls == [("model.test", server.port)]
    assert server.requests[-1]["headers"]["host"] == f"model.test:{server.port}"
    # The next request is checked again, sees the new answer and is refused before connecting.
    with pytest.raises(Forbidden):
        asyncio.run(_models(egress, f"http://model.test:{server.port}/v1"))
    assert len(server.requests) == 1


def test_refused_requests_never_connect() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        listener.setblocking(False)
        port = listener.getsockname()[1]
        with pytest.raises(Forbidden):
            asyncio.run(_models(Egress("*"), f"http://127.0.0.1:{port}/v1"))  # loopback is not listed
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody knocked


def test_the_backend_refuses_unchecked_connections() -> None:
    with pytest.raises(httpcore.ConnectError, match="not checked"):
        asyncio.run(PinnedBackend().connect_tcp("127.0.0.1", 9))
