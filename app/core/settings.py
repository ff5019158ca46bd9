"""Typed settings, loaded once per process from the environment.

Every process (backend, platform, playground, queue, migrate, CLI) declares one top-level settings
Struct made of the groups it needs. All groups read the same flat environment (compose passes
`.env` through `env_file`; the native runner passes the same keys). A missing or invalid value
raises `SettingsError` naming the key, and `load_settings_or_exit` turns that into a one-line
message and exit status 2 before any server starts.

Empty values count as unset, so `KEY=` in `.env` falls back to the default.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import sys
from collections.abc import Mapping
from typing import Any, ClassVar, Literal, TypeVar
from urllib.parse import urlsplit

import msgspec

__all__ = (
    "AlertSettings",
    "AuthSettings",
    "BackendSettings",
    "CliSettings",
    "ClickHouseSettings",
    "InitialTenantSettings",
    "LogSettings",
    "MigrateSettings",
    "PlatformSettings",
    "PlaygroundSettings",
    "PostgresSettings",
    "ProviderSettings",
    "PublicUrlSettings",
    "QueueMetricsSettings",
    "QueueSettings",
    "RedisServerSettings",
    "RedisSettings",
    "ServerSettings",
    "SettingsError",
    "StoreRunnerSettings",
    "UserContentSettings",
    "load_settings",
    "load_settings_or_exit",
)


class SettingsError(Exception):
    """A configuration value is missing or invalid; the message names the key."""


class _Group(msgspec.Struct, frozen=True, kw_only=True, rename="upper"):
    """A group of keys. Field `foo_bar` is read from env key `{env_prefix}FOO_BAR`."""

    env_prefix: ClassVar[str] = ""


class LogSettings(_Group, frozen=True, kw_only=True):
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    # `json` for log shippers; `text` for people reading `./tracehouse logs`.
    log_format: Literal["json", "text"] = "text"


class PostgresSettings(_Group, frozen=True, kw_only=True):
    postgres_dsn: str
    postgres_pool_min: int = 1
    postgres_pool_max: int = 10

    def __post_init__(self) -> None:
        if urlsplit(self.postgres_dsn).scheme not in {"postgresql", "postgres"}:
            raise ValueError("POSTGRES_DSN must be a postgresql:// URL")
        if not 1 <= self.postgres_pool_min <= self.postgres_pool_max:
            raise ValueError("POSTGRES_POOL_MIN must be >= 1 and <= POSTGRES_POOL_MAX")


class ClickHouseSettings(_Group, frozen=True, kw_only=True):
    clickhouse_host: str
    clickhouse_port: int = 9000  # native protocol (9440 is the usual TLS port)
    clickhouse_user: str = "default"
    clickhouse_password: str = ""
    clickhouse_database: str = "tracehouse"
    clickhouse_secure: bool = False
    clickhouse_verify: bool = True
    # A CA bundle for a managed ClickHouse whose certificate is not signed by a public CA.
    clickhouse_ca_certs: str | None = None

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", self.clickhouse_database):
            raise ValueError("CLICKHOUSE_DATABASE must be a plain identifier")


class RedisSettings(_Group, frozen=True, kw_only=True):
    redis_url: str

    def __post_init__(self) -> None:
        if urlsplit(self.redis_url).scheme not in {"redis", "rediss", "unix"}:
            raise ValueError("REDIS_URL must be a redis://, rediss:// or unix:// URL")


class RedisServerSettings(_Group, frozen=True, kw_only=True):
    """The bundled Redis (compose and the native runner), not a managed one."""

    # Memory Redis may use (`512mb`, `2gb`; 0 = no limit). Past it, with noeviction, Redis
    # refuses writes and ingest answers 503 (clients retry) instead of the host running out of
    # memory. Redis counts its own data, so leave headroom on the host for its overhead.
    redis_maxmemory: str = "1gb"

    def __post_init__(self) -> None:
        if not re.fullmatch(r"\d+(?:[kmg]b?|b)?", self.redis_maxmemory, re.I):
            raise ValueError("REDIS_MAXMEMORY must be a size such as 512mb or 2gb (0: no limit)")


class AuthSettings(_Group, frozen=True, kw_only=True):
    # How long a resolved API key stays cached in Redis; a revoked key stops working within this.
    api_key_cache_seconds: int = 10
    # Signs self-authenticating URLs (attachment downloads). Unset: the per-installation secret
    # `migrate` generated in Postgres. Set it (32+ random characters) to rotate that secret.
    secret_key: str | None = None
    # UI sessions end after this long without a request.
    session_idle_seconds: int = 28800
    # Login attempts per account from one client address in 15 minutes before that address gets
    # 429 for that account (4x that per address over all accounts). Past 4x failures for an
    # account from all addresses, it gets one attempt per 2 seconds instead of being locked.
    login_max_failures: int = 5

    def __post_init__(self) -> None:
        if not 60 <= self.session_idle_seconds <= 30 * 86400:
            raise ValueError("SESSION_IDLE_SECONDS must be between 60 and 2592000")
        if not 1 <= self.login_max_failures <= 1000:
            raise ValueError("LOGIN_MAX_FAILURES must be between 1 and 1000")
        if not 0 <= self.api_key_cache_seconds <= 300:
            raise ValueError("API_KEY_CACHE_SECONDS must be between 0 and 300")
        if self.secret_key is not None and len(self.secret_key) < 16:
            raise ValueError("SECRET_KEY must be at least 16 characters")


class UserContentSettings(_Group, frozen=True, kw_only=True):
    # Optional origin (scheme://host[:port]) that attachment download links are issued on and
    # the only host the downloads answer on. Uploaded bytes then never share an origin with the
    # UI's session even if a browser renders them; nginx must route that host to the same
    # server (the shipped template's `server_name _` does). Unset: links are relative.
    user_content_origin: str | None = None

    def __post_init__(self) -> None:
        origin = self.user_content_origin
        if origin is None:
            return
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
            raise ValueError("USER_CONTENT_ORIGIN must be an origin like https://usercontent.example.com")
        if parts.query or parts.fragment or parts.username or parts.password:
            raise ValueError("USER_CONTENT_ORIGIN must be an origin like https://usercontent.example.com")
        # One canonical spelling: the host check and the links compare against it.
        msgspec.structs.force_setattr(self, "user_content_origin", f"{parts.scheme}://{parts.netloc.lower()}")


class PublicUrlSettings(_Group, frozen=True, kw_only=True):
    # The address people and SDKs reach Tracehouse at (nginx's published port, or the proxy in
    # front of it). Links handed out (invitations, feedback tokens) are built from it, never from
    # the request's Host header, which a client chooses. Unset: http://localhost:1980 (the native
    # runner sets its own URL).
    public_url: str | None = None

    DEFAULT: ClassVar[str] = "http://localhost:1980"

    def __post_init__(self) -> None:
        if self.public_url is None:
            return
        parts = urlsplit(self.public_url)
        if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query or parts.fragment:
            raise ValueError("PUBLIC_URL must be an http:// or https:// URL, e.g. https://tracehouse.example.com")

    def link(self, path: str) -> str:
        """An absolute URL for `path` (which starts with /) on the public address."""
        return (self.public_url or self.DEFAULT).rstrip("/") + path


class ServerSettings(_Group, frozen=True, kw_only=True):
    """Where an HTTP service listens. Subclasses fix the prefix and default port."""

    host: str = "0.0.0.0"
    port: int = 8000
    workers: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.port <= 65535:
            raise ValueError(f"{self.env_prefix}PORT must be between 1 and 65535")
        if not 1 <= self.workers <= 64:
            raise ValueError(f"{self.env_prefix}WORKERS must be between 1 and 64")


class BackendServer(ServerSettings, frozen=True, kw_only=True):
    env_prefix: ClassVar[str] = "BACKEND_"
    port: int = 1984


class PlatformServer(ServerSettings, frozen=True, kw_only=True):
    env_prefix: ClassVar[str] = "PLATFORM_"
    port: int = 1986
    # Two processes: one large batch being parsed must not hold up every other SDK's request.
    workers: int = 2


class PlaygroundServer(ServerSettings, frozen=True, kw_only=True):
    env_prefix: ClassVar[str] = "PLAYGROUND_"
    port: int = 3001


class InitialTenantSettings(_Group, frozen=True, kw_only=True):
    # Created by `migrate` on first start when set; `api-key create` works without them. The first
    # admin (INITIAL_ADMIN_* or the setup link) becomes admin of this workspace.
    initial_org_name: str | None = None
    initial_workspace_name: str | None = None


class BootstrapSettings(InitialTenantSettings, frozen=True, kw_only=True):
    # The first UI admin (created once; an existing account's password is never changed here).
    initial_admin_email: str | None = None
    initial_admin_password: str | None = None

    def __post_init__(self) -> None:
        if bool(self.initial_admin_email) != bool(self.initial_admin_password):
            raise ValueError("set both INITIAL_ADMIN_EMAIL and INITIAL_ADMIN_PASSWORD, or neither")
        if self.initial_admin_password is not None and len(self.initial_admin_password) < 12:
            raise ValueError("INITIAL_ADMIN_PASSWORD must be at least 12 characters")


class MigrateOptions(_Group, frozen=True, kw_only=True):
    # How long `migrate` waits for the stores to accept connections (a managed database may still
    # be starting when compose runs it).
    migrate_wait_seconds: int = 60


class QueueWorkerSettings(_Group, frozen=True, kw_only=True):
    queue_names: str = "ingest,default"
    queue_burst: bool = False
    # Run the ClickHouse writer thread (exactly one writer in the whole deployment is active at a
    # time; the others stand by). Turn off only for workers that should never write.
    queue_writer: bool = True
    # How long the active writer's lock lasts without renewal: a standby takes over this long
    # after the active writer dies.
    writer_lock_seconds: float = 15.0
    # Seconds after which a stage-1 job of a dead worker is retried (its rq heartbeat lapses).
    job_abandoned_seconds: int = 30
    # Scheduling niceness of worker processes (0-19): on a host shared with the HTTP services,
    # accepting requests fast matters more than storing them a few milliseconds sooner.
    queue_nice: int = 10

    def __post_init__(self) -> None:
        if not 1 <= self.writer_lock_seconds <= 300:
            raise ValueError("WRITER_LOCK_SECONDS must be between 1 and 300")
        if not 5 <= self.job_abandoned_seconds <= 3600:
            raise ValueError("JOB_ABANDONED_SECONDS must be between 5 and 3600")
        if not 0 <= self.queue_nice <= 19:
            raise ValueError("QUEUE_NICE must be between 0 and 19")


class QueueMetricsSettings(_Group, frozen=True, kw_only=True):
    """The queue service's own small HTTP server for `/metrics` (it has no API port)."""

    # 0 turns it off. Internal: compose publishes no port of the queue service; nginx serves it as
    # /metrics/queue only with METRICS_TOKEN (docs/operations.md, "Metrics").
    queue_metrics_port: int = 9464
    queue_metrics_host: str = "0.0.0.0"

    def __post_init__(self) -> None:
        if not 0 <= self.queue_metrics_port <= 65535:
            raise ValueError("QUEUE_METRICS_PORT must be between 0 and 65535 (0: off)")


