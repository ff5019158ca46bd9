"""The one error hierarchy of the HTTP services, and its mapping to HTTP in one place.

    TracehouseError                 500 internal_error
    ├── BadRequest                  400 bad_request
    ├── NotAuthenticated            401 not_authenticated
    ├── Forbidden                   403 forbidden
    ├── NotFound                    404 not_found
    ├── Conflict                    409 conflict
    ├── Unprocessable               422 unprocessable (well-formed, but a field breaks its rule)
    ├── PayloadTooLarge             413 payload_too_large
    ├── StoreUnavailable            503 store_unavailable   (a database is down; clients may retry)
    └── UpstreamFailure             a model API called by the playground failed:
                                    424 provider_auth_failed · 429 provider_rate_limited ·
                                    404 model_not_found · 400 provider_rejected_request ·
                                    504 provider_timeout · 502 provider_unreachable | provider_error

Every error answers `{"error": <code>, "detail": <message>}` with `X-Request-Id` echoed, so a
client always gets JSON it can show. Store clients wrap their driver's exceptions into
`StoreUnavailable` at their own boundary; nothing else needs to know a driver's exception types.

A 5xx body never carries what went wrong inside (a store's message quotes our SQL, tenant ids and
its stack trace): the detail is logged with the request id and the client gets a generic sentence
naming that id. Input the stores or the decoder refuse (NUL in text, an unpaired surrogate, a
number out of a column's range, JSON nested past the decoder's limit, a unique key taken) is the
caller's mistake, so it answers 4xx, again without echoing the driver's message.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar

import psycopg
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import ExceptionHandlersMap

from app.core.logging import request_id_var
from app.core.metrics import note_store_error

log = logging.getLogger("tracehouse.errors")
# Exception handlers see every kind of request, and answer with the JSON error body `_body` makes.
AnyRequest = Request[Any, Any, Any]
ErrorResponse = Response[dict[str, Any]]


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


class Unprocessable(TracehouseError):
    """The request decodes but an item breaks a rule of its type (a run's `start_time` that is no
    time, an unknown `run_type`). The SDK logs a 422 and does not retry it."""

    status_code = 422
    code = "unprocessable"


class PayloadTooLarge(TracehouseError):
    status_code = 413
    code = "payload_too_large"


class StoreUnavailable(TracehouseError):
    """Raised where a store client meets its driver's failure, with the store's name as the
    detail's first word. Counted here, once per failure, for `tracehouse_store_errors_total`: every
    raise site in every service and job passes through this constructor."""

    status_code = 503
    code = "store_unavailable"

    def __init__(self, detail: str, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(detail, extra=extra)
        note_store_error(detail.split(" ", 1)[0])


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


STORES = ("postgres", "clickhouse", "redis")


def _bind_request_id(request: AnyRequest) -> None:
    """An error raised in a middleware (a store down while authenticating) reaches these handlers
    after the request-id middleware has unwound; take the id from the request again so the log
    line and the answer still name it."""
    if request_id_var.get() is None and (request_id := request.headers.get("x-request-id")):
        request_id_var.set(request_id[:128])


def _request_ref() -> str:
    request_id = request_id_var.get()
    return f"request id {request_id}" if request_id else "the request id in X-Request-Id"


def _generic_detail(exc: TracehouseError) -> str:
    if isinstance(exc, StoreUnavailable):
        # Which store is down helps an operator and says nothing about the tenant; the driver's
        # message (host, user, database) stays in the log.
        store = exc.detail.split(" ", 1)[0]
        store = store if store in STORES else "a data store"
        return f"{store} is unavailable; retry shortly ({_request_ref()})"
    return f"internal server error; the service log has the details under {_request_ref()}"


def _tracehouse_error(request: AnyRequest, exc: TracehouseError) -> ErrorResponse:
    _bind_request_id(request)
    headers = {"Retry-After": "5"} if isinstance(exc, StoreUnavailable) else None
    if isinstance(exc, UpstreamFailure):
        # Names the provider and says what it answered about the user's own request (a bad
        # provider key, a rate limit): the user needs it to fix the call. Nothing of ours is in it.
        if exc.retry_after is not None:
            headers = {"Retry-After": str(max(1, round(exc.retry_after)))}
        return Response(_body(exc.code, exc.detail, exc.extra), status_code=exc.status_code, headers=headers)
    if exc.status_code >= 500:
        # The detail may quote a store's message (SQL, tenant ids, a server stack trace): it goes
        # to the log with the request id, the client gets a generic sentence naming that id.
        log.error("%s %s failed: %s", request.method, request.url.path, exc.detail)
        return Response(_body(exc.code, _generic_detail(exc)), status_code=exc.status_code, headers=headers)
    if exc.status_code == 429 and isinstance(exc.extra.get("retry_after"), int):  # our own throttles
        headers = {"Retry-After": str(exc.extra["retry_after"])}
    return Response(_body(exc.code, exc.detail, exc.extra), status_code=exc.status_code, headers=headers)


def _validation_error(request: AnyRequest, exc: ValidationException) -> ErrorResponse:
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


def _http_error(request: AnyRequest, exc: HTTPException) -> ErrorResponse:
    code = {
        400: "bad_request",
        401: "not_authenticated",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        413: "payload_too_large",
    }.get(exc.status_code, "http_error")
    return Response(_body(code, exc.detail), status_code=exc.status_code, headers=exc.headers)


def _unexpected_error(request: AnyRequest, exc: Exception) -> ErrorResponse:
    _bind_request_id(request)
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return Response(
        _body("internal_error", f"internal server error; the service log has the details under {_request_ref()}"),
        status_code=HTTP_500_INTERNAL_SERVER_ERROR,
    )


def _too_deep(request: AnyRequest, exc: RecursionError) -> ErrorResponse:
    # msgspec bounds JSON nesting at the interpreter's recursion limit (about 1,000 levels) and
    # raises RecursionError past it; the same bound stops our walkers and the drivers' JSON
    # encoders on a value that nests too deeply. Only caller input nests like that.
    log.info("%s %s: input nests too deeply", request.method, request.url.path)
    detail = "the request nests too deeply (JSON may nest at most a few hundred levels)"
    return Response(_body("bad_request", detail), status_code=400)


def _overflow(request: AnyRequest, exc: OverflowError) -> ErrorResponse:
    # A caller's number too large for what it feeds (a timedelta of 2**62 minutes, a C int).
    log.info("%s %s: number out of range: %s", request.method, request.url.path, exc)
    return Response(_body("bad_request", "a number in the request is out of range"), status_code=400)


def _undecodable_body(request: AnyRequest, exc: UnicodeDecodeError) -> ErrorResponse:
    # Litestar's JSON decoding of a body that is not UTF-8 raises this rather than a validation
    # error.
    log.info("%s %s: body is not UTF-8: %s", request.method, request.url.path, exc.reason)
    return Response(_body("bad_request", "the request body is not valid UTF-8"), status_code=400)


def _unencodable_text(request: AnyRequest, exc: UnicodeEncodeError) -> ErrorResponse:
    # A `\ud800` escape inside a filter string (or another decoder's output) is an unpaired
    # surrogate, which no store can encode as UTF-8.
    log.info("%s %s: unencodable text: %s", request.method, request.url.path, exc.reason)
    return Response(_body("bad_request", "text contains an unpaired UTF-16 surrogate"), status_code=400)


def _postgres_error(request: AnyRequest, exc: psycopg.Error) -> ErrorResponse:
    """Postgres refusing a value is the caller's input, not our failure. Its message names
    constraints, columns and values, so it is logged and the answer only names the class of
    problem. Any other Postgres error is ours: a generic 500."""
    if not isinstance(exc, (psycopg.IntegrityError, psycopg.DataError)):
        return _unexpected_error(request, exc)
    log.info("%s %s: postgres refused the input: %s", request.method, request.url.path, type(exc).__name__)
    if isinstance(exc, psycopg.errors.UniqueViolation):
        return Response(_body("conflict", "an object with this name or id already exists"), status_code=409)
    if isinstance(exc, psycopg.errors.ForeignKeyViolation):
        return Response(_body("bad_request", "the request refers to an object that does not exist"), status_code=400)
    if isinstance(exc, psycopg.IntegrityError):
        return Response(_body("bad_request", "the request breaks a rule of the data model"), status_code=400)
    detail = "a value in the request is invalid or out of range"
    if "NUL" in str(exc) or isinstance(exc, psycopg.errors.UntranslatableCharacter):
        detail = "text may not contain NUL (\\u0000) characters"
    elif isinstance(exc, psycopg.errors.NumericValueOutOfRange):
        detail = "a number is out of range"
    elif "timestamp" in str(exc) or "date" in str(exc):
        detail = "a timestamp is out of range"
    return Response(_body("bad_request", detail), status_code=400)


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    TracehouseError: _tracehouse_error,
    ValidationException: _validation_error,
    HTTPException: _http_error,
    RecursionError: _too_deep,
    OverflowError: _overflow,
    UnicodeEncodeError: _unencodable_text,
    UnicodeDecodeError: _undecodable_body,
    psycopg.Error: _postgres_error,
    Exception: _unexpected_error,
}
