"""Numbers as reports and answers write them: an ordinal is no range end, an angle alone
is the axis, "past" a limit is beyond it."""

from __future__ import annotations

from gemeval.metrics.grounding import extract_claims


def _read(text: str) -> list[tuple]:
    return [(c.quantity, c.category, c.comparator, c.value, c.assertion) for c in extract_claims(text)]


def test_an_ordinal_after_a_dash_ends_no_range() -> None:
    assert _read("PR 0.24 - 1st degree AVB.") == [
        ("pr_ms", None, None, 240.0, "affirmed"), ("pr_ms", "prolonged", None, None, "affirmed")]
    assert _read("QRS 90-100 ms.") == [("qrs_ms", None, "range", 95.0, "affirmed")]


def test_an_angle_with_no_keyword_is_the_axis() -> None:
    assert _read("LAD -55°, LAFB.") == [
        ("axis_deg", "left", None, None, "affirmed"), ("axis_deg", None, None, -55.0, "affirmed"),
        ("conduction", "lafb", None, None, "affirmed")]
    assert _read("Is it normal? Yes, about +75 degrees.") == [("axis_deg", None, None, 75.0, "affirmed")]
    # another wave's axis is not the QRS axis, nor is an angle past a half turn
    assert _read("The T axis is 40°.") == []
    assert _read("Rotated 270 degrees.") == []


def test_past_a_limit_is_beyond_it() -> None:
    assert _read("The QTc is just past 500 ms.") == [("qtc_ms", None, ">", 500.0, "affirmed")]
    claims = extract_claims("Your axis is -34 degrees, a little past the -30 degree cut-off.")
    assert [(c.value, c.comparator) for c in claims if c.quantity == "axis_deg"] == [(-34.0, None), (-30.0, "<")]


def test_a_slash_pair_or_list_after_measure() -> None:
    assert _read("The QT/QTc intervals measure 392/441 ms.") == [
        ("qt_ms", None, None, 392.0, "affirmed"), ("qtc_ms", None, None, 441.0, "affirmed")]
    assert _read("PR/QRS measured 150/96 ms.") == [
        ("pr_ms", None, None, 150.0, "affirmed"), ("qrs_ms", None, None, 96.0, "affirmed")]


def test_a_bare_number_after_looks_or_seems_to_be() -> None:
    assert [(c.quantity, c.low, c.high) for c in extract_claims("The rate looks to be in the 60s.")] == [
        ("hr_bpm", 60.0, 69.0)]
    assert [(c.quantity, c.value) for c in extract_claims("Ventricular rate seems to be about 140.")] == [
        ("hr_bpm", 140.0)]


def test_a_value_corrected_after_not_is_read_and_denied() -> None:
    assert _read("My mistake: the QRS is 96 ms, not 136 ms.") == [
        ("qrs_ms", None, None, 96.0, "affirmed"), ("qrs_ms", None, None, 136.0, "negated")]
    assert _read("The QTc is 452 ms, not 482.") == [
        ("qtc_ms", None, None, 452.0, "affirmed"), ("qtc_ms", None, None, 482.0, "negated")]


def test_a_voltage_sum_written_with_in() -> None:
    assert _read("LVH by voltage (S in V1 + R in V5 = 41 mm).") == [
        ("voltage", "lvh", None, None, "affirmed"), ("sokolow_lyon_mv", None, None, 4.1, "affirmed")]
    assert _read("R in aVL + S in V3 = 24 mm.") == [("cornell_mv", None, None, 2.4, "affirmed")]
    # two waves each with its own value are no sum
    assert [c.quantity for c in extract_claims("S in V1 is 1.1 mV and R in V5 is 2.2 mV.")] == ["s_mv", "r_mv"]


def test_thresholds_in_the_plural_are_limits() -> None:
    assert _read("QTc cut-offs are 450 ms in men.") == [("qtc_ms", None, None, 450.0, "reference")]


def test_a_finding_glossed_with_its_range_in_bold_markup() -> None:
    assert _read("Axis: **normal axis** (-30° to +90°).") == [
        ("axis_deg", "normal", None, None, "affirmed"), ("axis_deg", None, "range", 30.0, "reference")]


