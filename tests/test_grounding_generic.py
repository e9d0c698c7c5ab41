"""Rules, criteria, advice and risks as model answers and teaching texts write them: each is
hypothetical, not a finding of the ECG at hand; the findings of the case beside them stay
affirmed."""

from __future__ import annotations

import pytest

from gemeval.metrics.grounding import extract_claims


def _statuses(text: str) -> set[str]:
    return {c.assertion for c in extract_claims(text)}


def _rows(text: str) -> list[tuple[str, str | None, float | None, str | None, str]]:
    return [(c.quantity, c.lead, c.value, c.category, c.assertion) for c in extract_claims(text)]


@pytest.mark.parametrize("text", [
    "If the QTc goes above 500 ms, the risk of torsades rises sharply.",
    "ST elevation of at least 1 mm in two contiguous leads would meet the criteria for STEMI.",
    "Watch for bradycardia below 40 bpm after the beta blocker is started.",
    "Should the rate exceed 150 bpm, consider atrial flutter with 2:1 block.",
    "Atrial fibrillation would give an irregularly irregular rhythm without P waves.",
    "To diagnose first-degree AV block, the PR must exceed 200 ms.",
    "Before starting sotalol, make sure the QTc is below 450 ms.",
    "Sinus tachycardia rarely exceeds 220 minus the age.",
    "Digoxin effect may cause ST depression with a scooped shape.",
    # definitions and conditional categories
    "An ST elevation of 1 mm or more in two contiguous limb leads suggests an acute MI.",
    "Q waves are pathological if they are wider than 40 ms.",
    "Bradycardia is a heart rate below 60 bpm.",
    "Tachycardia means a rate over 100 bpm.",
    # where a finding occurs in general
    "Peaked T waves are seen in hyperkalaemia.",
    "ST depression occurs in subendocardial ischaemia.",
    "First-degree AV block may be seen in athletes.",
    "A prolonged QT interval predisposes to torsades de pointes.",
])
def test_rules_advice_and_risks_are_hypothetical(text: str) -> None:
    assert _statuses(text) == {"hypothetical"}


@pytest.mark.parametrize("text", [
    "The PR measures 214 ms, so there is first-degree AV block.",
    "The QTc is 438 ms, well below the 500 ms that raises the risk of torsades.",
    "Sinus tachycardia at 118 bpm.",
])
def test_the_case_beside_them_stays_affirmed(text: str) -> None:
    assert "affirmed" in _statuses(text) and "hypothetical" not in _statuses(text)


@pytest.mark.parametrize("text, expected", [
    ("The rhythm is regular, ruling out atrial fibrillation.",
     [("rhythm", None, "regular", "affirmed"), ("rhythm", None, "atrial_fibrillation", "negated")]),
    # the measured value in parentheses after a denied category is a measurement
    ("The QTc is not prolonged (441 ms).", [("qtc_ms", None, "prolonged", "negated"), ("qtc_ms", 441.0, None, "affirmed")]),
    # a bound there is the denied criterion
    ("No ST elevation (>1 mm) in V3.", [("st_mv", 0.1, None, "negated")]),
])
def test_conclusions_that_deny_and_values_beside_a_denial(text: str, expected: list[tuple]) -> None:
    assert [(c.quantity, c.value, c.category, c.assertion) for c in extract_claims(text)] == expected


@pytest.mark.parametrize("text, quantity", [
    ("Precise measurement of the PR interval is not possible from this photo.", "pr_ms"),
    ("Heart rate: unable to determine (the rhythm strip is cut off).", "hr_bpm"),
    ("It is not possible to comment on the QTc because the end of the T wave is unclear.", "qtc_ms"),
])
def test_what_cannot_be_assessed_said_after_its_subject_or_with_comment_on(text: str, quantity: str) -> None:
    assert [(c.quantity, c.assertion) for c in extract_claims(text)] == [(quantity, "not_assessable")]


def test_a_label_verdict_with_the_complexes_as_its_subject() -> None:
    text = "- **QRS:** The complexes look narrow."
    assert [(c.quantity, c.category, c.assertion) for c in extract_claims(text)] == [("qrs_ms", "normal", "affirmed")]


def test_the_most_likely_explanation_is_a_hedge() -> None:
    claims = extract_claims("A junctional rhythm at 48 bpm is the most likely explanation.")
    assert {c.assertion for c in claims if c.quantity == "rhythm"} == {"uncertain"}


