"""The one error hierarchy of the HTTP services, and its mapping to HTTP in one place.

    TracehouseError                 500 internal_error
    ├── BadRequest                  400 bad_request
    ├── NotAuthenticated            401 not_authenticated
    ├── Forbidden                   403 forbidden
    ├── NotFound                    404 not_found
    ├── Conflict                    409 conflict
    ├── PayloadTooLarge             413 payload_too_large
    ├── StoreUnavailable            503 store_unavailable   (a database is down; clients may retry)
    └── UpstreamFailure             a model API called by the playground failed:
                                    424 provider_auth_failed · 429 provider_rate_limited ·
                                    404 model_not_found · 400 provider_rejected_request ·
                                    504 provider_timeout · 502 provider_unreachable | provider_error

Every error answers `{"error": <code>, "detail": <message>}` with `X-Request-Id` echoed, so a
client always gets JSON it can show. Store clients wrap their driver's exceptions into
`StoreUnavailable` at their own boundary; nothing else needs to know a driver's exception types.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

log = logging.getLogger("tracehouse.errors")


class TracehouseError(Exception):
    status_code = 500
    code = "internal_error"

    def __init__(self, detail: str, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra or {}


class BadRequest(TracehouseError):
    status_code = 400
    code = "bad_request"


class NotAuthenticated(TracehouseError):
    status_code = 401
    code = "not_authenticated"


class Forbidden(TracehouseError):
    status_code = 403
    code = "forbidden"

    def __init__(self, detail: str, *, code: str | None = None, extra: dict[str, Any] | None = None):
        super().__init__(detail, extra=extra)
        if code:
            # The SDK recognises specific codes, e.g. `org_scoped_key_requires_workspace`.
            self.code = code


class NotFound(TracehouseError):
    status_code = 404
    code = "not_found"


class Conflict(TracehouseError):
    status_code = 409
    code = "conflict"


class PayloadTooLarge(TracehouseError):
    status_code = 413
    code = "payload_too_large"


class StoreUnavailable(TracehouseError):
    status_code = 503
    code = "store_unavailable"


class UpstreamFailure(TracehouseError):
    """A model provider's failure, named after the provider and the cause. A rejected provider
    key is 424, not 401: 401 means the caller's own Tracehouse credentials failed, and a UI
    would log its user out."""

    STATUS: ClassVar[dict[str, tuple[int, str]]] = {
        "auth": (424, "provider_auth_failed"),
        "rate_limited": (429, "provider_rate_limited"),
        "model_not_found": (404, "model_not_found"),
        "bad_request": (400, "provider_rejected_request"),
        "timeout": (504, "provider_timeout"),
        "unreachable": (502, "provider_unreachable"),
        "upstream_error": (502, "provider_error"),
    }

    def __init__(self, kind: str, detail: str, *, provider: str, retry_after: float | None = None) -> None:
        super().__init__(detail, extra={"provider": provider})
        self.status_code, self.code = self.STATUS.get(kind, (502, "provider_error"))
        self.retry_after = retry_after


def _body(code: str, detail: Any, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": code, "detail": detail, **(extra or {})}


def _tracehouse_error(request: Request, exc: TracehouseError) -> Response:
    if exc.status_code >= 500:
        log.error("%s %s failed: %s", request.method, request.url.path, exc.detail)
    headers = {"Retry-After": "5"} if isinstance(exc, StoreUnavailable) else None
    if isinstance(exc, UpstreamFailure) and exc.retry_after is not None:
        headers = {"Retry-After": str(max(1, round(exc.retry_after)))}
    if exc.status_code == 429 and isinstance(exc.extra.get("retry_after"), int):  # our own throttles
        headers = {"Retry-After": str(exc.extra["retry_after"])}
    return Response(_body(exc.code, exc.detail, exc.extra), status_code=exc.status_code, headers=headers)


def _validation_error(request: Request, exc: ValidationException) -> Response:
    # Litestar raises this for undecodable or schema-invalid bodies and bad query parameters. Its
    # detail is a generic "Validation failed for POST /x"; the first error says what is wrong.
    errors = exc.extra if isinstance(exc.extra, list) else []
    detail = exc.detail
    first = errors[0] if errors and isinstance(errors[0], dict) else None
    if first and first.get("message"):
        key = first.get("key")
        where = f"{key}: " if key and key != "data" else ""
        detail = f"{where}{first['message']}"
    return Response(_body("bad_request", detail, {"errors": errors}), status_code=400)


def _http_error(request: Request, exc: HTTPException) -> Response:
    code = {
        400: "bad_request",
        401: "not_authenticated",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        413: "payload_too_large",
    }.get(exc.status_code, "http_error")
    return Response(_body(code, exc.detail), status_code=exc.status_code, headers=exc.headers)


def _unexpected_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return Response(
        _body("internal_error", "internal server error; see the service log for the request id"),
        status_code=HTTP_500_INTERNAL_SERVER_ERROR,
    )


EXCEPTION_HANDLERS = {
    TracehouseError: _tracehouse_error,
    ValidationException: _validation_error,
    HTTPException: _http_error,
    Exception: _unexpected_error,
}
