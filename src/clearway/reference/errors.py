"""Errors of the reference data, each with its stable code, HTTP status and title.

Each keeps the builtin base it had (`LookupError` or `ValueError`) beside its `ClearwayError` base, so
that callers catching those keep working. A missing rate or profile is an answer to the input (a
currency, a destination or a date the packaged data does not cover); a broken profile file is a defect.
"""

from __future__ import annotations

from clearway.kit.errors import ClearwayError, Invalid


class RateNotFound(Invalid, LookupError):
    """No usable ECB reference rate for a currency on a date."""

    code, title = "rate-not-found", "No exchange rate"


class NoProfileForDate(Invalid, LookupError):
    """A date outside every period of a profile is an error, not a guess."""

    code, title = "no-profile-for-date", "No profile for the date"


class UnknownDestination(Invalid, LookupError):
    """No jurisdiction profile covers the destination country."""

    code, title = "unknown-destination", "Unknown destination"


class ProfileError(ClearwayError, ValueError):
    """A profile file that does not say what the engine needs (named file and field): packaged data at
    fault, never the caller."""

    code, status, title = "profile", 500, "Invalid jurisdiction profile"
