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


def test_a_point_before_a_decimal_number_is_no_leading_point() -> None:
    # ".2.9" is no number (it used to stop the reading of the whole text with a ValueError).
    assert _numbers("PR .2.9 s, QRS 96 ms.") == [("qrs_ms", 96.0)]
    assert _numbers("PR .16 s, QRS 96 ms.") == [("pr_ms", 160.0), ("qrs_ms", 96.0)]


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


@pytest.mark.parametrize("text, expected", [
    ("No longer any T-wave inversion in aVL.", [("t_wave", "aVL", None, "inverted", "negated")]),
    ("The LBBB of last year is no longer present.", [("qrs_ms", None, None, "wide", "negated")]),
    ("The ST depression in V5 has regressed.", [("st_mv", "V5", None, "depressed", "negated")]),
    ("ST elevation in III has disappeared.", [("st_mv", "III", None, "elevated", "negated")]),
    ("Sinus rhythm without first-degree AV block.", [("rhythm", None, None, "sinus", "affirmed"),
                                                     ("pr_ms", None, None, "prolonged", "negated")]),
])
def test_negation_that_is_not_a_no_before_the_finding(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


def test_no_longer_than_is_an_upper_bound_not_a_negation() -> None:
    claims = extract_claims("The PR is no longer than 180 ms.")
    assert [(c.quantity, c.value, c.comparator, c.assertion) for c in claims] == [
        ("pr_ms", 180.0, "<=", "affirmed")]


@pytest.mark.parametrize("text, assertion", [
    ("Do I see ST depression in V6? Not really.", "negated"),
    ("Do I see ST depression in V6? No.", "negated"),
    ("Do I see ST depression in V6? Yes, about half a box.", "affirmed"),
    ("Do I see ST depression in V6? Hard to be sure at this gain.", "uncertain"),
])
def test_a_question_claims_what_its_answer_says(text: str, assertion: str) -> None:
    assert [c[4] for c in _claims(text) if c[0] == "st_mv"] == [assertion]


@pytest.mark.parametrize("text, expected", [
    ("NSR 71.", [("rhythm", None, None, "sinus", "affirmed"), ("hr_bpm", None, None, "normal", "affirmed"),
                 ("hr_bpm", None, 71.0, None, "affirmed")]),
    ("QTc 478 (prolonged).", [("qtc_ms", None, 478.0, None, "affirmed"),
                              ("qtc_ms", None, None, "prolonged", "affirmed")]),
    ("QRS 0.14 s (wide).", [("qrs_ms", None, 140.0, None, "affirmed"), ("qrs_ms", None, None, "wide", "affirmed")]),
    ("Atrial flutter, rate-controlled.", [("rhythm", None, None, "atrial_flutter", "affirmed"),
                                          ("hr_bpm", None, None, "normal", "affirmed")]),
    ("QT/QTC 402/431 MS", [("qt_ms", None, 402.0, None, "affirmed"), ("qtc_ms", None, 431.0, None, "affirmed")]),
])
def test_machine_and_clinician_lines(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


def test_a_parenthesised_reference_range_is_no_category() -> None:
    claims = _claims("PR 172 ms (normal 120-200 ms).")
    assert ("pr_ms", None, None, "normal", "affirmed") not in claims


@pytest.mark.parametrize("text, expected", [
    ("ST depression of about half a millimetre in V4.", [("st_mv", -0.05)]),
    ("Somewhere between 60 and 70 beats a minute.", [("hr_bpm", 65.0)]),
    ("The QRS takes about half a box.", []),  # a box is no unit
    ("Paper speed 25 millimetres per second.", []),
])
def test_amplitudes_and_rates_in_plain_words(text: str, expected: list[tuple]) -> None:
    assert _numbers(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Ventricular rate 66/min, regular.", [("hr_bpm", None, 66.0, None, "affirmed"),
                                          ("rhythm", None, None, "regular", "affirmed")]),
    ("Rate 88, completely regular.", [("hr_bpm", None, 88.0, None, "affirmed"),
                                      ("rhythm", None, None, "regular", "affirmed")]),
    ("Rhythm check: regular and sinus.", [("rhythm", None, None, "regular", "affirmed"),
                                          ("rhythm", None, None, "sinus", "affirmed")]),
    ("Rate 130 bpm, irregular.", [("hr_bpm", None, 130.0, None, "affirmed"),
                                  ("rhythm", None, None, "irregular", "affirmed")]),
    ("A regular follow-up is advised.", []),
])
def test_regular_as_an_item_of_its_own(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    # a hedge on a finding outside the vocabulary stays in its own comma item
    ("Sinus rhythm, possible inferior infarction, ST depression in V5, V6.",
     [("rhythm", None, None, "sinus", "affirmed"), ("st_mv", "V5", None, "depressed", "affirmed"),
      ("st_mv", "V6", None, "depressed", "affirmed")]),
    ("Sinus rhythm, suspected left atrial enlargement, normal axis.",
     [("rhythm", None, None, "sinus", "affirmed"), ("axis_deg", None, None, "normal", "affirmed")]),
    ("Inferior infarction, likely old, ST & T abnormal, probably lateral ischemia or left ventricular strain.",
     [("st_mv", None, None, "normal", "negated"), ("t_wave", None, None, "normal", "negated")]),
    ("Left type, chronic anterior infarction possible, ST elevation over V2, V3.",
     [("axis_deg", None, None, "normal", "affirmed"), ("st_mv", "V2", None, "elevated", "affirmed"),
      ("st_mv", "V3", None, "elevated", "affirmed")]),
    ("No P waves, irregularly irregular rhythm.", [("rhythm", None, None, "irregular", "affirmed")]),
    # ... while lists closed by "or" keep it, as does a hedge on the finding itself
    ("No horizontal, downsloping or upsloping ST depression.", [("st_mv", None, None, "depressed", "negated")]),
    ("There is no evidence of acute injury, ST elevation, or Q waves.",
     [("st_mv", None, None, "elevated", "negated"), ("q_wave", None, None, "pathological", "negated")]),
    ("Possibly, ST elevation in V2.", [("st_mv", "V2", None, "elevated", "uncertain")]),
    ("Sinus rhythm, possible left ventricular hypertrophy.",
     [("rhythm", None, None, "sinus", "affirmed"), ("voltage", None, None, "lvh", "uncertain")]),
    ("Differential diagnosis: ischaemia, LVH.", [("voltage", None, None, "lvh", "uncertain")]),
])
def test_a_hedge_in_a_terse_report_covers_its_own_item(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, leads", [
    ("ST depression in V4-6.", ["V4", "V5", "V6"]),
    ("Negative T waves in V2–6, flattened in II.", ["V2", "V3", "V4", "V5", "V6", "II"]),
    ("Q waves V1 to 3 and in aVL.", ["V1", "V2", "V3", "aVL"]),
    ("ST elevation V1-V3 and V5-6.", ["V1", "V2", "V3", "V5", "V6"]),
    ("ST elevation of V2-3 mm.", ["V2"]),  # a number with its unit is no lead range
])
def test_a_chest_lead_range_may_end_in_a_digit(text: str, leads: list[str]) -> None:
    assert [c.lead for c in extract_claims(text)] == leads


