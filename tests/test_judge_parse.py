"""The verdict parser on the replies judges really give: fenced, wrapped, broken, partial."""

from __future__ import annotations

import json

import pytest

from gemeval.judge.parse import json_objects, parse_pair_verdict, parse_verdict
from gemeval.judge.rubric import load_rubric

REPORT = load_rubric("report")
GROUNDING = load_rubric("grounding")


def report_verdict(d=7, w=5, r=9) -> dict:
    return {"Diagnosis": {"Explanation": "mostly right", "Score": d},
            "Waveform": {"Explanation": "some features", "Score": w},
            "Rhythm": {"Explanation": "sinus, correct", "Score": r}}


def scores(verdict) -> dict:
    return {k: None if v is None else [e["Score"] for e in v] for k, v in verdict.parsed.items()}


def test_plain_json():
    v = parse_verdict(json.dumps(report_verdict()), REPORT)
    assert v.error is None and v.failures == {} and not v.repaired
    assert scores(v) == {"Diagnosis": [7], "Waveform": [5], "Rhythm": [9]}
    assert v.parsed["Rhythm"][0]["Explanation"] == "sinus, correct"


def test_fenced_json_with_prose_around_it():
    text = "Here is my evaluation.\n```json\n" + json.dumps(report_verdict(3, 4, 5), indent=2) + "\n```\nThanks."
    v = parse_verdict(text, REPORT)
    assert v.error is None and scores(v) == {"Diagnosis": [3], "Waveform": [4], "Rhythm": [5]}


def test_broken_json_is_repaired():
    text = '{"Diagnosis": {"Explanation": "ok", "Score": 6,}, "Waveform": {"Explanation": "ok", "Score": 2}, ' \
           '"Rhythm": {"Explanation": "cut off", "Score": 8'
    v = parse_verdict(text, REPORT)
    assert v.repaired and v.error is None
    assert scores(v) == {"Diagnosis": [6], "Waveform": [2], "Rhythm": [8]}


def test_missing_criterion_fails_only_that_criterion():
    verdict = report_verdict()
    del verdict["Waveform"]
    v = parse_verdict(json.dumps(verdict), REPORT)
    assert v.parsed["Waveform"] is None and v.failures == {"Waveform": "missing from the verdict"}
    assert scores(v)["Diagnosis"] == [7]


@pytest.mark.parametrize("bad, reason", [
    (11, "not one of"), (-1, "not one of"), (7.5, "not one of"), ("seven", "not a number"), (True, "not a number"),
    ([{"Score": 3}, {"Score": 4}], "expected one score"), ({"Explanation": "no score"}, "no Score"),
])
def test_scores_outside_the_scale_fail_the_criterion(bad, reason):
    verdict = report_verdict()
    verdict["Rhythm"] = bad if isinstance(bad, (list, dict)) else {"Explanation": "x", "Score": bad}
    v = parse_verdict(json.dumps(verdict), REPORT)
    assert v.parsed["Rhythm"] is None and reason in v.failures["Rhythm"]
    assert v.parsed["Diagnosis"] is not None


def test_lenient_forms_of_a_valid_score():
    verdict = {"diagnosis": {"explanation": "x", "score": "7"}, "WAVEFORM": 5, "Rhythm": [{"Score": 9.0}]}
    v = parse_verdict(json.dumps(verdict), REPORT)
    assert v.failures == {} and scores(v) == {"Diagnosis": [7], "Waveform": [5], "Rhythm": [9]}


def test_old_grounding_names_are_read_as_the_new_ones():
    verdict = {name: [{"Score": 1, "Explanation": ""}] for name in GROUNDING.criterion_names[:5]}
    verdict["GroundedECGUnderstanding"] = [{"Score": 80, "Explanation": "cites QRS"}]
    verdict["EvidenceBasedReasoning"] = [{"Score": 50, "Explanation": ""}]
    verdict["RealisticDiagnosticProcess"] = {"Score": 100, "Explanation": ""}
    v = parse_verdict(json.dumps(verdict), GROUNDING)
    assert v.failures == {}
    assert scores(v)["ECGFeatureGrounding"] == [80] and scores(v)["ClinicalDiagnosticFidelity"] == [100]


def test_a_wrapped_verdict_is_unwrapped():
    v = parse_verdict(json.dumps({"evaluation": report_verdict(1, 2, 3)}), REPORT)
    assert scores(v) == {"Diagnosis": [1], "Waveform": [2], "Rhythm": [3]}


@pytest.mark.parametrize("text, message", [
    ("", "empty reply"), (None, "empty reply"), ("I cannot grade this.", "no JSON object"),
    ('{"verdict": "good", "confidence": 0.9}', "expected keys"),
])
def test_replies_without_a_verdict_fail_every_criterion_with_the_reason(text, message):
    v = parse_verdict(text, REPORT)
    assert message in v.error
    assert set(v.failures) == set(REPORT.criterion_names) and all(p is None for p in v.parsed.values())


def test_the_object_with_most_criteria_wins_and_the_last_on_a_tie():
    first = {"Diagnosis": {"Score": 1, "Explanation": "draft"}}
    text = f"Draft: {json.dumps(first)}\nFinal: {json.dumps(report_verdict(2, 3, 4))}"
    assert scores(parse_verdict(text, REPORT)) == {"Diagnosis": [2], "Waveform": [3], "Rhythm": [4]}
    text = f"{json.dumps(report_verdict(1, 1, 1))} corrected: {json.dumps(report_verdict(2, 2, 2))}"
    assert scores(parse_verdict(text, REPORT))["Diagnosis"] == [2]


def test_json_objects_finds_top_level_objects_only():
    text = 'a {"x": {"y": 1}} b {broken c {"z": 2}'
    assert json_objects(text) == [{"x": {"y": 1}}, {"z": 2}]


@pytest.mark.parametrize("text, winner", [
    ('{"Explanation": "2 cites the QRS", "Winner": "2"}', "2"),
    ('```json\n{"winner": "tie", "explanation": "same"}\n```', "tie"),
    ('{"Explanation": "first", "Winner": 1}', "1"),
])
def test_pair_verdicts(text, winner):
    assert parse_pair_verdict(text) == (winner, None)


def test_pair_verdict_with_an_unknown_winner():
    winner, error = parse_pair_verdict('{"Winner": "both"}')
    assert winner is None and "not one of" in error