@pytest.mark.parametrize("text", ["Heart rate is a bit over 100 bpm.", "The QRS is a little over 120 ms."])
def test_a_value_a_little_beyond_a_bound_is_this_cases(text: str) -> None:
    assert _statuses(text) == {"affirmed"}


def test_reassurance_about_a_finding_denies_nothing() -> None:
    claims = extract_claims("Don't worry about the ST depression in V5.")
    assert [(c.quantity, c.lead, c.category, c.assertion) for c in claims] == [("st_mv", "V5", "depressed", "affirmed")]


def test_what_a_condition_usually_is_in_general_is_hypothetical() -> None:
    assert _statuses("RBBB is usually benign.") == {"hypothetical"}
    assert _statuses("RBBB is usually harmless.") == {"hypothetical"}


@pytest.mark.parametrize("text, expected", [
    # the colon opens the evidence against the denied condition
    ("No signs of a heart attack: ST segments look flat in all leads.", [("st_mv", "isoelectric", "affirmed")]),
    # a denial that introduces its list keeps it
    ("None of the following is present: bundle branch block or AV block.",
     [("qrs_ms", "wide", "negated"), ("pr_ms", "prolonged", "negated")]),
    ("Negative for: ST elevation.", [("st_mv", "elevated", "negated")]),
])
def test_a_colon_after_a_denied_condition_opens_its_evidence(text: str, expected: list[tuple]) -> None:
    assert [(c.quantity, c.category, c.assertion) for c in extract_claims(text)] == expected


@pytest.mark.parametrize("text", [
    "I don't think this is first-degree AV block.",
    "I don't think it's a bundle branch block.",
    "Nothing suggests LVH.",
])
def test_a_denial_written_as_an_opinion_denies(text: str) -> None:
    assert _statuses(text) == {"negated"}


@pytest.mark.parametrize("text", [
    "ST depression is seen in V5 and V6.",
    "Q waves are seen in the inferior leads.",
    "Inverted T waves are seen in this tracing in V1-V3.",
    "No ST elevation above 0.1 mV is found in any of the twelve leads.",
])
def test_a_finding_seen_in_leads_or_in_this_tracing_is_this_cases(text: str) -> None:
    assert _statuses(text) <= {"affirmed", "negated"}


@pytest.mark.parametrize("text", [
    "**Sinus bradycardia**: heart rate < 60 bpm, P waves upright in II.",
    "Complete RBBB: QRS duration ≥ 120 ms with rSR' in V1.",
    "Sinus rhythm: rate 60–100 bpm, PR 120–200 ms, P before every QRS.",
    "- LVH criteria: Sokolow-Lyon index > 3.5 mV or Cornell > 2.8 mV.",
])
def test_a_finding_labelled_with_the_bounds_or_ranges_of_quantities_is_a_criterion(text: str) -> None:
    assert _statuses(text) == {"hypothetical"}


@pytest.mark.parametrize("text", [
    "Sinus bradycardia: rate 54 bpm, PR 172 ms.",
    # one range alone may be this tracing's own spread
    "Atrial fibrillation: ventricular rate 90-130 bpm.",
    "Left bundle branch block: QRS 148 ms, above the 120 ms limit.",
])
def test_a_finding_labelled_with_this_cases_values_stays_affirmed(text: str) -> None:
    assert _statuses(text) == {"affirmed"}


@pytest.mark.parametrize("text", [
    "If the PR interval goes beyond 200 ms, first-degree AV block is present.",
    "When the QRS axis lies more negative than -30 degrees, left axis deviation is diagnosed.",
    "Whenever the QRS exceeds 120 ms, the T waves are typically discordant.",
])
def test_the_consequence_of_a_condition_opening_a_sentence_is_hypothetical(text: str) -> None:
    assert _statuses(text) == {"hypothetical"}


@pytest.mark.parametrize("text", [
    "If you look at lead V1, the QRS is wide.",
    "When compared with last year's tracing, the T waves in V5 are inverted.",
    "If the PR were 260 ms on this strip, first-degree AV block would be obvious, but the PR is 168 ms.",
])
def test_a_look_at_the_tracing_or_this_case_after_if_or_when_keeps_its_findings(text: str) -> None:
    assert "affirmed" in _statuses(text)


