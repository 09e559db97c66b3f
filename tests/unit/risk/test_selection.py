"""Selection: within capacity, the exploration share, reproducible from its inputs and seed."""

from __future__ import annotations

import random

import pytest

from clearway.risk.errors import SelectionError
from clearway.risk.selection import Candidate, choose, default_seed, exploration_slots

CANDIDATES = [Candidate(f"s{k:02d}", score=k / 100, physical=k % 7 == 0) for k in range(40)]


def test_exploration_slots_round_half_up() -> None:
    assert exploration_slots(10, 0.15) == 2  # 1.5
    assert exploration_slots(10, 0.1) == 1
    assert exploration_slots(3, 0.1) == 0  # 0.3
    assert exploration_slots(5, 0.0) == 0
    assert exploration_slots(4, 1.0) == 4


def test_top_scores_fill_the_capacity_less_the_exploration_share() -> None:
    picks = choose(CANDIDATES, capacity=10, share=0.2, seed=7)
    assert len(picks) == 10
    by_score = [p for p in picks if p.kind == "score"]
    explored = [p for p in picks if p.kind == "exploration"]
    # 8 greedy picks: the 8 highest scores (s39 .. s32); 2 drawn from the other 32.
    assert [p.shipment_id for p in by_score] == [f"s{k}" for k in range(39, 31, -1)]
    assert len(explored) == 2
    assert all(int(p.shipment_id[1:]) < 32 for p in explored)
    # s35 is a multiple of 7: physical; the other greedy picks a scan; exploration always physical.
    assert {p.shipment_id: p.control for p in by_score}["s35"] == "physical"
    assert {p.shipment_id: p.control for p in by_score}["s36"] == "nii"
    assert all(p.control == "physical" for p in explored)


def test_same_inputs_and_seed_give_the_same_choice_whatever_the_order() -> None:
    shuffled = CANDIDATES[:]
    random.Random(3).shuffle(shuffled)
    assert choose(CANDIDATES, 12, 0.25, seed=11) == choose(shuffled, 12, 0.25, seed=11)
    draws = {tuple(p.shipment_id for p in choose(CANDIDATES, 12, 0.25, seed=s) if p.kind == "exploration")
             for s in range(20)}  # fmt: skip
    assert len(draws) > 1  # the seed does change the exploration draw


def test_exploration_is_spread_over_the_rest() -> None:
    # Over many seeds every non-greedy candidate gets drawn sometimes: the draw is not a fixed subset.
    drawn = set()
    for seed in range(300):
        drawn |= {p.shipment_id for p in choose(CANDIDATES, 10, 0.2, seed) if p.kind == "exploration"}
    assert drawn == {f"s{k:02d}" for k in range(32)}


def test_ties_go_to_the_smaller_id_and_fewer_candidates_than_capacity_take_all() -> None:
    tied = [Candidate("b", 0.5, False), Candidate("a", 0.5, False), Candidate("c", 0.1, False)]
    assert [p.shipment_id for p in choose(tied, 1, 0.0, 0)] == ["a"]
    assert sorted(p.shipment_id for p in choose(tied, 10, 0.5, 0)) == ["a", "b", "c"]


def test_bad_input_names_the_field() -> None:
    with pytest.raises(SelectionError, match="capacity"):
        choose(CANDIDATES, -1, 0.1, 0)
    with pytest.raises(SelectionError, match="exploration"):
        choose(CANDIDATES, 5, 1.5, 0)


def test_default_seed_is_fixed_by_office_and_day() -> None:
    import datetime as dt

    day = dt.date(2026, 11, 27)
    assert default_seed("DEFRA004", day) == default_seed("DEFRA004", day)
    assert default_seed("DEFRA004", day) != default_seed("DEFRA004", day + dt.timedelta(days=1))
