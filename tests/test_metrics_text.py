"""Report metrics: ROUGE-L, BERTScore (offline MiniLM), clinical-efficacy F1, TextScorer."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import f1_score

from gemeval.metrics.text import (
    TextScorer,
    bertscore,
    clinical_efficacy_f1,
    default_bertscore_model,
    rouge_l,
)
from gemeval.sample import Prediction, Sample
from gemeval.tasks import load_task

SHARED = Path(__file__).parents[2] / "shared" / "data"
REPORT = "Sinus rhythm. Inferior myocardial infarction. Left ventricular hypertrophy."


@pytest.fixture(autouse=True)
def _offline(monkeypatch):
    # Any attempt to reach the Hugging Face hub fails the test instead of downloading.
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")


def test_rouge_l_values():
    out = rouge_l([REPORT, "completely different words here", "", "sinus rhythm"], [REPORT, REPORT, REPORT, REPORT])
    assert out[0] == pytest.approx(1.0)
    assert out[1] == 0.0 and out[2] == 0.0
    # LCS of 2 words: precision 2/2, recall 2/8 (REPORT has 8 words).
    assert out[3] == pytest.approx(2 * 1 * (2 / 8) / (1 + 2 / 8))
    with pytest.raises(ValueError, match="2 predictions for 1 references"):
        rouge_l(["a", "b"], ["a"])


def test_bertscore_runs_offline_on_the_packaged_model():
    assert (default_bertscore_model() / "config.json").is_file()
    refs = [REPORT] * 3 + [REPORT]
    preds = [REPORT, "Sinus rhythm with an old inferior infarct and LVH.", "The weather is sunny in Paris today.", ""]
    same, close, far, empty = bertscore(preds, refs)
    assert same == pytest.approx(1.0, abs=1e-4)
    assert far < close < same
    assert empty == 0.0


def test_clinical_efficacy_f1_micro_and_macro():
    refs = ["Sinus rhythm. Normal ECG.", "Atrial fibrillation. RBBB.", "Sinus bradycardia. LVH."]
    preds = ["Normal sinus rhythm, normal ECG", "Atrial fibrillation, no RBBB", "Sinus bradycardia, LBBB"]
    out = clinical_efficacy_f1(preds, refs, "scp-findings")
    # TP: NORM, SR, AFIB, SBRAD; FN: CRBBB, LVH; FP: CLBBB.
    assert out["micro_f1"] == pytest.approx(2 * 4 / (2 * 4 + 1 + 2))
    per = {"NORM": 1.0, "SR": 1.0, "AFIB": 1.0, "SBRAD": 1.0, "CRBBB": 0.0, "LVH": 0.0, "CLBBB": 0.0}
    assert out["per_label"] == per
    assert out["macro_f1"] == pytest.approx(np.mean(list(per.values())))
    assert "IMI" in out["excluded"] and out["n"] == 3


def _task(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text("task: r\nmetadata:\n  kind: report\n  label_space: scp-findings\n")
    return load_task(str(path))


def _reports():
    fixture = SHARED / "ecgbench" / "ptb_report_generation_test.json"
    if fixture.is_file():
        items = json.loads(fixture.read_text())[:40]
        return [item["conversation"][1]["value"] for item in items]
    return [REPORT, "Sinus rhythm. Normal ECG.", "Atrial fibrillation. Left bundle branch block."] * 4


def test_text_scorer_batch_and_aggregate(tmp_path):
    refs = _reports()
    samples = [Sample(id=f"r{i:03d}", task="r", prompt="", reference={"text": r}) for i, r in enumerate(refs)]
    # A model that copies the previous reference, so scores are realistic and imperfect.
    texts = [refs[i - 1] for i in range(len(refs))]
    preds = [Prediction(s.id, t if i % 10 != 3 else None, error="oom" if i % 10 == 3 else None)
             for i, (s, t) in enumerate(zip(samples, texts))]
    scorer = TextScorer(task=_task(tmp_path), mode="gemeval")
    rows = scorer.score_batch(samples, preds)
    assert rows[0]["text.bertscore_f1"] is not None and 0 < rows[0]["text.rouge_l"] <= 1
    assert rows[3]["text.rouge_l"] is None and rows[3]["text.ce_y_pred"] is None
    single = scorer.score(samples[0], preds[0])
    assert single["text.rouge_l"] == pytest.approx(rows[0]["text.rouge_l"])
    assert single["text.bertscore_f1"] == pytest.approx(rows[0]["text.bertscore_f1"], abs=1e-5)

    agg = scorer.aggregate(rows, [s.id for s in samples], n_resamples=200)
    ok = [r for r in rows if r["text.ce_y_pred"] is not None]
    yt = np.array([r["text.ce_y_true"] for r in ok])
    yp = np.array([r["text.ce_y_pred"] for r in ok])
    assert agg["text.ce_f1_micro"]["value"] == pytest.approx(f1_score(yt, yp, average="micro"))
    present = (yt.sum(0) + yp.sum(0)) > 0
    assert agg["text.ce_f1_macro"]["value"] == pytest.approx(
        f1_score(yt[:, present], yp[:, present], average="macro"))
    n_failed = len(rows) - len(ok)
    for key in ("text.rouge_l", "text.bertscore_f1", "text.ce_f1_micro", "text.ce_f1_macro"):
        assert agg[key]["n_failed"] == n_failed
        assert agg[key]["ci_low"] <= agg[key]["value"] <= agg[key]["ci_high"]
    for key in ("text.ce_f1_micro", "text.ce_f1_macro"):
        module, name = agg[key]["corpus"].split(":")
        assert getattr(importlib.import_module(module), name)(rows, np.ones((1, len(rows))))[0] == \
            pytest.approx(agg[key]["value"])


def test_text_scorer_reports_a_bad_bertscore_model_per_item(tmp_path):
    scorer = TextScorer(task=_task(tmp_path), mode="gemeval", bertscore_model=str(tmp_path / "missing-model"))
    sample = Sample(id="a", task="r", prompt="", reference={"text": REPORT})
    row = scorer.score(sample, Prediction("a", REPORT))
    assert row["text.bertscore_f1"] is None
    assert "--bertscore-model" in row["text.bertscore_error"]
    assert row["text.rouge_l"] == pytest.approx(1.0) and row["text.ce_f1"] == 1.0
    off = TextScorer(task=_task(tmp_path), mode="gemeval", bertscore=False).score(sample, Prediction("a", REPORT))
    assert off["text.bertscore_f1"] is None and "text.bertscore_error" not in off
    bad = Sample(id="b", task="r", prompt="", reference={})
    with pytest.raises(ValueError, match="sample 'b'.*'text'"):
        scorer.score(bad, Prediction("b", "x"))
    good, broken = TextScorer(task=_task(tmp_path), bertscore=False).score_batch(
        [sample, bad], [Prediction("a", REPORT), Prediction("b", "x")])
    assert good["text.rouge_l"] == pytest.approx(1.0) and "text.error" not in good
    assert broken["text.rouge_l"] is None and "sample 'b'" in broken["text.error"]