@pytest.mark.parametrize("text, expected", [
    ("Sinus rhythm, abnormal ST & T, likely anterior ischemia.",
     [("rhythm", None, None, "sinus", "affirmed"), ("st_mv", None, None, "normal", "negated"),
      ("t_wave", None, None, "normal", "negated")]),
    ("Nonspecific abnormal T.", [("t_wave", None, None, "normal", "negated")]),
    ("Abnormal T waves in V5, V6.", [("t_wave", "V5", None, "normal", "negated"),
                                     ("t_wave", "V6", None, "normal", "negated")]),
    ("Abnormal T in high lateral leads.", [("t_wave", "high_lateral", None, "normal", "negated")]),
    ("T-wave changes, as seen in lateral ischaemia.", [("t_wave", None, None, "normal", "negated")]),
    ("No T-wave changes.", [("t_wave", None, None, "normal", "affirmed")]),
    # changes that are then named are those findings, not one more claim
    ("T-wave changes: negative in III, flat in aVF.", [("t_wave", "III", None, "inverted", "affirmed"),
                                                       ("t_wave", "aVF", None, "flat", "affirmed")]),
    ("Low limb lead voltage.", [("voltage", None, None, "low", "affirmed")]),
])
def test_abnormal_t_and_st_written_before_or_as_changes(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


def test_changes_that_restate_the_t_waves_before_them_are_no_claim_of_their_own() -> None:
    text = "T-wave inversions are observed in V1-V2, which are expected secondary changes in RBBB."
    assert [c for c in _claims(text) if c[0] == "t_wave"] == [("t_wave", "V1", None, "inverted", "affirmed"),
                                                             ("t_wave", "V2", None, "inverted", "affirmed")]


@pytest.mark.parametrize("text, expected", [
    ("Your beats come at regular intervals.", [("rhythm", None, None, "regular", "affirmed")]),
    ("The heart is beating irregularly.", [("rhythm", None, None, "irregular", "affirmed")]),
    ("The R-R intervals are regular.", [("rhythm", None, None, "regular", "affirmed")]),
    # a dash after a denial's own words starts a clause of its own
    ("No sign of atrial flutter - the complexes are regular.",
     [("rhythm", None, None, "atrial_flutter", "negated"), ("rhythm", None, None, "regular", "affirmed")]),
    ("I can't see P waves — this fits atrial fibrillation.",
     [("rhythm", None, None, "atrial_fibrillation", "affirmed")]),
])
def test_the_rhythm_said_of_the_beats_and_a_dash_ending_a_denial(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    # "absent" before a noun of its own denies that noun only
    ("Irregularly irregular rhythm with absent P waves.", [("rhythm", None, None, "irregular", "affirmed")]),
    ("Q waves absent in V1-V2.", [("q_wave", "V1", None, "pathological", "negated"),
                                  ("q_wave", "V2", None, "pathological", "negated")]),
    ("ST elevation is absent.", [("st_mv", None, None, "elevated", "negated")]),
    # definitions and lists of key features are textbook statements
    ("Here we meet the block, defined by an axis beyond -45 degrees.", [("axis_deg", None, -45.0, None, "hypothetical")]),
    ("Atrial flutter: the hallmark is a sawtooth baseline with a regular ventricular rhythm.",
     [("rhythm", None, None, "atrial_flutter", "hypothetical"), ("rhythm", None, None, "regular", "hypothetical")]),
])
def test_absent_before_its_noun_and_definitions(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    # decimal commas, as European carts and translated reports write them
    ("PQ-Zeit 0,16 s. QRS 0,09 s.", [("pr_ms", 160.0), ("qrs_ms", 90.0)]),
    ("QT/QTc 0,38/0,42 s", [("qt_ms", 380.0), ("qtc_ms", 420.0)]),
    ("ST elevation of 1,5 mm in V2.", [("st_mv", 0.15)]),
    ("Axis -30,5°.", [("axis_deg", -30.5)]),
    # ... and a thousands separator
    ("RR 1,250 ms.", [("rr_ms", 1250.0)]),
])
def test_decimal_commas_and_thousands_separators(text: str, expected: list[tuple]) -> None:
    assert _numbers(text) == expected


