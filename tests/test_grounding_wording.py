"""Everyday and report wordings of findings: each read as the finding it names."""

from __future__ import annotations

from gemeval.metrics.grounding import extract_claims


def test_an_axis_said_to_lie_to_one_side() -> None:
    texts = {"Your heart's electrical axis is a little to the left.": "left",
             "The axis is to the right.": "right",
             "There is a deviation of the heart's electrical axis to the left.": "left",
             "Axis shifted left.": "left"}
    got = {text: [(c.quantity, c.category) for c in extract_claims(text)] for text in texts}
    assert got == {text: [("axis_deg", category)] for text, category in texts.items()}


def test_a_decade_is_a_range_not_seconds() -> None:
    texts = {"Heart rate in the 50s.": ("hr_bpm", 50.0, 59.0),
             "The rate is in the low 80s.": ("hr_bpm", 80.0, 83.0),
             "QTc in the 450s.": ("qtc_ms", 450.0, 459.0)}
    got = {text: [(c.quantity, c.low, c.high) for c in extract_claims(text)] for text in texts}
    assert got == {text: [claim] for text, claim in texts.items()}
    # seconds written onto the number stay seconds
    assert [(c.quantity, c.value) for c in extract_claims("QRS 0.10s.")] == [("qrs_ms", 100.0)]


def test_a_slash_list_after_a_dash() -> None:
    claims = extract_claims("PR/QRS/QTc - 162/92/431 ms; QT/QTcB — 384/428 ms.")
    assert [(c.quantity, c.value) for c in claims] == [
        ("pr_ms", 162.0), ("qrs_ms", 92.0), ("qtc_ms", 431.0), ("qt_ms", 384.0), ("qtc_ms", 428.0)]


def test_a_value_now_after_an_earlier_one_is_this_ecgs() -> None:
    def read(text: str) -> list[tuple]:
        return [(c.quantity, c.value, c.assertion) for c in extract_claims(text)]
    assert read("The QT corrected was 482 ms last month and is now 446 ms.") == [
        ("qtc_ms", 482.0, "hypothetical"), ("qtc_ms", 446.0, "affirmed")]
    assert read("Ventricular rate 124 at triage, now 86 after rate control.") == [
        ("hr_bpm", 124.0, "hypothetical"), ("hr_bpm", 86.0, "affirmed")]
    assert read("His heart rate was 58 bpm yesterday and is 66 bpm now.") == [
        ("hr_bpm", 58.0, "hypothetical"), ("hr_bpm", 66.0, "affirmed")]
    assert read("The PR was 236 ms and is now 4 small squares.") == [("pr_ms", 236.0, "affirmed")]
    # "now" opening another quantity's clause changes nothing
    assert read("The QRS is 88 ms, and now the QT: 396 ms.") == [("qrs_ms", 88.0, "affirmed"),
                                                                ("qt_ms", 396.0, "affirmed")]


def test_a_bare_number_after_a_category_and_at() -> None:
    def read(text: str) -> list[tuple]:
        return [(c.quantity, c.value if c.category is None else c.category) for c in extract_claims(text)]
    assert read("Your pulse rate is a little fast at 104.") == [("hr_bpm", "fast"), ("hr_bpm", 104.0)]
    assert read("QTc mildly prolonged at 472.") == [("qtc_ms", "prolonged"), ("qtc_ms", 472.0)]
    # a word that is no category of the quantity does not join them
    assert read("The heart rate was recorded at 9 am.") == []
    # nor does a paper speed or a count
    assert read("The QRS looks normal at 25 mm/s.") == [("qrs_ms", "normal")]
    assert read("The QTc is prolonged at 2 different heart rates.") == [("qtc_ms", "prolonged")]


