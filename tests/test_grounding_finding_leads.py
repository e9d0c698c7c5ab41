"""Which leads a Q-wave, T-wave or ST finding is in: leads it is denied in after its own
("T-wave inversion in III, not in aVF"), a gloss in parentheses before its leads, and Q
waves that are only imitated ("pseudo-Q waves")."""

from __future__ import annotations

import time

import pytest

from gemeval.metrics.grounding import extract_claims


def _read(text: str) -> list[tuple]:
    return [(c.quantity, c.lead, c.category, c.assertion) for c in extract_claims(text)]


@pytest.mark.parametrize(("text", "quantity", "category", "found", "denied"), [
    ("Inverted T waves in aVL, not in I.", "t_wave", "inverted", ["aVL"], ["I"]),
    ("There are Q waves in III and aVF; none in II.", "q_wave", "pathological", ["III", "aVF"], ["II"]),
    ("ST segment elevation in V2 to V4 and not in V5 or V6.", "st_mv", "elevated", ["V2", "V3", "V4"], ["V5", "V6"]),
    ("T-wave inversion appears in V1 and V2 but not in V3.", "t_wave", "inverted", ["V1", "V2"], ["V3"]),
    ("ST depression is seen in V5, V6, not in the limb leads I or aVL.", "st_mv", "depressed", ["V5", "V6"],
     ["I", "aVL"]),
])
def test_a_finding_denied_in_the_leads_after_its_own(text: str, quantity: str, category: str, found: list[str],
                                                      denied: list[str]) -> None:
    assert _read(text) == ([(quantity, lead, category, "affirmed") for lead in found]
                           + [(quantity, lead, category, "negated") for lead in denied])


def test_a_denial_right_after_the_finding_denies_it_in_those_leads() -> None:
    # No leads of its own before "not": the finding is denied in the leads named.
    assert _read("The ST depression is not present in leads V4 or V5.") == [
        ("st_mv", "V4", "depressed", "negated"), ("st_mv", "V5", "depressed", "negated")]
    assert _read("T waves are not inverted in aVL.") == [("t_wave", "aVL", "inverted", "negated")]


def test_a_number_stays_with_the_leads_it_is_in() -> None:
    # (and the direction is denied in aVF)
    claims = extract_claims("ST elevation of 1.5 mm in II and III, not in aVF.")
    assert [(c.lead, c.value, c.category, c.assertion) for c in claims] == [
        ("II", 0.15, None, "affirmed"), ("III", 0.15, None, "affirmed"), ("aVF", None, "elevated", "negated")]
    claims = extract_claims("The ST segments are depressed by 1 mm in V5 and V6 but not in the inferior leads.")
    assert [(c.lead, c.value, c.category, c.assertion) for c in claims] == [
        ("V5", -0.1, None, "affirmed"), ("V6", -0.1, None, "affirmed"), ("inferior", None, "depressed", "negated")]


def test_not_before_other_words_is_no_lead_denial() -> None:
    # "not" that qualifies a word, not a lead list, leaves the leads with the finding
    assert _read("ST elevation in V1-V3, not marked, with T-wave inversion in V2.") == [
        ("st_mv", "V1", "elevated", "affirmed"), ("st_mv", "V2", "elevated", "affirmed"),
        ("st_mv", "V3", "elevated", "affirmed"), ("t_wave", "V2", "inverted", "affirmed")]


def test_a_gloss_in_parentheses_leaves_the_finding_its_leads() -> None:
    assert _read("Deep Q waves (QS complexes) are present in V1 to V3.") == [
        ("q_wave", lead, "pathological", "affirmed") for lead in ("V1", "V2", "V3")]


@pytest.mark.parametrize("text", [
    "Pseudo-Q waves are seen in II, III and aVF.",
    "There are Q-wave-like notches in III and aVF.",
    "The negative delta wave in III and aVF mimics inferior Q waves.",
    "In LBBB the QS complexes in V1-V2 may be mistaken for pathological Q waves.",
])
def test_an_imitation_of_q_waves_claims_no_q_wave(text: str) -> None:
    assert [c for c in extract_claims(text) if c.quantity == "q_wave"] == []