class AlertSettings(_Group, frozen=True, kw_only=True):
    """Alert evaluation and webhook delivery (docs/alerts.md)."""

    # Seconds between evaluations of every enabled alert rule (a task of the queue service).
    alert_evaluation_seconds: int = 60
    # Longest wait for a webhook receiver to connect and answer, per attempt.
    webhook_timeout_seconds: float = 10.0
    # Webhooks go through the playground's egress policy and its allowlist (the same key, read
    # here too): an internal receiver must be listed there.
    playground_allowed_hosts: str = ""

    def __post_init__(self) -> None:
        if not 10 <= self.alert_evaluation_seconds <= 86400:
            raise ValueError("ALERT_EVALUATION_SECONDS must be between 10 and 86400")
        if not 1 <= self.webhook_timeout_seconds <= 60:
            raise ValueError("WEBHOOK_TIMEOUT_SECONDS must be between 1 and 60")
        # The backend and the queue parse the allowlist too, so a malformed entry stops them at
        # start (naming PLAYGROUND_ALLOWED_HOSTS) rather than failing the first webhook save.
        from app.core.egress import Egress

        Egress(self.playground_allowed_hosts)


# --- storage (issue 19): the disk budget -------------------------------------------------------

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)?\s*$", re.IGNORECASE)
_UNITS = {
    "B": 1,
    "KB": 10**3,
    "MB": 10**6,
    "GB": 10**9,
    "TB": 10**12,
    "KIB": 2**10,
    "MIB": 2**20,
    "GIB": 2**30,
    "TIB": 2**40,
}
STORAGE_ENFORCE_MODES = ("off", "expire_payloads")


