"""Errors of the measurement feature, each with its stable code, HTTP status and title.

Each keeps the builtin base it had (`LookupError` or `ValueError`) beside its `ClearwayError` base, so
that callers catching those keep working.
"""

from __future__ import annotations

from collections.abc import Sequence

from clearway.kit.errors import Invalid, NotFound


class EmptyScope(NotFound, LookupError):
    """Nothing to measure: said plainly rather than reported as zeros."""

    code, title = "empty-scope", "Nothing to measure"


class UnknownDimension(Invalid, ValueError):
    """A breakdown dimension that the study or the statistics do not define: names it and lists the
    valid ones. A bad query parameter or path segment rather than a field of a body: 400."""

    code, status, title = "unknown-dimension", 400, "Unknown dimension"

    def __init__(self, dimension: str, valid: Sequence[str], study: str = "") -> None:
        self.dimension, self.valid = dimension, tuple(valid)
        of = f"{study} " if study else ""
        super().__init__(f"unknown {of}dimension '{dimension}'; choose one of: {', '.join(valid)}")
