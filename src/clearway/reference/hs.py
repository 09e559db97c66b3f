"""Harmonized System 2022: sections, chapters, headings and 6-digit subheadings."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from clearway.reference._load import is_code, read_rows


@dataclass(frozen=True, slots=True)
class HsEntry:
    code: str
    description: str
    level: int  # 2 chapter, 4 heading, 6 subheading
    section: str  # Roman numeral I..XXI


@cache
def _tables() -> tuple[dict[str, str], dict[str, HsEntry]]:
    """(section numeral -> title, code -> entry for chapters, headings and subheadings)."""
    sections: dict[str, str] = {}
    entries: dict[str, HsEntry] = {}
    # Sections come first and the codes are sorted, so every parent is seen before its children.
    for code, parent, description in read_rows("hs.csv.gz"):
        if not parent:
            sections[code] = description
        else:
            section = parent if len(code) == 2 else entries[code[:2]].section
            entries[code] = HsEntry(code, description, len(code), section)
    return sections, entries


def _lookup(code: str, level: int) -> HsEntry | None:
    if not is_code(code, level):
        return None
    return _tables()[1].get(code[:level])


def hs_subheading(code: str) -> HsEntry | None:
    """HS 2022 subheading for the first 6 digits of a 6-10 digit HS/CN/HTS code."""
    return _lookup(code, 6)


def hs_heading(code: str) -> HsEntry | None:
    return _lookup(code, 4)


def hs_chapter(code: str) -> HsEntry | None:
    return _lookup(code, 2)


def hs_section_of(code: str) -> tuple[str, str] | None:
    """(Roman numeral, section title) of the chapter that ``code`` starts with."""
    chapter = hs_chapter(code)
    if chapter is None:
        return None
    return chapter.section, _tables()[0][chapter.section]


def hs_is_valid(code: str) -> bool:
    """Digits only, 6-10 long, and the first 6 digits are an HS 2022 subheading."""
    return hs_subheading(code) is not None