def test_numbers_with_commas_never_stop_the_reading() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.sampled_from(["0", "1", "25", ",", ".", "/", " ", "-", "s", "ms", "mm", "QRS ",
                                     "PR ", "QT/QTc ", "V2", "HR "]), max_size=14))
    def read(parts: list[str]) -> None:
        extract_claims("".join(parts))

    read()


@pytest.mark.parametrize("text, expected", [
    # chat writes the abbreviations in lower case, and T waves "flipped" or "upside down"
    ("qrs looks narrow", [("qrs_ms", None, "normal", "affirmed")]),
    ("the t waves are flipped in v2 and v3", [("t_wave", "V2", "inverted", "affirmed"), ("t_wave", "V3", "inverted", "affirmed")]),
    ("st elevation in v1-v2, p waves normal", [("st_mv", "V1", "elevated", "affirmed"), ("st_mv", "V2", "elevated", "affirmed")]),
    ("The T wave in aVL is upside down.", [("t_wave", "aVL", "inverted", "affirmed")]),
    # "st" and "t" alone are no keywords
    ("the first depression episode was at 1st grade", []),
])
def test_lower_case_chat_abbreviations(text: str, expected: list[tuple]) -> None:
    assert [(c.quantity, c.lead, c.category if c.value is None else c.value, c.assertion)
            for c in extract_claims(text)] == expected