@pytest.mark.parametrize("text", [
    "In hypercalcaemia the QT interval is short.",
    "In Wolff-Parkinson-White syndrome the PR is below 120 ms and a delta wave is seen.",
    "During acute myocarditis the ST segments may be elevated in many leads.",
])
def test_a_condition_before_the_subject_without_a_comma_is_a_premise(text: str) -> None:
    assert _statuses(text) == {"hypothetical"}


@pytest.mark.parametrize("text", [
    "In atrial flutter the ventricular rate is 146 bpm.",
    "In the lateral leads the T waves are inverted.",
    "In this patient with LBBB the QRS is wide.",
])
def test_a_premise_naming_leads_the_case_or_a_measured_value_is_this_cases(text: str) -> None:
    assert _statuses(text) == {"affirmed"}


@pytest.mark.parametrize("text", [
    "Hypocalcaemia can present with a long QT interval.",
    "Digitalis toxicity can manifest as downsloping ST depression.",
    "Inverted T waves in V1-V3 can be normal in children.",
])
def test_what_a_condition_can_present_with_and_findings_in_leads_that_can_be_normal(text: str) -> None:
    assert _statuses(text) == {"hypothetical"}


def test_a_finding_with_a_measured_value_before_can_stays_this_cases() -> None:
    assert _statuses("ST depression of 1.5 mm in V5 can be seen.") == {"affirmed"}


@pytest.mark.parametrize("text", [
    "Patients with hypothermia often have sinus bradycardia and J waves.",
    "Athletes with a large heart frequently have a PR above 200 ms.",
    "Typical signs of hyperkalaemia include peaked T waves and a wide QRS.",
    "ECG features in LAFB include left axis deviation beyond -45 degrees.",
])
def test_groups_of_people_and_listed_signs_of_a_condition_are_general(text: str) -> None:
    assert _statuses(text) == {"hypothetical"}


def test_listed_findings_of_this_tracing_stay_affirmed() -> None:
    assert _statuses("Findings of this tracing include sinus rhythm and inverted T waves in V1.") == {"affirmed"}


@pytest.mark.parametrize("text, expected", [
    ("A PR interval between 120 and 200 ms is normal.", [("pr_ms", "range", "reference")]),
    ("A QRS shorter than 120 ms is considered normal.", [("qrs_ms", "<", "reference")]),
    ("A QRS wider than 120 ms is considered abnormal.", [("qrs_ms", ">", "hypothetical")]),
])
def test_a_generic_bound_called_normal_is_a_normal_limit(text: str, expected: list[tuple]) -> None:
    assert [(c.quantity, c.comparator, c.assertion) for c in extract_claims(text)] == expected


@pytest.mark.parametrize("text", [
    "Inverted T waves in lead III are often a normal finding in healthy adults.",
    "Left axis deviation exists when the axis is more negative than -30 degrees.",
    "An ST depression of 1 mm in two adjacent leads is significant.",
])
def test_normal_in_a_group_exists_when_and_adjacent_leads_are_general(text: str) -> None:
    assert _statuses(text) <= {"hypothetical"}
    assert extract_claims(text)


@pytest.mark.parametrize("text", [
    "Right bundle branch block makes the QRS wide and the S wave in I slurred.",
    "Hyperkalaemia shows peaked T waves in a patient with renal failure.",
])
def test_what_a_condition_makes_and_a_patient_in_general(text: str) -> None:
    assert _statuses(text) == {"hypothetical"}


def test_the_patient_is_this_case() -> None:
    assert _statuses("Hyperkalaemia shows peaked T waves in the patient.") == {"affirmed"}


def test_what_a_finding_needs_to_be_called_so_is_a_criterion() -> None:
    assert _statuses("To be considered sinus tachycardia, the rate has to exceed 100 bpm.") == {"hypothetical"}
    assert _statuses("To qualify as LVH, the Sokolow-Lyon index must be above 3.5 mV.") == {"hypothetical"}


@pytest.mark.parametrize("text", [
    "An LBBB would give a QRS over 120 ms, and yours is 94 ms.",
    "A QTc over 470 ms would be long for a woman, so yours at 452 ms is fine.",
])
def test_your_value_after_a_rule_is_this_cases(text: str) -> None:
    claims = extract_claims(text)
    assert [c.assertion for c in claims if c.value is not None and c.comparator is None] == ["affirmed"]


def test_a_group_of_people_opening_a_sentence_is_a_premise() -> None:
    assert _statuses("For young athletes, a heart rate in the 40s is common.") == {"hypothetical"}
    # unless the sentence measures a value of the case
    assert _statuses("For adults, your rate of 58 is slightly slow.") == {"affirmed"}