def test_q_waves_that_resemble_something_else_are_still_q_waves() -> None:
    assert _read("Q waves in II and III, resembling an old inferior infarct.") == [
        ("q_wave", "II", "pathological", "affirmed"), ("q_wave", "III", "pathological", "affirmed")]


def test_a_long_scope_ends_after_a_territorys_own_list() -> None:
    # The finding's words run past the scope's usual length: its leads are still the
    # territory's list in parentheses, not cut in two.
    text = ("ST-segment elevation of about 2-3 mm in leads V2 through V4, with the maximum in V3, and subtle "
            "reciprocal depression in the inferior leads (II, III, aVF).")
    depressed = [c.lead for c in extract_claims(text) if c.category == "depressed"]
    assert depressed == ["II", "III", "aVF"]


def test_a_finding_that_may_be_seen_in_leads_is_hedged() -> None:
    assert _read("Some ST depression may be seen in V5 and V6.") == [
        ("st_mv", "V5", "depressed", "uncertain"), ("st_mv", "V6", "depressed", "uncertain")]
    assert _read("T-wave inversion could be present in aVL.") == [("t_wave", "aVL", "inverted", "uncertain")]
    # where a condition shows it, it is said in general
    assert [c.assertion for c in extract_claims("Tall peaked T waves may be seen in hyperkalaemia.")] == [
        "hypothetical"]


def test_t_waves_normal_in_other_leads_and_a_normal_finding_comment() -> None:
    assert _read("T waves inverted in III and normal in I, II.") == [
        ("t_wave", "III", "inverted", "affirmed"), ("t_wave", "I", "normal", "affirmed"),
        ("t_wave", "II", "normal", "affirmed")]
    # what the finding may mean is a comment on it, not a T-wave category of its own
    for text in ("T-wave inversion is seen in V1 - this can be a normal finding.",
                 "T-wave inversion in V1, which may be a normal variant."):
        assert _read(text) == [("t_wave", "V1", "inverted", "affirmed")]


def test_there_is_questionable_hedges_the_finding_after_it() -> None:
    assert _read("There is questionable ST depression in V6.") == [("st_mv", "V6", "depressed", "uncertain")]


def test_a_t_wave_list_goes_on_past_a_contrast() -> None:
    assert _read("T waves are inverted in III but upright in aVF.") == [
        ("t_wave", "III", "inverted", "affirmed"), ("t_wave", "aVF", "normal", "affirmed")]
    assert _read("T waves upright in most leads, though possibly flattened in aVL.") == [
        ("t_wave", None, "normal", "affirmed"), ("t_wave", "aVL", "flat", "uncertain")]
    # a contrast that turns to another finding ends the list
    assert _read("T waves are upright in II but the ST segment is depressed in V6.") == [
        ("t_wave", "II", "normal", "affirmed"), ("st_mv", "V6", "depressed", "affirmed")]


def test_an_st_finding_goes_on_past_a_contrast_or_an_exception() -> None:
    assert _read("ST elevation in V2 and V3 but depression in III.") == [
        ("st_mv", "V2", "elevated", "affirmed"), ("st_mv", "V3", "elevated", "affirmed"),
        ("st_mv", "III", "depressed", "affirmed")]
    assert _read("ST segments are isoelectric except for slight depression in V6.") == [
        ("st_mv", None, "isoelectric", "affirmed"), ("st_mv", "V6", "depressed", "affirmed")]


def test_a_finding_named_again_in_parentheses_keeps_its_leads() -> None:
    assert _read("T-wave inversion (TWI) in V2 and V3.") == [
        ("t_wave", "V2", "inverted", "affirmed"), ("t_wave", "V3", "inverted", "affirmed")]
    assert [(c.lead, c.value) for c in extract_claims("ST elevation (STE) of 2 mm in II.")] == [("II", 0.2)]


