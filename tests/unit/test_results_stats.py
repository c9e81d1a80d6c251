"""The statistics of campaign results: intervals that hold their 95 %, effects they can detect."""

from __future__ import annotations

import math
import random

import pytest

from actui.results.stats import (
    GroupTotals,
    minimum_detectable_effect,
    rate_difference,
    t_quantile,
    value_difference,
)


def simulated(rng: random.Random, members: int, rate: float) -> GroupTotals:
    """A group whose members each convert with ``rate``, a converter spending 20 to 80.

    Members are Bernoulli trials; the gaps between converters are drawn directly (geometric),
    which is the same process at a tenth of the draws.
    """
    converters = 0
    total = squares = 0.0
    step = math.log1p(-rate)
    position = -1
    while True:
        position += 1 + int(math.log1p(-rng.random()) / step)
        if position >= members:
            break
        converters += 1
        value = rng.uniform(20, 80)
        total += value
        squares += value * value
    return GroupTotals(members, converters, total, squares)


def test_with_no_effect_95_percent_intervals_cover_zero_in_at_least_93_percent_of_runs() -> None:
    """At least 93 % of seeded simulations with no effect cover 0, over 1,000 of them: with 100,
    a correct 95 % interval falls below 93 about one time in eight by chance alone."""
    runs = 1000
    covered_rate = covered_value = 0
    for seed in range(runs):
        rng = random.Random(seed)
        treated = simulated(rng, 10_000, 0.08)
        control = simulated(rng, 10_000, 0.08)
        rate = rate_difference(treated, control)
        value = value_difference(treated, control)
        covered_rate += rate.low <= 0 <= rate.high
        covered_value += value.low <= 0 <= value.high
    assert 930 <= covered_rate <= 970, covered_rate
    assert 930 <= covered_value <= 970, covered_value


def test_a_planted_difference_is_covered_and_significant() -> None:
    rng = random.Random(16)
    treated = simulated(rng, 10_000, 0.12)
    control = simulated(rng, 10_000, 0.08)
    rate = rate_difference(treated, control)
    assert rate.low < 0.04 < rate.high
    assert rate.excludes_zero
    # the hand formula: p1 - p2 +- 1.96 sqrt(p1 q1 / n1 + p2 q2 / n2)
    p1, p2 = treated.conversion_rate, control.conversion_rate
    half = 1.959964 * math.sqrt(p1 * (1 - p1) / 10_000 + p2 * (1 - p2) / 10_000)
    assert (rate.low, rate.high) == pytest.approx((p1 - p2 - half, p1 - p2 + half), abs=1e-6)


def test_welch_interval_by_hand_on_small_groups() -> None:
    a = [3.0, 5.0, 4.0, 6.0, 2.0]
    b = [1.0, 2.0, 1.5, 0.5]
    treated = GroupTotals(len(a), len(a), sum(a), sum(x * x for x in a))
    control = GroupTotals(len(b), len(b), sum(b), sum(x * x for x in b))
    value = value_difference(treated, control)
    va, vb = 2.5, 0.41666666666666663  # the sample variances
    se = math.sqrt(va / 5 + vb / 4)
    df = (va / 5 + vb / 4) ** 2 / ((va / 5) ** 2 / 4 + (vb / 4) ** 2 / 3)
    assert df == pytest.approx(5.52, abs=0.01)
    # t(0.975, 5.52) = 2.506 (statistical tables, interpolated between 5 and 6)
    assert value.difference == pytest.approx(4.0 - 1.25)
    assert value.high - value.difference == pytest.approx(2.506 * se, rel=0.01)


def test_t_quantiles_match_the_tables() -> None:
    for freedom, table in ((3, 3.182), (5, 2.571), (10, 2.228), (30, 2.042), (1000, 1.962)):
        assert t_quantile(0.975, freedom) == pytest.approx(table, abs=0.005)


def test_minimum_detectable_effect_shrinks_with_bigger_groups() -> None:
    small = minimum_detectable_effect(GroupTotals(9_000, 900), GroupTotals(1_000, 80))
    large = minimum_detectable_effect(GroupTotals(90_000, 9_000), GroupTotals(10_000, 800))
    # (1.96 + 0.84) sqrt(0.08 * 0.92 * (1/9000 + 1/1000)) = 2.55 points
    assert small == pytest.approx(0.0255, abs=0.0005)
    assert large == pytest.approx(small / math.sqrt(10), rel=1e-6)
    assert math.isinf(minimum_detectable_effect(GroupTotals(10, 1), GroupTotals(0, 0)))
