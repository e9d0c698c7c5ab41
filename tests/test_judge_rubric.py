"""Rubric files: loading, consistency checks, the aggregation rules and aggregation."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml

from gemeval.judge.rubric import RubricError, list_rubrics, load_rubric
from gemeval.resources import resource_dir

GROUNDING = load_rubric("grounding")
REPORT = load_rubric("report")


def entries(*scores):
    return [{"Score": s, "Explanation": ""} for s in scores]


def test_every_rubric_loads_and_its_hash_is_the_file_hash():
    names = list_rubrics()
    assert {"grounding", "report", "arena"} <= set(names)
    for name in names:
        rubric = load_rubric(name)
        path = resource_dir("judges") / f"{name}.yaml"
        assert rubric.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        assert rubric.name == name
        assert rubric.default_rule in rubric.rules
        assert sorted(rubric.schema["properties"]) == sorted(rubric.criterion_names)


def test_grounding_has_the_paper_names_and_accepts_the_old_ones():
    assert GROUNDING.criterion_names == [
        "DiagnosisAccuracy", "AnalysisCompleteness", "AnalysisRelevance", "LeadAssessmentCoverage",
        "LeadAssessmentAccuracy", "ECGFeatureGrounding", "EvidenceBasedReasoning", "ClinicalDiagnosticFidelity",
    ]
    assert GROUNDING.canonical("GroundedECGUnderstanding") == "ECGFeatureGrounding"
    assert GROUNDING.canonical("RealisticDiagnosticProcess") == "ClinicalDiagnosticFidelity"
    assert GROUNDING.canonical("diagnosis_accuracy") == "DiagnosisAccuracy"
    assert GROUNDING.canonical("Accuracy") is None
    assert {"gem-notebook-current", "gem-notebook-early"} <= set(GROUNDING.rules)
    assert GROUNDING.default_rule == "gem-notebook-current"


def test_report_and_arena_criteria():
    assert REPORT.criterion_names == ["Diagnosis", "Waveform", "Rhythm"]
    arena = load_rubric("arena")
    assert arena.criterion_names == ["Accuracy", "Completeness", "InstructionAdherence"]
    assert arena.canonical("Instruction adherence") == "InstructionAdherence"
    assert arena.pairwise is not None
    for rubric in (REPORT, arena):
        assert all(c.scores == tuple(range(11)) for c in rubric.criteria)


def test_current_rule_on_one_verdict():
    parsed = {
        "DiagnosisAccuracy": entries(2, 1, 0),
        "AnalysisCompleteness": entries(1, 1, 0, 1),
        "AnalysisRelevance": entries(2, 2, 1),
        "LeadAssessmentCoverage": entries(*([1] * 13)),
        "LeadAssessmentAccuracy": entries(2, 2, 1, 0, 2),
        "ECGFeatureGrounding": entries(80),
        "EvidenceBasedReasoning": entries(50),
        "ClinicalDiagnosticFidelity": entries(100),
    }
    s = GROUNDING.sample_scores(parsed, "gem-notebook-current")
    assert s["DiagnosisAccuracy"] == pytest.approx(2 / 3 * 100)
    assert s["AnalysisCompleteness"] == 3
    assert s["AnalysisRelevance"] == 5
    assert s["LeadAssessmentCoverage"] == 100  # 13 leads credited, capped at 12
    assert s["LeadAssessmentAccuracy"] == pytest.approx(7 / 24 * 100)
    assert (s["ECGFeatureGrounding"], s["EvidenceBasedReasoning"], s["ClinicalDiagnosticFidelity"]) == (80, 50, 100)


def test_early_rule_on_the_same_verdict():
    parsed = {name: entries(0) for name in GROUNDING.criterion_names}
    parsed["DiagnosisAccuracy"] = entries(2, 1, 0)
    parsed["LeadAssessmentAccuracy"] = entries(2, 1, 0, 0)
    parsed["ECGFeatureGrounding"] = entries(80)
    s = GROUNDING.sample_scores(parsed, "gem-notebook-early")
    assert s["DiagnosisAccuracy"] == pytest.approx(1.5 / 2 * 100)
    assert s["LeadAssessmentAccuracy"] == pytest.approx(1.5)
    assert s["ECGFeatureGrounding"] == 80
    assert s["AnalysisCompleteness"] == 0  # no non-zero entry


def test_empty_lists_and_missing_criteria():
    parsed = {name: [] for name in GROUNDING.criterion_names}
    parsed["ECGFeatureGrounding"] = None
    s = GROUNDING.sample_scores(parsed)
    assert s["DiagnosisAccuracy"] == 0 and s["LeadAssessmentCoverage"] == 0
    assert s["ECGFeatureGrounding"] is None
    assert all(v is None for v in GROUNDING.sample_scores(None).values())


def test_report_overall_is_mean_times_ten_and_missing_when_a_criterion_is():
    s = REPORT.sample_scores({"Diagnosis": entries(7), "Waveform": entries(5), "Rhythm": entries(9)})
    assert s["score"] == pytest.approx(70.0)
    s = REPORT.sample_scores({"Diagnosis": entries(7), "Waveform": None, "Rhythm": entries(9)})
    assert s["score"] is None and s["Diagnosis"] == 7


def test_aggregate_counts_failures_and_switches_rules_without_new_calls():
    rows = []
    for k in range(6):
        parsed = {name: entries(1) for name in GROUNDING.criterion_names}
        parsed["DiagnosisAccuracy"] = entries(2, 0) if k % 2 else entries(2, 2)
        for name in ("ECGFeatureGrounding", "EvidenceBasedReasoning", "ClinicalDiagnosticFidelity"):
            parsed[name] = entries(80)
        if k == 5:
            parsed["LeadAssessmentAccuracy"] = None
        rows.append({"parsed": parsed})
    rows.append(None)  # a sample the judge never saw
    groups = ["a", "a", "b", "b", "c", "c", "d"]
    current = GROUNDING.aggregate(rows, groups, seed=1, n_resamples=200)
    early = GROUNDING.aggregate(rows, groups, rule="gem-notebook-early", seed=1, n_resamples=200)
    da = current["judge.DiagnosisAccuracy"]
    assert da["value"] == pytest.approx(75.0) and da["n"] == 6 and da["n_failed"] == 1
    assert da["ci_low"] <= da["value"] <= da["ci_high"]
    assert da["rule"] == "gem-notebook-current" and da["rubric_sha256"] == GROUNDING.sha256
    assert current["judge.LeadAssessmentAccuracy"]["n_failed"] == 2
    assert early["judge.DiagnosisAccuracy"]["value"] == pytest.approx(100.0)
    assert early["judge.DiagnosisAccuracy"]["rule"] == "gem-notebook-early"


def test_repeats_are_averaged_per_sample():
    record = {"parsed": None, "repeats": [
        {"parsed": {"Diagnosis": entries(6), "Waveform": entries(4), "Rhythm": entries(10)}},
        {"parsed": {"Diagnosis": entries(8), "Waveform": None, "Rhythm": entries(10)}},
    ]}
    s = REPORT.record_scores(record)
    assert s["Diagnosis"] == 7 and s["Waveform"] == 4 and s["Rhythm"] == 10
    assert s["score"] == pytest.approx((6 + 4 + 10) / 3 * 10)  # only the first repeat has all three


def test_unknown_rule_names_the_choices():
    with pytest.raises(RubricError, match="gem-notebook-current"):
        GROUNDING.resolve_rule("nope")


def _broken(tmp_path: Path, edit) -> Path:
    doc = yaml.safe_load((resource_dir("judges") / "report.yaml").read_text())
    edit(doc)
    path = tmp_path / "report.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


@pytest.mark.parametrize("edit, message", [
    (lambda d: (d["schema"]["properties"].pop("Rhythm"), d["schema"]["required"].remove("Rhythm")),
     "differ from the criteria"),
    (lambda d: d["schema"]["properties"]["Rhythm"]["properties"]["Score"].update(enum=[0, 5]), "Score enum"),
    (lambda d: d["schema"].update(additionalProperties=True), "strict JSON schema"),
    (lambda d: d["rules"]["pulse"]["reductions"].pop("Waveform"), "no reduction for Waveform"),
    (lambda d: d["rules"]["pulse"]["reductions"]["Waveform"].update(op="median"), "op must be one of"),
    (lambda d: d.update(default_rule="other"), "default_rule"),
    (lambda d: d["prompt"].update(user="{{ nothing_here }}"), "does not render"),
    (lambda d: d["criteria"][1].update(aliases=["diagnosis"]), "clashes"),
])
def test_inconsistent_rubric_files_are_refused_with_the_file_named(tmp_path, edit, message):
    path = _broken(tmp_path, edit)
    with pytest.raises(RubricError, match=message) as info:
        load_rubric(path)
    assert str(path) in str(info.value)


def test_unknown_rubric_lists_the_known_ones():
    with pytest.raises(RubricError, match="grounding"):
        load_rubric("no-such-rubric")


def test_response_formats():
    strict = REPORT.response_format("json_schema")
    assert strict["type"] == "json_schema" and strict["json_schema"]["strict"] is True
    assert strict["json_schema"]["schema"] == REPORT.schema
    assert REPORT.response_format("json_object") == {"type": "json_object"}
    assert REPORT.response_format("text") is None
    pair = load_rubric("arena").response_format("json_schema", pairwise=True)
    assert pair["json_schema"]["schema"]["properties"]["Winner"]["enum"] == ["1", "2", "tie"]
    assert [m["role"] for m in REPORT.render("q", "r", "c")] == ["system", "user"]