def test_a_differential_hedges_both_sides() -> None:
    claims = extract_claims("Atrial flutter vs. sinus tachycardia, rate 150.")
    assert [(c.quantity, c.category, c.assertion) for c in claims] == [
        ("rhythm", "atrial_flutter", "uncertain"), ("rhythm", "sinus", "uncertain"), ("hr_bpm", "fast", "uncertain"),
        ("hr_bpm", None, "affirmed")]
    # a dash ends the clause the differential reaches back into
    claims = extract_claims("QRS narrow - sinus tachycardia vs atrial tachycardia.")
    assert (claims[0].quantity, claims[0].assertion) == ("qrs_ms", "affirmed")


def test_a_finding_not_seen_is_denied_and_territories_joined_by_or() -> None:
    assert _read("ST elevation is not seen in the anterior or lateral leads.") == [
        ("st_mv", "anterior", "elevated", "negated"), ("st_mv", "lateral", "elevated", "negated")]
    assert _read("Delta waves are absent and Q waves were not observed.") == [
        ("q_wave", None, "pathological", "negated")]
    # what is not evident is the cause, not the finding
    assert [c.assertion for c in extract_claims("Sinus bradycardia; the cause of the bradycardia is not evident.")] == [
        "affirmed", "affirmed", "affirmed"]


def test_a_sentence_opened_by_its_leads_and_a_finding_elsewhere() -> None:
    def read(text: str) -> list[tuple]:
        return [(c.quantity, c.lead, c.category) for c in extract_claims(text)]
    # "In V2 and V3 the ...": every finding of the sentence without leads of its own is there
    assert read("In V2 and V3 the T waves are deeply inverted, while the ST segments are isoelectric.") == [
        ("t_wave", "V2", "inverted"), ("t_wave", "V3", "inverted"),
        ("st_mv", "V2", "isoelectric"), ("st_mv", "V3", "isoelectric")]
    # a finding "elsewhere" is not in the leads of the finding it is joined to
    assert read("There is ST elevation in aVR with widespread ST depression elsewhere.") == [
        ("st_mv", "aVR", "elevated"), ("st_mv", None, "depressed")]
    assert read("ST elevation in aVR with ST depression.") == [
        ("st_mv", "aVR", "elevated"), ("st_mv", "aVR", "depressed")]


def test_st_segments_at_the_baseline_and_those_named_again() -> None:
    def read(text: str) -> list[tuple]:
        return [(c.quantity, c.lead, c.category, c.assertion) for c in extract_claims(text)]
    assert read("ST segments at baseline in V1-V3.") == [
        ("st_mv", lead, "isoelectric", "affirmed") for lead in ("V1", "V2", "V3")]
    assert read("The ST segments are on the baseline.") == [("st_mv", None, "isoelectric", "affirmed")]
    # "those ST segments": the leads they were named in before
    assert read("Back then there was ST depression in V4 to V6; today those ST segments are back at the "
                "baseline.") == [("st_mv", lead, "depressed", "hypothetical") for lead in ("V4", "V5", "V6")] + [
        ("st_mv", lead, "isoelectric", "affirmed") for lead in ("V4", "V5", "V6")]
    assert read("T waves are inverted in V1. These T waves are upright in V2.") == [
        ("t_wave", "V1", "inverted", "affirmed"), ("t_wave", "V2", "normal", "affirmed")]


@pytest.mark.parametrize("text", [
    "Widespread ST depression of up to 1.5 mm, most marked in V4 to V6.",
    "Generalised ST depression up to 1.5 mm (maximal V4-V6).",
])
def test_a_number_before_where_the_finding_is_most_marked_is_the_findings(text: str) -> None:
    # The number is said of the finding as a whole; the leads are where it is most marked.
    claims = extract_claims(text)
    assert [(c.lead, c.value, c.comparator, c.category) for c in claims] == [
        (None, -0.15, ">=", None), ("V4", None, None, "depressed"), ("V5", None, None, "depressed"),
        ("V6", None, None, "depressed")]


