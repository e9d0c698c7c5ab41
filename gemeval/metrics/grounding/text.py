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
from dataclasses import dataclass, field
from typing import Iterable

import ahocorasick

ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)

SENTENCE_END_CHARS = ".;!?\n"

NOT_SENTENCE_END_BEFORE: tuple[str, ...] = ("approx", " ca", "vs", "e.g", "i.e", "max", "dr")
"""A point after these is an abbreviation's, not a sentence end; nor is a decimal point."""


def starts_word(text: str, pos: int) -> bool:
    """Whether a word starts at ``pos``: no letter, digit or underscore before it, nor an
    apostrophe inside a word ("don't", "it's"); an opening quote starts one ("'AFIB'")."""
    if pos == 0:
        return True
    before = text[pos - 1]
    if before in "'’":
        return pos == 1 or not text[pos - 2].isalnum()
    return not (before.isalnum() or before == "_")


def word_matches(pattern: re.Pattern[str], text: str) -> list[re.Match[str]]:
    """The non-empty matches of ``pattern`` that start a word (``starts_word``)."""
    out = []
    for m in pattern.finditer(text):
        start = m.start()
        if m.end() > start and starts_word(text, start):
            out.append(m)
    return out


def word_before(lowered: str, end: int, words: tuple[str, ...]) -> tuple[str, int] | None:
    """The word of ``words`` that ends ``lowered[:end]`` (spaces ignored), whole, and where
    it starts."""
    return word_ending(lowered, stripped_end(lowered, end), words)


def stripped_end(lowered: str, end: int) -> int:
    """Where ``lowered[:end]`` ends without its trailing spaces (looked for 32 characters
    back at most)."""
    window_start = end - 32 if end > 32 else 0
    return window_start + len(lowered[window_start:end].rstrip())


def word_ending(lowered: str, head_end: int, words: tuple[str, ...]) -> tuple[str, int] | None:
    """The first word of ``words`` that ends at ``head_end``, whole (words up to 26
    characters), and where it starts."""
    if not lowered.endswith(words, head_end - 26 if head_end > 26 else 0, head_end):
        return None
    for word in words:
        if lowered.endswith(word, 0, head_end):
            start = head_end - len(word)
            if not word[0].isalpha() or starts_word(lowered, start):
                return word, start
    return None


_POINT_RE = re.compile(r"\.(?![0-9])")
"""A point not followed by an ASCII digit. Most points of a lead-by-lead text are decimal
points ("R wave 1.20 mV"): left out in one scan, they are not each checked in Python."""


QUERY_MARK_RE = re.compile(r"(?<![\w?])\?(?=[a-z])|(?:(?<=[,;(\n])|(?<=[,;(] )|(?<![\s\S]))\?[ \t]+(?=[a-z])")
"""A clinician's query written before a finding ("?AF", "HR 112, ?LVH", "Q waves III/aVF, ?
old IMI", "? LVH" opening a line: set off after a comma, semicolon, parenthesis or a line's
start, unlike a question's mark, which follows its last word, with a space or not: "Is there
ST elevation in V2 ? probably not"): a hedge, no question's end."""


def sentence_ends(text: str, lowered: str) -> list[int]:
    """Offsets of the characters that end a sentence, decimal points, the points of
    abbreviations and query marks ("?AF") left out."""
    ends = []
    candidates = char_positions(text, SENTENCE_END_CHARS.replace(".", ""))
    candidates += [m.start() for m in _POINT_RE.finditer(text)]
    candidates.sort()
    for i in candidates:
        if text[i] == "." and ((i + 1 < len(text) and text[i + 1].isdigit())
                               or lowered.endswith(NOT_SENTENCE_END_BEFORE, max(0, i - 6), i)
                               or lowered.startswith(("i.e.", "e.g."), i - 1)):
            continue
        if text[i] == "?" and QUERY_MARK_RE.match(lowered, i):
            continue
        ends.append(i)
    return ends


def at_word_start(pattern: str, not_after: str = "[a-z]") -> str:
    """``(?<!not_after)pattern`` written with the lookbehind after the pattern's first
    character, so that the pattern still starts with a literal ``re`` can skip ahead to
    (see the module docstring); ``pattern`` must start with a letter."""
    first = pattern[0]
    if not first.isalpha():
        raise ValueError(f"at_word_start needs a pattern that starts with a letter, not {pattern!r}")
    return f"{first}(?<!{not_after}{first}){pattern[1:]}"


def words_at_start(*alternatives: str) -> str:
    """``(?<![a-z])(?:a|b|...)`` written as ``at_word_start`` writes each alternative (each
    must start with a letter), so that ``re`` skips ahead to their first letters instead of
    trying the lookbehind at every character (twice as fast on a text's whole length)."""
    return "(?:" + "|".join(at_word_start(alternative) for alternative in alternatives) + ")"