def test_a_pronoun_and_its_verb_before_a_number_stand_for_the_quantity_named_last() -> None:
    def read(text: str) -> list[tuple]:
        return [(c.quantity, c.value, c.assertion) for c in extract_claims(text) if c.value is not None]
    assert read("Let's look at your PR interval. It's 0.17 seconds, nicely in range.") == [
        ("pr_ms", 170.0, "affirmed")]
    assert read("A normal resting heart rate is 60 to 100 bpm and you're at 57.") == [
        ("hr_bpm", 80.0, "reference"), ("hr_bpm", 57.0, "affirmed")]
    # a number of another unit, or a keyword between, is not the quantity's
    assert read("Your heart rate is fine. It's 3 mm of ST elevation in V2 that matters.") == [
        ("st_mv", 0.3, "affirmed")]
    assert read("The axis is normal. That is, the QRS is 92 ms.") == [("qrs_ms", 92.0, "affirmed")]
    assert read("How wide is the QRS? It looks like about 0.11 s.") == [("qrs_ms", 110.0, "affirmed")]
    assert read("The QTc was checked twice; it measures 444 ms.") == [("qtc_ms", 444.0, "affirmed")]
    assert read("The QRS complexes look narrow; they measure about 0.09 s.") == [("qrs_ms", 90.0, "affirmed")]
    # an age is no rate
    assert read("Your heart rate is 74. You're 45, so that's expected.") == [("hr_bpm", 74.0, "affirmed")]
    assert read("Your heart rate is 74. It's 45 years since your last ECG.") == [("hr_bpm", 74.0, "affirmed")]
    # a count, a ratio or a strip's length is no duration of the quantity
    assert read("The QTc is 436 ms. It's 10 seconds long, this strip.") == [("qtc_ms", 436.0, "affirmed")]
    assert read("The QTc is 452 ms. It's 2:1 block, though.") == [("qtc_ms", 452.0, "affirmed")]
    assert read("The PR is 212 ms. It is 1 of 2 abnormal findings.") == [("pr_ms", 212.0, "affirmed")]


def test_a_later_sentence_of_a_labelled_line_keeps_the_labels_quantity() -> None:
    text = ("**PR interval:** About 150 ms here. A value over 200 ms would mean first-degree block.\n"
            "**Rhythm:** sinus.")
    assert [(c.quantity, c.value, c.comparator, c.assertion) for c in extract_claims(text)
            if c.value is not None] == [("pr_ms", 150.0, None, "affirmed"), ("pr_ms", 200.0, ">", "hypothetical")]
    # a sentence with a keyword of its own, or a number of another unit, is not the label's
    text = "**QRS duration:** 96 ms. The R wave in V5 measures 2.1 mV and the P wave lasts 100 ms."
    assert [(c.quantity, c.value) for c in extract_claims(text) if c.value is not None] == [
        ("qrs_ms", 96.0), ("r_mv", 2.1)]


def test_values_beyond_a_bound_stand_for_the_quantity_named_last() -> None:
    claims = extract_claims("Your QTc is 452 ms. Values above 470 ms would count as prolonged.")
    assert [(c.quantity, c.value, c.comparator, c.assertion) for c in claims if c.value is not None] == [
        ("qtc_ms", 452.0, None, "affirmed"), ("qtc_ms", 470.0, ">", "hypothetical")]


def test_a_usual_value_after_its_keyword() -> None:
    claims = extract_claims("In 2:1 flutter the ventricular rate is usually 150.")
    assert [(c.quantity, c.value, c.assertion) for c in claims if c.value is not None] == [
        ("hr_bpm", 150.0, "hypothetical")]


def test_casual_normal_ranges_after_a_value() -> None:
    def read(text: str) -> list[tuple]:
        return [(c.quantity, c.low, c.high, c.assertion) for c in extract_claims(text) if c.value is not None][1:]
    assert read("Your heart rate is 66. Somewhere between 60 and 100 is normal.") == [("hr_bpm", 60.0, 100.0, "reference")]
    assert read("Your PR is 0.17 s; normal is 0.12 to 0.20.") == [("pr_ms", 120.0, 200.0, "reference")]
    assert read("Your heart rate is 66, and a healthy resting rate is anywhere from 60 to 100.") == [
        ("hr_bpm", 60.0, 100.0, "reference")]
    # "the upper limit of normal is ..." stays a limit named as such
    claims = extract_claims("QTc 452 ms (upper limit of normal is 460 ms).")
    assert [(c.value, c.comparator, c.assertion) for c in claims] == [(452.0, None, "affirmed"),
                                                                      (460.0, "<=", "reference")]


