"""Skill estimates as posteriors: each person's evidence, shrunk towards a prior.

The model, fitted on an organisation's own data at every refit (empirical Bayes):

- **Sources are calibrated, not trusted at face value.** Every piece of evidence is a
  noisy reading of the true level: an assessment by source s, a completed course (the
  course's level) or a past role (the level it required). A source reads a person's
  departure from what their role leads one to expect (the reference: their job profile's
  prior) with a bias a_s, a slope k_s and a noise variance v_s:
  reading = reference + a_s + k_s (true - reference) + noise. Raters drift towards what
  they expect of the role (k < 1: central tendency), a course's level says little about
  how good the person taking it is (k near 0), a past role's requirement says some.
  Formal assessments are the reference instrument (a = 0, k = 1; their own noise from
  repeated formal readings of one (employee, competency)); every other source is measured
  against them wherever both read the same (employee, competency): k_s is the covariance
  of the two departures over the variance of the true one, a_s what is left of the mean,
  v_s the rest of the variance. A reading then counts as reference + (reading - reference
  - a_s) / k_s with precision k_s^2 / v_s. Where formal assessments are too few, pairs of
  sources give biases and variances with k = 1 (least squares on their differences).
- **Evidence per (employee, competency)** is the precision-weighted mean m of the
  corrected readings, precision P = sum of 1 / v, each reading's precision halved every
  HALF_LIFE_DAYS of age (people change).
- **The prior** of a competency for a person is what their job profile predicts: the
  shrunk mean evidence of the profile's holders, itself shrunk towards a regression on
  the level the profile requires (or the competency's mean where it requires nothing).
- **People differ in correlated ways.** The deviations from the prior, m - prior, have a
  covariance across competencies (someone strong in negotiation tends to be strong in
  persuasion), estimated from pairs of competencies observed together, minus the evidence
  noise, and kept as `rank` factors plus a diagonal (a factor-analysis form, positive
  definite by construction).
- **The posterior** of every competency given the person's evidence is the Gaussian
  conditional: prior + Cov(all, observed) (Cov(observed) + noise)^-1 (m - prior), with
  its variance. Well-evidenced competencies stay close to their evidence, thinly
  evidenced ones lean on the prior and on the person's other competencies, and a
  competency without evidence is inferred from both (labelled inferred by the caller).
- **Confidence** is the posterior probability that the true level lies within half a
  level of the estimate: erf(0.5 / (sd * sqrt 2)). `fit` measures it on held-out
  evidence: the share of held-out readings inside the 80% predictive interval.
"""

from __future__ import annotations

import dataclasses
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from scipy import special

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

SOURCES = ("assessment", "manager", "peer", "self", "completion", "role")
REFERENCE_SOURCE = "assessment"
# Before a fit has measured them: a formal assessment reads the level within about half
# a level, a manager a little worse, peers and self-ratings worse still; a completed
# course or a past role says little on its own.
DEFAULT_VARIANCE = {
    "assessment": 0.25,
    "manager": 0.4,
    "peer": 0.6,
    "self": 0.8,
    "completion": 1.2,
    "role": 1.2,
}
MIN_VARIANCE = 0.05
MAX_VARIANCE = 4.0
# Fewer pairs than this between two sources say too little about their difference.
MIN_PAIRS = 30
# A source's slope is kept within these bounds (a slope near 0: its readings count for
# almost nothing).
MIN_SLOPE, MAX_SLOPE = 0.05, 1.5
HALF_LIFE_DAYS = 730.0
# Readings older than a formal assessment of the same competency keep this share of
# their precision.
SUPERSEDED = 0.25
# Shrinkage strengths (in pseudo-observations) of the profile means and the competency
# offsets towards what they are shrunk to.
PROFILE_SHRINKAGE = 5.0
COMPETENCY_SHRINKAGE = 10.0
# Covariances of two competencies observed together fewer times than this are taken as 0;
# more pairs shrink less (n / (n + COVARIANCE_SHRINKAGE)).
MIN_COVARIANCE_PAIRS = 10
COVARIANCE_SHRINKAGE = 20.0
# Evidence with a noise variance above 1 (precision below 1) does not enter the covariance.
COVARIANCE_PRECISION = 1.0
MIN_UNIQUE_VARIANCE = 0.02
MIN_UNIQUE_SHARE = 0.15
# People differ from their role's typical level by at least about 0.4 of a level (sd): a
# floor under the estimated person-level variance, so a small or uniform organisation
# cannot make the prior so tight that a fresh formal assessment barely moves an estimate.
MIN_PERSON_VARIANCE = 0.15
# Evidence at least this precise (noise variance at most 0.5) measures person-level spread.
SHARP_PRECISION = 2.0
NO_PRIOR_VARIANCE = 1.0e6
MIN_LEVEL, MAX_LEVEL = 1.0, 5.0
HOLDOUT_SHARE = 0.05
# Years in the current role: people grow into a role, so the prior of a competency the
# role requires moves with time in it, by an offset per band fitted from the data.
TENURE_BANDS = (1.0, 2.0, 4.0)
TENURE_SHRINKAGE = 20.0


def tenure_band(years: float | None) -> int:
    """0: under a year in the role ... len(TENURE_BANDS): longer; -1: unknown."""
    if years is None or math.isnan(years):
        return -1
    return int(np.searchsorted(TENURE_BANDS, years, side="right"))


INTERVAL_80 = 1.2816  # the standard normal's 90th percentile


def confidence_of(sd: FloatArray | float) -> FloatArray:
    """P(|true level - estimate| <= 0.5) under the posterior."""
    sd_array = np.maximum(np.asarray(sd, dtype=np.float64), 1e-6)
    result: FloatArray = special.erf(0.5 / (sd_array * math.sqrt(2.0)))
    return result