def test_a_number_after_where_the_finding_is_most_marked_is_that_leads() -> None:
    claims = extract_claims("ST elevation in the inferior leads, greatest in III at 2.5 mm.")
    assert [(c.lead, c.value, c.category) for c in claims] == [("III", 0.25, None), ("inferior", None, "elevated")]


@pytest.mark.parametrize("text", [
    "The report mentions an old infarct, but the Q waves in II and aVF are small and look physiological.",
    "Q waves in lead II and aVF are only tiny.",
])
def test_q_waves_said_to_be_small_deny_pathological_q_waves_there(text: str) -> None:
    assert [c for c in _read(text) if c[0] == "q_wave"] == [
        ("q_wave", "II", "pathological", "negated"), ("q_wave", "aVF", "pathological", "negated")]


@pytest.mark.parametrize("text", [
    "Small Q waves in II and aVF.",
    "Q waves in II and aVF, which are probably benign.",
])
def test_q_waves_not_the_subject_of_a_small_word_claim_nothing(text: str) -> None:
    assert [c for c in _read(text) if c[0] == "q_wave"] == []


@pytest.mark.parametrize("text", [
    "Q waves 40 ms wide and deeper than a quarter of the R wave are present in III and aVF.",
    "Deep Q waves, over 25% of the following R wave, are seen in III and aVF.",
])
def test_a_wave_named_as_the_measure_of_a_q_wave_keeps_its_leads(text: str) -> None:
    assert _read(text) == [("q_wave", "III", "pathological", "affirmed"), ("q_wave", "aVF", "pathological", "affirmed")]


def test_a_loss_of_r_waves_ends_the_q_waves_scope() -> None:
    assert _read("No Q waves, and no loss of R waves in V1-V3.") == [("q_wave", None, "pathological", "negated")]


def test_a_pronoun_for_an_st_finding_takes_its_direction_and_leads() -> None:
    claims = extract_claims("There might be slight ST elevation in V3, but it is under 1 mm and likely benign.")
    assert [(c.lead, c.value, c.comparator, c.category, c.assertion) for c in claims] == [
        ("V3", None, None, "elevated", "uncertain"), ("V3", 0.1, "<", None, "affirmed")]
    claims = extract_claims("ST depression is present in V5 and V6; it measures roughly 1 mm.")
    assert [(c.lead, c.value) for c in claims if c.value is not None] == [("V5", -0.1), ("V6", -0.1)]


def test_a_pronoun_after_leads_of_its_own_takes_those() -> None:
    # the leads named last before the pronoun, else the finding's from the sentence before
    claims = extract_claims("There is ST elevation in V1 to V4; in V3 it is about 4 mm.")
    assert [(c.lead, c.value) for c in claims if c.value is not None] == [("V3", 0.4)]
    claims = extract_claims("The lateral leads show ST depression. It is about 1 mm.")
    assert [(c.lead, c.value) for c in claims if c.value is not None] == [("lateral", -0.1)]


def test_values_over_a_limit_after_a_finding_are_no_pronoun_for_it() -> None:
    claims = extract_claims("Add the R waves in V5 and V6; values above 3.5 mV suggest hypertrophy.")
    assert [c for c in claims if c.quantity == "r_mv"] == []


def test_leads_that_open_the_next_clause_are_the_next_findings() -> None:
    # "<leads> show(s) <finding>, and <leads> show(s) <finding>": each list is its clause's
    claims = extract_claims("V2-V4 show ST elevation of 3 mm and V6 shows ST depression of 1 mm.")
    assert [(c.lead, c.value) for c in claims] == [("V2", 0.3), ("V3", 0.3), ("V4", 0.3), ("V6", -0.1)]
    claims = extract_claims("The septal leads show T-wave inversion, while the lateral leads (I, V6) show ST "
                            "depression of 0.5 mm.")
    assert [(c.quantity, c.lead, c.value, c.category) for c in claims] == [
        ("t_wave", "septal", None, "inverted"), ("st_mv", "I", -0.05, None), ("st_mv", "V6", -0.05, None)]


