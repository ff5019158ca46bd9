"""Serving bytes users uploaded (run and example attachments) so they can never run as the app.

Attachments are downloaded from self-authenticating links on the app's own origin (or on
USER_CONTENT_ORIGIN when set), and a logged-in admin may open one. Served as uploaded, an HTML or
SVG file would run its script with the admin's session: read the CSRF cookie, mint an admin key.
So every download goes through `download_response`, which layers four defences:

- the Content-Type is normalised to a bare `type/subtype` (no parameters, nothing an uploader can
  smuggle); anything that is not a plain media type becomes application/octet-stream;
- only a short allowlist of inert media (raster images, common audio and video) is served
  `inline`; everything else, HTML, SVG, XML, PDF and text included, is `attachment`, so a browser
  saves it instead of rendering it;
- `X-Content-Type-Options: nosniff`, so a browser never second-guesses the type into HTML;
- a sandboxing Content-Security-Policy, so even a response a browser renders runs no script,
  in an opaque origin that holds no cookies.

`check_host` and `link` implement the optional separate origin for user content.
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Any

from litestar import Request, Response

from app.core.errors import NotFound

# Rendered by browsers as media only: no script, no markup, no active content.
INLINE_TYPES = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/avif",
        "audio/mpeg",
        "audio/mp4",
        "audio/ogg",
        "audio/wav",
        "audio/webm",
        "audio/flac",
        "video/mp4",
        "video/webm",
        "video/ogg",
    }
)
OCTET_STREAM = "application/octet-stream"
# `sandbox` with no allow-* flags: no script, no forms, no plugins, an opaque origin. Inline
# styles stay allowed only because some browsers style their own image/media viewer with them.
SANDBOX_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox; frame-ancestors 'none'"
# RFC 7231 token characters, lower-cased; one type, one subtype, no parameters.
_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}")
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._ -]+")
MAX_FILENAME = 200


def media_type(raw: str | bytes | None) -> str:
    """The uploader's type as a bare, lower-case `type/subtype`, or application/octet-stream."""
    if isinstance(raw, bytes):
        raw = raw.decode("latin-1")
    candidate = (raw or "").split(";", 1)[0].strip().lower()
    return candidate if _MEDIA_TYPE.fullmatch(candidate) else OCTET_STREAM


def content_disposition(disposition: str, filename: str) -> str:
    """RFC 6266: an ASCII `filename` any client can parse, plus the exact name as RFC 8187
    `filename*`; quotes, backslashes, control characters and path separators never reach it."""
    name = filename.replace("/", "_").replace("\\", "_")[:MAX_FILENAME]
    fallback = _UNSAFE_FILENAME.sub("_", name).strip(" .") or "attachment"
    encoded = urllib.parse.quote(name, safe="")
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def download_response(data: bytes, raw_type: str | bytes | None, filename: str) -> Response[bytes]:
    """The one way to answer with an attachment's bytes."""
    kind = media_type(raw_type)
    disposition = "inline" if kind in INLINE_TYPES else "attachment"
    return Response(
        data,
        media_type=kind,
        headers={
            "Content-Disposition": content_disposition(disposition, filename),
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": SANDBOX_CSP,
            "Cache-Control": "private, max-age=300",
        },
    )


def _origin(request: Request[Any, Any, Any]) -> str | None:
    origin: str | None = request.app.state.settings.user_content.user_content_origin
    return origin


def link(request: Request[Any, Any, Any], path: str) -> str:
    """A download link: relative (joined onto the API URL by the SDK, same origin for the UI),
    or absolute on USER_CONTENT_ORIGIN when set."""
    origin = _origin(request)
    return path if origin is None else origin + path


def check_host(request: Request[Any, Any, Any]) -> None:
    """With USER_CONTENT_ORIGIN set, downloads answer only on its host: the app's origin never
    serves user bytes, even for a valid link someone rewrote onto it."""
    origin = _origin(request)
    if origin is None:
        return
    parts = urllib.parse.urlsplit(origin)
    allowed = {parts.netloc}
    if parts.port is None:  # some clients spell out the scheme's default port
        allowed.add(f"{parts.netloc}:{443 if parts.scheme == 'https' else 80}")
    if (request.headers.get("host") or "").lower() not in allowed:
        raise NotFound("attachment link is invalid or expired")
