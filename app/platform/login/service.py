"""What logging someone in takes, shared by the login routes and the first-admin setup: the
client's address as nginx saw it, the throttle's refusal, and the session with its cookies."""

from __future__ import annotations

import ipaddress
import uuid
from typing import Any

import redis.asyncio as aredis
from litestar import Request, Response
from litestar.datastructures import Cookie

from app.core import sessions
from app.core.errors import TracehouseError


class TooManyAttempts(TracehouseError):
    status_code = 429
    code = "too_many_attempts"


def client_ip(request: Request[Any, Any, Any]) -> str:
    """The address nginx saw. nginx sets X-Real-IP to $remote_addr, replacing whatever the client
    sent, and the services are reachable only through it; X-Forwarded-For is a list the client
    starts, so it is never used here."""
    candidate = request.headers.get("x-real-ip", "").strip()
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return request.client.host if request.client else "unknown"


async def session_response(
    request: Request[Any, Any, Any], redis: aredis.Redis, user_id: uuid.UUID, email: str, *, status_code: int = 200
) -> Response[dict[str, Any]]:
    """Log `user_id` in: a new session, its cookies, and the answer the UI expects from login
    (the first-admin setup ends the same way)."""
    settings = request.app.state.settings.auth
    token, session = await sessions.create(redis, user_id, settings.session_idle_seconds)
    secure = request.headers.get("x-forwarded-proto", request.url.scheme) == "https"
    response = Response({"user_id": str(user_id), "email": email, "csrf_token": session.csrf}, status_code=status_code)
    response.set_cookie(
        Cookie(
            key=sessions.COOKIE,
            value=token,
            httponly=True,
            samesite="lax",
            secure=secure,
            path="/",
            max_age=settings.session_idle_seconds,
        )
    )
    # The CSRF token also rides in a cookie the UI can read (double submit): a freshly loaded page
    # can send its first POST at once instead of waiting for /auth/me. Another site can neither
    # read this cookie nor set the header, so the check keeps its strength.
    response.set_cookie(
        Cookie(
            key=sessions.CSRF_COOKIE,
            value=session.csrf,
            httponly=False,
            samesite="strict",
            secure=secure,
            path="/",
            max_age=settings.session_idle_seconds,
        )
    )
    return response
