"""Multiple-choice parsing and accuracy; ECG-QA set-match accuracy."""

from __future__ import annotations

import random

import pytest

from gemeval.metrics.mcq import MCQScorer, parse_choice, parse_choice_detailed
from gemeval.metrics.qa import QAScorer, normalise_answer, predicted_options
from gemeval.sample import Prediction, Sample
from gemeval.tasks import load_task

OPTIONS = ["Sinus rhythm", "Sinus bradycardia", "Atrial fibrillation", "Left bundle branch block",
           "Right bundle branch block", "Left ventricular hypertrophy", "Atrial flutter",
           "Atrial fibrillation with rapid ventricular response"]


@pytest.mark.parametrize("text,expected,rule", [
    ("C", "C", "lone"),
    ("(c)", "C", "lone"),
    ("**D**.", "D", "lone"),
    ("Answer: C", "C", "statement"),
    ("The answer is (B).", "B", "statement"),
    ("The correct option is D", "D", "statement"),
    ("Final answer: option E", "E", "statement"),
    ("Option F is correct.", "F", "statement"),
    ("I would choose G", "G", "statement"),
    ("Answer: A. On reflection the correct option is H.", "H", "statement"),
    ("(C) fits the rhythm strip", "C", "marked"),
    ("B. Sinus bradycardia", "B", "marked"),
    ("Probably option D, given the wide QRS", "D", "marked"),
    ("Sinus bradycardia", "B", "option_text"),
    ("The rhythm is atrial fibrillation with rapid ventricular response.", "H", "option_text"),
])
def test_parse_rules(text, expected, rule):
    assert parse_choice_detailed(text, 8, OPTIONS) == (expected, rule)


@pytest.mark.parametrize("text", [
    "Answer: ECG shows a wide QRS",  # no "C" inside "ECG"
    "The ECG is abnormal.",
    "A. Sinus rhythm B. Sinus bradycardia",  # two marked letters: ambiguous
    "Atrial fibrillation or left bundle branch block",  # two option texts
    "The answer is a bundle branch block",  # lower-case article, no option text
    "Answer: I",  # out of range for 8 options
    "",
    "   ",
])
def test_unparsable_answers_give_none_never_a_guess(text):
    assert parse_choice(text, 8, OPTIONS) is None
    assert parse_choice(None, 8) is None


def test_option_text_reads_what_letters_cannot():
    assert parse_choice("Answer: ECG shows sinus rhythm", 8) is None
    assert parse_choice("Answer: ECG shows sinus rhythm", 8, OPTIONS) == "A"


def test_letters_beyond_the_options_do_not_count():
    assert parse_choice("Answer: E", 4) is None
    assert parse_choice("Answer: D", 4) == "D"
    with pytest.raises(ValueError, match="n_options"):
        parse_choice("A", 0)


def _task(tmp_path, kind="mcq", **meta):
    lines = ["task: t", "metadata:", f"  kind: {kind}"] + [f"  {k}: {v}" for k, v in meta.items()]
    path = tmp_path / "t.yaml"
    path.write_text("\n".join(lines) + "\n")
    return load_task(str(path))


def _sample(i, answer="B", options=OPTIONS):
    return Sample(id=f"q{i}", task="t", prompt="Which?", reference={"answer": answer, "options": options})


def test_scorer_counts_unparsed_as_wrong_and_reports_them(tmp_path):
    scorer = MCQScorer(task=_task(tmp_path, n_options=8), mode="gemeval")
    texts = ["B", "Answer: B", "C", "The ECG is abnormal", None, "Sinus bradycardia"]
    preds = [Prediction(f"q{i}", t, error=None if t else "timeout") for i, t in enumerate(texts)]
    rows = [scorer.score(_sample(i), p) for i, p in enumerate(preds)]
    assert [r["mcq.correct"] for r in rows] == [1, 1, 0, None, None, 1]
    assert [r["mcq.score"] for r in rows] == [1, 1, 0, 0, None, 1]
    assert [r["mcq.unparsed"] for r in rows] == [0, 0, 0, 1, None, 0]
    agg = scorer.aggregate(rows, [f"q{i}" for i in range(6)], n_resamples=200)
    assert agg["mcq.accuracy"]["value"] == pytest.approx(3 / 5)
    assert agg["mcq.accuracy"]["n_failed"] == 1 and agg["mcq.accuracy"]["n_unparsed"] == 1
    assert agg["mcq.accuracy"]["per_sample_key"] == "mcq.score"
    assert agg["mcq.accuracy_parsed"]["value"] == pytest.approx(3 / 4)
    assert agg["mcq.accuracy_parsed"]["n_failed"] == 1
    assert agg["mcq.unparsed_rate"]["value"] == pytest.approx(1 / 5)
    assert agg["mcq.unparsed_rate"]["higher_is_better"] is False
    with pytest.raises(ValueError, match="sample 'x'.*'answer'"):
        scorer.score(Sample(id="x", task="t", prompt="", reference={}), Prediction("x", "A"))