def test_a_verdict_after_so_or_a_closing_quote_and_after_a_rate_without_keyword() -> None:
    def read(text: str) -> list[tuple]:
        return [(c.quantity, c.value if c.category is None else c.category) for c in extract_claims(text)]
    assert read("QTc 481 ms, so clearly prolonged.") == [("qtc_ms", 481.0), ("qtc_ms", "prolonged")]
    assert read('The printout says "PR 214 ms", which is long.') == [("pr_ms", 214.0), ("pr_ms", "prolonged")]
    assert read("Your heart beats at 47 beats per minute, so quite slow.") == [("hr_bpm", 47.0), ("hr_bpm", "slow")]
    # a category with a noun of its own is the next item's
    assert read("Sinus rhythm at 64 bpm, normal axis.") == [("rhythm", "sinus"), ("hr_bpm", 64.0),
                                                             ("axis_deg", "normal")]


def test_verdicts_of_a_value_against_the_normal_range() -> None:
    def read(text: str) -> list[tuple]:
        return [(c.quantity, c.category, c.assertion) for c in extract_claims(text) if c.category is not None]
    assert read("Your QRS came out at 94 ms, which is within normal.") == [("qrs_ms", "normal", "affirmed")]
    assert read("Your heart rate is 112, well above normal.") == [("hr_bpm", "fast", "affirmed")]
    assert read("Your PR is 104 ms, a little below the normal range.") == [("pr_ms", "short", "affirmed")]
    # below a limit of normal is a bound of this case, no short interval
    claims = extract_claims("Your QTc is 436 ms, which is below the normal limit of 450 ms.")
    assert [(c.value, c.comparator, c.category, c.assertion) for c in claims] == [
        (436.0, None, None, "affirmed"), (450.0, "<", None, "affirmed")]


def test_a_value_dated_long_ago_is_an_earlier_ecgs() -> None:
    def read(text: str) -> list[tuple]:
        return [(c.value, c.assertion) for c in extract_claims(text)]
    assert read("Three years ago her QTc was 438 ms; today it is 489 ms.") == [(438.0, "hypothetical"),
                                                                                (489.0, "affirmed")]
    assert read("In 2019 the heart rate was 64 bpm.") == [(64.0, "hypothetical")]
    assert read("His PR measured 150 ms a few months ago, and now it is 232 ms.") == [(150.0, "hypothetical"),
                                                                                        (232.0, "affirmed")]


def test_an_upper_limit_named_before_its_keyword() -> None:
    claims = extract_claims("Many labs use an upper limit of normal for the PR of 200 ms.")
    assert [(c.quantity, c.comparator, c.value, c.assertion) for c in claims] == [("pr_ms", "<=", 200.0, "reference")]


def test_a_number_sitting_running_or_coming_in_at() -> None:
    def read(text: str) -> list[tuple]:
        return [(c.quantity, c.value) for c in extract_claims(text)]
    assert read("The heart rate hovers around 57.") == [("hr_bpm", 57.0)]
    assert read("Your QTc is up a bit; it's sitting at 462 ms now.") == [("qtc_ms", 462.0)]
    assert read("What about the PR? It comes in at 0.19 s.") == [("pr_ms", 190.0)]


def test_a_rate_high_or_low_and_on_a_side() -> None:
    def read(text: str) -> list[tuple]:
        return [(c.quantity, c.category) for c in extract_claims(text)]
    assert read("Your pulse rate is a little low.") == [("hr_bpm", "slow")]
    assert read("The heart rate is on the fast side.") == [("hr_bpm", "fast")]
    assert read("Your QTc came in slightly long.") == [("qtc_ms", "prolonged")]
    # the high side of normal is normal, no fast rate, and so is a rate "high-normal"
    assert read("The heart rate is on the high side of normal.") == []
    assert read("The heart rate is high-normal.") == []


def test_a_pulse_is_the_heart_rate() -> None:
    def read(text: str) -> list[tuple]:
        return [(c.quantity, c.value) for c in extract_claims(text)]
    assert read("Your pulse came out at 91.") == [("hr_bpm", 91.0)]
    assert read("Pulse oximetry read 97 percent.") == []


def test_the_number_on_the_report_and_a_verdict_after_a_semicolon() -> None:
    def read(text: str) -> list[tuple]:
        return [(c.quantity, c.value if c.category is None else c.category) for c in extract_claims(text)]
    assert read("You asked about the QTc. The number on your printout is 0.47 s.") == [("qtc_ms", 470.0)]
    assert read("Your heart rate was taken twice; your reading was 61.") == [("hr_bpm", 61.0)]
    assert read("Your QRS came out at 96 ms; that is normal.") == [("qrs_ms", 96.0), ("qrs_ms", "normal")]


