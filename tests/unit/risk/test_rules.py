"""Risk rules: each rule on a crafted input and not on a clean one, lanes, scores and the random draw."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clearway.declarations.normalise import address_key, name_key, normalise_tin
from clearway.risk.rules import (
    RULES,
    Lane,
    RiskContext,
    RiskDecision,
    RiskInput,
    RiskItem,
    RiskSettings,
    assess_batch,
    control_sample,
    in_control_sample,
)
from clearway.risk.ruleset import CompiledRuleSet, RuleSpec, compile_rules

NO_SAMPLE = RiskSettings(control_rate=0.0)
CONSIGNEE = address_key("Anna Schmidt", "Hauptstr. 1", "10115", "DE")
SELLER_TIN = normalise_tin("CN91440300MA5FXX001")


def clean(shipment_id: str = "s-1", **changes: Any) -> RiskInput:
    base = RiskInput(
        shipment_id=shipment_id,
        value_eur=Decimal("40.00"),
        consignee_key=CONSIGNEE,
        party_tins=frozenset({SELLER_TIN}),
        party_names=frozenset({name_key("Shenzhen Bright Trading Co., Ltd."), name_key("Anna Schmidt")}),
        items=[
            RiskItem("610910", "Women's cotton T-shirt", Decimal("12.50")),
            RiskItem("851830", "Wireless Bluetooth earbuds", Decimal("15.00")),
        ],
        vendor_registration=None,
        vendor_scheme_limit=Decimal(150),
    )
    return dataclasses.replace(base, **changes)


def one(s: RiskInput, context: RiskContext | None = None, rs: RiskSettings = NO_SAMPLE) -> RiskDecision:
    [decision] = assess_batch([s], context or RiskContext(), rs)
    return decision


def rule_ids(d: RiskDecision) -> list[str]:
    return [h.rule_id for h in d.hits]


def test_clean_input_is_green_with_no_hits() -> None:
    d = one(clean())
    assert d == RiskDecision(Lane.GREEN, 0.0, (), False)


def item(hs: str, description: str = "Leather wallet", unit_value: str = "20") -> list[RiskItem]:
    return [RiskItem(hs, description, Decimal(unit_value))]


@pytest.mark.parametrize(
    ("rule", "lane", "changes"),
    [
        ("R-PROHIBITED", Lane.RED, {"items": item("930200", "Pistol")}),  # 9302 revolvers and pistols
        ("R-PROHIBITED", Lane.RED, {"items": item("36041000", "Fireworks")}),  # 3604 pyrotechnics
        ("R-RESTRICTED", Lane.YELLOW, {"items": item("220421", "Red wine 0.75 l")}),  # 2204 wine
        ("R-RESTRICTED", Lane.YELLOW, {"items": item("300490", "Ibuprofen tablets")}),  # 3004 medicines
        ("R-VAGUE", Lane.YELLOW, {"items": item("420231", "gift")}),
        ("R-VAGUE", Lane.YELLOW, {"items": item("420231", "Various items")}),
        # 851713 smartphones: lowest plausible unit value 40 EUR; 39.99 is below
        ("R-UNDERVALUE", Lane.YELLOW, {"items": item("85171300", "Smartphone", "39.99")}),
        (
            "R-VENDOR-LIMIT",
            Lane.YELLOW,
            {"vendor_registration": "IM2760000001", "value_eur": Decimal("150.01")},
        ),
    ],
)
def test_goods_and_vendor_rules_hit(rule: str, lane: Lane, changes: dict[str, Any]) -> None:
    d = one(clean(**changes))
    assert rule_ids(d) == [rule]
    assert d.lane is lane
    assert d.score == RULES[rule].weight
    assert not d.control_sample


@pytest.mark.parametrize(
    "changes",
    [
        {"items": item("85171300", "Smartphone", "40.00")},  # exactly the reference: not below
        {"items": item("930400", "Air rifle")},  # 9304 is on the list only as restricted
        {"vendor_registration": "IM2760000001", "value_eur": Decimal("150.00")},
        {"vendor_registration": None, "value_eur": Decimal("900")},
        {"vendor_registration": "IM2760000001", "value_eur": Decimal("900"), "vendor_scheme_limit": None},
    ],
)
def test_rules_do_not_hit_just_outside_their_condition(changes: dict[str, Any]) -> None:
    d = one(clean(**changes))
    assert "R-PROHIBITED" not in rule_ids(d)
    assert "R-UNDERVALUE" not in rule_ids(d)
    assert "R-VENDOR-LIMIT" not in rule_ids(d)
    assert d.lane is not Lane.RED


def test_undervalue_uses_the_longest_reference_prefix() -> None:
    # 420221 (leather handbags) has its own reference 10 EUR; 4202 alone is 3 EUR
    assert rule_ids(one(clean(items=item("42022100", "Leather handbag", "9.99")))) == ["R-UNDERVALUE"]
    assert rule_ids(one(clean(items=item("42022100", "Leather handbag", "10.00")))) == []
    assert rule_ids(one(clean(items=item("42023100", "Leather wallet", "3.00")))) == []
    assert rule_ids(one(clean(items=item("42023100", "Leather wallet", "2.99")))) == ["R-UNDERVALUE"]


def test_undervalue_ratio_comes_from_settings() -> None:
    s = clean(items=item("85171300", "Smartphone", "20.00"))  # below the 40 EUR reference
    assert rule_ids(one(s)) == ["R-UNDERVALUE"]
    # with a ratio of 0.4 only unit values under 16 EUR are flagged
    assert rule_ids(one(s, rs=RiskSettings(control_rate=0.0, undervalue_ratio=Decimal("0.4")))) == []


def test_no_reference_value_no_undervalue() -> None:
    assert rule_ids(one(clean(items=item("392690", "Plastic phone stand", "0.01")))) == []


def test_item_number_is_in_the_detail() -> None:
    s = clean(items=[*clean().items, RiskItem("930200", "Pistol", Decimal(300))])
    d = one(s)
    assert rule_ids(d) == ["R-PROHIBITED"]
    assert d.hits[0].detail.startswith("item 3: HS 9302")


# --- split consignments -----------------------------------------------------------------------------


def test_split_against_earlier_consignments_in_context() -> None:
    context = RiskContext(prior_value_eur={CONSIGNEE: Decimal("100.00")}, prior_count={CONSIGNEE: 1})
    d = one(clean(value_eur=Decimal("60.00")), context)  # 100 + 60 = 160 > 150
    assert rule_ids(d) == ["R-SPLIT"]
    assert "2 consignments" in d.hits[0].detail and "160.00" in d.hits[0].detail
    assert d.lane is Lane.YELLOW


def test_no_split_when_total_stays_within_threshold_or_key_differs() -> None:
    context = RiskContext(prior_value_eur={CONSIGNEE: Decimal("100.00")}, prior_count={CONSIGNEE: 1})
    assert rule_ids(one(clean(value_eur=Decimal("50.00")), context)) == []  # 150 is not over 150
    other = clean(consignee_key=address_key("Bob Meyer", "Ring 2", "80331", "DE"), value_eur=Decimal("60"))
    assert rule_ids(one(other, context)) == []


def test_no_split_when_the_consignment_alone_is_above_the_threshold() -> None:
    context = RiskContext(prior_value_eur={CONSIGNEE: Decimal("100.00")}, prior_count={CONSIGNEE: 1})
    assert rule_ids(one(clean(value_eur=Decimal("150.01")), context)) == []


def test_split_running_totals_within_the_batch_in_order() -> None:
    batch = [clean(f"s-{k}", value_eur=Decimal(v)) for k, v in enumerate(["80", "60", "20", "10"])]
    decisions = assess_batch(batch, RiskContext(), NO_SAMPLE)
    # running totals 80, 140, 160, 170: the first two stay within 150
    assert [rule_ids(d) for d in decisions] == [[], [], ["R-SPLIT"], ["R-SPLIT"]]
    assert "3 consignments" in decisions[2].hits[0].detail and "160.00" in decisions[2].hits[0].detail
    assert "4 consignments" in decisions[3].hits[0].detail and "170.00" in decisions[3].hits[0].detail


def test_split_combines_context_and_batch() -> None:
    context = RiskContext(prior_value_eur={CONSIGNEE: Decimal("70")}, prior_count={CONSIGNEE: 1})
    other_key = address_key("Bob Meyer", "Ring 2", "80331", "DE")
    batch = [clean("a", value_eur=Decimal(50)), clean("b", consignee_key=other_key), clean("c")]
    decisions = assess_batch(batch, context, NO_SAMPLE)
    # consignee: 70 + 50 = 120, then + 40 = 160 on "c"; "b" is someone else
    assert [rule_ids(d) for d in decisions] == [[], [], ["R-SPLIT"]]
    assert context.prior_value_eur == {CONSIGNEE: Decimal("70")}  # context is not mutated


def test_split_threshold_comes_from_settings() -> None:
    batch = [clean("a", value_eur=Decimal(15)), clean("b", value_eur=Decimal(10))]
    rs = RiskSettings(control_rate=0.0, split_threshold_eur=Decimal(22))
    assert [rule_ids(d) for d in assess_batch(batch, RiskContext(), rs)] == [[], ["R-SPLIT"]]


# --- watch list -------------------------------------------------------------------------------------


def test_watchlist_by_tin() -> None:
    context = RiskContext(watch_tins=frozenset({normalise_tin("cn 91440300-ma5fxx001")}))
    d = one(clean(), context)
    assert rule_ids(d) == ["R-WATCHLIST"]
    assert d.lane is Lane.RED and SELLER_TIN in d.hits[0].detail


def test_watchlist_by_name_key() -> None:
    context = RiskContext(watch_names=frozenset({name_key("SHENZHEN BRIGHT TRADING COMPANY LIMITED")}))
    assert rule_ids(one(clean(), context)) == ["R-WATCHLIST"]


def test_watchlist_miss() -> None:
    context = RiskContext(watch_tins=frozenset({"DE123456789"}), watch_names=frozenset({"acme"}))
    assert rule_ids(one(clean(), context)) == []


# --- lanes and scores -------------------------------------------------------------------------------


def test_lane_is_the_strictest_and_score_combines_distinct_rules() -> None:
    s = clean(
        items=[
            RiskItem("220421", "goods", Decimal(5)),  # restricted + vague
            RiskItem("220429", "stuff", Decimal(5)),  # restricted + vague again (same rules)
        ]
    )
    d = one(s)
    assert rule_ids(d) == ["R-RESTRICTED", "R-VAGUE", "R-RESTRICTED", "R-VAGUE"]
    assert d.lane is Lane.YELLOW
    # 1 - (1 - 0.5)(1 - 0.3) = 0.65, each rule counted once
    assert d.score == pytest.approx(0.65)
    wine, pistol = RiskItem("220421", "goods", Decimal(5)), RiskItem("930200", "Pistol", Decimal(300))
    red = one(clean(items=[wine, pistol]))
    assert red.lane is Lane.RED
    # 1 - 0.5 x 0.7 x 0.1 = 0.965
    assert red.score == pytest.approx(0.965)


def test_random_sample_is_red_with_zero_weight() -> None:
    d = one(clean(), rs=RiskSettings(control_rate=1.0))
    assert rule_ids(d) == ["R-RANDOM"]
    assert d.lane is Lane.RED and d.score == 0.0 and d.control_sample


def test_lane_labels() -> None:
    assert [lane.label for lane in Lane] == ["green", "yellow", "red"]
    assert Lane.GREEN < Lane.YELLOW < Lane.RED


hs_pool = ["610910", "851830", "930200", "220421", "85171300", "420221", "300490", "392690"]
descriptions = ["Women's cotton T-shirt", "gift", "parts", "Smartphone", "Red wine"]


@st.composite
def risk_inputs(draw: st.DrawFn, k: int) -> RiskInput:
    items = [
        RiskItem(
            draw(st.sampled_from(hs_pool)),
            draw(st.sampled_from(descriptions)),
            draw(st.decimals(min_value=0, max_value=500, places=2)),
        )
        for _ in range(draw(st.integers(min_value=1, max_value=3)))
    ]
    return clean(
        f"id-{k}-{draw(st.integers(0, 10**6))}",
        value_eur=draw(st.decimals(min_value=0, max_value=400, places=2)),
        consignee_key=draw(st.sampled_from(["A", "B"])),
        party_tins=frozenset(draw(st.sets(st.sampled_from(["DE1", "CN2", "US3"]), max_size=2))),
        items=items,
        vendor_registration=draw(st.sampled_from([None, "IM2760000001"])),
    )


@st.composite
def batches(draw: st.DrawFn) -> list[RiskInput]:
    return [draw(risk_inputs(k)) for k in range(draw(st.integers(min_value=1, max_value=6)))]


@given(
    batch=batches(),
    rate=st.sampled_from([0.0, 0.3, 1.0]),
    prior=st.decimals(min_value=0, max_value=200, places=2),
)
@settings(max_examples=100, deadline=None)
def test_decision_invariants(batch: list[RiskInput], rate: float, prior: Decimal) -> None:
    context = RiskContext(prior_value_eur={"A": prior}, prior_count={"A": 1}, watch_tins=frozenset({"CN2"}))
    decisions = assess_batch(batch, context, RiskSettings(control_rate=rate, control_seed=7))
    assert len(decisions) == len(batch)
    for s, d in zip(batch, decisions, strict=True):
        assert 0.0 <= d.score <= 1.0
        assert d.lane == max((RULES[h.rule_id].lane for h in d.hits), default=Lane.GREEN)
        assert (d.lane is Lane.GREEN) is (not d.hits)
        assert d.control_sample is ("R-RANDOM" in rule_ids(d))
        assert d.control_sample is in_control_sample(s.shipment_id, 7, rate)
        assert ("R-WATCHLIST" in rule_ids(d)) is ("CN2" in s.party_tins)
        weights = {RULES[r].weight for r in rule_ids(d)}
        assert (d.score > 0) is any(w > 0 for w in weights)
    # the same batch gives the same decisions
    assert assess_batch(batch, context, RiskSettings(control_rate=rate, control_seed=7)) == decisions


# --- random control sample ---------------------------------------------------------------------------


def test_control_sample_rate_is_about_one_percent() -> None:
    ids = [f"0190a3c2-{k:08d}" for k in range(20_000)]
    drawn = sum(in_control_sample(i, 0, 0.01) for i in ids)
    # expected 200, standard deviation sqrt(20000 x 0.01 x 0.99) ~ 14: allow 4 sigma
    assert 144 <= drawn <= 256


def test_control_sample_rate_zero_and_one() -> None:
    ids = [f"id-{k}" for k in range(20_000)]
    assert not any(in_control_sample(i, 0, 0.0) for i in ids)
    assert all(in_control_sample(i, 0, 1.0) for i in ids[:2000])


def test_control_sample_is_reproducible_and_depends_on_seed() -> None:
    ids = [f"id-{k}" for k in range(5000)]
    first = [i for i in ids if in_control_sample(i, 42, 0.05)]
    again = [i for i in ids if in_control_sample(i, 42, 0.05)]
    other = [i for i in ids if in_control_sample(i, 43, 0.05)]
    assert first == again
    assert first != other
    # a higher rate draws a superset
    assert set(first) <= {i for i in ids if in_control_sample(i, 42, 0.10)}


# --- analyst rule sets in the same pass ----------------------------------------------------------------


def analyst(*specs: tuple[str, str, str, float | None]) -> CompiledRuleSet:
    return compile_rules(
        [RuleSpec(id=i, title=f"title {i}", condition=c, effect=e, weight=w) for i, c, e, w in specs],
        version=7,
    )


def with_fields(s: RiskInput, **fields: Any) -> RiskInput:
    return dataclasses.replace(s, fields=fields)


def test_analyst_rules_add_lane_score_and_version() -> None:
    rules = analyst(("A-CN", "origin == 'CN'", "inspect", None), ("A-BIG", "packages > 3", "score", 0.25))
    cn, other = (
        with_fields(clean("s-1"), origin="CN", packages=1),
        with_fields(clean("s-2"), origin="US", packages=5),
    )
    d_cn, d_other = assess_batch([cn, other], RiskContext(), NO_SAMPLE, rules)
    assert (d_cn.lane, d_cn.score, rule_ids(d_cn), d_cn.rule_set_version) == (
        Lane.RED, 0.6, ["A-CN"], "core-2026.11.2+7"
    )  # fmt: skip
    assert d_cn.hits[0].title == "title A-CN" and d_cn.hits[0].detail == "analyst rule: inspect, weight 0.6"
    assert (d_other.lane, d_other.score, rule_ids(d_other)) == (Lane.GREEN, 0.25, ["A-BIG"])


def test_analyst_and_built_in_weights_combine() -> None:
    rules = analyst(("A-CN", "origin == 'CN'", "documents", None))
    vague = with_fields(clean(items=item("420231", "gift")), origin="CN")
    [d] = assess_batch([vague], RiskContext(), NO_SAMPLE, rules)
    # R-VAGUE 0.3 and A-CN 0.3: 1 - 0.7 x 0.7 = 0.51
    assert (d.lane, d.score, rule_ids(d)) == (Lane.YELLOW, 0.51, ["R-VAGUE", "A-CN"])


def test_release_override_clears_rule_lanes_but_not_prohibited_goods() -> None:
    rules = analyst(("A-OK", "origin == 'CN'", "release", None))
    vague = with_fields(clean("s-1", items=item("420231", "gift")), origin="CN")
    pistol = with_fields(clean("s-2", items=item("930200", "Pistol")), origin="CN")
    d_vague, d_pistol = assess_batch([vague, pistol], RiskContext(), NO_SAMPLE, rules)
    assert (d_vague.lane, d_vague.score) == (Lane.GREEN, 0.3)  # the release rule weighs 0
    assert d_pistol.lane == Lane.RED and rule_ids(d_pistol) == ["R-PROHIBITED", "A-OK"]


def test_indicators_are_fields_of_the_rule_language() -> None:
    rules = analyst(
        ("A-SPLIT", "indicator.split_count == 2 and indicator.split_total_eur == 70", "documents", None),
        ("A-CHEAP", "indicator.unit_value_ratio < 0.5", "documents", None),
    )
    # 851713 smartphones: reference at least 40 EUR, 15 EUR is 0.375 of it
    s = with_fields(clean(value_eur=Decimal(40), items=item("85171300", "Smartphone", "15")))
    context = RiskContext(prior_value_eur={CONSIGNEE: Decimal(30)}, prior_count={CONSIGNEE: 1})
    [d] = assess_batch([s], context, NO_SAMPLE, rules)
    assert set(rule_ids(d)) >= {"A-SPLIT", "A-CHEAP"}


def test_no_rule_set_keeps_the_built_in_version() -> None:
    [d] = assess_batch([clean()], RiskContext(), NO_SAMPLE)
    assert d.rule_set_version == "core-2026.11.2"


def test_a_constant_condition_hits_every_shipment_of_the_batch() -> None:
    rules = analyst(("A-ALL", "true", "documents", None), ("A-NONE", "1 > 2", "inspect", None))
    decisions = assess_batch([clean(f"s-{k}") for k in range(3)], RiskContext(), NO_SAMPLE, rules)
    assert [rule_ids(d) for d in decisions] == [["A-ALL"]] * 3


def test_vendor_registration_findings_from_the_registry_give_a_yellow_hit() -> None:
    s = clean(vendor_registration="IM2769999999")
    context = RiskContext(registration_findings={"s-1": ["IOSS number IM2769999999 is not in the registry"]})
    d = one(s, context)
    assert [(h.rule_id, h.detail) for h in d.hits] == [
        ("R-VENDOR-REGISTRATION", "IOSS number IM2769999999 is not in the registry")
    ]
    assert d.lane is Lane.YELLOW and d.score == RULES["R-VENDOR-REGISTRATION"].weight
    assert one(clean("s-2", vendor_registration="IM2769999999"), context).hits == ()


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.text(min_size=1, max_size=40), max_size=30),
    st.integers(min_value=0, max_value=10**9),
    st.floats(min_value=0.0, max_value=1.0),
)
def test_batch_control_sample_draws_as_the_single_draw(ids: list[str], seed: int, rate: float) -> None:
    assert control_sample(ids, seed, rate) == [in_control_sample(i, seed, rate) for i in ids]
