"""Multiple-choice accuracy with deterministic answer parsing and an explicit unparsed count.

``parse_choice`` reads the chosen letter with these rules, in this order; the first rule
that gives exactly one letter decides, and an answer no rule reads is *unparsed* (never a
random letter):

1. ``lone``: the whole answer is one letter, maybe bracketed or bold ("C", "(c)", "**C**.").
2. ``statement``: an explicit statement; the last one in the text wins, as answers tend to
   conclude: "Answer: C", "The answer is (C)", "The correct option is D", "final answer:
   option B", "Option C is correct", "I would choose E".
3. ``marked``: letters written as option labels: "(C)", "[C]", "C.", "C)", "C:", "option
   C". All such marks must name the same letter; two different ones are ambiguous.
4. ``option_text``: the text of exactly one option appears in the answer as a whole phrase
   (case, punctuation and spacing ignored; an option contained in another found option,
   "atrial fibrillation" in "atrial fibrillation with RVR", yields to the longer one).

Letters only count in range (A..H for 8 options) and as whole words: "ECG" is no C, "Answer:
Bradycardia" no B. Bare letters in rules 2-3 must be capitals ("the answer is a sinus
rhythm" names no option); bracketed ones may be lower case.

Accuracy: the headline ``mcq.accuracy`` counts an unparsed answer as wrong (the model did not
give a readable answer); ``mcq.accuracy_parsed`` is over parsed answers only and
``mcq.unparsed_rate`` says how many there were. A failed prediction (model error) is a
failure (``n_failed``) of all three, not a wrong answer.
"""

from __future__ import annotations

import re
import string
from functools import lru_cache
from typing import Any, Sequence

from gemeval.metrics.stats import DEFAULT_RESAMPLES
from gemeval.sample import Prediction, Sample
from gemeval.scoring import aggregate_means
from gemeval.errors import InputError, UsageError

MODES = ("gemeval", "ecgbench-compat")
LINES_KEY = "mcq.lines"
"""Compat rows of earlier answer lines with the same id (``gemeval.metrics.compat.expand_lines``)."""
DEFAULT_N_OPTIONS = 8
LETTERS = string.ascii_uppercase[:DEFAULT_N_OPTIONS]
"""The option letters of the published multiple-choice tasks (A..H): loaders, the synthetic
set, the baseline and the scorers all take them from here."""
_OPTION_MARK = re.compile(r"(?<![A-Za-z0-9])\(?([A-H])(?:[.)]|:(?=\s))\s*")


def parse_options(question: str) -> list[str]:
    """The lettered options of a multiple-choice question, in letter order.

    Reads the part after the last "Options:" (the whole text if there is none) and finds
    the markers ``A.``, ``A)``, ``(A)`` or ``A:``, in sequence from A: each option's text
    runs to the next letter's marker; the last one to the end of its line. Works for one
    option per line and for inline lists ("A. Anterior wall B. Lateral wall", "A) x; B) y").
    Returns [] when fewer than two options are found.
    """
    _, sep, tail = question.rpartition("Options:")
    text = tail if sep else question
    marks: list[re.Match[str]] = []
    expected = 0
    for match in _OPTION_MARK.finditer(text):
        if expected < len(LETTERS) and match.group(1) == LETTERS[expected]:
            marks.append(match)
            expected += 1
    if len(marks) < 2:
        return []
    options: list[str] = []
    for i, mark in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        body = text[mark.end():end]
        if i + 1 == len(marks):
            body = body.strip().split("\n", 1)[0]
        options.append(body.strip().rstrip(";,").strip())
    return options


