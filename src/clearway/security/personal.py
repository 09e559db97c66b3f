"""Consignee personal data at rest: sealed with AES-256-GCM, matched through a blind index.

The consignee of an e-commerce parcel is usually a private person. Their name, address, phone, e-mail
and ID number are stored only as ciphertext in `personal_data` (one row per shipment, the key id next to
it so keys can be rotated); the declaration kept on the shipment carries a masked consignee (the
destination country only). Matching that needs the identity — the split-consignment rule's consignee
key, the party index — uses an HMAC of the normalised value (a blind index): equal inputs give equal
keys, but the key reveals nothing without the index key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Connection, select

from clearway.security.errors import DataKeyError, MissingDataKey
from clearway.security.tables import personal_data

MASKED_NAME = "[protected]"
_NONCE = 12
# Used only when CLEARWAY_DATA_KEY is not set (the demo, tests): data is still sealed, so no code path
# writes clear text, but anyone can read it — `clearway serve` warns about it.
_DEVELOPMENT_KEY = hashlib.sha256(b"clearway development data key - not a secret").digest()
DEVELOPMENT_KEY_ID = "dev"


def key_id(key: bytes) -> str:
    return "k" + hashlib.sha256(key).hexdigest()[:8]


def _decode(setting: str, value: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(value.strip() + "=" * (-len(value.strip()) % 4))
    except (binascii.Error, ValueError) as exc:
        raise DataKeyError(f"{setting}: not base64 ({exc})") from exc
    if len(key) != 32:
        raise DataKeyError(f"{setting}: a key is 32 bytes (base64 of 32 random bytes), got {len(key)}")
    return key


def new_data_key() -> str:
    """A fresh key for CLEARWAY_DATA_KEY."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")


class Vault:
    """Seals with the current key; opens with any configured one (rotation); blinds with the index key."""

    def __init__(
        self, current: bytes, previous: Sequence[bytes] = (), index_key: bytes | None = None
    ) -> None:
        self.current_id = DEVELOPMENT_KEY_ID if current == _DEVELOPMENT_KEY else key_id(current)
        self._sealer = AESGCM(current)
        self._openers = {self.current_id: self._sealer}
        for key in previous:
            self._openers.setdefault(key_id(key), AESGCM(key))
        self._openers.setdefault(DEVELOPMENT_KEY_ID, AESGCM(_DEVELOPMENT_KEY))
        # Derived, not the data key itself: the blind index must not be usable to decrypt.
        index = hmac.new(index_key or current, b"clearway blind index", hashlib.sha256).digest()
        self._blinder = hmac.new(index, digestmod=hashlib.sha256)  # copied per value: no key schedule

    @property
    def is_development(self) -> bool:
        return self.current_id == DEVELOPMENT_KEY_ID

    def seal(self, plaintext: bytes, bound_to: bytes) -> bytes:
        """`bound_to` (the shipment id) is authenticated, so a ciphertext cannot be moved to another row."""
        nonce = os.urandom(_NONCE)
        return nonce + self._sealer.encrypt(nonce, plaintext, bound_to)

    def open(self, key_id_: str, sealed: bytes, bound_to: bytes) -> bytes:
        opener = self._openers.get(key_id_)
        if opener is None:
            raise MissingDataKey(f"personal data sealed with key {key_id_}, which is not configured")
        return opener.decrypt(sealed[:_NONCE], sealed[_NONCE:], bound_to)

    def blind(self, value: str) -> str:
        mac = self._blinder.copy()
        mac.update(value.encode())
        return mac.hexdigest()


@lru_cache(maxsize=8)
def vault_from(data_key: str | None, previous_data_keys: str = "", index_key: str | None = None) -> Vault:
    current = _decode("CLEARWAY_DATA_KEY", data_key) if data_key else _DEVELOPMENT_KEY
    previous = [_decode("CLEARWAY_PREVIOUS_DATA_KEYS", k) for k in previous_data_keys.split(",") if k.strip()]
    return Vault(current, previous, _decode("CLEARWAY_INDEX_KEY", index_key) if index_key else None)


def vault_for(settings: Any) -> Vault:
    """The vault of a `clearway.config.Settings` (cached: the AES key schedule is built once)."""
    return vault_from(settings.data_key, settings.previous_data_keys, settings.index_key)


# Sealing a declaration --------------------------------------------------------------------------------


def masked_consignee(consignee: dict[str, Any]) -> dict[str, Any]:
    """What is kept in clear: the country, which statistics and routing need and which identifies no one."""
    masked: dict[str, Any] = {"name": MASKED_NAME}
    address = consignee.get("address")
    if isinstance(address, dict) and address.get("country"):
        masked["address"] = {"country": address["country"]}
    return masked


@dataclass(frozen=True, slots=True)
class Sealed:
    document: str  # the declaration with the consignee masked
    key_id: str
    ciphertext: bytes


def seal_declaration(
    vault: Vault, shipment_id: uuid.UUID, document: str, consignee_json: str, country: str | None
) -> Sealed:
    """`document` is the canonical declaration and `consignee_json` its consignee serialised the same way
    (pydantic's `model_dump_json(exclude_none=True)`): the consignee is then a substring of the document
    and masking it is a string replacement, not a second serialisation of the whole declaration.
    `country` is the consignee's address country (None without an address)."""
    address = f',"address":{{"country":{json.dumps(country)}}}' if country else ""
    masked = f'{{"name":"{MASKED_NAME}"{address}}}'
    # Unescaped quotes cannot occur inside a JSON string, so the needle can only be the consignee member.
    redacted = document.replace('"consignee":' + consignee_json, '"consignee":' + masked, 1)
    if redacted == document:  # not the canonical form: take the slow, certain path
        doc = json.loads(document)
        doc["parties"]["consignee"] = json.loads(masked)
        redacted = json.dumps(doc, separators=(",", ":"))
    return Sealed(redacted, vault.current_id, vault.seal(consignee_json.encode(), shipment_id.bytes))


def reveal(conn: Connection, vault: Vault, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    """The consignees of these shipments in clear (one query); purged or never sealed ones are absent."""
    if not ids:
        return {}
    rows = conn.execute(select(personal_data).where(personal_data.c.shipment_id.in_(list(ids))))
    out: dict[uuid.UUID, dict[str, Any]] = {}
    for r in rows:
        out[r.shipment_id] = json.loads(vault.open(r.key_id, bytes(r.sealed), r.shipment_id.bytes))
    return out


def disclose(detail: dict[str, Any], consignee: dict[str, Any] | None) -> None:
    """Put the consignee back into a shipment detail's declaration (for roles allowed to see it)."""
    parties = detail.get("declaration", {}).get("parties")
    if consignee is not None and isinstance(parties, dict):
        parties["consignee"] = consignee
    detail["personal_data"] = "shown" if consignee is not None else "purged"


def mask(detail: dict[str, Any]) -> None:
    """Mask the consignee of a shipment detail (declarations stored before sealing still carry it)."""
    parties = detail.get("declaration", {}).get("parties")
    if isinstance(parties, dict) and isinstance(parties.get("consignee"), dict):
        parties["consignee"] = masked_consignee(parties["consignee"])
    detail["personal_data"] = "masked"
