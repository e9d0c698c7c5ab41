"""Judge reliability: do two judgements of the same outputs agree, and how far does one
judge move when it grades the same outputs again?

Agreement, per criterion, over the samples both sides scored (pairs with a missing side
are left out and counted in ``n_missing``):

- Spearman's rho (``scipy.stats.spearmanr``); NaN when either side is constant.
- Weighted Cohen's kappa (``sklearn.metrics.cohen_kappa_score``, quadratic weights) on the
  per-sample values rounded to integers, with every integer from the smallest to the largest
  value as a category, so that a disagreement weighs by its size in the criterion's own
  units (0-10 points, 0-100, percent); NaN when there is a single category.
- Mean absolute difference ``mean |a - b|``, in the criterion's unit.

Spread of K repeats (``--judge-repeats K``, the null control of a CI gate): per criterion,
the mean over samples of the within-sample standard deviation across repeats (population
SD), the largest within-sample range, each repeat's mean over samples, and the standard
deviation of those means, which is how far the headline number moves by judge noise alone.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Mapping, Sequence

import numpy as np

MAX_KAPPA_CATEGORIES = 10_001


def _nan_to_none(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def criterion_agreement(a: Sequence[float | None], b: Sequence[float | None]) -> dict[str, Any]:
    """Spearman, quadratic-weighted kappa and mean absolute difference of paired values."""
    from scipy.stats import spearmanr
    from sklearn.metrics import cohen_kappa_score

    if len(a) != len(b):
        raise ValueError(f"paired values differ in length: {len(a)} and {len(b)}")
    pairs = [(float(x), float(y)) for x, y in zip(a, b) if x is not None and y is not None]
    out: dict[str, Any] = {"n": len(pairs), "n_missing": len(a) - len(pairs)}
    if not pairs:
        return {**out, "spearman": None, "kappa_quadratic": None, "mad": None, "mean_a": None, "mean_b": None}
    av, bv = np.array(pairs).T
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rho = spearmanr(av, bv).statistic if len(pairs) > 1 else float("nan")
        ai, bi = np.rint(av).astype(int), np.rint(bv).astype(int)
        lo, hi = int(min(ai.min(), bi.min())), int(max(ai.max(), bi.max()))
        kappa = (
            cohen_kappa_score(ai, bi, labels=list(range(lo, hi + 1)), weights="quadratic")
            if 1 < hi - lo + 1 <= MAX_KAPPA_CATEGORIES else float("nan")
        )
    return {
        **out, "spearman": _nan_to_none(rho), "kappa_quadratic": _nan_to_none(kappa),
        "mad": float(np.abs(av - bv).mean()), "mean_a": float(av.mean()), "mean_b": float(bv.mean()),
    }


def repeat_spread(per_sample: Sequence[Sequence[Mapping[str, float | None]]]) -> dict[str, dict[str, Any]]:
    """``per_sample[i][r]`` is sample i's values (key -> value or None) in repeat r."""
    keys: list[str] = []
    for repeats in per_sample:
        for values in repeats:
            keys.extend(k for k in values if k not in keys)
    n_repeats = max((len(r) for r in per_sample), default=0)
    out: dict[str, dict[str, Any]] = {}
    for key in keys:
        sds, ranges = [], []
        by_repeat: list[list[float]] = [[] for _ in range(n_repeats)]
        for repeats in per_sample:
            row = [v.get(key) for v in repeats]
            for r, v in enumerate(row):
                if v is not None:
                    by_repeat[r].append(float(v))
            present = [float(v) for v in row if v is not None]
            if len(present) >= 2:
                sds.append(float(np.std(present)))
                ranges.append(max(present) - min(present))
        means = [float(np.mean(r)) if r else None for r in by_repeat]
        finite = [m for m in means if m is not None]
        out[key] = {
            "n": len(sds),
            "mean_sd": float(np.mean(sds)) if sds else None,
            "max_range": max(ranges) if ranges else None,
            "repeat_means": means,
            "sd_of_repeat_means": float(np.std(finite, ddof=1)) if len(finite) > 1 else None,
        }
    return out
