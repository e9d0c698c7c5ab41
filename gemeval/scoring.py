"""The scorer protocol: per-sample values in, aggregates with CIs out.

A scorer reads a Sample and its Prediction and returns per-sample fields, which the run
stores in samples.jsonl under ``metrics``. Aggregation reads only those stored fields, so
``gemeval show`` and the reports recompute every number from the per-sample records
without the scorer, the model or the data.

A per-sample value of None means "could not be scored" (no parsable answer, model error);
it is excluded from the metric's mean and counted in ``n_failed``, never silently dropped.
"""

from __future__ import annotations

from typing import Any, Protocol, Sequence

from gemeval.metrics.stats import DEFAULT_RESAMPLES, mean_ci
from gemeval.sample import Prediction, Sample


class Scorer(Protocol):
    name: str

    def score(self, sample: Sample, prediction: Prediction) -> dict[str, Any]:
        """Per-sample fields, JSON-serialisable."""
        ...

    def aggregate(
        self, rows: Sequence[dict[str, Any]], groups: Sequence[str], seed: int = 0,
        n_resamples: int = DEFAULT_RESAMPLES,
    ) -> dict[str, dict[str, Any]]:
        """metric name -> {value, ci_low, ci_high, n, n_failed, higher_is_better, ...}"""
        ...


def metric_entry(estimate, n_failed: int, higher_is_better: bool = True, **extra: Any) -> dict[str, Any]:
    entry = estimate.to_dict()
    entry.update(n_failed=int(n_failed), higher_is_better=higher_is_better)
    entry.update(extra)
    return entry


def aggregate_means(
    rows: Sequence[dict[str, Any]],
    groups: Sequence[str],
    keys: dict[str, bool],
    seed: int = 0,
    n_resamples: int = DEFAULT_RESAMPLES,
    scale: float = 1.0,
) -> dict[str, dict[str, Any]]:
    """Mean with a clustered bootstrap CI for each key (key -> higher_is_better).

    A row without the key, or with None, counts as a failure for that key.
    """
    out: dict[str, dict[str, Any]] = {}
    for key, higher in keys.items():
        values = [row.get(key) for row in rows]
        failed = sum(v is None for v in values)
        est = mean_ci(
            [None if v is None else float(v) * scale for v in values],
            groups=list(groups), n_resamples=n_resamples, seed=seed,
        )
        out[key] = metric_entry(est, failed, higher, per_sample_key=key)
    return out
