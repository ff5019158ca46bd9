"""GET /api/v1/setup, POST /api/v1/setup: the first admin account, made with the setup link.

`migrate` logs a link with a one-time token while no account exists (app/core/tenancy/setup.py).
Whoever opens it chooses the first admin's email and password here and is logged in at once, as
after a login. Reading the link takes the operator's logs, so the account is an operator's one
(no managing organization), like INITIAL_ADMIN_* and `./tracehouse user create`.

Wrong tokens are throttled per client address like password guesses (app/platform/login/
throttle.py), although at 256 bits guessing is hopeless anyway. The body must be JSON sent as
`application/json`: another site's form can send neither that type nor, without a CORS preflight
nobody answers, a fetch with it.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Annotated, Any

import msgspec
import redis.asyncio as aredis
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from app.core.errors import BadRequest, Conflict, Forbidden
from app.core.postgres import Postgres
from app.core.settings import InitialTenantSettings
from app.core.tenancy import queries as tq
from app.core.tenancy import service, setup, users
from app.platform.login import throttle
from app.platform.login.service import TooManyAttempts, client_ip, session_response

log = logging.getLogger("tracehouse.setup")


class SetupBody(msgspec.Struct, kw_only=True):
    token: Annotated[str, msgspec.Meta(max_length=200)]
    email: str
    password: str
    name: str = ""

    def __post_init__(self) -> None:
        self.email = self.email.strip()
        self.name = self.name.strip()
        if "@" not in self.email or len(self.email) > 320:
            raise ValueError("email must be an address")
        if len(self.name) > 200:
            raise ValueError("name must be at most 200 characters")


class InvalidSetupToken(Forbidden):
    code = "invalid_setup_token"

    def __init__(self) -> None:
        super().__init__(
            "this setup link is invalid, used or replaced by a newer one: open the link from the latest"
            " `./tracehouse up` or `docker compose logs migrate`"
        )


class AlreadySetUp(Conflict):
    code = "already_set_up"

    def __init__(self) -> None:
        super().__init__("this installation already has an account; log in, or ask its admin for an invitation")


@get("/api/v1/setup", opt={"exclude_from_auth": True})
async def setup_status(postgres: NamedDependency[Postgres]) -> dict[str, bool]:
    """Whether the installation still waits for its first account (the login page's hint)."""
    row = await postgres.fetch_one(tq.SELECT_SET_UP)
    return {"needs_setup": not row["set_up"]}


def _check(state: dict[str, Any] | None, token: str) -> None:
    if state is None or state["set_up"]:
        raise AlreadySetUp()
    if not setup.matches(state["token_hash"], token):
        raise InvalidSetupToken()


async def _create_first_admin(postgres: Postgres, data: SetupBody, initial: InitialTenantSettings) -> uuid.UUID:
    # A look without the lock first: an installed appliance answers at once, and a wrong token
    # costs no password hash.
    _check(await postgres.fetch_one(tq.SELECT_STATE), data.token)
    # argon2 is CPU-bound: off the event loop, and before the lock, which it would hold up.
    password_hash = await asyncio.to_thread(users.checked_hash, data.password)
    async with postgres.transaction() as conn:
        await conn.execute(tq.LOCK_USERS)
        # Again under the lock: a concurrent setup may have won meanwhile (it committed an account,
        # so this one is the 409), or a restart may have replaced the token.
        _check(await (await conn.execute(tq.SELECT_STATE)).fetchone(), data.token)
        org = await (
            service.ensure_org(conn, initial.initial_org_name)
            if initial.initial_org_name
            else service.default_org(conn)
        )
        workspace = await service.workspace_for_cli(conn, org, initial.initial_workspace_name)
        user_id = uuid.uuid4()
        await conn.execute(
            tq.INSERT_USER,
            {
                "id": user_id,
                "email": data.email,
                "name": data.name,
                "hash": password_hash,
                "organization_id": None,
            },
        )
        await users.add_member(conn, workspace.id, user_id, "admin")
        await conn.execute(tq.DELETE_TOKEN)
    return user_id


@post("/api/v1/setup", opt={"exclude_from_auth": True}, status_code=201)
async def complete_setup(
    request: Request[Any, Any, Any],
    data: JSONBody[SetupBody],
    postgres: NamedDependency[Postgres],
    redis: NamedDependency[aredis.Redis],
) -> Response[dict[str, Any]]:
    if request.content_type[0] != "application/json":
        raise BadRequest("send the body as application/json")
    ip = client_ip(request)
    attempt = throttle.setup_attempt_keys(ip)
    refused = await throttle.reserve(redis, attempt, request.app.state.settings.auth.login_max_failures)
    if refused is not None:
        raise TooManyAttempts(
            f"too many wrong setup tokens; try again in {refused.retry_after} seconds",
            extra={"retry_after": refused.retry_after},
        )
    try:
        user_id = await _create_first_admin(postgres, data, request.app.state.settings.initial)
    except InvalidSetupToken:
        failures = await throttle.failed(redis, attempt)
        log.warning("wrong setup token from %s (%d in the window)", ip, failures)
        await asyncio.sleep(min(0.25 * failures, 3.0))  # repeated failures slow down
        raise
    except BaseException:
        # Nothing was guessed (already set up, a weak password, a store failing): not a failure.
        await throttle.release(redis, attempt)
        raise
    await throttle.succeeded(redis, attempt)
    log.info("first admin %s created with the setup link from %s", data.email, ip)
    return await session_response(request, redis, user_id, data.email, status_code=201)


ROUTES = [setup_status, complete_setup]
