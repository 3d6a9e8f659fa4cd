"""Ranking metrics at k, for one list against a set of relevant items."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field


def precision_at(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    return sum(1 for item in ranked[:k] if item in relevant) / k


def recall_at(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    if not relevant:
        return 0.0
    return sum(1 for item in ranked[:k] if item in relevant) / len(relevant)


def ndcg_at(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    dcg = sum(1.0 / math.log2(i + 2) for i, item in enumerate(ranked[:k]) if item in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal if ideal else 0.0


def reciprocal_rank(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    for i, item in enumerate(ranked[:k]):
        if item in relevant:
            return 1.0 / (i + 1)
    return 0.0


@dataclass
class RankingScores:
    k: int
    lists: int = 0
    sums: dict[str, float] = field(
        default_factory=lambda: {"precision": 0.0, "recall": 0.0, "ndcg": 0.0, "mrr": 0.0}
    )

    def add(self, ranked: Sequence[str], relevant: set[str]) -> None:
        self.lists += 1
        self.sums["precision"] += precision_at(ranked, relevant, self.k)
        self.sums["recall"] += recall_at(ranked, relevant, self.k)
        self.sums["ndcg"] += ndcg_at(ranked, relevant, self.k)
        self.sums["mrr"] += reciprocal_rank(ranked, relevant, self.k)

    def means(self) -> dict[str, float]:
        return {
            name: total / self.lists if self.lists else 0.0 for name, total in self.sums.items()
        }
