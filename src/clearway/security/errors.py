"""Errors of the security feature, each with its stable code, HTTP status and title.

Each keeps the builtin base it had (`ValueError` or `LookupError`) beside its `ClearwayError` base, so
that callers catching those keep working. Data keys are the server's configuration: an error in them is
never the caller's (500).
"""

from __future__ import annotations

from clearway.kit.errors import ClearwayError, Invalid


class DataKeyError(ClearwayError, ValueError):
    """A data key setting that is not a base64 32-byte key; the message names the setting."""

    code, status, title = "data-key", 500, "Invalid data key setting"


class MissingDataKey(ClearwayError, LookupError):
    """Ciphertext sealed under a key that is no longer configured."""

    code, status, title = "missing-data-key", 500, "Data key not configured"


class InvalidKeyRequest(Invalid, ValueError):
    """Bad arguments to create or revoke a key; the message names the field."""

    code, title = "key-request", "Invalid key request"
