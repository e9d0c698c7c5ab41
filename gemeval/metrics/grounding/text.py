"""Text helpers of the claim reader: an ASCII lower-casing that keeps offsets, word
starts, words read backwards from a position, and sentence ends.

Speed: every pattern of the reader starts with a literal (never with \\b or a
lookbehind), so ``re`` skips ahead to candidate characters instead of trying every
position (50x faster on these texts); where a match must start a word, ``starts_word``
checks it. Patterns marked "lowered" are written in lower case and run on an ASCII-lowered
copy of the text (same offsets), which is faster than re.IGNORECASE.
"""

from __future__ import annotations

import re
import string
from typing import Iterable

ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)

SENTENCE_END_CHAR_RE = re.compile(r"[.;!?\n]")

NOT_SENTENCE_END_BEFORE: tuple[str, ...] = ("approx", " ca", "vs", "e.g", "i.e", "max", "dr")
"""A point after these is an abbreviation's, not a sentence end; nor is a decimal point."""


def starts_word(text: str, pos: int) -> bool:
    return pos == 0 or not (text[pos - 1].isalnum() or text[pos - 1] in "_'’")


def word_matches(pattern: re.Pattern[str], text: str) -> Iterable[re.Match[str]]:
    return (m for m in pattern.finditer(text) if m.end() > m.start() and starts_word(text, m.start()))


def word_before(lowered: str, end: int, words: tuple[str, ...]) -> tuple[str, int] | None:
    """The word of ``words`` that ends ``lowered[:end]`` (spaces ignored), whole, and where
    it starts."""
    window_start = max(0, end - 32)
    head_end = window_start + len(lowered[window_start:end].rstrip())
    if not lowered.endswith(words, max(0, head_end - 16), head_end):
        return None
    for word in words:
        if lowered.endswith(word, 0, head_end):
            start = head_end - len(word)
            if not word[0].isalpha() or starts_word(lowered, start):
                return word, start
    return None


def sentence_ends(text: str, lowered: str) -> list[int]:
    """Offsets of the characters that end a sentence, decimal points and the points of
    abbreviations left out."""
    ends = []
    for m in SENTENCE_END_CHAR_RE.finditer(text):
        i = m.start()
        if text[i] == "." and ((i + 1 < len(text) and text[i + 1].isdigit())
                               or lowered.endswith(NOT_SENTENCE_END_BEFORE, max(0, i - 6), i)):
            continue
        ends.append(i)
    return ends


def split_alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a regular expression, with a leading group of
    alternatives expanded ("(?:left|right) axis" -> "left axis", "right axis"), so that each
    starts with a literal ``re`` can skip ahead to (see the module docstring)."""
    parts, depth, start, i, in_class = [], 0, 0, 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    if len(parts) == 1:
        return _expand_leading_group(parts[0])
    return [q for p in parts for q in split_alternatives(p)]


def _expand_leading_group(pattern: str) -> list[str]:
    if not pattern.startswith("(?:"):
        return [pattern]
    depth, i = 0, 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0:
            break
        i += 1
    rest = pattern[i + 1:]
    if rest[:1] in ("?", "*", "+", "{"):
        return [pattern]
    inner = split_alternatives(pattern[3:i])
    return [alt + rest for alt in inner] if len(inner) > 1 else [pattern]


_PREFIX_RE = re.compile(r"[A-Za-z0-9 ]+")


def literal_prefix(pattern: str) -> str:
    """The literal text every match of ``pattern`` starts with (letters, digits, spaces),
    or "" when there is none: a text without it cannot match."""
    m = _PREFIX_RE.match(pattern)
    if m is None:
        return ""
    prefix = m.group()
    if pattern[m.end():m.end() + 1] in ("?", "*", "{"):
        prefix = prefix[:-1]
    return prefix if len(prefix) >= 2 else ""