def test_a_hedged_bare_number_after_its_keyword() -> None:
    claims = extract_claims("The ventricular rate is probably around 140.")
    assert [(c.quantity, c.value, c.assertion) for c in claims] == [("hr_bpm", 140.0, "uncertain")]


def test_a_value_given_as_previously_beside_this_ones() -> None:
    claims = extract_claims("PR 186 ms, previously 228 ms.")
    assert [(c.value, c.assertion) for c in claims] == [(186.0, "affirmed"), (228.0, "hypothetical")]


def test_a_bare_range_or_limit_said_to_be_normal() -> None:
    def read(text: str) -> list[tuple]:
        return [(c.quantity, c.low, c.high, c.assertion) for c in extract_claims(text)]
    assert read("Your heart rate is 57 (60-100 is normal).") == [("hr_bpm", 57.0, 57.0, "affirmed"),
                                                                ("hr_bpm", 60.0, 100.0, "reference")]
    assert read("Your QTc is 441 ms; under 450 is considered normal for men.")[1][1:] == (
        float("-inf"), 450.0, "reference")
    # the range after "is normal" keeps its reading, and a measured value judged normal is this case's
    assert read("The PR interval is normal (120-200 ms).")[1:] == [("pr_ms", 120.0, 200.0, "reference")]
    assert read("The QRS of 92 ms is normal.")[0] == ("qrs_ms", 92.0, 92.0, "affirmed")


def test_a_pronoun_in_a_labelled_line_stands_for_the_labels_quantity() -> None:
    text = ("PR interval: the time from the start of the P wave to the start of the QRS. "
            "Yours is 0.17 seconds.\nQTc: it comes out at about 452 ms.")
    assert [(c.quantity, c.value) for c in extract_claims(text)] == [("pr_ms", 170.0), ("qtc_ms", 452.0)]


def test_just_a_touch_before_a_verdict() -> None:
    claims = extract_claims("Your heart rate is 103, so just a touch fast.")
    assert [(c.quantity, c.value if c.category is None else c.category) for c in claims] == [
        ("hr_bpm", 103.0), ("hr_bpm", "fast")]


def test_a_labelled_lines_later_number_out_of_range_is_not_the_labels() -> None:
    claims = extract_claims("**QRS duration:** 96 ms. The recording lasted 10 s.")
    assert [(c.quantity, c.value) for c in claims] == [("qrs_ms", 96.0)]


def test_a_finding_that_does_not_appear_to_be_there_is_denied() -> None:
    def read(text: str) -> list[tuple]:
        return [(c.quantity, c.lead, c.category, c.assertion) for c in extract_claims(text)]
    assert read("Right bundle branch block does not appear to be present.") == [
        ("qrs_ms", None, "wide", "negated")]
    assert read("ST elevation doesn't seem to be present in V2 or V3.") == [
        ("st_mv", "V2", "elevated", "negated"), ("st_mv", "V3", "elevated", "negated")]
    assert read("Atrial fibrillation does not seem evident.") == [
        ("rhythm", None, "atrial_fibrillation", "negated")]
    # the words before a category: "does not appear to be", "doesn't look"
    assert read("The QRS does not appear to be wide.") == [("qrs_ms", None, "wide", "negated")]
    assert read("The QTc doesn't look long.") == [("qtc_ms", None, "prolonged", "negated")]
    # the number measured "at" stays this ECG's
    claims = extract_claims("The PR interval does not appear prolonged at 180 ms.")
    assert [(c.value if c.category is None else c.category, c.assertion) for c in claims] == [
        ("prolonged", "negated"), (180.0, "affirmed")]
    # "seems to be present" is no denial
    assert read("ST elevation seems to be present in V2.") == [("st_mv", "V2", "elevated", "affirmed")]


def test_a_reading_hedged_by_how_the_grid_was_read_is_uncertain() -> None:
    claims = extract_claims("The PR interval, if I am reading the grid correctly, is roughly 160 ms.")
    assert [(c.quantity, c.value, c.assertion) for c in claims] == [("pr_ms", 160.0, "uncertain")]
    claims = extract_claims("If I'm measuring correctly, the QRS is 130 ms.")
    assert [(c.quantity, c.value, c.assertion) for c in claims] == [("qrs_ms", 130.0, "uncertain")]


