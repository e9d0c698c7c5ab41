"""Assertion status and scope: each rule of the cue engine read on the kind of sentence that
needs it (generic premises, earlier ECGs, lists of normal values, negations that are not a
leading "no", hedges of a category, not-assessable statements)."""

from __future__ import annotations

import pytest

from gemeval.metrics.grounding import extract_claims


def _claims(text: str) -> list[tuple]:
    """(quantity, lead, value or category, assertion) of every claim, in text order."""
    return [(c.quantity, c.lead, c.category if c.value is None else c.value, c.assertion)
            for c in extract_claims(text)]


@pytest.mark.parametrize("text, expected", [
    ("In acute pericarditis, ST elevation is diffuse and PR depression is common.",
     [("st_mv", None, "elevated", "hypothetical")]),
    ("In children and young adults, T-wave inversion in V1-V2 can persist.",
     [("t_wave", "V1", "inverted", "hypothetical"), ("t_wave", "V2", "inverted", "hypothetical")]),
    ("5. **ST-T**: In LBBB, discordant ST depression in V5 and V6 is usual.",
     [("qrs_ms", None, "wide", "hypothetical"), ("st_mv", "V5", "depressed", "hypothetical"),
      ("st_mv", "V6", "depressed", "hypothetical")]),
])
def test_a_generic_premise_makes_its_sentence_hypothetical(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    # A lead, a territory or a determiner pointing at this case is no premise.
    ("In V1 and V2, T-wave inversion is present.",
     [("t_wave", "V1", "inverted", "affirmed"), ("t_wave", "V2", "inverted", "affirmed")]),
    ("In II, III and aVF, ST elevation of 1 mm.",
     [("st_mv", "II", 0.1, "affirmed"), ("st_mv", "III", 0.1, "affirmed"), ("st_mv", "aVF", 0.1, "affirmed")]),
    ("In this tracing, the QTc is 470 ms.", [("qtc_ms", None, 470.0, "affirmed")]),
    ("In summary, sinus rhythm with a left bundle branch block.",
     [("rhythm", None, "sinus", "affirmed"), ("qrs_ms", None, "wide", "affirmed")]),
])
def test_a_lead_or_this_case_opening_a_sentence_is_no_premise(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


def test_what_an_earlier_ecg_showed_is_not_about_this_one() -> None:
    assert _claims("The prior ECG showed atrial fibrillation at 130 bpm; today it is sinus rhythm at 72 bpm.") == [
        ("rhythm", None, "atrial_fibrillation", "hypothetical"), ("hr_bpm", None, 130.0, "hypothetical"),
        ("rhythm", None, "sinus", "affirmed"), ("hr_bpm", None, 72.0, "affirmed")]
    assert _claims("Back then there was ST elevation in V2, now the ST segments are isoelectric.") == [
        ("st_mv", "V2", "elevated", "hypothetical"), ("st_mv", None, "isoelectric", "affirmed")]
    # A comparison with the earlier ECG describes this one.
    assert _claims("Compared with the previous tracing there is new T-wave inversion in V3.") == [
        ("t_wave", "V3", "inverted", "affirmed")]


def test_a_list_of_normal_values_is_reference_and_a_listed_limit_follows_its_list() -> None:
    assert _claims("Reference values: PR 0.12-0.20 s, QRS below 0.11 s, QTc under 450 ms.") == [
        ("pr_ms", None, 160.0, "reference"), ("qrs_ms", None, 110.0, "reference"),
        ("qtc_ms", None, 450.0, "reference")]
    assert [c.assertion for c in extract_claims(
        "A normal QTc is below 450 ms for men or below 470 ms for women.")] == ["reference", "reference"]
    # The measured value next to the usual range stays a claim about this ECG.
    assert _claims("PR 184 ms, inside the usual 120-200 ms.") == [
        ("pr_ms", None, 184.0, "affirmed"), ("pr_ms", None, 160.0, "reference")]


@pytest.mark.parametrize("text, expected", [
    ("The QRS is 88 ms, excluding a bundle branch block.",
     [("qrs_ms", None, 88.0, "affirmed"), ("qrs_ms", None, "wide", "negated")]),
    ("I looked for peaked T waves and for a wide QRS, and I did not find either.",
     [("t_wave", None, "peaked", "negated"), ("qrs_ms", None, "wide", "negated")]),
    ("ST depression is not something I can identify here.", [("st_mv", None, "depressed", "negated")]),
    # A negation that ends at a comma denies nothing after it.
    ("Q waves absent, T inverted in III.",
     [("q_wave", None, "pathological", "negated"), ("t_wave", "III", "inverted", "affirmed")]),
    ("Your QTc is 436 ms, so it's not prolonged.",
     [("qtc_ms", None, 436.0, "affirmed"), ("qtc_ms", None, "prolonged", "negated")]),
])
def test_negations_that_are_not_a_leading_no(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


def test_a_hedge_of_a_category_leaves_the_measured_number_affirmed() -> None:
    assert _claims("Borderline QTc 459 ms.") == [("qtc_ms", None, "prolonged", "uncertain"),
                                                ("qtc_ms", None, 459.0, "affirmed")]
    assert _claims("The rate of 101 bpm borders on tachycardia.") == [
        ("hr_bpm", None, 101.0, "affirmed"), ("hr_bpm", None, "fast", "uncertain")]
    # Hedged across a comma, the number is hedged with it.
    assert _claims("The QTc may be borderline, at about 452 ms.")[-1] == ("qtc_ms", None, 452.0, "uncertain")


def test_a_generic_comment_in_a_relative_clause_leaves_the_finding_affirmed() -> None:
    assert _claims("T waves are flat in aVL, which is usually of no significance.") == [
        ("t_wave", "aVL", "flat", "affirmed")]
    # The generic sentence itself stays hypothetical.
    assert _claims("Flat T waves in aVL are usually of no significance.") == [
        ("t_wave", "aVL", "flat", "hypothetical")]


@pytest.mark.parametrize("text, expected", [
    ("QT: not measured, the T-wave end cannot be seen.", [("qt_ms", None, None, "not_assessable")]),
    ("Artefact makes the ST segments hard to judge in V5 and V6.",
     [("st_mv", "V5", None, "not_assessable"), ("st_mv", "V6", None, "not_assessable")]),
    ("Things I cannot assess: the PR interval (P waves are buried), or the QTc.",
     [("pr_ms", None, None, "not_assessable"), ("qtc_ms", None, None, "not_assessable")]),
    # The reason given after the cue is not what cannot be assessed.
    ("QTc: difficult to assess with the wide QRS.",
     [("qtc_ms", None, None, "not_assessable"), ("qrs_ms", None, "wide", "affirmed")]),
])
def test_not_assessable_statements(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    # What a finding "may reflect" or "is likely due to" is hedged; the finding is there.
    ("The ST depression in V5 and V6 may reflect digoxin effect.",
     [("st_mv", "V5", "depressed", "affirmed"), ("st_mv", "V6", "depressed", "affirmed")]),
    ("The QRS widening is likely due to a right bundle branch block.",
     [("qrs_ms", None, "wide", "affirmed"), ("qrs_ms", None, "wide", "uncertain")]),
    ("The QRS widening is most likely due to a right bundle branch block.",
     [("qrs_ms", None, "wide", "affirmed"), ("qrs_ms", None, "wide", "uncertain")]),
    ("T-wave inversion in V1-V2 might be a normal variant in a young patient.",
     [("t_wave", "V1", "inverted", "affirmed"), ("t_wave", "V2", "inverted", "affirmed")]),
    ("Mild ST depression in the lateral leads, which may also be rate related.",
     [("st_mv", "lateral", "depressed", "affirmed")]),
    # A modal that hedges the finding itself still does, in both directions.
    ("ST depression may be present in V5.", [("st_mv", "V5", "depressed", "uncertain")]),
    ("The T waves might be inverted in III.", [("t_wave", "III", "inverted", "uncertain")]),
    ("There may be a first-degree AV block.", [("pr_ms", None, "prolonged", "uncertain")]),
])
def test_a_hedge_on_what_a_finding_means_leaves_the_finding_affirmed(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    # A hedged label before a colon hedges every item of its list ...
    ("Possible findings: sinus bradycardia, first-degree AV block, left axis deviation.",
     [("rhythm", None, "sinus", "uncertain"), ("hr_bpm", None, "slow", "uncertain"),
      ("pr_ms", None, "prolonged", "uncertain"), ("axis_deg", None, "left", "uncertain")]),
    ("Differential diagnosis: atrial flutter, atrial fibrillation.",
     [("rhythm", None, "atrial_flutter", "uncertain"), ("rhythm", None, "atrial_fibrillation", "uncertain")]),
    ("**Probable diagnosis:** inferior ST elevation, sinus rhythm.",
     [("st_mv", "inferior", "elevated", "uncertain"), ("rhythm", None, "sinus", "uncertain")]),
    # ... while a hedge opening one item of a plain list hedges that item only.
    ("Impression: possible LVH, sinus rhythm, normal axis.",
     [("voltage", None, "lvh", "uncertain"), ("rhythm", None, "sinus", "affirmed"),
      ("axis_deg", None, "normal", "affirmed")]),
    ("- possible LVH, sinus rhythm", [("voltage", None, "lvh", "uncertain"), ("rhythm", None, "sinus", "affirmed")]),
])
def test_a_hedged_label_hedges_its_list(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


def test_an_earlier_ecg_named_after_its_number_is_not_this_one() -> None:
    assert _claims("Compared with the tracing from March (rate 96 back then), it is unchanged.") == [
        ("hr_bpm", None, 96.0, "hypothetical")]
    assert _claims("Back then, the rate was 110 bpm; today it is 72 bpm.") == [
        ("hr_bpm", None, 110.0, "hypothetical"), ("hr_bpm", None, 72.0, "affirmed")]


@pytest.mark.parametrize("text, expected", [
    # "unlikely" denies, after its finding or before it
    ("Atrial fibrillation is unlikely given the regular rhythm.",
     [("rhythm", None, "atrial_fibrillation", "negated"), ("rhythm", None, "regular", "affirmed")]),
    ("So a bundle branch block seems unlikely.", [("qrs_ms", None, "wide", "negated")]),
    ("LVH is very unlikely.", [("voltage", None, "lvh", "negated")]),
    ("It is unlikely to be atrial fibrillation.", [("rhythm", None, "atrial_fibrillation", "negated")]),
    ("There's nothing to suggest ST elevation.", [("st_mv", None, "elevated", "negated")]),
    ("The PR interval isn't prolonged.", [("pr_ms", None, "prolonged", "negated")]),
    ("The QRS complexes aren't wide.", [("qrs_ms", None, "wide", "negated")]),
    ("Voltage criteria for LVH are not met.", [("voltage", None, "lvh", "negated")]),
    ("LVH criteria not met.", [("voltage", None, "lvh", "negated")]),
    ("No evidence of atrial fibrillation or flutter.",
     [("rhythm", None, "atrial_fibrillation", "negated"), ("rhythm", None, "atrial_flutter", "negated")]),
    # PTB-XL's "atrial fibrillation/flutter" is one statement, not a flutter of its own
    ("Atrial fibrillation/flutter, left axis deviation.",
     [("rhythm", None, "atrial_fibrillation", "affirmed"), ("axis_deg", None, "left", "affirmed")]),
])
def test_denials_in_their_everyday_wordings(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


def test_a_generic_comment_in_a_clause_of_its_own_leaves_the_finding_affirmed() -> None:
    assert _claims("That's called sinus tachycardia and it's very often due to anxiety or fever.") == [
        ("rhythm", None, "sinus", "affirmed"), ("hr_bpm", None, "fast", "affirmed")]
    assert _claims("Sinus tachycardia is usually due to anxiety.") == [
        ("rhythm", None, "sinus", "hypothetical"), ("hr_bpm", None, "fast", "hypothetical")]


@pytest.mark.parametrize("text, expected", [
    ("A QTc longer than 500 ms is generally termed markedly prolonged.",
     [("qtc_ms", None, 500.0, "hypothetical"), ("qtc_ms", None, "prolonged", "hypothetical")]),
    ("Any PR interval over 200 ms is referred to as first-degree AV block.",
     [("pr_ms", None, 200.0, "hypothetical"), ("pr_ms", None, "prolonged", "hypothetical")]),
    ("A QTc below 340 ms is short.", [("qtc_ms", None, 340.0, "hypothetical"), ("qtc_ms", None, "short", "hypothetical")]),
    ("Low voltage is said to be present when the limb-lead QRS complexes are all small.",
     [("voltage", None, "low", "hypothetical")]),
    # a bound tied to this case, and a name given to this ECG's finding, stay affirmed
    ("A heart rate above 100 bpm in this patient is explained by fever.", [("hr_bpm", None, 100.0, "affirmed")]),
    ("A QRS duration of 96 ms is normal.", [("qrs_ms", None, 96.0, "affirmed"), ("qrs_ms", None, "normal", "affirmed")]),
    ("That is called sinus tachycardia.", [("rhythm", None, "sinus", "affirmed"), ("hr_bpm", None, "fast", "affirmed")]),
])
def test_definitions_and_rules_with_an_indefinite_subject_are_hypothetical(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Faster than that, we'd call it tachycardia.", [("hr_bpm", None, "fast", "hypothetical")]),
    ("Red flags would be a QRS wider than 120 ms, a QTc over 500 ms, or pathological Q waves.",
     [("qrs_ms", None, 120.0, "hypothetical"), ("qtc_ms", None, 500.0, "hypothetical"),
      ("q_wave", None, "pathological", "hypothetical")]),
    ("If you see ST depression with a slow rate, think of digoxin.",
     [("st_mv", None, "depressed", "hypothetical"), ("hr_bpm", None, "slow", "hypothetical")]),
    ("I think this is sinus rhythm.", [("rhythm", None, "sinus", "uncertain")]),
])
def test_chat_modals_advice_and_own_judgement(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("The atrial fibrillation seen last year is gone.", [("rhythm", None, "atrial_fibrillation", "negated")]),
    ("The ST elevation has settled down.", [("st_mv", None, "elevated", "negated")]),
    ("We cant see any ST elevation.", [("st_mv", None, "elevated", "negated")]),
    ("There isnt any ST depression.", [("st_mv", None, "depressed", "negated")]),
    ("I dont see any Q waves.", [("q_wave", None, "pathological", "negated")]),
    ("**Is the QRS wide?** Probably not, it measures about 100 ms.",
     [("qrs_ms", None, "wide", "negated"), ("qrs_ms", None, 100.0, "affirmed")]),
])
def test_chat_negations_disappearance_and_answers(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("I can't reliably measure the QT in atrial fibrillation at this rate.",
     [("qt_ms", None, None, "not_assessable"), ("rhythm", None, "atrial_fibrillation", "affirmed")]),
    ("It is hard to assess the QT interval with the noisy baseline and the fast rate.",
     [("qt_ms", None, None, "not_assessable"), ("hr_bpm", None, "fast", "affirmed")]),
    ("I can't assess the ST segments in V1.", [("st_mv", "V1", None, "not_assessable")]),
    ("cant really judge the QT on this pic", [("qt_ms", None, None, "not_assessable")]),
])
def test_what_cannot_be_assessed_ends_where_its_circumstances_start(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    # the circumstance a finding is read in is a finding of this ECG
    ("In the setting of a fast rate, this ST depression may be demand-related.",
     [("hr_bpm", None, "fast", "affirmed"), ("st_mv", None, "depressed", "uncertain")]),
    ("These findings in the context of tachycardia raise the possibility of pulmonary embolism.",
     [("hr_bpm", None, "fast", "affirmed")]),
    # a differential drawn up for a finding leaves that finding given
    ("Differential diagnosis for this narrow-complex tachycardia at 150 bpm: atrial flutter with 2:1 block or AVNRT.",
     [("qrs_ms", None, "normal", "affirmed"), ("hr_bpm", None, "fast", "affirmed"), ("hr_bpm", None, 150.0, "affirmed"),
      ("rhythm", None, "atrial_flutter", "uncertain")]),
    # a tag asking for agreement leaves the statement standing
    ("There's ST depression in V5 and V6, isn't it?",
     [("st_mv", "V5", "depressed", "affirmed"), ("st_mv", "V6", "depressed", "affirmed")]),
    ("Is there ST depression in V5?", []),  # an unanswered question claims nothing
])
def test_circumstances_differentials_and_tag_questions(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Rate is 64 now instead of 90 last week.", [("hr_bpm", None, 64.0, "affirmed"), ("hr_bpm", None, 90.0, "hypothetical")]),
    ("QTc 455 ms (previously 490 ms).", [("qtc_ms", None, 455.0, "affirmed"), ("qtc_ms", None, 490.0, "hypothetical")]),
    ("The rate is 64 bpm, down from 88 bpm last week.",
     [("hr_bpm", None, 64.0, "affirmed"), ("hr_bpm", None, 88.0, "hypothetical")]),
    # a rhythm instead of another is still a denial
    ("Junctional rhythm instead of sinus rhythm.", [("rhythm", None, "junctional", "affirmed"), ("rhythm", None, "sinus", "negated")]),
])
def test_an_earlier_value_beside_this_ones_is_the_earlier_ecgs(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    # a threshold for a finding that this ECG's value is compared with
    ("The QRS came out at 112 ms, just under the 120 ms cut-off for a bundle branch block.",
     [("qrs_ms", None, 112.0, "affirmed"), ("qrs_ms", None, 120.0, "affirmed"), ("qrs_ms", None, "wide", "negated")]),
    ("The Sokolow-Lyon index is 38 mm, which exceeds the 35 mm criterion for left ventricular hypertrophy.",
     [("sokolow_lyon_mv", None, 3.8, "affirmed"), ("sokolow_lyon_mv", None, 3.5, "affirmed"),
      ("voltage", None, "lvh", "affirmed")]),
    ("Low QRS amplitudes are recorded in all limb leads, satisfying the criterion for low voltage.",
     [("voltage", None, "low", "affirmed")]),
    # the threshold stated alone stays a criterion
    ("The criterion for left ventricular hypertrophy is a Sokolow-Lyon index above 35 mm.",
     [("voltage", None, "lvh", "hypothetical"), ("sokolow_lyon_mv", None, 3.5, "hypothetical")]),
    # a label's last word before its colon ends no scope
    ("A normal ECG usually means: heart rate between 60 and 100, PR under 200 ms.",
     [("hr_bpm", None, 80.0, "reference"), ("pr_ms", None, 200.0, "reference")]),
])
def test_a_value_compared_with_a_threshold_for_a_finding(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    # a later clause that names this case is not the textbook statement before it
    ("Typically, ST elevation in an anterior STEMI is at least 2 mm in V2 and V3, and there is no ST elevation "
     "on this tracing.",
     [("st_mv", "V2", 0.2, "hypothetical"), ("st_mv", "V3", 0.2, "hypothetical"), ("st_mv", None, "elevated", "negated")]),
    # "the ST elevation ... is expected": this ECG's finding, explained
    ("The ST elevation in V1 is expected with the bundle branch block.",
     [("st_mv", "V1", "elevated", "affirmed"), ("qrs_ms", None, "wide", "affirmed")]),
    ("ST depression is expected in LBBB.", [("st_mv", None, "depressed", "hypothetical"), ("qrs_ms", None, "wide", "affirmed")]),
    # an inverted conditional, a preference
    ("Had the QTc been over 500 ms, an alternative drug would have been chosen.", [("qtc_ms", None, 500.0, "hypothetical")]),
    ("Fridericia's formula is preferred above 90 bpm.", [("hr_bpm", None, 90.0, "hypothetical")]),
])
def test_clauses_about_this_case_definite_findings_and_inverted_conditionals(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text, expected", [
    # an earlier ECG's label before a colon covers its list
    ("Old one (from 2023): heart rate 115, sinus tachycardia, otherwise normal.",
     [("hr_bpm", None, 115.0, "hypothetical"), ("rhythm", None, "sinus", "hypothetical"), ("hr_bpm", None, "fast", "hypothetical")]),
    # a generic bound stops at the contrast that turns to this case
    ("A PR interval shorter than 120 ms would point toward pre-excitation, but the PR here is 168 ms.",
     [("pr_ms", None, 120.0, "hypothetical"), ("pr_ms", None, 168.0, "affirmed")]),
    # an unanswered question claims nothing; a hedged answer hedges
    ("Is it sinus tachycardia or something else? I think sinus, but atrial flutter remains a possibility.",
     [("rhythm", None, "sinus", "uncertain"), ("rhythm", None, "atrial_flutter", "uncertain")]),
    ("Is the QRS wide? Maybe, it is hard to measure here.", [("qrs_ms", None, "wide", "uncertain")]),
])
def test_earlier_labels_contrasts_and_questions(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


def test_what_a_heading_says_cannot_be_assessed_covers_the_list_under_it() -> None:
    text = ("### What I can't assess\n- The PR interval and the QTc: the waves are too indistinct.\n\n"
            "The QRS is narrow.")
    assert _claims(text) == [("pr_ms", None, None, "not_assessable"), ("qtc_ms", None, None, "not_assessable"),
                             ("qrs_ms", None, "normal", "affirmed")]
    assert _claims("**Not assessable:**\n- QT interval\n- ST segments\n**Other findings**\n- QRS narrow") == [
        ("qt_ms", None, None, "not_assessable"), ("st_mv", None, None, "not_assessable"),
        ("qrs_ms", None, "normal", "affirmed")]
    # markdown emphasis inside the phrase
    assert _claims("What I *can't* assess: the PR interval, the ST segments, or the QT interval.") == [
        ("pr_ms", None, None, "not_assessable"), ("st_mv", None, None, "not_assessable"),
        ("qt_ms", None, None, "not_assessable")]


@pytest.mark.parametrize("text, expected", [
    # a condition named as the subject of a verb in the present: what it looks like in general
    ("Wellens syndrome shows deep symmetric T-wave inversion in V2 and V3.",
     [("t_wave", "V2", "inverted", "hypothetical"), ("t_wave", "V3", "inverted", "hypothetical")]),
    ("Hyperkalaemia gives tall peaked T waves.", [("t_wave", None, "peaked", "hypothetical")]),
    ("An LBBB shows a QRS of 120 ms or more.",
     [("qrs_ms", None, "wide", "hypothetical"), ("qrs_ms", None, 120.0, "hypothetical")]),
    # this ECG, a lead or a determiner pointing at this case as the subject
    ("The ECG shows ST elevation in V2.", [("st_mv", "V2", "elevated", "affirmed")]),
    ("This pattern shows ST elevation in V1.", [("st_mv", "V1", "elevated", "affirmed")]),
    ("Your ECG shows LVH.", [("voltage", None, "lvh", "affirmed")]),
])
def test_a_condition_as_the_subject_states_what_it_looks_like(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


def test_a_band_the_values_lie_in_is_a_measurement_a_denial_before_it_leaves_alone() -> None:
    # "no ST deviation" denies a change; "all within ±0.05 mV" measures the level
    got = [(c.quantity, c.lead, c.low, c.high, c.assertion)
           for c in extract_claims("No ST deviation in V1-V2 (all within ±0.05 mV).")]
    assert got == [("st_mv", "V1", -0.05, 0.05, "affirmed"), ("st_mv", "V2", -0.05, 0.05, "affirmed")]
    # a bound after a denial is the criterion that is denied
    assert _claims("No ST elevation (>1 mm) in V2.") == [("st_mv", "V2", 0.1, "negated")]


def test_the_p_waves_own_rate_is_no_heart_rate() -> None:
    text = "The P waves (rate 96/min) march through, unrelated to the QRS complexes at a regular 38/min."
    assert _claims(text) == [("hr_bpm", None, 38.0, "affirmed")]
    assert _claims("The P-wave rate is 110 bpm and the ventricular rate 45 bpm.") == [
        ("hr_bpm", None, 45.0, "affirmed")]


@pytest.mark.parametrize("text, expected", [
    # A finding named without a determiner as the subject of "can": what it may mean in general.
    ("Inferior ST elevation can signal an occlusion of the right coronary artery.",
     [("st_mv", "inferior", "elevated", "hypothetical")]),
    ("Left axis deviation can also be seen in obese patients.", [("axis_deg", None, "left", "hypothetical")]),
    ("A rate between 50 and 60 bpm can be normal in trained people.",
     [("hr_bpm", None, 55.0, "hypothetical")]),
    # This case's finding as the subject stays this case's.
    ("The ST elevation in V2 can be a normal variant here.", [("st_mv", "V2", "elevated", "affirmed")]),
    ("Your heart rate of 54 bpm can be normal for a runner.", [("hr_bpm", None, 54.0, "affirmed")]),
    # "will" tells what a condition looks like in general, as "would" does.
    ("Once the AV node delays conduction, the PR interval will be prolonged.",
     [("pr_ms", None, "prolonged", "hypothetical")]),
    # Defining a term is no finding; a subject of this case is ("that ... on your report").
    ('"Tachycardia" refers to a heart rate above 100 bpm.',
     [("hr_bpm", None, "fast", "hypothetical"), ("hr_bpm", None, 100.0, "hypothetical")]),
    ("That line on your report refers to the QTc, which was 452 ms.", [("qtc_ms", None, 452.0, "affirmed")]),
    ("Atrial flutter occurs when a circuit in the right atrium fires around 300 times a minute.",
     [("rhythm", None, "atrial_flutter", "hypothetical")]),
])
def test_generic_modals_and_definitions(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


def test_a_finding_nobody_mentioned_is_not_denied() -> None:
    assert _claims("My cardiologist never mentioned the first-degree AV block on my tracing.") == [
        ("pr_ms", None, "prolonged", "affirmed")]


@pytest.mark.parametrize("text, expected", [
    ("Below the His bundle, the QRS complexes will be wide.", [("qrs_ms", None, "wide", "hypothetical")]),
    ("If it were a junctional rhythm, the QRS would be narrow.",
     [("rhythm", None, "junctional", "hypothetical"), ("qrs_ms", None, "normal", "hypothetical")]),
])
def test_a_category_after_a_modal_be_is_read(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


@pytest.mark.parametrize("text", [
    "Normal sinus rhythm has a rate between 60 and 100 bpm.",
    "Sinus bradycardia has a rate below 60 bpm.",
    "Left bundle branch block is characterised by a QRS of at least 120 ms.",
    "First-degree AV block is defined as a PR interval longer than 200 ms.",
    "Complete heart block causes a slow escape rhythm, often below 45 bpm.",
])
def test_a_finding_as_the_subject_of_a_rule_is_hypothetical(text: str) -> None:
    claims = _claims(text)
    assert claims and {status for *_, status in claims} == {"hypothetical"}


@pytest.mark.parametrize("text", [
    "Sinus rhythm has a rate of 72 bpm.",  # one measured value: this case
    "Atrial fibrillation has a ventricular rate of about 110 bpm on this strip.",
    "Sinus rhythm has been present throughout, at 64 bpm.",
])
def test_a_finding_with_a_measured_value_is_this_cases(text: str) -> None:
    claims = _claims(text)
    assert claims and {status for *_, status in claims} == {"affirmed"}


def test_a_heading_of_normal_values_covers_the_ranges_under_it() -> None:
    text = ("Reference ranges (adults)\nRate: 60-100 bpm\nQRS: < 0.12 s\nQT measured: 390 ms\n\n"
            "On this strip the QRS is 100-110 ms.")
    assert _claims(text) == [("hr_bpm", None, 80.0, "reference"), ("qrs_ms", None, 120.0, "reference"),
                             ("qt_ms", None, 390.0, "affirmed"), ("qrs_ms", None, 105.0, "affirmed")]
    # a heading of findings is no reference
    assert _claims("**Findings**\n- QRS 100-110 ms")[0][-1] == "affirmed"


def test_a_label_naming_a_finding_with_a_bound_defines_it() -> None:
    assert _claims("- Sinus tachycardia: over 100 bpm\n- Bradycardia: < 60 bpm") == [
        ("rhythm", None, "sinus", "hypothetical"), ("hr_bpm", None, "fast", "hypothetical"),
        ("hr_bpm", None, 100.0, "hypothetical"), ("hr_bpm", None, "slow", "hypothetical"),
        ("hr_bpm", None, 60.0, "hypothetical")]
    # a measured value after the label is this case's; so is a quantity's own label
    assert {c[-1] for c in _claims("- Right axis deviation: +120°\n- QRS duration: < 120 ms")} == {"affirmed"}


@pytest.mark.parametrize("text, expected", [
    # a premise without its comma, before "there is"
    ("In complete heart block there is a bradycardia below 45 bpm.",
     [("hr_bpm", None, "slow", "hypothetical"), ("hr_bpm", None, 45.0, "hypothetical")]),
    ("In this strip there is ST depression in V5.", [("st_mv", "V5", "depressed", "affirmed")]),
    # "an ECG" is any ECG
    ("On an ECG this appears as a QRS of 120 ms or more.", [("qrs_ms", None, 120.0, "hypothetical")]),
    # the causes of a finding in general, not of this case's finding
    ("Common causes of a long QTc include drugs and low potassium.",
     [("qtc_ms", None, "prolonged", "hypothetical")]),
    ("The cause of the right axis deviation here is probably the lung disease.",
     [("axis_deg", None, "right", "affirmed")]),
    # textbook nouns before the keyword without an article
    ("The first sign is elevation of ST segments in V1-V2.",
     [("st_mv", "V1", "elevated", "affirmed"), ("st_mv", "V2", "elevated", "affirmed")]),
    ("There is prolongation of PR interval beyond 200 ms.",
     [("pr_ms", None, "prolonged", "affirmed"), ("pr_ms", None, 200.0, "affirmed")]),
])
def test_premises_without_a_comma_an_ecg_and_causes_of_a_finding(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


def test_a_category_word_inside_its_own_hedge_is_hedged() -> None:
    # the cue "is borderline" holds the category word "borderline": the category is hedged,
    # the measured number is not
    assert _claims("The QTc comes out at 458 ms, which is borderline.") == [
        ("qtc_ms", None, 458.0, "affirmed"), ("qtc_ms", None, "prolonged", "uncertain")]


@pytest.mark.parametrize("text, status", [
    ("There may be subtle ST depression in V5-V6, approximately 0.5-1 mm.", "uncertain"),
    ("If there were ST elevation in V2, say 2 mm, that would be abnormal.", "hypothetical"),
    ("There is ST depression in V5-V6, about 1 mm.", "affirmed"),
])
def test_a_number_set_off_after_a_finding_takes_the_findings_hedge(text: str, status: str) -> None:
    numbers = [c for c in extract_claims(text) if c.value is not None]
    assert numbers and {c.assertion for c in numbers} == {status}


def test_a_clause_after_the_comma_keeps_its_own_status() -> None:
    # the quoted "borderline" is the printout's word, and the number has a clause of its own
    text = 'That "borderline" on your report refers to the QRS, which came out at 114 ms.'
    assert _claims(text) == [("qrs_ms", None, 114.0, "affirmed")]


def test_a_heading_of_criteria_covers_the_list_under_it() -> None:
    text = "Criteria for complete RBBB\n- QRS of 120 ms or more\n- T waves inverted in V1\n\nHere the QRS is 136 ms."
    assert _claims(text) == [("qrs_ms", None, "wide", "hypothetical"), ("qrs_ms", None, 120.0, "hypothetical"),
                             ("t_wave", "V1", "inverted", "hypothetical"), ("qrs_ms", None, 136.0, "affirmed")]
    # a heading that says they are met lists this case's findings
    assert _claims("Criteria met:\n- Sokolow-Lyon 38 mm")[-1][-1] == "affirmed"


def test_which_is_considered_names_this_cases_category() -> None:
    assert _claims("Your heart rate was 49 bpm, which is considered slow.") == [
        ("hr_bpm", None, 49.0, "affirmed"), ("hr_bpm", None, "slow", "affirmed")]
    # a bound as the subject is a rule, as before
    assert {c[-1] for c in _claims("A QTc over 470 ms is considered prolonged.")} == {"hypothetical"}


def test_the_typical_limit_a_value_is_compared_with_is_no_generic_statement() -> None:
    assert _claims("Your PR interval of 214 ms is slightly longer than the typical upper limit of 200 ms.") == [
        ("pr_ms", None, 214.0, "affirmed"), ("pr_ms", None, 200.0, "affirmed")]
    assert {c[-1] for c in _claims("The typical LBBB has a QRS of 120 ms or more.")} == {"hypothetical"}


@pytest.mark.parametrize("text, expected", [
    # a time in a story, not a condition
    ("When I got the printout, it said sinus rhythm.", [("rhythm", None, "sinus", "affirmed")]),
    ("When the QTc is over 500 ms, the risk rises.", [("qtc_ms", None, 500.0, "hypothetical")]),
    # a term in quotes explained in general; not when the explanation is about this case
    ('Your report says "tachycardia", which just means the rate was fast; "tachycardia" means a rate over 100.',
     [("hr_bpm", None, "fast", "affirmed"), ("hr_bpm", None, "fast", "hypothetical"),
      ("hr_bpm", None, 100.0, "hypothetical")]),
    ('"Borderline" means your QTc of 458 ms is close to the limit.', [("qtc_ms", None, 458.0, "affirmed")]),
    # normal values of a population
    ("In healthy adults, the PR should be between 120 and 200 ms.", [("pr_ms", None, 160.0, "reference")]),
    ("For most adults the resting rate lies between 60 and 100 bpm.", [("hr_bpm", None, 80.0, "reference")]),
    # "In the case of X," is a premise; "than normal" and "than usually seen" compare
    ("In the case of a complete LBBB, the QRS lasts more than 120 ms.",
     [("qrs_ms", None, "wide", "hypothetical"), ("qrs_ms", None, 120.0, "hypothetical")]),
    ("The QRS is 150 ms, wider than usually seen with an RBBB.", [("qrs_ms", None, 150.0, "affirmed"),
                                                                  ("qrs_ms", None, "wide", "affirmed")]),
    # a definite subject: this case's diagnosis and its evidence
    ("The LBBB is diagnosed by these criteria: QRS 150 ms and broad R waves in V6.",
     [("qrs_ms", None, "wide", "affirmed"), ("qrs_ms", None, 150.0, "affirmed")]),
    ("LBBB is diagnosed by a QRS of 120 ms or more.",
     [("qrs_ms", None, "wide", "hypothetical"), ("qrs_ms", None, 120.0, "hypothetical")]),
])
def test_stories_quoted_terms_populations_and_this_cases_diagnosis(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


def test_a_keywords_own_words_end_no_scope() -> None:
    # "and the" inside the Sokolow-Lyon sum written out is part of the keyword
    assert _claims("Voltage criterion: the sum of the S wave in V1 and the tallest R wave in V5 is 35 mm or more.") == [
        ("sokolow_lyon_mv", None, 3.5, "hypothetical")]


@pytest.mark.parametrize("text, expected", [
    # what a condition does or does not do, said of it in general
    ("LAFB does not increase the risk of sudden death on its own.", [("conduction", None, "lafb", "hypothetical")]),
    ("Left bundle branch block is not serious in itself.", [("qrs_ms", None, "wide", "hypothetical")]),
    # ... but not of this case's finding
    ("Your RBBB does not need any treatment.", [("qrs_ms", None, "wide", "affirmed")]),
    # a change is no disappearance
    ("The left axis deviation has gone from mild to marked.", [("axis_deg", None, "left", "affirmed")]),
])
def test_what_a_condition_does_and_changes_of_a_finding(text: str, expected: list[tuple]) -> None:
    assert _claims(text) == expected


def test_a_line_introducing_criteria_covers_the_list_after_a_blank_line() -> None:
    text = "Two criteria are in common use:\n\n- the Sokolow-Lyon index of 35 mm or more\n- Cornell voltage above 28 mm"
    assert {c[-1] for c in _claims(text)} == {"hypothetical"}
    # a line saying this case meets them lists this case's values
    assert {c[-1] for c in _claims("Voltage criteria for LVH are met here:\n- Sokolow-Lyon 39 mm")} == {"affirmed"}


def test_an_earlier_ecgs_findings_go_on_past_and_there_was() -> None:
    def read(text: str) -> list[tuple]:
        return [(c.quantity, c.category, c.value, c.assertion) for c in extract_claims(text)]
    assert read("Last year the rate was 58 and there was ST depression.") == [
        ("hr_bpm", None, 58.0, "hypothetical"), ("st_mv", "depressed", None, "hypothetical")]
    assert read("On your old ECG the QTc was 440 ms and the T waves were flat.") == [
        ("qtc_ms", None, 440.0, "hypothetical"), ("t_wave", "flat", None, "hypothetical")]
    # up to a clause about this ECG
    assert read("The prior tracing showed sinus rhythm and the current one shows atrial fibrillation.") == [
        ("rhythm", "sinus", None, "hypothetical"), ("rhythm", "atrial_fibrillation", None, "affirmed")]
    assert read("Last year the rate was 58, and today there is ST depression.") == [
        ("hr_bpm", None, 58.0, "hypothetical"), ("st_mv", "depressed", None, "affirmed")]


def test_a_rule_in_a_later_clause_leaves_this_cases_clause_affirmed() -> None:
    claims = extract_claims("Your QTc is 452 ms, and for women anything up to 460 is usually considered fine.")
    assert [(c.quantity, c.value, c.assertion) for c in claims][:1] == [("qtc_ms", 452.0, "affirmed")]
    # a clause with no word of this case stays under the rule
    assert [c.assertion for c in extract_claims("A QTc over 470 ms, in women, is usually considered long.")][:1] == [
        "hypothetical"]


def test_typical_values_label_a_list_of_reference_values() -> None:
    claims = extract_claims("Typical values: PR 120-200 ms, QRS < 120 ms.")
    assert [(c.quantity, c.comparator, c.assertion) for c in claims] == [
        ("pr_ms", "range", "reference"), ("qrs_ms", "<", "reference")]
    assert [c.assertion for c in extract_claims("Usual ranges are PR 0.12-0.20 s.")] == ["reference"]


def test_a_quoted_term_explained_with_a_relative_clause_is_still_defined() -> None:
    text = '"Left axis deviation" means the axis points further left than usual, which is often harmless.'
    assert [(c.quantity, c.category, c.assertion) for c in extract_claims(text)] == [
        ("axis_deg", "left", "hypothetical")]
    text = '"Left axis deviation" means your axis points further left than usual.'
    assert [c.assertion for c in extract_claims(text)] == ["affirmed"]


def test_a_bound_set_off_after_a_hedged_finding_takes_its_hedge() -> None:
    def read(text: str) -> list[tuple]:
        return [(c.lead, c.comparator, c.assertion) for c in extract_claims(text)]
    assert read("There might be ST depression in V6, less than half a millimetre.") == [("V6", ">", "uncertain")]
    assert read("There is ST depression in V6, under 1 mm.") == [("V6", ">", "affirmed")]


def test_a_range_from_to_that_counts_as_normal_after_a_lead_in() -> None:
    claims = extract_claims("Your axis is about +60°. For reference, anything from -30° to +90° counts as normal.")
    assert [(c.value, c.comparator, c.assertion) for c in claims] == [
        (60.0, None, "affirmed"), (30.0, "range", "reference")]
    assert [c.assertion for c in extract_claims("Generally speaking, a QRS wider than 120 ms is abnormal.")] == [
        "hypothetical"]


def test_a_list_under_a_label_of_what_would_matter() -> None:
    text = "Things I'd look for on a repeat ECG:\n* Any ST elevation\n* A QTc over 480 ms\n\nYour rate is 80 bpm."
    assert _claims(text) == [("st_mv", None, "elevated", "hypothetical"), ("qtc_ms", None, 480.0, "hypothetical"),
                             ("hr_bpm", None, 80.0, "affirmed")]
    # a label with no such words, or "If ...:", introduces this case's findings
    assert {c[-1] for c in _claims("Findings:\n- Sinus rhythm\n- Rate 72 bpm")} == {"affirmed"}
    assert {c[-1] for c in _claims("If you want the details:\n- Rate 72 bpm\n- PR 160 ms")} == {"affirmed"}


def test_a_list_of_what_would_matter_ends_at_its_last_item() -> None:
    # the line after the items, with no blank line between, is this case's again
    assert _claims("Warning signs:\n- a pulse under 45\n- a QTc over 500 ms\nYour pulse is 68.") == [
        ("hr_bpm", None, 45.0, "hypothetical"), ("qtc_ms", None, 500.0, "hypothetical"),
        ("hr_bpm", None, 68.0, "affirmed")]
    assert _claims("When to worry:\n* a rate above 150\nToday the rate is 90 bpm.") == [
        ("hr_bpm", None, 150.0, "hypothetical"), ("hr_bpm", None, 90.0, "affirmed")]
    # an indented line goes on with the item above it
    assert _claims("Red flags:\n- fainting, or\n  a rate below 40\n\nYour rate is 72.") == [
        ("hr_bpm", None, 40.0, "hypothetical"), ("hr_bpm", None, 72.0, "affirmed")]


def test_a_list_items_label_before_a_dash_and_would() -> None:
    text = "Possibilities:\n1. **Left ventricular hypertrophy** – would show tall R waves in V5.\n2. Bundle branch block - would widen the QRS."
    assert {(c[0], c[-1]) for c in _claims(text)} == {("voltage", "hypothetical"), ("qrs_ms", "hypothetical")}
    # a hedge after the dash is of what follows it
    assert _claims("- Sinus rhythm - may be slightly irregular.")[0][-1] == "affirmed"
