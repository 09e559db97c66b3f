"""Normalised keys for TINs, names and addresses, and the vague-description check built on them."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clearway.declarations.normalise import address_key, fold, name_key, normalise_tin
from clearway.declarations.quality import is_vague_description

# --- TIN --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("DE123456789", "DE123456789"),
        ("de 123.456-789", "DE123456789"),
        ("  de\t123/456  789 ", "DE123456789"),
        ("CN91440300MA5FXX001", "CN91440300MA5FXX001"),
        ("gb-123_456", "GB123_456"),  # underscore is not a separator: validation rejects it later
    ],
)
def test_normalise_tin(raw: str, normalised: str) -> None:
    assert normalise_tin(raw) == normalised


@given(st.text(max_size=30))
def test_normalise_tin_is_idempotent_and_separator_free(raw: str) -> None:
    tin = normalise_tin(raw)
    assert normalise_tin(tin) == tin
    assert not re.search(r"[\s.\-/]", tin)
    assert tin == tin.upper()


# --- fold and name keys -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Café-Müller & Söhne", "cafe muller sohne"),
        ("  \uff21\uff23\uff2d\uff25   Ltd. ", "acme ltd"),  # full-width letters, extra spaces
        ("Ångström", "angstrom"),
        ("O'Neil, J.", "o neil j"),
        ("", ""),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold_transliterates_letters_without_a_decomposition() -> None:
    # ß, ø, ł and æ have no NFKD decomposition; dropping them loses letters ("Søren" -> "sren"),
    # so "Hauptstraße" and "Hauptstrasse" would be two different consignees.
    assert fold("Søren Łukasz") == "soren lukasz"
    assert fold("Hauptstraße 1") == fold("Hauptstrasse 1")
    # and case-insensitivity breaks: the upper case of "ß" is "SS"
    assert fold("GROSS") == fold("Groß")


@given(st.text(max_size=40))
def test_fold_output_is_plain_lower_ascii_single_spaced(text: str) -> None:
    folded = fold(text)
    assert re.fullmatch(r"([0-9a-z]+( [0-9a-z]+)*)?", folded)
    assert fold(folded) == folded


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Acme Trading Co., Ltd.", "ACME TRADING"),
        ("Acme Trading Co., Ltd.", "acme"),
        ("Müller GmbH", "MULLER"),
        ("Shenzhen Bright Trading Co., Ltd.", "shenzhen bright limited"),
        ("Bolt AB", "Bolt"),
    ],
)
def test_name_key_ignores_case_accents_punctuation_and_legal_forms(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


def test_name_key_keeps_distinct_names_distinct() -> None:
    assert name_key("Acme Trading Co., Ltd.") == "acme"
    assert name_key("Acme Trading") != name_key("Apex Trading")
    assert name_key("Anna Schmidt") == "anna schmidt"


@given(st.text(max_size=40))
def test_name_key_is_idempotent_and_free_of_legal_forms(name: str) -> None:
    key = name_key(name)
    assert name_key(key) == key
    assert not set(key.split()) & {"ltd", "gmbh", "co", "inc", "llc", "trading"}


# --- address key ------------------------------------------------------------------------------------


def test_address_key_layout() -> None:
    assert address_key("Anna Schmidt", "Hauptstr. 1", "101 15", "de") == "DE|10115|hauptstr 1|anna schmidt"
    assert address_key("X", None, None, "FR") == "FR|||x"


def test_address_key_matches_the_same_consignee_typed_differently() -> None:
    a = address_key("Anna Schmidt", "Hauptstr. 1", "10115", "DE")
    b = address_key("ANNA  SCHMIDT", "hauptstr 1", " 10115 ", "de")
    assert a == b
    assert a != address_key("Anna Schmidt", "Hauptstr. 2", "10115", "DE")
    assert a != address_key("Anna Schmidt", "Hauptstr. 1", "10117", "DE")
    assert a != address_key("Anna Schmidt", "Hauptstr. 1", "10115", "AT")


@given(
    name=st.text(max_size=20),
    line=st.none() | st.text(max_size=20),
    postcode=st.none() | st.text(max_size=10),
    country=st.sampled_from(["DE", "fr", "Nl"]),
)
def test_address_key_has_four_parts_and_is_stable(
    name: str, line: str | None, postcode: str | None, country: str
) -> None:
    key = address_key(name, line, postcode, country)
    parts = key.split("|")
    assert len(parts) == 4
    assert parts[0] == country.upper()
    assert " " not in parts[1]
    assert key == address_key(name.upper(), line, postcode, country.lower())


# --- vague descriptions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "description",
    ["Gift", "gifts", "2 pcs new accessories", "free sample", "Personal effects", "MISC. ITEMS", "", "  ",
     "parts and accessories", "Daily necessities"],
)  # fmt: skip
def test_vague_descriptions(description: str) -> None:
    assert is_vague_description(description)


@pytest.mark.parametrize(
    "description",
    ["Women's cotton T-shirt", "Spare parts for bicycle brakes", "Samples of wool fabric", "Gift card holder",
     "Wireless Bluetooth earbuds", "Hair dryer"],
)  # fmt: skip
def test_precise_descriptions(description: str) -> None:
    assert not is_vague_description(description)
