"""Where outbound requests (the playground's model calls, later webhooks) may connect, decided
per request and pinned to the addresses it checked.

A request's URL is allowed when
- its scheme is http or https (nothing else is ever sent anywhere);
- its host is a built-in provider host (api.openai.com, api.anthropic.com) reached over https on
  port 443, or PLAYGROUND_ALLOWED_HOSTS names the host (optionally with scheme and port), or an
  address rule (IP, CIDR) there covers every address the host resolves to, or the list has `*`;
- and every address the host resolves to is acceptable: link-local (169.254/16 with the cloud
  metadata addresses, fe80::/10), unspecified and multicast addresses are always refused; other
  non-public addresses (loopback, 10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7, ...) only when
  an address rule covers them or the host is named explicitly. `*` and the built-in hosts reach
  public addresses only, so `*` is not a way into the internal network.

The name is resolved once per request and the connection goes to exactly the addresses that were
checked (EgressTransport + PinnedBackend below): a DNS answer that changes between the check and
the connect (DNS rebinding) cannot redirect the request.
"""

from __future__ import annotations

import contextvars
import ipaddress
import re
import socket
import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import anyio
import httpcore
import httpx

from app.core.errors import BadRequest, Forbidden

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Awaitable[list[Address]]]

SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}
# The providers' own API hosts need no allowlist entry, but only as their real API: https on 443.
BUILTIN_HOSTS = frozenset({"api.openai.com", "api.anthropic.com"})
METADATA_NAMES = frozenset({"metadata.google.internal", "metadata.goog", "metadata", "instance-data"})
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
)
# Non-public ranges spelled out rather than left to `is_global` alone, whose answers differ
# between Python patch releases; both are consulted.
NON_PUBLIC = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "240.0.0.0/4",
        "::/128",
        "::1/128",
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",
    )
)
NAT64 = ipaddress.ip_network("64:ff9b::/96")
_BROADCAST = ipaddress.IPv4Address("255.255.255.255")
_NAME = re.compile(r"^[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?$")


