"""Clinician shorthand, numbers in words, bare rates after a rhythm name and negations that
are not a "no" next to the finding: each form read as the plain wording it stands for."""

from __future__ import annotations

import pytest

from gemeval.metrics.grounding import extract_claims
from gemeval.metrics.grounding.numbers import with_digits


def _claims(text: str) -> list[tuple]:
    """(quantity, lead, value, category, assertion) of every claim, in text order."""
    return [(c.quantity, c.lead, c.value, c.category, c.assertion) for c in extract_claims(text)]


def _numbers(text: str) -> list[tuple]:
    return [(c.quantity, c.value) for c in extract_claims(text) if c.value is not None]


@pytest.mark.parametrize("text, expected", [
    ("Impression: SR 64, otherwise unremarkable.", [("rhythm", None, None, "sinus", "affirmed"),
                                                   ("hr_bpm", None, 64.0, None, "affirmed")]),
    ("SB 47.", [("rhythm", None, None, "sinus", "affirmed"), ("hr_bpm", None, None, "slow", "affirmed"),
                ("hr_bpm", None, 47.0, None, "affirmed")]),
    ("ST 124. LAD.", [("rhythm", None, None, "sinus", "affirmed"), ("hr_bpm", None, None, "fast", "affirmed"),
                      ("hr_bpm", None, 124.0, None, "affirmed"), ("axis_deg", None, None, "left", "affirmed")]),
    ("Sinus tachy 131 on arrival.", [("rhythm", None, None, "sinus", "affirmed"),
                                     ("hr_bpm", None, None, "fast", "affirmed"),
                                     ("hr_bpm", None, 131.0, None, "affirmed")]),
    ("Afib w/ RVR ~150.", [("rhythm", None, None, "atrial_fibrillation", "affirmed"),
                          ("hr_bpm", None, None, "fast", "affirmed"), ("hr_bpm", None, 150.0, None, "affirmed")]),
    ("1st deg AVB.", [("pr_ms", None, None, "prolonged", "affirmed")]),
])
def test_rhythm_shorthand_and_its_rate(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


def test_st_with_a_level_or_a_direction_is_never_sinus_tachycardia() -> None:
    assert _claims("ST 1 mm in V3.") == [("st_mv", "V3", 0.1, None, "affirmed")]
    assert [c[0] for c in _claims("ST elevation 2 mm in V2.")] == ["st_mv"]
    assert [c[0] for c in _claims("PR 150 ms. ST 85 bpm would be a phrase, not a statement.")] == ["pr_ms", "hr_bpm"]
    # "ST" opens no rate statement inside a sentence.
    assert all(c[0] != "rhythm" for c in _claims("Inferior ST 90 and more."))


@pytest.mark.parametrize("text, expected", [
    ("PR .18, QRS .10.", [("pr_ms", 180.0), ("qrs_ms", 100.0)]),
    ("QT/QTc .40/.45.", [("qt_ms", 400.0), ("qtc_ms", 450.0)]),
    ("PR/QRS/QTc 172/88/441 ms.", [("pr_ms", 172.0), ("qrs_ms", 88.0), ("qtc_ms", 441.0)]),
    ("HR/PR/QRS 66/.14/.09.", [("hr_bpm", 66.0), ("pr_ms", 140.0), ("qrs_ms", 90.0)]),
    ("PR/QTcF 150/430 ms.", [("pr_ms", 150.0), ("qtc_fridericia_ms", 430.0)]),
])
def test_decimal_seconds_and_slash_lists_map_in_order(text: str, expected: list[tuple]) -> None:
    assert _numbers(text) == expected


def test_a_slash_list_with_a_different_count_of_numbers_claims_nothing() -> None:
    assert _numbers("PR/QRS 150/90/70.") == []


@pytest.mark.parametrize("text, expected", [
    ("ST elev V2-V4; recip. ST dep III, aVF.",
     [("st_mv", "V2", None, "elevated", "affirmed"), ("st_mv", "V3", None, "elevated", "affirmed"),
      ("st_mv", "V4", None, "elevated", "affirmed"), ("st_mv", "III", None, "depressed", "affirmed"),
      ("st_mv", "aVF", None, "depressed", "affirmed")]),
    ("STE in aVL.", [("st_mv", "aVL", None, "elevated", "affirmed")]),
    ("STD V5.", [("st_mv", "V5", None, "depressed", "affirmed")]),
    ("No STE or TWI.", [("st_mv", None, None, "elevated", "negated"), ("t_wave", None, None, "inverted", "negated")]),
    ("T inv III.", [("t_wave", "III", None, "inverted", "affirmed")]),
    ("NSSTTW.", [("st_mv", None, None, "normal", "negated"), ("t_wave", None, None, "normal", "negated")]),
    ("Nonspecific ST-T changes.", [("st_mv", None, None, "normal", "negated"),
                                   ("t_wave", None, None, "normal", "negated")]),
    ("Repol abnormality I, aVL.", [("st_mv", "I", None, "normal", "negated"),
                                   ("st_mv", "aVL", None, "normal", "negated"),
                                   ("t_wave", "I", None, "normal", "negated"),
                                   ("t_wave", "aVL", None, "normal", "negated")]),
])
def test_st_and_t_shorthand(text: str, expected: list[tuple]) -> None:
    assert sorted(_claims(text), key=str) == sorted(expected, key=str)


@pytest.mark.parametrize("text, expected", [
    ("Her pulse on the tracing is about sixty-four beats per minute.", [("hr_bpm", 64.0)]),
    ("A rate of one hundred and twenty-two per minute.", [("hr_bpm", 122.0)]),
    ("The QTc comes out at four hundred and sixty ms.", [("qtc_ms", 460.0)]),
    ("A heart rate of ninety bpm.", [("hr_bpm", 90.0)]),
    ("Sinus rhythm at eighty-one.", [("hr_bpm", 81.0)]),
    ("Twelve-lead tracing, one lead missing, three PVCs.", []),
])
def test_numbers_in_words(text: str, expected: list[tuple]) -> None:
    assert _numbers(text) == expected


def test_number_words_keep_every_position() -> None:
    text = "Rate: Seventy-Two bpm, QRS ninety ms."
    digits, lowered = with_digits(text, text.lower())
    assert len(digits) == len(text) and len(lowered) == len(text)
    assert digits.startswith("Rate: 72 ") and "QRS 90 " in digits and digits.endswith("ms.")
    assert with_digits("No numbers here.", "no numbers here.") == ("No numbers here.", "no numbers here.")


@pytest.mark.parametrize("text, expected", [
    ("Sinus rhythm at 93.", [("hr_bpm", 93.0)]),
    ("V-paced at 70 throughout.", [("hr_bpm", 70.0)]),
    ("Atrial flutter, 150.", []),  # a comma is no rate's gap
    ("Sinus rhythm at 4 o'clock.", []),  # not a plausible rate
])
def test_a_bare_number_after_a_rhythm_name_is_its_rate(text: str, expected: list[tuple]) -> None:
    assert _numbers(text) == expected
