"""Case files: connected components over shared keys, by hand."""

from __future__ import annotations

import hashlib

from clearway.risk.cases import Link, UnionFind, case_csv, case_id, components


def test_union_find_joins_transitively() -> None:
    uf = UnionFind()
    for x in "abcde":
        uf.add(x)
    uf.union("a", "b")
    uf.union("c", "b")
    uf.union("d", "e")
    assert uf.find("a") == uf.find("c") != uf.find("d")
    assert uf.find("d") == uf.find("e")


def test_components_link_through_different_keys_and_skip_common_keys() -> None:
    ids = ["s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8"]
    links = [
        Link("s1", "payment", "P1"),
        Link("s2", "payment", "P1"),  # s1 - s2
        Link("s2", "waybill", "W9"),
        Link("s3", "waybill", "W9"),  # s2 - s3, so s1 - s2 - s3
        Link("s5", "consignee name", "anna"),
        Link("s6", "consignee name", "anna"),  # s5 - s6
        Link("s4", "payment", "P2"),  # held by one shipment: no link
        # A depot address shared by 4 shipments, over the limit of 3: ignored, s7 and s8 stay apart.
        *(Link(s, "consignee address", "DEPOT") for s in ("s1", "s5", "s7", "s8")),
        Link("s1", "payment", ""),  # empty keys never link
    ]
    comps, keys, skipped = components(ids, links, max_key_shipments=3)
    assert comps == [["s1", "s2", "s3"], ["s5", "s6"]]
    assert skipped == 1
    assert keys[case_id(["s1", "s2", "s3"])] == [("payment", "P1"), ("waybill", "W9")]
    assert keys[case_id(["s5", "s6"])] == [("consignee name", "anna")]


def test_case_id_is_fixed_by_the_smallest_member() -> None:
    assert case_id(["s3", "s1", "s2"]) == "C-" + hashlib.sha1(b"s1").hexdigest()[:12]
    assert case_id(["s1", "s9"]) == case_id(["s2", "s1"])


def test_case_csv_has_one_row_per_member() -> None:
    case = {"id": "C-1", "members": [{"shipment_id": "s1", "lrn": "L1"}, {"shipment_id": "s2", "lrn": "L2"}]}
    lines = case_csv(case).splitlines()
    assert lines[0].startswith("case,shipment_id,filer,lrn")
    assert lines[1].startswith("C-1,s1,,L1") and lines[2].startswith("C-1,s2,,L2")
    assert len(lines) == 3