def test_a_conclusion_possibly_indicated_is_hedged_and_an_estimate_is_stated() -> None:
    def read(text: str) -> list[tuple]:
        return [(c.quantity, c.value if c.category is None else c.category, c.assertion) for c in extract_claims(text)]
    assert read("Left axis deviation, possibly indicating left anterior fascicular block.") == [
        ("axis_deg", "left", "affirmed"), ("conduction", "lafb", "uncertain")]
    assert read("Left axis deviation, indicating LAFB.") == [
        ("axis_deg", "left", "affirmed"), ("conduction", "lafb", "affirmed")]
    # "I would estimate" gives this tracing's value; "would" makes no condition of it
    assert read("I would estimate the QT at around 400 ms.") == [("qt_ms", 400.0, "affirmed")]
    assert read("I would put the axis at about +60 degrees.") == [("axis_deg", 60.0, "affirmed")]
    assert read("If the QTc were over 500 ms, I would say this is dangerous.") == [
        ("qtc_ms", 500.0, "hypothetical")]


def test_an_underlying_rhythm_that_cannot_be_assessed() -> None:
    def read(text: str) -> list[tuple]:
        return [(c.quantity, c.category, c.assertion) for c in extract_claims(text)]
    assert read("Paced rhythm. Underlying rhythm cannot be assessed.") == [
        ("rhythm", "paced", "affirmed"), ("rhythm", None, "not_assessable")]
    assert read("Rhythm: cannot be determined.") == [("rhythm", None, "not_assessable")]
    # a rhythm with a claim of its own, the rhythm a measurement is made in and a rhythm
    # strip are no such rhythm
    assert read("Sinus rhythm. The QT cannot be measured.") == [
        ("rhythm", "sinus", "affirmed"), ("qt_ms", None, "not_assessable")]
    assert read("I cannot reliably assess the QT interval in this rhythm.") == [("qt_ms", None, "not_assessable")]
    assert read("Heart rate: unable to determine (the rhythm strip is cut off).") == [
        ("hr_bpm", None, "not_assessable")]


def test_a_query_mark_set_off_before_a_word_hedges_and_ends_no_sentence() -> None:
    def read(text: str) -> list[tuple]:
        return [(c.quantity, c.lead, c.category, c.assertion) for c in extract_claims(text)]
    assert read("Q waves III/aVF, ? old IMI.") == [("q_wave", "III", "pathological", "affirmed"),
                                                  ("q_wave", "aVF", "pathological", "affirmed")]
    assert read("HR 112, ? LVH.")[1:] == [("voltage", None, "lvh", "uncertain")]
    # a question's own mark still asks
    assert read("Is the rate fast? No.") == [("hr_bpm", None, "fast", "negated")]


def test_a_ventricular_response_is_the_heart_rate() -> None:
    def read(text: str) -> list[tuple]:
        return [(c.quantity, c.value if c.category is None else c.category) for c in extract_claims(text)]
    # a P-wave keyword before it had taken the number as the P waves' (unchecked)
    assert read("The rhythm is irregular, with an absence of P waves and fibrillatory baseline activity, "
                "indicating atrial fibrillation with an average ventricular response of 96 bpm.") == [
        ("rhythm", "irregular"), ("rhythm", "atrial_fibrillation"), ("hr_bpm", 96.0)]
    assert read("Atrial fibrillation with a ventricular response of 96.") == [
        ("rhythm", "atrial_fibrillation"), ("hr_bpm", 96.0)]
    assert read("AF with rapid ventricular response at 140 bpm.") == [
        ("rhythm", "atrial_fibrillation"), ("hr_bpm", "fast"), ("hr_bpm", 140.0)]


def test_minimal_voltage_criteria_hedge_the_hypertrophy() -> None:
    def read(text: str) -> list[tuple]:
        return [(c.quantity, c.category, c.assertion) for c in extract_claims(text)]
    assert read("Minimal voltage criteria for LVH, may be normal variant.") == [("voltage", "lvh", "uncertain")]
    assert read("Voltage criteria for LVH.") == [("voltage", "lvh", "affirmed")]