@pytest.mark.parametrize("text", [
    "Pathologic Q waves are longer than 0.04 s.",
    "Clinically significant ST elevation is at least 1 mm above the baseline.",
])
def test_a_kind_of_finding_with_its_bound_is_a_definition(text: str) -> None:
    assert _statuses(text) == {"hypothetical"}


def test_a_kind_of_finding_with_its_bound_in_leads_is_this_cases() -> None:
    assert _statuses("Pathological Q waves are wider than 40 ms in V1-V3.") == {"affirmed"}


def test_normally_opening_a_sentence_and_note_that_before_a_rule() -> None:
    claims = extract_claims("Normally, the PR interval lies between 120 and 200 ms.")
    assert [(c.comparator, c.assertion) for c in claims] == [("range", "reference")]
    assert _statuses("Note that a QRS over 120 ms points to a conduction delay.") == {"hypothetical"}
    # a verdict "Normal," about this case's value stays this case's
    claims = extract_claims("Axis: Normal, in the range of roughly +20 to +50 degrees.")
    assert {c.assertion for c in claims} == {"affirmed"}


def test_a_generic_bound_after_a_group_premise() -> None:
    claims = extract_claims("For women, a QTc below 460 ms is considered normal.")
    assert [(c.comparator, c.assertion) for c in claims] == [("<", "reference")]


@pytest.mark.parametrize("text", [
    "When the tracing was recorded, the heart rate was 104 bpm.",
    "When you were in the emergency room, the ECG showed ST depression in V5.",
])
def test_when_in_a_story_is_a_time_no_condition(text: str) -> None:
    assert _statuses(text) == {"affirmed"}


def test_if_i_am_reading_this_right_hedges() -> None:
    assert _statuses("If I'm reading this correctly, the QTc is 468 ms.") == {"uncertain"}


def test_a_finding_named_in_general_and_usually_normal_is_a_rule() -> None:
    claims = extract_claims("Isolated T-wave inversion in V1 is usually a normal variant.")
    assert [(c.lead, c.category, c.assertion) for c in claims] == [("V1", "inverted", "hypothetical")]
    # the finding of this tracing said to be usually normal stays this tracing's
    claims = extract_claims("The T-wave inversion in V1 is usually a normal variant.")
    assert [(c.lead, c.category, c.assertion) for c in claims] == [("V1", "inverted", "affirmed")]


def test_a_list_whose_subject_holds_a_rule_is_general_throughout() -> None:
    assert _statuses("Things a cardiologist would look for include ST elevation, new Q waves "
                     "and T-wave inversion in V2.") == {"hypothetical"}
    assert _statuses("The findings here include ST elevation in V2 and T-wave inversion in V3.") == {"affirmed"}


def test_a_list_after_a_hypothetical_label_is_hypothetical_as_a_whole() -> None:
    claims = extract_claims("Things that would make me worry: ST elevation, a new LBBB or a QTc above 500 ms.")
    assert [(c.quantity, c.assertion) for c in claims] == [
        ("st_mv", "hypothetical"), ("qrs_ms", "hypothetical"), ("qtc_ms", "hypothetical")]
    # a list about this tracing after the label is this case's
    claims = extract_claims("What would worry me: nothing here; your QTc is 430 ms.")
    assert [(c.quantity, c.assertion) for c in claims] == [("qtc_ms", "affirmed")]


def test_i_would_say_is_an_opinion_of_this_tracing_not_a_rule() -> None:
    assert [c.assertion for c in extract_claims("I'd say sinus rhythm at 66 bpm.")] == ["uncertain", "uncertain"]
    assert [c.assertion for c in extract_claims("Most cardiologists would say a rate over 100 is fast.")] == [
        "hypothetical", "hypothetical"]


@pytest.mark.parametrize("text", [
    "Imagine a tracing with a QTc of 530 ms.",
    "Suppose the ventricular rate were 150 bpm.",
    "Let us assume a PR interval of 250 ms.",
])
def test_a_case_supposed_is_hypothetical(text: str) -> None:
    assert _statuses(text) == {"hypothetical"}