@lru_cache(maxsize=32)
def _patterns(n_options: int) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    if not 1 <= n_options <= 26:
        raise ValueError(f"n_options must be between 1 and 26, got {n_options}")
    upper = string.ascii_uppercase[:n_options]
    letters = f"{upper}{upper.lower()}"

    def letter(tag: str) -> str:
        return (
            rf"(?:\*\*)?(?:(?-i:(?P<bare{tag}>[{upper}]))|[\(\[](?P<bracketed{tag}>[{letters}])[\)\]])(?:\*\*)?"
            r"(?![A-Za-z0-9])"
        )

    lone = re.compile(rf"[\s*_`'\"]*(?:(?P<bare>[{letters}])|[\(\[](?P<bracketed>[{letters}])[\)\]])[\s*_`'\".:)]*")
    statement = re.compile(
        rf"\b(?:(?:final|correct|right|best)\s+)?answer\s*(?:is|would\s+be|should\s+be|=|:|-)?\s*"
        rf"(?:(?:option|choice|letter)\s*)?{letter('1')}"
        rf"|\b(?:correct|right|best)\s+(?:option|choice)\s*(?:is|would\s+be|=|:|-)?\s*{letter('2')}"
        rf"|\b(?:option|choice)\s*{letter('3')}\s+is\s+(?:the\s+)?(?:correct|right|best|most\s+likely)"
        rf"|\bI\s+(?:would\s+)?(?:choose|select|pick)\s+(?:(?:option|choice)\s*)?{letter('4')}",
        re.IGNORECASE,
    )
    marked = re.compile(
        rf"(?<![A-Za-z0-9])(?:[\(\[](?P<bracketed>[{letters}])[\)\]]|(?-i:(?P<dotted>[{upper}]))[.):](?=\s|$)"
        rf"|(?:option|choice)\s+(?-i:(?P<named>[{upper}]))(?![A-Za-z0-9]))",
        re.IGNORECASE,
    )
    return lone, statement, marked


def _letter(match: re.Match[str]) -> str:
    return next(v for v in match.groupdict().values() if v).upper()