def test_axis_deviation_denied_without_a_side() -> None:
    for text in ("Your tracing shows no axis deviation.", "Sinus rhythm without significant axis deviation.",
                 "I can't see any axis deviation on this one."):
        assert [(c.quantity, c.category, c.assertion) for c in extract_claims(text) if c.quantity == "axis_deg"] == [
            ("axis_deg", "left", "negated"), ("axis_deg", "right", "negated")], text
    # named without a side and not denied, it is no claim of either side
    assert extract_claims("Check the leads for axis deviation.") == []


def test_a_dip_in_the_t_wave_is_an_inversion() -> None:
    def read(text: str) -> list[tuple]:
        return [(c.category, c.lead, c.assertion) for c in extract_claims(text) if c.quantity == "t_wave"]
    assert read("I noticed a small T-wave dip in V4.") == [("inverted", "V4", "affirmed")]
    assert read("There's a dip in the T wave in lead aVL.") == [("inverted", "aVL", "affirmed")]
    assert read("The T waves dip below the baseline in V2 and V3.") == [
        ("inverted", "V2", "affirmed"), ("inverted", "V3", "affirmed")]
    assert read("No dip in the T waves anywhere.") == [("inverted", None, "negated")]


def test_a_t_wave_finding_named_before_the_wave_with_of() -> None:
    assert [(c.category, c.lead) for c in extract_claims("There is inversion of the T waves in V1.")] == [
        ("inverted", "V1")]
    assert [(c.category, c.lead) for c in extract_claims("Flattening of the T wave in aVL.")] == [("flat", "aVL")]


def test_a_rate_said_to_be_regular_or_irregular() -> None:
    def read(text: str) -> list[tuple]:
        return [(c.quantity, c.category, c.value) for c in extract_claims(text)]
    assert read("Your heart rate is 66 and regular.") == [("hr_bpm", None, 66.0), ("rhythm", "regular", None)]
    assert read("Pulse 94, irregular.") == [("hr_bpm", None, 94.0), ("rhythm", "irregular", None)]


def test_regular_before_a_noun_after_a_rate_is_no_rhythm() -> None:
    def read(text: str) -> list[tuple]:
        return [(c.quantity, c.lead, c.value, c.category, c.assertion) for c in extract_claims(text)]
    # "regular check-ups", "regular exercise": how often, not the rhythm
    assert read("Your pulse is 70 and regular check-ups are enough.") == [("hr_bpm", None, 70.0, None, "affirmed")]
    assert read("Heart rate 58 and regular exercise explains it.") == [("hr_bpm", None, 58.0, None, "affirmed")]
    # a word that is no noun after it, or the sentence's end, keeps the rhythm
    assert read("The rate is 76 and regular at rest.") == [
        ("hr_bpm", None, 76.0, None, "affirmed"), ("rhythm", None, None, "regular", "affirmed")]
    assert read("Your heart rate is 64 and regular.") == [
        ("hr_bpm", None, 64.0, None, "affirmed"), ("rhythm", None, None, "regular", "affirmed")]


def test_names_written_with_an_en_dash() -> None:
    claims = extract_claims("The Wolff–Parkinson–White pattern combines a short PR and a delta wave.")
    assert [(c.quantity, c.category, c.assertion) for c in claims] == [("pr_ms", "short", "hypothetical")]
    claims = extract_claims("There are nonspecific ST–T changes in V5.")
    assert [(c.quantity, c.category, c.assertion) for c in claims] == [
        ("st_mv", "normal", "negated"), ("t_wave", "normal", "negated")]


def test_a_ventricular_response_said_to_be_controlled() -> None:
    assert [(c.quantity, c.category) for c in extract_claims("In AF here, the ventricular response is controlled.")
            if c.quantity == "hr_bpm"] == [("hr_bpm", "normal")]
    # a time to come is no finding
    assert extract_claims("Repeat the ECG once the rate is controlled.") == []


def test_nothing_here_suggests_denies() -> None:
    for text in ("Nothing here suggests left ventricular hypertrophy.", "Nothing on this ECG suggests LVH."):
        assert [(c.quantity, c.category, c.assertion) for c in extract_claims(text)] == [
            ("voltage", "lvh", "negated")], text


