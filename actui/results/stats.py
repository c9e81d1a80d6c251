"""The statistics of a campaign's results: rates, intervals of differences, detectable effects.

Plain large-sample formulas, computed from each group's totals (members, converters, the sum
and the sum of squares of each member's value), so no member ever reaches Python:

- conversion: the difference of two proportions with the unpooled (Wald) standard error,
  ``p1 - p2 ± z·sqrt(p1(1-p1)/n1 + p2(1-p2)/n2)``;
- value per member (non-converters count as 0): Welch's interval for a difference of means,
  with the Welch-Satterthwaite degrees of freedom and a Student t quantile (Cornish-Fisher
  expansion of the normal quantile: within 0.01 of the exact value from 3 degrees of freedom);
- the minimum detectable effect at 80 % power and a two-sided 5 % level,
  ``(z₀.₉₇₅ + z₀.₈)·sqrt(p(1-p)(1/n1 + 1/n2))`` at the control group's rate ``p``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

CONFIDENCE = 0.95
POWER = 0.80
_Z = NormalDist().inv_cdf(1 - (1 - CONFIDENCE) / 2)  # 1.96
_Z_POWER = NormalDist().inv_cdf(POWER)  # 0.84


@dataclass(frozen=True, slots=True)
class GroupTotals:
    """One group's totals, as the database sums them."""

    members: int
    converters: int
    value_sum: float = 0.0
    value_squares: float = 0.0

    @property
    def conversion_rate(self) -> float:
        return self.converters / self.members if self.members else 0.0

    @property
    def value_per_member(self) -> float:
        return self.value_sum / self.members if self.members else 0.0

    @property
    def value_variance(self) -> float:
        """The sample variance of the members' values (0 for fewer than two members)."""
        if self.members < 2:
            return 0.0
        mean = self.value_per_member
        spread = self.value_squares - self.members * mean * mean
        return max(spread, 0.0) / (self.members - 1)


@dataclass(frozen=True, slots=True)
class Interval:
    """A difference and its 95 % interval."""

    difference: float
    low: float
    high: float

    @property
    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0


def rate_difference(treated: GroupTotals, control: GroupTotals) -> Interval:
    """The conversion rate difference, treated minus control, with its two-proportion interval."""
    p1, p2 = treated.conversion_rate, control.conversion_rate
    difference = p1 - p2
    if not treated.members or not control.members:
        return Interval(difference, -math.inf, math.inf)
    error = math.sqrt(p1 * (1 - p1) / treated.members + p2 * (1 - p2) / control.members)
    return Interval(difference, difference - _Z * error, difference + _Z * error)


def value_difference(treated: GroupTotals, control: GroupTotals) -> Interval:
    """The value-per-member difference, treated minus control, with Welch's interval."""
    difference = treated.value_per_member - control.value_per_member
    if treated.members < 2 or control.members < 2:
        return Interval(difference, -math.inf, math.inf)
    a = treated.value_variance / treated.members
    b = control.value_variance / control.members
    error = math.sqrt(a + b)
    if error == 0:
        return Interval(difference, difference, difference)
    freedom = (a + b) ** 2 / (a * a / (treated.members - 1) + b * b / (control.members - 1))
    quantile = t_quantile(1 - (1 - CONFIDENCE) / 2, freedom)
    return Interval(difference, difference - quantile * error, difference + quantile * error)


def minimum_detectable_effect(treated: GroupTotals, control: GroupTotals) -> float:
    """The smallest rate difference these group sizes detect with 80 % power (at the control's
    rate; ``inf`` for an empty group)."""
    if not treated.members or not control.members:
        return math.inf
    p = control.conversion_rate
    if p in (0.0, 1.0):  # no spread seen yet: judge at the treated group's rate
        p = treated.conversion_rate
    spread = p * (1 - p) * (1 / treated.members + 1 / control.members)
    return (_Z + _Z_POWER) * math.sqrt(spread)


def t_quantile(probability: float, freedom: float) -> float:
    """Student's t quantile (Cornish-Fisher expansion; the normal one for large ``freedom``)."""
    z = NormalDist().inv_cdf(probability)
    v = max(freedom, 1.0)
    z2 = z * z
    terms = (
        z,
        (z2 + 1) * z / 4,
        ((5 * z2 + 16) * z2 + 3) * z / 96,
        (((3 * z2 + 19) * z2 + 17) * z2 - 15) * z / 384,
        ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z / 92160,
    )
    return sum(term / v**power for power, term in enumerate(terms))


__all__ = [
    "CONFIDENCE",
    "POWER",
    "GroupTotals",
    "Interval",
    "minimum_detectable_effect",
    "rate_difference",
    "t_quantile",
    "value_difference",
]
