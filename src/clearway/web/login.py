"""Dashboard sessions: sign in with an API key, get a signed HttpOnly cookie.

The cookie holds the key's public prefix and the time of login, signed with HMAC-SHA256 under
`CLEARWAY_SESSION_SECRET` — never the key itself. Every request re-checks the prefix against the key
table, so revoking or expiry of the key ends its sessions at once. Pages that need a session redirect
to /login when there is none (the API answers 401 problems instead).
"""

from __future__ import annotations

import secrets
import time
import urllib.parse

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from clearway.http.problems import Problem, problem_response
from clearway.http.security import Unauthenticated
from clearway.http.sessions import (
    SESSION_COOKIE,
    SESSION_SECONDS,
    same_origin,
    secret_of,
    session_claim,
    session_value,
)
from clearway.kit.database import transaction
from clearway.security import keys
from clearway.web.dashboard import templates

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    # Only paths on this site: an open redirect would make the login page a phishing tool.
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return templates.TemplateResponse(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    # Parsed by hand: python-multipart, which FastAPI's Form needs, is not a dependency.
    form = urllib.parse.parse_qs((await request.body()).decode("utf-8", "replace"))
    key = (form.get("key") or [""])[0].strip()
    target = _safe_next((form.get("next") or ["/"])[0])

    def check() -> keys.Verdict:
        with request.app.state.engine.connect() as conn:
            return keys.verify(conn, key)

    verdict = await run_in_threadpool(check) if key else keys.Verdict(None, "malformed")
    if verdict.principal is None:
        messages = {
            "expired": "This key has expired.",
            "revoked": "This key has been revoked.",
            "malformed": "That is not a Clearway API key (cw_…).",
            "unknown": "This key is not known.",
        }
        error = messages[verdict.refusal or "unknown"]
        return templates.TemplateResponse(
            request, "login.html", {"next": target, "error": error}, status_code=401
        )
    assert verdict.principal.key_id is not None
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session_value(secret_of(request), verdict.principal.key_id, int(time.time())),
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    """Ends the session server-side, so that a copied cookie stops working too, not only this browser's."""
    claim = session_claim(request)
    if claim is not None and same_origin(request):
        with transaction(request.app.state.engine) as conn:
            keys.end_sessions(conn, claim[0])
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def install(app: FastAPI) -> None:
    """Pages answer a missing or ended session with a redirect to the login form; the API with 401."""
    # Without CLEARWAY_SESSION_SECRET, sessions are signed with a secret of this process: they end on restart.
    app.state.session_secret = secrets.token_bytes(32)

    @app.exception_handler(Unauthenticated)
    async def _unauthenticated(request: Request, exc: Problem) -> Response:
        wants_page = not request.url.path.startswith("/v1") and "text/html" in request.headers.get(
            "accept", ""
        )
        if wants_page and request.method == "GET":
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse("/login?" + urllib.parse.urlencode({"next": target}), status_code=303)
        response: JSONResponse = problem_response(exc, request.url.path)
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