def test_an_answer_set_off_before_its_clause_and_a_labelled_answer() -> None:
    def read(text: str) -> list[tuple]:
        return [(c.quantity, c.value if c.category is None else c.category, c.assertion) for c in extract_claims(text)]
    assert read("No — the axis is normal at +45 degrees.") == [("axis_deg", "normal", "affirmed"),
                                                               ("axis_deg", 45.0, "affirmed")]
    assert read("No - the QRS is narrow.") == [("qrs_ms", "normal", "affirmed")]
    assert read("No ST elevation - the T waves are upright.") == [("st_mv", "elevated", "negated"),
                                                                  ("t_wave", "normal", "affirmed")]
    assert read("Q: Is the PR interval prolonged? A: No, it is 180 ms.") == [
        ("pr_ms", "prolonged", "negated"), ("pr_ms", 180.0, "affirmed")]


def test_where_the_number_is_read_and_how_it_sounds() -> None:
    def read(text: str) -> list[tuple]:
        return [(c.quantity, c.value if c.category is None else c.category, c.assertion) for c in extract_claims(text)]
    # "on this tracing" between the keyword and its number
    assert read("Your heart rate on this tracing is 58, which is a little on the slow side.") == [
        ("hr_bpm", 58.0, "affirmed"), ("hr_bpm", "slow", "affirmed")]
    assert read("The PR on your printout is 0.18.") == [("pr_ms", 180.0, "affirmed")]
    # how a number may sound is no hedge on it; whether it may be the value is
    assert read("That QTc of 452 might sound alarming.") == [("qtc_ms", 452.0, "affirmed")]
    assert read("The QTc might be 452 ms.") == [("qtc_ms", 452.0, "uncertain")]


def test_inside_the_normal_band_is_within_normal_limits() -> None:
    def read(text: str) -> list[tuple]:
        return [(c.quantity, c.value if c.category is None else c.category, c.assertion) for c in extract_claims(text)]
    assert read("The QTc is inside normal limits.") == [("qtc_ms", "normal", "affirmed")]
    assert read("The QRS is within the normal band.") == [("qrs_ms", "normal", "affirmed")]
    assert read("Your axis is -15, still inside the normal band.") == [("axis_deg", -15.0, "affirmed"),
                                                                      ("axis_deg", "normal", "affirmed")]


def test_an_explanation_in_parentheses_after_a_keyword() -> None:
    def read(text: str) -> list[tuple]:
        return [(c.quantity, c.value if c.category is None else c.category, c.assertion) for c in extract_claims(text)]
    # the keywords of the explanation are words of it: the QRS named in it took the PR's 160 ms
    assert read("The PR interval (the time from the start of the P wave to the start of the QRS complex) is "
                "0.16 seconds.") == [("pr_ms", 160.0, "affirmed")]
    assert read("Your QTc (the heart-rate-corrected QT) is 418, well within the healthy range.") == [
        ("qtc_ms", 418.0, "affirmed"), ("qtc_ms", "normal", "affirmed")]
    # a name that is all of the parenthesis is a mention; so is a list going on
    assert read("When it is corrected for heart rate (QTc) and longer than 500 ms, the risk goes up.") == [
        ("qtc_ms", 500.0, "hypothetical")]
    assert read("QRS 96 ms (and QT 380 ms).") == [("qrs_ms", 96.0, "affirmed"), ("qt_ms", 380.0, "affirmed")]


def test_a_rate_judged_low_or_high_after_its_number() -> None:
    def read(text: str) -> list[tuple]:
        return [(c.quantity, c.category) for c in extract_claims(text) if c.category]
    assert read("Your heart rate is 48, which is low.") == [("hr_bpm", "slow")]
    assert read("The rate is 125 bpm, which is high.") == [("hr_bpm", "fast")]
    assert read("The rate is 96, high normal.") == []
    assert read("Your QTc is 470 ms, which is high.") == []  # no category of the QTc's


def test_an_axis_that_shifts_or_can_shift_to_one_side() -> None:
    assert [(c.quantity, c.category) for c in extract_claims("Her axis shifts slightly to the right.")] == [
        ("axis_deg", "right")]
    assert [(c.quantity, c.category) for c in extract_claims("The axis may swing to the left.")] == [
        ("axis_deg", "left")]


