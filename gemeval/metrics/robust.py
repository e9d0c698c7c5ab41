"""Image robustness metrics: what photo and scan distortions of the page cost in grounding.

Per page (``gemeval.data.robust``), with the grounding extractor and verifier
(``gemeval.metrics.grounding.grounding_scores``):

claim_precision
    verified / (verified + contradicted) claims of the text, as in the grounding task.
evidence_recall
    what of the truth the text cites with a verified claim, as the grounding task scores it
    (``gemeval.metrics.grounding.scoring.evidence``: each key feature and each lead with an
    ST finding, 1 for a verified number, half for a verified category only).

Corpus metrics, each the mean over records of (distorted page - clean page of the same
record), over the records where both pages have a value: ``robust.precision_delta`` and
``robust.recall_delta`` over every distorted page, and ``robust.<distortion><level>.
precision_delta`` / ``recall_delta`` per distortion and level (``robust.blur2.recall_delta``:
what strong blur costs). Negative is worse; 0 is a model the distortion does not disturb.
``robust.clean_precision`` and ``robust.clean_recall`` give the clean pages' level. CIs
resample whole records; all are corpus functions of the stored per-sample fields.
"""

from __future__ import annotations

import math
from functools import partial
from typing import Any, Callable, Sequence

import numpy as np

from gemeval.data.robust import CLEAN
from gemeval.ecg.distort import DISTORTIONS, LEVELS
from gemeval.metrics.grounding import grounding_scores
from gemeval.metrics.stats import DEFAULT_RESAMPLES, Estimate, bootstrap, percentile_ci
from gemeval.scoring import metric_entry

PREFIX = "robust."


class RobustScorer:
    """Per sample (prefix ``robust.``): record, distortion, level (from
    ``sample.meta["robust"]``), claim_precision and evidence_recall (None when the
    prediction failed, or for precision when no claim was decided)."""

    name = "robust"

    def __init__(self, task: Any = None, mode: str = "gemeval", **options: Any):
        self.mode = mode

    def score(self, sample: Any, prediction: Any) -> dict[str, Any]:
        probe = (sample.meta or {}).get("robust")
        if not probe:
            raise ValueError(f"sample {sample.id!r}: no distortion in its meta; the robust scorer "
                             "needs the grounded-robust data source")
        row = {PREFIX + key: probe.get(key) for key in ("record", "distortion", "level")}
        if not prediction.ok:
            return row | {PREFIX + "claim_precision": None, PREFIX + "evidence_recall": None}
        scores = grounding_scores(prediction.text, sample.truth, truth_source=sample.truth_source,
                                  reference_labels=None, label_space=None)
        return row | {PREFIX + "claim_precision": scores["claim_precision"],
                      PREFIX + "evidence_recall": scores["evidence_recall"]}

    def aggregate(self, rows: Sequence[dict[str, Any]], groups: Sequence[str], seed: int = 0,
                  n_resamples: int = DEFAULT_RESAMPLES) -> dict[str, dict[str, Any]]:
        return corpus_entries(rows, groups, seed, n_resamples)


def _condition(distortion: str, level: int) -> str:
    return f"{distortion}{level}"


def paired_differences(rows: Sequence[dict[str, Any]], field: str,
                       condition: str | None) -> tuple[np.ndarray, np.ndarray]:
    """(row index of each distorted page, its value - the clean page's) for the pages of
    ``condition`` ("blur2"; None: every distortion) whose record has both values."""
    clean: dict[str, float] = {}
    for row in rows:
        value = row.get(PREFIX + field)
        if row.get(PREFIX + "distortion") == CLEAN and value is not None:
            clean[str(row.get(PREFIX + "record"))] = float(value)
    index, diff = [], []
    for i, row in enumerate(rows):
        if not _in(row, condition, clean=False):
            continue
        value, base = row.get(PREFIX + field), clean.get(str(row.get(PREFIX + "record")))
        if value is not None and base is not None:
            index.append(i)
            diff.append(float(value) - base)
    return np.array(index, dtype=np.int64), np.array(diff, dtype=np.float64)