def parse_size(text: str) -> int:
    """`200GB` (powers of 1000), `1.5TiB` (powers of 1024) or a plain byte count."""
    match = _SIZE.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a size such as 200GB, 500MiB or 1000000")
    number, unit = float(match.group(1)), (match.group(2) or "B").upper()
    return int(number * _UNITS[unit])


class StorageSettings(_Group, frozen=True, kw_only=True):
    env_prefix: ClassVar[str] = "STORAGE_"
    # The disk the appliance may use (ClickHouse + Postgres + Redis), e.g. 200GB; empty = no budget.
    budget: str = ""
    # Warn when the forecast reaches the budget within this many days.
    warn_days: int = 14
    # What to do once the budget is exceeded: nothing (off) or clear the oldest months' payloads.
    enforce: str = "off"
    # How often the queue service samples usage and checks the budget.
    sample_seconds: int = 3600

    def __post_init__(self) -> None:
        if self.budget:
            try:
                size = parse_size(self.budget)
            except ValueError as exc:
                raise ValueError(f"STORAGE_BUDGET: {exc}") from None
            if size < 1:
                raise ValueError("STORAGE_BUDGET must be at least 1 byte")
        if not 1 <= self.warn_days <= 3650:
            raise ValueError("STORAGE_WARN_DAYS must be between 1 and 3650")
        if self.enforce not in STORAGE_ENFORCE_MODES:
            raise ValueError(f"STORAGE_ENFORCE must be one of {', '.join(STORAGE_ENFORCE_MODES)}")
        if not 10 <= self.sample_seconds <= 86400:
            raise ValueError("STORAGE_SAMPLE_SECONDS must be between 10 and 86400")

    @property
    def budget_bytes(self) -> int | None:
        return parse_size(self.budget) if self.budget else None


