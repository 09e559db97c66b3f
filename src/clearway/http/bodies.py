"""Request bodies: JSON read once, and a pydantic model parsed with field errors as a 422 problem."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from clearway.http.problems import Problem, invalid
from clearway.kit.errors import PROBLEM_TYPES, from_pydantic
from clearway.kit.text import nul_findings

M = TypeVar("M", bound=BaseModel)


def parse_json(raw: bytes, *, refuse_nul: bool = True) -> Any:
    """The body as JSON. Text holding NUL characters is refused (422 naming each field) unless the
    caller checks record by record (`refuse_nul=False`: a batch of shipments, where the others go on)."""
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Problem(
            400, "Malformed JSON", f"the body is not valid JSON: {exc}", PROBLEM_TYPES + "malformed-json"
        ) from exc
    except RecursionError as exc:  # nesting deeper than the parser's stack: not a document we accept
        raise Problem(
            400, "Malformed JSON", "the body nests too deeply", PROBLEM_TYPES + "malformed-json"
        ) from exc
    if refuse_nul and (found := nul_findings(body)):
        raise invalid(found, "the request has text that cannot be stored")
    return body


async def read_json(request: Request) -> Any:
    return parse_json(await request.body())


def parse_model(model: type[M], body: Any) -> M:
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise invalid(from_pydantic(exc)) from exc