def spread_of(confidence: float) -> float:
    """The standard deviation behind a confidence (the inverse of `confidence_of`); a
    confidence of 0 stands for no knowledge at all (infinite spread)."""
    if confidence <= 0.0:
        return math.inf
    if confidence >= 0.9999:
        return 0.01
    return 0.5 / (math.sqrt(2.0) * float(special.erfinv(confidence)))


@dataclass(frozen=True)
class Calibration:
    """Each source's bias, slope and noise variance (see the module's docstring)."""

    bias: Mapping[str, float]
    variance: Mapping[str, float]
    pairs: Mapping[str, int] = field(default_factory=dict)
    slope: Mapping[str, float] = field(default_factory=dict)
    """How much of a person's departure from their reference a source's readings show
    (1 where not measured)."""
    growth: float = 0.0
    """Levels gained per year: an assessment made t years ago reads growth x t low."""
    spread_scale: float = 1.0
    """Posterior variances times this match the errors against held-out formal
    assessments (see `_spread_scale`)."""

    @classmethod
    def default(cls) -> Calibration:
        return cls(bias=dict.fromkeys(SOURCES, 0.0), variance=dict(DEFAULT_VARIANCE))

    def to_json(self) -> dict[str, Any]:
        """What `skill_model.calibration` stores (and `from_json` reads back)."""
        return {
            "bias": dict(self.bias),
            "variance": dict(self.variance),
            "slope": dict(self.slope),
            "growth_per_year": self.growth,
            "spread_scale": self.spread_scale,
        }

    @classmethod
    def from_json(cls, stored: Mapping[str, Any]) -> Calibration:
        return cls(
            bias=stored.get("bias", {}),
            variance=stored.get("variance", {}),
            slope=stored.get("slope", {}),
            growth=float(stored.get("growth_per_year", 0.0)),
            spread_scale=float(stored.get("spread_scale", 1.0)),
        )

    def bias_of(self, source: str) -> float:
        return float(self.bias.get(source, 0.0))

    def variance_of(self, source: str) -> float:
        return float(self.variance.get(source, DEFAULT_VARIANCE.get(source, 1.0)))

    def slope_of(self, source: str) -> float:
        return float(self.slope.get(source, 1.0))

    def arrays(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Bias, slope and variance by source index (SOURCES' order)."""
        return (
            np.asarray([self.bias_of(s) for s in SOURCES]),
            np.asarray([self.slope_of(s) for s in SOURCES]),
            np.asarray([self.variance_of(s) for s in SOURCES]),
        )


@dataclass(frozen=True)
class Readings:
    """Raw evidence, one entry per reading: whose, of what, from which source, the level it
    points to and its age in days."""

    employee: IntArray
    competency: IntArray
    source: IntArray
    """Index into SOURCES."""
    value: FloatArray
    age_days: FloatArray
    strength: FloatArray
    """How much of a full reading it is (a course's score, the years in a role): scales its
    precision."""


ASSESSING_SOURCES = ("assessment", "manager", "peer", "self")
MAX_GROWTH_PER_YEAR = 0.5


Arrays = TypeVar("Arrays", "Readings", "EvidenceSummary")


def _selected(arrays: Arrays, chosen: npt.NDArray[np.bool_]) -> Arrays:
    """The chosen entries of every array of a Readings or an EvidenceSummary."""
    return dataclasses.replace(
        arrays, **{f.name: getattr(arrays, f.name)[chosen] for f in dataclasses.fields(arrays)}
    )


def growth_per_year(readings: Readings) -> float:
    """How much people's levels rise per year, from repeated readings of one (employee,
    competency) by the same kind of assessor (whose own bias cancels in the difference):
    the least-squares slope of the change against the years between readings."""
    assessing = np.isin(readings.source, [SOURCES.index(s) for s in ASSESSING_SOURCES])
    width = int(readings.competency.max(initial=0)) + 1
    keys = (readings.employee * width + readings.competency) * len(SOURCES) + readings.source
    keys, ages, values = keys[assessing], readings.age_days[assessing], readings.value[assessing]
    order = np.lexsort((-ages, keys))
    keys, ages, values = keys[order], ages[order], values[order]
    same = keys[1:] == keys[:-1]
    years = (ages[:-1] - ages[1:])[same] / 365.25
    change = (values[1:] - values[:-1])[same]
    usable = years > 0.25
    if usable.sum() < MIN_PAIRS:
        return 0.0
    slope = float((change[usable] * years[usable]).sum() / (years[usable] ** 2).sum())
    return float(np.clip(slope, 0.0, MAX_GROWTH_PER_YEAR))


def brought_forward(readings: Readings, growth: float) -> Readings:
    """Assessments as of today: each raised by the growth since it was made."""
    if growth == 0.0:
        return readings
    assessing = np.isin(readings.source, [SOURCES.index(s) for s in ASSESSING_SOURCES])
    shift = np.where(assessing, growth * np.maximum(readings.age_days, 0.0) / 365.25, 0.0)
    return dataclasses.replace(readings, value=readings.value + shift)


def calibrate(readings: Readings) -> Calibration:
    """Source biases and variances from pairs of sources reading the same (employee,
    competency); defaults where the data has too few pairs."""
    n_sources = len(SOURCES)
    keys = readings.employee * (int(readings.competency.max(initial=0)) + 1) + readings.competency
    means: list[tuple[IntArray, FloatArray]] = []
    for s in range(n_sources):
        chosen = readings.source == s
        unique, inverse = np.unique(keys[chosen], return_inverse=True)
        sums = np.bincount(inverse, weights=readings.value[chosen], minlength=len(unique))
        counts = np.bincount(inverse, minlength=len(unique))
        means.append((unique, sums / np.maximum(counts, 1)))
    pair_rows: list[tuple[int, int, float, float, int]] = []
    for s in range(n_sources):
        for t in range(s + 1, n_sources):
            common, i, j = np.intersect1d(means[s][0], means[t][0], return_indices=True)
            if len(common) < MIN_PAIRS:
                continue
            difference = means[s][1][i] - means[t][1][j]
            pair_rows.append((s, t, float(difference.mean()), float(difference.var()), len(common)))
    default = Calibration.default()
    if not pair_rows:
        return default
    reference = SOURCES.index(REFERENCE_SOURCE)
    # Biases: b_s - b_t = mean difference, weighted by pair counts, b_reference = 0.
    rows = []
    targets = []
    weights = []
    for s, t, mean, _, n in pair_rows:
        row = np.zeros(n_sources)
        row[s], row[t] = 1.0, -1.0
        rows.append(row)
        targets.append(mean)
        weights.append(math.sqrt(n))
    anchor = np.zeros(n_sources)
    anchor[reference] = 1.0
    rows.append(anchor)
    targets.append(0.0)
    weights.append(1000.0)
    # Sources without any pair keep bias 0 (a weak pull towards it).
    for s in range(n_sources):
        prior_row = np.zeros(n_sources)
        prior_row[s] = 1.0
        rows.append(prior_row)
        targets.append(0.0)
        weights.append(0.01)
    w = np.asarray(weights)[:, None]
    bias, *_ = np.linalg.lstsq(np.asarray(rows) * w, np.asarray(targets) * w[:, 0], rcond=None)
    # Variances: Var(s - t) = v_s + v_t.
    rows = []
    targets = []
    weights = []
    for s, t, _, variance, n in pair_rows:
        row = np.zeros(n_sources)
        row[s] = row[t] = 1.0
        rows.append(row)
        targets.append(variance)
        weights.append(math.sqrt(n))
    for s in range(n_sources):
        prior_row = np.zeros(n_sources)
        prior_row[s] = 1.0
        rows.append(prior_row)
        targets.append(DEFAULT_VARIANCE[SOURCES[s]])
        weights.append(0.05)
    w = np.asarray(weights)[:, None]
    variance, *_ = np.linalg.lstsq(np.asarray(rows) * w, np.asarray(targets) * w[:, 0], rcond=None)
    paired: dict[str, int] = {}
    for s, t, _, _, n in pair_rows:
        paired[SOURCES[s]] = paired.get(SOURCES[s], 0) + n
        paired[SOURCES[t]] = paired.get(SOURCES[t], 0) + n
    return Calibration(
        bias={
            name: round(float(bias[i]), 4) if name in paired else 0.0
            for i, name in enumerate(SOURCES)
        },
        variance={
            name: round(float(np.clip(variance[i], MIN_VARIANCE, MAX_VARIANCE)), 4)
            if name in paired
            else DEFAULT_VARIANCE[name]
            for i, name in enumerate(SOURCES)
        },
        pairs=paired,
    )


@dataclass(frozen=True)
class EvidenceSummary:
    """Per (employee, competency) with evidence: the precision-weighted mean of the
    corrected readings and its precision, with how many readings and the latest's age."""

    employee: IntArray
    competency: IntArray
    mean: FloatArray
    precision: FloatArray
    count: IntArray
    newest_age_days: FloatArray


def reading_precision(readings: Readings, calibration: Calibration) -> FloatArray:
    """How much each reading counts: its strength times its source's slope squared over
    its noise variance (the precision of the reading on the true scale), halved every
    HALF_LIFE_DAYS of age, and SUPERSEDED when a formal assessment of the same (employee,
    competency) came after it (the assessor saw what the courses taught, what the roles
    demanded and what earlier ratings said)."""
    _, slope, variance = calibration.arrays()
    precision: FloatArray = (
        np.power(0.5, np.maximum(readings.age_days, 0.0) / HALF_LIFE_DAYS)
        * np.maximum(readings.strength, 0.0)
        * slope[readings.source] ** 2
        / variance[readings.source]
    )
    width = int(readings.competency.max(initial=0)) + 1
    keys = readings.employee * width + readings.competency
    formal = readings.source == SOURCES.index(REFERENCE_SOURCE)
    if formal.any():
        latest_keys = np.unique(keys[formal])
        newest_formal = np.full(len(latest_keys), np.inf)
        np.minimum.at(
            newest_formal, np.searchsorted(latest_keys, keys[formal]), readings.age_days[formal]
        )
        position = np.clip(np.searchsorted(latest_keys, keys), 0, len(latest_keys) - 1)
        assessed = latest_keys[position] == keys
        older = assessed & (readings.age_days > newest_formal[position])
        precision = np.where(older, precision * SUPERSEDED, precision)
    return precision


def corrected_values(
    readings: Readings, calibration: Calibration, reference: FloatArray | None
) -> FloatArray:
    """Each reading (brought forward) on the true scale: reference + (reading - reference
    - bias) / slope. `reference` is the level each reading's person is expected to have
    (their job profile's prior); without one, biases are removed and slopes ignored."""
    bias, slope, _ = calibration.arrays()
    debiased = readings.value - bias[readings.source]
    if reference is None:
        return debiased
    corrected: FloatArray = np.where(
        np.isnan(reference), debiased, reference + (debiased - reference) / slope[readings.source]
    )
    return corrected


def _pair_means(
    keys: IntArray, values: FloatArray, chosen: npt.NDArray[np.bool_]
) -> tuple[IntArray, FloatArray, IntArray]:
    """Per key among the chosen readings: the key, the mean value and the count."""
    unique, inverse = np.unique(keys[chosen], return_inverse=True)
    counts = np.bincount(inverse, minlength=len(unique))
    sums = np.bincount(inverse, weights=values[chosen], minlength=len(unique))
    return unique, sums / np.maximum(counts, 1), counts


def against_formal(
    readings: Readings, reference: FloatArray, calibration: Calibration
) -> Calibration:
    """Each source's bias, slope and noise variance measured against formal assessments
    (see the module's docstring); sources read together with formal assessments on fewer
    than MIN_PAIRS (employee, competency) pairs, and everything when formal assessments
    are too few to measure their own noise, keep `calibration`'s (the pairwise one)."""
    readings = brought_forward(readings, calibration.growth)
    width = int(readings.competency.max(initial=0)) + 1
    keys = readings.employee * width + readings.competency
    departure = readings.value - reference
    usable = ~np.isnan(reference)
    formal_index = SOURCES.index(REFERENCE_SOURCE)
    formal_keys, formal_mean, formal_count = _pair_means(
        keys, departure, usable & (readings.source == formal_index)
    )
    # The formal instrument's own noise: spread of repeated formal readings of one
    # (employee, competency) around their mean.
    formal = usable & (readings.source == formal_index)
    position = np.searchsorted(formal_keys, keys[formal])
    spread = (departure[formal] - formal_mean[position]) ** 2
    repeated = formal_count > 1
    if repeated.sum() < MIN_PAIRS:
        return calibration
    formal_variance = float(spread.sum() / (formal_count[repeated] - 1).sum())
    bias, slope, variance = dict(calibration.bias), {}, dict(calibration.variance)
    variance[REFERENCE_SOURCE] = round(max(formal_variance, MIN_VARIANCE), 4)
    bias[REFERENCE_SOURCE] = 0.0
    for index, source in enumerate(SOURCES):
        if source == REFERENCE_SOURCE:
            continue
        own_keys, own_mean, own_count = _pair_means(
            keys, departure, usable & (readings.source == index)
        )
        _, i, j = np.intersect1d(own_keys, formal_keys, return_indices=True)
        if len(i) < MIN_PAIRS:
            continue
        theirs, formal_side = own_mean[i], formal_mean[j]
        true_variance = float(formal_side.var() - np.mean(formal_variance / formal_count[j]))
        if true_variance <= 0.0:
            continue
        k = float(np.clip(np.cov(theirs, formal_side)[0, 1] / true_variance, MIN_SLOPE, MAX_SLOPE))
        slope[source] = round(k, 4)
        bias[source] = round(float((theirs - k * formal_side).mean()), 4)
        # What is left of their variance is the noise of a mean of own_count readings.
        left = float(theirs.var() - k * k * true_variance)
        per_reading = left * float(np.mean(own_count[i]))
        variance[source] = round(float(np.clip(per_reading, MIN_VARIANCE, MAX_VARIANCE)), 4)
    return dataclasses.replace(calibration, bias=bias, slope=slope, variance=variance)


def summarise(
    readings: Readings, calibration: Calibration, reference: FloatArray | None = None
) -> EvidenceSummary:
    """The evidence of every (employee, competency): the precision-weighted mean of its
    corrected readings (`corrected_values`; `reference` per reading) and that precision."""
    readings = brought_forward(readings, calibration.growth)
    corrected = corrected_values(readings, calibration, reference)
    precision = reading_precision(readings, calibration)
    width = int(readings.competency.max(initial=0)) + 1
    keys = readings.employee * width + readings.competency
    keep = precision > 0
    keys, precision, corrected = keys[keep], precision[keep], corrected[keep]
    ages = readings.age_days[keep]
    unique, inverse = np.unique(keys, return_inverse=True)
    total = np.bincount(inverse, weights=precision, minlength=len(unique))
    weighted = np.bincount(inverse, weights=precision * corrected, minlength=len(unique))
    counts = np.bincount(inverse, minlength=len(unique))
    newest = np.full(len(unique), np.inf)
    np.minimum.at(newest, inverse, ages)
    return EvidenceSummary(
        employee=unique // width,
        competency=unique % width,
        mean=weighted / np.maximum(total, 1e-12),
        precision=total.astype(np.float64),
        count=counts.astype(np.int64),
        newest_age_days=newest,
    )


@dataclass(frozen=True)
class Posterior:
    level: float
    sd: float

    @property
    def confidence(self) -> float:
        return float(confidence_of(self.sd))


@dataclass(frozen=True)
class SkillPriorModel:
    """What a refit stores: calibration, the prior mean of every (job profile,
    competency), and the covariance of people's deviations from it (loadings x loadings'
    + diagonal)."""

    competency_codes: list[str]
    profile_codes: list[str]
    prior_means: FloatArray
    """(profiles + 1) x competencies; the last row is for people without a job profile."""
    loadings: FloatArray
    """competencies x rank."""
    unique_variance: FloatArray
    calibration: Calibration
    required: npt.NDArray[np.bool_]
    """(profiles + 1) x competencies: which competencies each profile requires."""
    tenure_shift: FloatArray
    """Prior offset of a required competency per band of years in the role."""
    metrics: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "competency_index", {c: i for i, c in enumerate(self.competency_codes)}
        )
        object.__setattr__(self, "profile_index", {p: i for i, p in enumerate(self.profile_codes)})

    competency_index: dict[str, int] = field(init=False, repr=False, compare=False)
    profile_index: dict[str, int] = field(init=False, repr=False, compare=False)

    def prior_row(self, profile: str | None, tenure_years: float | None = None) -> FloatArray:
        row: FloatArray = self.prior_block([profile], [tenure_years])[0]
        return row

    def profile_row(self, profile: str | None) -> int:
        """The row of `prior_means` of a job profile (the last row: none or unknown)."""
        return self.profile_index.get(profile or "", len(self.profile_codes))

    def references(self, profile_rows: IntArray, competency: IntArray) -> FloatArray:
        """The reference level of each reading (`corrected_values`): the prior of its
        competency in its person's profile row, NaN for a competency the model lacks."""
        known = (competency >= 0) & (competency < len(self.competency_codes))
        reference = np.full(len(competency), np.nan)
        reference[known] = self.prior_means[profile_rows[known], competency[known]]
        return reference

    def reached_by_profile(
        self, requirements: Sequence[tuple[str, float, float]], *, missing_level: float
    ) -> tuple[dict[str, float], float]:
        """For requirements (competency, required level, importance): per job profile, and
        for people without one, the importance-weighted sum of min(prior, required level)
        (a competency the model does not know counts at `missing_level`)."""
        columns = [self.competency_index.get(code, -1) for code, _, _ in requirements]
        known = np.asarray([c >= 0 for c in columns])
        levels = np.full((len(self.prior_means), len(requirements)), missing_level)
        levels[:, known] = self.prior_means[:, [c for c in columns if c >= 0]]
        required = np.asarray([r for _, r, _ in requirements], dtype=np.float64)
        importance = np.asarray([i for _, _, i in requirements], dtype=np.float64)
        reached = np.minimum(levels, required) @ importance
        return dict(zip(self.profile_codes, reached[:-1].tolist(), strict=True)), float(reached[-1])

    def prior_of(
        self, profile: str | None, competency: str, tenure_years: float | None = None
    ) -> float | None:
        i = self.competency_index.get(competency)
        return None if i is None else float(self.prior_row(profile, tenure_years)[i])

    def posterior_arrays(
        self,
        profile: str | None,
        observed: IntArray,
        means: FloatArray,
        precisions: FloatArray,
        wanted: IntArray,
        tenure_years: float | None = None,
    ) -> tuple[FloatArray, FloatArray]:
        """Posterior means and standard deviations of the `wanted` competency indexes,
        given evidence (mean, precision) on the `observed` ones."""
        prior = self.prior_row(profile, tenure_years)
        loadings_w = self.loadings[wanted]
        prior_variance = (loadings_w**2).sum(axis=1) + self.unique_variance[wanted]
        if len(observed) == 0:
            return prior[wanted].copy(), np.sqrt(prior_variance * self.calibration.spread_scale)
        loadings_o = self.loadings[observed]
        system = loadings_o @ loadings_o.T
        system[np.diag_indices_from(system)] += self.unique_variance[observed] + 1.0 / precisions
        cross = loadings_w @ loadings_o.T
        same = wanted[:, None] == observed[None, :]
        cross = cross + same * self.unique_variance[wanted][:, None]
        deviation = means - prior[observed]
        solved = np.linalg.solve(system, np.column_stack([deviation, cross.T]))
        level = prior[wanted] + cross @ solved[:, 0]
        variance = prior_variance - np.einsum("ij,ji->i", cross, solved[:, 1:])
        return level, np.sqrt(np.maximum(variance, 1e-6) * self.calibration.spread_scale)

    def posterior(
        self,
        profile: str | None,
        evidence: Mapping[str, tuple[float, float]],
        wanted: Sequence[str],
        tenure_years: float | None = None,
    ) -> dict[str, Posterior]:
        """Posteriors of the `wanted` competencies (known to the model) from the
        person's evidence: competency code -> (mean of corrected readings, precision)."""
        known = [
            (self.competency_index[c], m, p)
            for c, (m, p) in evidence.items()
            if c in self.competency_index
        ]
        codes = [c for c in wanted if c in self.competency_index]
        if not codes:
            return {}
        observed = np.asarray([i for i, _, _ in known], dtype=np.int64)
        level, sd = self.posterior_arrays(
            profile,
            observed,
            np.asarray([m for _, m, _ in known], dtype=np.float64),
            np.asarray([p for _, _, p in known], dtype=np.float64),
            np.asarray([self.competency_index[c] for c in codes], dtype=np.int64),
            tenure_years,
        )
        return {
            code: Posterior(float(np.clip(level[i], MIN_LEVEL, MAX_LEVEL)), float(sd[i]))
            for i, code in enumerate(codes)
        }

    def prior_block(
        self, profiles: Sequence[str | None], tenure_years: Sequence[float | None]
    ) -> FloatArray:
        """`prior_row` of several people at once: people x competencies."""
        rows = np.asarray([self.profile_row(p) for p in profiles], dtype=np.int64)
        bands = np.asarray([tenure_band(t) for t in tenure_years], dtype=np.int64)
        shift = np.zeros(len(rows))
        usable = (bands >= 0) & (bands < len(self.tenure_shift))
        shift[usable] = self.tenure_shift[bands[usable]]
        prior: FloatArray = np.clip(
            self.prior_means[rows] + shift[:, None] * self.required[rows], MIN_LEVEL, MAX_LEVEL
        )
        return prior

    def posterior_block(
        self,
        profiles: Sequence[str | None],
        tenure_years: Sequence[float | None],
        competencies: IntArray,
        means: FloatArray,
        precisions: FloatArray,
    ) -> tuple[FloatArray, FloatArray]:
        """Posteriors of the same few competencies (model indexes) for many people at
        once, each from their evidence on those competencies alone: `means` and
        `precisions` are people x competencies, precision 0 where there is none. The
        Gaussian conditional on a subset of competencies needs only their block of the
        covariance, so this is `posterior_arrays` restricted to them, in the information
        form (prior precision + evidence precision) and one batched inverse instead of a
        solve per person."""
        prior = self.prior_block(profiles, tenure_years)[:, competencies]
        loadings = self.loadings[competencies]
        covariance = loadings @ loadings.T + np.diag(self.unique_variance[competencies])
        prior_precision = np.linalg.inv(covariance)
        information = prior_precision[None, :, :] + precisions[:, :, None] * np.eye(
            len(competencies)
        )
        posterior_covariance = np.linalg.inv(information)
        pulled = prior @ prior_precision.T + precisions * np.where(precisions > 0, means, 0.0)
        level = np.einsum("nij,nj->ni", posterior_covariance, pulled)
        variance = np.einsum("nii->ni", posterior_covariance)
        return (
            np.clip(level, MIN_LEVEL, MAX_LEVEL),
            np.sqrt(np.maximum(variance, 1e-6) * self.calibration.spread_scale),
        )

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.savez(
            buffer,
            prior_means=self.prior_means.astype(np.float32),
            loadings=self.loadings.astype(np.float32),
            unique_variance=self.unique_variance.astype(np.float32),
            required=self.required,
            tenure_shift=self.tenure_shift.astype(np.float32),
        )
        return buffer.getvalue()

    @classmethod
    def from_stored(
        cls,
        data: bytes,
        *,
        competency_codes: list[str],
        profile_codes: list[str],
        calibration: Calibration,
    ) -> SkillPriorModel:
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            return cls(
                competency_codes=competency_codes,
                profile_codes=profile_codes,
                prior_means=arrays["prior_means"].astype(np.float64),
                loadings=arrays["loadings"].astype(np.float64),
                unique_variance=arrays["unique_variance"].astype(np.float64),
                calibration=calibration,
                required=arrays["required"].astype(bool),
                tenure_shift=arrays["tenure_shift"].astype(np.float64),
            )


def _profile_rows(profile: IntArray, n_profiles: int) -> IntArray:
    """Rows of `prior_means` for profile indexes (-1, no profile: the last row)."""
    rows: IntArray = np.where(profile < 0, n_profiles, profile)
    return rows


@dataclass(frozen=True)
class Requirements:
    """Job profiles' required levels: profile index, competency index, level."""

    profile: IntArray
    competency: IntArray
    level: FloatArray


def _profile_priors(
    summary: EvidenceSummary,
    employee_profile: IntArray,
    requirements: Requirements,
    n_profiles: int,
    n_competencies: int,
) -> FloatArray:
    required = np.zeros((n_profiles + 1, n_competencies))
    required[requirements.profile, requirements.competency] = requirements.level
    profile = employee_profile[summary.employee]
    profile = np.where(profile < 0, n_profiles, profile)
    level = required[profile, summary.competency]
    reliability = summary.precision / (summary.precision + 2.0)
    m = summary.mean
    is_required = level > 0
    # Required pairs: evidence ~ a + b * required level + competency offset.
    if is_required.sum() >= 10 and np.ptp(level[is_required]) > 0:
        w = reliability[is_required]
        x = level[is_required]
        design = np.column_stack([np.ones_like(x), x]) * np.sqrt(w)[:, None]
        (intercept, slope), *_ = np.linalg.lstsq(design, m[is_required] * np.sqrt(w), rcond=None)
    else:
        intercept, slope = (float(m[is_required].mean()) if is_required.any() else 3.0), 0.0
    residual = m - (intercept + slope * level)
    offset_sum = np.bincount(
        summary.competency[is_required],
        weights=(reliability * residual)[is_required],
        minlength=n_competencies,
    )
    offset_weight = np.bincount(
        summary.competency[is_required], weights=reliability[is_required], minlength=n_competencies
    )
    offset = offset_sum / (offset_weight + COMPETENCY_SHRINKAGE)
    # Not required: the competency's mean among people whose profile does not require it.
    free = ~is_required
    overall = float(np.average(m[free], weights=reliability[free])) if free.any() else 3.0
    free_sum = np.bincount(
        summary.competency[free], weights=(reliability * m)[free], minlength=n_competencies
    )
    free_weight = np.bincount(
        summary.competency[free], weights=reliability[free], minlength=n_competencies
    )
    not_required = (free_sum + COMPETENCY_SHRINKAGE * overall) / (
        free_weight + COMPETENCY_SHRINKAGE
    )
    expected = np.where(
        required > 0, intercept + slope * required + offset[None, :], not_required[None, :]
    )
    cell_sum = np.zeros((n_profiles + 1, n_competencies))
    cell_weight = np.zeros((n_profiles + 1, n_competencies))
    np.add.at(cell_sum, (profile, summary.competency), reliability * m)
    np.add.at(cell_weight, (profile, summary.competency), reliability)
    priors: FloatArray = (cell_sum + PROFILE_SHRINKAGE * expected) / (
        cell_weight + PROFILE_SHRINKAGE
    )
    # People without a profile: the competency's overall mean.
    all_sum = np.bincount(summary.competency, weights=reliability * m, minlength=n_competencies)
    all_weight = np.bincount(summary.competency, weights=reliability, minlength=n_competencies)
    priors[n_profiles] = (all_sum + COMPETENCY_SHRINKAGE * overall) / (
        all_weight + COMPETENCY_SHRINKAGE
    )
    return np.clip(priors, MIN_LEVEL, MAX_LEVEL)


def _tenure_shift(
    readings: Readings,
    corrected: FloatArray,
    priors: FloatArray,
    employee_profile: IntArray,
    employee_tenure: FloatArray,
    required: npt.NDArray[np.bool_],
    n_profiles: int,
) -> FloatArray:
    """The prior offset of a required competency per band of years in the role, from
    readings made during the current role, banded by the years in it when they were made:
    formal assessments where there are enough (other assessors compress towards the
    role's expectation), else every calibrated assessment (`corrected`: each reading on
    the true scale, not brought forward)."""
    profile = _profile_rows(employee_profile[readings.employee], n_profiles)
    years_then = employee_tenure[readings.employee] - readings.age_days / 365.25
    in_role = ~np.isnan(years_then) & (years_then >= 0)
    on_requirement = required[profile, readings.competency] & in_role
    formal = readings.source == SOURCES.index(REFERENCE_SOURCE)
    assessing = np.isin(readings.source, [SOURCES.index(s) for s in ASSESSING_SOURCES])
    chosen = on_requirement & (formal if (on_requirement & formal).sum() >= 200 else assessing)
    residual = corrected[chosen] - priors[profile[chosen], readings.competency[chosen]]
    bands = np.asarray([tenure_band(float(y)) for y in years_then[chosen]], dtype=np.int64)
    shift = np.zeros(len(TENURE_BANDS) + 1)
    for b in range(len(shift)):
        values = residual[bands == b]
        shift[b] = float(values.sum() / (len(values) + TENURE_SHRINKAGE))
    return shift


def _covariance_factors(
    summary: EvidenceSummary,
    deviation: FloatArray,
    n_employees: int,
    n_competencies: int,
    rank: int,
) -> tuple[FloatArray, FloatArray]:
    from scipy import sparse

    # Only evidence at least this precise: a thinly evidenced departure (a course or two,
    # an old rating) is mostly noise, and its square would swamp the products.
    precise = summary.precision >= COVARIANCE_PRECISION
    summary = _selected(summary, precise)
    deviation = deviation[precise]
    values = sparse.csr_matrix(
        (deviation, (summary.employee, summary.competency)), shape=(n_employees, n_competencies)
    )
    present = sparse.csr_matrix(
        (np.ones_like(deviation), (summary.employee, summary.competency)),
        shape=(n_employees, n_competencies),
    )
    products = np.asarray((values.T @ values).todense())
    counts = np.asarray((present.T @ present).todense())
    covariance = np.where(counts >= MIN_COVARIANCE_PAIRS, products / np.maximum(counts, 1), 0.0)
    off_diagonal = ~np.eye(n_competencies, dtype=bool)
    covariance[off_diagonal] *= (counts / (counts + COVARIANCE_SHRINKAGE))[off_diagonal]
    # A competency's person-level variance: the squared deviations minus their evidence
    # noise, from well-evidenced pairs only (old or indirect readings have a noise
    # variance that would swamp the difference).
    sharp = summary.precision >= SHARP_PRECISION
    excess = np.bincount(
        summary.competency[sharp],
        weights=(deviation**2 - 1.0 / summary.precision)[sharp],
        minlength=n_competencies,
    )
    sharp_counts = np.bincount(summary.competency[sharp], minlength=n_competencies)
    diagonal = np.maximum(excess / np.maximum(sharp_counts, 1), MIN_PERSON_VARIANCE)
    # Competencies seen too rarely: the median of the others.
    rare = sharp_counts < MIN_COVARIANCE_PAIRS
    if (~rare).any():
        diagonal[rare] = float(np.median(diagonal[~rare]))
    else:
        diagonal[:] = 0.5
    np.fill_diagonal(covariance, diagonal)
    eigenvalues, eigenvectors = np.linalg.eigh(covariance)
    order = np.argsort(eigenvalues)[::-1][: max(0, min(rank, n_competencies - 1))]
    kept = eigenvalues[order] > 1e-6
    loadings = eigenvectors[:, order[kept]] * np.sqrt(eigenvalues[order[kept]])
    # Every competency keeps a share of its own: however well the others predict it, a
    # reading of it still tells something they do not (and sampling noise in a small
    # organisation's covariance cannot make its own evidence worthless).
    shared = (loadings**2).sum(axis=1)
    cap = (1.0 - MIN_UNIQUE_SHARE) * diagonal
    loadings = loadings * np.sqrt(np.minimum(1.0, cap / np.maximum(shared, 1e-12)))[:, None]
    unique = np.maximum(diagonal - (loadings**2).sum(axis=1), MIN_UNIQUE_VARIANCE)
    return loadings, unique


def fit(
    readings: Readings,
    *,
    employee_profile: IntArray,
    requirements: Requirements,
    competency_codes: list[str],
    profile_codes: list[str],
    rank: int,
    employee_tenure: FloatArray | None = None,
    seed: int = 0,
) -> tuple[SkillPriorModel, EvidenceSummary]:
    """Calibrate the sources, summarise the evidence and fit priors and covariance.
    `employee_profile[e]` is the profile index of employee index e (-1: none),
    `employee_tenure[e]` their years in that role (nan: unknown)."""
    growth = growth_per_year(readings)
    calibration = dataclasses.replace(
        calibrate(brought_forward(readings, growth)), growth=round(growth, 4)
    )
    n_profiles, n_competencies = len(profile_codes), len(competency_codes)
    n_employees = int(employee_profile.shape[0])
    rows = _profile_rows(employee_profile[readings.employee], n_profiles)
    # Priors from the pairwise calibration serve as the reference the sources are measured
    # against; the priors from the calibrated evidence are the model's (and the reference
    # its evidence is summarised against, as when estimates are served).
    summary = summarise(readings, calibration)
    priors = _profile_priors(summary, employee_profile, requirements, n_profiles, n_competencies)
    calibration = against_formal(readings, priors[rows, readings.competency], calibration)
    summary = summarise(readings, calibration, priors[rows, readings.competency])
    priors = _profile_priors(summary, employee_profile, requirements, n_profiles, n_competencies)
    reference = priors[rows, readings.competency]
    summary = summarise(readings, calibration, reference)
    profile = employee_profile[summary.employee]
    profile = np.where(profile < 0, n_profiles, profile)
    required = np.zeros((n_profiles + 1, n_competencies), dtype=bool)
    required[requirements.profile, requirements.competency] = True
    if employee_tenure is None:
        employee_tenure = np.full(n_employees, np.nan)
    bands = np.asarray([tenure_band(float(t)) for t in employee_tenure], dtype=np.int64)
    deviation = summary.mean - priors[profile, summary.competency]
    is_required = required[profile, summary.competency]
    band = bands[summary.employee]
    shift = _tenure_shift(
        readings,
        corrected_values(readings, calibration, reference),
        priors,
        employee_profile,
        employee_tenure,
        required,
        n_profiles,
    )
    deviation = deviation - np.where(is_required & (band >= 0), shift[np.maximum(band, 0)], 0.0)
    loadings, unique = _covariance_factors(summary, deviation, n_employees, n_competencies, rank)
    model = SkillPriorModel(
        competency_codes=competency_codes,
        profile_codes=profile_codes,
        prior_means=priors,
        loadings=loadings,
        unique_variance=unique,
        calibration=calibration,
        required=required,
        tenure_shift=shift,
    )
    scale = _spread_scale(model, readings, employee_profile, employee_tenure, seed=seed)
    model = dataclasses.replace(
        model, calibration=dataclasses.replace(calibration, spread_scale=round(scale, 4))
    )
    model.metrics.update(_held_out(model, summary, employee_profile, employee_tenure, seed=seed))
    return model, summary


MAX_SPREAD_SCALE = 10.0
SPREAD_SAMPLE = 3000


def _spread_scale(
    model: SkillPriorModel,
    readings: Readings,
    employee_profile: IntArray,
    employee_tenure: FloatArray,
    *,
    seed: int,
) -> float:
    """How much the posterior variance must grow to match reality. Formal assessments are
    held out in turn: for up to SPREAD_SAMPLE (employee, competency) pairs with one, the
    posterior from everything else the person has (their other readings of it included,
    formal readings of other competencies too) is compared with the formal mean. The
    mean squared error, less the formal readings' own noise, over the mean posterior
    variance is the factor (at least 1: readings that share a person's own bias, like
    self-ratings, are less independent than the model assumes, never more)."""
    formal = readings.source == SOURCES.index(REFERENCE_SOURCE)
    if formal.sum() < MIN_PAIRS:
        return 1.0
    width = int(readings.competency.max(initial=0)) + 1
    keys = readings.employee * width + readings.competency
    targets = np.unique(keys[formal])
    rng = np.random.default_rng(seed)
    if len(targets) > SPREAD_SAMPLE:
        targets = rng.choice(targets, SPREAD_SAMPLE, replace=False)
    chosen = np.isin(readings.employee, targets // width)
    subset = _selected(readings, chosen)
    subset_keys = keys[chosen]
    subset_formal = formal[chosen]
    variance_formal = model.calibration.variance_of(REFERENCE_SOURCE)
    errors, variances = [], []
    for key in targets:
        own = subset.employee == key // width
        held = own & (subset_keys == key) & subset_formal
        rest = own & ~held
        actual = brought_forward(_selected(subset, held), model.calibration.growth).value.mean()
        others = _selected(subset, rest)
        profile_index = int(employee_profile[key // width])
        row = profile_index if profile_index >= 0 else len(model.profile_codes)
        summary = summarise(
            dataclasses.replace(others, employee=np.zeros(len(others.value), dtype=np.int64)),
            model.calibration,
            model.references(np.full(len(others.value), row), others.competency),
        )
        level, sd = model.posterior_arrays(
            model.profile_codes[profile_index] if profile_index >= 0 else None,
            summary.competency,
            summary.mean,
            summary.precision,
            np.asarray([key % width], dtype=np.int64),
            float(employee_tenure[key // width]),
        )
        errors.append((float(np.clip(level[0], MIN_LEVEL, MAX_LEVEL)) - actual) ** 2)
        # The formal mean's own noise is not the posterior's error.
        errors[-1] -= variance_formal / int(held.sum())
        variances.append(float(sd[0]) ** 2 / model.calibration.spread_scale)
    excess = float(np.mean(errors))
    return float(np.clip(excess / max(float(np.mean(variances)), 1e-6), 1.0, MAX_SPREAD_SCALE))


def _held_out(
    model: SkillPriorModel,
    summary: EvidenceSummary,
    employee_profile: IntArray,
    employee_tenure: FloatArray,
    *,
    seed: int,
) -> dict[str, float]:
    """Leave-one-out on a random HOLDOUT_SHARE of (employee, competency) evidence (of
    at least COVARIANCE_PRECISION, so that the held-out mean says something): the
    posterior from the person's other evidence against the held-out evidence mean (MAE,
    next to the profile prior's), and the share of held-out means inside the 80%
    predictive interval (posterior variance + that evidence's own noise)."""
    rng = np.random.default_rng(seed)
    candidates = (rng.random(len(summary.employee)) < HOLDOUT_SHARE) & (
        summary.precision >= COVARIANCE_PRECISION
    )
    held = np.flatnonzero(candidates)[:5000]
    if len(held) == 0:
        return {}
    starts = np.searchsorted(summary.employee, summary.employee[held], side="left")
    ends = np.searchsorted(summary.employee, summary.employee[held], side="right")
    errors, prior_errors, inside = [], [], 0
    for h, start, end in zip(held, starts, ends, strict=True):
        others = np.asarray([i for i in range(start, end) if i != h], dtype=np.int64)
        profile_index = int(employee_profile[summary.employee[h]])
        profile = model.profile_codes[profile_index] if profile_index >= 0 else None
        tenure = float(employee_tenure[summary.employee[h]])
        level, sd = model.posterior_arrays(
            profile,
            summary.competency[others],
            summary.mean[others],
            summary.precision[others],
            summary.competency[h : h + 1],
            tenure,
        )
        actual = summary.mean[h]
        estimate = float(np.clip(level[0], MIN_LEVEL, MAX_LEVEL))
        errors.append(abs(estimate - actual))
        prior_errors.append(
            abs(float(model.prior_row(profile, tenure)[summary.competency[h]]) - actual)
        )
        spread = math.sqrt(float(sd[0]) ** 2 + 1.0 / float(summary.precision[h]))
        inside += abs(estimate - actual) <= INTERVAL_80 * spread
    return {
        "heldout_entries": float(len(held)),
        "heldout_mae": float(np.mean(errors)),
        "heldout_mae_profile_prior": float(np.mean(prior_errors)),
        "heldout_coverage_80": float(inside) / len(held),
    }