def storage_settings(env: Mapping[str, str] | None = None) -> StorageSettings:
    """The storage group alone (the storage job's tests build it with their own budget)."""
    group = _load_group(StorageSettings, os.environ if env is None else env)
    assert isinstance(group, StorageSettings)
    return group


# --- one top-level settings object per process ---------------------------------------------------


class _ProcessSettings(msgspec.Struct, frozen=True, kw_only=True):
    log: LogSettings


class BackendSettings(_ProcessSettings, frozen=True, kw_only=True):
    server: BackendServer
    postgres: PostgresSettings
    clickhouse: ClickHouseSettings
    redis: RedisSettings
    auth: AuthSettings
    user_content: UserContentSettings
    public: PublicUrlSettings
    alerts: AlertSettings
    storage: StorageSettings


class PlatformSettings(_ProcessSettings, frozen=True, kw_only=True):
    server: PlatformServer
    postgres: PostgresSettings
    clickhouse: ClickHouseSettings
    redis: RedisSettings
    auth: AuthSettings
    public: PublicUrlSettings
    # Where the account made with the setup link lands (not the INITIAL_ADMIN_* secrets).
    initial: InitialTenantSettings


class ProviderSettings(_Group, frozen=True, kw_only=True):
    """How the playground reaches model APIs."""

    # Encrypts provider API keys at rest (AES-256-GCM): 32 random bytes, base64-encoded, e.g.
    # `python -c "import os,base64;print(base64.b64encode(os.urandom(32)).decode())"`. Without it
    # provider keys cannot be stored. Changing it makes stored keys unreadable (enter them again).
    provider_secrets_key: str | None = None
    # Hosts a custom provider base URL may point at, comma-separated: names (`vllm.internal`),
    # IPs, CIDR ranges (`10.0.0.0/8`), optionally with a port (`127.0.0.1:8000`) and a scheme
    # (`https://gw.example.com`); `*` allows any public host. OpenAI's and Anthropic's own API
    # hosts are always allowed over https on 443. Loopback and private addresses only when
    # listed; link-local and cloud metadata addresses never. Parsed by app/core/egress.py,
    # which names this key when an entry is malformed.
    playground_allowed_hosts: str = ""
    playground_connect_timeout: float = 5.0
    # Longest wait for the next byte of an answer (a streamed answer may take longer in total).
    playground_read_timeout: float = 120.0
    # Model calls in flight at once per dataset run.
    playground_dataset_concurrency: int = 4

    def __post_init__(self) -> None:
        if self.provider_secrets_key:
            try:
                raw = base64.b64decode(self.provider_secrets_key, validate=True)
            except (ValueError, binascii.Error):
                raw = b""
            if len(raw) != 32:
                raise ValueError("PROVIDER_SECRETS_KEY must be 32 bytes, base64-encoded")
        if not 0.1 <= self.playground_connect_timeout <= 60:
            raise ValueError("PLAYGROUND_CONNECT_TIMEOUT must be between 0.1 and 60 seconds")
        if not 1 <= self.playground_read_timeout <= 3600:
            raise ValueError("PLAYGROUND_READ_TIMEOUT must be between 1 and 3600 seconds")
        if not 1 <= self.playground_dataset_concurrency <= 64:
            raise ValueError("PLAYGROUND_DATASET_CONCURRENCY must be between 1 and 64")
        # Parsed here too so a malformed entry stops the start with the key's name (a ValueError
        # saying PLAYGROUND_ALLOWED_HOSTS). Imported late: egress needs errors, which needs settings.
        from app.core.egress import Egress

        Egress(self.playground_allowed_hosts)