def test_a_frequency_adverb_between_the_verb_and_the_category() -> None:
    claims = extract_claims("With a pacemaker, the QRS is usually wide.")
    assert [(c.quantity, c.category, c.assertion) for c in claims if c.quantity == "qrs_ms"] == [
        ("qrs_ms", "wide", "hypothetical")]
    assert [(c.category, c.assertion) for c in extract_claims("The QTc is still prolonged.")] == [
        ("prolonged", "affirmed")]


def test_a_label_then_i_cannot_comment() -> None:
    for text in ("ST segments: I can't comment reliably because of baseline wander.", "The QT: I cannot comment."):
        assert [(c.value, c.category, c.assertion) for c in extract_claims(text)] == [
            (None, None, "not_assessable")], text


def test_a_regular_or_irregular_complex_tachycardia_names_the_rhythm() -> None:
    claims = extract_claims("The tracing shows a regular narrow-complex tachycardia at approximately 160 bpm.")
    assert [(c.quantity, c.category) for c in claims if c.category] == [
        ("rhythm", "regular"), ("qrs_ms", "normal"), ("hr_bpm", "fast")]
    claims = extract_claims("Irregular wide-complex tachycardia at 180 bpm.")
    assert [(c.quantity, c.category) for c in claims if c.category] == [
        ("rhythm", "irregular"), ("qrs_ms", "wide"), ("hr_bpm", "fast")]


def test_a_wave_said_to_be_negative_is_inverted_not_denied() -> None:
    for text in ("The T wave is negative in III.", "T waves in V1-V3 are negative."):
        claims = extract_claims(text)
        assert claims and {(c.quantity, c.category, c.assertion) for c in claims} == {
            ("t_wave", "inverted", "affirmed")}, text
    # criteria said to be negative are not met
    assert [(c.quantity, c.category, c.assertion) for c in extract_claims("LVH criteria are negative.")] == [
        ("voltage", "lvh", "negated")]


def test_a_findings_parenthesis_names_findings() -> None:
    # only an interval's, the rate's or the axis's parenthesis is an explanation of its name
    claims = extract_claims("ST depression (with T wave inversion) in V5 and V6.")
    assert [(c.quantity, c.lead, c.category) for c in claims] == [
        ("st_mv", "V5", "depressed"), ("st_mv", "V6", "depressed"), ("t_wave", "V5", "inverted"),
        ("t_wave", "V6", "inverted")]
    assert ("st_mv", "inferior", "depressed") in [(c.quantity, c.lead, c.category) for c in extract_claims(
        "ST elevation (with reciprocal ST depression in the inferior leads) in V2-V4.")]


def test_a_question_written_with_a_space_before_its_mark_still_asks() -> None:
    claims = extract_claims("Is there ST elevation in V2 ? probably not.")
    assert [(c.lead, c.category, c.assertion) for c in claims] == [("V2", "elevated", "negated")]
    # a query opening the text is a hedge
    assert [(c.category, c.assertion) for c in extract_claims("? LVH.")] == [("lvh", "uncertain")]


def test_a_denied_predicate_ends_before_the_next_findings_clause() -> None:
    for text in ("The QRS is not wide and T waves are upright.", "QRS not wide, T waves upright."):
        assert [(c.quantity, c.category, c.assertion) for c in extract_claims(text)] == [
            ("qrs_ms", "wide", "negated"), ("t_wave", "normal", "affirmed")], text
    # a denial that lists its words still reaches them all
    assert [(c.category, c.assertion) for c in extract_claims("The ST segments are not elevated or depressed.")] == [
        ("elevated", "negated"), ("depressed", "negated")]


def test_nice_and_narrow_and_a_finding_that_can_be_normal() -> None:
    claims = extract_claims("The report lists your QRS as 0.08 seconds - that's nice and narrow.")
    assert [(c.quantity, c.value if c.category is None else c.category) for c in claims] == [
        ("qrs_ms", 80.0), ("qrs_ms", "normal")]
    # "which on its own can be normal" comments on the finding: no normal T wave of its own
    claims = extract_claims("The T waves are flipped in leads III and aVF, which on its own can be normal.")
    assert [(c.lead, c.category, c.assertion) for c in claims] == [("III", "inverted", "affirmed"),
                                                                  ("aVF", "inverted", "affirmed")]