def tagged_alternatives(table: Iterable[tuple[str, str]]) -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern of the (tag, pattern) alternatives, tried in order, and what the
    ``lastgroup`` of its match stands for: the tag of the alternative that matched. Each
    alternative should start with a literal (see ``at_word_start``)."""
    tags = {}
    parts = []
    for i, (tag, pattern) in enumerate(table):
        tags[f"_{i}"] = tag
        parts.append(f"{pattern}(?P<_{i}>)")
    return re.compile("|".join(parts)), tags


def char_positions(text: str, chars: str) -> list[int]:
    """Where any of ``chars`` is in ``text``, in order (as a ``[...]`` pattern would find
    them; ``str.find`` skips ahead to each character, which ``re`` does not for a class)."""
    out = []
    for char in chars:
        i = text.find(char)
        while i >= 0:
            out.append(i)
            i = text.find(char, i + 1)
    out.sort()
    return out


def split_alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a regular expression, with a leading group of
    alternatives or class of letters expanded ("(?:left|right) axis" -> "left axis", "right
    axis"; "[PT] axis" -> "P axis", "T axis"), so that each starts with a literal ``re`` can
    skip ahead to (see the module docstring)."""
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


_LEADING_LETTERS_RE = re.compile(r"\[([A-Za-z]+)\](?![?*+{])")


def _expand_leading_group(pattern: str) -> list[str]:
    letters = _LEADING_LETTERS_RE.match(pattern)
    if letters is not None:  # "[PT] axis" -> "P axis", "T axis"
        return [letter + pattern[letters.end():] for letter in letters.group(1)]
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


_META = frozenset(".^$*+?{}[]|()\\")
_CLASS_ESCAPES = frozenset("sSdDwWbBAZ0123456789")


def _atom_end(pattern: str, i: int) -> int:
    """Where the atom starting at ``pattern[i]`` ends: a group, a character class, an
    escape or one character."""
    ch = pattern[i]
    if ch == "\\":
        return i + 2
    if ch == "[":
        j = i + 1
        if pattern[j:j + 1] == "^":
            j += 1
        if pattern[j:j + 1] == "]":
            j += 1
        while pattern[j] != "]":
            j += 2 if pattern[j] == "\\" else 1
        return j + 1
    if ch == "(":
        depth, j = 0, i
        while True:
            c = pattern[j]
            if c == "\\":
                j += 2
                continue
            if c == "[":
                j = _atom_end(pattern, j)
                continue
            depth += (c == "(") - (c == ")")
            j += 1
            if depth == 0:
                return j
    return i + 1


def _quantifier_end(pattern: str, i: int) -> int:
    if pattern[i:i + 1] in ("?", "*", "+"):
        i += 1
    elif pattern[i:i + 1] == "{":
        i = pattern.index("}", i) + 1
    else:
        return i
    return i + 1 if pattern[i:i + 1] in ("?", "+") else i  # lazy or possessive


def required_literal(pattern: str) -> str:
    """The longest text every match of ``pattern`` contains (two characters or more), or
    "" when there is none: a text without it cannot match, so the pattern is not run.

    Only the pattern's top-level sequence is read: literal characters (and escaped
    punctuation) that no quantifier makes optional; groups, classes, escapes such as
    \\s or \\b and quantified atoms end a run. A pattern with a top-level alternative
    or inline flags has none."""
    if "(?i" in pattern or "(?a" in pattern:
        return ""
    runs, run, i = [], "", 0
    while i < len(pattern):
        if pattern[i] == "|":
            return ""
        end = _atom_end(pattern, i)
        atom = pattern[i:end]
        after = _quantifier_end(pattern, end)
        if len(atom) == 1 and atom not in _META:
            char = atom
        elif len(atom) == 2 and atom[0] == "\\" and atom[1] not in _CLASS_ESCAPES and not atom[1].isalnum():
            char = atom[1]
        else:
            char = ""
        if char and after == end:
            run += char
        else:
            if char and pattern[end] == "+":
                run += char  # at least one
            runs.append(run)
            run = ""
        i = after
    runs.append(run)
    best = max(runs, key=len)
    return best if len(best) >= 2 else ""


_TABLE_RULE_RE = re.compile(r"\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_REFERENCE_HEADER_RE = re.compile(
    r"(?<![a-z])(?:normal|reference|ref\.?|typical|expected|usual|ranges?|limits?|cut-?offs?|thresholds?)(?![a-z])")
_VALUE_HEADER_RE = re.compile(r"(?<![a-z])(?:value|measured|measurement|estimate|result|finding|this|patient)")


