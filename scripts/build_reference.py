"""Build the compact reference tables shipped in ``src/clearway/reference/data/``.

Usage: ``uv run python scripts/build_reference.py [SOURCE_DIR]``

SOURCE_DIR defaults to ``../shared/data/reference`` next to the repository (see the README there).
The hand-written tables (prohibited_hs.csv, reference_unit_values.csv) and data/README.md are not
generated here. Output is byte-for-byte deterministic so that rebuilding only changes git when the
source data changes.
"""

from __future__ import annotations

import collections
import csv
import gzip
import io
import re
import sys
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = REPO.parent / "shared" / "data" / "reference"
OUT = REPO / "src" / "clearway" / "reference" / "data"

# Comtrade reporting codes that are not part of the HS nomenclature.
HS_PSEUDO_CODES = {"TOTAL", "99", "9999", "999999"}


def read_csv(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as f:
        return list(csv.DictReader(f))


def clean(text: str) -> str:
    """Collapse whitespace: some source descriptions contain line breaks and double spaces."""
    return " ".join(text.split())


def write_gz_csv(name: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    target = OUT / name
    with (
        target.open("wb") as raw,
        # Empty filename and mtime=0 keep the gzip header free of build-time details.
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz,
    ):
        gz.write(buf.getvalue().encode("utf-8"))
    print(f"{name}: {len(rows)} rows, {target.stat().st_size:,} bytes")


def build_hs(src: Path) -> None:
    folder = src / "harmonized-system"
    sections = read_csv(folder / "sections.csv", encoding="utf-8-sig")
    rows: list[tuple[str, str, str]] = []
    for s in sections:
        name = clean(s["name"])
        rows.append((s["section"], "", name[:1].upper() + name[1:]))  # upstream has "live animals; ..."
    for r in read_csv(folder / "harmonized-system.csv"):
        code = r["hscode"]
        if code in HS_PSEUDO_CODES:
            continue
        # Chapters point at their section so the section can be derived without a separate column.
        parent = r["section"] if len(code) == 2 else r["parent"]
        if len(code) > 2 and parent != code[:-2]:
            raise ValueError(f"HS {code}: unexpected parent {parent}")
        rows.append((code, parent, clean(r["description"])))
    section_rows = rows[: len(sections)]
    write_gz_csv("hs.csv.gz", ("code", "parent", "description"), section_rows + sorted(rows[len(sections) :]))


def build_currencies(src: Path) -> None:
    seen: dict[str, tuple[str, str, str]] = {}
    for r in read_csv(src / "iso-codes" / "iso4217-currency-codes.csv"):
        code, minor = r["AlphabeticCode"], r["MinorUnit"]
        if r["WithdrawalDate"] or not code or not minor.isdigit():
            continue
        seen.setdefault(code, (code, clean(r["Currency"]), minor))
    write_gz_csv("currencies.csv.gz", ("code", "name", "minor_units"), sorted(seen.values()))


def build_countries(src: Path) -> None:
    rows = []
    for r in read_csv(src / "iso-codes" / "country-codes.csv"):
        name = clean(r["official_name_en"] or r["CLDR display name"])
        rows.append(
            (r["ISO3166-1-Alpha-2"], r["ISO3166-1-Alpha-3"], name, r["ISO4217-currency_alphabetic_code"])
        )
    write_gz_csv("countries.csv.gz", ("alpha2", "alpha3", "name", "currencies"), sorted(rows))


def build_locodes(src: Path) -> None:
    rows: dict[str, tuple[str, str, str, str]] = {}
    for r in read_csv(src / "un-locode" / "code-list.csv"):
        code = r["locode"]
        # The source repeats ~140 codes with alternative-language names; the first one is kept.
        if code in rows:
            continue
        # Two names still carry U+FFFD from upstream's encoding damage; the ASCII form is reliable.
        name = clean(r["name"] if "\ufffd" not in r["name"] else r["nameWoDiacritics"])
        rows[code] = (code, name, r["function"], r["status"])
    write_gz_csv("locodes.csv.gz", ("code", "name", "function", "status"), sorted(rows.values()))


def build_ecb(src: Path) -> None:
    with (src / "exchange-rates-ecb" / "eurofxref-hist.csv").open(newline="") as f:
        table = list(csv.reader(f))
    header = [c for c in table[0] if c]  # every line ends with a comma
    width = len(header)
    body = [[("" if v == "N/A" else v) for v in r[:width]] for r in table[1:]]
    body.sort(key=lambda r: r[0])
    header[0] = "date"
    write_gz_csv("ecb_rates.csv.gz", header, body)


def build_eu_cet(src: Path) -> None:
    rows = []
    for r in read_csv(src / "uk-global-tariff" / "uk-global-tariff-2021.csv"):
        code = r["commodity"]
        if len(code) in (7, 9):
            code = "0" + code  # the leading zero of chapters 01-09 was lost upstream
        if not code.isdigit() or len(code) not in (8, 10):
            raise ValueError(f"unexpected commodity code {r['commodity']!r}")
        rows.append((code, clean(r["description"]), r["cet_duty_rate"].strip()))
    rows.sort()
    write_gz_csv("eu_cet.csv.gz", ("code", "description", "rate"), rows)
    report_unparsed_rates(rate for _, _, rate in rows)


def report_unparsed_rates(rates: Iterable[str]) -> None:
    sys.path.insert(0, str(REPO / "src"))
    from clearway.reference.tariff import parse_duty_rate

    shapes: collections.Counter[str] = collections.Counter()
    example: dict[str, str] = {}
    for text in rates:
        if parse_duty_rate(text).complete:
            continue
        shape = re.sub(r"\d+(?:[.,]\d+)*", "N", text)
        shapes[shape] += 1
        example.setdefault(shape, text)
    print(f"eu_cet: {sum(shapes.values())} rate texts only partly parsed, {len(shapes)} shapes:")
    for shape, n in shapes.most_common():
        print(f"  {n:4d}  {example[shape]}")


def build_eu_vat(src: Path) -> None:
    rows = []
    for r in read_csv(src / "vat-rates" / "eu-vat-rates-ibericode.csv"):
        country = "GR" if r["country"] == "EL" else r["country"]
        if country == "GB":  # upstream still lists the UK; it left the EU VAT area in 2021
            continue
        rows.append((country, r["effective_from"], r["standard"]))
    rows.sort()
    write_gz_csv("eu_vat.csv.gz", ("country", "effective_from", "standard_percent"), rows)


def build_us_hts(src: Path) -> None:
    """Tariff lines that carry a general (column 1) rate; 10-digit lines without one inherit it."""
    rows = []
    for r in read_csv(src / "us-hts" / "hts_2025_basic_edition.csv", encoding="utf-8-sig"):
        rate = clean(r["General Rate of Duty"])
        code = r["HTS Number"].replace(".", "")
        if not rate or not code:
            continue
        if not code.isdigit() or len(code) not in (8, 10):
            raise ValueError(f"unexpected HTS number {r['HTS Number']!r}")
        units = ";".join(re.findall(r'"([^"]+)"', r["Unit of Quantity"]))
        rows.append((code, rate, units))
    rows.sort()
    write_gz_csv("us_hts.csv.gz", ("code", "general_rate", "units"), rows)


def build_uk_tariff(src: Path) -> None:
    rows = []
    for r in read_csv(src / "uk-global-tariff" / "uk-global-tariff-2021.csv"):
        code = r["commodity"]
        if len(code) in (7, 9):
            code = "0" + code  # the leading zero of chapters 01-09 was lost upstream
        rows.append((code, r["ukgt_duty_rate"].strip()))
    rows.sort()
    write_gz_csv("uk_tariff.csv.gz", ("code", "ukgt_rate"), rows)


def build_national_tax(src: Path) -> None:
    """National standard VAT/GST rates outside the EU (current rows only, no subdivisions)."""
    rows = []
    for r in read_csv(src / "vat-rates" / "sales-tax-rates-world.csv"):
        if r["subdivision"] or r["valid_before"]:
            continue
        percent = (Decimal(r["rate"]) * 100).normalize()
        rows.append((r["country"], r["tax_type"], r["currency"], f"{percent:f}"))
    rows.sort()
    write_gz_csv("national_tax.csv.gz", ("country", "tax_type", "currency", "standard_percent"), rows)


def main(argv: list[str]) -> None:
    src = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    OUT.mkdir(parents=True, exist_ok=True)
    build_hs(src)
    build_currencies(src)
    build_countries(src)
    build_locodes(src)
    build_ecb(src)
    build_eu_cet(src)
    build_eu_vat(src)
    build_us_hts(src)
    build_uk_tariff(src)
    build_national_tax(src)
    total = sum(p.stat().st_size for p in OUT.iterdir() if p.is_file())
    print(f"data/ total: {total:,} bytes")


if __name__ == "__main__":
    main(sys.argv)