@pytest.mark.parametrize("text", [
    "Deep Q waves indicate an old infarction.",
    "Tall peaked T waves suggest a high potassium.",
    "Widespread ST elevation with PR depression points to pericarditis.",
    "Peaked T waves are a classic sign of hyperkalaemia.",
    "A prolonged QTc means a higher risk of dangerous rhythms.",
])
def test_what_a_finding_named_in_general_means_is_a_rule(text: str) -> None:
    assert _statuses(text) == {"hypothetical"}


@pytest.mark.parametrize("text", [
    "Q waves in II, III and aVF indicate an old inferior infarct.",
    "The deep Q waves indicate an old infarction.",
    "ST depression in the lateral leads suggests ischaemia.",
    "Here, peaked T waves suggest hyperkalaemia.",
    "There's nothing to suggest ST elevation.",
])
def test_a_finding_with_its_leads_or_this_case_stays_this_ecgs(text: str) -> None:
    assert "hypothetical" not in _statuses(text)


def test_a_kind_named_with_the_and_defined() -> None:
    assert _statuses("The WPW pattern combines a short PR and a slurred upstroke.") == {"hypothetical"}
    assert _statuses("The Brugada pattern is characterised by coved ST elevation in V1.") == {"hypothetical"}
    # this case's pattern, or one that only "shows", stays this ECG's
    assert _statuses("The WPW pattern here combines a short PR of 96 ms and a delta wave.") == {"affirmed"}
    assert _statuses("The WPW pattern shows a short PR.") == {"affirmed"}


def test_a_restrictive_that_clause_keeps_the_rule_whole() -> None:
    # "that" with no comma narrows the subject of a rule; ", which" comments on this ECG's finding
    assert _statuses("ST depression of more than 1 mm that is horizontal is considered significant.") == {
        "hypothetical"}
    assert _statuses("There is T-wave inversion in III, which is usually a normal finding.") == {"affirmed"}


@pytest.mark.parametrize("text", [
    "Low voltage is when the QRS complexes are under 5 mm in every limb lead.",
    "Tachycardia is when the heart beats faster than 100 times a minute.",
    "Beyond -30 degrees we speak of left axis deviation.",
])
def test_is_when_and_we_speak_of_define_a_finding(text: str) -> None:
    assert _statuses(text) == {"hypothetical"}


def test_is_when_after_a_determiner_is_a_time_of_this_case() -> None:
    assert _statuses("The deepest ST depression is when the rate is fastest.") == {"affirmed"}
    assert _statuses("Your rate is 120 bpm, which is what we call sinus tachycardia.") == {"affirmed"}


def test_what_a_condition_does_to_an_interval() -> None:
    assert _statuses("Right bundle branch block widens the QRS to 120 ms or more.") == {"hypothetical"}
    assert _statuses("Left bundle branch block broadens the QRS complex.") == {"hypothetical"}
    # this case's block
    assert "hypothetical" not in _statuses("Here the LBBB widens the QRS to 150 ms.")


def test_what_an_agent_does_to_an_interval_names_its_category_in_general() -> None:
    def read(text: str) -> list[tuple]:
        return [(c.quantity, c.category, c.assertion) for c in extract_claims(text)]
    assert read("Hypocalcaemia prolongs the QT interval.") == [("qtc_ms", "prolonged", "hypothetical")]
    assert read("Digoxin shortens the QT.") == [("qtc_ms", "short", "hypothetical")]
    assert read("Your amiodarone prolongs the QT here.") == [("qtc_ms", "prolonged", "affirmed")]
    # other forms of the verb are no finding ("drugs that prolong the QT")
    assert read("Avoid drugs that prolong the QT interval.") == []


def test_teaching_points_and_the_syndromes_full_name() -> None:
    assert _statuses("Teaching point: a QTc over 500 ms is dangerous.") == {"hypothetical"}
    assert _statuses("In Wolff-Parkinson-White the PR is short.") == {"hypothetical"}
    assert _statuses("Clinical pearl: the QRS in LAFB is usually under 120 ms.") == {"hypothetical"}


def test_a_teaching_label_on_this_cases_values_is_no_rule() -> None:
    assert _rows("Learning point: the PR here is 240 ms.") == [("pr_ms", None, 240.0, None, "affirmed")]
    assert _rows("Clinical pearl: your QTc of 470 ms is borderline.") == [
        ("qtc_ms", None, 470.0, None, "affirmed"), ("qtc_ms", None, None, "prolonged", "uncertain")]
    # with no word of this case it stays a rule
    assert _rows("Teaching point: a PR over 200 ms is prolonged.") == [
        ("pr_ms", None, 200.0, None, "hypothetical"), ("pr_ms", None, None, "prolonged", "hypothetical")]


