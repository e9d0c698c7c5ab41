"""Rule-based diagnoses and the grounded interpretation: on synthetic truth, on gemeval's
measurement of noisy synthetic records, and on the real records beside the project."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from gemeval.ecg.interpret import Finding, diagnose, finding_labels, write_interpretation
from gemeval.ecg.measure import measure
from gemeval.ecg.record import LEADS
from gemeval.ecg.synth import CONDITIONS, NoiseOptions, synthesize
from gemeval.metrics.grounding import grounding_scores

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def _truth(condition: str, seed: int) -> dict:
    return synthesize(condition, seed, noise=NoiseOptions.none())[1]


def _scores(text: str, truth: dict, truth_source: str = "synthetic-truth") -> dict:
    return grounding_scores(text, truth, truth_source=truth_source,
                            reference_labels=truth.get("labels"), label_space="scp-findings")


@pytest.mark.parametrize("condition", CONDITIONS)
def test_diagnose_recovers_each_condition_from_its_truth(condition):
    for seed in range(3):
        truth = _truth(condition, seed)
        assert sorted(finding_labels(diagnose(truth))) == sorted(truth["labels"]), (condition, seed)


@pytest.mark.parametrize("condition", CONDITIONS)
def test_reference_interpretation_verifies_against_the_truth(condition):
    for seed in range(2):
        truth = _truth(condition, seed)
        scores = _scores(write_interpretation(truth, record_id=truth["id"]), truth)
        assert scores["claim_precision"] == 1.0, [c for c in scores["claims"] if c["status"] != "verified"]
        assert scores["n_contradicted"] == 0
        assert scores["n_verified"] >= 45  # rate, intervals, axis and three values in each lead
        assert scores["feature_coverage"] == 1.0
        assert scores["lead_coverage"] == 1.0
        assert scores["diagnosis_f1"] == 1.0, (scores["predicted_labels"], truth["labels"])


def test_interpretation_sections_and_determinism():
    truth = _truth("first_degree_av_block", 4)
    text = write_interpretation(truth, record_id="syn-00007")
    assert text == write_interpretation(truth, diagnose(truth), record_id="syn-00007")
    assert text.startswith("ECG interpretation of record syn-00007.")
    for section in ("Rhythm and rate:", "Intervals:", "Axis:", "Per-lead findings", "Conclusion:"):
        assert section in text
    for lead in LEADS:
        assert f"\nLead {lead}: " in text
    assert f"The PR interval is prolonged at {truth['pr_ms']:.0f} ms (above 200 ms)." in text
    assert "First-degree AV block (1AVB): PR interval" in text


def test_findings_cite_their_evidence():
    truth = _truth("inferior_stemi", 0)
    (stemi,) = [f for f in diagnose(truth) if f.code == "IMI"]
    assert stemi.codes == ("IMI", "STE_")
    for lead in ("II", "III", "aVF"):
        assert f"{lead} ({truth['st_mv'][lead]:.2f} mV)" in stemi.evidence
    assert f"{truth['st_mv']['aVL']:+.2f} mV in aVL" in stemi.evidence


def _values(**overrides) -> dict:
    values = {
        "hr_bpm": 72.0, "rr_ms": 833.0, "pr_ms": 160.0, "qrs_ms": 90.0, "qt_ms": 380.0,
        "qtc_ms": 416.0, "qtc_fridericia_ms": 404.0, "axis_deg": 45.0,
        "st_mv": dict.fromkeys(LEADS, 0.0), "r_mv": dict.fromkeys(LEADS, 0.8),
        "s_mv": dict.fromkeys(LEADS, -0.3), "rhythm": "sinus", "rr_regular": True,
    }
    values.update(overrides)
    return values


def test_normal_values_are_a_normal_ecg():
    assert finding_labels(diagnose(_values())) == ["SR", "NORM"]
    assert finding_labels(diagnose(_values(hr_bpm=52.0))) == ["SBRAD", "NORM"]


def test_long_qt_threshold_depends_on_sex_and_ignores_bundle_branch_block_widening():
    assert "LNGQT" not in finding_labels(diagnose(_values(qtc_ms=455.0)))
    assert "LNGQT" in finding_labels(diagnose(_values(qtc_ms=455.0, sex="M")))
    assert "LNGQT" in finding_labels(diagnose(_values(qtc_ms=470.0)))
    rbbb = _values(qrs_ms=150.0, qtc_ms=470.0,
                   r_mv=dict(dict.fromkeys(LEADS, 0.8), V1=0.9),
                   s_mv=dict(dict.fromkeys(LEADS, -0.3), V1=0.0))
    assert finding_labels(diagnose(rbbb)) == ["SR", "CRBBB"]


def test_lvh_voltage_criteria():
    r = dict(dict.fromkeys(LEADS, 0.8), V5=2.4, aVL=1.2)
    s = dict(dict.fromkeys(LEADS, -0.3), V1=-1.3, V3=-1.0)
    assert "LVH" in finding_labels(diagnose(_values(r_mv=r, s_mv=s)))  # Sokolow-Lyon 3.7
    s["V1"] = -0.9  # Sokolow-Lyon 3.3, Cornell 2.2: only above the female limit
    assert "LVH" not in finding_labels(diagnose(_values(r_mv=r, s_mv=s)))
    assert "LVH" in finding_labels(diagnose(_values(r_mv=r, s_mv=s, sex="F")))


def test_lbbb_hides_its_secondary_st_elevation_and_voltage():
    truth = _truth("lbbb", 0)
    assert truth["st_mv"]["V2"] >= 0.2 and truth["st_mv"]["V3"] >= 0.2  # discordant ST
    assert finding_labels(diagnose(truth)) == ["SR", "CLBBB"]


def test_axis_deviation_with_a_wide_qrs_has_no_code():
    lbbb = _truth("lbbb", 1)
    findings = diagnose(dict(lbbb, axis_deg=-50.0))
    assert Finding((), "Left axis deviation", "frontal QRS axis -50 degrees, below -30 degrees") in findings


def test_atrial_fibrillation_has_no_pr_findings():
    truth = _truth("atrial_fibrillation", 0)
    assert math.isnan(truth["pr_ms"])
    assert finding_labels(diagnose(truth)) == ["AFIB"]
    text = write_interpretation(truth)
    assert "The PR interval cannot be measured because no P wave precedes the QRS." in text


def test_missing_values_give_a_text_that_claims_nothing_false():
    values = {key: math.nan for key in ("hr_bpm", "rr_ms", "pr_ms", "qrs_ms", "qt_ms", "qtc_ms",
                                        "qtc_fridericia_ms", "axis_deg")}
    values.update(st_mv=dict.fromkeys(LEADS, math.nan), r_mv={}, s_mv={}, rhythm="undetermined",
                  rr_regular=False)
    assert diagnose(values) == []
    text = write_interpretation(values)
    assert "No diagnosis can be supported by the measured values." in text
    assert "Lead V1: not measurable." in text
    scores = _scores(text, values, truth_source="gemeval-measure")
    assert scores["n_contradicted"] == 0 and scores["claim_precision"] is None


def test_measure_baseline_verifies_against_the_truth():
    """gemeval's measurement of noisy records, written up by the rules, checked against
    the exact construction: the floor every model must clear."""
    verified = decided = 0
    for condition in CONDITIONS:
        record, truth = synthesize(condition, 11)
        values = measure(record).to_dict()
        scores = _scores(write_interpretation(values), truth)
        verified += scores["n_verified"]
        decided += scores["n_verified"] + scores["n_contradicted"]
    assert verified / decided >= 0.95


def _real_records() -> list[Path]:
    paths = sorted((SHARED_DATA / "cinc2021").glob("*.hea"))
    paths += [SHARED_DATA / "csn-native" / "JS00001.hea",
              SHARED_DATA / "ptbxl-native" / "records100" / "00000" / "00001_lr.hea"]
    return [p for p in paths if p.is_file()]


def test_real_records_interpretation_is_consistent_with_its_measurement():
    from gemeval.ecg.io import read_record

    paths = _real_records()
    if not paths:
        pytest.skip(f"real ECG fixtures not found at {SHARED_DATA}")
    for path in paths:
        record = read_record(path.with_suffix(""), validate=False)
        values = measure(record).to_dict()
        text = write_interpretation(values, record_id=record.record_id)
        scores = _scores(text, values, truth_source="gemeval-measure")
        assert scores["n_contradicted"] == 0, (path.name, [c for c in scores["claims"]
                                                           if c["status"] == "contradicted"])
        assert scores["feature_coverage"] >= 6 / 7, path.name


_NUMBER = re.compile(r"(?<![\w.+\-−])([+\-−]?)(\d+(?:\.\d+)?)")


def _scaled(text: str, factor: float) -> str:
    """Every number of the text times ``factor``, written with as many decimals."""
    def scale(m: re.Match[str]) -> str:
        digits = m.group(2)
        decimals = len(digits.split(".")[1]) if "." in digits else 0
        return m.group(1) + f"{float(digits) * factor:.{decimals}f}"
    return _NUMBER.sub(scale, text)


def _mean(rows: list[dict], key: str) -> float:
    values = [row[key] for row in rows if row[key] is not None]
    assert values, key
    return sum(values) / len(values)


def test_evidence_metrics_reward_right_numbers_and_punish_wrong_or_missing_ones():
    """The measure baseline's own texts on synthetic records score high on every grounding
    metric; the same texts with every number x1.5 lose their numeric precision; without
    their numbers they cite less evidence, and a text cannot score well by saying little."""
    original, scaled, bare = [], [], []
    for condition in CONDITIONS:
        record, truth = synthesize(condition, 11)
        text = write_interpretation(measure(record).to_dict())
        original.append(_scores(text, truth))
        scaled.append(_scores(_scaled(text, 1.5), truth))
        bare.append(_scores(_NUMBER.sub("", text), truth))
    assert _scaled("QRS 96 ms, ST +0.20 mV in V2, axis -30", 1.5) == "QRS 144 ms, ST +0.30 mV in V2, axis -45"
    for key, floor in (("claim_precision", 0.95), ("numeric_precision", 0.95), ("evidence_recall", 0.85),
                       ("grounding_f", 0.9)):
        assert _mean(original, key) >= floor, key
    assert _mean(scaled, "numeric_precision") <= 0.25
    assert _mean(scaled, "grounding_f") <= _mean(original, "grounding_f") - 0.3
    assert all(row["numeric_precision"] is None for row in bare)  # no number left to check
    assert _mean(bare, "evidence_recall") <= _mean(original, "evidence_recall") - 0.3
    assert _mean(bare, "grounding_f") <= _mean(original, "grounding_f") - 0.25
