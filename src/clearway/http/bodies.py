"""Request bodies: JSON read once, and a pydantic model parsed with field errors as a 422 problem."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from clearway.http.problems import Problem, invalid
from clearway.kit.errors import PROBLEM_TYPES, from_pydantic

M = TypeVar("M", bound=BaseModel)


def parse_json(raw: bytes) -> Any:
    """The body as JSON. Text holding NUL characters never gets here: `http.guards` refuses it for every
    write, and the intake record by record for a batch of shipments."""
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Problem(
            400, "Malformed JSON", f"the body is not valid JSON: {exc}", PROBLEM_TYPES + "malformed-json"
        ) from exc
    except RecursionError as exc:  # nesting deeper than the parser's stack: not a document we accept
        raise Problem(
            400, "Malformed JSON", "the body nests too deeply", PROBLEM_TYPES + "malformed-json"
        ) from exc


async def read_json(request: Request) -> Any:
    return parse_json(await request.body())


def parse_model(model: type[M], body: Any) -> M:
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise invalid(from_pydantic(exc)) from exc