def clean_values(rows: Sequence[dict[str, Any]], field: str, condition: str | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(row index, value) of the clean pages with a value of ``field``."""
    picked = [(i, float(r[PREFIX + field])) for i, r in enumerate(rows)
              if r.get(PREFIX + "distortion") == CLEAN and r.get(PREFIX + field) is not None]
    return np.array([p[0] for p in picked], dtype=np.int64), np.array([p[1] for p in picked], dtype=np.float64)


def _in(row: dict[str, Any], condition: str | None, clean: bool) -> bool:
    """Whether ``row`` is a page of ``condition`` (None: any distortion; clean: the clean page)."""
    name = row.get(PREFIX + "distortion")
    if name is None:
        return False
    if clean:
        return name == CLEAN
    return name != CLEAN and (condition is None or _condition(name, int(row.get(PREFIX + "level") or 0)) == condition)


def _weighted_mean(found: tuple[np.ndarray, np.ndarray], weights: np.ndarray) -> np.ndarray:
    index, values = found
    w = np.atleast_2d(np.asarray(weights, dtype=np.float64))[:, index]
    with np.errstate(invalid="ignore", divide="ignore"):
        return (w @ values) / w.sum(axis=1) if index.size else np.full(w.shape[0], np.nan)


def metric_names() -> dict[str, tuple[Callable[..., tuple[np.ndarray, np.ndarray]], str, str | None]]:
    """name -> (how its values are found, field, condition)."""
    out: dict[str, tuple[Callable[..., tuple[np.ndarray, np.ndarray]], str, str | None]] = {
        PREFIX + "clean_precision": (clean_values, "claim_precision", None),
        PREFIX + "clean_recall": (clean_values, "evidence_recall", None),
    }
    for short, field in (("precision", "claim_precision"), ("recall", "evidence_recall")):
        out[f"{PREFIX}{short}_delta"] = (paired_differences, field, None)
        for name in DISTORTIONS:
            for level in LEVELS:
                out[f"{PREFIX}{_condition(name, level)}.{short}_delta"] = (paired_differences, field, _condition(name, level))
    return out


def _function_name(metric_name: str) -> str:
    return "weighted_" + metric_name[len(PREFIX):].replace(".", "_")


def _make(find: Callable[..., tuple[np.ndarray, np.ndarray]], field: str,
          condition: str | None) -> Callable[[Sequence[dict[str, Any]], np.ndarray], np.ndarray]:
    def corpus(rows: Sequence[dict[str, Any]], weights: np.ndarray) -> np.ndarray:
        return _weighted_mean(find(rows, field, condition), weights)

    corpus.__doc__ = f"{find.__name__} of {field}{' under ' + condition if condition else ''}, per row of weights."
    return corpus


# One module-level corpus function per metric ("gemeval.metrics.robust:weighted_<metric>").
for _name, (_find, _field, _condition_name) in metric_names().items():
    globals()[_function_name(_name)] = _make(_find, _field, _condition_name)


def corpus_entries(rows: Sequence[dict[str, Any]], groups: Sequence[str], seed: int,
                   n_resamples: int) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, (find, field, condition) in metric_names().items():
        found = find(rows, field, condition)
        values = found[1]
        if values.size == 0:
            estimate = Estimate(math.nan, math.nan, math.nan, 0)
        else:
            draws = bootstrap(partial(_weighted_mean, found), len(rows), n_resamples, seed, list(groups))
            lo, hi = percentile_ci(draws)
            estimate = Estimate(float(values.mean()), lo, hi, int(values.size))
        candidates = sum(1 for row in rows if _in(row, condition, clean=find is clean_values))
        out[name] = metric_entry(estimate, candidates - int(values.size), True, corpus=f"{__name__}:{_function_name(name)}",
                                 unit="paired pages" if find is paired_differences else "clean pages")
    return out