def _normalise(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def _by_option_text(text: str, options: Sequence[str]) -> str | None:
    haystack = f" {_normalise(text)} "
    found = {}
    for i, option in enumerate(options):
        norm = _normalise(option)
        if norm and f" {norm} " in haystack:
            found[i] = norm
    # An option found only inside a longer found option yields to it.
    kept = [i for i, norm in found.items()
            if not any(other != norm and f" {norm} " in f" {other} " for other in found.values())]
    return string.ascii_uppercase[kept[0]] if len(kept) == 1 else None


def parse_choice_detailed(
    text: str | None, n_options: int, options: Sequence[str] | None = None
) -> tuple[str | None, str | None]:
    """(letter, rule) read from ``text``; (None, None) when no rule gives exactly one letter."""
    if not text or not text.strip():
        return None, None
    lone, statement, marked = _patterns(n_options)
    m = lone.fullmatch(text)
    if m:
        return _letter(m), "lone"
    statements = list(statement.finditer(text))
    if statements:
        return _letter(statements[-1]), "statement"
    marks = {_letter(m) for m in marked.finditer(text)}
    if len(marks) == 1:
        return marks.pop(), "marked"
    if not marks and options:
        letter = _by_option_text(text, list(options)[:n_options])
        if letter:
            return letter, "option_text"
    return None, None


def parse_choice(text: str | None, n_options: int, options: Sequence[str] | None = None) -> str | None:
    """The option letter an answer chooses, by the rules of the module docstring, or None."""
    return parse_choice_detailed(text, n_options, options)[0]


class MCQScorer:
    """Single-answer multiple choice.

    Gold: ``sample.reference["answer"]`` (a letter) and ``sample.reference["options"]`` (the
    option texts, used by the option-text rule and for the number of options; else the
    task's ``n_options``, else 8).

    Per-sample fields: ``mcq.parsed`` (letter or None), ``mcq.rule`` (which rule read it),
    ``mcq.correct`` (1/0; None when unparsed), ``mcq.score`` (1/0 with unparsed as 0),
    ``mcq.unparsed`` (1/0); all None for a failed prediction. In ``ecgbench-compat`` mode
    the letter comes from ``gemeval.metrics.compat.extract_choice``, and with
    ``compat_random_fallback=True`` an unparsed answer gets a random letter (seed
    ``compat_seed``, default 42) in ``mcq.fallback``, which ``mcq.score`` judges.
    """

    name = "mcq"

    def __init__(self, task, mode: str = "gemeval", compat_random_fallback: bool = False,
                 compat_seed: int | None = None, **options: Any):
        if mode not in MODES:
            raise UsageError(f"scoring mode must be one of {', '.join(MODES)}, got {mode!r}")
        self.task = task
        self.mode = mode
        self.n_options = int(task.options.get("n_options") or DEFAULT_N_OPTIONS)
        self.fallback = None
        if mode == "ecgbench-compat" and compat_random_fallback:
            from gemeval.metrics.compat import DEFAULT_SEED, RandomFallback

            self.fallback = RandomFallback(DEFAULT_SEED if compat_seed is None else int(compat_seed))

    def _gold(self, sample: Sample) -> tuple[str, list[str] | None, int]:
        answer = sample.reference.get("answer")
        options = sample.reference.get("options")
        if not isinstance(answer, str) or not answer.strip():
            raise InputError(
                f"sample {sample.id!r} of task {sample.task!r}: reference has no 'answer' letter; "
                "check the data loader"
            )
        opts = [str(o) for o in options] if isinstance(options, (list, tuple)) and options else None
        n = len(opts) if opts else self.n_options
        return answer.strip()[0].upper(), opts, n

    def score(self, sample: Sample, prediction: Prediction) -> dict[str, Any]:
        gold, options, n = self._gold(sample)
        if self.mode == "ecgbench-compat":
            from gemeval.metrics.compat import answer_order, answer_text, line_texts

            text = answer_text(prediction)
            if text is not None:
                row = self._score_compat(text, sample, answer_order(prediction))
                earlier = [self._score_compat(t, sample, order) for t, order in line_texts(prediction)]
                if earlier:
                    row[LINES_KEY] = earlier
                return row
        if not prediction.ok:
            return {"mcq.parsed": None, "mcq.rule": None, "mcq.correct": None, "mcq.score": None, "mcq.unparsed": None}
        letter, rule = parse_choice_detailed(prediction.text, n, options)
        correct = None if letter is None else int(letter == gold)
        return {"mcq.parsed": letter, "mcq.rule": rule, "mcq.correct": correct,
                "mcq.score": correct or 0, "mcq.unparsed": int(letter is None)}

    def _score_compat(self, text: str, sample: Sample, order: int | None) -> dict[str, Any]:
        """The published reading; an unparsed answer scores 0 here and gets its random
        letter (with the fallback on) in :meth:`aggregate`, where the draws are made in
        answer-file order over the whole run, as the published script makes them."""
        from gemeval.metrics.compat import extract_choice, gold_letter

        gold = gold_letter(sample)
        letter = extract_choice(text)
        return {"mcq.parsed": letter, "mcq.gold": gold, "mcq.order": order,
                "mcq.correct": None if letter is None else int(letter == gold),
                "mcq.score": int(letter == gold), "mcq.unparsed": int(letter is None)}

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
        if self.fallback is not None:
            from gemeval.metrics.compat import draw_fallbacks

            # the published script draws among the task's letters (A-D for MMMU-ECG, even
            # for an item with a fifth option), one draw per unparsed answer in file order
            drawn = draw_fallbacks(rows, self.fallback.seed, self.n_options)
            rows = [dict(row, **{"mcq.fallback": letter, "mcq.score": int(letter == row.get("mcq.gold"))})
                    if letter is not None else row for row, letter in zip(rows, drawn)]
        stats = aggregate_means(rows, groups, {"mcq.score": True, "mcq.correct": True, "mcq.unparsed": False},
                                seed=seed, n_resamples=n_resamples)
        n_unparsed = sum(1 for row in rows if row.get("mcq.unparsed") == 1)
        n_failed = stats["mcq.score"]["n_failed"]
        out = {
            "mcq.accuracy": {**stats["mcq.score"], "per_sample_key": "mcq.score", "n_unparsed": n_unparsed,
                             "unparsed_counted_as": "wrong", "mode": self.mode},
            "mcq.accuracy_parsed": {**stats["mcq.correct"], "per_sample_key": "mcq.correct", "mode": self.mode},
            "mcq.unparsed_rate": {**stats["mcq.unparsed"], "per_sample_key": "mcq.unparsed", "mode": self.mode},
        }
        # Unparsed answers are in accuracy_parsed's None count; only model errors are failures.
        out["mcq.accuracy_parsed"]["n_failed"] = n_failed
        out["mcq.accuracy_parsed"]["n_unparsed"] = n_unparsed
        if n_repeated:
            for entry in out.values():
                entry["n_repeated_lines"] = n_repeated
        if self.fallback is not None:
            out["mcq.accuracy"]["random_fallback_seed"] = self.fallback.seed
            out["mcq.accuracy"]["unparsed_counted_as"] = "random letter"
        return out
