"""The layouts real model answers and reports use: markdown label lines and tables, worked
calculations, lists closed by "all normal", chest-lead shorthand, machine abbreviations.
Each is read as the plain sentence it stands for."""

from __future__ import annotations

import pytest

from gemeval.metrics.grounding import extract_claims


def _claims(text: str) -> list[tuple]:
    """(quantity, lead, value, category, assertion) of every claim, in text order."""
    return [(c.quantity, c.lead, c.value, c.category, c.assertion) for c in extract_claims(text)]


def _bounds(text: str) -> list[tuple]:
    return [(c.quantity, c.low, c.high, c.comparator, c.assertion) for c in extract_claims(text)
            if c.value is not None]


@pytest.mark.parametrize("text, expected", [
    ("- **QRS Duration:** Prolonged, around 140 ms.",
     [("qrs_ms", None, None, "wide", "affirmed"), ("qrs_ms", None, 140.0, None, "affirmed")]),
    ("**PR Interval:** Normal (approximately 160 ms).",
     [("pr_ms", None, None, "normal", "affirmed"), ("pr_ms", None, 160.0, None, "affirmed")]),
    ("3. **QRS Complex:** Narrow, measuring about 0.08 s.",
     [("qrs_ms", None, None, "normal", "affirmed"), ("qrs_ms", None, 80.0, None, "affirmed")]),
    ("- **QTc:** 478 ms (prolonged; recheck after stopping the drug)",
     [("qtc_ms", None, 478.0, None, "affirmed"), ("qtc_ms", None, None, "prolonged", "affirmed")]),
    ("- **PR:** 0.21 s — prolonged", [("pr_ms", None, 210.0, None, "affirmed"),
                                      ("pr_ms", None, None, "prolonged", "affirmed")]),
    ("Your heart rate, which is a bit fast, is nothing to worry about.",
     [("hr_bpm", None, None, "fast", "affirmed")]),
])
def test_a_label_line_states_its_category_and_number(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


def test_borderline_before_a_category_hedges_the_category() -> None:
    assert ("qrs_ms", None, None, "wide", "uncertain") in _claims("The QRS is borderline wide.")
    assert _claims("PQ interval borderline.") == [("pr_ms", None, None, "prolonged", "uncertain")]


def test_a_reference_column_of_a_table_holds_references_and_a_comment_column_findings() -> None:
    table = ("| Parameter | Measured | Normal range |\n|---|---|---|\n| Heart rate | 104 bpm | 60-100 bpm |\n"
             "| PR | 0.15 s | 0.12-0.20 s |\n| QTc | 468 ms | < 450 ms |\n| Axis | +75° | -30° to +90° |")
    assert _bounds(table) == [
        ("hr_bpm", 104.0, 104.0, None, "affirmed"), ("hr_bpm", 60.0, 100.0, "range", "reference"),
        ("pr_ms", 150.0, 150.0, None, "affirmed"), ("pr_ms", 120.0, 200.0, "range", "reference"),
        ("qtc_ms", 468.0, 468.0, None, "affirmed"), ("qtc_ms", float("-inf"), 450.0, "<", "reference"),
        ("axis_deg", 75.0, 75.0, None, "affirmed"), ("axis_deg", -30.0, 90.0, "range", "reference")]
    comments = "| Interval | Value | Comment |\n| --- | --- | --- |\n| QRS | 132 ms | Wide |\n| QTc | 430 ms | Normal |"
    assert _claims(comments) == [
        ("qrs_ms", None, 132.0, None, "affirmed"), ("qrs_ms", None, None, "wide", "affirmed"),
        ("qtc_ms", None, 430.0, None, "affirmed"), ("qtc_ms", None, None, "normal", "affirmed")]
    # a comment column after the reference column still comments on the row's value
    both = ("| Parameter | Value | Normal range | Comment |\n|---|---|---|---|\n"
            "| PR interval | 210 ms | 120-200 ms | Prolonged |\n| QRS | 88 ms | < 120 ms | Normal |")
    assert [claim for claim in _claims(both) if claim[4] != "reference"] == [
        ("pr_ms", None, 210.0, None, "affirmed"), ("pr_ms", None, None, "prolonged", "affirmed"),
        ("qrs_ms", None, 88.0, None, "affirmed"), ("qrs_ms", None, None, "normal", "affirmed")]


def test_a_table_without_a_reference_column_states_findings_only() -> None:
    table = "| Parameter | Value |\n|---|---|\n| HR | 62 bpm |\n| PR | 0.21 s |"
    assert _claims(table) == [("hr_bpm", None, 62.0, None, "affirmed"), ("pr_ms", None, 210.0, None, "affirmed")]


@pytest.mark.parametrize("text, expected", [
    ("Rate: four large squares between R waves, so 300/4 = 75 bpm.", [("hr_bpm", 75.0)]),
    ("Heart rate = 1500 / 25 small squares = 60 bpm.", [("hr_bpm", 60.0)]),
    ("The RR interval is 0.8 s, so the rate is 60/0.8 = 75 bpm.", [("rr_ms", 800.0), ("hr_bpm", 75.0)]),
    ("QTc = QT/√RR = 400/√0.81 = 444 ms.", [("qtc_ms", 444.0)]),
    ("QTc (Bazett) = 0.40 / sqrt(0.80) = 0.447 s.", [("qtc_ms", 447.0)]),
    ("The QT interval is 9 small squares × 40 ms = 360 ms.", [("qt_ms", 360.0)]),
    ("The heart rate is about 1500/18 ≈ 83 bpm.", [("hr_bpm", 83.0)]),
])
def test_a_worked_calculation_claims_its_result_not_its_operands(text: str, expected: list[tuple]) -> None:
    assert [(c.quantity, c.value) for c in extract_claims(text) if c.value is not None] == expected


def test_slash_pairs_without_an_equals_sign_stay_values() -> None:
    assert [(c.quantity, c.value) for c in extract_claims("QT/QTc 372/449 ms.")] == [("qt_ms", 372.0),
                                                                                    ("qtc_ms", 449.0)]


@pytest.mark.parametrize("text, quantities", [
    ("Intervals: PR 160 ms, QRS 90 ms, QTc 420 ms — all normal.", ["pr_ms", "qrs_ms", "qtc_ms"]),
    ("PR 0.18 s; QRS 0.09 s; QTc 0.43 s, all within normal limits.", ["pr_ms", "qrs_ms", "qtc_ms"]),
    ("The PR (180 ms), QRS (96 ms) and QTc (430 ms) are all within normal limits.", ["pr_ms", "qrs_ms", "qtc_ms"]),
    ("Rate 70, PR 150, QRS 90, all WNL.", ["hr_bpm", "pr_ms", "qrs_ms"]),
    ("The PR and QRS intervals are normal.", ["pr_ms", "qrs_ms"]),
    ("All intervals are within normal limits.", ["pr_ms", "qrs_ms", "qtc_ms"]),
])
def test_a_category_closing_a_list_is_said_of_every_quantity_listed(text: str, quantities: list[str]) -> None:
    assert [c.quantity for c in extract_claims(text) if c.category == "normal"] == quantities


@pytest.mark.parametrize("text, leads", [
    ("ST depression in V4-6.", ["V4", "V5", "V6"]),
    ("ST elevation in leads V1-2, nothing else.", ["V1", "V2"]),
    ("ST depression V5-6 1 mm.", ["V5", "V6"]),
    ("T wave flattening in V3,4.", ["V3", "V4"]),
])
def test_chest_lead_shorthand_names_every_lead_of_the_range(text: str, leads: list[str]) -> None:
    assert [c.lead for c in extract_claims(text)] == leads


def test_a_number_after_a_lead_is_no_shorthand_lead() -> None:
    claims = extract_claims("ST elevation in V2-3 mm.")
    assert [c.lead for c in claims] == ["V2"]


@pytest.mark.parametrize("text, expected", [
    ("QRSd 128 ms.", [("qrs_ms", None, 128.0, None, "affirmed")]),
    ("QRS dur. 0.10 s.", [("qrs_ms", None, 100.0, None, "affirmed")]),
    ("PQ time 0.19 s.", [("pr_ms", None, 190.0, None, "affirmed")]),
    ("Axis WNL.", [("axis_deg", None, None, "normal", "affirmed")]),
    ("Sinus rhythm, vertical axis.", [("rhythm", None, None, "sinus", "affirmed"),
                                      ("axis_deg", None, None, "normal", "affirmed")]),
    ("Sinus rhythm, nonspecific abnormal T.", [("rhythm", None, None, "sinus", "affirmed"),
                                               ("t_wave", None, None, "normal", "negated")]),
    ("Abnormal ST & T.", [("st_mv", None, None, "normal", "negated"), ("t_wave", None, None, "normal", "negated")]),
    ("sinus rhythm. st & t abnormal", [("rhythm", None, None, "sinus", "affirmed"),
                                       ("st_mv", None, None, "normal", "negated"),
                                       ("t_wave", None, None, "normal", "negated")]),
    ("T-wave changes in lead III.", [("t_wave", "III", None, "normal", "negated")]),
    ("T-wave changes: negative in V2, flat in V3.", [("t_wave", "V2", None, "inverted", "affirmed"),
                                                     ("t_wave", "V3", None, "flat", "affirmed")]),
    ("No ST deviation in the lateral leads.", [("st_mv", "lateral", None, "normal", "affirmed")]),
])
def test_clinician_and_machine_wording(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


def test_a_count_per_minute_below_any_heart_rate_is_no_rate() -> None:
    assert _claims("Ventricular extrasystoles > 5/min.") == []
    assert [c.value for c in extract_claims("Sinus rhythm 76/min, VES 3/min.") if c.value] == [76.0]


def test_plus_minus_spreads_and_bands() -> None:
    assert _bounds("QRS duration 96 ± 4 ms.") == [("qrs_ms", 96.0, 96.0, None, "affirmed")]
    assert _bounds("ST level in V5 within ±0.05 mV.") == [("st_mv", -0.05, 0.05, "range", "affirmed")]


def test_i_e_does_not_end_the_sentence() -> None:
    assert _claims("The QRS spans three small squares, i.e. 120 ms.") == [("qrs_ms", None, 120.0, None, "affirmed")]


def test_items_under_a_heading_of_one_quantity_are_read_as_its_mentions() -> None:
    text = ("### ST Segments\n- Elevated by 2 mm in II and III\n- Depressed in aVL\n\n"
            "**T waves:**\n- Inverted in V1\n\n**QRS complex:**\n\n- Duration: about 0.11 s\n- Shape: notched")
    assert _claims(text) == [
        ("st_mv", "II", 0.2, None, "affirmed"), ("st_mv", "III", 0.2, None, "affirmed"),
        ("st_mv", "aVL", None, "depressed", "affirmed"), ("t_wave", "V1", None, "inverted", "affirmed"),
        ("qrs_ms", None, 110.0, None, "affirmed")]


def test_a_heading_section_ends_at_a_blank_line_or_a_line_of_its_own() -> None:
    # the items of another section, and a plain line after the list, are not the heading's
    assert _claims("**Axis:**\n- Normal\n\nOverall:\n- Elevated in V2") == [("axis_deg", None, None, "normal", "affirmed")]
    assert _claims("**Q waves:**\n- None seen") == [("q_wave", None, None, "pathological", "negated")]


@pytest.mark.parametrize("text, expected", [
    ("- **QT/QTc**: ~380/~420 ms", [("qt_ms", None, 380.0, None, "affirmed"), ("qtc_ms", None, 420.0, None, "affirmed")]),
    ("- **HR:** 57", [("hr_bpm", None, 57.0, None, "affirmed")]),
    ("**QTc:** Approximately 460 ms (borderline prolonged)",
     [("qtc_ms", None, 460.0, None, "affirmed"), ("qtc_ms", None, None, "prolonged", "uncertain")]),
    ("QRS 0.13 s (130 ms) - wide.", [("qrs_ms", None, 130.0, None, "affirmed"), ("qrs_ms", None, None, "wide", "affirmed")]),
    ("The sum of SV1 and RV5 is 3.9 mV.", [("sokolow_lyon_mv", None, 3.9, None, "affirmed")]),
    ("R wave in V5 32 mm, S wave in V1 15 mm (sum 47 mm).",
     [("r_mv", "V5", 3.2, None, "affirmed"), ("s_mv", "V1", -1.5, None, "affirmed")]),
])
def test_markdown_values_and_sums(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


def test_a_table_with_a_lead_per_row_claims_each_cell_for_its_lead() -> None:
    table = ("| Lead | R (mV) | S (mV) | ST (mV) | T wave |\n|---|---|---|---|---|\n"
             "| V1 | 0.3 | 1.4 | +0.15 | Inverted |\n| V5 | 1.9 | 0.4 | -0.05 | Upright |")
    assert _claims(table) == [
        ("r_mv", "V1", 0.3, None, "affirmed"), ("s_mv", "V1", -1.4, None, "affirmed"),
        ("st_mv", "V1", 0.15, None, "affirmed"), ("t_wave", "V1", None, "inverted", "affirmed"),
        ("r_mv", "V5", 1.9, None, "affirmed"), ("s_mv", "V5", -0.4, None, "affirmed"),
        ("st_mv", "V5", -0.05, None, "affirmed"), ("t_wave", "V5", None, "normal", "affirmed")]


def test_a_unit_in_a_column_header_is_the_unit_of_its_bare_numbers() -> None:
    table = "| Interval | Duration (ms) |\n|---|---|\n| PR | 164 |\n| QRS | 0.09 s |"
    assert _bounds(table) == [("pr_ms", 164.0, 164.0, None, "affirmed"), ("qrs_ms", 90.0, 90.0, None, "affirmed")]


@pytest.mark.parametrize("text, expected", [
    ("**Rhythm:** Sinus\n**Rate:** 66", [("rhythm", None, None, "sinus", "affirmed"), ("hr_bpm", None, 66.0, None, "affirmed")]),
    ("| Rhythm | Sinus |\n| QTc | Prolonged (488 ms) |",
     [("rhythm", None, None, "sinus", "affirmed"), ("qtc_ms", None, None, "prolonged", "affirmed"),
      ("qtc_ms", None, 488.0, None, "affirmed")]),
])
def test_a_label_and_its_finding_in_cells_or_on_a_line_of_their_own(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("The PR interval measures 0.21 s in lead II, which is prolonged.",
     [("pr_ms", None, 210.0, None, "affirmed"), ("pr_ms", None, None, "prolonged", "affirmed")]),
    ("The axis appears to be deviated to the left.", [("axis_deg", None, None, "left", "affirmed")]),
    ("Sinus tach.", [("rhythm", None, None, "sinus", "affirmed"), ("hr_bpm", None, None, "fast", "affirmed")]),
])
def test_gem_and_clinician_idioms(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


def test_a_number_with_a_plus_after_it_is_a_lower_bound() -> None:
    assert _bounds("QTc 500+ ms.") == [("qtc_ms", 500.0, float("inf"), ">=", "affirmed")]
    assert _bounds("ST +0.2 mV in V2.") == [("st_mv", 0.2, 0.2, None, "affirmed")]


@pytest.mark.parametrize("text, expected", [
    # A label naming "ST-T changes" over an item that names its own ST or T findings claims
    # nothing itself; over an item that does not, it is the finding.
    ("4. **ST-T changes**: Horizontal ST depression is seen in V5.",
     [("st_mv", "V5", None, "depressed", "affirmed")]),
    ("**ST-T changes:**\n- ST depression in V5\n- T inversion in III\n\nRate 70 bpm.",
     [("st_mv", "V5", None, "depressed", "affirmed"), ("t_wave", "III", None, "inverted", "affirmed"),
      ("hr_bpm", None, 70.0, None, "affirmed")]),
    ("**ST/T changes**: none.",
     [("st_mv", None, None, "normal", "affirmed"), ("t_wave", None, None, "normal", "affirmed")]),
    ("Sinus rhythm. Secondary ST-T changes.",
     [("rhythm", None, None, "sinus", "affirmed"), ("st_mv", None, None, "normal", "negated"),
      ("t_wave", None, None, "normal", "negated")]),
])
def test_an_st_t_changes_label_over_its_own_findings_claims_nothing(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("The QRS duration is 148 ms, significantly prolonged.",
     [("qrs_ms", None, 148.0, None, "affirmed"), ("qrs_ms", None, None, "wide", "affirmed")]),
    ("The QTc is 510 ms, which is severely prolonged.",
     [("qtc_ms", None, 510.0, None, "affirmed"), ("qtc_ms", None, None, "prolonged", "affirmed")]),
    ("The PR interval is very short.", [("pr_ms", None, None, "short", "affirmed")]),
    ("The rate is a little fast.", [("hr_bpm", None, None, "fast", "affirmed")]),
])
def test_a_degree_word_before_a_category(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("ST segment: elevation of 0.15 mV in V2 and V3; depression of approximately 0.1 mV in V5-V6.",
     [("st_mv", "V2", 0.15, None, "affirmed"), ("st_mv", "V3", 0.15, None, "affirmed"),
      ("st_mv", "V5", -0.1, None, "affirmed"), ("st_mv", "V6", -0.1, None, "affirmed")]),
    ("ST depression in V5; elevation in aVR.",
     [("st_mv", "V5", None, "depressed", "affirmed"), ("st_mv", "aVR", None, "elevated", "affirmed")]),
    # a clause after the semicolon about something else is no ST finding
    ("ST elevation in V2; T inversion in III.",
     [("st_mv", "V2", None, "elevated", "affirmed"), ("t_wave", "III", None, "inverted", "affirmed")]),
])
def test_the_opposite_st_direction_after_a_semicolon_goes_on_with_the_st_finding(text: str,
                                                                                  expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("QRS and QTc look normal.",
     [("qrs_ms", None, None, "normal", "affirmed"), ("qtc_ms", None, None, "normal", "affirmed")]),
    ("PR and QRS are prolonged.",
     [("pr_ms", None, None, "prolonged", "affirmed"), ("qrs_ms", None, None, "wide", "affirmed")]),
    # a number between the names makes them two statements
    ("The PR interval is 160 ms and QRS 90 ms is normal.",
     [("pr_ms", None, 160.0, None, "affirmed"), ("qrs_ms", None, 90.0, None, "affirmed"),
      ("qrs_ms", None, None, "normal", "affirmed")]),
])
def test_a_predicate_after_coordinated_names_is_said_of_each(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    # chat contractions and verbs between a keyword and its number
    ("Your heart rate's around 72, nice and regular.",
     [("hr_bpm", None, 72.0, None, "affirmed"), ("rhythm", None, None, "regular", "affirmed")]),
    ("The rhythm's regular and the QRS's 92.",
     [("rhythm", None, None, "regular", "affirmed"), ("qrs_ms", None, 92.0, None, "affirmed")]),
    ("QTc came out at 431.", [("qtc_ms", None, 431.0, None, "affirmed")]),
    ("The PR's a bit long.", [("pr_ms", None, None, "prolonged", "affirmed")]),
])
def test_contractions_and_chat_verbs_before_a_number_or_category(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("The heart rate is below the lower limit of normal of 60 bpm.", [("hr_bpm", None, 60.0, "<", "affirmed")]),
    ("The QTc exceeds the generally accepted upper limit of 450 ms.", [("qtc_ms", 450.0, None, ">", "affirmed")]),
    ("Rate 104 bpm, just above the upper limit of normal (100 bpm).",
     [("hr_bpm", 104.0, 104.0, None, "affirmed"), ("hr_bpm", 100.0, None, ">", "affirmed")]),
    ("The QTc is 430 ms, under the usual threshold of 450 ms.",
     [("qtc_ms", 430.0, 430.0, None, "affirmed"), ("qtc_ms", None, 450.0, "<", "affirmed")]),
    # a limit stated alone is a reference (an upper limit a bound, as the corpora annotate it)
    ("The upper limit of normal for the PR interval is 200 ms.", [("pr_ms", None, 200.0, "<=", "reference")]),
])
def test_a_value_compared_with_a_limit_is_a_bound_about_this_ecg(text: str, expected: list[tuple]) -> None:
    assert [(q, None if low == float("-inf") else low, None if high == float("inf") else high, cmp, a)
            for q, low, high, cmp, a in _bounds(text)] == expected


