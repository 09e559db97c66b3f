"""API keys: a random secret shown once, stored only as its SHA-256, found by a public prefix.

A key reads ``cw_<prefix>_<secret>``: the 12-character prefix is stored in clear and indexed, so a
presented key costs one indexed look-up; the secret (32 random bytes) is compared by hash in constant
time. A plain SHA-256 is enough because the secret has 256 bits of entropy: there is nothing to
brute-force, unlike a password, so no slow hash is needed on every request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Connection, select, update

from clearway.security.errors import InvalidKeyRequest
from clearway.security.roles import PARTY_ROLES, Principal, Role
from clearway.security.tables import api_keys

PREFIX = "cw"
_PREFIX_BYTES = 6  # 12 hex characters
_SECRET_BYTES = 32


@dataclass(frozen=True, slots=True)
class CreatedKey:
    key: str  # shown once, never stored
    prefix: str
    role: Role
    party: str | None
    expires_at: dt.datetime | None


Refusal = Literal["malformed", "unknown", "revoked", "expired"]


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of presenting a key: a principal, or why not (and when, for revoked and expired)."""

    principal: Principal | None
    refusal: Refusal | None = None
    since: dt.datetime | None = None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _utc(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes (stored as UTC).
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def parse_key(key: str) -> tuple[str, str] | None:
    """(prefix, secret) of a well-formed key, None otherwise."""
    parts = key.strip().split("_", 2)  # the secret may contain "_" itself
    if len(parts) != 3 or parts[0] != PREFIX or len(parts[1]) != 2 * _PREFIX_BYTES or not parts[2]:
        return None
    return parts[1], parts[2]


def create_key(
    conn: Connection,
    role: str,
    party: str | None = None,
    expires_in_days: int | None = None,
    label: str | None = None,
    now: dt.datetime | None = None,
) -> CreatedKey:
    try:
        role_ = Role(role)
    except ValueError as exc:
        raise InvalidKeyRequest(f"role: '{role}' is not one of {', '.join(r.value for r in Role)}") from exc
    if role_ in PARTY_ROLES and not party:
        raise InvalidKeyRequest(f"party: a {role_} key needs the {role_} id it acts for (--party)")
    if role_ not in PARTY_ROLES and party:
        raise InvalidKeyRequest(f"party: a {role_} key acts for the administration, not for a party")
    if party is not None and len(party) > 40:
        raise InvalidKeyRequest("party: at most 40 characters")
    if expires_in_days is not None and expires_in_days < 1:
        raise InvalidKeyRequest("expires_in_days: must be at least 1")
    now = now or dt.datetime.now(dt.UTC)
    prefix = secrets.token_hex(_PREFIX_BYTES)
    secret = secrets.token_urlsafe(_SECRET_BYTES)
    expires = now + dt.timedelta(days=expires_in_days) if expires_in_days else None
    conn.execute(
        api_keys.insert().values(
            prefix=prefix,
            secret_sha256=_digest(secret),
            role=role_.value,
            party=party,
            label=label,
            created_at=now,
            expires_at=expires,
            revoked_at=None,
        )
    )
    return CreatedKey(f"{PREFIX}_{prefix}_{secret}", prefix, role_, party, expires)


def verify(conn: Connection, key: str, now: dt.datetime | None = None) -> Verdict:
    parsed = parse_key(key)
    if parsed is None:
        return Verdict(None, "malformed")
    prefix, secret = parsed
    row = conn.execute(select(api_keys).where(api_keys.c.prefix == prefix)).first()
    # Compare even when the prefix is unknown, so timing does not tell which prefixes exist.
    stored = row.secret_sha256 if row is not None else "0" * 64
    if not hmac.compare_digest(stored, _digest(secret)) or row is None:
        return Verdict(None, "unknown")
    return _standing(row, now or dt.datetime.now(dt.UTC))


def _standing(row: Any, now: dt.datetime) -> Verdict:
    """A known key's verdict at `now`: revoked, expired, or the principal it stands for."""
    if row.revoked_at is not None:
        return Verdict(None, "revoked", _utc(row.revoked_at))
    if row.expires_at is not None and _utc(row.expires_at) <= now:
        return Verdict(None, "expired", _utc(row.expires_at))
    return Verdict(Principal(Role(row.role), row.party, row.prefix))


def revoke_key(conn: Connection, prefix: str, now: dt.datetime | None = None) -> bool:
    """Revoke by prefix (or a whole key); False when no active key has it."""
    parsed = parse_key(prefix)
    prefix = parsed[0] if parsed else prefix
    result = conn.execute(
        update(api_keys)
        .where(api_keys.c.prefix == prefix, api_keys.c.revoked_at.is_(None))
        .values(revoked_at=now or dt.datetime.now(dt.UTC))
    )
    return result.rowcount == 1


@dataclass(frozen=True, slots=True)
class KeyInfo:
    prefix: str
    role: str
    party: str | None
    label: str | None
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None

    def status(self, now: dt.datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"


def list_keys(conn: Connection) -> list[KeyInfo]:
    rows = conn.execute(select(api_keys).order_by(api_keys.c.id)).all()
    return [
        KeyInfo(
            r.prefix,
            r.role,
            r.party,
            r.label,
            _utc(r.created_at),
            _utc(r.expires_at) if r.expires_at else None,
            _utc(r.revoked_at) if r.revoked_at else None,
        )
        for r in rows
    ]


def verify_session(
    conn: Connection, prefix: str, issued_at: dt.datetime, now: dt.datetime | None = None
) -> Verdict:
    """A session signed for the key at `issued_at`: the key still stands (not revoked, not expired since),
    and no logout ended the key's sessions since it was issued."""
    row = conn.execute(select(api_keys).where(api_keys.c.prefix == prefix)).first()
    if row is None:
        return Verdict(None, "unknown")
    ended = row.sessions_ended_at
    if ended is not None and issued_at <= (ended if ended.tzinfo else ended.replace(tzinfo=dt.UTC)):
        return Verdict(None, "revoked", ended)
    return _standing(row, now or dt.datetime.now(dt.UTC))


def end_sessions(conn: Connection, prefix: str, at: dt.datetime | None = None) -> None:
    """Log out: every session of the key issued until now ends, here and in any copied cookie."""
    conn.execute(
        update(api_keys)
        .where(api_keys.c.prefix == prefix)
        .values(sessions_ended_at=at or dt.datetime.now(dt.UTC))
    )
