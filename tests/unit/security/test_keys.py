"""Pure parts of security: key format, sealing and blind index, declaration masking, session cookies."""

from __future__ import annotations

import base64
import json
import uuid

import pytest
from cryptography.exceptions import InvalidTag

from clearway.declarations.model import Shipment
from clearway.http.sessions import session_value
from clearway.intake.pipeline import canonical_json
from clearway.security.errors import DataKeyError, MissingDataKey
from clearway.security.keys import parse_key
from clearway.security.personal import (
    DEVELOPMENT_KEY_ID,
    MASKED_NAME,
    Vault,
    key_id,
    masked_consignee,
    seal_declaration,
    vault_from,
)
from clearway.security.roles import Principal, Role
from tests.sample import shipment

KEY_A = bytes(range(32))
KEY_B = bytes(range(1, 33))
SHIPMENT_ID = uuid.UUID("01890000-0000-7000-8000-000000000001")


def test_key_format_is_prefix_and_secret() -> None:
    assert parse_key("cw_0123456789ab_s3cr3t-Value") == ("0123456789ab", "s3cr3t-Value")
    assert parse_key("  cw_0123456789ab_x \n") == ("0123456789ab", "x")
    assert parse_key("cw_0123456789ab_a_b-c") == ("0123456789ab", "a_b-c")  # url-safe secrets contain "_"
    assert parse_key("cw_0123456789a_x") is None  # prefix of 11 characters
    assert parse_key("xx_0123456789ab_x") is None
    assert parse_key("cw_0123456789ab_") is None
    assert parse_key("Bearer cw_0123456789ab_x") is None


def test_principal_actor_names_role_party_and_key() -> None:
    assert Principal(Role.FILER, "DHLEXPRESS", "abc").actor == "filer:DHLEXPRESS (abc)"
    assert Principal(Role.OFFICER, None, "def").actor == "officer (def)"
    assert Principal(Role.OFFICER).sees_personal_data and Principal(Role.ADMIN).sees_personal_data
    assert (
        not Principal(Role.ANALYST).sees_personal_data and not Principal(Role.FILER, "X").sees_personal_data
    )


def test_sealed_data_opens_only_with_its_key_and_its_shipment() -> None:
    vault = Vault(KEY_A)
    sealed = vault.seal(b"Anna Schmidt", SHIPMENT_ID.bytes)
    assert b"Anna" not in sealed and len(sealed) == 12 + len(b"Anna Schmidt") + 16  # nonce + text + tag
    assert vault.open(key_id(KEY_A), sealed, SHIPMENT_ID.bytes) == b"Anna Schmidt"
    with pytest.raises(InvalidTag):  # moved to another row
        vault.open(key_id(KEY_A), sealed, uuid.uuid4().bytes)
    with pytest.raises(MissingDataKey):
        Vault(KEY_B).open(key_id(KEY_A), sealed, SHIPMENT_ID.bytes)
    # Rotation: a new current key still opens data sealed under a previous one.
    rotated = Vault(KEY_B, previous=[KEY_A])
    assert rotated.current_id == key_id(KEY_B)
    assert rotated.open(key_id(KEY_A), sealed, SHIPMENT_ID.bytes) == b"Anna Schmidt"


def test_blind_index_is_keyed_and_deterministic() -> None:
    a, b = Vault(KEY_A), Vault(KEY_B)
    assert a.blind("DE|10115|hauptstr 1|anna schmidt") == a.blind("DE|10115|hauptstr 1|anna schmidt")
    assert a.blind("DE|10115|hauptstr 1|anna schmidt") != b.blind("DE|10115|hauptstr 1|anna schmidt")
    assert len(a.blind("x")) == 64
    # A separate index key keeps matching stable when the data key is rotated.
    assert Vault(KEY_B, index_key=KEY_A).blind("x") == Vault(KEY_A).blind("x")


def test_data_key_settings() -> None:
    text = base64.urlsafe_b64encode(KEY_A).decode().rstrip("=")
    assert vault_from(text).current_id == key_id(KEY_A)
    assert vault_from(None).current_id == DEVELOPMENT_KEY_ID and vault_from(None).is_development
    with pytest.raises(DataKeyError, match="CLEARWAY_DATA_KEY: a key is 32 bytes"):
        vault_from(base64.b64encode(b"short").decode())
    with pytest.raises(DataKeyError, match="CLEARWAY_PREVIOUS_DATA_KEYS"):
        vault_from(text, "not base64 at all!")


def test_declaration_keeps_a_masked_consignee_and_seals_the_real_one() -> None:
    record = shipment()
    record["parties"]["consignee"].update(email="anna@example.de", phone="+49 30 1234567", tin="DE-ID-998877")
    s = Shipment.model_validate(record)
    document = canonical_json(s)
    vault = Vault(KEY_A)
    consignee = s.parties.consignee.model_dump_json(exclude_none=True)
    sealed = seal_declaration(vault, SHIPMENT_ID, document, consignee, "DE")
    for secret in ("Anna", "Schmidt", "Hauptstr", "10115", "anna@example.de", "1234567", "998877", "Berlin"):
        assert secret not in sealed.document
    stored = json.loads(sealed.document)
    assert stored["parties"]["consignee"] == {"name": MASKED_NAME, "address": {"country": "DE"}}
    # Everything else is the declaration as filed.
    original = json.loads(document)
    original["parties"]["consignee"] = stored["parties"]["consignee"]
    assert stored == original
    opened = json.loads(vault.open(sealed.key_id, sealed.ciphertext, SHIPMENT_ID.bytes))
    assert opened == {
        "name": "Anna Schmidt",
        "tin": "DE-ID-998877",
        "address": {"line": "Hauptstr. 1", "city": "Berlin", "postcode": "10115", "country": "DE"},
        "email": "anna@example.de",
        "phone": "+49 30 1234567",
    }


def test_masked_consignee_without_address_has_only_the_mask() -> None:
    assert masked_consignee({"name": "Anna", "phone": "1"}) == {"name": MASKED_NAME}
    record = shipment()
    record["parties"]["consignee"] = {"name": "Anna Schmidt", "phone": "+49 1"}
    s = Shipment.model_validate(record)
    consignee = s.parties.consignee.model_dump_json(exclude_none=True)
    sealed = seal_declaration(Vault(KEY_A), SHIPMENT_ID, canonical_json(s), consignee, None)
    assert json.loads(sealed.document)["parties"]["consignee"] == {"name": MASKED_NAME}


def test_session_cookie_is_signed_prefix_and_time() -> None:
    value = session_value(b"secret", "0123456789ab", 1_800_000_000)
    prefix, issued, signature = value.split(".")
    assert (prefix, issued, len(signature)) == ("0123456789ab", "1800000000", 64)
    assert session_value(b"other", "0123456789ab", 1_800_000_000) != value