@pytest.mark.parametrize("text, expected", [
    # an ST direction before the keyword, and in plain words
    ("elevated ST segments in V1 and V2", [("st_mv", "V1", "elevated", "affirmed"), ("st_mv", "V2", "elevated", "affirmed")]),
    ("There are no raised ST segments anywhere.", [("st_mv", None, "elevated", "negated")]),
    ("The ST segment is pushed down in V5.", [("st_mv", "V5", "depressed", "affirmed")]),
    ("ST elevation in V2 with depressed ST in V5.", [("st_mv", "V2", "elevated", "affirmed"), ("st_mv", "V5", "depressed", "affirmed")]),
    # a bound between a rate keyword and its unit-less number
    ("If your heart rate were over 100 at rest, we'd call that tachycardia.",
     [("hr_bpm", None, 100.0, "hypothetical"), ("hr_bpm", None, "fast", "hypothetical")]),
])
def test_st_directions_before_the_keyword_and_bounds_after_a_rate(text: str, expected: list[tuple]) -> None:
    assert [(c.quantity, c.lead, c.category if c.value is None else c.value, c.assertion)
            for c in extract_claims(text)] == expected


def test_below_the_baseline_is_a_depression() -> None:
    assert [(c.lead, c.value, c.assertion) for c in extract_claims(
        "The ST segments in V5 and V6 sit maybe 0.5 mm below the baseline.")] == [
        ("V5", -0.05, "uncertain"), ("V6", -0.05, "uncertain")]
    assert [(c.lead, c.value) for c in extract_claims("The ST segment in V2 is 1 mm above the baseline.")] == [("V2", 0.1)]


@pytest.mark.parametrize("text, expected", [
    ("At that rate, flutter with 2:1 block is a possibility too.", [("rhythm", None, "atrial_flutter", "uncertain")]),
    ("Atrial flutter with 2:1 block. Flutter waves at 300/min.", [("rhythm", None, "atrial_flutter", "affirmed")]),
    ("QRS is 88 ms, also normal.", [("qrs_ms", None, 88.0, "affirmed"), ("qrs_ms", None, "normal", "affirmed")]),
    ("The QTc is 428 ms, which is fine.", [("qtc_ms", None, 428.0, "affirmed"), ("qtc_ms", None, "normal", "affirmed")]),
])
def test_flutter_by_its_short_name_and_chat_verdicts_after_a_number(text: str, expected: list[tuple]) -> None:
    assert [(c.quantity, c.lead, c.category if c.value is None else c.value, c.assertion)
            for c in extract_claims(text)] == expected


