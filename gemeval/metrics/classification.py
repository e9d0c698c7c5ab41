"""Multi-label classification scores: macro F1, macro AUC and Hamming loss over a label space.

Point values come from scikit-learn. Bootstrap CIs come from the same quantities written
over resample weights: a weight matrix W of shape (B, n) (how often each item was drawn,
see ``gemeval.metrics.stats``) times the per-item indicator matrix (TP, FP, FN of each
class, and a 1) gives the weighted confusion counts TP, FP, FN, TN of shape (B, K) in one
product, and every metric is a function of those counts (the AUC from scores excepted,
which is a weighted Mann-Whitney statistic). With all weights 1 they equal the
scikit-learn values. Within the bootstrap, items are summed per group first, so the
product runs over groups.

Definitions (K classes, n items; per class k):

* F1_k = 2 TP / (2 TP + FP + FN). Macro F1 is the mean over the classes where it is defined:
  a class that no item has and no item was predicted to have (2 TP + FP + FN = 0) is
  excluded and listed, not counted as 0 or 1. A class predicted but absent from the gold
  labels has F1 = 0.
* AUC_k is the area under the ROC curve of class k, from per-class scores when every item
  has them (``y_score``), else from the 0/1 predictions, where it equals
  (1 + TPR - FPR) / 2. It is defined only for classes with both gold values; the others are
  excluded and listed. Macro AUC is the mean over the defined classes (NaN if none).
* Hamming loss = (FP + FN summed over classes) / (n K), lower is better.
* Exact match (per item) = 1 when the predicted label set equals the gold one.

The corpus functions ``macro_f1_weighted``, ``macro_auc_weighted`` and
``hamming_loss_weighted`` take the stored per-sample rows (``multilabel.y_true``,
``multilabel.y_pred`` and, when present, ``multilabel.y_score``) and a weight matrix, so
reports can recompute any aggregate from samples.jsonl alone. Rows whose ``y_pred`` is None
(failed predictions) are left out.
"""

from __future__ import annotations

from typing import Any, Iterator, Sequence

import numpy as np
from sklearn.metrics import f1_score, hamming_loss, roc_auc_score

from gemeval.metrics.labels import extract_labels, label_space_codes, labels_to_vector
from gemeval.metrics.stats import (
    DEFAULT_RESAMPLES,
    Estimate,
    group_sums,
    mean_ci,
    percentile_ci,
    resample_group_counts,
    resample_weights,
)
from gemeval.sample import Prediction, Sample
from gemeval.scoring import metric_entry
from gemeval.errors import InputError, UsageError

KEY_TRUE = "multilabel.y_true"
KEY_PRED = "multilabel.y_pred"
KEY_SCORE = "multilabel.y_score"
KEY_LABELS = "multilabel.labels_pred"
KEY_EXACT = "multilabel.exact_match"
KEY_LINES = "multilabel.lines"  # compat: rows of earlier answer lines with the same id
MODES = ("gemeval", "ecgbench-compat")


