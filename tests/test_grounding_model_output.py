"""How language models phrase findings about the ECG in front of them: descriptive
participles ("..., characterised by ..."), diagnoses they "support", "key features" of this
tracing, asides about a lead, examples of stated changes. Each rule is read next to the
generic wording it must still tell apart (definitions, criteria, textbook lists). The
sentences are written for these tests."""

from __future__ import annotations

import pytest

from gemeval.metrics.grounding import extract_claims


def _claims(text: str) -> list[tuple]:
    """(quantity, lead, value or category, assertion) of every claim, in text order."""
    return [(c.quantity, c.lead, c.category if c.value is None else c.value, c.assertion)
            for c in extract_claims(text)]


@pytest.mark.parametrize("text, expected", [
    # a participle after this ECG's finding describes it
    ("The strip shows atrial fibrillation, characterised by an irregularly irregular ventricular response.",
     [("rhythm", None, "atrial_fibrillation", "affirmed"), ("rhythm", None, "irregular", "affirmed")]),
    # "X is characterised by" defines X
    ("Left bundle branch block is characterised by a QRS of 120 ms or more.",
     [("qrs_ms", None, "wide", "hypothetical"), ("qrs_ms", None, 120.0, "hypothetical")]),
])
def test_characterised_by_describes_a_finding_and_defines_a_condition(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Taken together, these features support a diagnosis of sinus tachycardia.",
     [("rhythm", None, "sinus", "affirmed"), ("hr_bpm", None, "fast", "affirmed")]),
    ("The criteria for the diagnosis of left ventricular hypertrophy are met only in part.",
     [("voltage", None, "lvh", "hypothetical")]),
    ("Left posterior fascicular block is a diagnosis of exclusion.",
     [("conduction", None, "lpfb", "hypothetical")]),
])
def test_a_diagnosis_the_findings_support_is_this_ecgs(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Several key features stand out on this tracing, including a QRS of 132 ms.",
     [("qrs_ms", None, 132.0, "affirmed")]),
    ("Key features of LBBB are a broad QRS and a notched R wave in V6.",
     [("qrs_ms", None, "wide", "hypothetical")]),
    # the finding is this ECG's; what it is a hallmark of is named generically
    ("The QRS is broad, a hallmark of bundle branch block.",
     [("qrs_ms", None, "wide", "affirmed"), ("qrs_ms", None, "wide", "hypothetical")]),
])
def test_key_features_and_hallmarks(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


def test_an_aside_about_a_lead_leaves_its_finding_alone() -> None:
    assert _claims("Lead aVR, often used to judge global ischaemia, shows no ST elevation.") == [
        ("st_mv", "aVR", "elevated", "negated")]


@pytest.mark.parametrize("text, expected", [
    ("There are ST-T changes in the lateral leads, such as T-wave inversion in V5.",
     [("st_mv", "lateral", "normal", "negated"), ("t_wave", "lateral", "normal", "negated"),
      ("t_wave", "V5", "inverted", "affirmed")]),
    ("I see no conduction abnormalities such as a bundle branch block.",
     [("qrs_ms", None, "wide", "negated")]),
    # a list of conditions is generic
    ("Left axis deviation may accompany conditions such as left ventricular hypertrophy.",
     [("axis_deg", None, "left", "uncertain"), ("voltage", None, "lvh", "hypothetical")]),
])
def test_examples_of_stated_changes_take_their_status(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    # a territory written out after "particularly": the listed leads
    ("The inferior leads, particularly II and aVF, show ST-T changes.",
     [("st_mv", "II", "normal", "negated"), ("st_mv", "aVF", "normal", "negated"),
      ("t_wave", "II", "normal", "negated"), ("t_wave", "aVF", "normal", "negated")]),
    # a list of territories before one "leads": one claim each
    ("This tracing has ST-T changes in the septal, anterior, and lateral leads.",
     [("st_mv", "septal", "normal", "negated"), ("st_mv", "anterior", "normal", "negated"),
      ("st_mv", "lateral", "normal", "negated"), ("t_wave", "septal", "normal", "negated"),
      ("t_wave", "anterior", "normal", "negated"), ("t_wave", "lateral", "normal", "negated")]),
    # the leads the sentence opens with hold for a finding in a later clause
    ("In the inferior leads (II, III and aVF), the QRS is narrow, and there is no ST depression.",
     [("qrs_ms", None, "normal", "affirmed"), ("st_mv", "II", "depressed", "negated"),
      ("st_mv", "III", "depressed", "negated"), ("st_mv", "aVF", "depressed", "negated")]),
    ("In lead V2, the R wave is small and there are no ST-T changes.",
     [("st_mv", "V2", "normal", "affirmed"), ("t_wave", "V2", "normal", "affirmed")]),
    # two findings joined by "and" after their leads share them
    ("Leads V1 to V3 display ST elevation and T-wave inversion.",
     [("st_mv", "V1", "elevated", "affirmed"), ("st_mv", "V2", "elevated", "affirmed"),
      ("st_mv", "V3", "elevated", "affirmed"), ("t_wave", "V1", "inverted", "affirmed"),
      ("t_wave", "V2", "inverted", "affirmed"), ("t_wave", "V3", "inverted", "affirmed")]),
])
def test_leads_written_the_way_model_answers_write_them(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


def test_a_negation_whose_last_word_opens_the_finding_denies_it() -> None:
    assert _claims("Leads III and aVF show no significant Q waves.") == [
        ("q_wave", "III", "pathological", "negated"), ("q_wave", "aVF", "pathological", "negated")]


@pytest.mark.parametrize("text, expected", [
    # the conclusion drawn from a finding names it again: a statement of its own
    ("Lead V1 shows a broad QRS complex, which is consistent with a right bundle branch block.",
     [("qrs_ms", None, "wide", "affirmed"), ("qrs_ms", None, "wide", "affirmed")]),
    ("The QRS is broadened, further supporting a bundle branch block.",
     [("qrs_ms", None, "wide", "affirmed"), ("qrs_ms", None, "wide", "affirmed")]),
    # a clause that only names the finding is the same statement
    ("Her PR of 230 ms is on the long side, which is what people call first-degree AV block.",
     [("pr_ms", None, 230.0, "affirmed"), ("pr_ms", None, "prolonged", "affirmed")]),
])
def test_a_finding_restated_as_a_conclusion_counts_again(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Your heart rate on this recording is 74 bpm, which is within the usual resting range.",
     [("hr_bpm", None, 74.0, "affirmed"), ("hr_bpm", None, "normal", "affirmed")]),
    ("The heart rate came out at 81 beats per minute, which is within a typical range.",
     [("hr_bpm", None, 81.0, "affirmed"), ("hr_bpm", None, "normal", "affirmed")]),
    ("The QTc measures 428 ms, which is generally within the normal range.",
     [("qtc_ms", None, 428.0, "affirmed"), ("qtc_ms", None, "normal", "affirmed")]),
    ("Your rate is about 64 beats per minute, which is a normal speed.",
     [("hr_bpm", None, 64.0, "affirmed"), ("hr_bpm", None, "normal", "affirmed")]),
    # a range with no word for normal is no category
    ("The ventricular rate lies within the range of 110-130 bpm.",
     [("hr_bpm", None, 120.0, "affirmed")]),
])
def test_normal_ranges_in_plain_words(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


def test_a_list_closed_by_all_of_which_are_normal() -> None:
    assert _claims("PR is 150 ms, QRS is 92 ms and QTc is 410 ms, all of which are also within normal limits.") == [
        ("pr_ms", None, 150.0, "affirmed"), ("qrs_ms", None, 92.0, "affirmed"), ("qtc_ms", None, 410.0, "affirmed"),
        ("pr_ms", None, "normal", "affirmed"), ("qrs_ms", None, "normal", "affirmed"),
        ("qtc_ms", None, "normal", "affirmed")]


@pytest.mark.parametrize("text, expected", [
    ("A QRS of 150 ms is wider than usual.", [("qrs_ms", None, 150.0, "affirmed"), ("qrs_ms", None, "wide", "affirmed")]),
    ("Your PR of 250 ms is longer than the normal adult range.",
     [("pr_ms", None, 250.0, "affirmed"), ("pr_ms", None, "prolonged", "affirmed")]),
    # compared with a cut-off, the number is a bound and the category is left to the words after it
    ("The QTc of 471 ms is a little longer than the usual cutoff of 460 ms.",
     [("qtc_ms", None, 471.0, "affirmed"), ("qtc_ms", None, 460.0, "affirmed")]),
])
def test_longer_or_wider_than_usual(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("The QRS duration was not available from this recording.", [("qrs_ms", None, None, "not_assessable")]),
    ("I am unable to provide a specific measurement for the PR interval here.",
     [("pr_ms", None, None, "not_assessable")]),
    ("Unfortunately I cannot give you the QTc from this strip.", [("qtc_ms", None, None, "not_assessable")]),
])
def test_a_value_the_answer_cannot_give_is_not_assessable(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    # the lead a duration was read in, between the keyword and its predicate
    ("The QRS duration in lead II is prolonged.", [("qrs_ms", None, "wide", "affirmed")]),
    # a usual value glossed in parentheses is a normal limit ...
    ("The PR is 150 ms (within normal limits, typically under 200 ms).",
     [("pr_ms", None, 150.0, "affirmed"), ("pr_ms", None, "normal", "affirmed"), ("pr_ms", None, 200.0, "reference")]),
    # ... a usual value of a condition is a generic statement
    ("In untreated atrial fibrillation the ventricular rate is typically 110-160 bpm.",
     [("rhythm", None, "atrial_fibrillation", "hypothetical"), ("hr_bpm", None, 135.0, "hypothetical")]),
    ("There are ST-T changes in V5 and V6, as expected with a bundle branch block.",
     [("st_mv", "V5", "normal", "negated"), ("st_mv", "V6", "normal", "negated"),
      ("t_wave", "V5", "normal", "negated"), ("t_wave", "V6", "normal", "negated"),
      ("qrs_ms", None, "wide", "hypothetical")]),
    ("In summary, the tracing is characterised by sinus rhythm with a left axis deviation.",
     [("rhythm", None, "sinus", "affirmed"), ("axis_deg", None, "left", "affirmed")]),
])
def test_glosses_and_descriptions_of_this_tracing(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("The ST segment and T waves show abnormalities in the inferior leads.",
     [("st_mv", "inferior", "normal", "negated"), ("t_wave", "inferior", "normal", "negated")]),
    ("In lead V4, the ST segment and T wave morphology show no significant deviations.",
     [("st_mv", "V4", "normal", "affirmed"), ("t_wave", "V4", "normal", "affirmed")]),
    # "normally" says how ST segments behave, not that these are normal
    ("With a pacemaker the ST segments normally point away from the QRS.", []),
])
def test_st_segment_and_t_wave_named_together(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("The tracing shows sinus rhythm with a regular heartbeat.",
     [("rhythm", None, "sinus", "affirmed"), ("rhythm", None, "regular", "affirmed")]),
    ("Atrial fibrillation is present, giving an irregular heart rhythm.",
     [("rhythm", None, "atrial_fibrillation", "affirmed"), ("rhythm", None, "irregular", "affirmed")]),
    ("The rhythm appears to be regular.", [("rhythm", None, "regular", "affirmed")]),
    ("The heart rate is elevated at 118 bpm.", [("hr_bpm", None, "fast", "affirmed"), ("hr_bpm", None, 118.0, "affirmed")]),
])
def test_rhythm_and_rate_in_everyday_words(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    # labels a tool returned, quoted in the answer
    ("The classifier returned 'SR' and 'AFIB'.",
     [("rhythm", None, "sinus", "affirmed"), ("rhythm", None, "atrial_fibrillation", "affirmed")]),
    ("The printout lists 'PR 152' and 'QRS 96'.", [("pr_ms", None, 152.0, "affirmed"), ("qrs_ms", None, 96.0, "affirmed")]),
    # an apostrophe inside a word starts none
    ("It's a first-degree AV block.", [("pr_ms", None, "prolonged", "affirmed")]),
    # the abbreviation in parentheses inside the name
    ("This is a first-degree atrioventricular (AV) block.", [("pr_ms", None, "prolonged", "affirmed")]),
])
def test_quoted_labels_and_abbreviations_inside_a_name(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Axis: QRS Axis: 64 degrees. P Axis: 55 degrees. T Axis: 41 degrees.", [("axis_deg", None, 64.0, "affirmed")]),
    ("No evidence of left or right ventricular hypertrophy.", [("voltage", None, "lvh", "negated")]),
    ("PR: 168 ms (within normal range: 120-200 ms).",
     [("pr_ms", None, 168.0, "affirmed"), ("pr_ms", None, "normal", "affirmed"), ("pr_ms", None, 160.0, "reference")]),
    # a label before a colon in parentheses is a reference, no category
    ("PR: 168 ms (normal: 120-200 ms).", [("pr_ms", None, 168.0, "affirmed"), ("pr_ms", None, 160.0, "reference")]),
])
def test_report_layouts_of_gpt_style_answers(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Your heart rate is in the normal range.", [("hr_bpm", None, "normal", "affirmed")]),
    ("I said your heart rate was in a typical resting range.", [("hr_bpm", None, "normal", "affirmed")]),
    ("The heart rate was 71 bpm, so it wasn't too slow or too fast.",
     [("hr_bpm", None, 71.0, "affirmed"), ("hr_bpm", None, "normal", "affirmed")]),
    ("This is atrial fibrillation with a controlled rate.",
     [("rhythm", None, "atrial_fibrillation", "affirmed"), ("hr_bpm", None, "normal", "affirmed")]),
])
def test_normal_rate_in_chat_words(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Leads II and III show abnormalities in the ST segments and T waves.",
     [("st_mv", "II", "normal", "negated"), ("st_mv", "III", "normal", "negated"),
      ("t_wave", "II", "normal", "negated"), ("t_wave", "III", "normal", "negated")]),
    # what this ECG shows of a condition is its own finding; the features of one, generic
    ("Lead V1 demonstrates the classic features of RBBB.", [("qrs_ms", None, "wide", "affirmed")]),
    ("The classic features of RBBB include a broad terminal S wave in lead I.", [("qrs_ms", None, "wide", "hypothetical")]),
])
def test_changes_in_and_features_of(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    # a rate judged in the next sentence
    ("Your heart rate is about 64 bpm. That's within the normal resting range.",
     [("hr_bpm", None, 64.0, "affirmed"), ("hr_bpm", None, "normal", "affirmed")]),
    ("The rate is 96 beats per minute. That is not too fast for an adult.",
     [("hr_bpm", None, 96.0, "affirmed"), ("hr_bpm", None, "fast", "negated")]),
    ("A QRS of 104 ms, which is not wide.", [("qrs_ms", None, 104.0, "affirmed"), ("qrs_ms", None, "wide", "negated")]),
    # the next sentence about something else takes nothing
    ("The rate is 58 bpm. It is a sinus rhythm.", [("hr_bpm", None, 58.0, "affirmed"), ("rhythm", None, "sinus", "affirmed")]),
])
def test_a_value_judged_right_after_it(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("This prolongation may be indicative of a first-degree AV block.", [("pr_ms", None, "prolonged", "uncertain")]),
    ("The broad QRS could be indicative of a left bundle branch block.",
     [("qrs_ms", None, "wide", "affirmed"), ("qrs_ms", None, "wide", "uncertain")]),
    ("There are no bundle branch blocks.", [("qrs_ms", None, "wide", "negated")]),
])
def test_may_be_indicative_of_hedges_what_follows(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    # the examples of changes take the changes' leads
    ("Leads V4 to V6 show ST-T changes, such as ST depression and T-wave inversion.",
     [*[("st_mv", lead, "normal", "negated") for lead in ("V4", "V5", "V6")],
      *[("t_wave", lead, "normal", "negated") for lead in ("V4", "V5", "V6")],
      *[("st_mv", lead, "depressed", "affirmed") for lead in ("V4", "V5", "V6")],
      *[("t_wave", lead, "inverted", "affirmed") for lead in ("V4", "V5", "V6")]]),
    # what the findings suggest is unlikely is denied
    ("The narrow QRS suggests that a bundle branch block is unlikely.",
     [("qrs_ms", None, "normal", "affirmed"), ("qrs_ms", None, "wide", "negated")]),
    ("The QRS pattern suggests a right bundle branch block.", [("qrs_ms", None, "wide", "uncertain")]),
])
def test_examples_take_leads_and_suggested_unlikely_is_denied(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("The PR interval is outside the usual range.", [("pr_ms", None, "normal", "negated")]),
    ("The QTc of 486 ms is outside the normal range.",
     [("qtc_ms", None, 486.0, "affirmed"), ("qtc_ms", None, "normal", "negated")]),
])
def test_outside_the_usual_range_is_not_normal(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    # the wave is denied, the finding after "and" stated
    ("This is atrial fibrillation, with an absence of P waves and irregular RR intervals.",
     [("rhythm", None, "atrial_fibrillation", "affirmed"), ("rhythm", None, "irregular", "affirmed")]),
    ("No delta waves and a normal PR interval.", [("pr_ms", None, "normal", "affirmed")]),
    # a denied finding still denies the next one
    ("No ST elevation and T-wave inversion.", [("st_mv", None, "elevated", "negated"), ("t_wave", None, "inverted", "negated")]),
])
def test_a_denied_wave_before_and_leaves_the_next_finding_stated(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("The key features of this ECG are sinus rhythm and a left axis deviation.",
     [("rhythm", None, "sinus", "affirmed"), ("axis_deg", None, "left", "affirmed")]),
    ("The hallmark of this tracing is atrial fibrillation.", [("rhythm", None, "atrial_fibrillation", "affirmed")]),
])
def test_the_features_of_this_tracing_are_its_findings(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected
