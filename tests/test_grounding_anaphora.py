"""Words that point back at something named before: leads ("in the same leads", "these
leads"), a quantity ("yours is 438 ms"), quantities ("Both are normal", "... respectively"),
and leads named before the words of their finding ("The ST segments in V1-V3 show slight
depression"). Each is read as what it stands for."""

from __future__ import annotations

import pytest

from gemeval.metrics.grounding import extract_claims


def _claims(text: str, quantity: str | None = None) -> list[tuple]:
    """(quantity, lead, value, category, assertion) of every claim (of one quantity)."""
    return [(c.quantity, c.lead, c.value, c.category, c.assertion) for c in extract_claims(text)
            if quantity is None or c.quantity == quantity]


@pytest.mark.parametrize("text, quantity, leads, category", [
    ("Horizontal ST depression in V4 to V6 with T-wave inversion in the same leads.", "t_wave",
     ["V4", "V5", "V6"], "inverted"),
    ("Inferior ST elevation (II, III, aVF). Q waves are also present in these leads.", "q_wave",
     ["II", "III", "aVF"], "pathological"),
    ("ST segments are slightly depressed in I, aVL and V6; T waves are flat in those leads.", "t_wave",
     ["I", "aVL", "V6"], "flat"),
    # the last list before is the one meant, not every list of the sentence
    ("ST elevation in V1-V3 and ST depression in II and III, with T inversion in the same leads.", "t_wave",
     ["II", "III"], "inverted"),
])
def test_the_same_leads_are_the_last_list_named(text: str, quantity: str, leads: list[str],
                                                 category: str) -> None:
    assert _claims(text, quantity) == [(quantity, lead, None, category, "affirmed") for lead in leads]


def test_these_leads_after_single_leads_one_by_one_are_all_of_them() -> None:
    text = "In V1 the J point sits at +0.06 mV and in V2 at +0.11 mV, both within normal limits for these leads."
    assert _claims(text, "st_mv") == [
        ("st_mv", "V1", 0.06, None, "affirmed"), ("st_mv", "V2", 0.11, None, "affirmed"),
        ("st_mv", "V1", None, "normal", "affirmed"), ("st_mv", "V2", None, "normal", "affirmed")]


def test_a_reference_with_nothing_named_before_claims_no_lead() -> None:
    assert _claims("T waves are inverted in these leads.", "t_wave") == [
        ("t_wave", None, None, "inverted", "affirmed")]


def test_a_lead_opening_the_next_numbers_clause_is_that_numbers() -> None:
    # "in V2" comes after the first number but opens the second one's clause
    assert _claims("In V3 the ST level is 0.15 mV, and in V4 0.2 mV.", "st_mv") == [
        ("st_mv", "V3", 0.15, None, "affirmed"), ("st_mv", "V4", 0.2, None, "affirmed")]
    # a lead after a number with nothing after it stays that number's
    assert _claims("The ST level is 0.15 mV in V3 and 0.2 mV in V4.", "st_mv") == [
        ("st_mv", "V3", 0.15, None, "affirmed"), ("st_mv", "V4", 0.2, None, "affirmed")]


@pytest.mark.parametrize("text, expected", [
    ("For women the normal QTc is below 460 ms, and yours is 441 ms.",
     [("qtc_ms", None, 460.0, None, "reference"), ("qtc_ms", None, 441.0, None, "affirmed")]),
    ("Anything over 100 at rest would be a fast rate, but yours is 76, which is normal.",
     [("hr_bpm", None, 76.0, None, "affirmed"), ("hr_bpm", None, None, "normal", "affirmed")]),
    ("A normal QRS lasts less than 120 ms. Yours measures 92 ms.",
     [("qrs_ms", None, 120.0, None, "reference"), ("qrs_ms", None, 92.0, None, "affirmed")]),
])
def test_yours_is_the_quantity_named_before(text: str, expected: list[tuple]) -> None:
    got = [c for c in _claims(text) if c[2] is not None or c[3] == "normal"]
    assert got == expected


def test_yours_without_a_quantity_before_claims_nothing() -> None:
    assert _claims("Thanks for the photo; yours is 84 on the screen, I think.") == []


def test_both_at_a_sentence_start_is_the_two_quantities_of_the_sentence_before() -> None:
    text = "Your PR interval is 164 milliseconds, and your QRS is 88 milliseconds. Both are normal."
    assert _claims(text) == [("pr_ms", None, 164.0, None, "affirmed"), ("qrs_ms", None, 88.0, None, "affirmed"),
                             ("pr_ms", None, None, "normal", "affirmed"), ("qrs_ms", None, None, "normal", "affirmed")]