@pytest.mark.parametrize("text, expected", [
    ("HR 112, ?AF vs MAT.", [("hr_bpm", None, 112.0, None, "affirmed"),
                             ("rhythm", None, None, "atrial_fibrillation", "uncertain")]),
    ("Rate 90, ?LVH on voltage.", [("hr_bpm", None, 90.0, None, "affirmed"), ("voltage", None, None, "lvh", "uncertain")]),
    # a question mark after the words is a question's end, as before
    ("Is the HR 112? Yes.", [("hr_bpm", None, 112.0, None, "affirmed")]),
])
def test_a_query_mark_before_a_finding_hedges_it_and_ends_no_sentence(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


def test_a_finding_with_leads_after_its_number_shares_them_with_the_finding_joined_by_with() -> None:
    text = "ST depression 0.1 mV in V5, V6 with negative T waves."
    assert _claims(text) == [("st_mv", "V5", -0.1, None, "affirmed"), ("st_mv", "V6", -0.1, None, "affirmed"),
                             ("t_wave", "V5", None, "inverted", "affirmed"), ("t_wave", "V6", None, "inverted", "affirmed")]


@pytest.mark.parametrize("text, comparator", [
    ("QRS >/= 120 ms", ">="), ("QRS =>120 ms", ">="), ("QRS </= 100 ms", "<="),
    ("a QRS equal to or greater than 120 ms", ">="), ("a QTc greater than or equal to 480 ms", ">="),
    ("a PR less than or equal to 200 ms", "<="),
])
def test_comparators_as_course_notes_write_them(text: str, comparator: str) -> None:
    assert [c.comparator for c in extract_claims(text)] == [comparator]


@pytest.mark.parametrize("text, value", [
    ("Adding the S wave in V1 to the R wave in V6: the sum of the S wave in V1 and the R wave in V6 is 39 mm.", 3.9),
    ("The sum of the deepest S wave in V1 or V2, and the tallest R wave in V5 or V6, is 4.2 mV.", 4.2),
])
def test_the_sokolow_lyon_sum_in_words(text: str, value: float) -> None:
    assert _numbers(text) == [("sokolow_lyon_mv", value)]


@pytest.mark.parametrize("text, expected", [
    ("Broad complex tachycardia at 165 bpm.", [("qrs_ms", None, None, "wide", "affirmed"),
                                               ("hr_bpm", None, None, "fast", "affirmed"),
                                               ("hr_bpm", None, 165.0, None, "affirmed")]),
    ("Narrow-complex rhythm.", [("qrs_ms", None, None, "normal", "affirmed")]),
    ("AF with a ventricular rate averaging 104.", [("rhythm", None, None, "atrial_fibrillation", "affirmed"),
                                                   ("hr_bpm", None, 104.0, None, "affirmed")]),
])
def test_the_qrs_named_by_its_width_and_a_rate_averaging(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("QTc by Fridericia's formula is 440 ms, by Bazett 462 ms.",
     [("qtc_fridericia_ms", 440.0, "fridericia"), ("qtc_ms", 462.0, "bazett")]),
    ("Corrected QT (Fridericia) = 430 ms; Bazett gives 455 ms.",
     [("qtc_fridericia_ms", 430.0, "fridericia"), ("qtc_ms", 455.0, "bazett")]),
    ("Using Fridericia's correction, the QTc comes to 418 ms.", [("qtc_fridericia_ms", 418.0, "fridericia")]),
    ("The QT interval corrected with the Fridericia formula measures 437 ms.",
     [("qtc_fridericia_ms", 437.0, "fridericia")]),
    ("Fridericia: 436 ms.", [("qtc_fridericia_ms", 436.0, "fridericia")]),
    ("Corrected with Bazett the QTc is 0.48 s, with Fridericia 0.50 s.",
     [("qtc_ms", 480.0, "bazett"), ("qtc_fridericia_ms", 500.0, "fridericia")]),
])
def test_each_corrected_qt_takes_the_formula_named_with_it(text: str, expected: list[tuple]) -> None:
    assert [(c.quantity, c.value, c.formula) for c in extract_claims(text) if c.value is not None] == expected


@pytest.mark.parametrize("text, expected", [
    ("T waves: upright in I and V2-V3; inverted in aVR.",
     [("t_wave", "I", "normal"), ("t_wave", "V2", "normal"), ("t_wave", "V3", "normal"), ("t_wave", "aVR", "inverted")]),
    ("Low-amplitude T waves in V5 and V6.", [("t_wave", "V5", "flat"), ("t_wave", "V6", "flat")]),
    ("T waves are normal in morphology.", [("t_wave", None, "normal")]),
    ("QT/QTc within normal limits.", [("qtc_ms", None, "normal")]),
])
def test_t_wave_lists_and_categories_of_a_named_pair(text: str, expected: list[tuple]) -> None:
    assert [(c.quantity, c.lead, c.category) for c in extract_claims(text)] == expected


