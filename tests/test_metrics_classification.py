"""Multi-label scores: scikit-learn point values, weighted (bootstrap) forms, the scorer."""

from __future__ import annotations

import importlib
import math

import numpy as np
import pytest
from sklearn.metrics import f1_score, hamming_loss, roc_auc_score

from gemeval.metrics.classification import (
    MultilabelScorer,
    hamming_loss_weighted,
    macro_auc_weighted,
    macro_f1_weighted,
    multilabel_scores,
    weighted_auc,
)
from gemeval.metrics.stats import resample_weights
from gemeval.sample import Prediction, Sample
from gemeval.tasks import load_task

CODES = ["NORM", "MI", "STTC", "CD", "HYP"]


def _random_matrices(rng: np.random.Generator, n: int = 300, k: int = 5):
    yt = (rng.random((n, k)) < 0.3).astype(int)
    yp = np.where(rng.random((n, k)) < 0.8, yt, 1 - yt)
    ys = np.round(np.clip(yt * 0.4 + rng.random((n, k)) * 0.6, 0, 1), 1)  # ties on purpose
    return yt, yp, ys


def _rows(yt, yp, ys=None):
    rows = []
    for i in range(len(yt)):
        row = {"multilabel.y_true": yt[i].tolist(), "multilabel.y_pred": yp[i].tolist(),
               "multilabel.exact_match": int((yt[i] == yp[i]).all())}
        if ys is not None:
            row["multilabel.y_score"] = ys[i].tolist()
        rows.append(row)
    return rows


def test_point_values_are_scikit_learns():
    yt, yp, ys = _random_matrices(np.random.default_rng(1))
    out = multilabel_scores(yt, yp, labels=CODES)
    assert out["macro_f1"] == pytest.approx(f1_score(yt, yp, average="macro"))
    assert out["hamming_loss"] == pytest.approx(hamming_loss(yt, yp))
    assert out["macro_auc"] == pytest.approx(np.mean([roc_auc_score(yt[:, j], yp[:, j]) for j in range(5)]))
    assert out["auc_from"] == "binary" and out["f1_excluded"] == [] and out["n"] == 300
    scored = multilabel_scores(yt, yp, ys, CODES)
    assert scored["auc_from"] == "scores"
    assert scored["macro_auc"] == pytest.approx(roc_auc_score(yt, ys, average="macro"))
    assert scored["per_label"]["MI"]["support"] == int(yt[:, 1].sum())


def test_undefined_classes_are_excluded_and_listed():
    yt = np.array([[1, 0, 1], [1, 0, 0], [1, 0, 0]])
    yp = np.array([[1, 0, 0], [0, 0, 1], [1, 0, 0]])
    out = multilabel_scores(yt, yp, labels=["A", "B", "C"])
    # B: nobody has it and nobody predicts it -> excluded from F1; A: everyone has it -> no AUC.
    assert out["f1_excluded"] == ["B"]
    assert out["macro_f1"] == pytest.approx(np.mean([0.8, 0.0]))
    assert out["auc_excluded"] == ["A", "B"]
    assert out["macro_auc"] == pytest.approx(roc_auc_score(yt[:, 2], yp[:, 2]))
    assert out["exact_match"] == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="shape"):
        multilabel_scores(yt, yp[:, :2])


def test_weighted_forms_equal_the_scores_of_the_repeated_data():
    rng = np.random.default_rng(7)
    yt, yp, ys = _random_matrices(rng, n=120)
    rows = _rows(yt, yp, ys)
    counts = rng.integers(0, 4, size=(3, 120)).astype(float)
    f1, auc, hl = (fn(rows, counts) for fn in (macro_f1_weighted, macro_auc_weighted, hamming_loss_weighted))
    for b in range(3):
        idx = np.repeat(np.arange(120), counts[b].astype(int))
        ref = multilabel_scores(yt[idx], yp[idx], ys[idx])
        assert f1[b] == pytest.approx(ref["macro_f1"])
        assert auc[b] == pytest.approx(ref["macro_auc"])
        assert hl[b] == pytest.approx(ref["hamming_loss"])


