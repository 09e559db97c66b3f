"""Text no database can store, refused before any route sees it.

PostgreSQL refuses the NUL character (U+0000) in text; SQLite would keep it, so the same input would
be stored on one database and be a 500 on the other. This middleware looks at the path and query of
every request, reads the body of every write (JSON, CSV, form) once, and answers a 422 problem naming
each field (`?parameter`, JSON pointer, or line and column in a file) that holds one. A batch of
shipments is checked record by record by the intake instead, so that one bad record does not refuse
the others (`intake.pipeline`).
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from clearway.http.problems import invalid, problem_response
from clearway.kit.errors import Finding
from clearway.kit.text import NUL, NUL_MESSAGE, nul_findings, nul_positions

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_WRITES = frozenset({"POST", "PUT", "PATCH"})
# Checked record by record downstream.
_PER_RECORD = frozenset({("POST", "/v1/shipments")})


def _findings(content_type: str, body: bytes) -> list[Finding]:
    text = body.decode("utf-8", errors="replace")
    if "\x00" not in text and "\\u0000" not in text:
        return []  # the common case: nothing to parse twice
    if content_type.startswith("application/x-www-form-urlencoded"):
        return nul_findings(dict(urllib.parse.parse_qsl(text, keep_blank_values=True)))
    if content_type.startswith("text/"):
        return nul_positions(text)
    try:
        return nul_findings(json.loads(text))
    except (ValueError, RecursionError):
        return nul_positions(text)  # not JSON: the route answers its own malformed-body problem


def _in_url(scope: Scope) -> list[Finding]:
    """NUL characters in the path or the query string, each named (`/path`, `?name`)."""
    found: list[Finding] = []
    if NUL in scope["path"]:
        found.append(Finding("text.nul", "/path", "the path " + NUL_MESSAGE))
    query = scope.get("query_string", b"").decode("latin-1")
    if "%00" in query or NUL in query:
        for name, value in urllib.parse.parse_qsl(query, keep_blank_values=True):
            if NUL in name or NUL in value:
                found.append(Finding("text.nul", f"?{name.replace(NUL, '')}", f"the parameter {NUL_MESSAGE}"))
    return found


class RefuseUnstorableText:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if found := _in_url(scope):  # any method: a NUL in a filter breaks the query as in a row
            problem = invalid(found, "the request has text that cannot be stored or searched")
            await problem_response(problem, scope["path"])(scope, receive, send)
            return
        if scope["method"] not in _WRITES or (scope["method"], scope["path"].rstrip("/")) in _PER_RECORD:
            await self.app(scope, receive, send)
            return
        received: list[Message] = []
        body = b""
        while True:
            message = await receive()
            received.append(message)
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if found := _findings(headers.get("content-type", ""), body):
            problem = invalid(found, "the request has text that cannot be stored")
            await problem_response(problem, scope["path"])(scope, receive, send)
            return

        async def replay() -> Message:
            return received.pop(0) if received else await receive()

        await self.app(scope, replay, send)