@pytest.mark.parametrize("text", ["ST depression in V5 of 1 mm, V6 shows 2 mm.", "STD V5 1 mm, V6 has 2 mm."])
def test_leads_and_a_number_alone_after_a_comma_are_the_same_findings(text: str) -> None:
    # a clause that gives only a lead and a number goes on with the finding before it
    claims = extract_claims(text)
    assert [(c.quantity, c.lead, c.value, c.assertion) for c in claims] == [
        ("st_mv", "V5", -0.1, "affirmed"), ("st_mv", "V6", -0.2, "affirmed")]


def test_the_opposite_st_direction_in_a_clause_opened_by_its_leads() -> None:
    claims = extract_claims("The anterior leads show ST elevation of 2-3 mm, and the inferior leads show "
                            "reciprocal depression.")
    assert [(c.lead, c.low, c.high, c.category) for c in claims] == [
        ("anterior", 0.2, 0.3, None), ("inferior", None, None, "depressed")]


def test_a_finding_there_is_in_the_leads_named_before() -> None:
    assert _read("Q waves in III and aVF, and the T waves there are inverted.") == [
        ("q_wave", "III", "pathological", "affirmed"), ("q_wave", "aVF", "pathological", "affirmed"),
        ("t_wave", "III", "inverted", "affirmed"), ("t_wave", "aVF", "inverted", "affirmed")]
    assert _read("T waves inverted in V1; the ST segments there are also depressed.") == [
        ("t_wave", "V1", "inverted", "affirmed"), ("st_mv", "V1", "depressed", "affirmed")]


def test_a_finding_absent_in_the_leads_after_its_own_is_denied_there() -> None:
    assert _read("Q waves: seen in aVL, absent in I and V6.") == [
        ("q_wave", "aVL", "pathological", "affirmed"), ("q_wave", "I", "pathological", "negated"),
        ("q_wave", "V6", "pathological", "negated")]
    assert _read("T-wave inversion in V1 but absent in V2.") == [
        ("t_wave", "V1", "inverted", "affirmed"), ("t_wave", "V2", "inverted", "negated")]
    assert _read("ST elevation in V1-V2, absent in the lateral leads.") == [
        ("st_mv", "V1", "elevated", "affirmed"), ("st_mv", "V2", "elevated", "affirmed"),
        ("st_mv", "lateral", "elevated", "negated")]



@pytest.mark.parametrize(("text", "expected"), [
    ("Flat T waves in I and aVL; in V6 they are inverted.", [("I", "flat"), ("aVL", "flat"), ("V6", "inverted")]),
    ("The T waves are upright in V2-V3. In lead III, they appear flattened.",
     [("V2", "normal"), ("V3", "normal"), ("III", "flat")]),
    ("The T waves in I are inverted, but those in V3 to V4 are upright.",
     [("I", "inverted"), ("V3", "normal"), ("V4", "normal")]),
    ("The T wave in I is upright; in aVL it is inverted.", [("I", "normal"), ("aVL", "inverted")]),
    # a comment on the finding is no finding of its own
    ("T waves inverted in V1. In V1 it is normal.", [("V1", "inverted")]),
    # without leads of its own right before it, "they" is left alone
    ("T waves are inverted in V1-V2; they are upright elsewhere.", [("V1", "inverted"), ("V2", "inverted")]),
])
def test_they_after_leads_of_its_own_stands_for_the_t_waves_named_before(text: str, expected: list[tuple]) -> None:
    assert _read(text) == [("t_wave", lead, category, "affirmed") for lead, category in expected]