@pytest.mark.parametrize("text, expected", [
    ("The axis lies beyond −30°, in keeping with left axis deviation.", [("axis_deg", None, -30.0, "<", "affirmed")]),
    ("The frontal axis is more negative than -30 degrees.", [("axis_deg", None, -30.0, "<", "affirmed")]),
    ("The axis is beyond +90°.", [("axis_deg", 90.0, None, ">", "affirmed")]),
])
def test_beyond_a_negative_axis_is_more_negative(text: str, expected: list[tuple]) -> None:
    assert [(q, None if low == float("-inf") else low, None if high == float("inf") else high, cmp, a)
            for q, low, high, cmp, a in _bounds(text)] == expected


@pytest.mark.parametrize("text, expected", [
    # a change from an earlier ECG's value: the first number is the earlier ECG's
    ("The QTc has shortened from 490 ms to 455 ms.",
     [("qtc_ms", None, 490.0, None, "hypothetical"), ("qtc_ms", None, 455.0, None, "affirmed")]),
    ("The PR ranges from 160 to 180 ms.", [("pr_ms", None, 170.0, None, "affirmed")]),
    # an approximate range, an approximate slash pair
    ("It varies between about 62 and 84 bpm.", [("hr_bpm", None, 73.0, None, "affirmed")]),
    ("- QT/QTc: roughly 360/430 ms", [("qt_ms", None, 360.0, None, "affirmed"), ("qtc_ms", None, 430.0, None, "affirmed")]),
    ("rate is mostly 90-110", [("hr_bpm", None, 100.0, None, "affirmed")]),
])
def test_changes_approximate_ranges_and_pairs(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("ok so your heart rate is 54, thats a bit on the slow side",
     [("hr_bpm", None, 54.0, None, "affirmed"), ("hr_bpm", None, None, "slow", "affirmed")]),
    ("The PR is 210 ms, on the long side.",
     [("pr_ms", None, 210.0, None, "affirmed"), ("pr_ms", None, None, "prolonged", "affirmed")]),
    # a bound names its category with its own status
    ("A QRS over 120 ms is generally called wide.",
     [("qrs_ms", None, 120.0, None, "hypothetical"), ("qrs_ms", None, None, "wide", "hypothetical")]),
    ("The QTc is above 450 ms, which is prolonged.",
     [("qtc_ms", None, 450.0, None, "affirmed"), ("qtc_ms", None, None, "prolonged", "affirmed")]),
    # the rhythm after a markdown label, beats that come regularly
    ("- **Rhythm:** Regular. P waves are present.", [("rhythm", None, None, "regular", "affirmed")]),
    ("The beats come regularly.", [("rhythm", None, None, "regular", "affirmed")]),
    # textbook nouns
    ("The ECG shows widening of the QRS complex to 140 ms.",
     [("qrs_ms", None, None, "wide", "affirmed"), ("qrs_ms", None, 140.0, None, "affirmed")]),
    ("It stands for left axis deviation - your axis is -40 degrees.",
     [("axis_deg", None, None, "left", "hypothetical"), ("axis_deg", None, -40.0, None, "affirmed")]),
])
def test_chat_verdicts_and_categories_of_a_bound(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    # a lead written onto its wave's letter is that wave's lead
    ("SV1 = 2.1 mV, RV5 = 2.6 mV, RaVL 1.2 mV.",
     [("s_mv", "V1", -2.1, None, "affirmed"), ("r_mv", "V5", 2.6, None, "affirmed"),
      ("r_mv", "aVL", 1.2, None, "affirmed")]),
    # a sum's result is the index's, not its last wave's
    ("Cornell: RaVL 10 mm + SV3 14 mm = 24 mm.",
     [("r_mv", "aVL", 1.0, None, "affirmed"), ("s_mv", "V3", -1.4, None, "affirmed")]),
    ("LVH by Cornell (R aVL + S V3 = 30 mm).",
     [("voltage", None, None, "lvh", "affirmed"), ("cornell_mv", None, 3.0, None, "affirmed")]),
    ("Sokolow-Lyon index (S in V1 plus R in V5 or V6) of 41 mm.",
     [("sokolow_lyon_mv", None, 4.1, None, "affirmed")]),
    ("The QTc (Fridericia) is 438 msec and the Bazett-corrected value 452 msec.",
     [("qtc_fridericia_ms", None, 438.0, None, "affirmed"), ("qtc_ms", None, 452.0, None, "affirmed")]),
])
def test_amplitudes_named_by_wave_and_lead_and_their_sums(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    # a finding about a lead outside the twelve claims nothing (without its lead it would be
    # said of the whole ECG and contradict the inferior elevation)
    ("ST elevation in II, III and aVF. There is no ST elevation in V4R.",
     [("st_mv", "II", None, "elevated", "affirmed"), ("st_mv", "III", None, "elevated", "affirmed"),
      ("st_mv", "aVF", None, "elevated", "affirmed")]),
    ("ST depression in V1-V3; posterior leads V7-V9 show ST elevation of 1 mm.",
     [("st_mv", "V1", None, "depressed", "affirmed"), ("st_mv", "V2", None, "depressed", "affirmed"),
      ("st_mv", "V3", None, "depressed", "affirmed")]),
    # a lead of the twelve named beside it keeps its claim
    ("ST elevation in V1 and V4R.", [("st_mv", "V1", None, "elevated", "affirmed")]),
])
def test_leads_outside_the_twelve_claim_nothing(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    # territory names before "ST-T changes", as machine statements write them
    ("Inferior/lateral ST-T changes are nonspecific.",
     [("st_mv", "inferior", None, "normal", "negated"), ("st_mv", "lateral", None, "normal", "negated"),
      ("t_wave", "inferior", None, "normal", "negated"), ("t_wave", "lateral", None, "normal", "negated")]),
    ("Lateral ST-T changes may be due to myocardial ischemia.",
     [("st_mv", "lateral", None, "normal", "negated"), ("t_wave", "lateral", None, "normal", "negated")]),
])
def test_territories_before_st_t_changes(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    # a label's verdict with its verb
    ("**Rhythm:** Looks regular; upright P waves in II.", [("rhythm", None, None, "regular", "affirmed")]),
    ("Rhythm: seems irregular.", [("rhythm", None, None, "irregular", "affirmed")]),
    # "normal axis" glossed with its range is the finding; "the normal axis is ..." defines it
    ("Lead I positive, aVF positive, so normal axis (between 0 and +90 degrees).",
     [("axis_deg", None, None, "normal", "affirmed"), ("axis_deg", None, 45.0, None, "reference")]),
    ("The normal axis is between -30 and +90 degrees.", [("axis_deg", None, 30.0, None, "reference")]),
])
def test_label_verdicts_and_a_normal_finding_glossed_with_its_range(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    # the ST's shape or degree between a number and the keyword it measures
    ("About 1 mm of horizontal ST depression in V5.", [("st_mv", "V5", -0.1, None, "affirmed")]),
    ("1.5 mm of reciprocal ST depression in aVL.", [("st_mv", "aVL", -0.15, None, "affirmed")]),
    ("There's maybe 0.5 mm of upsloping ST depression in V6.", [("st_mv", "V6", -0.05, None, "uncertain")]),
])
def test_a_number_before_a_qualified_st_keyword(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


def test_interval_letters_in_lower_case_before_their_number() -> None:
    claims = extract_claims("quick read: rate 70, pr 172ms, qt 390, qrs 94.")
    assert [(c.quantity, c.value) for c in claims] == [
        ("hr_bpm", 70.0), ("pr_ms", 172.0), ("qt_ms", 390.0), ("qrs_ms", 94.0)]
    assert [(c.quantity, c.value) for c in extract_claims("ecg ok, hr 88.")] == [("hr_bpm", 88.0)]
    assert extract_claims("See you in 1 hr 30 minutes.") == []
    # the letters without a number are no keyword
    assert extract_claims("Her pr team said the qt thing was fine.") == []
