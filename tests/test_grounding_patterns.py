"""The claim reader's pattern helpers: each shortcut taken for speed finds exactly what the
plain form it stands for finds."""

from __future__ import annotations

import dataclasses
import inspect
import math
import re
import string
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gemeval.metrics.grounding import extraction, leads
from gemeval.metrics.grounding import text as grounding_text
from gemeval.metrics.grounding.assertion import _PHRASE_GAP, _TABLE, _dashes, read_cues
from gemeval.metrics.grounding.claims import Claim, new_claim
from gemeval.metrics.grounding.numbers import _UNIT, NUMBER_TAIL_RE, decimal_points
from gemeval.metrics.grounding.corpus import load_corpus
from gemeval.metrics.grounding.text import (
    ASCII_LOWER,
    at_word_start,
    char_positions,
    required_literal,
    sentence_ends,
    split_alternatives,
    tagged_alternatives,
)

BOUNDED = settings(max_examples=300, deadline=None)
DEV = Path(__file__).parent / "data" / "grounding_dev"


def _corpus_texts() -> list[str]:
    return [item.text for item in load_corpus(DEV)]


@pytest.mark.parametrize(("pattern", "literal"), [
    (r"a-?flutter\b", "flutter"),
    (r"(?:ventricular\s+)?response\s+is\s+irregular\b", "irregular"),
    (r"[PT][- ]axis\b", "axis"),
    (r"qtc\s*\(\s*fridericia", "fridericia"),
    (r"ab+c", "ab"),
    (r"abc?d", "ab"),
    (r"x{2}yz", "yz"),
    (r"R'", "R'"),
    (r"R(?=\s*V1)", ""),  # one letter is no needle
    (r"ab|cd", ""),  # a top-level alternative: neither is in every match
    (r"(?i)abc", ""),  # case folded: the literal is not
])
def test_required_literal_is_text_every_match_contains(pattern: str, literal: str) -> None:
    assert required_literal(pattern) == literal


def test_every_keyword_and_finding_match_in_the_corpus_contains_its_needle() -> None:
    """A text without a pattern's needle, or without one of its other literals, is not
    scanned: that must never drop a match."""
    texts = _corpus_texts()
    checked = 0
    for text in texts:
        lowered = text.translate(ASCII_LOWER)
        for _, pattern, on_lowered, needle in extraction._KEYWORDS:
            for m in pattern.finditer(lowered if on_lowered else text):
                assert needle in m.group() or not needle, (pattern.pattern, m.group())
                checked += 1
        for _, _, pattern, needle, others in extraction._CATEGORICAL:
            for m in pattern.finditer(lowered):
                assert needle in m.group() or not needle, (pattern.pattern, m.group())
                assert all(other in m.group() for other in others), (pattern.pattern, m.group())
                checked += 1
    assert checked > 1000


@pytest.mark.parametrize("pattern, literals", [
    (r"first[- ]degree\s+(?:heart\s+)?block\b", ("first", "degree", "block")),
    (r"rhythm\s+(?:is\s+)?(?:regular|regularly)\b", ("rhythm", "regular")),  # the alternatives' shared start
    (r"abc(?:def)+x?yzw", ("abc", "def", "yzw")),  # a group repeated once or more is required
    (r"abc(?:def)?(?:ghi|jkl)", ("abc",)),  # an optional group or an alternative is not
    (r"abc(?i:def)", ("abc",)),  # case folded: the literal is not
    (r"(?i)abc", ()),
])
def test_other_literals_are_text_every_match_contains(pattern: str, literals: tuple[str, ...]) -> None:
    assert extraction._other_literals(re.compile(pattern), "") == literals
    assert extraction._other_literals(re.compile(pattern), literals[0] if literals else "") == literals[1:]


def test_split_alternatives_expands_a_leading_class_of_letters() -> None:
    assert split_alternatives(r"[PU][- ]?[Ww]aves?\b|QRS") == [r"P[- ]?[Ww]aves?\b", r"U[- ]?[Ww]aves?\b", "QRS"]
    assert split_alternatives(r"[ab]?x") == [r"[ab]?x"]  # optional: not expanded


@BOUNDED
@given(st.text(alphabet="ab noa-'t,", max_size=20))
def test_at_word_start_is_the_lookbehind_it_stands_for(text: str) -> None:
    fast = re.compile(at_word_start("no") + "|" + at_word_start("a"))
    plain = re.compile(r"(?<![a-z])(?:no|a)")
    assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]


