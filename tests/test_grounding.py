"""Grounding verification: claim extraction, verification against truth, scores, scorer."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from sklearn.metrics import f1_score

from gemeval.ecg.record import LEADS
from gemeval.metrics.grounding import (
    EXACT_TRUTH_TOLERANCES,
    MEASURED_TOLERANCES,
    GroundingScorer,
    diagnosis_f1,
    extract_claims,
    grounding_scores,
    tolerances_for,
    verify_claims,
)
from gemeval.sample import Prediction, Sample
from gemeval.tasks import load_task


def _per_lead(default: float, **values: float) -> dict[str, float]:
    table = dict.fromkeys(LEADS, default)
    table.update(values)
    return table


# An inferior ST-elevation infarction at 75 bpm, written down the way the synthesiser's
# truth is: scalars, per-lead dicts, rhythm.
TRUTH = {
    "hr_bpm": 75.0, "rr_ms": 800.0, "pr_ms": 160.0, "qrs_ms": 92.0, "qt_ms": 380.0,
    "qtc_ms": 425.0, "qtc_fridericia_ms": 408.0, "axis_deg": 60.0,
    "st_mv": _per_lead(0.0, II=0.22, III=0.25, aVF=0.2, aVL=-0.12, I=-0.04),
    "r_mv": _per_lead(0.5, V5=1.6, II=1.3),
    "s_mv": _per_lead(-0.2, V1=-0.9),
    "rhythm": "sinus", "rr_regular": True,
}

RIGHT = ("Sinus rhythm at 75 bpm. PR interval 160 ms, QRS duration 90 ms, QT/QTc 380/425 ms. "
         "The frontal axis is +60 degrees. ST elevation of 2 mm in leads II, III and aVF with "
         "reciprocal ST depression of 1 mm in aVL.")
WRONG = ("Sinus rhythm at 110 bpm. PR interval 240 ms, QRS duration 140 ms, QT/QTc 450/520 ms. "
         "The frontal axis is -60 degrees. ST elevation of 4 mm in leads II, III and aVF with "
         "reciprocal ST depression of 3 mm in aVL.")


def _numeric(text: str) -> list[tuple]:
    return [(c.quantity, c.lead, c.value) for c in extract_claims(text) if c.kind == "numeric"]


def _statuses(text: str, truth: dict = TRUTH, tolerances=EXACT_TRUTH_TOLERANCES) -> list[tuple]:
    return [(v.claim.quantity, v.claim.lead, v.status)
            for v in verify_claims(extract_claims(text), truth, tolerances)]


# --- extraction ------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("Heart rate 72 beats/min.", [("hr_bpm", None, 72.0)]),
    ("Rate of 80 beats per minute.", [("hr_bpm", None, 80.0)]),
    ("Ventricular rate: 95/min.", [("hr_bpm", None, 95.0)]),
    ("HR 110.", [("hr_bpm", None, 110.0)]),
    ("Sinus rhythm at 64 bpm.", [("hr_bpm", None, 64.0)]),
    ("The PR interval measures 0.18 seconds.", [("pr_ms", None, 180.0)]),
    ("QRS 0.09 s.", [("qrs_ms", None, 90.0)]),
    ("QT 400 msec.", [("qt_ms", None, 400.0)]),
    ("RR interval 800 ms.", [("rr_ms", None, 800.0)]),
    ("The frontal axis is -45°.", [("axis_deg", None, -45.0)]),
    ("Axis: +120 degrees.", [("axis_deg", None, 120.0)]),
    ("QRS axis 30 deg.", [("axis_deg", None, 30.0)]),
    ("ST segment elevation of 150 µV in V2.", [("st_mv", "V2", 0.15)]),
    ("ST elevation of 1.5 mm in V3.", [("st_mv", "V3", 0.15)]),
    ("ST elevation of 0.2 mV (2 mm) in V2.", [("st_mv", "V2", 0.2)]),
    ("R wave in V5 measures 28 mm.", [("r_mv", "V5", 2.8)]),
    ("S wave in V1 is 1.9 mV deep.", [("s_mv", "V1", -1.9)]),
    ("Sokolow-Lyon index (S V1 + R V5) 4.7 mV.", [("sokolow_lyon_mv", None, 4.7)]),
    ("Cornell voltage 2.9 mV.", [("cornell_mv", None, 2.9)]),
    ("QT/QTc: 400/450 ms.", [("qt_ms", None, 400.0), ("qtc_ms", None, 450.0)]),
    ("QT/QTcF 0.40/0.43 s.", [("qt_ms", None, 400.0), ("qtc_fridericia_ms", None, 430.0)]),
    ("QTc (Bazett) 470 ms.", [("qtc_ms", None, 470.0)]),
    ("QTc (Fridericia) 455 ms.", [("qtc_fridericia_ms", None, 455.0)]),
])
def test_numbers_are_read_in_canonical_units(text, expected):
    assert _numeric(text) == expected


def test_qtc_formula_is_recorded():
    formulas = [c.formula for c in extract_claims("QTc (Bazett) 470 ms; QTcF 455 ms; QTc 460 ms.")]
    assert formulas == ["bazett", "fridericia", None]


def test_ranges_approximations_and_bounds():
    (pr,) = extract_claims("PR 180-200 ms.")
    assert (pr.low, pr.high, pr.value, pr.comparator) == (180.0, 200.0, 190.0, "range")
    (pr,) = extract_claims("PR 160 to 180 ms.")
    assert (pr.low, pr.high) == (160.0, 180.0)
    (qrs,) = extract_claims("QRS ~ 100 ms.")
    assert qrs.approximate and qrs.value == 100.0
    (qrs,) = extract_claims("QRS >= 120 ms.")
    assert (qrs.low, qrs.high, qrs.comparator) == (120.0, math.inf, ">=")
    first, bound = extract_claims("QRS duration 140 ms (at least 120 ms).")
    assert first.value == 140.0 and (bound.low, bound.comparator) == (120.0, ">=")


def test_one_claim_per_lead_in_a_lead_list():
    assert _numeric("ST elevation of 2 mm in leads II, III and aVF.") == [
        ("st_mv", "II", 0.2), ("st_mv", "III", 0.2), ("st_mv", "aVF", 0.2)]
    assert [c.lead for c in extract_claims("ST elevation in V1-V4.")] == ["V1", "V2", "V3", "V4"]
    assert [c.lead for c in extract_claims("ST elevation in V1 through V3.")] == ["V1", "V2", "V3"]


def test_reciprocal_changes_take_their_own_direction():
    claims = extract_claims("ST elevation of 2-3 mm in V1-V4 with reciprocal depression in II, III, aVF.")
    assert [(c.lead, c.category) for c in claims if c.value is None] == [
        ("II", "depressed"), ("III", "depressed"), ("aVF", "depressed")]
    assert {c.lead for c in claims if c.value is not None} == {"V1", "V2", "V3", "V4"}
    claims = extract_claims("ST depression in V5 and V6 with ST elevation of 0.2 mV in aVR.")
    assert [(c.lead, c.category, c.value) for c in claims] == [
        ("V5", "depressed", None), ("V6", "depressed", None), ("aVR", None, 0.2)]
    truth = {"st_mv": _per_lead(0.0, V1=0.25, V2=0.3, V3=0.25, V4=0.2, II=-0.1, III=-0.12, aVF=-0.1)}
    verdicts = verify_claims(extract_claims(
        "ST elevation of 2-3 mm in V1-V4 with reciprocal depression in II, III, aVF."), truth)
    assert [v.status for v in verdicts] == ["verified"] * 7


def test_each_value_goes_with_its_own_lead():
    expected = [("st_mv", "II", 0.3), ("st_mv", "III", 0.25), ("st_mv", "aVF", 0.2)]
    assert _numeric("ST elevation of 0.3 mV in II, 0.25 mV in III and 0.2 mV in aVF.") == expected
    assert _numeric("ST elevation in II (0.3 mV), III (0.25 mV) and aVF (0.2 mV).") == expected


def test_leads_before_the_keyword_and_lead_headings():
    assert _numeric("In leads II and III there is ST elevation of 2 mm.") == [
        ("st_mv", "II", 0.2), ("st_mv", "III", 0.2)]
    assert _numeric("Lead V5: R wave 1.60 mV, S wave 0.30 mV deep, ST level +0.02 mV.") == [
        ("r_mv", "V5", 1.6), ("s_mv", "V5", -0.3), ("st_mv", "V5", 0.02)]


def test_st_depression_is_negative():
    assert _numeric("ST depression of 1 mm in V5.") == [("st_mv", "V5", -0.1)]
    assert _numeric("1 mm ST depression in V5 and V6.") == [("st_mv", "V5", -0.1), ("st_mv", "V6", -0.1)]
    assert _numeric("ST segment -0.05 mV in V6.") == [("st_mv", "V6", -0.05)]


def test_territories_stay_one_claim():
    (claim,) = extract_claims("ST elevation in the inferior leads.")
    assert (claim.lead, claim.category) == ("inferior", "elevated")
    (claim,) = extract_claims("ST elevation in the inferior leads (II, III, aVF) of 2 mm.")[:1]
    assert claim.lead == "II"


def test_non_claims():
    text = ("A 65-year-old man. 12-lead ECG recorded on 2024-03-01 at 25 mm/s and 10 mm/mV, "
            "filtered 0.5-40 Hz. Lead V1 shows an rS complex. Mobitz type II second-degree block in "
            "lead II. Record syn-00012. T-wave inversion in V1 to V3 of 0.3 mV. P wave duration "
            "110 ms. Atrial rate 300 bpm. I think so.")
    # The T-wave inversion is a finding (three categorical claims), its 0.3 mV no number.
    assert [(c.quantity, c.lead, c.category, c.value) for c in extract_claims(text)] == [
        ("t_wave", lead, "inverted", None) for lead in ("V1", "V2", "V3")]


def test_a_keyword_does_not_take_the_number_of_the_next_one():
    pr, qrs = extract_claims("The PR interval is not measurable, QRS 96 ms.")
    assert (pr.quantity, pr.value, pr.category, pr.assertion) == ("pr_ms", None, None, "not_assessable")
    assert (qrs.quantity, qrs.value, qrs.assertion) == ("qrs_ms", 96.0, "affirmed")
    assert [(c.quantity, c.value, c.assertion) for c in extract_claims(
        "PR interval not measurable; P-wave duration 100 ms.")] == [("pr_ms", None, "not_assessable")]


@pytest.mark.parametrize("text, quantity, category, negated", [
    ("Prolonged PR interval.", "pr_ms", "prolonged", False),
    ("The PR interval is not prolonged.", "pr_ms", "prolonged", True),
    ("First-degree AV block.", "pr_ms", "prolonged", False),
    ("Normal PR interval.", "pr_ms", "normal", False),
    ("Wide QRS complexes.", "qrs_ms", "wide", False),
    ("The QRS duration is within normal limits.", "qrs_ms", "normal", False),
    ("Complete right bundle branch block.", "qrs_ms", "wide", False),
    ("Prolonged QTc.", "qtc_ms", "prolonged", False),
    ("QT prolongation.", "qtc_ms", "prolonged", False),
    ("Normal axis.", "axis_deg", "normal", False),
    ("Left axis deviation.", "axis_deg", "left", False),
    ("Right axis deviation.", "axis_deg", "right", False),
    ("Sinus rhythm.", "rhythm", "sinus", False),
    ("No atrial fibrillation.", "rhythm", "atrial_fibrillation", True),
    ("Irregularly irregular rhythm.", "rhythm", "irregular", False),
    ("Bradycardia.", "hr_bpm", "slow", False),
])
def test_categorical_claims(text, quantity, category, negated):
    claims = [c for c in extract_claims(text) if c.quantity == quantity]
    assert [(c.category, c.negated) for c in claims] == [(category, negated)]


def test_incomplete_bundle_branch_block_is_no_wide_qrs_claim():
    assert extract_claims("Incomplete right bundle branch block.") == []


def test_st_categories_per_lead_and_negated():
    claims = extract_claims("ST elevation in V2. No ST depression.")
    assert [(c.lead, c.category, c.negated) for c in claims] == [
        ("V2", "elevated", False), (None, "depressed", True)]


# --- verification ----------------------------------------------------------------------


def test_right_numbers_are_verified():
    assert _statuses(RIGHT) == [
        ("rhythm", None, "verified"), ("hr_bpm", None, "verified"), ("pr_ms", None, "verified"),
        ("qrs_ms", None, "verified"), ("qt_ms", None, "verified"), ("qtc_ms", None, "verified"),
        ("axis_deg", None, "verified"), ("st_mv", "II", "verified"), ("st_mv", "III", "verified"),
        ("st_mv", "aVF", "verified"), ("st_mv", "aVL", "verified"),
    ]


def test_wrong_numbers_are_contradicted():
    assert _statuses(WRONG) == [("rhythm", None, "verified")] + [
        (q, lead, "contradicted") for q, lead in (
            ("hr_bpm", None), ("pr_ms", None), ("qrs_ms", None), ("qt_ms", None), ("qtc_ms", None),
            ("axis_deg", None), ("st_mv", "II"), ("st_mv", "III"), ("st_mv", "aVF"), ("st_mv", "aVL"))
    ]


def test_unverifiable_claims_say_why():
    af = dict(TRUTH, pr_ms=math.nan, rhythm="atrial_fibrillation", rr_regular=False)
    del af["r_mv"]
    text = ("PR interval 160 ms. ST elevation of 0.2 mV. R wave 1.6 mV in V5. PR 120-200 ms. "
            "Heart rate 75 bpm. Sinus rhythm.")
    verdicts = verify_claims(extract_claims(text), af)
    assert [(v.claim.quantity, v.status) for v in verdicts] == [
        ("pr_ms", "unverifiable"), ("st_mv", "unverifiable"), ("r_mv", "unverifiable"),
        ("pr_ms", "unverifiable"), ("hr_bpm", "verified"), ("rhythm", "contradicted")]
    reasons = [v.reason for v in verdicts[:4]]
    assert reasons == ["truth pr_ms is NaN", "no lead named", "no truth for r_mv",
                       "truth pr_ms is NaN"]
    assert [v.checkable for v in verdicts] == [False, False, False, False, True, True]


def test_range_too_wide_is_unverifiable_but_checkable():
    (verdict,) = verify_claims(extract_claims("PR 120-200 ms."), TRUTH)
    assert (verdict.status, verdict.checkable, verdict.reason) == (
        "unverifiable", True, "range too wide to check")
    (verdict,) = verify_claims(extract_claims("PR 150-170 ms."), TRUTH)
    assert verdict.status == "verified"
    (verdict,) = verify_claims(extract_claims("PR 150-170 ms."), dict(TRUTH, pr_ms=230.0))
    assert verdict.status == "contradicted"


def test_bounds_hold_up_to_the_tolerance():
    assert _statuses("QRS >= 120 ms.", dict(TRUTH, qrs_ms=140.0))[0][2] == "verified"
    assert _statuses("QRS >= 120 ms.")[0][2] == "contradicted"
    assert _statuses("Heart rate below 60 bpm.", dict(TRUTH, hr_bpm=52.0))[0][2] == "verified"
    assert _statuses("Heart rate below 60 bpm.")[0][2] == "contradicted"


def test_tolerance_bands_per_truth_source():
    text = "QRS duration 117 ms."  # 25 ms from the truth's 92 ms
    assert _statuses(text, tolerances=EXACT_TRUTH_TOLERANCES)[0][2] == "contradicted"
    assert _statuses(text, tolerances=MEASURED_TOLERANCES)[0][2] == "verified"
    assert tolerances_for("synthetic-truth") is EXACT_TRUTH_TOLERANCES
    assert tolerances_for("gemeval-measure") is MEASURED_TOLERANCES
    assert tolerances_for("machine-measurements") is MEASURED_TOLERANCES
    assert tolerances_for(None) is MEASURED_TOLERANCES


def test_heart_rate_band_is_the_larger_of_absolute_and_relative():
    fast = dict(TRUTH, hr_bpm=150.0)
    assert _statuses("Heart rate 143 bpm.", fast)[0][2] == "verified"  # 5 % of 150 = 7.5
    assert _statuses("Heart rate 142 bpm.", fast)[0][2] == "contradicted"


def test_qtc_without_formula_matches_either():
    truth = dict(TRUTH, qtc_ms=440.0, qtc_fridericia_ms=400.0)
    assert _statuses("QTc 400 ms.", truth)[0][2] == "verified"
    assert _statuses("QTc 440 ms.", truth)[0][2] == "verified"
    assert _statuses("QTc 520 ms.", truth)[0][2] == "contradicted"
    assert _statuses("QTc (Bazett) 400 ms.", truth)[0][2] == "contradicted"
    assert _statuses("QTcF 400 ms.", truth)[0][2] == "verified"


def test_axis_wraps_around():
    assert _statuses("The axis is -175 degrees.", dict(TRUTH, axis_deg=178.0))[0][2] == "verified"


def test_categories_have_an_indeterminate_zone():
    assert _statuses("Prolonged PR.", dict(TRUTH, pr_ms=215.0))[0][2] == "verified"
    assert _statuses("Prolonged PR.", dict(TRUTH, pr_ms=205.0))[0][2] == "unverifiable"
    assert _statuses("Prolonged PR.", dict(TRUTH, pr_ms=185.0))[0][2] == "contradicted"
    # QTc between the male (450) and female (460 ms) limits is undecided by definition.
    assert _statuses("Prolonged QTc.", dict(TRUTH, qtc_ms=455.0))[0][2] == "unverifiable"
    assert _statuses("Prolonged QTc.", dict(TRUTH, qtc_ms=475.0))[0][2] == "verified"
    assert _statuses("Prolonged QTc.", dict(TRUTH, qtc_ms=435.0))[0][2] == "contradicted"
    assert _statuses("Wide QRS.")[0][2] == "contradicted"
    assert _statuses("Narrow QRS.")[0][2] == "verified"


def test_negated_categories_flip():
    assert _statuses("The PR interval is not prolonged.")[0][2] == "verified"
    assert _statuses("The PR interval is not prolonged.", dict(TRUTH, pr_ms=260.0))[0][2] == "contradicted"


def test_st_categories_by_lead_territory_and_any_lead():
    flat = dict(TRUTH, st_mv=_per_lead(0.01))
    assert _statuses("ST elevation in II, III and aVF.") == [
        ("st_mv", "II", "verified"), ("st_mv", "III", "verified"), ("st_mv", "aVF", "verified")]
    assert _statuses("ST elevation in V2.")[0][2] == "contradicted"
    assert _statuses("ST elevation in the inferior leads.")[0][2] == "verified"
    assert _statuses("No ST elevation.", flat)[0][2] == "verified"
    assert _statuses("No ST elevation.")[0][2] == "contradicted"
    assert _statuses("ST depression in aVL.")[0][2] == "verified"
    assert _statuses("The ST segments are isoelectric in V1-V3.") == [
        ("st_mv", "V1", "verified"), ("st_mv", "V2", "verified"), ("st_mv", "V3", "verified")]


def test_axis_categories_and_the_north_west_quadrant():
    assert _statuses("Normal axis.")[0][2] == "verified"
    assert _statuses("Left axis deviation.", dict(TRUTH, axis_deg=-50.0))[0][2] == "verified"
    assert _statuses("Right axis deviation.", dict(TRUTH, axis_deg=-50.0))[0][2] == "contradicted"
    north_west = dict(TRUTH, axis_deg=-130.0)
    assert _statuses("Left axis deviation.", north_west)[0][2] == "unverifiable"
    assert _statuses("Normal axis.", north_west)[0][2] == "contradicted"


def test_rhythm_claims_read_the_synthesiser_and_measurement_names():
    assert _statuses("Sinus rhythm.", dict(TRUTH, rhythm="sinus_bradycardia"))[0][2] == "verified"
    assert _statuses("Atrial fibrillation.")[0][2] == "contradicted"
    assert _statuses("Sinus rhythm.", dict(TRUTH, rhythm="undetermined"))[0][2] == "unverifiable"
    assert _statuses("Regular rhythm.", dict(TRUTH, rr_regular=False))[0][2] == "contradicted"


def test_voltage_sums_are_derived_from_the_amplitudes():
    # |S V1| + max(R V5, R V6) = 0.9 + 1.6; R aVL + |S V3| = 0.5 + 0.2
    assert _statuses("Sokolow-Lyon 2.5 mV. Cornell voltage 0.7 mV. Sokolow-Lyon 3.6 mV.") == [
        ("sokolow_lyon_mv", None, "verified"), ("cornell_mv", None, "verified"),
        ("sokolow_lyon_mv", None, "contradicted")]


# --- scores ----------------------------------------------------------------------------


def test_fluent_text_with_wrong_numbers_scores_low():
    right = grounding_scores(RIGHT, TRUTH, truth_source="synthetic-truth", reference_labels=None,
                             label_space=None)
    wrong = grounding_scores(WRONG, TRUTH, truth_source="synthetic-truth", reference_labels=None,
                             label_space=None)
    assert (right["claim_precision"], right["contradiction_rate"]) == (1.0, 0.0)
    assert wrong["claim_precision"] == pytest.approx(1 / 11)
    assert wrong["contradiction_rate"] == pytest.approx(10 / 11)
    assert right["n_claims"] == wrong["n_claims"] == right["n_checkable"] == 11
    # Same words, same coverage: only the numbers differ.
    assert right["feature_coverage"] == wrong["feature_coverage"] == 1.0
    assert right["leads"] == wrong["leads"] == ["II", "III", "aVL", "aVF"]
    assert right["lead_coverage"] == pytest.approx(4 / 12)


def test_a_text_without_numbers_cannot_be_precise():
    scores = grounding_scores("The ECG looks fine to me.", TRUTH, truth_source="synthetic-truth",
                              reference_labels=None, label_space=None)
    assert scores["claim_precision"] is None and scores["contradiction_rate"] is None
    assert (scores["n_claims"], scores["feature_coverage"], scores["lead_coverage"]) == (0, 0.0, 0.0)


def test_feature_coverage_counts_categorical_mentions():
    scores = grounding_scores("Sinus rhythm with normal rate; normal PR and QRS; QT normal.", TRUTH,
                              truth_source="synthetic-truth", reference_labels=None, label_space=None)
    assert scores["features"] == ["rhythm", "rate", "pr", "qrs", "qt"]


def test_scores_name_their_truth_source_and_bands():
    scores = grounding_scores(RIGHT, TRUTH, truth_source="gemeval-measure", reference_labels=None,
                              label_space=None)
    assert (scores["truth_source"], scores["tolerances"]) == ("gemeval-measure", "measured")
    json.dumps(scores, allow_nan=False)


def test_diagnosis_f1_from_text_labels():
    reference = ["SR", "IMI", "STE_"]
    good = grounding_scores("Sinus rhythm. Inferior ST-elevation myocardial infarction.", TRUTH,
                            truth_source="synthetic-truth", reference_labels=reference,
                            label_space="scp-findings")
    bad = grounding_scores("Atrial fibrillation with left bundle branch block.", TRUTH,
                           truth_source="synthetic-truth", reference_labels=reference,
                           label_space="scp-findings")
    assert good["predicted_labels"] == ["SR", "IMI", "STE_"] and good["diagnosis_f1"] == 1.0
    assert bad["predicted_labels"] == ["AFIB", "CLBBB"] and bad["diagnosis_f1"] == 0.0


def test_diagnosis_f1_equals_scikit_learn():
    rng = np.random.default_rng(0)
    codes = ["NORM", "SR", "AFIB", "CLBBB", "CRBBB", "IMI"]
    for _ in range(200):
        predicted = [c for c in codes if rng.random() < 0.4]
        reference = [c for c in codes if rng.random() < 0.4]
        y_true = [int(c in reference) for c in codes]
        y_pred = [int(c in predicted) for c in codes]
        assert diagnosis_f1(predicted, reference) == pytest.approx(
            f1_score(y_true, y_pred, zero_division=1.0))


# --- the scorer ------------------------------------------------------------------------


def _sample(i: int, truth_source: str = "synthetic-truth") -> Sample:
    return Sample(id=f"s{i}", task="grounded", prompt="Interpret this ECG.",
                  reference={"labels": ["SR", "IMI", "STE_"]}, truth=TRUTH,
                  truth_source=truth_source, group=f"ecg{i // 2}")


def test_scorer_fields_per_sample():
    scorer = GroundingScorer(task=load_task("grounded"))
    assert scorer.label_space == "scp-findings"
    row = scorer.score(_sample(0), Prediction("s0", RIGHT))
    assert row["grounding.claim_precision"] == 1.0
    assert row["grounding.n_claims"] == row["grounding.n_verified"] == 11
    assert row["grounding.truth_source"] == "synthetic-truth"
    assert len(row["grounding.claims"]) == 11
    assert row["grounding.claims"][1] | {"span": None} == {
        "quantity": "hr_bpm", "lead": None, "value": 75.0, "low": 75.0, "high": 75.0,
        "category": None, "negated": False, "comparator": None, "phrase": "75 bpm",
        "span": None, "status": "verified", "truth": 75.0, "reason": "hr_bpm +-5",
        "assertion": "affirmed", "band": [70.0, 80.0], "tolerance": 5.0}
    assert row["grounding.predicted_labels"] == ["SR", "STE_", "STD_"]
    assert row["grounding.diagnosis_f1"] == pytest.approx(2 * 2 / 6)
    json.dumps(row, allow_nan=False)


def test_scorer_failed_prediction_is_none_everywhere():
    row = GroundingScorer().score(_sample(0), Prediction("s0", None, error="timeout"))
    assert row["grounding.claim_precision"] is None and row["grounding.n_claims"] is None
    assert row["grounding.error"] == "timeout"


def test_scorer_aggregate_means_pooled_precision_and_sources():
    scorer = GroundingScorer(label_space="scp-findings")
    samples = [_sample(0), _sample(1), _sample(2, "gemeval-measure"), _sample(3)]
    predictions = [Prediction("s0", RIGHT), Prediction("s1", WRONG), Prediction("s2", RIGHT),
                   Prediction("s3", None, error="model failed")]
    rows = [scorer.score(s, p) for s, p in zip(samples, predictions)]
    out = scorer.aggregate(rows, [s.group for s in samples], seed=0, n_resamples=200)
    precision = out["grounding.claim_precision"]
    assert precision["value"] == pytest.approx((1 + 1 / 11 + 1) / 3)
    assert (precision["n"], precision["n_failed"]) == (3, 1)
    assert precision["ci_low"] <= precision["value"] <= precision["ci_high"]
    assert out["grounding.contradiction_rate"]["higher_is_better"] is False
    pooled = out["grounding.pooled_claim_precision"]
    assert pooled["value"] == pytest.approx((11 + 1 + 11) / 33)
    assert (pooled["n_verified"], pooled["n_contradicted"], pooled["n_failed"]) == (23, 10, 1)
    assert pooled["truth_sources"] == ["gemeval-measure", "synthetic-truth"]
    assert pooled["ci_low"] <= pooled["value"] <= pooled["ci_high"]


# --- assertion status ------------------------------------------------------------------


def _assertions(text: str) -> list[tuple]:
    return [(c.quantity, c.lead, c.category if c.value is None else c.value, c.assertion)
            for c in extract_claims(text)]


@pytest.mark.parametrize("text, expected", [
    # Negation scoped over a list of adjectives, past a comma with no finding before it.
    ("No horizontal, downsloping or upsloping ST depression is seen.",
     [("st_mv", None, "depressed", "negated")]),
    ("Atrial fibrillation rather than sinus rhythm.",
     [("rhythm", None, "atrial_fibrillation", "affirmed"), ("rhythm", None, "sinus", "negated")]),
    ("ST elevation is absent in the inferior leads.", [("st_mv", "inferior", "elevated", "negated")]),
    # A negation does not reach a number after another finding.
    ("No ST elevation and QRS 96 ms.",
     [("st_mv", None, "elevated", "negated"), ("qrs_ms", None, 96.0, "affirmed")]),
    ("Sinus rhythm, no ST elevation, T inversion in V1-V2.",
     [("rhythm", None, "sinus", "affirmed"), ("st_mv", None, "elevated", "negated"),
      ("t_wave", "V1", "inverted", "affirmed"), ("t_wave", "V2", "inverted", "affirmed")]),
    # Hedges, conditionals, textbook statements, references, not assessable.
    ("There may be subtle ST depression in the lateral leads.", [("st_mv", "lateral", "depressed", "uncertain")]),
    ("Possible first-degree AV block.", [("pr_ms", None, "prolonged", "uncertain")]),
    ("LVH cannot be excluded.", [("voltage", None, "lvh", "uncertain")]),
    ("If the QTc exceeded 500 ms, the risk of torsades would rise.", [("qtc_ms", None, 500.0, "hypothetical")]),
    ("Left bundle branch block is characterised by a QRS duration of 120 ms or more.",
     [("qrs_ms", None, "wide", "hypothetical"), ("qrs_ms", None, 120.0, "hypothetical")]),
    ("PR 160 ms (normal 120-200 ms).", [("pr_ms", None, 160.0, "affirmed"), ("pr_ms", None, 160.0, "reference")]),
    ("The normal range is 60 to 100 bpm.", [("hr_bpm", None, 80.0, "reference")]),
    ("QT cannot be reliably measured.", [("qt_ms", None, None, "not_assessable")]),
    ("No valid assessment of QT prolongation can be made.", [("qtc_ms", None, None, "not_assessable")]),
    ("I cannot reliably determine whether the QRS is widened.", [("qrs_ms", None, None, "not_assessable")]),
])
def test_assertion_status(text, expected):
    assert _assertions(text) == expected


def test_assertion_of_a_long_hedged_answer():
    text = ("Thank you for sharing this ECG. I'm not a doctor, but here is what I can see.\n\n"
            "1. **Rhythm**: The rhythm appears to be sinus, with a rate of approximately 72 beats per minute.\n"
            "2. **Intervals**: The PR interval seems to be within the normal range (120-200 ms). "
            "The QTc may be slightly prolonged, but it cannot be measured precisely from a photo.\n"
            "3. **ST segments**: I don't see any ST elevation. A typical inferior infarction would show "
            "ST elevation in II, III and aVF, which is not the case here.\n"
            "Please have this reviewed by a cardiologist.")
    found = _assertions(text)
    assert ("rhythm", None, "sinus", "affirmed") in found
    assert ("hr_bpm", None, 72.0, "affirmed") in found
    assert ("pr_ms", None, "normal", "affirmed") in found
    assert ("pr_ms", None, 160.0, "reference") in found
    assert ("st_mv", None, "elevated", "negated") in found
    assert [a for q, lead, _, a in found if q == "st_mv" and lead in ("II", "III", "aVF")] == ["hypothetical"] * 3
    assert [a for q, *_, a in found if q == "qtc_ms"] in (["uncertain"], ["not_assessable"],
                                                         ["uncertain", "not_assessable"])


def test_clinician_reports():
    assert _assertions("sinus rhythm. left type. A-V block I. ST & T abnormal.") == [
        ("rhythm", None, "sinus", "affirmed"), ("axis_deg", None, "normal", "affirmed"),
        ("pr_ms", None, "prolonged", "affirmed"), ("st_mv", None, "normal", "negated"),
        ("t_wave", None, "normal", "negated")]
    assert _assertions("T flat in I, aVL. no ST-T changes.") == [
        ("t_wave", "I", "flat", "affirmed"), ("t_wave", "aVL", "flat", "affirmed"),
        ("st_mv", None, "normal", "affirmed"), ("t_wave", None, "normal", "affirmed")]
    assert _assertions("Complete Left Bundle Branch Block (CLBBB).") == [("qrs_ms", None, "wide", "affirmed")]
    assert _assertions("VENT. RATE 61 BPM\nP-R-T AXES 58 -42 41") == [
        ("hr_bpm", None, 61.0, "affirmed"), ("axis_deg", None, -42.0, "affirmed")]


def test_leads_of_each_finding_and_territories():
    assert _assertions("ST depression in V5-V6 with reciprocal ST elevation in aVR.") == [
        ("st_mv", "V5", "depressed", "affirmed"), ("st_mv", "V6", "depressed", "affirmed"),
        ("st_mv", "aVR", "elevated", "affirmed")]
    assert _assertions("Each inferior lead shows ST elevation, most marked in III (0.3 mV).") == [
        ("st_mv", "III", 0.3, "affirmed"), ("st_mv", "inferior", "elevated", "affirmed")]
    assert _assertions("The ST segments are not elevated in the lateral chest leads.") == [
        ("st_mv", "left_precordial", "elevated", "negated")]
    assert _assertions("T waves are upright in V2-V3 and inverted in III.") == [
        ("t_wave", "V2", "normal", "affirmed"), ("t_wave", "V3", "normal", "affirmed"),
        ("t_wave", "III", "inverted", "affirmed")]
    assert _assertions("ST elevation inferiorly.") == [("st_mv", "inferior", "elevated", "affirmed")]


def test_failure_patterns_of_real_prose():
    # A time stamp is no duration; "abnormal" is not "normal"; "between 0 and +90" is a range.
    assert _assertions("The QRS upstroke peaks at t=0.11 s.") == []
    assert _assertions("ST abnormal in V5.") == [("st_mv", "V5", "normal", "negated")]
    (axis,) = extract_claims("The axis lies between 0 and +90 degrees.")
    assert (axis.low, axis.high, axis.comparator) == (0.0, 90.0, "range")
    assert _assertions("Sinus at about 85 beats per minute; the rhythm is regular, neither fast nor slow.") == [
        ("rhythm", None, "sinus", "affirmed"), ("hr_bpm", None, 85.0, "affirmed"),
        ("rhythm", None, "regular", "affirmed"), ("hr_bpm", None, "normal", "affirmed")]
    assert _assertions("All intervals are within normal limits.") == [
        ("pr_ms", None, "normal", "affirmed"), ("qrs_ms", None, "normal", "affirmed"),
        ("qtc_ms", None, "normal", "affirmed")]
    assert _assertions("Extreme left axis. LAFB. Paced rhythm. Low QRS voltage.") == [
        ("axis_deg", None, "left", "affirmed"), ("conduction", None, "lafb", "affirmed"),
        ("rhythm", None, "paced", "affirmed"), ("voltage", None, "low", "affirmed")]


def test_only_affirmed_and_negated_claims_are_verified():
    verdicts = verify_claims(extract_claims(
        "Possible atrial fibrillation. If the PR were 300 ms it would be prolonged. T waves inverted in V1. "
        "No ST elevation."), TRUTH)
    assert [(v.claim.quantity, v.status) for v in verdicts] == [
        ("rhythm", "not_checked"), ("pr_ms", "not_checked"), ("t_wave", "unverifiable"),
        ("st_mv", "contradicted")]
    assert verdicts[0].reason == "uncertain: not checked" and verdicts[2].reason == "no truth for t_wave"


# --- tolerance edges -------------------------------------------------------------------


def test_a_bound_holds_only_when_the_truth_satisfies_it():
    flat = dict(TRUTH, st_mv=_per_lead(0.0))
    (verdict,) = verify_claims(extract_claims("ST <= -0.05 mV in V5."), flat)
    # The tolerance band (0.05 mV) touches the truth of 0.0: the bound still fails.
    assert verdict.status == "contradicted" and verdict.band == (-math.inf, -0.05)
    (verdict,) = verify_claims(extract_claims("ST <= -0.05 mV in V5."), dict(flat, st_mv=_per_lead(-0.02)))
    assert verdict.status == "unverifiable"  # misses the limit by less than the tolerance
    (verdict,) = verify_claims(extract_claims("ST <= -0.05 mV in V5."), dict(flat, st_mv=_per_lead(-0.06)))
    assert verdict.status == "verified"
    assert _statuses("QRS >= 120 ms.", dict(TRUTH, qrs_ms=118.0))[0][2] == "unverifiable"
    assert _statuses("QRS >= 120 ms.", dict(TRUTH, qrs_ms=100.0))[0][2] == "contradicted"
    assert _statuses("QRS of 120 ms or more.", dict(TRUTH, qrs_ms=121.0))[0][2] == "verified"
    # A value is still checked with the band on both sides.
    (verdict,) = verify_claims(extract_claims("QRS 100 ms."), TRUTH)
    assert (verdict.status, verdict.band, verdict.tolerance) == ("verified", (80.0, 120.0), 20.0)


# --- evidence metrics ------------------------------------------------------------------


def test_a_text_without_numbers_scores_below_one_that_cites_them():
    cited = grounding_scores(RIGHT, TRUTH, truth_source="synthetic-truth", reference_labels=None,
                             label_space=None)
    vague = grounding_scores("Sinus rhythm. Normal PR interval. Normal axis.", TRUTH,
                             truth_source="synthetic-truth", reference_labels=None, label_space=None)
    silent = grounding_scores("The ECG was reviewed.", TRUTH, truth_source="synthetic-truth",
                              reference_labels=None, label_space=None)
    assert vague["claim_precision"] == cited["claim_precision"] == 1.0
    assert vague["evidence_recall"] < cited["evidence_recall"]
    assert vague["grounding_f"] < cited["grounding_f"]
    assert silent["claim_precision"] is None and silent["evidence_recall"] == 0.0 and silent["grounding_f"] == 0.0
    hedged = grounding_scores("Possibly sinus rhythm. The PR might be about 160 ms.", TRUTH,
                              truth_source="synthetic-truth", reference_labels=None, label_space=None)
    assert (hedged["n_uncertain"], hedged["n_not_checked"], hedged["not_checked_rate"]) == (2, 2, 1.0)
    assert hedged["grounding_f"] == 0.0