def test_a_reciprocal_change_named_on_its_own_is_an_st_finding() -> None:
    claims = extract_claims("ST elevation: III 0.2 mV. Reciprocal depression: I -0.1 mV, aVL -0.05 mV.")
    assert [(c.lead, c.value) for c in claims] == [("III", 0.2), ("I", -0.1), ("aVL", -0.05)]
    assert _read("Inferior ST elevation. Reciprocal depression is seen in aVL.") == [
        ("st_mv", "inferior", "elevated", "affirmed"), ("st_mv", "aVL", "depressed", "affirmed")]


@pytest.mark.parametrize(("text", "expected"), [
    ("Deep S waves in V1 and V2 (2.2 and 2.6 mV).", [("s_mv", "V1", -2.2), ("s_mv", "V2", -2.6)]),
    ("ST elevation in V2, V3 and V4 (2, 3 and 1 mm).", [("st_mv", "V2", 0.2), ("st_mv", "V3", 0.3), ("st_mv", "V4", 0.1)]),
    ("Tall R waves in V5 and V6 (2.4/2.0 mV).", [("r_mv", "V5", 2.4), ("r_mv", "V6", 2.0)]),
    # one number: in every lead
    ("ST depression in V5 and V6 (1 mm).", [("st_mv", "V5", -0.1), ("st_mv", "V6", -0.1)]),
])
def test_as_many_numbers_in_parentheses_as_leads_before_are_theirs_in_order(text: str, expected: list[tuple]) -> None:
    assert [(c.quantity, c.lead, c.value) for c in extract_claims(text) if c.value is not None] == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("There is ST elevation in V1-V5. In V3 it reaches 4 mm.", [("V3", 0.4, "affirmed")]),
    ("ST elevation of 1 mm in V2 would be normal in a young man; here it is only 0.5 mm.",
     [("V2", 0.1, "hypothetical"), ("V2", 0.05, "affirmed")]),
])
def test_a_pronoun_that_reaches_or_is_only_a_number_stands_for_the_finding(text: str, expected: list[tuple]) -> None:
    assert [(c.lead, c.value, c.assertion) for c in extract_claims(text) if c.value is not None] == expected


def test_an_interval_that_it_reaches() -> None:
    claims = extract_claims("The QTc is prolonged; it reaches 505 ms.")
    assert [(c.quantity, c.value) for c in claims if c.value is not None] == [("qtc_ms", 505.0)]


@pytest.mark.parametrize(("text", "expected"), [
    ("No ST depression except in aVR.", [("st_mv", None, "depressed", "negated"), ("st_mv", "aVR", "depressed", "affirmed")]),
    ("The T waves are not inverted apart from III and aVF.",
     [("t_wave", None, "inverted", "negated"), ("t_wave", "III", "inverted", "affirmed"),
      ("t_wave", "aVF", "inverted", "affirmed")]),
    # an affirmed finding's exceptions claim nothing
    ("T waves upright in every lead except aVR.", [("t_wave", None, "normal", "affirmed")]),
    # the exception is the finding's right before it, not a denied one further back
    ("No pathological Q waves, T waves upright except in aVL and V1.",
     [("q_wave", None, "pathological", "negated"), ("t_wave", None, "normal", "affirmed")]),
    ("There is no ST elevation, and the T waves stand upright in all leads apart from aVR.",
     [("st_mv", None, "elevated", "negated"), ("t_wave", None, "normal", "affirmed")]),
])
def test_the_leads_a_denied_finding_is_excepted_in_have_it(text: str, expected: list[tuple]) -> None:
    assert _read(text) == expected


def test_the_exceptions_of_upright_t_waves_claim_nothing_even_after_a_denial() -> None:
    # (the denial of the wide QRS reaches the T waves, a defect of its own; their exception
    # names no finding however they are read)
    claims = _read("The QRS is not wide and T waves are upright in all leads except aVR.")
    assert [c for c in claims if c[1] is not None] == []
    assert [c[:3] for c in claims] == [("qrs_ms", None, "wide"), ("t_wave", None, "normal")]