def test_at_word_start_needs_a_letter_first() -> None:
    with pytest.raises(ValueError, match="starts with a letter"):
        at_word_start(r"\d+")


def test_tagged_alternatives_report_the_first_alternative_that_matches() -> None:
    pattern, tags = tagged_alternatives((("long", "flatten"), ("short", "flat"), ("other", "peak")))
    found = [(m.group(), tags[m.lastgroup or ""]) for m in pattern.finditer("flat, flattened, peaked")]
    assert found == [("flat", "short"), ("flatten", "long"), ("peak", "other")]


@BOUNDED
@given(st.text(alphabet=".;!?\n ab", max_size=30))
def test_char_positions_finds_what_a_class_finds(text: str) -> None:
    assert char_positions(text, ".;!?\n") == [m.start() for m in re.finditer(r"[.;!?\n]", text)]


@BOUNDED
@given(st.text(alphabet="ab. ;!?\n1²", max_size=30))
def test_sentence_ends_checks_every_end_character_as_the_rule_says(text: str) -> None:
    lowered = text.translate(ASCII_LOWER)
    spelled_out = [i for i, ch in enumerate(text) if ch in ".;!?\n" and not (ch == "." and (
        (i + 1 < len(text) and text[i + 1].isdigit()) or lowered.endswith(("approx", " ca", "vs", "e.g", "i.e", "max", "dr"), max(0, i - 6), i)
        or lowered.startswith(("i.e.", "e.g."), i - 1))) and not (  # a query mark: "?AF"
        ch == "?" and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "_?"))
        and i + 1 < len(text) and lowered[i + 1] in string.ascii_lowercase) and not (
        # or one set off after a comma, semicolon or a line's start: "Q waves III, ? old IMI"
        ch == "?" and (i == 0 or text[i - 1] in ",;(\n" or (text[i - 1] == " " and i > 1 and text[i - 2] in ",;("))
        and lowered[i + 1:].lstrip(" \t")[:1] in tuple(string.ascii_lowercase)
        and lowered[i + 1:i + 2] in (" ", "\t"))]
    assert sentence_ends(text, lowered) == spelled_out


@BOUNDED
@given(st.text(alphabet="IVvaAlrLRF1267 ,'-", max_size=16))
def test_lead_names_are_found_as_the_class_pattern_finds_them(text: str) -> None:
    plain = re.compile(r"(?:[Vv][1-6]|aV[RLF]|AV[RLF]|avr|avl|avf|III|II|I)(?!\w|['’]\w)")  # "V2'" closes a quote
    assert [m.span() for m in leads.LEAD_TOKEN_RE.finditer(text)] == [m.span() for m in plain.finditer(text)]


@BOUNDED
@given(st.from_regex(r"\A[+\-]?(?:\d{1,7}|\d{0,5}\.\d{1,6})\Z").filter(lambda number: len(number) <= 7))
def test_a_number_of_seven_characters_is_its_own_micro_unit_rounding(number: str) -> None:
    # read_values skips round(x, 6) for such numbers in their own unit.
    x = float(number)
    assert round(x, 6) == x and math.copysign(1.0, round(x, 6)) == math.copysign(1.0, x)


_UNIT_PIECES = ["1", "2.5", " ", "-", " to ", "x", "a", "ms", "msec", "s", "sec", "seconds", "mv", "mm", "mm/s",
                "millimeters", "millimetre per", "µv", "uv", "bpm", "b/min", "/min", "/ minute", "per minute",
                "beats per min", "beats/minute", "beats each minute", "deg", "degrees", "°", "º", "milli", "microvolts"]


@BOUNDED
@given(st.lists(st.sampled_from(_UNIT_PIECES), max_size=8))
def test_units_grouped_by_first_character_match_as_the_plain_alternation(pieces: list[str]) -> None:
    text = "".join(pieces)
    plain = re.compile(rf"(\d+(?:\.\d+)?)(?:\s*(?P<unit1>{_UNIT})(?![a-z]))?"
                       rf"(?:\s*(?:-|–|—|to)\s*(?P<num2>[+\-−]?\d+(?:\.\d+)?))?(?:\s*(?P<unit>{_UNIT})(?![a-z]))?")
    assert [(m.span(), m.groups()) for m in NUMBER_TAIL_RE.finditer(text)] == [
        (m.span(), m.groups()) for m in plain.finditer(text)]