def test_a_sentence_opened_by_to_diagnose_is_criteria_throughout() -> None:
    claims = extract_claims("To diagnose LBBB you need a QRS of at least 120 ms, a broad R in V6 and no Q waves in V6.")
    assert {(c.quantity, c.assertion) for c in claims} == {("qrs_ms", "hypothetical"), ("q_wave", "hypothetical")}
    # not where it opens a later clause
    claims = extract_claims("There is no Q wave in V6, so to diagnose LBBB we look at the QRS.")
    assert [(c.quantity, c.assertion) for c in claims][:1] == [("q_wave", "negated")]


def test_a_comparison_with_a_condition_opening_a_rule() -> None:
    assert _statuses("Unlike in atrial flutter, the baseline in atrial fibrillation shows no organised activity.") == {
        "hypothetical"}
    # a comparison of this case's findings stays this ECG's
    assert [c.assertion for c in extract_claims("As in RBBB, the QRS here is wide, at 140 ms.") if c.value] == [
        "affirmed"]


def test_what_must_always_be_considered_is_a_rule_not_a_hedge() -> None:
    assert _statuses("At a rate of exactly 150, atrial flutter must always be considered.") == {"hypothetical"}
    assert _statuses("Atrial flutter must be considered.") == {"uncertain"}


def test_can_be_seen_in_leads_is_where_a_finding_is_on_this_tracing() -> None:
    assert _statuses("ST depression can be seen in V5 and V6.") == {"affirmed"}
    assert _statuses("T-wave inversion can be noted in the inferior leads.") == {"affirmed"}
    # in a condition it is what the condition may show
    assert _statuses("ST depression can be seen in ischaemia.") == {"hypothetical"}


def test_a_generic_can_in_a_later_clause() -> None:
    claims = extract_claims("Your QTc is 480 ms, and a long QT can cause fainting.")
    assert [(c.value, c.category, c.assertion) for c in claims] == [
        (480.0, None, "affirmed"), (None, "prolonged", "hypothetical")]
    claims = extract_claims("Please check your potassium, since low potassium can cause U waves and a long QT.")
    assert [(c.category, c.assertion) for c in claims] == [("prolonged", "hypothetical")]
    # this case's finding in the later clause stays this ECG's
    assert _statuses("The rate is 110, and ST depression can be seen in V5.") == {"affirmed"}


def test_a_sentence_whose_subject_is_a_bound() -> None:
    claims = extract_claims("Below 60 is bradycardia and above 100 is tachycardia.")
    assert [(c.category, c.assertion) for c in claims] == [("slow", "hypothetical"), ("fast", "hypothetical")]
    assert _statuses("Over 100 bpm means tachycardia.") == {"hypothetical"}


def test_a_subject_of_a_value_or_more_is_a_bound() -> None:
    # "of N ... or more/less" with no other bound word in the text
    assert _rows("A PR of 200 ms or longer is prolonged.") == [
        ("pr_ms", None, 200.0, None, "hypothetical"), ("pr_ms", None, None, "prolonged", "hypothetical")]
    assert _rows("A QRS of 120 ms or more is wide.") == [
        ("qrs_ms", None, 120.0, None, "hypothetical"), ("qrs_ms", None, None, "wide", "hypothetical")]
    # a value of this case is measured, not bounded
    assert _rows("Your PR of 210 ms is prolonged.") == [
        ("pr_ms", None, 210.0, None, "affirmed"), ("pr_ms", None, None, "prolonged", "affirmed")]


def test_a_condition_said_to_be_a_kind_of_thing_is_defined() -> None:
    assert _statuses("Atrial fibrillation is an irregular rhythm without P waves.") == {"hypothetical"}
    assert _statuses("Sinus tachycardia is a normal response to exercise.") == {"hypothetical"}
    # this case's: a determiner, a word of this case
    assert _statuses("The atrial fibrillation is a new finding.") == {"affirmed"}
    assert _statuses("Sinus rhythm is a good sign here.") == {"affirmed"}


