"""The label extractor: synonyms, look-alike words, negation and the label spaces."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gemeval.ecg.labels import CONDITION_LABELS, SCP_STATEMENTS, scp_to_superclass
from gemeval.metrics.labels import (
    LABEL_SPACES,
    extract_labels,
    extract_labels_detailed,
    label_space_codes,
    labels_to_vector,
)

SHARED = Path(__file__).parents[2] / "shared" / "data"


@pytest.mark.parametrize("text,space,expected", [
    ("RBBB(right bundle branch block)", "cpsc2018", ["RBBB"]),
    ("right bundle-branch block", "cpsc2018", ["RBBB"]),
    ("Right Bundle Branch Block", "code15", ["RBBB"]),
    ("complete right bundle branch blocks", "scp-findings", ["CRBBB"]),
    ("I-AVB(first degree atrioventricular block)", "cpsc2018", ["I-AVB"]),
    ("1st-degree AV block", "code15", ["1dAVb"]),
    ("first degree A-V block", "scp-findings", ["1AVB"]),
    ("frequent PVCs", "cpsc2018", ["PVC"]),
    ("premature atrial complexes", "cpsc2018", ["PAC"]),
    ("ventricular extrasystoles", "scp-findings", ["PVC"]),
    ("AFib with rapid ventricular response", "code15", ["AF"]),
    ("ST-segment depression in V5-V6", "cpsc2018", ["STD"]),
    ("T-wave inversions in V1-V3", "ptbxl-super", ["STTC"]),
    ("inferior myocardial infarction", "ptbxl-super", ["MI"]),
    ("inferior myocardial infarction", "scp-findings", ["IMI"]),
    ("old inferior wall MI", "scp-findings", ["IMI"]),
    ("Inferior ST-elevation myocardial infarction", "scp-findings", ["IMI", "STE_"]),
    ("anteroseptal MI", "scp-findings", ["ASMI"]),
    ("left ventricular hypertrophy", "ptbxl-super", ["HYP"]),
    ("left atrial enlargement", "ptbxl-super", ["HYP"]),
    ("first degree AV block and left anterior fascicular block", "ptbxl-super", ["CD"]),
    ("normal ECG", "ptbxl-super", ["NORM"]),
    ("NORM(normal ECG)", "code15", ["NORM"]),
    ("Prolonged QT interval", "scp-findings", ["LNGQT"]),
    ("Sinus bradycardia", "code15", ["SB"]),
    ("SB(sinus bradycardia), ST(sinus tachycardia)", "code15", ["SB", "ST"]),
    ("Normal sinus rhythm. Normal ECG.", "scp-findings", ["NORM", "SR"]),
    ("Left ventricular hypertrophy by voltage criteria", "scp-findings", ["LVH", "VCLVH"]),
])
def test_synonyms_abbreviations_and_full_names(text, space, expected):
    assert extract_labels(text, space) == expected


@pytest.mark.parametrize("text,space,absent", [
    ("ABNORMAL", "ptbxl-super", "NORM"),
    ("abnormal ECG", "code15", "NORM"),
    ("STEMI", ["MI", "NORM"], "MI"),
    ("AFL", "code15", "AF"),
    ("atrial flutter", "code15", "AF"),
    ("LBBB", "cpsc2018", "RBBB"),
    ("incomplete right bundle branch block", "cpsc2018", "RBBB"),
    ("IRBBB", "scp-findings", "CRBBB"),
    ("non-ST-elevation myocardial infarction", "cpsc2018", "STE"),
    ("NSTEMI", "cpsc2018", "STE"),
    ("ST elevation in V2-V4", "code15", "ST"),
    ("ST-T changes", "code15", "ST"),
    ("ST and T wave abnormalities", "code15", "ST"),
    ("1st degree AV block", "cpsc2018", "STD"),
    ("The ECG was recorded", "cpsc2018", "STE"),
    ("Sinus rhythm, otherwise normal ECG", "ptbxl-super", "NORM"),
    ("normal axis, normal intervals", "ptbxl-super", "NORM"),
    ("nonspecific ST-T changes", "ptbxl-super", "NORM"),
])
def test_look_alike_words_are_not_labels(text, space, absent):
    assert absent not in extract_labels(text, space)


def test_stemi_is_an_infarction_in_ptbxl_super_through_its_own_synonym():
    assert extract_labels("STEMI", "ptbxl-super") == ["MI"]
    (match,) = [m for m in extract_labels_detailed("STEMI", "ptbxl-super")]
    assert match.concept == "stemi" and match.text == "STEMI"
    assert extract_labels("STEMI", ["MI"]) == []
    assert extract_labels("MI", ["MI"]) == ["MI"]
    assert extract_labels("NSTEMI", "ptbxl-super") == ["MI"]


@pytest.mark.parametrize("text,space,expected", [
    ("No ST elevation.", "cpsc2018", []),
    ("no ST elevation", "ptbxl-super", []),
    ("Without evidence of atrial fibrillation", "code15", []),
    ("absence of LBBB", "cpsc2018", []),
    ("negative for myocardial infarction", "ptbxl-super", []),
    ("rule out inferior MI", "ptbxl-super", []),
    ("Not a normal ECG", "ptbxl-super", []),
    ("ST elevation is absent", "cpsc2018", []),
    ("Atrial fibrillation: no", "code15", []),
    ("MI ruled out", "ptbxl-super", []),
    ("PVCs are not seen", "cpsc2018", []),
    ("No ST elevation but ST depression in V5", "cpsc2018", ["STD"]),
    ("No ST elevation; T wave inversion in V1", "ptbxl-super", ["STTC"]),
    ("No atrial fibrillation, RBBB present", "cpsc2018", ["RBBB"]),
    ("No MI, LVH or AF", "ptbxl-super", []),
    ("neither LBBB nor RBBB", "cpsc2018", []),
    ("no AF or flutter, sinus rhythm with RBBB", "cpsc2018", ["RBBB"]),
    ("cannot rule out inferior MI", "ptbxl-super", ["MI"]),
    ("MI cannot be ruled out", "ptbxl-super", ["MI"]),
    ("No significant change: RBBB", "cpsc2018", ["RBBB"]),
    ("nonspecific ST-T changes", "ptbxl-super", ["STTC"]),
    ("No AF now. Earlier AF was seen", "code15", ["AF"]),
])
def test_negation_is_scoped_to_the_clause(text, space, expected):
    assert extract_labels(text, space) == expected


def test_detailed_matches_give_spans_and_cues():
    text = "No ST elevation but ST depression in V5, no AF"
    matches = extract_labels_detailed(text, "cpsc2018")
    assert [(m.codes, m.negated, m.cue) for m in matches] == [
        (("STE",), True, "No"), (("STD",), False, None), (("AF",), True, "no"),
    ]
    for m in matches:
        assert text[m.start:m.end] == m.text


def test_literal_code_lists_match_whole_codes_only():
    assert extract_labels("STE_ and STE", ["STE", "STE_"]) == ["STE", "STE_"]
    assert extract_labels("ste", ["STE"]) == []
    assert extract_labels("no RBBB, LBBB", ["RBBB", "LBBB"]) == ["LBBB"]


def test_label_space_helpers_and_errors():
    assert label_space_codes("ptbxl-super") == ("NORM", "MI", "STTC", "CD", "HYP")
    assert label_space_codes("code15") == ("1dAVb", "RBBB", "LBBB", "SB", "ST", "AF", "NORM", "ABNORMAL")
    assert labels_to_vector(["MI", "XYZ", "HYP"], "ptbxl-super") == [0, 1, 0, 0, 1]
    assert extract_labels(None, "ptbxl-super") == [] and extract_labels("", "code15") == []
    with pytest.raises(ValueError, match="unknown label space 'ptb'.*known"):
        extract_labels("MI", "ptb")
    with pytest.raises(ValueError, match="non-empty strings"):
        extract_labels("MI", [])


def test_scp_findings_use_real_scp_codes_and_agree_with_the_super_classes():
    for code in LABEL_SPACES["scp-findings"]:
        assert code in SCP_STATEMENTS, code
    # A phrase read as an SCP code with a super-class is read as that super-class too.
    phrases = {
        "IMI": "inferior MI", "AMI": "anterior MI", "ASMI": "anteroseptal MI", "ALMI": "anterolateral MI",
        "LMI": "lateral MI", "PMI": "posterior MI", "CLBBB": "LBBB", "CRBBB": "RBBB", "IRBBB": "IRBBB",
        "ILBBB": "incomplete LBBB", "LAFB": "LAFB", "LPFB": "LPFB", "IVCD": "IVCD", "WPW": "WPW",
        "1AVB": "1st degree AV block", "2AVB": "Mobitz II", "3AVB": "complete heart block", "LVH": "LVH",
        "RVH": "RVH", "LAO/LAE": "left atrial enlargement", "RAO/RAE": "P pulmonale", "NORM": "normal ECG",
        "NST_": "non-specific ST changes", "ISC_": "ischemic changes", "LNGQT": "long QT",
    }
    for code, phrase in phrases.items():
        assert extract_labels(phrase, "scp-findings") == [code], phrase
        assert extract_labels(phrase, "ptbxl-super") == [scp_to_superclass(code)], phrase


def test_synthetic_condition_names_yield_their_labels():
    from gemeval.data.synthetic import CONDITION_NAMES

    # PTB-XL has no axis statements; the synthetic axis conditions are labelled as
    # fascicular blocks, which "left/right axis deviation" does not assert.
    axis = {"left_axis_deviation", "right_axis_deviation"}
    for condition, name in CONDITION_NAMES.items():
        truth = set(CONDITION_LABELS[condition].scp_codes) & set(LABEL_SPACES["scp-findings"])
        found = set(extract_labels(name, "scp-findings"))
        if condition in axis:
            assert not found
            continue
        assert found and found <= truth, (condition, found, truth)


@pytest.mark.skipif(not (SHARED / "ecgbench" / "ptb_report_generation_test.json").is_file(),
                    reason="shared ECG-Bench fixture not present")
def test_real_clinician_reports():
    items = json.loads((SHARED / "ecgbench" / "ptb_report_generation_test.json").read_text())
    reports = {item["id"]: item["conversation"][1]["value"] for item in items}
    assert extract_labels(reports["ptb-report-07190_hr-0"], "ptbxl-super") == ["NORM"]
    assert extract_labels(reports["ptb-report-02627_hr-0"], "scp-findings") == ["SARRH", "IMI"]
    found = [extract_labels(text, "ptbxl-super") for text in reports.values()]
    assert sum(bool(f) for f in found) > 0.6 * len(found)
    assert sum("NORM" in f for f in found) > 0.1 * len(found)
