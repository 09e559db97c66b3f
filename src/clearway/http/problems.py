"""RFC 9457 problem details: one error shape for every failure of the API and the dashboard.

Every error is a `ClearwayError` (`clearway.kit.errors`) or becomes one here: one handler turns it into
`application/problem+json` with `type`, `title`, `status`, `detail`, `instance`, and, when fields are at
fault, `errors[]` items of one shape (`code`, `path` or `line`/`column`, `message`). Framework errors
(unknown route, wrong method, unparseable body) and unexpected exceptions (500) answer the same shape.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from clearway.kit.errors import PROBLEM_TYPES, ClearwayError, Finding, from_pydantic_errors

PROBLEM_JSON = "application/problem+json"
_log = logging.getLogger("clearway.http")

_HTTP_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    500: "Internal error",
}


class Problem(ClearwayError):
    """An error decided at the HTTP edge (a malformed header, a batch too large, a route's own refusal),
    with its status, title and type given per instance rather than per class."""

    def __init__(
        self, status: int, title: str, detail: str, type_: str = "about:blank", **extra: Any
    ) -> None:
        errors = extra.pop("errors", ())
        super().__init__(detail, **extra)
        self.errors = [e if isinstance(e, Finding) else _as_finding(e) for e in errors]
        self.status, self.title, self.type = status, title, type_

    @property
    def type_uri(self) -> str:
        return self.type


def _as_finding(item: dict[str, Any]) -> Finding:
    return Finding(
        str(item.get("code", "invalid")),
        str(item.get("path", "")),
        str(item.get("message", "")),
        line=item.get("line"),
        column=item.get("column"),
    )


def parse_id(value: str, what: str = "shipment") -> uuid.UUID:
    """An id from a URL path; one that is not a UUID names nothing that exists: 404, as a missing one."""
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise Problem(404, "Not found", f"no {what} {value}", PROBLEM_TYPES + "not-found") from exc


_MAX_ROW_ID = 2**63 - 1  # a 64-bit surrogate key (kit.tables.RowId)


def parse_row_id(value: str, what: str) -> int:
    """A numeric id from a URL path: anything that is not a positive 64-bit integer names nothing that
    can exist, so it is a 404 like a missing one (never a 500 from an overflowing query parameter)."""
    number = int(value) if value.isascii() and value.isdigit() and len(value) <= 19 else 0
    if not 0 < number <= _MAX_ROW_ID:
        raise Problem(404, "Not found", f"no {what} {value}", PROBLEM_TYPES + "not-found")
    return number


def problem_body(error: ClearwayError, instance: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": error.type_uri,
        "title": error.title,
        "status": error.status,
        "detail": error.detail,
    }
    if instance:
        body["instance"] = instance
    if error.errors:
        body["errors"] = [e.as_dict() for e in error.errors]
    body.update(error.extra)
    return body


def problem_response(error: ClearwayError, instance: str | None = None) -> JSONResponse:
    return JSONResponse(problem_body(error, instance), status_code=error.status, media_type=PROBLEM_JSON)


def invalid(
    errors: Sequence[Finding], detail: str = "the request has invalid fields", **extra: Any
) -> Problem:
    return Problem(422, "Unprocessable content", detail, PROBLEM_TYPES + "validation", errors=errors, **extra)


def _http_problem(status: int, detail: str) -> Problem:
    title = _HTTP_TITLES.get(status, "HTTP error")
    kind = {404: "not-found", 405: "method-not-allowed"}.get(status, "http")
    return Problem(status, title, detail, PROBLEM_TYPES + kind)


def install(app: FastAPI) -> None:
    """The one set of exception handlers: domain errors, framework errors and anything unexpected."""

    @app.exception_handler(ClearwayError)
    async def _clearway(request: Request, exc: ClearwayError) -> JSONResponse:
        return problem_response(exc, request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errs = [
            {**e, "loc": tuple(e["loc"])[1:] if e["loc"] and e["loc"][0] == "body" else e["loc"]}
            for e in exc.errors()
        ]
        return problem_response(invalid(from_pydantic_errors(errs)), request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        response = problem_response(_http_problem(exc.status_code, str(exc.detail)), request.url.path)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # A defect, never an answer to input: logged with its trace, answered without internals.
        _log.exception("unexpected error on %s %s", request.method, request.url.path)
        problem = Problem(
            500, "Internal error", "the server failed; the error is logged", PROBLEM_TYPES + "internal"
        )
        return problem_response(problem, request.url.path)


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri-reference"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string"},
                    "path": {"type": "string", "description": "JSON pointer into the request body"},
                    "line": {"type": "integer"},
                    "column": {
                        "anyOf": [{"type": "integer"}, {"type": "string"}],
                        "description": "a position in the line, or the name of a CSV column",
                    },
                    "message": {"type": "string"},
                },
            },
        },
    },
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` declaring the problems a route (or a router) can answer."""
    return {
        status: {
            "description": _HTTP_TITLES.get(status, "Problem"),
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }


# Every route can answer these: no or bad credentials, a role not admitted, a body or parameter that
# fails validation, and a defect.
COMMON_PROBLEMS = problems(401, 403, 422, 500)


# A read that answers JSON, or CSV with `format=csv`.
JSON_OR_CSV: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "JSON, or CSV with format=csv",
        "content": {"application/json": {}, "text/csv": {"schema": {"type": "string"}}},
    }
}