def test_a_number_of_a_finding_not_called_diffuse_is_the_most_marked_leads() -> None:
    claims = extract_claims("ST depression of 2 mm, most marked in V5 and V6.")
    assert [(c.lead, c.value) for c in claims] == [("V5", -0.2), ("V6", -0.2)]


def test_a_reciprocal_change_on_its_own_without_leads_claims_nothing() -> None:
    assert _read("T-wave inversion in V2-V3. There is no reciprocal depression.") == [
        ("t_wave", "V2", "inverted", "affirmed"), ("t_wave", "V3", "inverted", "affirmed")]


@pytest.mark.parametrize(("text", "expected"), [
    ("ST depression: V4 -0.1 mV; V5 -0.15 mV; V6 -0.1 mV.", [("V4", -0.1), ("V5", -0.15), ("V6", -0.1)]),
    ("R waves: V5 2.4 mV; in V6 2.1 mV. QRS 96 ms.", [("V5", 2.4), ("V6", 2.1), (None, 96.0)]),
    ("ST level: V2 0.3 mV; lateral leads I -0.1 mV, V6 -0.05 mV.", [("V2", 0.3), ("I", -0.1), ("V6", -0.05)]),
    # a clause after the semicolon that is no lead and number ends the list
    ("ST elevation in V2 0.2 mV; QRS 96 ms; V3 shows nothing.", [("V2", 0.2), (None, 96.0)]),
])
def test_a_per_lead_list_goes_on_past_semicolons(text: str, expected: list[tuple]) -> None:
    assert [(c.lead, c.value) for c in extract_claims(text)] == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("ST elevation in V2 (2 mm) and V3 (3 mm), with upright T waves in both leads.",
     [("st_mv", "V2"), ("st_mv", "V3"), ("t_wave", "V2"), ("t_wave", "V3")]),
    # leads named right after it are its own
    ("T waves inverted in V1; ST depression in both leads V5 and V6.",
     [("t_wave", "V1"), ("st_mv", "V5"), ("st_mv", "V6")]),
])
def test_both_leads_are_the_two_named_before(text: str, expected: list[tuple]) -> None:
    assert [(c.quantity, c.lead) for c in extract_claims(text)] == expected


def test_lead_references_in_a_long_note_each_take_their_own_leads_quickly() -> None:
    # every "there" looks only at the lead list just before it and the one just after it,
    # so a note of two thousand such sentences reads in about linear time
    sentence = "ST elevation in V4. The T waves there are inverted. "
    one = _read(sentence)
    assert one == [("st_mv", "V4", "elevated", "affirmed"), ("t_wave", "V4", "inverted", "affirmed")]
    start = time.perf_counter()
    claims = _read(sentence * 2000)
    assert claims == one * 2000
    assert time.perf_counter() - start < 1.5


@pytest.mark.parametrize(("text", "expected"), [
    ("ST depression in V5 and V6 rather than ST elevation.",
     [("V5", "depressed", "affirmed"), ("V6", "depressed", "affirmed"), ("V5", "elevated", "negated"),
      ("V6", "elevated", "negated")]),
    ("ST elevation rather than depression in V3.", [("V3", "elevated", "affirmed"), ("V3", "depressed", "negated")]),
])
def test_a_finding_named_instead_of_another_shares_its_leads(text: str, expected: list[tuple]) -> None:
    assert [(c.lead, c.category, c.assertion) for c in extract_claims(text)] == expected


def test_a_territory_written_before_its_finding_is_that_findings() -> None:
    def read(text: str) -> list[tuple]:
        return [(c.lead, c.value if c.category is None else c.category) for c in extract_claims(text)]
    for text in ("Anterior STE 3 mm with reciprocal inferior STD.",
                 "Anterior ST elevation 3 mm with reciprocal inferior ST depression."):
        assert read(text) == [("anterior", 0.3), ("inferior", "depressed")], text
    assert read("Inferior STE 2 mm.") == [("inferior", 0.2)]
