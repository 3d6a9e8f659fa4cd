"""Ranking metrics at k, for one list against a set of relevant items."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np


def precision_at(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    return sum(1 for item in ranked[:k] if item in relevant) / k


def recall_at(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    if not relevant:
        return 0.0
    return sum(1 for item in ranked[:k] if item in relevant) / len(relevant)


def ndcg_at(
    ranked: Sequence[str], relevant: set[str], k: int, gains: Mapping[str, float] | None = None
) -> float:
    """Binary relevance, or graded by `gains` (item -> gain, relevant items only)."""
    if gains is None:
        gains = dict.fromkeys(relevant, 1.0)
    dcg = sum(gains.get(item, 0.0) / math.log2(i + 2) for i, item in enumerate(ranked[:k]))
    best = sorted(gains.values(), reverse=True)[:k]
    ideal = sum(g / math.log2(i + 2) for i, g in enumerate(best))
    return dcg / ideal if ideal else 0.0


def reciprocal_rank(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    for i, item in enumerate(ranked[:k]):
        if item in relevant:
            return 1.0 / (i + 1)
    return 0.0


METRICS = ("precision", "recall", "ndcg", "mrr")
BOOTSTRAP_SAMPLES = 2000


@dataclass
class RankingScores:
    """Each metric of every list added, in the order added: two methods scored on the same
    lists can be compared list by list (`difference_interval`)."""

    k: int
    values: dict[str, list[float]] = field(default_factory=lambda: {m: [] for m in METRICS})

    @property
    def lists(self) -> int:
        return len(self.values["precision"])

    def add(
        self, ranked: Sequence[str], relevant: set[str], gains: Mapping[str, float] | None = None
    ) -> None:
        self.values["precision"].append(precision_at(ranked, relevant, self.k))
        self.values["recall"].append(recall_at(ranked, relevant, self.k))
        self.values["ndcg"].append(ndcg_at(ranked, relevant, self.k, gains))
        self.values["mrr"].append(reciprocal_rank(ranked, relevant, self.k))

    def means(self) -> dict[str, float]:
        return {
            name: sum(values) / len(values) if values else 0.0
            for name, values in self.values.items()
        }


def difference_interval(
    ours: Sequence[float],
    theirs: Sequence[float],
    *,
    confidence: float = 0.95,
    samples: int = BOOTSTRAP_SAMPLES,
    seed: int = 0,
) -> tuple[float, float]:
    """A paired percentile-bootstrap interval of mean(ours - theirs): the lists (one per
    employee or appointment) are resampled with replacement, keeping each list's two scores
    together. An interval above 0 says the difference is not the luck of which employees
    happened to be held out."""
    if len(ours) != len(theirs):
        raise ValueError(f"paired scores differ in length: {len(ours)} and {len(theirs)}")
    if not ours:
        return (0.0, 0.0)
    differences = np.asarray(ours, dtype=np.float64) - np.asarray(theirs, dtype=np.float64)
    rng = np.random.default_rng(seed)
    means = np.empty(samples)
    for start in range(0, samples, 100):  # 100 resamples at a time bounds the memory
        rows = min(100, samples - start)
        picks = rng.integers(0, len(differences), size=(rows, len(differences)))
        means[start : start + rows] = differences[picks].mean(axis=1)
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(means, [tail, 1.0 - tail])
    return (float(low), float(high))


def leads_over_baselines(
    scores: dict[str, RankingScores], *, seed: int = 0, ours: str = "recommender"
) -> dict[str, dict[str, tuple[float, float]]]:
    """Per baseline and metric: the paired bootstrap interval of `ours` minus it."""
    mine = scores[ours]
    return {
        name: {
            metric: difference_interval(mine.values[metric], theirs.values[metric], seed=seed)
            for metric in mine.values
        }
        for name, theirs in scores.items()
        if name != ours
    }
