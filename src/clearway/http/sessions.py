"""The dashboard's session cookie: `<key prefix>.<issued>.<HMAC>`, signed with the session secret.

The login page (`web/login.py`) issues it; authentication (`http/security.py`) reads it."""

from __future__ import annotations

import hashlib
import hmac
import time

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


def session_prefix(request: Request, now: float | None = None) -> str | None:
    """The key prefix of a valid, unexpired session cookie; None otherwise."""
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
    return prefix
