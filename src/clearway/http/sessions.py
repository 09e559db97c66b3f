"""The dashboard's session cookie: `<key prefix>.<issued>.<HMAC>`, signed with the session secret.

The login page (`web/login.py`) issues it; authentication (`http/security.py`) reads it."""

from __future__ import annotations

import hashlib
import hmac
import time
import urllib.parse

from fastapi import Request

SESSION_COOKIE = "clearway_session"
SESSION_SECONDS = 12 * 3600


def secret_of(request: Request) -> bytes:
    configured = request.app.state.settings.session_secret
    if configured:
        return str(configured).encode()
    secret: bytes = request.app.state.session_secret  # set by install(): one per process
    return secret


def _sign(secret: bytes, payload: str) -> str:
    return hmac.new(secret, payload.encode(), hashlib.sha256).hexdigest()


def session_value(secret: bytes, prefix: str, issued: int) -> str:
    payload = f"{prefix}.{issued}"
    return f"{payload}.{_sign(secret, payload)}"


def session_claim(request: Request, now: float | None = None) -> tuple[str, int] | None:
    """(key prefix, issued at in Unix seconds) of a validly signed, unexpired session cookie; None
    otherwise. Whether the key still stands and the session was not ended is the caller's check."""
    value = request.cookies.get(SESSION_COOKIE)
    if not value:
        return None
    parts = value.split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    prefix, issued, signature = parts
    if not hmac.compare_digest(signature, _sign(secret_of(request), f"{prefix}.{issued}")):
        return None
    if (now or time.time()) - int(issued) > SESSION_SECONDS:
        return None
    return prefix, int(issued)


def same_origin(request: Request) -> bool:
    """A state-changing request authenticated by the session cookie must come from this site's own
    pages: its `Origin` (or, without one, its `Referer`) names this host. Browsers send them on every
    cross-site POST, so a page elsewhere cannot make a signed-in officer's browser act (CSRF)."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source:
        return False
    host = urllib.parse.urlsplit(source).netloc
    return bool(host) and host == request.headers.get("host", request.url.netloc)