def test_compat_mode_reads_the_published_way_and_falls_back_only_when_asked(tmp_path):
    task = _task(tmp_path, n_options=8)
    plain = MCQScorer(task=task, mode="ecgbench-compat")
    row = plain.score(_sample(0, answer="C"), Prediction("q0", "Answer: ECG is abnormal"))
    assert row["mcq.parsed"] == "C" and row["mcq.score"] == 1  # the published "ECG counts as C"
    row = plain.score(_sample(1), Prediction("q1", "Sinus bradycardia"))
    assert row["mcq.parsed"] is None and row.get("mcq.fallback") is None and row["mcq.score"] == 0

    texts = ["no idea"] * 40
    seeded = [MCQScorer(task=task, mode="ecgbench-compat", compat_random_fallback=True, compat_seed=7)
              for _ in range(2)]
    from gemeval.metrics.compat import draw_fallbacks

    # the letters are drawn over the whole run when it is aggregated, in answer-file order
    scored = [[s.score(_sample(i), Prediction(f"q{i}", t)) for i, t in enumerate(texts)] for s in seeded]
    drawn = [draw_fallbacks(rows, 7, 8) for rows in scored]
    assert drawn[0] == drawn[1]
    rng = random.Random(7)
    assert drawn[0] == [rng.choice(list("ABCDEFGH")) for _ in texts]
    rows = [seeded[0].score(_sample(i), Prediction(f"q{i}", t)) for i, t in enumerate(texts)]
    agg = seeded[0].aggregate(rows, [f"q{i}" for i in range(40)], n_resamples=0)
    assert agg["mcq.accuracy"]["unparsed_counted_as"] == "random letter"
    assert agg["mcq.unparsed_rate"]["value"] == 1.0


QA_OPTIONS = ["lead I", "lead II", "lead III", "none"]


@pytest.mark.parametrize("text,answers,correct", [
    ("Lead II", ["lead II"], 1),
    ("lead ii and lead iii.", ["lead II", "lead III"], 1),
    ("lead II", ["lead II", "lead III"], 0),
    ("None of the leads.", ["none"], 1),
    ("no leads", ["none"], 0),
    ("I cannot tell", ["lead I"], 0),
])
def test_qa_set_match(tmp_path, text, answers, correct):
    scorer = QAScorer(task=_task(tmp_path, kind="qa"), mode="gemeval")
    sample = Sample(id="a", task="t", prompt="Which leads? Options: lead I, lead II, lead III, none",
                    reference={"answers": answers, "options": QA_OPTIONS})
    assert scorer.score(sample, Prediction("a", text))["qa.correct"] == correct


def test_qa_helpers_and_aggregate(tmp_path):
    assert normalise_answer("  Lead-II, ") == "lead ii"
    assert predicted_options("atrial fibrillation with RVR", ["atrial fibrillation", "atrial fibrillation with rvr"]) \
        == ["atrial fibrillation with rvr"]
    assert predicted_options("none", ["no", "none"]) == ["none"]
    scorer = QAScorer(task=_task(tmp_path, kind="qa"), mode="gemeval")
    samples = [Sample(id=str(i), task="t", prompt="", reference={"answers": ["yes"], "options": ["yes", "no"]})
               for i in range(4)]
    texts = ["yes", "No.", "maybe", None]
    rows = [scorer.score(s, Prediction(s.id, t, error=None if t else "down")) for s, t in zip(samples, texts)]
    agg = scorer.aggregate(rows, [s.id for s in samples], n_resamples=100)
    assert agg["qa.accuracy"]["value"] == pytest.approx(1 / 3) and agg["qa.accuracy"]["n_failed"] == 1
    assert agg["qa.unmatched_rate"]["value"] == pytest.approx(1 / 3)


def test_qa_compat_uses_the_prompt_candidates(tmp_path):
    scorer = QAScorer(task=_task(tmp_path, kind="qa"), mode="ecgbench-compat")
    sample = Sample(id="a", task="t", prompt="Which leads? Options: lead I, lead II, none",
                    reference={"answers": ["lead II"], "options": ["lead I", "lead II", "none"]})
    # Candidates keep their case while the answer is lower-cased: "lead II" never matches.
    assert scorer.score(sample, Prediction("a", "lead II"))["qa.correct"] == 0
    gemeval = QAScorer(task=_task(tmp_path, kind="qa"), mode="gemeval")
    assert gemeval.score(sample, Prediction("a", "lead II"))["qa.correct"] == 1
