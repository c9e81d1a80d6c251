"""Stable assignment: shares within a point, the same groups in any process, minimal moves."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter

import pytest

from actui.campaigns.assignment import BUCKETS, GroupAssigner, bucket_bounds

KEYS = [f"C{n:07d}" for n in range(20_000)]


@pytest.mark.parametrize(
    "percents",
    [[45, 45, 10], [50, 50], [33.33, 33.33, 33.34], [1, 2, 97], [10] * 10],
)
def test_each_group_share_is_within_one_point_of_its_setting(percents: list[float]) -> None:
    assigner = GroupAssigner("6f1e2b9a-campaign", [percents])
    counts = Counter(assigner.group(0, key) for key in KEYS)
    for position, percent in enumerate(percents):
        share = 100 * counts[position] / len(KEYS)
        assert abs(share - percent) <= 1, (position, share, percent)


def test_integer_keys_hash_like_their_text() -> None:
    assigner = GroupAssigner("c", [[50, 50]])
    assert [assigner.bucket(n) for n in range(500)] == [assigner.bucket(str(n)) for n in range(500)]


def test_another_process_with_another_hash_seed_assigns_the_same_groups() -> None:
    here = GroupAssigner("campaign-42", [[45, 45, 10]])
    mine = [here.group(0, key) for key in KEYS[:2000]]
    code = (
        "import json, sys\n"
        "from actui.campaigns.assignment import GroupAssigner\n"
        "a = GroupAssigner('campaign-42', [[45, 45, 10]])\n"
        "keys = json.load(sys.stdin)\n"
        "print(json.dumps([a.group(0, k) for k in keys]))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(KEYS[:2000]),
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    assert json.loads(out.stdout) == mine


def test_campaigns_with_different_ids_split_customers_independently() -> None:
    first = GroupAssigner("campaign-a", [[50, 50]])
    second = GroupAssigner("campaign-b", [[50, 50]])
    same = sum(first.group(0, key) == second.group(0, key) for key in KEYS)
    assert abs(same / len(KEYS) - 0.5) < 0.02


def test_moving_a_boundary_moves_only_the_customers_between_old_and_new() -> None:
    before = GroupAssigner("c", [[45, 45, 10]])
    after = GroupAssigner("c", [[50, 40, 10]])
    moves = Counter(
        (before.group(0, key), after.group(0, key))
        for key in KEYS
        if before.group(0, key) != after.group(0, key)
    )
    assert set(moves) == {(1, 0)}  # only B -> A
    assert abs(100 * moves[(1, 0)] / len(KEYS) - 5) <= 1
    for key in KEYS:
        if before.group(0, key) != after.group(0, key):
            assert 4500 <= before.bucket(key) < 5000


def test_sub_audiences_have_their_own_ranges_over_one_bucket() -> None:
    assigner = GroupAssigner("c", [[50, 50], [100]])
    assert {assigner.group(1, key) for key in KEYS} == {0}
    assert {assigner.group(0, key) for key in KEYS} == {0, 1}


def test_bounds_are_cumulative_hundredths_ending_at_all_buckets() -> None:
    assert bucket_bounds([45, 45, 10]) == [4500, 9000, BUCKETS]
    assert bucket_bounds([33.33, 33.33, 33.34]) == [3333, 6666, BUCKETS]