def test_a_number_after_a_denied_word_and_at_is_measured() -> None:
    assert _read("The PR isn't prolonged at 176 ms.") == [
        ("pr_ms", "prolonged", None, None, "negated"), ("pr_ms", None, None, 176.0, "affirmed")]
    # a bound after the denial stays denied
    assert [c.assertion for c in extract_claims("There is no ST elevation of 2 mm or more.")] == ["negated"]


def test_a_rhythm_said_not_to_be_irregular() -> None:
    assert _read("The rhythm is not irregular.") == [("rhythm", "irregular", None, None, "negated")]


def test_clinician_shorthand_nl_and_at_sign() -> None:
    assert _read("NSR @ 64; nl axis.") == [
        ("rhythm", "sinus", None, None, "affirmed"), ("hr_bpm", "normal", None, None, "affirmed"),
        ("hr_bpm", None, None, 64.0, "affirmed"), ("axis_deg", "normal", None, None, "affirmed")]
    assert [(c.quantity, c.category) for c in extract_claims("SR, nl intervals.")][1:] == [
        ("pr_ms", "normal"), ("qrs_ms", "normal"), ("qtc_ms", "normal")]
    # "nl" before a range is the normal range
    assert [(c.value, c.assertion) for c in extract_claims("PR 176 ms (nl 120-200 ms).")] == [
        (176.0, "affirmed"), (160.0, "reference")]


def test_right_in_the_middle_of_the_normal_range() -> None:
    for text in ("Your heart rate is 71 - that's right in the healthy range.",
                 "Your heart rate is 71, right in the middle of the normal range."):
        assert [(c.quantity, c.category, c.value) for c in extract_claims(text)] == [
            ("hr_bpm", None, 71.0), ("hr_bpm", "normal", None)]


def test_minus_written_as_a_word_is_the_sign() -> None:
    assert _read("The axis is about minus 45 degrees.") == [("axis_deg", None, None, -45.0, "affirmed")]


def test_a_range_with_its_signs_spelled_out() -> None:
    def ranges(text: str) -> list[tuple]:
        return [(c.quantity, c.low, c.high) for c in extract_claims(text) if c.comparator == "range"]
    assert ranges("Her axis sits between minus 30 and plus 90 degrees.") == [("axis_deg", -30.0, 90.0)]
    assert ranges("The axis runs from minus 15 to plus 75 degrees.") == [("axis_deg", -15.0, 75.0)]
    assert ranges("His axis is between plus 20 and minus 40 degrees.") == [("axis_deg", -40.0, 20.0)]


def test_the_cornell_sum_written_in_words() -> None:
    assert _read("Adding the R wave in aVL to the S wave in V3 gives 3.1 mV.") == [
        ("cornell_mv", None, None, 3.1, "affirmed")]
    assert _read("Here the sum of R in aVL and S in V3 is 22 mm.") == [("cornell_mv", None, None, 2.2, "affirmed")]
    # a threshold after the sum is the sum's, not the S wave's
    assert [c.quantity for c in extract_claims("Cornell adds R in aVL to S in V3, with a threshold of 2.8 mV.")] == [
        "cornell_mv"]


def test_a_voltage_sums_threshold_is_a_criterion() -> None:
    # LVH is called above a voltage sum's threshold: a bound from below, hypothetical
    assert _read("The Sokolow-Lyon threshold is 3.5 mV.") == [("sokolow_lyon_mv", None, ">", 3.5, "hypothetical")]
    assert _read("For Cornell, the cut-off is 2.8 mV.") == [("cornell_mv", None, ">", 2.8, "hypothetical")]
    # a normal value is a bound from above; this ECG's sum compared with the threshold is affirmed
    assert _read("A normal Sokolow-Lyon index is below 3.5 mV.") == [("sokolow_lyon_mv", None, "<", 3.5, "reference")]
    assert _read("The Sokolow-Lyon index is 3.9 mV, above the 3.5 mV threshold.") == [
        ("sokolow_lyon_mv", None, None, 3.9, "affirmed"), ("sokolow_lyon_mv", None, ">", 3.5, "affirmed")]


