"""RFC 9457 problem details: one error shape for every failure of the API."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from clearway.declarations.findings import Finding, from_pydantic_errors

PROBLEM_JSON = "application/problem+json"


class Problem(Exception):
    def __init__(
        self, status: int, title: str, detail: str, type_: str = "about:blank", **extra: Any
    ) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.type, self.extra = status, title, detail, type_, extra


def parse_id(value: str, what: str = "shipment") -> uuid.UUID:
    """An id from a URL path; one that is not a UUID names nothing that exists: 404, as a missing one."""
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise Problem(404, "Not found", f"no {what} {value}") from exc


def problem_response(problem: Problem, instance: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {
        "type": problem.type,
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
    }
    if instance:
        body["instance"] = instance
    body.update(problem.extra)
    return JSONResponse(body, status_code=problem.status, media_type=PROBLEM_JSON)


def invalid(
    errors: Sequence[Finding], detail: str = "the request has invalid fields", **extra: Any
) -> Problem:
    return Problem(
        422,
        "Unprocessable content",
        detail,
        "https://clearway.dev/problems/validation",
        errors=[e.as_dict() for e in errors],
        **extra,
    )


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
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
        title = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, "HTTP error")
        return problem_response(Problem(exc.status_code, title, str(exc.detail)), request.url.path)
