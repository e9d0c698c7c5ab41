"""ECG-QA-style questions answered with one or more of the given option texts.

gemeval rule: the predicted answer set is the options that occur in the answer as whole
phrases after normalisation (lower case; punctuation and runs of spaces become one space),
dropping an option found only inside a longer found option ("lead v1" inside "lead v1
and v2" stays, "no" never matches inside "none"). The item is correct when that set equals
the set of reference answers, normalised the same way. An answer that names no option is
wrong and counted in ``qa.unmatched_rate``.

Gold: ``sample.reference["answers"]`` (a list of option texts, or one text) and
``sample.reference["options"]``. Without options, the normalised answer must equal one
normalised reference answer.

``ecgbench-compat`` applies the published rule (``gemeval.metrics.compat``): candidates
from the prompt's "Options:" list (or ``reference["options"]`` when the prompt has none),
case-sensitive substring search in the lower-cased answer, set equality with the raw
reference (``reference["raw_answer"]`` when the loader keeps it, else ``answers``).
"""

from __future__ import annotations

import re
from typing import Any, Sequence

from gemeval.metrics.stats import DEFAULT_RESAMPLES
from gemeval.sample import Prediction, Sample
from gemeval.scoring import aggregate_means
from gemeval.errors import InputError, UsageError

MODES = ("gemeval", "ecgbench-compat")
LINES_KEY = "qa.lines"
"""Compat rows of earlier answer lines with the same id (``gemeval.metrics.compat.expand_lines``)."""


def normalise_answer(text: str) -> str:
    """Lower case, every run of non-alphanumerics one space, stripped."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.lower()).split())


def predicted_options(text: str, options: Sequence[str]) -> list[str]:
    """The options an answer names as whole phrases, longest wins (module docstring)."""
    haystack = f" {normalise_answer(text)} "
    found = [o for o in options if normalise_answer(o) and f" {normalise_answer(o)} " in haystack]
    norm = {o: normalise_answer(o) for o in found}
    return [
        o for o in found
        if not any(p != o and norm[p] != norm[o] and f" {norm[o]} " in f" {norm[p]} " for p in found)
    ]


def _answers(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return []


class QAScorer:
    """Accuracy by set match; per-sample ``qa.predicted``, ``qa.correct`` (1/0) and
    ``qa.unmatched`` (1 when the answer names no option), all None for a failed prediction."""

    name = "qa"

    def __init__(self, task, mode: str = "gemeval", compat_variant: str | None = None, **options: Any):
        if mode not in MODES:
            raise UsageError(f"scoring mode must be one of {', '.join(MODES)}, got {mode!r}")
        self.task = task
        self.mode = mode
        self.compat_variant = compat_variant  # "gem": GEM's own set-of-characters rule

    def score(self, sample: Sample, prediction: Prediction) -> dict[str, Any]:
        answers = _answers(sample.reference.get("answers", sample.reference.get("answer")))
        if not answers:
            raise InputError(
                f"sample {sample.id!r} of task {sample.task!r}: reference has no 'answers'; "
                "check the data loader"
            )
        options = [str(o) for o in sample.reference.get("options") or []]
        if self.mode == "ecgbench-compat":
            from gemeval.metrics import compat

            text = compat.answer_text(prediction)
            if text is None:
                return {"qa.predicted": None, "qa.correct": None, "qa.unmatched": None}
            row = self._score_compat(text, sample, options)
            earlier = [self._score_compat(t, sample, options) for t, _ in compat.line_texts(prediction)]
            if earlier:
                row[LINES_KEY] = earlier
            return row
        answer = prediction.text
        if not prediction.ok or answer is None:
            return {"qa.predicted": None, "qa.correct": None, "qa.unmatched": None}
        gold = {normalise_answer(a) for a in answers}
        if options:
            predicted = predicted_options(answer, options)
            correct = {normalise_answer(p) for p in predicted} == gold
        else:
            predicted = [answer] if normalise_answer(answer) in gold else []
            correct = bool(predicted)
        return {"qa.predicted": predicted, "qa.correct": int(correct), "qa.unmatched": int(not predicted)}

    def _score_compat(self, text: str, sample: Sample, options: list[str]) -> dict[str, Any]:
        """The published reading of one answer line (``gemeval.metrics.compat``)."""
        from gemeval.metrics import compat

        candidates = compat.qa_candidates(sample.prompt) if compat.QA_OPTIONS in sample.prompt else options
        predicted = compat.qa_predicted(text, candidates)
        raw = sample.reference.get("raw_answer", sample.reference.get("answers"))
        if raw is None:
            raise InputError(f"sample {sample.id!r}: its reference has no raw_answer or answers to score against")
        rule = compat.qa_correct_gem if self.compat_variant == "gem" else compat.qa_correct
        return {"qa.predicted": predicted, "qa.correct": rule(predicted, raw), "qa.unmatched": int(not predicted)}

    def aggregate(
        self, rows: Sequence[dict[str, Any]], groups: Sequence[str], seed: int = 0,
        n_resamples: int = DEFAULT_RESAMPLES,
    ) -> dict[str, dict[str, Any]]:
        n_repeated = 0
        if self.mode == "ecgbench-compat":
            from gemeval.metrics.compat import expand_lines

            n_rows = len(rows)
            rows, groups = expand_lines(rows, groups, LINES_KEY)
            n_repeated = len(rows) - n_rows
        stats = aggregate_means(rows, groups, {"qa.correct": True, "qa.unmatched": False},
                                seed=seed, n_resamples=n_resamples)
        out = {
            "qa.accuracy": {**stats["qa.correct"], "per_sample_key": "qa.correct", "mode": self.mode},
            "qa.unmatched_rate": {**stats["qa.unmatched"], "per_sample_key": "qa.unmatched", "mode": self.mode},
        }
        if n_repeated:
            for entry in out.values():
                entry["n_repeated_lines"] = n_repeated
        return out
