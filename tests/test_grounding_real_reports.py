"""The claim reader on real clinician reports: the 500 translated PTB-XL reports of
ECG-Bench's report-generation test (``../shared/data/ecgbench``; skipped without it).

These are texts nobody on the project wrote. Their statements are comma-separated items
("sinus rhythm, suspected left atrial enlargement, normal axis, ST & T abnormal, probably
lateral ischaemia"), each hedged or not on its own: a claim may be hedged or denied only by
a cue in its own item (or its own sentence, for a cue that qualifies a whole clause)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gemeval.metrics.grounding import extract_claims

_ITEM_END = re.compile(r"[,;.:]\s|[.?]$")
_CUES = {
    "uncertain": re.compile(r"possib|probab|likely|suspect|suspicion|suggest|(?:cannot be|not) (?:ruled out|excluded)|may\b|"
                            r"might|borderline|consider|question|\?|doubt|uncertain|versus|vs\b", re.I),
    "negated": re.compile(r"\bno\b|\bnot\b|n't|without|absent|negative for|rather than|none|excluded|ruled out", re.I),
}


def _reports(shared_data: Path) -> list[str]:
    items = json.loads((shared_data / "ecgbench" / "ptb_report_generation_test.json").read_text())
    return sorted({item["conversation"][-1]["value"] for item in items})


def _item(text: str, start: int, end: int) -> str:
    """The comma-separated item (or sentence) around text[start:end]."""
    before = max((m.end() for m in _ITEM_END.finditer(text, 0, start)), default=0)
    after = _ITEM_END.search(text, end)
    return text[before:after.end() if after else len(text)]


def _sentence(text: str, start: int, end: int) -> str:
    before = max((m.end() for m in re.finditer(r"[.?!]\s", text[:start])), default=0)
    after = re.search(r"[.?!](?:\s|$)", text[end:])
    return text[before:end + after.end() if after else len(text)]


def test_a_hedge_or_negation_covers_its_own_item_in_real_reports(shared_data: Path) -> None:
    leaks, counted = [], 0
    for text in _reports(shared_data):
        for claim in extract_claims(text):
            if claim.assertion not in _CUES or claim.opposite:
                continue  # "ST & T abnormal" is "ST normal" denied by its own words
            counted += 1
            item = _item(text, *claim.span)
            cue = _CUES[claim.assertion]
            if cue.search(item) or (cue.search(_sentence(text, *claim.span)) and "," not in item):
                continue
            leaks.append(f"{claim.quantity} {claim.category} {claim.assertion}: ...{item!r} in {text!r}")
    assert counted >= 20
    assert not leaks, "\n".join(leaks)


@pytest.mark.parametrize("quantity, category, phrase", [
    ("rhythm", "sinus", re.compile(r"\bsinus (?:rhythm|bradycardia|tachycardia|arrhythmia)\b", re.I)),
    ("rhythm", "atrial_fibrillation", re.compile(r"\batrial fibrillation\b", re.I)),
    ("axis_deg", "left", re.compile(r"\bleft axis deviation\b", re.I)),
    ("pr_ms", "prolonged", re.compile(r"\bA-?V block I\b|first[- ]degree (?:AV|A-V|atrioventricular) block", re.I)),
    ("qrs_ms", "wide", re.compile(r"(?<!incomplete )(?<!partial )\b(?:left|right) bundle branch block\b", re.I)),
    ("conduction", "lafb", re.compile(r"\bleft anterior (?:fascicular block|hemiblock)\b", re.I)),
])
def test_the_plain_statements_of_real_reports_are_read(shared_data: Path, quantity: str, category: str,
                                                       phrase: re.Pattern[str]) -> None:
    # every report that states the finding in its usual words yields the claim
    missed, seen = [], 0
    for text in _reports(shared_data):
        if not phrase.search(text):
            continue
        seen += 1
        if not any(c.quantity == quantity and c.category == category for c in extract_claims(text)):
            missed.append(text)
    assert seen >= 3
    assert not missed, "\n".join(missed)


def test_native_ptbxl_reports_in_german_and_lower_case(shared_data: Path) -> None:
    # PTB-XL's own report column: German cart statements and lower-cased English ones; each
    # record's SCP statements say what its report must claim
    import ast
    import csv

    expected = {"SR": ("rhythm", "sinus"), "STACH": ("hr_bpm", "fast"), "SBRAD": ("hr_bpm", "slow"),
                "LVOLT": ("voltage", "low"), "NT_": ("t_wave", None)}
    checked = 0
    with open(shared_data / "ptbxl-native" / "ptbxl_database.csv", newline="") as f:
        for row in csv.DictReader(f):
            claims = {(c.quantity, c.category) for c in extract_claims(row["report"]) if c.assertion == "affirmed"}
            for code in ast.literal_eval(row["scp_codes"]):
                if code in expected:
                    quantity, category = expected[code]
                    assert any(q == quantity and (category is None or c == category) for q, c in claims), \
                        (row["ecg_id"], row["report"], code)
                    checked += 1
    assert checked >= 10


@pytest.mark.parametrize("text, expected", [
    ("sinusrhythmus periphere niederspannung", {("rhythm", "sinus", "affirmed"), ("voltage", "low", "affirmed")}),
    ("sinustachykardie, überdrehter linkstyp, linksschenkelblock",
     {("rhythm", "sinus", "affirmed"), ("hr_bpm", "fast", "affirmed"), ("axis_deg", "left", "affirmed"),
      ("qrs_ms", "wide", "affirmed")}),
    ("Vorhofflimmern, Steiltyp, inkompletter Rechtsschenkelblock",
     {("rhythm", "atrial_fibrillation", "affirmed"), ("axis_deg", "normal", "affirmed")}),
    ("sinusrhythmus, lagetyp normal, keine linksherzhypertrophie",
     {("rhythm", "sinus", "affirmed"), ("axis_deg", "normal", "affirmed"), ("voltage", "lvh", "negated")}),
])
def test_german_report_statements(text: str, expected: set[tuple]) -> None:
    assert {(c.quantity, c.category, c.assertion) for c in extract_claims(text)} == expected


def test_lower_case_chest_leads_and_a_comma_list_of_them() -> None:
    claims = extract_claims("minor non-specific t wave flattening in v3,4.")
    assert [(c.quantity, c.lead, c.category) for c in claims] == [("t_wave", "V3", "flat"), ("t_wave", "V4", "flat")]
