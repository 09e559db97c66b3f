"""Errors of the revenue feature, each with its stable code, HTTP status and title.

Each keeps the builtin base it had (`ValueError` or `LookupError`) beside its `ClearwayError` base, so
that callers catching those keep working.
"""

from __future__ import annotations

from clearway.kit.errors import ClearwayError, Finding, Invalid, NotFound


class AccountError(Invalid, ValueError):
    """Bad account data; `field` names what is wrong."""

    code, title = "account", "Invalid account"

    def __init__(self, field: str, message: str) -> None:
        self.field, self.message = field, message
        super().__init__(f"{field}: {message}", errors=[Finding(f"account.{field}", f"/{field}", message)])


class UnknownAccount(NotFound, LookupError):
    """No account with that id."""

    code, title = "unknown-account", "Unknown account"


class SimulationError(Invalid, ValueError):
    """Bad simulation parameters; `field` names the parameter at fault."""

    code, title = "simulation", "Invalid simulation parameters"

    def __init__(self, field: str, message: str) -> None:
        self.field, self.message = field, message
        super().__init__(f"{field}: {message}", errors=[Finding(f"simulation.{field}", f"/{field}", message)])


class NothingToSimulate(SimulationError):
    """No stored shipment in the jurisdiction and period: said plainly rather than a table of zeros.

    Not a field error but an empty scope, answered 404 like the other empty scopes (`empty-scope`);
    `field` still names the bound that emptied it."""

    code, status, title = "empty-scope", 404, "Nothing to simulate"

    def __init__(self, field: str, message: str) -> None:
        self.field, self.message = field, message
        ClearwayError.__init__(self, f"{field}: {message}")


class UnbalancedPosting(ClearwayError, ValueError):
    """A posting set whose entries do not sum to zero in some currency: nothing is written (a defect of
    the code that built it, never an answer to input)."""

    code, status, title = "unbalanced-posting", 500, "Unbalanced posting"


class EstimateError(Invalid, ValueError):
    """Bad input for an estimate: `field` names the parameter, `message` says what is wrong. The problem
    names the field twice: `errors[0].path` and a `field` member (as `clearway estimate` names the
    option)."""

    code, title = "estimate", "Invalid estimate request"

    def __init__(self, field: str, message: str) -> None:
        self.field, self.message = field, message
        super().__init__(
            f"{field}: {message}",
            errors=[Finding(f"estimate.{field}", f"/{field}", message)],
            field=field,
        )


class NoTaxRate(Invalid, LookupError):
    """The profile's tax rate source has no rate for the destination on the date."""

    code, title = "no-tax-rate", "No tax rate"


class RegistrationError(Invalid, ValueError):
    """Bad registration data; `field` names what is wrong (and `line` the CSV line, if any)."""

    code, title = "registration", "Invalid registration"

    def __init__(self, field: str, message: str, line: int | None = None) -> None:
        self.field, self.message, self.line = field, message, line
        where = f"line {line}: " if line is not None else ""
        super().__init__(
            f"{where}{field}: {message}",
            errors=[Finding(f"registration.{field}", f"/{field}", message, line=line)],
        )


class RateParseError(Invalid, ValueError):
    """A rate text that is not a duty rate at all (used by tests and the build report)."""

    code, title = "rate-parse", "Not a duty rate"