@BOUNDED
@given(st.text(alphabet="0123,.a ١٢²", max_size=16))
def test_decimal_points_reads_each_comma_as_the_plain_pattern_does(text: str) -> None:
    chars = list(text)
    for m in re.finditer(r"(?<![\d.,])(\d+),(\d+)(?![\d,])", text):
        if m.group(1) == "0" or len(m.group(2)) != 3:
            chars[m.end(1)] = "."
        else:
            chars[m.start():m.end()] = "0" + m.group(1) + m.group(2)
    assert decimal_points(text) == "".join(chars)


@BOUNDED
@given(st.text(alphabet=" -–—a\n\t", max_size=16))
def test_dashes_are_found_as_one_scan_of_the_dash_pattern_finds_them(text: str) -> None:
    assert _dashes(text) == [m.start() for m in re.finditer(r"\s[—–-]\s|—", text)]


def _phrases_by_first_word() -> dict[str, tuple[re.Pattern[str], list[list[tuple[str, str, str]]]]]:
    """The cue table one pattern per first word, its phrases one alternative each (the most
    words first), and per alternative (its match's ``lastindex`` less one) what it stands for."""
    out = {}
    for first, entries in _TABLE.items():
        by_phrase: dict[tuple[str, ...], list[tuple[str, str, str]]] = {}
        for words, kind, direction, phrase in entries:
            by_phrase.setdefault(words, []).append((kind, direction, phrase))
        ordered = sorted(by_phrase, key=lambda w: (-len(w), -len(" ".join(w))))
        alternatives = [_PHRASE_GAP + _PHRASE_GAP.join(re.escape(w) for w in words[1:]) + "(?![a-z])()"
                        if len(words) > 1 else "(?![a-z])()" for words in ordered]
        out[first] = (re.compile(re.escape(first) + "(?:" + "|".join(alternatives) + ")"),
                      [by_phrase[w] for w in ordered])
    return out


_PHRASES = _phrases_by_first_word()


def _cues_word_by_word(lowered: str) -> list[tuple[int, int, str, str, str]]:
    """The cue reading spelled out: every word in turn, its phrases tried (the longest
    first), a phrase's words not read again."""
    lowered = lowered.replace("’", "'")
    cues, skip_to = [], 0
    for m in re.finditer(r"[a-z]+(?:'t)?", lowered):
        if m.start() < skip_to or m.group() not in _PHRASES:
            continue
        pattern, meanings = _PHRASES[m.group()]
        hit = pattern.match(lowered, m.start())
        if hit is not None:
            cues += [(m.start(), hit.end(), *meaning) for meaning in meanings[(hit.lastindex or 1) - 1]]
            skip_to = hit.end()
    return cues


def test_cue_reader_finds_what_a_word_by_word_reading_finds() -> None:
    texts = _corpus_texts() + ["I can't see it; it isn't there, don't worry: no change, not only that.",
                               "The QT cannot be reliably measured; 2 contiguous leads; e.g. no-ST."]
    for text in texts:
        lowered = text.translate(ASCII_LOWER)
        assert [tuple(c) for c in read_cues(lowered)] == _cues_word_by_word(lowered), text


def test_claim_init_takes_the_declared_fields_in_order_with_their_defaults() -> None:
    fields = dataclasses.fields(Claim)
    params = list(inspect.signature(Claim.__init__).parameters.values())[1:]
    assert [p.name for p in params] == [f.name for f in fields]
    for param, field in zip(params, fields):
        assert param.default == (inspect.Parameter.empty if field.default is dataclasses.MISSING else field.default)
    claim = Claim(quantity="qrs_ms", value=96.0, low=96.0, high=96.0, lead=None, span=(0, 9), phrase="QRS 96 ms")
    assert dataclasses.replace(claim, lead="V1").lead == "V1" and claim.assertion == "affirmed"
    with pytest.raises(dataclasses.FrozenInstanceError):
        claim.lead = "V2"  # type: ignore[misc]


