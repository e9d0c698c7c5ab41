"""Bootstrap confidence intervals, plain or clustered, vectorised over resamples.

A resample is a vector of non-negative integer weights over the items: how many times each
item was drawn. Any statistic that can be written over weights (a weighted mean, weighted
confusion counts) is then evaluated for all resamples at once with one matrix product.
Clustered resampling draws whole groups (one ECG with several items) and gives every item
its group's count, which is what keeps CIs honest when items are not independent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator, Sequence

import numpy as np

DEFAULT_RESAMPLES = 1000
# Resamples x items per block. Small blocks (16 MB of float64) stay in cache and reuse freed
# memory; blocks of 20M cells spent most of their time faulting in fresh pages.
CHUNK_CELLS = 2_000_000


@dataclass(frozen=True)
class Estimate:
    value: float
    ci_low: float
    ci_high: float
    n: int

    def to_dict(self) -> dict[str, float | int]:
        return {"value": self.value, "ci_low": self.ci_low, "ci_high": self.ci_high, "n": self.n}


def _group_index(groups: Sequence | np.ndarray | None, n_items: int) -> tuple[np.ndarray, int]:
    if groups is None:
        return np.arange(n_items), n_items
    if len(groups) != n_items:
        raise ValueError(f"groups has {len(groups)} entries for {n_items} items")
    _, inverse = np.unique(np.asarray(groups, dtype=object).astype(str), return_inverse=True)
    return inverse, int(inverse.max()) + 1 if n_items else 0


def resample_group_counts(
    n_items: int,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    groups: Sequence | np.ndarray | None = None,
) -> tuple[np.ndarray, Iterator[np.ndarray]]:
    """The draws of ``resample_weights`` before they are spread over the items.

    Returns ``item_group`` (each item's group index, 0..n_groups-1) and an iterator of blocks
    of shape (block, n_groups): how many times each group was drawn. ``block[:, item_group]``
    is exactly the block ``resample_weights`` yields for the same arguments. A statistic that
    is a ratio of weighted sums can sum the items of each group first and work with these
    smaller blocks.
    """
    item_group, n_groups = _group_index(groups, n_items)
    block = max(1, min(n_resamples, CHUNK_CELLS // max(n_items, 1)))

    def blocks() -> Iterator[np.ndarray]:
        rng = np.random.default_rng(seed)
        done = 0
        while done < n_resamples:
            size = min(block, n_resamples - done)
            draws = rng.integers(0, n_groups, size=(size, n_groups))
            # One bincount for the whole block: row r's draws are shifted into bins r*n_groups..
            draws += (np.arange(size) * n_groups)[:, None]
            counts = np.bincount(draws.ravel(), minlength=size * n_groups)
            yield counts.reshape(size, n_groups).astype(np.float64)
            done += size

    return item_group, blocks()


def resample_weights(
    n_items: int,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    groups: Sequence | None = None,
) -> Iterator[np.ndarray]:
    """Yield blocks of bootstrap weights, each of shape (block, n_items), float64.

    With ``groups``, whole groups are drawn with replacement; each item gets its group's
    count. The same seed gives the same weights on any machine.
    """
    item_group, counts = resample_group_counts(n_items, n_resamples, seed, groups)
    for block in counts:
        yield block if groups is None else block[:, item_group]


def group_sums(values: np.ndarray, item_group: np.ndarray, n_groups: int) -> np.ndarray:
    """Sum the rows of ``values`` (n_items, ...) within each group: (n_groups, ...)."""
    out = np.zeros((n_groups,) + values.shape[1:], dtype=np.float64)
    np.add.at(out, item_group, values)
    return out


def _weighted_mean_draws(values: np.ndarray, n_resamples: int, seed: int,
                         groups: Sequence | np.ndarray | None) -> np.ndarray:
    """Bootstrap draws of the mean of ``values`` (no missing values): per resample,
    sum(count_g * sum of group g) / sum(count_g * size of group g), over group counts."""
    item_group, counts = resample_group_counts(values.size, n_resamples, seed, groups)
    n_groups = int(item_group.max()) + 1
    per_group = group_sums(np.column_stack([values, np.ones_like(values)]), item_group, n_groups)
    parts = []
    for block in counts:
        sums = block @ per_group
        with np.errstate(invalid="ignore", divide="ignore"):
            parts.append(sums[:, 0] / sums[:, 1])
    return np.concatenate(parts) if parts else np.empty(0)


def bootstrap(
    statistic: Callable[[np.ndarray], np.ndarray],
    n_items: int,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    groups: Sequence | None = None,
) -> np.ndarray:
    """Evaluate ``statistic(weights) -> (block,)`` over all resamples; returns (n_resamples,)."""
    parts = [np.asarray(statistic(w), dtype=np.float64) for w in resample_weights(n_items, n_resamples, seed, groups)]
    return np.concatenate(parts) if parts else np.empty(0)


def percentile_ci(samples: np.ndarray, alpha: float = 0.05) -> tuple[float, float]:
    finite = samples[np.isfinite(samples)]
    if finite.size == 0:
        return float("nan"), float("nan")
    lo, hi = np.percentile(finite, [100 * alpha / 2, 100 * (1 - alpha / 2)])
    return float(lo), float(hi)


def mean_ci(
    values: Sequence[float | None],
    groups: Sequence | None = None,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    alpha: float = 0.05,
) -> Estimate:
    """Mean of the non-missing values with a (clustered) percentile bootstrap CI.

    None and NaN are missing: they are left out of the mean and of ``n``. With no value at
    all the estimate is NaN with n = 0.
    """
    arr = np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)
    keep = np.isfinite(arr)
    arr = arr[keep]
    grp = None if groups is None else np.asarray(groups, dtype=object)[keep]
    if arr.size == 0:
        return Estimate(float("nan"), float("nan"), float("nan"), 0)
    point = float(arr.mean())
    if arr.size == 1 or n_resamples <= 0:
        return Estimate(point, point, point, int(arr.size))

    lo, hi = percentile_ci(_weighted_mean_draws(arr, n_resamples, seed, grp), alpha)
    return Estimate(point, lo, hi, int(arr.size))


def paired_difference_ci(
    a: Sequence[float],
    b: Sequence[float],
    groups: Sequence | None = None,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    alpha: float = 0.05,
) -> Estimate:
    """Mean of b - a over paired items with a (clustered) bootstrap CI; pairs with a missing
    side are dropped."""
    av = np.array([np.nan if v is None else float(v) for v in a], dtype=np.float64)
    bv = np.array([np.nan if v is None else float(v) for v in b], dtype=np.float64)
    if av.shape != bv.shape:
        raise ValueError(f"paired values differ in length: {av.size} and {bv.size}")
    grp = None if groups is None else np.asarray(groups, dtype=object)
    keep = np.isfinite(av) & np.isfinite(bv)
    diff = (bv - av)[keep]
    if grp is not None:
        grp = grp[keep]
    if diff.size == 0:
        return Estimate(float("nan"), float("nan"), float("nan"), 0)
    point = float(diff.mean())
    lo, hi = percentile_ci(_weighted_mean_draws(diff, n_resamples, seed, grp), alpha)
    return Estimate(point, lo, hi, int(diff.size))