def _cells(line: str, offset: int) -> list[tuple[int, int]]:
    """The cells of a table row (start, end in the text), the outer bars left out."""
    bars = [offset + i for i, ch in enumerate(line) if ch == "|"]
    edges = ([offset - 1] if not line.lstrip().startswith("|") else []) + bars
    if not line.rstrip().endswith("|"):
        edges.append(offset + len(line))
    return [(a + 1, b) for a, b in zip(edges, edges[1:])]


@dataclass(slots=True)
class Table:
    """A markdown table: its header cells and the cells of each row below the rule line,
    as (start, end) offsets in the text, the outer bars left out."""
    header: list[tuple[int, int]]
    rows: list[list[tuple[int, int]]] = field(default_factory=list)


def markdown_tables(text: str, lowered: str) -> list[Table]:
    """The markdown tables of a text (a header row, a rule line of dashes, rows); empty for a
    text without one."""
    if "|" not in text or "--" not in text:
        return []
    lines: list[tuple[int, str]] = []
    offset = 0
    for line in lowered.split("\n"):
        lines.append((offset, line))
        offset += len(line) + 1
    tables: list[Table] = []
    table: Table | None = None
    for i, (offset, line) in enumerate(lines):
        if "|" not in line:
            table = None
        elif _TABLE_RULE_RE.match(line) and i > 0 and "|" in lines[i - 1][1]:
            table = Table(_cells(lines[i - 1][1], lines[i - 1][0]))
            tables.append(table)
        elif table is not None:
            table.rows.append(_cells(line, offset))
    return tables


def table_reference_cells(tables: list[Table], lowered: str) -> list[tuple[int, int]]:
    """The cells of table columns whose header names a reference ("Normal range",
    "Reference", "Typical adult range"): what they hold are reference values, not findings
    of this ECG."""
    out: list[tuple[int, int]] = []
    for table in tables:
        columns = {k for k, (a, b) in enumerate(table.header)
                   if _REFERENCE_HEADER_RE.search(lowered, a, b) and not _VALUE_HEADER_RE.search(lowered, a, b)}
        if columns:
            out.extend(cell for row in table.rows for k, cell in enumerate(row) if k in columns)
    return out


_GATES: set[str] = set()
"""Every literal registered by ``gate``."""


def gate(*literals: str) -> frozenset[str]:
    """Literals one of which a rule needs in a lowered text before it reads it (a cheap test
    that keeps most texts off the rule), registered so that one pass over the text
    (``text_literals``) finds all the rules' literals at once: a text is then tested with
    ``not found.isdisjoint(gate)`` instead of a scan of the text per literal (a missing
    literal costs a scan of the whole text; dozens of them were a twentieth of the time
    of the extraction). Each literal must be non-empty and lowered as the text is
    (``ASCII_LOWER``): one that could never be found would keep its rule off every text."""
    for literal in literals:
        if not literal or literal.translate(ASCII_LOWER) != literal:
            raise ValueError(f"a gate's literal must be non-empty and lower-case, not {literal!r}")
    _GATES.update(literals)
    return frozenset(literals)


_NOT_LETTERS = str.maketrans(dict.fromkeys(string.digits + string.punctuation + string.whitespace, " "))


def distinct_words(lowered: str) -> str:
    """The distinct words of a lowered text, joined by spaces: a literal of ASCII letters is
    in the text if and only if it is in these (a third as long)."""
    return " ".join(set(lowered.translate(_NOT_LETTERS).split()))


def _is_word(literal: str) -> bool:
    return literal.isascii() and literal.isalpha()


_AUTOMATA: tuple[int, ahocorasick.Automaton, ahocorasick.Automaton] | None = None
"""The gates' literals as two Aho-Corasick automata, with how many literals they hold: those
of ASCII letters, run over the distinct words, and the others (spaces, punctuation,
digits), run over the text."""


def _automata() -> tuple[int, ahocorasick.Automaton, ahocorasick.Automaton]:
    """``_AUTOMATA``, made again when a literal was registered after they were made (each
    made whole before it is shared: a thread never sees one half made)."""
    global _AUTOMATA
    built = _AUTOMATA
    if built is None or built[0] != len(_GATES):
        literals = sorted(_GATES)
        words, others = ahocorasick.Automaton(), ahocorasick.Automaton()
        for literal in literals:
            (words if _is_word(literal) else others).add_word(literal, literal)
        for automaton in (words, others):
            if len(automaton):
                automaton.make_automaton()
        built = _AUTOMATA = (len(literals), words, others)
    return built


def text_literals(lowered: str) -> set[str]:
    """The literals registered by ``gate`` that are in ``lowered``."""
    _, word_literals, other_literals = _automata()
    words = distinct_words(lowered)
    found = {literal for _, literal in word_literals.iter(words)} if words and len(word_literals) else set()
    if len(other_literals):
        found.update([literal for _, literal in other_literals.iter(lowered)])
    return found