def _as_matrix(y: Any, name: str) -> np.ndarray:
    arr = np.asarray(y, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D (items x labels) array, got shape {arr.shape}")
    return arr


def multilabel_scores(
    y_true: Any,
    y_pred: Any,
    y_score: Any | None = None,
    labels: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Macro F1, macro AUC, Hamming loss and exact match of 0/1 label matrices.

    Args:
        y_true, y_pred: (n, K) arrays of 0/1.
        y_score: optional (n, K) per-class scores; AUC uses them instead of ``y_pred``.
        labels: the K class names (default "0".."K-1").

    Returns:
        ``macro_f1``, ``macro_auc``, ``hamming_loss``, ``exact_match`` (NaN when undefined),
        ``f1_excluded`` and ``auc_excluded`` (class names left out of each mean, see the
        module docstring), ``auc_from`` ("scores" or "binary"), ``per_label`` (f1, auc,
        support, predicted per class) and ``n``.
    """
    yt = _as_matrix(y_true, "y_true")
    yp = _as_matrix(y_pred, "y_pred")
    if yt.shape != yp.shape:
        raise ValueError(f"y_true has shape {yt.shape} but y_pred has shape {yp.shape}")
    n, k = yt.shape
    names = list(labels) if labels is not None else [str(i) for i in range(k)]
    if len(names) != k:
        raise ValueError(f"{len(names)} label names for {k} columns")
    scores = yp if y_score is None else _as_matrix(y_score, "y_score")
    if scores.shape != yt.shape:
        raise ValueError(f"y_score has shape {scores.shape}, expected {yt.shape}")
    if n == 0:
        nan = float("nan")
        return {"macro_f1": nan, "macro_auc": nan, "hamming_loss": nan, "exact_match": nan,
                "f1_excluded": names, "auc_excluded": names, "auc_from": "binary" if y_score is None else "scores",
                "per_label": {}, "n": 0}
    yt_i, yp_i = yt.astype(int), yp.astype(int)
    f1 = f1_score(yt_i, yp_i, average=None, labels=list(range(k)), zero_division=np.nan)
    auc = np.full(k, np.nan)
    for j in range(k):
        if 0 < yt_i[:, j].sum() < n:
            auc[j] = roc_auc_score(yt_i[:, j], scores[:, j])
    per_label = {
        name: {"f1": float(f1[j]), "auc": float(auc[j]), "support": int(yt_i[:, j].sum()),
               "predicted": int(yp_i[:, j].sum())}
        for j, name in enumerate(names)
    }
    return {
        "macro_f1": _nanmean(f1),
        "macro_auc": _nanmean(auc),
        "hamming_loss": float(hamming_loss(yt_i, yp_i)),
        "exact_match": float(np.mean(np.all(yt_i == yp_i, axis=1))),
        "f1_excluded": [names[j] for j in range(k) if np.isnan(f1[j])],
        "auc_excluded": [names[j] for j in range(k) if np.isnan(auc[j])],
        "auc_from": "binary" if y_score is None else "scores",
        "per_label": per_label,
        "n": n,
    }


def _nanmean(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if finite.size else float("nan")


def nanmean_rows(values: np.ndarray) -> np.ndarray:
    """Row means over the finite entries; NaN for a row without any."""
    finite = np.isfinite(values)
    count = finite.sum(axis=1)
    total = np.where(finite, values, 0.0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


# ---- corpus statistics over bootstrap weights ------------------------------------------

def rows_to_arrays(rows: Sequence[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """(mask of scored rows, y_true, y_pred, y_score or None) from stored per-sample rows.

    ``y_score`` is returned only when every scored row has one.
    """
    mask = np.array([row.get(KEY_PRED) is not None and row.get(KEY_TRUE) is not None for row in rows], dtype=bool)
    kept = [row for row, ok in zip(rows, mask) if ok]
    if not kept:
        return mask, np.zeros((0, 0)), np.zeros((0, 0)), None
    yt = np.asarray([row[KEY_TRUE] for row in kept], dtype=np.float64)
    yp = np.asarray([row[KEY_PRED] for row in kept], dtype=np.float64)
    scores = [row.get(KEY_SCORE) for row in kept]
    ys = np.asarray(scores, dtype=np.float64) if all(s is not None for s in scores) else None
    return mask, yt, yp, ys


def indicators(yt: np.ndarray, yp: np.ndarray) -> np.ndarray:
    """(n, 3K + 1) per item: TP, FP and FN indicators of each class, then a 1. Their weighted
    sums are the weighted confusion counts and the total weight (``confusion_counts``)."""
    both = yt * yp
    return np.concatenate([both, yp - both, yt - both, np.ones((len(yt), 1))], axis=1)


def confusion_counts(sums: np.ndarray, k: int) -> tuple[np.ndarray, ...]:
    """TP, FP, FN, TN, each (B, K), and the total weight (B,), from weighted sums (B, 3K + 1)
    of ``indicators``."""
    tp, fp, fn, total = sums[:, :k], sums[:, k:2 * k], sums[:, 2 * k:3 * k], sums[:, 3 * k]
    return tp, fp, fn, total[:, None] - tp - fp - fn, total


def f1_per_class(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> np.ndarray:
    """2TP / (2TP + FP + FN), NaN where the denominator is 0."""
    denom = 2 * tp + fp + fn
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denom > 0, 2 * tp / np.where(denom > 0, denom, 1.0), np.nan)


def binary_auc_per_class(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray, tn: np.ndarray) -> np.ndarray:
    """ROC AUC of 0/1 predictions, (1 + TPR - FPR) / 2; NaN for a class lacking a gold value."""
    pos, neg = tp + fn, fp + tn
    ok = (pos > 0) & (neg > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        auc = 0.5 * (1.0 + tp / np.where(ok, pos, 1.0) - fp / np.where(ok, neg, 1.0))
    return np.where(ok, auc, np.nan)


def hamming(fp: np.ndarray, fn: np.ndarray, total: np.ndarray, n_classes: int | np.ndarray) -> np.ndarray:
    """(FP + FN summed over classes) / (total weight x classes)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return (fp + fn).sum(axis=1) / (total * n_classes)


def weighted_auc(weights: np.ndarray, y: np.ndarray, score: np.ndarray) -> np.ndarray:
    """ROC AUC of one class under each row of weights (Mann-Whitney with ties counted 1/2).

    AUC = sum over positive i, negative j of w_i w_j ([s_i > s_j] + [s_i = s_j] / 2),
    divided by (sum of positive weights)(sum of negative weights); NaN where either is 0.
    """
    order = np.argsort(score, kind="stable")
    sorted_scores = score[order]
    starts = np.flatnonzero(np.r_[True, sorted_scores[1:] != sorted_scores[:-1]])
    w_sorted = weights[:, order]
    pos = np.add.reduceat(w_sorted * y[order], starts, axis=1)
    neg = np.add.reduceat(w_sorted * (1.0 - y[order]), starts, axis=1)
    neg_below = np.cumsum(neg, axis=1) - neg
    total_pos, total_neg = pos.sum(axis=1), neg.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        auc = (pos * (neg_below + 0.5 * neg)).sum(axis=1) / (total_pos * total_neg)
    return np.where((total_pos > 0) & (total_neg > 0), auc, np.nan)


def scores_auc(weights: np.ndarray, yt: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Macro AUC from per-class scores under each row of item weights -> (B,)."""
    return nanmean_rows(np.stack([weighted_auc(weights, yt[:, j], ys[:, j]) for j in range(yt.shape[1])], axis=1))


def _gemeval_stats(sums: np.ndarray, k: int) -> np.ndarray:
    """(B, 3): macro F1, macro AUC from the 0/1 predictions, Hamming loss."""
    tp, fp, fn, tn, total = confusion_counts(sums, k)
    return np.stack([
        nanmean_rows(f1_per_class(tp, fp, fn)),
        nanmean_rows(binary_auc_per_class(tp, fp, fn, tn)),
        hamming(fp, fn, total, k),
    ], axis=1)


def weighted_sums(rows: Sequence[dict[str, Any]], weights: np.ndarray) -> tuple[np.ndarray, int, tuple]:
    """(weighted sums of the scored rows' ``indicators`` (B, 3K + 1), K, (item weights of
    the scored rows, y_true, y_score or None)) for the corpus functions."""
    mask, yt, yp, ys = rows_to_arrays(rows)
    w = np.atleast_2d(np.asarray(weights, dtype=np.float64))
    if w.shape[1] != len(rows):
        raise ValueError(f"weights have {w.shape[1]} columns for {len(rows)} rows")
    w = w[:, mask]
    return w @ indicators(yt, yp), yt.shape[1], (w, yt, ys)


def macro_f1_weighted(rows: Sequence[dict[str, Any]], weights: np.ndarray) -> np.ndarray:
    """Macro F1 (gemeval rule) under each row of ``weights`` (B, n) -> (B,)."""
    sums, k, _ = weighted_sums(rows, weights)
    return _gemeval_stats(sums, k)[:, 0]


def macro_auc_weighted(rows: Sequence[dict[str, Any]], weights: np.ndarray) -> np.ndarray:
    """Macro AUC (gemeval rule) under each row of ``weights`` (B, n) -> (B,)."""
    sums, k, (w, yt, ys) = weighted_sums(rows, weights)
    return _gemeval_stats(sums, k)[:, 1] if ys is None else scores_auc(w, yt, ys)


def hamming_loss_weighted(rows: Sequence[dict[str, Any]], weights: np.ndarray) -> np.ndarray:
    """Hamming loss under each row of ``weights`` (B, n) -> (B,)."""
    sums, k, _ = weighted_sums(rows, weights)
    return _gemeval_stats(sums, k)[:, 2]


def bootstrap_sums(values: np.ndarray, mask: np.ndarray, groups: Sequence | None, n_resamples: int,
                   seed: int) -> Iterator[np.ndarray]:
    """Blocks of bootstrap sums of ``values`` (one row per scored row), shape (block, m).

    The resamples are drawn over all rows, failed ones included, so they are the same as
    every other metric's; the rows are summed per group first, so no item weights are built.
    """
    item_group, blocks = resample_group_counts(len(mask), n_resamples, seed, groups)
    n_groups = int(item_group.max()) + 1 if len(item_group) else 0
    per_group = group_sums(values, item_group[mask], n_groups)
    for block in blocks:
        yield block @ per_group


def multilabel_entries(
    rows: Sequence[dict[str, Any]], groups: Sequence[str], mask: np.ndarray, point: dict[str, Any],
    boot: np.ndarray | None, corpus: dict[str, str], seed: int, n_resamples: int, **common: Any,
) -> dict[str, dict[str, Any]]:
    """The result entries: the three corpus metrics from point values and their (R, 3)
    bootstrap values (None: no CI) over the scored rows (``mask``), and exact match as the
    mean of its per-sample field."""
    n, n_failed = int(mask.sum()), int((~mask).sum())
    out = {}
    for j, (key, higher) in enumerate((("macro_f1", True), ("macro_auc", True), ("hamming_loss", False))):
        lo, hi = percentile_ci(boot[:, j]) if boot is not None else (point[key], point[key])
        out[f"multilabel.{key}"] = metric_entry(
            Estimate(point[key], lo, hi, n), n_failed, higher, corpus=corpus[key], **common)
    exact = [row.get(KEY_EXACT) for row in rows]
    est = mean_ci(exact, groups=list(groups), n_resamples=n_resamples, seed=seed)
    out[KEY_EXACT] = metric_entry(est, sum(v is None for v in exact), True, per_sample_key=KEY_EXACT, **common)
    return out


# ---- the scorer -------------------------------------------------------------------------

def gold_labels(sample: Sample) -> list[str]:
    """``sample.reference["labels"]``, checked to be a list of codes."""
    labels = sample.reference.get("labels")
    if not isinstance(labels, (list, tuple)):
        raise InputError(
            f"sample {sample.id!r} of task {sample.task!r}: reference has no 'labels' list "
            "(the gold codes of the task's label space); check the data loader"
        )
    return [str(x) for x in labels]


class MultilabelScorer:
    """Multi-label classification scored by extracting the task's labels from the answer.

    Per-sample fields: ``multilabel.y_true`` and ``multilabel.y_pred`` (0/1 lists in the
    label space's order), ``multilabel.labels_pred`` (the extracted codes),
    ``multilabel.exact_match`` (1/0), and ``multilabel.y_score`` when the prediction carries
    per-label scores in ``prediction.meta["label_scores"]`` ({code: score}). A failed
    prediction gives None for each. Gold codes outside the label space are ignored.

    Modes: ``gemeval`` extracts with ``gemeval.metrics.labels`` and aggregates by the rules
    of this module; ``ecgbench-compat`` applies the published ECG-Bench rules
    (``gemeval.metrics.compat``).
    """

    name = "multilabel"

    def __init__(self, task, mode: str = "gemeval", **options: Any):
        if mode not in MODES:
            raise UsageError(f"scoring mode must be one of {', '.join(MODES)}, got {mode!r}")
        self.task = task
        self.mode = mode
        self.label_space = task.label_space or "ptbxl-super"
        self.codes = label_space_codes(self.label_space)
        if mode == "ecgbench-compat":
            from gemeval.metrics import compat

            self._gold = lambda sample: compat.gold_labels(sample, self.label_space)
            self._extract = lambda text: compat.extract_labels(text, self.label_space)
        else:
            self._gold = gold_labels
            self._extract = lambda text: extract_labels(text, self.label_space)

    def score(self, sample: Sample, prediction: Prediction) -> dict[str, Any]:
        y_true = labels_to_vector(self._gold(sample), self.codes)
        text = prediction.text if prediction.ok else None
        earlier: list[tuple[str, int | None]] = []
        if self.mode == "ecgbench-compat":
            from gemeval.metrics.compat import answer_text, line_texts

            text = answer_text(prediction)  # an error-object line is the empty answer
            earlier = line_texts(prediction)
        if text is None:
            return {KEY_TRUE: y_true, KEY_PRED: None, KEY_LABELS: None, KEY_EXACT: None}
        out = self._row(y_true, text)
        if earlier:
            out[KEY_LINES] = [self._row(y_true, t) for t, _ in earlier]
        scores = prediction.meta.get("label_scores")
        if self.mode == "gemeval" and isinstance(scores, dict):
            out[KEY_SCORE] = [float(scores.get(code, 0.0)) for code in self.codes]
        return out

    def _row(self, y_true: list[int], text: str) -> dict[str, Any]:
        labels = self._extract(text)
        y_pred = labels_to_vector(labels, self.codes)
        return {KEY_TRUE: y_true, KEY_PRED: y_pred, KEY_LABELS: labels, KEY_EXACT: int(y_true == y_pred)}

    def aggregate(
        self, rows: Sequence[dict[str, Any]], groups: Sequence[str], seed: int = 0,
        n_resamples: int = DEFAULT_RESAMPLES,
    ) -> dict[str, dict[str, Any]]:
        if self.mode == "ecgbench-compat":
            from gemeval.metrics import compat

            n_rows = len(rows)
            rows, groups = compat.expand_lines(rows, groups, KEY_LINES)
            out = compat.aggregate_multilabel(rows, groups, self.codes, seed, n_resamples)
            if len(rows) > n_rows:
                for entry in out.values():
                    entry["n_repeated_lines"] = len(rows) - n_rows
            return out
        mask, yt, yp, ys = rows_to_arrays(rows)
        n, k = int(mask.sum()), len(self.codes)
        yt, yp = yt.reshape(n, k), yp.reshape(n, k)
        point = multilabel_scores(yt, yp, ys, self.codes)
        boot = None
        if n > 1 and n_resamples > 0:
            ind = indicators(yt, yp)
            sums = bootstrap_sums(ind, mask, groups, n_resamples, seed)
            boot = np.concatenate([_gemeval_stats(block, k) for block in sums])
            if ys is not None:
                boot[:, 1] = np.concatenate([scores_auc(w[:, mask], yt, ys)
                                             for w in resample_weights(len(mask), n_resamples, seed, groups)])
        module = "gemeval.metrics.classification"
        out = multilabel_entries(
            rows, groups, mask, point, boot,
            {key: f"{module}:{key}_weighted" for key in ("macro_f1", "macro_auc", "hamming_loss")},
            seed, n_resamples, labels=list(self.codes), mode=self.mode,
        )
        out["multilabel.macro_f1"]["excluded"] = point["f1_excluded"]
        out["multilabel.macro_auc"]["excluded"] = point["auc_excluded"]
        out["multilabel.macro_auc"]["auc_from"] = point["auc_from"]
        return out