def _embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (::ffff:a.b.c.d, NAT64 64:ff9b::a.b.c.d, 6to4):
    judged as that address too, so ::ffff:127.0.0.1 is loopback and 64:ff9b::a9fe:a9fe metadata."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def _forms(address: Address) -> list[Address]:
    """The address and the IPv4 address inside it; an IPv4-mapped one is just that IPv4 address
    (the kernel connects to it over IPv4)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return [address.ipv4_mapped]
    embedded = _embedded_ipv4(address)
    return [address] if embedded is None else [address, embedded]


def never_allowed(address: Address) -> bool:
    """Link-local, metadata, unspecified, multicast: refused whatever PLAYGROUND_ALLOWED_HOSTS says."""
    return any(
        a.is_link_local or a in METADATA_ADDRESSES or a.is_unspecified or a.is_multicast or a == _BROADCAST
        for a in _forms(address)
    )


def is_public(address: Address) -> bool:
    return all(
        a.is_global and not (a.is_private or a.is_reserved or a.is_loopback) and not any(a in n for n in NON_PUBLIC)
        for a in _forms(address)
    )


@dataclass(frozen=True)
class Rule:
    """One PLAYGROUND_ALLOWED_HOSTS entry: a name or an address range, optionally a scheme and port."""

    host: str | None = None  # a name, lower case
    network: Network | None = None
    scheme: str | None = None
    port: int | None = None

    def fits(self, scheme: str, port: int) -> bool:
        return (self.scheme is None or self.scheme == scheme) and (self.port is None or self.port == port)

    def covers(self, address: Address) -> bool:
        assert self.network is not None
        return any(a.version == self.network.version and a in self.network for a in _forms(address))


def parse_rule(item: str) -> Rule:
    """`name`, `10.0.0.0/8`, `[::1]`, each optionally with `:port` and/or a leading `http://` or
    `https://`. A scheme without a port means the scheme's default port. A bare built-in host means
    what it always means (https, 443); other schemes or ports for it must be spelled out."""
    text = item.strip().lower()
    scheme = None
    if "://" in text:
        scheme, _, text = text.partition("://")
        if scheme not in SCHEMES:
            raise ValueError(f"{item.strip()!r}: only http:// and https:// entries are possible")
    port_text = None
    if text.startswith("["):
        inner, sep, rest = text[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise ValueError(f"{item.strip()!r} is not a host, address or network")
        text, port_text = inner, rest[1:] or None
    elif text.count(":") == 1:  # host:port; bare IPv6 entries have several colons
        text, _, port_text = text.partition(":")
    port = None
    if port_text is not None:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ValueError(f"{item.strip()!r}: the port must be a number from 1 to 65535")
        port = int(port_text)
    if port is None and scheme is not None:
        port = DEFAULT_PORTS[scheme]
    try:
        return Rule(network=ipaddress.ip_network(text, strict=False), scheme=scheme, port=port)
    except ValueError:
        pass
    host = text.rstrip(".")
    if not _NAME.match(host):
        raise ValueError(f"{item.strip()!r} is not a host, address or network")
    if host in BUILTIN_HOSTS and scheme is None and port is None:
        scheme, port = "https", 443
    return Rule(host=host, scheme=scheme, port=port)


def _refuse(detail: str) -> Forbidden:
    return Forbidden(detail, code="egress_refused")


def split_url(url: str | httpx.URL) -> tuple[str, str, int]:
    """(scheme, host, port) as httpx will connect: parsed by httpx itself, so the check and the
    connection cannot disagree about which host a URL names."""
    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
        host = parsed.raw_host.decode("ascii").lower().rstrip(".")
    except (httpx.InvalidURL, UnicodeError, TypeError):
        raise BadRequest("base_url is not a valid URL") from None
    if parsed.scheme not in SCHEMES or not host:
        raise BadRequest("base_url must be an http:// or https:// URL with a host")
    if parsed.userinfo:
        raise BadRequest("base_url must not contain credentials; store the key as the provider's api_key")
    return parsed.scheme, host, parsed.port or DEFAULT_PORTS[parsed.scheme]


class Egress:
    def __init__(self, allowed_hosts: str, *, resolve: Resolver | None = None) -> None:
        items = [i for i in allowed_hosts.split(",") if i.strip()]
        self.allow_any = any(i.strip() == "*" for i in items)
        try:
            self.rules = [parse_rule(i) for i in items if i.strip() != "*"]
        except ValueError as exc:
            raise ValueError(f"PLAYGROUND_ALLOWED_HOSTS: {exc}") from None
        self.resolve = resolve or _resolve

    def check_syntax(self, base_url: str) -> None:
        """The URL's form and names that are never allowed, without DNS (`check` does this too,
        then resolves the name and applies the allowlist)."""
        _scheme, host, _port = split_url(base_url)
        if host in METADATA_NAMES:
            raise _refuse(f"{host} is a cloud metadata address and is never allowed")

    async def check(self, url: str | httpx.URL) -> list[Address]:
        """Resolve the URL's host and decide; the answer is the addresses that may be connected to
        (empty when the name does not resolve: the call then fails as unreachable)."""
        scheme, host, port = split_url(url)
        if host in METADATA_NAMES:
            raise _refuse(f"{host} is a cloud metadata address and is never allowed")
        named = any(r.host == host and r.fits(scheme, port) for r in self.rules)
        address_rules = [r for r in self.rules if r.network is not None and r.fits(scheme, port)]
        builtin = host in BUILTIN_HOSTS
        if builtin and not named:
            if (scheme, port) != ("https", 443):
                raise _refuse(
                    f"{host} is only allowed over https on port 443 (PLAYGROUND_ALLOWED_HOSTS can name another "
                    "scheme or port for it)"
                )
        elif not (named or self.allow_any or address_rules):
            raise _refuse(f"{host}:{port} is not in PLAYGROUND_ALLOWED_HOSTS; an administrator can add it in .env")
        addresses = await self.resolve(host, port)
        if not addresses and not (named or builtin or self.allow_any):
            # Only an address rule could allow it, and there is no address to match.
            raise _refuse(f"{host}:{port} is not in PLAYGROUND_ALLOWED_HOSTS; an administrator can add it in .env")
        for address in addresses:
            if never_allowed(address):
                raise _refuse(f"{host} resolves to {address}, a link-local or metadata address; never allowed")
            if named or any(r.covers(address) for r in address_rules):
                continue
            if (builtin or self.allow_any) and is_public(address):
                continue
            if builtin or self.allow_any:
                raise _refuse(
                    f"{host} resolves to {address}, a loopback or private address; allowed only when "
                    "PLAYGROUND_ALLOWED_HOSTS lists it"
                )
            raise _refuse(f"{host}:{port} is not in PLAYGROUND_ALLOWED_HOSTS; an administrator can add it in .env")
        return addresses


async def _resolve(host: str, port: int) -> list[Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        return []
    return list(dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos))


# (host, port) -> the addresses the egress check approved for the request being sent.
_approved: contextvars.ContextVar[dict[tuple[str, int], list[Address]] | None] = contextvars.ContextVar(
    "egress_approved", default=None
)


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """Connects only to addresses the egress check approved for this request, never re-resolving
    the name. httpcore connects in the task that sends the request, so the approval travels in a
    context variable; a connection attempt without one (a client built around the check) fails."""

    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        approved = (_approved.get() or {}).get((host.lower().rstrip("."), port))
        if approved is None:
            raise httpcore.ConnectError(f"{host}:{port} was not checked by the egress policy")
        if not approved:
            raise httpcore.ConnectError(f"{host} does not resolve")
        failure: Exception | None = None
        for address in approved:
            try:
                return await self._inner.connect_tcp(
                    str(address), port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not an egress destination")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class EgressTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with the egress check in front of every request (whatever the caller did
    before) and connections pinned to the checked addresses."""

    def __init__(self, egress: Egress, *, limits: httpx.Limits) -> None:
        super().__init__(limits=limits, trust_env=False)
        # httpx does not pass a network backend through; the pool is built again with the same
        # settings plus ours (no proxy, no unix socket: neither applies here).
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=PinnedBackend(),
        )
        self.egress = egress

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        addresses = await self.egress.check(request.url)
        _scheme, host, port = split_url(request.url)
        token = _approved.set({(host, port): addresses})
        try:
            return await super().handle_async_request(request)
        finally:
            _approved.reset(token)