def test_weighted_auc_handles_ties_and_missing_classes():
    y = np.array([1, 0, 1, 0, 0, 1], dtype=float)
    s = np.array([0.5, 0.5, 0.9, 0.1, 0.5, 0.2])
    w = np.array([[1, 1, 1, 1, 1, 1], [2, 0, 1, 3, 1, 1], [1, 0, 1, 0, 0, 1]], dtype=float)
    out = weighted_auc(w, y, s)
    assert out[0] == pytest.approx(roc_auc_score(y, s))
    assert out[1] == pytest.approx(roc_auc_score(y, s, sample_weight=w[1]))
    assert math.isnan(out[2])


def _task(tmp_path, space="ptbxl-super"):
    path = tmp_path / "t.yaml"
    path.write_text(f"task: t\nmetadata:\n  kind: multilabel\n  label_space: {space}\n")
    return load_task(str(path))


NAMES = {"NORM": "normal ECG", "MI": "inferior myocardial infarction", "STTC": "T wave inversion",
         "CD": "right bundle branch block", "HYP": "left ventricular hypertrophy"}


def _dataset(n=400, seed=3):
    rng = np.random.default_rng(seed)
    samples, preds = [], []
    for i in range(n):
        gold = [c for c in CODES if rng.random() < 0.3] or ["NORM"]
        said = [c for c in CODES if (c in gold) == (rng.random() < 0.85)]
        text = None if i % 50 == 7 else ". ".join(NAMES[c] for c in said) or "No abnormality"
        samples.append(Sample(id=f"s{i:04d}", task="t", prompt="", reference={"labels": gold}, group=f"g{i // 2}"))
        preds.append(Prediction(f"s{i:04d}", text, error="timeout" if text is None else None))
    return samples, preds


def test_scorer_per_sample_fields_and_failures(tmp_path):
    scorer = MultilabelScorer(task=_task(tmp_path), mode="gemeval")
    sample = Sample(id="a", task="t", prompt="", reference={"labels": ["MI", "CD"]})
    row = scorer.score(sample, Prediction("a", "Inferior STEMI with RBBB(right bundle branch block); no LVH"))
    assert row["multilabel.labels_pred"] == ["MI", "CD"]
    assert row["multilabel.y_true"] == [0, 1, 0, 1, 0] == row["multilabel.y_pred"]
    assert row["multilabel.exact_match"] == 1
    failed = scorer.score(sample, Prediction("a", None, error="HTTP 500"))
    assert failed["multilabel.y_pred"] is None and failed["multilabel.exact_match"] is None
    scored = scorer.score(sample, Prediction("a", "MI", meta={"label_scores": {"MI": 0.9, "CD": 0.4}}))
    assert scored["multilabel.y_score"] == [0.0, 0.9, 0.0, 0.4, 0.0]
    with pytest.raises(ValueError, match="sample 'b'.*'labels'"):
        scorer.score(Sample(id="b", task="t", prompt="", reference={}), Prediction("b", "MI"))


def test_scorer_aggregate_matches_sklearn_and_recomputes_from_rows(tmp_path):
    samples, preds = _dataset()
    scorer = MultilabelScorer(task=_task(tmp_path), mode="gemeval")
    rows = [scorer.score(s, p) for s, p in zip(samples, preds)]
    groups = [s.group for s in samples]
    agg = scorer.aggregate(rows, groups, seed=0, n_resamples=300)
    ok = [r for r in rows if r["multilabel.y_pred"] is not None]
    yt = np.array([r["multilabel.y_true"] for r in ok])
    yp = np.array([r["multilabel.y_pred"] for r in ok])
    f1 = agg["multilabel.macro_f1"]
    assert f1["value"] == pytest.approx(f1_score(yt, yp, average="macro"))
    assert f1["n"] == len(ok) and f1["n_failed"] == 8
    assert agg["multilabel.hamming_loss"]["higher_is_better"] is False
    assert agg["multilabel.exact_match"]["per_sample_key"] == "multilabel.exact_match"
    for key in ("multilabel.macro_f1", "multilabel.macro_auc", "multilabel.hamming_loss", "multilabel.exact_match"):
        entry = agg[key]
        assert entry["ci_low"] <= entry["value"] <= entry["ci_high"], key
        assert entry["ci_low"] < entry["ci_high"], key
    for key in ("multilabel.macro_f1", "multilabel.macro_auc", "multilabel.hamming_loss"):
        module, name = agg[key]["corpus"].split(":")
        fn = getattr(importlib.import_module(module), name)
        assert fn(rows, np.ones((1, len(rows))))[0] == pytest.approx(agg[key]["value"])
        # The CI is the percentile interval of the corpus function over the same resamples.
        boot = np.concatenate([fn(rows, w) for w in resample_weights(len(rows), 300, 0, groups)])
        assert np.percentile(boot, 2.5) == pytest.approx(agg[key]["ci_low"])
    again = scorer.aggregate(rows, groups, seed=0, n_resamples=300)
    assert again == agg