def test_every_contrast_word_holds_a_contrast_needle() -> None:
    assert extraction._CONTRAST_NEEDLES == frozenset({"but", "while", "whereas", "however", "though", "except", "apart",
                                                      "other"})
    texts = _corpus_texts() + ["apart  from V1", "Otherwise normal.", "although", "other\nthan that"]
    found = 0
    for text in texts:
        lowered = text.translate(ASCII_LOWER)
        for m in extraction.CONTRAST_RE.finditer(lowered):
            found += 1
            assert any(needle in m.group() for needle in extraction._CONTRAST_NEEDLES), m.group()
    assert found > 20


_NEEDLE_PIECES = sorted(grounding_text._GATES | extraction._TEXT_NEEDLES) + [
    " ", "-", ".", ",", "1", "\n", "é", "µ", "St", "QT", "aV", "_", "'", "’"]


@BOUNDED
@given(st.lists(st.sampled_from(_NEEDLE_PIECES), max_size=12))
def test_literals_found_in_the_distinct_words_are_the_literals_in_the_text(pieces: list[str]) -> None:
    # Every rule's gate (``text.gate``) is tested on the literals one pass found: they must
    # be exactly the gates' literals that a look for each would find.
    text = "".join(pieces)
    lowered = text.translate(ASCII_LOWER)
    expected = ({n for n in grounding_text._GATES if n in lowered}
                | {n for n in extraction._TEXT_NEEDLES if n in text})
    assert extraction._literals_in(text, lowered) == expected
    assert grounding_text.text_literals(lowered) == {n for n in grounding_text._GATES if n in lowered}


def test_a_gate_made_after_the_first_text_is_found_too() -> None:
    grounding_text.text_literals("the first text")  # (the automata are made)
    late = grounding_text.gate("qq-late gate", "zzlate")
    assert grounding_text.text_literals("the QQ-late gate".lower()) >= {"qq-late gate"}
    assert grounding_text.text_literals("a zzlate word") >= {"zzlate"}
    assert grounding_text.text_literals("neither").isdisjoint(late)
    for bad in ("", "ST elevation"):  # a literal the lowered text can never hold
        with pytest.raises(ValueError, match="non-empty and lower-case"):
            grounding_text.gate(bad)


def test_new_claim_builds_what_the_keyword_call_builds() -> None:
    args = dict(quantity="st_mv", value=0.1, low=0.1, high=0.1, lead="V2", span=(3, 17), phrase="ST 1 mm in V2",
                category=None, approximate=True, comparator=">=", formula=None, focus=(3, 8), opposite=True)
    built, called = new_claim(*args.values()), Claim(**args)  # type: ignore[arg-type]
    assert built == called and vars(built) == vars(called) and list(vars(built)) == list(vars(called))
    assert (built.focus, built.opposite, built.assertion, built.negated) == ((3, 8), True, "affirmed", False)
    assert list(inspect.signature(new_claim).parameters) == [
        f.name for f in dataclasses.fields(Claim) if f.name not in ("negated", "assertion")]
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.lead = "V3"  # type: ignore[misc]


@BOUNDED
@given(st.from_regex(leads._TERRITORY, fullmatch=True))
def test_every_territory_name_has_one_of_the_endings_looked_for(name: str) -> None:
    assert name.endswith(leads._TERRITORY_ENDINGS), name


def test_territory_words_are_in_every_bare_or_adverb_territory() -> None:
    for pattern in (leads._BARE_TERRITORY_RE, leads.TERRITORY_ADVERB_RE):
        for alternative in split_alternatives(pattern.pattern):
            assert any(word in alternative for word in leads._TERRITORY_WORDS), alternative


@pytest.mark.parametrize("text", ["patients with WPW", "outpatients with WPW", "these leads, those leads",
                                  "at-risk people", "people-people", "xthese", "", "those\nthese"])
def test_words_at_start_matches_as_a_lookbehind_before_the_alternatives(text: str) -> None:
    alternatives = ("patients", "people", "these", r"th(?:o|e)se")
    plain = re.compile(r"(?<![a-z])(?:" + "|".join(alternatives) + ")")
    fast = re.compile(grounding_text.words_at_start(*alternatives))
    assert [m.span() for m in fast.finditer(text)] == [m.span() for m in plain.finditer(text)]
    with pytest.raises(ValueError, match="starts with a letter"):
        grounding_text.words_at_start("patients", r"\d+")