def test_a_limit_for_each_group_of_people() -> None:
    assert _read("QTc cut-offs are 450 ms in men and 470 ms in women.") == [
        ("qtc_ms", None, None, 450.0, "reference"), ("qtc_ms", None, None, 470.0, "reference")]
    assert _read("A QTc over 440 ms for men, 460 ms for women, counts as long.") == [
        ("qtc_ms", None, ">", 440.0, "hypothetical"), ("qtc_ms", None, ">", 460.0, "hypothetical")]
    assert _read("Cornell adds R in aVL to S in V3, with thresholds of 2.8 mV in men and 2.0 mV in women.") == [
        ("cornell_mv", None, ">", 2.8, "hypothetical"), ("cornell_mv", None, ">", 2.0, "hypothetical")]


def test_a_number_for_one_group_of_people_that_is_no_limit_passes_nothing_on() -> None:
    # the women's number is no reading of this ECG and no limit: only the patient's is kept
    assert _read("Typical QTc 440 ms in men and 455 ms in women; the QTc here is 448 ms.") == [
        ("qtc_ms", None, None, 440.0, "hypothetical"), ("qtc_ms", None, None, 448.0, "affirmed")]


def test_what_a_value_rarely_passes_bounds_it_from_the_other_side() -> None:
    assert _read("In pericarditis the ST elevation rarely exceeds 5 mm.") == [("st_mv", None, "<=", 0.5, "hypothetical")]
    assert _read("In trained athletes the resting rate seldom falls below 35 bpm.") == [
        ("hr_bpm", None, ">=", 35.0, "hypothetical")]
    assert _read("The QTc exceeds 500 ms.") == [("qtc_ms", None, ">", 500.0, "affirmed")]


def test_a_change_by_an_amount_is_no_value() -> None:
    assert _read("In pregnancy the heart rate typically rises by 10-20 beats per minute.") == []
    assert _read("Your QTc has shortened by 30 ms and is now 440 ms.") == [("qtc_ms", None, None, 440.0, "affirmed")]
    # a finding's own amount is its value
    assert _read("ST segments elevated by 2 mm in V2.") == [("st_mv", None, None, 0.2, "affirmed")]


def test_a_voltage_sum_given_in_parentheses_after_its_name() -> None:
    def read(text: str) -> list[tuple]:
        return [(c.quantity, c.value if c.category is None else c.category, c.assertion) for c in extract_claims(text)]
    # the parenthesis holds the sum's value: no definition of the name to skip
    assert read("No evidence of LVH by Sokolow-Lyon (SV1 + RV5 ≈ 28 mm).") == [
        ("voltage", "lvh", "negated"), ("sokolow_lyon_mv", 2.8, "affirmed")]
    assert read("Cornell (RaVL + SV3 ≈ 2.4 mV).") == [("cornell_mv", 2.4, "affirmed")]
    # a definition in parentheses is still skipped to the value after it
    assert read("Sokolow-Lyon (SV1 + RV5) 3.2 mV.") == [("sokolow_lyon_mv", 3.2, "affirmed")]


def test_a_bare_range_from_to_after_its_keyword() -> None:
    def read(text: str) -> list[tuple]:
        return [(c.quantity, c.low, c.high, c.assertion) for c in extract_claims(text)]
    assert read("A rate from 60 to 100 is normal.") == [("hr_bpm", 60.0, 100.0, "reference")]
    assert read("Your rate from 72 to 88 during the recording.") == [("hr_bpm", 72.0, 88.0, "affirmed")]


def test_a_spelled_sign_before_a_written_one_keeps_the_written_one() -> None:
    # "minus -30" had made "--30" and lost every claim of the text to a ValueError
    assert [(c.quantity, c.value) for c in extract_claims("The axis is minus -30 degrees. PR 160 ms.")] == [
        ("axis_deg", -30.0), ("pr_ms", 160.0)]
    assert [(c.quantity, c.value) for c in extract_claims("Axis of minus +90 degrees.")] == [("axis_deg", 90.0)]


def test_a_change_by_an_amount_to_a_value_keeps_the_value() -> None:
    for text, quantity, value in (("The QTc has lengthened by 40 ms to 490 ms.", "qtc_ms", 490.0),
                                  ("The heart rate went up by 30 bpm to 110 bpm.", "hr_bpm", 110.0),
                                  ("The QTc has prolonged by 40 ms to 490 ms.", "qtc_ms", 490.0)):
        assert [(c.quantity, c.value) for c in extract_claims(text)] == [(quantity, value)], text
    # the amount alone is no value
    assert extract_claims("The heart rate rises by 10-20 beats per minute.") == []
