"""The worked example of docs/scoring.md, computed: the figures the page prints."""

from __future__ import annotations

from pathlib import Path

import pytest

from gemeval.ecg.record import LEADS
from gemeval.metrics.grounding import grounding_scores

DOC = Path(__file__).resolve().parents[1] / "docs" / "scoring.md"
TEXT = ("Sinus rhythm at 72 bpm. The PR interval is 240 ms, consistent with first-degree AV block. QRS 96 ms. "
        "No ST elevation; ST depression of 1 mm in V5 and V6. A QTc above 500 ms would be dangerous. "
        "The axis cannot be assessed.")
TRUTH = {"hr_bpm": 75.0, "rr_ms": 800.0, "pr_ms": 160.0, "qrs_ms": 92.0, "qt_ms": 380.0, "qtc_ms": 425.0,
         "axis_deg": 60.0, "st_mv": dict(dict.fromkeys(LEADS, 0.0), V5=-0.12, V6=-0.10), "rhythm": "sinus"}


def _scores(text: str) -> dict:
    return grounding_scores(text, TRUTH, truth_source="synthetic-truth", reference_labels=None, label_space=None)


def test_the_worked_example_of_the_scoring_page():
    doc = " ".join(DOC.read_text().split())
    assert " ".join(TEXT.split()) in doc.replace("> ", "")
    scores = _scores(TEXT)
    verdicts = [(c["quantity"], c["lead"], c["assertion"], c["status"]) for c in scores["claims"]]
    assert verdicts == [
        ("rhythm", None, "affirmed", "verified"), ("hr_bpm", None, "affirmed", "verified"),
        ("pr_ms", None, "affirmed", "contradicted"), ("pr_ms", None, "affirmed", "contradicted"),
        ("qrs_ms", None, "affirmed", "verified"), ("st_mv", None, "negated", "verified"),
        ("st_mv", "V5", "affirmed", "verified"), ("st_mv", "V6", "affirmed", "verified"),
        ("qtc_ms", None, "hypothetical", "not_checked"), ("axis_deg", None, "not_assessable", "not_checked"),
    ]
    assert scores["claim_precision"] == 0.75 and scores["contradiction_rate"] == 0.25
    assert scores["numeric_precision"] == pytest.approx(0.8)
    assert scores["evidence_recall"] == pytest.approx(6 / 9)
    assert scores["grounding_f"] == pytest.approx(0.706, abs=5e-4)
    assert scores["not_checked_rate"] == pytest.approx(0.2)
    bare = _scores("Sinus rhythm. No ST elevation.")
    assert bare["claim_precision"] == 1.0 and bare["evidence_recall"] == pytest.approx(1.5 / 9)
    assert bare["grounding_f"] == pytest.approx(0.286, abs=5e-4)