@pytest.mark.parametrize("text, expected", [
    ("The PR, QRS and QTc intervals are 152, 94 and 431 ms, respectively.",
     [("pr_ms", None, 152.0), ("qrs_ms", None, 94.0), ("qtc_ms", None, 431.0)]),
    ("PR and QRS durations were 0.18 and 0.08 s respectively.", [("pr_ms", None, 180.0), ("qrs_ms", None, 80.0)]),
    ("R waves in V5 and V6 measure 2.4 and 1.9 mV respectively.", [("r_mv", "V5", 2.4), ("r_mv", "V6", 1.9)]),
    ("ST depression of 1 and 1.5 mm in V5 and V6, respectively.", [("st_mv", "V5", -0.1), ("st_mv", "V6", -0.15)]),
    # counts that differ: each number stays as it was read without the pairing
    ("The PR and QRS are 160 ms respectively.", [("qrs_ms", None, 160.0)]),
    # without "respectively": names listed, a verb and as many numbers joined by "and"
    ("The PR and QRS intervals are 160 and 90 ms.", [("pr_ms", None, 160.0), ("qrs_ms", None, 90.0)]),
    ("PR, QRS and QTc measured 0.16, 0.09 and 0.43 s.",
     [("pr_ms", None, 160.0), ("qrs_ms", None, 90.0), ("qtc_ms", None, 430.0)]),
    ("The PR and QRS are 160 ms and normal.", [("qrs_ms", None, 160.0)]),
    # a bare number whose name's unit is not the list's last (or no unit at all)
    ("Heart rate and PR are 72 and 160 ms.", [("hr_bpm", None, 72.0), ("pr_ms", None, 160.0)]),
    ("The rate and PR are 72 and 160.", [("hr_bpm", None, 72.0), ("pr_ms", None, 160.0)]),
])
def test_respectively_pairs_names_and_numbers_in_order(text: str, expected: list[tuple]) -> None:
    assert [(q, lead, value) for q, lead, value, *_ in _claims(text) if value is not None] == expected


@pytest.mark.parametrize("text, expected", [
    ("The ST segments in V1-V3 show slight depression of about 0.05 mV.",
     [("st_mv", lead, -0.05, None, "affirmed") for lead in ("V1", "V2", "V3")]),
    ("The ST segment in lead III has marked elevation of 0.3 mV.", [("st_mv", "III", 0.3, None, "affirmed")]),
    ("The ST segments in V5 and V6 show slight depression.",
     [("st_mv", lead, None, "depressed", "affirmed") for lead in ("V5", "V6")]),
    # a label over its findings: the qualified finding is read on its own, as before
    ("ST segment: slight depression in V5 and V6.",
     [("st_mv", lead, None, "depressed", "affirmed") for lead in ("V5", "V6")]),
])
def test_st_segments_whose_leads_come_before_a_qualified_direction_keep_them(text: str,
                                                                             expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, leads, category", [
    ("Inferior ST elevation (II, III, aVF) with reciprocal changes in I and aVL.", ["I", "aVL"], "depressed"),
    ("ST depression in V1-V3 with reciprocal ST changes in II and III.", ["II", "III"], "elevated"),
])
def test_reciprocal_changes_are_the_opposite_of_the_findings_direction(text: str, leads: list[str],
                                                                        category: str) -> None:
    got = [(c.lead, c.category) for c in extract_claims(text) if c.lead in leads]
    assert got == [(lead, category) for lead in leads]


def test_reciprocal_change_without_leads_claims_nothing_of_its_own() -> None:
    text = "Pericarditis typically causes diffuse ST elevation without reciprocal change."
    assert [(c.category, c.assertion) for c in extract_claims(text)] == [("elevated", "hypothetical")]


@pytest.mark.parametrize("text, expected", [
    ("Your QTc is 482 ms. It's a bit long.", ("qtc_ms", "prolonged")),
    ("Your PR interval is 224 ms. That's slightly longer than normal.", ("pr_ms", "prolonged")),
    ("The QRS came out at 126 ms, which means it's wide.", ("qrs_ms", "wide")),
    ("Your heart rate was 51 - that's on the slow side.", ("hr_bpm", "slow")),
])
def test_a_pronoun_after_a_number_judges_it(text: str, expected: tuple) -> None:
    categories = [(c.quantity, c.category) for c in extract_claims(text) if c.category is not None]
    assert categories == [expected]


@pytest.mark.parametrize("text, expected", [
    ("R wave amplitudes (mV): V1 0.3, V2 0.6, V5 1.9.", [("r_mv", "V1", 0.3), ("r_mv", "V2", 0.6), ("r_mv", "V5", 1.9)]),
    ("ST deviation per lead (mV): I +0.05, III +0.20, V5 -0.05.",
     [("st_mv", "I", 0.05), ("st_mv", "III", 0.2), ("st_mv", "V5", -0.05)]),
    ("ST elevation (mm): V2 2, V3 3.", [("st_mv", "V2", 0.2), ("st_mv", "V3", 0.3)]),
])
def test_a_unit_after_a_per_lead_keyword_is_the_unit_of_its_bare_numbers(text: str, expected: list[tuple]) -> None:
    assert [(c.quantity, c.lead, c.value) for c in extract_claims(text)] == expected


@pytest.mark.parametrize("text, expected", [
    ("V1: R 0.2 mV, S 1.1 mV; V5: R 2.6 mV, S 0.3 mV.",
     [("r_mv", "V1", 0.2), ("s_mv", "V1", -1.1), ("r_mv", "V5", 2.6), ("s_mv", "V5", -0.3)]),
    # a keyword in parentheses has its scope there: aVF after it is not its lead
    ("The QRS is positive in I (R 0.9 mV) and negative in aVF.", [("r_mv", "I", 0.9)]),
])
def test_a_waves_letter_alone_before_its_amplitude(text: str, expected: list[tuple]) -> None:
    assert [(c.quantity, c.lead, c.value) for c in extract_claims(text)] == expected
