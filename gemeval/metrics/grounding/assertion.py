"""Assertion of a claim: whether the text affirms or denies it (negation cues scoped by
clause)."""

from __future__ import annotations

import bisect
import re

from gemeval.metrics.grounding.text import starts_word, word_matches

NEGATION_RE = re.compile(
    r"no\b|not\b|without\b|absence\s+of\b|absent\b|negative\s+for\b|free\s+of\b|rules?\s+out\b"
    r"|ruled\s+out\b|neither\b|nor\b|lack\s+of\b|lacks\b"
)

CLAUSE_BREAK_RE = re.compile(r"[,:()]|but\b|however\b|although\b|though\b|whereas\b|while\b|with\b|which\b|except\b")

NEGATION_WINDOW_CHARS = 40
"""How far before a claim a negation is looked for (within its clause)."""


def negation_cues(lowered: str) -> list[int]:
    """Where the negation cues of a (lowered) text start."""
    return [m.start() for m in word_matches(NEGATION_RE, lowered)]


def clause_breaks(lowered: str) -> list[int]:
    """Where the clauses of a (lowered) text end (after a comma, "but", "which", ...)."""
    return [m.end() for m in CLAUSE_BREAK_RE.finditer(lowered)
            if not m.group()[0].isalpha() or starts_word(lowered, m.start())]


def negated_before(cues: list[int], breaks: list[int], sentence_start: int, pos: int) -> bool:
    """A negation cue in the same clause as ``pos``, at most ``NEGATION_WINDOW_CHARS``
    before it and after ``sentence_start``."""
    start = max(sentence_start, pos - NEGATION_WINDOW_CHARS)
    i = bisect.bisect_left(cues, pos) - 1
    if i < 0 or cues[i] < start:
        return False
    j = bisect.bisect_left(breaks, pos) - 1
    return j < 0 or breaks[j] <= cues[i]
