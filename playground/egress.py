"""Where the playground may connect. Custom base URLs (an OpenAI-compatible server, or another
address for OpenAI/Anthropic) must be on PLAYGROUND_ALLOWED_HOSTS; link-local and cloud metadata
addresses are refused whatever it says, also when a name only resolves to one (checked at call
time, against every address the name resolves to)."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import anyio

from app.core.errors import BadRequest, Forbidden

# The providers' own API hosts need no allowlist entry.
BUILTIN_HOSTS = frozenset({"api.openai.com", "api.anthropic.com"})
METADATA_NAMES = frozenset({"metadata.google.internal", "metadata.goog", "metadata", "instance-data"})
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class _Rule:
    host: str | None = None  # a name, lower case
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None
    port: int | None = None

    def matches(self, host: str, addresses: list[Address], port: int) -> bool:
        if self.port is not None and self.port != port:
            return False
        if self.host is not None:
            return host == self.host
        assert self.network is not None
        return bool(addresses) and all(a in self.network for a in addresses)


def _parse_rule(item: str) -> _Rule:
    text = item.strip().lower()
    port = None
    if text.count(":") == 1 and not text.endswith("]"):  # host:port (IPv6 rules have several colons)
        text, _, port_text = text.partition(":")
        port = int(port_text)
    text = text.strip("[]")
    try:
        return _Rule(network=ipaddress.ip_network(text, strict=False), port=port)
    except ValueError:
        return _Rule(host=text, port=port)


class Egress:
    def __init__(self, allowed_hosts: str) -> None:
        items = [i for i in allowed_hosts.split(",") if i.strip()]
        self.allow_any = any(i.strip() == "*" for i in items)
        try:
            self.rules = [_parse_rule(i) for i in items if i.strip() != "*"]
        except ValueError as exc:
            raise ValueError(f"PLAYGROUND_ALLOWED_HOSTS: {exc}") from None

    @staticmethod
    def _split(base_url: str) -> tuple[str, int]:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise BadRequest("base_url must be an http:// or https:// URL with a host")
        if parts.username or parts.password:
            raise BadRequest("base_url must not contain credentials; store the key as the provider's api_key")
        return parts.hostname.lower(), parts.port or (443 if parts.scheme == "https" else 80)

    def check_syntax(self, base_url: str) -> None:
        """When a provider is saved: the URL's form and the allowlist by name (no DNS yet)."""
        host, _port = self._split(base_url)
        if host in METADATA_NAMES:
            raise Forbidden(f"{host} is a cloud metadata address and is never allowed", code="egress_refused")

    async def check(self, base_url: str) -> None:
        """Before every call: resolve the host and refuse link-local/metadata addresses, then apply
        the allowlist (built-in provider hosts always pass)."""
        host, port = self._split(base_url)
        if host in METADATA_NAMES:
            raise Forbidden(f"{host} is a cloud metadata address and is never allowed", code="egress_refused")
        addresses = await _resolve(host, port)
        for address in addresses:
            if address.is_link_local or address in METADATA_ADDRESSES or _mapped_link_local(address):
                raise Forbidden(
                    f"{host} resolves to {address}, a link-local or metadata address; never allowed",
                    code="egress_refused",
                )
        if host in BUILTIN_HOSTS or self.allow_any:
            return
        if not any(rule.matches(host, addresses, port) for rule in self.rules):
            raise Forbidden(
                f"{host}:{port} is not in PLAYGROUND_ALLOWED_HOSTS; an administrator can add it in .env",
                code="egress_refused",
            )


def _mapped_link_local(address: Address) -> bool:
    mapped = getattr(address, "ipv4_mapped", None)
    return bool(mapped and (mapped.is_link_local or mapped in METADATA_ADDRESSES))


async def _resolve(host: str, port: int) -> list[Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        return []  # unresolvable: the call itself will fail as unreachable
    return list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos))