@pytest.mark.parametrize("text, expected", [
    # a finding quoted from the report, in single quotes
    ("The printout said 'sinus bradycardia' and 'first degree AV block'.",
     [("rhythm", None, None, "sinus", "affirmed"), ("hr_bpm", None, None, "slow", "affirmed"),
      ("pr_ms", None, None, "prolonged", "affirmed")]),
    ("The note read 'ST elevation in V3'.", [("st_mv", "V3", None, "elevated", "affirmed")]),
    # an apostrophe inside a word starts none ("it's", "QT's")
    ("It's a QRS of 88 ms.", [("qrs_ms", None, 88.0, None, "affirmed")]),
])
def test_findings_in_single_quotes(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text", [
    "A Q wave is seen in lead III, which is likely nonpathological.",
    "Q waves in III and aVF, not pathological.",
    "Small Q waves in V5 and V6 are not significant.",
])
def test_q_waves_called_not_pathological_claim_no_pathological_q_wave(text: str) -> None:
    assert [c for c in extract_claims(text) if c.quantity == "q_wave"] == []


def test_a_value_reached_is_no_bound() -> None:
    assert _numbers("Since the new tablets my heart rate went up to 104 bpm.") == [("hr_bpm", 104.0)]
    assert [c.comparator for c in extract_claims("ST elevation up to 2 mm in V3.")] == ["<="]


def test_right_superior_axis_is_the_extreme_axis() -> None:
    assert _claims("Right superior axis deviation.") == [("axis_deg", None, None, "extreme", "affirmed")]


@pytest.mark.parametrize("text, expected", [
    # a patient's story of a bare number after its keyword
    ("My QTc came back as 471 this time.", [("qtc_ms", 471.0)]),
    ("The 'QTc' was stuck at 468 for three tries.", [("qtc_ms", 468.0)]),
    ("After the magnesium the QT dropped all the way down to 430.", [("qt_ms", 430.0)]),
    ("His heart rate went up to 126 during the test.", [("hr_bpm", 126.0)]),
])
def test_bare_numbers_in_a_patients_story(text: str, expected: list[tuple]) -> None:
    assert _numbers(text) == expected


def test_a_verdict_before_a_qt_pair_in_parentheses() -> None:
    assert _claims("On this strip the QT/QTc intervals look prolonged (430 msec/505 msec).") == [
        ("qtc_ms", None, None, "prolonged", "affirmed"), ("qt_ms", None, 430.0, None, "affirmed"),
        ("qtc_ms", None, 505.0, None, "affirmed")]


def test_a_rate_after_p_waves_set_off_by_commas_is_the_hearts() -> None:
    assert _numbers("Regular rhythm, with upright P waves, at 64 beats per minute.") == [("hr_bpm", 64.0)]
    assert _numbers("P waves at 280/min with 2:1 conduction.") == []  # the atrial rate


@pytest.mark.parametrize("text, category", [
    ("The machine printed 'extended QT interval'.", "prolonged"), ("Lengthened QTc on the repeat tracing.", "prolonged"),
    ("The QT interval is shortened.", "short"),
])
def test_qt_category_words_of_printouts(text: str, category: str) -> None:
    assert [c.category for c in extract_claims(text) if c.category] == [category]


def test_st_arrows_give_the_direction() -> None:
    claims = extract_claims("ST ↑ 2 mm V2-V3, ST ↓ III.")
    assert [(c.lead, c.value, c.category) for c in claims] == [
        ("V2", 0.2, None), ("V3", 0.2, None), ("III", None, "depressed")]
    assert [(c.lead, c.value) for c in extract_claims("ST↓ 1 mm V6.")] == [("V6", -0.1)]


@pytest.mark.parametrize(("text", "expected"), [
    ("Q V1-V2. TWI V3.", [("q_wave", "V1", "pathological"), ("q_wave", "V2", "pathological"),
                          ("t_wave", "V3", "inverted")]),
    ("Path. Q III, aVF.", [("q_wave", "III", "pathological"), ("q_wave", "aVF", "pathological")]),
    ("small Q III.", []),
])
def test_q_before_its_leads_is_a_q_wave(text: str, expected: list[tuple]) -> None:
    assert [(c.quantity, c.lead, c.category) for c in extract_claims(text)] == expected


def test_same_leads_without_the_are_the_leads_named_before() -> None:
    claims = extract_claims("TWI V4-V5; STD 1mm same leads.")
    assert [(c.quantity, c.lead, c.value) for c in claims] == [
        ("t_wave", "V4", None), ("t_wave", "V5", None), ("st_mv", "V4", -0.1), ("st_mv", "V5", -0.1)]