def test_auc_from_scores_when_every_prediction_has_them(tmp_path):
    scorer = MultilabelScorer(task=_task(tmp_path), mode="gemeval")
    rng = np.random.default_rng(0)
    rows = []
    for i in range(60):
        gold = ["MI"] if i % 3 == 0 else ["NORM"]
        scores = {"MI": float(rng.random() + (0.5 if gold == ["MI"] else 0)), "NORM": float(rng.random())}
        rows.append(scorer.score(Sample(id=str(i), task="t", prompt="", reference={"labels": gold}),
                                 Prediction(str(i), "NORM", meta={"label_scores": scores})))
    agg = scorer.aggregate(rows, [str(i) for i in range(60)], n_resamples=50)
    auc = agg["multilabel.macro_auc"]
    assert auc["auc_from"] == "scores" and auc["excluded"] == ["STTC", "CD", "HYP"]
    yt = np.array([r["multilabel.y_true"] for r in rows])
    ys = np.array([r["multilabel.y_score"] for r in rows])
    assert auc["value"] == pytest.approx(np.mean([roc_auc_score(yt[:, j], ys[:, j]) for j in (0, 1)]))


def test_the_two_modes_differ_where_the_published_rules_do(tmp_path):
    task = _task(tmp_path)
    golds = [["NORM"], ["NORM", "MI"], ["NORM"], ["NORM", "HYP"]]
    texts = ["NORM", "STEMI", "ABNORMAL", "HYP and CD"]
    samples = [Sample(id=str(i), task="t", prompt="", reference={"labels": g}) for i, g in enumerate(golds)]
    out = {}
    for mode in ("gemeval", "ecgbench-compat"):
        scorer = MultilabelScorer(task=task, mode=mode)
        rows = [scorer.score(s, Prediction(s.id, t)) for s, t in zip(samples, texts)]
        out[mode] = (rows, scorer.aggregate(rows, [s.id for s in samples], n_resamples=0))
    gem_rows, gem = out["gemeval"]
    compat_rows, compat = out["ecgbench-compat"]
    assert [r["multilabel.labels_pred"] for r in gem_rows] == [["NORM"], ["MI"], [], ["CD", "HYP"]]
    assert [r["multilabel.labels_pred"] for r in compat_rows] == [["NORM"], ["MI"], ["NORM"], ["CD", "HYP"]]
    # NORM is in every gold set: its AUC is undefined. gemeval leaves it out; the published
    # mean becomes NaN. CD is predicted but in no gold set: F1 0 for gemeval, ignored by compat.
    assert math.isnan(compat["multilabel.macro_auc"]["value"])
    assert gem["multilabel.macro_auc"]["excluded"] == ["NORM", "STTC", "CD"]
    assert not math.isnan(gem["multilabel.macro_auc"]["value"])
    assert compat["multilabel.macro_f1"]["labels"] == ["NORM", "MI", "HYP"]
    assert gem["multilabel.macro_f1"]["excluded"] == ["STTC"]
    # Per-class F1: NORM found once in four, MI and HYP right, CD a false positive.
    assert gem["multilabel.macro_f1"]["value"] == pytest.approx(np.mean([0.4, 1.0, 0.0, 1.0]))