def test_a_judgement_on_a_finding_is_no_definition_of_it() -> None:
    # what the finding amounts to in this case, not what the condition is
    assert _rows("Right bundle branch block is a harmless finding.") == [
        ("qrs_ms", None, None, "wide", "affirmed")]
    assert _rows("First-degree AV block is a benign finding and needs no treatment.") == [
        ("pr_ms", None, None, "prolonged", "affirmed")]
    assert _rows("Sinus rhythm is a reassuring sign.") == [("rhythm", None, None, "sinus", "affirmed")]
    # a diagnosis offered with a hedge is uncertain
    assert _rows("Atrial flutter is a probable diagnosis.") == [
        ("rhythm", None, None, "atrial_flutter", "uncertain")]
    assert _rows("LVH is a possibility given the tall R waves.") == [("voltage", None, None, "lvh", "uncertain")]
    # a kind of rhythm described stays a definition
    assert _rows("Atrial fibrillation is an irregular rhythm lacking P waves.") == [
        ("rhythm", None, None, "atrial_fibrillation", "hypothetical"), ("rhythm", None, None, "irregular", "hypothetical")]


def test_the_differential_for_a_condition_is_a_list_in_general() -> None:
    claims = extract_claims("The differential for a wide-complex tachycardia includes VT and pre-excited AF. "
                            "Here the QRS is 160 ms.")
    assert [(c.quantity, c.assertion) for c in claims] == [
        ("qrs_ms", "hypothetical"), ("hr_bpm", "hypothetical"), ("rhythm", "hypothetical"), ("qrs_ms", "affirmed")]


def test_a_finding_said_to_be_suggested_when_is_a_criterion() -> None:
    claims = extract_claims("LVH is suggested when the Sokolow-Lyon index exceeds 35 mm.")
    assert [(c.quantity, c.comparator, c.assertion) for c in claims] == [
        ("voltage", None, "hypothetical"), ("sokolow_lyon_mv", ">", "hypothetical")]


def test_one_of_the_earliest_signs_of() -> None:
    assert _statuses("Hyperacute T waves are one of the earliest signs of STEMI.") == {"hypothetical"}


def test_the_classic_ecg_of_a_condition_opening_a_sentence() -> None:
    assert _statuses("The classic ECG of hypothermia shows bradycardia, a prolonged QT and J waves.") == {
        "hypothetical"}
    # after this case's findings it names what they are typical of
    claims = extract_claims("The QRS is wide at 140 ms, the characteristic pattern of RBBB.")
    assert [c.assertion for c in claims if c.value is not None] == ["affirmed"]


def test_a_condition_opening_a_sentence_after_any_sentence_end() -> None:
    # after "!", "?" or ";" as after "."
    for text in ("Good question! In RBBB the QRS is 125 ms or longer.", "Why? In RBBB the QRS is 125 ms or longer.",
                 "Fair enough; in RBBB the QRS is 125 ms or longer."):
        assert _rows(text) == [("qrs_ms", None, None, "wide", "hypothetical"),
                               ("qrs_ms", None, 125.0, None, "hypothetical")], text


def test_a_state_or_group_of_people_opening_a_sentence() -> None:
    assert _statuses("In pregnancy the axis can shift to the left.") == {"hypothetical"}
    assert _statuses("In athletes the resting rate is often below 50.") == {"hypothetical"}


def test_normal_in_newborns() -> None:
    assert _statuses("Right axis deviation is normal in neonates.") == {"hypothetical"}


def test_a_finding_with_a_bound_that_warrants_something_is_a_rule() -> None:
    assert _statuses("Sinus bradycardia below 40 bpm in an awake adult warrants investigation.") == {"hypothetical"}
    # a measured value keeps it this ECG's
    assert _statuses("ST elevation of 2 mm suggests STEMI.") == {"affirmed"}


def test_features_that_favour_a_diagnosis_include() -> None:
    assert _statuses("Features that favour VT include a QRS wider than 140 ms and extreme axis deviation.") == {
        "hypothetical"}
    assert "hypothetical" not in _statuses("Findings that suggest LVH here include a Sokolow-Lyon index of 41 mm.")


def test_a_normal_ecg_in_general_gives_normal_values() -> None:
    claims = extract_claims("A normal adult ECG has a PR of 120-200 ms and a QRS under 120 ms.")
    assert [(c.quantity, c.assertion) for c in claims] == [("pr_ms", "reference"), ("qrs_ms", "reference")]
    assert _statuses("A normal ECG shows upright T waves in I and II.") == {"hypothetical"}
    assert _statuses("Your normal ECG has a rate of 72.") == {"affirmed"}