class PlaygroundSettings(_ProcessSettings, frozen=True, kw_only=True):
    server: PlaygroundServer
    postgres: PostgresSettings
    redis: RedisSettings
    auth: AuthSettings
    providers: ProviderSettings


class QueueSettings(_ProcessSettings, frozen=True, kw_only=True):
    postgres: PostgresSettings
    clickhouse: ClickHouseSettings
    redis: RedisSettings
    worker: QueueWorkerSettings
    metrics: QueueMetricsSettings
    alerts: AlertSettings
    storage: StorageSettings


class MigrateSettings(_ProcessSettings, frozen=True, kw_only=True):
    postgres: PostgresSettings
    clickhouse: ClickHouseSettings
    bootstrap: BootstrapSettings
    options: MigrateOptions
    public: PublicUrlSettings  # the setup link is built on it


class CliSettings(_ProcessSettings, frozen=True, kw_only=True):
    postgres: PostgresSettings


class CliRedisSettings(_ProcessSettings, frozen=True, kw_only=True):
    redis: RedisSettings


class CliClickHouseSettings(_ProcessSettings, frozen=True, kw_only=True):
    """For operator scripts run inside a service container (and the compose tests)."""

    clickhouse: ClickHouseSettings


class StoreRunnerSettings(_ProcessSettings, frozen=True, kw_only=True):
    """What the native runner needs to start the bundled stores."""

    redis_server: RedisServerSettings


S = TypeVar("S", bound=msgspec.Struct)

_FIELD_IN_MESSAGE = re.compile(r"`\$\.(\w+)`|field `(\w+)`")


def _load_group(group: type[_Group], env: Mapping[str, str]) -> _Group:
    prefix = group.env_prefix
    raw = {k[len(prefix) :]: v for k, v in env.items() if k.startswith(prefix) and v != ""}
    try:
        return msgspec.convert(raw, group, strict=False)
    except msgspec.ValidationError as exc:
        message = str(exc)
        match = _FIELD_IN_MESSAGE.search(message)
        if match:
            name = next(g for g in match.groups() if g)
            key = prefix + name
            message = message.replace(f"`$.{name}`", f"`{key}`").replace(f"field `{name}`", f"`{key}`")
            message = f"{key}: {message}"
        raise SettingsError(f"invalid configuration: {message}") from None


def load_settings(cls: type[S], env: Mapping[str, str] | None = None) -> S:
    """Build `cls` from `env` (default: os.environ). Raises SettingsError naming the bad key."""
    env = os.environ if env is None else env
    groups: dict[str, Any] = {}
    for field in msgspec.structs.fields(cls):
        groups[field.name] = _load_group(field.type, env)
    return cls(**groups)


def load_settings_or_exit(cls: type[S], service: str) -> S:
    try:
        return load_settings(cls)
    except SettingsError as exc:
        print(f"tracehouse {service}: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
