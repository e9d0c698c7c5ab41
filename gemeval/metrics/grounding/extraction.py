"""Claim extraction: a text read once (``ParsedText``) and turned into ``Claim`` objects
(``extract_claims``)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
import dataclasses
import re
from dataclasses import dataclass, replace
from operator import attrgetter, itemgetter, methodcaller
from typing import Any

import ahocorasick

try:  # the regular-expression parser, to find every literal a pattern requires
    from re import _constants as _sre, _parser as _sre_parse  # type: ignore[attr-defined]  # private, not in typeshed
except ImportError:  # Python 3.10
    import sre_constants as _sre
    import sre_parse as _sre_parse

from gemeval.metrics.grounding.assertion import (
    AFFIRMED,
    HYPOTHETICAL,
    NEGATED,
    NOT_ASSESSABLE,
    REFERENCE,
    UNCERTAIN,
    AssertionReader,
)
from gemeval.metrics.grounding.claims import (
    LEAD_FINDING_QUANTITIES,
    NUMERIC_QUANTITIES,
    PER_LEAD_QUANTITIES,
    Claim,
    new_claim,
)
from gemeval.metrics.grounding.leads import (
    HEADING_AFTER_RE,
    HEADING_BEFORE_RE,
    LeadGroup,
    attached_group,
    context_groups,
    lead_groups,
)
from gemeval.metrics.grounding.numbers import (
    CHANGE_FROM_RE,
    NUMBER_RE,
    Value,
    decimal_points,
    read_values,
    unit_of,
    with_digits,
)
from gemeval.metrics.grounding.text import (
    ASCII_LOWER,
    at_word_start,
    gate,
    text_literals,
    starts_word,
    required_literal,
    sentence_ends,
    stripped_end,
    markdown_tables,
    table_reference_cells,
    word_before,
    word_ending,
)
from gemeval.metrics.grounding.tolerances import INF
from gemeval.metrics.grounding.vocabulary import (
    CATEGORICAL_PATTERNS,
    CATEGORY_WORDS,
    DIRECTION_RE,
    DIRECTIONS,
    FORMULA_RE,
    KEYWORD_CATEGORIES,
    KEYWORD_PATTERNS,
    LIST_QUANTITIES,
    LIST_VALUES_RE,
    OPPOSITE_ST_RE,
    ST_AFTER_NORMAL_RE,
    ST_DIRECTION_BEFORE_RE,
    ST_QUALIFIERS,
    PAIR_VALUES_RE,
    PRE_VALUE_GAP_RE,
    PREDICATE_RE,
    BOTH_RE,
    ALL_RE,
    NAMED_INTERVALS_RE,
    VALUE_PREDICATE_RE,
    COMPARATIVE_CATEGORY_WORDS,
    Q_WAVE_BEFORE,
    Q_WAVE_NORMAL_AFTER_RE,
    T_WAVE_BEFORE,
    T_WAVE_KEYWORD,
    T_WAVE_WORDS,
    T_WAVE_WORDS_RE,
    QUALIFIER_WORDS,
    SCOPE_CHARS,
    TIGHT_GAP_RE,
)


@dataclass(slots=True)
class Mention:
    quantity: str
    start: int
    end: int
    match: re.Match[str]
    scope_end: int = 0
    pre_value: Value | None = None
    heading: bool = False  # a heading whose items below are read as its mentions ("**T waves:**")
    denied: list[tuple[int, LeadGroup]] | None = None  # leads its finding is denied in (``_LEAD_DENIAL_RE``)
    referent: Mention | None = None  # the per-lead finding a pronoun stands for ("ST elevation in V2 ... it is")
    clause_end: int = 0  # where its scope had ended before a lead list opening the next clause (``_subject_cuts``)


_ITEM_LEAD_RE = re.compile(r";\s*(?:(?:and|in)\s+)?(?:the\s+)?(?:[a-z-]+\s+leads?\s*:?\s*|leads?\s+)?")
_ITEM_VALUE_RE = re.compile(r"\s*[:=]?\s*(?:[+\-−]\s*)?\d")
"""A list item after a semicolon: a lead and its number ("; V2 0.3 mV", "; in V3 -0.1 mV")."""
_SUBJECT_VERB_GATE = gate("show", "shows", "demonstrate", "demonstrates", "display", "displays", "exhibit",
                          "exhibits", "reveal", "reveals", "have", "has")
_SUBJECT_VERB_RE = re.compile(r"\s*\)?\s*(?:leads?\s+)?(?:also\s+|both\s+|all\s+)?(?:shows?|demonstrates?|displays?"
                              r"|exhibits?|reveals?|has|have)(?![a-z])")
_SUBJECT_FIRST = frozenset("sdehrlab)")
"""The first characters ``_SUBJECT_VERB_RE`` can go on with after the list's space."""
_SUBJECT_NUMBER_RE = re.compile(r"\s+(?:about\s+|approximately\s+|~\s*)?[+\-−]?\s*\d+(?:\.\d+)?\s*(?:mm|mv|µv|uv)?"
                                r"\s*(?:[.,;]|and\s|$)")
"""A clause of leads and a number alone ("..., V3 has 3 mm."): the finding's own number in
those leads, read on, not a clause of its own."""
_CLAUSE_OPENER_RE = re.compile(r"(?:[,;]\s*|(?<![a-z])(?:and|while|whereas|but)\s+)(?:(?:and|but|while|whereas)\s+)?"
                               r"(?:the\s+)?(?:(?:[a-z]+\s+)?leads?\s*(?:\(\s*)?)?$")


def _subject_cuts(parsed: ParsedText) -> list[int]:
    """Where a clause opens with a lead list as the subject of "show(s)", "has/have", ...
    (", and the inferior leads show", "; leads V5-V6 have"): the opening comma, semicolon
    or conjunction, in order ("the lateral leads (I, aVL) show": the list after the
    territory). A finding's scope ends there."""
    lowered = parsed.lowered
    cuts = []
    for g in parsed.groups:
        # (the character after the list, or after its space, can start the verb: most lists
        # are followed by a comma, "and" or a stop, and are passed over here)
        after = lowered[g.end + 1:g.end + 2] if lowered.startswith(" ", g.end) else lowered[g.end:g.end + 1]
        if (after in _SUBJECT_FIRST and (verb := _SUBJECT_VERB_RE.match(lowered, g.end))
                and not _SUBJECT_NUMBER_RE.match(lowered, verb.end())):
            opener = _CLAUSE_OPENER_RE.search(lowered, max(0, g.start - 40), g.start)
            if opener is not None:
                cuts.append(opener.start())
    return cuts


def _other_literals(pattern: re.Pattern[str], needle: str) -> tuple[str, ...]:
    """The literals (three characters or more) besides ``needle`` that every match of
    ``pattern`` contains: runs of its top-level sequence and of the groups in it that are
    neither optional nor an alternative (from ``re``'s own parse, which also takes out the
    start that alternatives share: "(?:regular|regularly)" has "regular")."""
    if pattern.flags & re.IGNORECASE:
        return ()
    runs: list[str] = []
    run = ""

    def walk(items: Any) -> None:
        nonlocal run
        for op, arguments in items:
            if op is _sre.LITERAL:
                run += chr(arguments)
                continue
            runs.append(run)
            run = ""
            if op is _sre.SUBPATTERN and not arguments[1] & re.IGNORECASE:  # not "(?i:...)"
                walk(arguments[3])
            elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and arguments[0] >= 1:
                walk(arguments[2])
            else:
                continue
            runs.append(run)
            run = ""

    walk(_sre_parse.parse(pattern.pattern, pattern.flags))
    runs.append(run)
    return tuple(dict.fromkeys(r for r in runs if len(r) >= 3 and r not in needle))


_PER_LEAD = frozenset(PER_LEAD_QUANTITIES)
_KIND = attrgetter("kind")


_KEYWORDS = [(q, p, lowered, "/" if q == "interval_list" else required_literal(p.pattern))
             for q, p, lowered in KEYWORD_PATTERNS]
_CATEGORICAL = [(q, c, p, needle, frozenset(_other_literals(p, needle)))
                for q, c, p in CATEGORICAL_PATTERNS for needle in (required_literal(p.pattern),)]
"""The patterns with a literal every match contains: a text without it is not scanned (a
slash list of interval names always has its slash); nor is a text that lacks one of a
finding pattern's other literals (``ParsedText.needles`` holds those of the text: most
finding patterns find nothing, and a scan costs several looks; the keywords' other
literals are mostly there, so they are not looked for)."""
_CATEGORICAL_BY_NEEDLE: dict[str, list[int]] = {}
for _index, _pattern in enumerate(_CATEGORICAL):
    _CATEGORICAL_BY_NEEDLE.setdefault(_pattern[3], []).append(_index)
_CATEGORICAL_ALWAYS = _CATEGORICAL_BY_NEEDLE.pop("", [])
"""The finding patterns (their index in ``_CATEGORICAL``) by needle, and those without one:
a text's patterns are those of its needles (a fifth of them, on the usual text), each not
looked at in turn."""
_LOWERED_NEEDLES = frozenset(n for _, _, lowered, n in _KEYWORDS if n and lowered) | frozenset(
    n for *_, n, _ in _CATEGORICAL if n)
_TEXT_NEEDLES = frozenset(n for _, _, lowered, n in _KEYWORDS if n and not lowered) - _LOWERED_NEEDLES


gate(*_LOWERED_NEEDLES, *(literal for *_, others in _CATEGORICAL for literal in others))
"""The lowered needles and the finding patterns' other literals are found with every rule's
gate (``text_literals``: one pass of an Aho-Corasick automaton instead of a look for each,
which was a twentieth of the extraction time)."""
_TEXT_NEEDLE_AUTOMATON = ahocorasick.Automaton()
for _needle in sorted(_TEXT_NEEDLES):
    _TEXT_NEEDLE_AUTOMATON.add_word(_needle, _needle)
_TEXT_NEEDLE_AUTOMATON.make_automaton()
"""The case-kept needles, found in the text as written in one pass of their own."""


def _literals_in(text: str, lowered: str) -> set[str]:
    """The literals of the gates (``text.gate``: the needles and literals of the patterns,
    ``_LOWERED_NEEDLES`` and their like, and every rule's) that are in the lowered text, and
    the case-kept needles (``_TEXT_NEEDLES``) that are in the text."""
    found = text_literals(lowered)
    found.update([needle for _, needle in _TEXT_NEEDLE_AUTOMATON.iter(text)])
    return found


_LEAD_DENIAL_RE = re.compile(
    r"(?:[,;(]\s*|\s)(?:(?:and|but)\s+)?(?P<word>not|none|(?<=[,;]\s)absent|(?<=but\s)absent)"
    r"(?:\s+(?:seen|present|visible))?(?:\s+in)?"
    r"(?:\s+the)?(?:\s+(?:[a-z\-]+\s+){0,2}?leads?)?\s+$")
"""What denies a finding in the leads right after it, after the leads it is in: "T-wave
inversion in III, not in aVF", "Q waves in V1 and V2; none in V3 to V6", "ST elevation in
V1-V3 but not in V4-V6", "Q waves: present in III, absent in II" ("absent" only set off by a
comma, a semicolon or "but": "... and absent in V3" was wrong more often than not)."""
_MIMIC_BEFORE_RE = re.compile(
    r"(?:pseudo[- ]?|(?<![a-z])(?:mimic\w*|simulat\w*|imitat\w*|resembl\w*|mistaken\s+for|masquerad\w*\s+as)"
    r"\s+(?:(?:an?|the)\s+)?(?:[a-z]+\s+){0,2}?)$")
"""What makes the Q waves after it an imitation: "pseudo-Q waves", "the delta waves mimic
inferior Q waves", "may be mistaken for pathological Q waves"."""
_LIKE_AFTER_RE = re.compile(r"[- ]?like\b")
_GLOSS_OPEN_RE = re.compile(r"\s*\(\s*")
_GLOSS_OPENINGS = ("(", " (", "  (")
_GLOSS_RE = re.compile(r"\(\s*(?!(?:and|or|&|vs\.?|versus|with|also|plus|as\s+well)\b)[^()\d]{3,100}\)")
"""A parenthesis that explains the word before it: words only, no list going on ("(and QT)",
"(with ST depression)")."""
_GLOSS_CLOSE_RE = re.compile(r"\s*\)")
_DENIED_LIST_GAP_RE = re.compile(r"\s*(?:,\s*)?(?:(?:or|nor|and)\s+)?")
_DENIABLE = frozenset(LEAD_FINDING_QUANTITIES) | {"st_t"}


def _lead_denials(parsed: ParsedText) -> list[tuple[int, int, LeadGroup]]:
    """The lead lists right after a denial (``_LEAD_DENIAL_RE``), in order: where the
    denial starts (a scope ends there), where its word starts, and the lead list."""
    out = []
    lowered, groups = parsed.lowered, parsed.groups
    k = 0
    while k < len(groups):
        group = groups[k]
        k += 1
        m = _LEAD_DENIAL_RE.search(lowered, max(0, group.start - 40), group.start)
        if m is None:
            continue
        out.append((m.start(), m.start("word"), group))
        # the leads listed on ("not in V5 or V6"; "not in the limb leads I or aVL")
        while k < len(groups) and _DENIED_LIST_GAP_RE.fullmatch(lowered, groups[k - 1].end, groups[k].start):
            out.append((m.start(), m.start("word"), groups[k]))
            k += 1
    return out


def _denied_lead_claims(parsed: ParsedText, claims: list[Claim]) -> list[Claim]:
    """A finding's claims in the leads it is denied in ("T-wave inversion in III, not in
    aVF": the inversion in aVF), made from the finding's last claim in its scope; they
    take the denial's words as theirs, so that the assertion reader denies them."""
    out: list[Claim] = []
    for mention in parsed.mentions:
        if not mention.denied:
            continue
        made = [c for c in claims if c.quantity == mention.quantity and c.category is not None and c.value is None
                and c.lead is not None and c.span[0] < mention.scope_end and mention.start < c.span[1]]
        category, opposite = (made[-1].category, made[-1].opposite) if made else (None, False)
        if not made and mention.quantity == "st_mv":
            # only numbers in its own leads ("depressed by 1 mm in V4-V6 but not in the
            # inferior leads"): the direction is denied in the others
            category = _st_direction(parsed, mention)[1]
            if category not in ("elevated", "depressed"):
                continue
            made = [c for c in claims if c.quantity == "st_mv" and c.lead is not None
                    and c.span[0] < mention.scope_end and mention.start < c.span[1]]
        if category is None:
            continue
        for start, group in mention.denied:
            span = (start, group.end)
            out.extend(new_claim(mention.quantity, None, None, None, lead, span, parsed.text[start:group.end],
                                 category, focus=span, opposite=opposite)
                       for lead in group.leads if lead not in {c.lead for c in made})
    return out


class ParsedText:
    """A text read once: sentence ends, numbers, lead lists and keyword mentions, in order."""

    def __init__(self, text: str):
        self.text = text
        self.lowered = decimal_points(text.translate(ASCII_LOWER))  # "0,16 s" read as 0.16 s
        self.sentence_ends = sentence_ends(text, self.lowered)
        self.needles = _literals_in(text, self.lowered)  # (what the rules' gates test)
        self.values = read_values(*with_digits(text, self.lowered, self.needles), self.needles)
        self.value_starts = [v.start for v in self.values]
        # "(2 mm)" after "0.2 mV" is no claim, nor is an operand of a calculation ("300/4 = 75 bpm")
        self.claim_values = [v for v in self.values if not v.conversion and not v.operand]
        self.claim_value_starts = [v.start for v in self.claim_values]
        self.groups = lead_groups(text, self.lowered, self.needles)
        self.group_starts = [g.start for g in self.groups]
        self.assertions = AssertionReader(self.lowered, self.sentence_ends,
                                          [(g.start, g.end) for g in self.groups if not g.territory], self.needles)
        self._headings: dict[int, LeadGroup | None] = {}
        self._heading_leads: dict[int, LeadGroup] = {}
        self.tables = markdown_tables(text, self.lowered)
        self.reference_cells = table_reference_cells(self.tables, self.lowered) if self.tables else []
        if self.tables:
            self._apply_column_units()
        # The numbers of per-lead keywords (all amplitudes), apart: looked up once per mention.
        self.amplitude_values = [v for v in self.claim_values if v.family == "amplitude"]
        self.amplitude_starts = [v.start for v in self.amplitude_values]
        self.lead_denials = _lead_denials(self) if not self.needles.isdisjoint(_DENIAL_GATE) else []
        self.mentions = self._mentions()
        if "(" in text and _KEYWORD_UNIT_GATE_RE.search(self.lowered) is not None and self._apply_keyword_units():
            self.amplitude_values = [v for v in self.claim_values if v.family == "amplitude"]
            self.amplitude_starts = [v.start for v in self.amplitude_values]

    # -- sentences ------------------------------------------------------------------------
    def sentence_start(self, pos: int) -> int:
        i = bisect_left(self.sentence_ends, pos)
        return self.sentence_ends[i - 1] + 1 if i else 0

    def sentence_end(self, pos: int) -> int:
        i = bisect_left(self.sentence_ends, pos)
        return self.sentence_ends[i] if i < len(self.sentence_ends) else len(self.text)

    def in_reference_cell(self, pos: int) -> bool:
        """Whether ``pos`` is in a table cell of a reference column ("Normal range")."""
        return any(start <= pos < end for start, end in self.reference_cells)

    # -- numbers --------------------------------------------------------------------------

    def values_in(self, start: int, end: int) -> list[Value]:
        """The values that start in [start, end), conversions left out."""
        i = bisect_left(self.claim_value_starts, start)
        j = bisect_left(self.claim_value_starts, end)
        return self.claim_values[i:j]

    # -- leads ----------------------------------------------------------------------------
    def groups_in(self, start: int, end: int) -> list[LeadGroup]:
        i = bisect_left(self.group_starts, start)
        j = bisect_left(self.group_starts, end)
        return [g for g in self.groups[i:j] if g.end <= end]

    def heading(self, sentence_start: int) -> LeadGroup | None:
        """The lead list that opens a sentence as its heading ("Lead V5:", "In II, III:")."""
        headings = self._headings
        if sentence_start not in headings:
            # The first lead list in the sentence (``groups_in``: one that runs past the end is
            # none, and none after it can start in the sentence).
            i = bisect_left(self.group_starts, sentence_start)
            first = self.groups[i] if i < len(self.groups) else None
            headings[sentence_start] = first if (
                first is not None and first.end <= self.sentence_end(sentence_start)
                and HEADING_BEFORE_RE.fullmatch(self.lowered, sentence_start, first.start)
                and HEADING_AFTER_RE.match(self.lowered, first.end)) else None
        return headings[sentence_start]

    def heading_leads(self, sentence_start: int) -> LeadGroup:
        """The leads of the sentence's heading (``heading``, which it must have) as a lead
        list of no place in the text, made once per sentence."""
        group = self._heading_leads.get(sentence_start)
        if group is None:
            heading = self._headings[sentence_start]
            assert heading is not None, "heading_leads is asked for a sentence with a heading"
            group = self._heading_leads[sentence_start] = LeadGroup(-1, -1, heading.leads,
                                                                    territory=heading.territory)
        return group

    # -- keywords -------------------------------------------------------------------------
    def _list_items_end(self, mention: Mention, end: int, next_start: int, j: int) -> int:
        """Where a per-lead keyword's scope that stops at a semicolon ends when the clauses
        after it are items of its list, a lead (after a territory, if any) and its number
        each ("ST elevation: V1 0.1 mV; V2 0.3 mV; V3 0.25 mV", "...; inferior leads II -0.1
        mV, III -0.15 mV"): at the end of the last of them (before ``next_start``,
        the next mention; ``j``: the index of ``end`` in the sentence ends)."""
        lowered, ends = self.lowered, self.sentence_ends
        groups = self.groups
        while lowered.startswith(";", end):
            g = bisect_left(self.group_starts, end)
            if g == len(groups) or not _ITEM_LEAD_RE.fullmatch(lowered, end, groups[g].start) or (
                    not _ITEM_VALUE_RE.match(lowered, groups[g].end)):
                break
            j += 1
            if j == len(ends) or ends[j] > next_start:
                return next_start
            end = ends[j]
        return end

    def _mentions(self) -> list[Mention]:
        """Keyword mentions, the earliest first, the longest where two start together,
        overlaps dropped; per-lead keywords take a number right before them ("1 mm ST
        depression"); each scope ends at the next mention, the sentence end or after
        ``SCOPE_CHARS``."""
        lowered, text, needles = self.lowered, self.text, self.needles
        # (start, minus length, order found, end, quantity, match): sorted, the earliest first,
        # the longest where two start together, else the first found.
        found: list[tuple[int, int, int, int, str, re.Match[str]]] = []
        for quantity, pattern, on_lowered, needle in _KEYWORDS:
            if needle and needle not in needles:
                continue
            source = lowered if on_lowered else text
            for m in pattern.finditer(source):
                start, end = m.span()
                # Non-empty and starting a word, as ``word_matches`` keeps them (after a space,
                # the usual, known without the call).
                if end > start and (start == 0 or source[start - 1] == " " or starts_word(source, start)):
                    found.append((start, start - end, len(found), end, quantity, m))
        found.sort()
        mentions: list[Mention] = []
        formulas = "=" in lowered
        values, value_starts = self.values, self.value_starts
        last_end = -1
        for start, _, _, end, quantity, m in found:
            if start < last_end:
                continue
            if formulas and quantity in _FORMULA_SYMBOLS and lowered.endswith(
                    _OPERATORS, 0, stripped_end(lowered, start)):
                continue  # "RR" in "QTc = QT/√RR = 444 ms" is a symbol of the formula
            if quantity == "st_mv" and mentions and mentions[-1].quantity == "st_mv":  # an ST keyword after one
                st_before = mentions[-1]
                if (lowered[start] in _QUALIFIER_FIRST and _QUALIFIED_DIRECTION_RE.fullmatch(lowered, start, end)
                        and _BARE_ST_RE.fullmatch(lowered, st_before.start, st_before.end)
                        and _SHOWS_GAP_RE.fullmatch(lowered, st_before.end, start)):
                    continue  # "The ST segments in V1-V3 show slight depression of 0.05 mV": one finding
                if (lowered.endswith("reciprocal ", 0, start) and _ST_CHANGES_RE.match(lowered, start)
                        and bisect_left(self.sentence_ends, st_before.end) == bisect_left(self.sentence_ends, start)):
                    continue  # "ST elevation in II, III with reciprocal ST changes in I": the finding's turn
                if (lowered.startswith("reciprocal", start)
                        and bisect_left(self.sentence_ends, st_before.end) == bisect_left(self.sentence_ends, start)):
                    continue  # "ST elevation in II with reciprocal depression in aVL": the same
            mention = Mention(quantity, start, end, m)
            if quantity in _PER_LEAD:
                i = bisect_left(value_starts, start) - 1
                before = values[i] if i >= 0 else None
                if (before is not None and before.family == "amplitude"
                        and lowered[before.end:before.end + 1].isspace()  # (the gap's first character)
                        and PRE_VALUE_GAP_RE.fullmatch(lowered, before.end, start)
                        and last_end <= before.start):
                    mention.pre_value, mention.start = before, before.start
            mentions.append(mention)
            last_end = end
        if not self.needles.isdisjoint(_POSSESSIVE_WORDS):
            mentions = _with_possessive_mentions(lowered, mentions)
        if values and not _PRONOUN_NEEDLES.isdisjoint(self.needles):
            mentions = _with_pronoun_mentions(lowered, values, mentions, self.needles)
        if self.groups and not _WAVE_PRONOUN_GATE.isdisjoint(self.needles) and any(
                x.quantity == "t_wave" for x in mentions):
            mentions = _with_wave_pronoun_mentions(self, mentions)
        if "\n" in self.text and _LIST_LINE_RE.search(self.text) is not None:
            mentions = self._with_section_mentions(mentions)
        if ":" in lowered and values:
            mentions = self._with_label_mentions(mentions)
        if self.tables:
            mentions = self._with_lead_table_mentions(mentions)
        contrasts = [(m.start(), m.end()) for m in CONTRAST_RE.finditer(lowered)] if not needles.isdisjoint(
            _CONTRAST_NEEDLES) else []
        contrast_starts = [start for start, _ in contrasts]
        ends, size = self.sentence_ends, len(text)
        n_ends = len(ends)
        parens = [m.span() for m in _PARENTHESIS_RE.finditer(lowered)] if "(" in lowered else []
        paren_starts = [a for a, _ in parens]
        denials = self.lead_denials
        denial_cuts = [cut for cut, _, _ in denials]
        group_starts = self.group_starts
        cuts = _subject_cuts(self) if self.groups and not needles.isdisjoint(_SUBJECT_VERB_GATE) else []
        semicolons = ";" in lowered
        if parens and len(mentions) > 1:
            # A finding named again in parentheses right after it ("ST elevation (STE) in V2-V4")
            # is one mention: its leads and numbers come after the parenthesis.
            mentions = [m for i, m in enumerate(mentions) if not (
                i and m.quantity == mentions[i - 1].quantity and m.quantity in LEAD_FINDING_QUANTITIES
                and _GLOSS_OPEN_RE.fullmatch(lowered, mentions[i - 1].end, m.start)
                and _GLOSS_CLOSE_RE.match(lowered, m.end))]
            # The keywords of an explanation in parentheses right after a keyword ("the PR
            # interval (the time from the P wave to the QRS) is 160 ms", "your QTc (the
            # heart-rate-corrected QT) is 418") are words of the explanation, no mentions.
            glosses = []
            for named in mentions:
                # (a parenthesis right after the name of an interval, the rate or the axis: a
                # finding's parenthesis names findings: "ST depression (with T inversion) in V5")
                if named.quantity in _INTERVAL_RATE_AXIS and lowered.startswith(_GLOSS_OPENINGS, named.end):
                    k = bisect_left(paren_starts, named.end)
                    if k < len(parens) and _GLOSS_RE.fullmatch(lowered, *parens[k]):
                        glosses.append(parens[k])
            if glosses:
                # (not a name that is all of the parenthesis: "corrected for heart rate (QTc)")
                mentions = [named for named in mentions if not any(
                    a < named.start < b and lowered[a + 1:b - 1].strip() != lowered[named.start:named.end]
                    for a, b in glosses)]
        next_starts = [m.start for m in mentions]
        next_starts.append(size)
        if parens:
            for i in range(1, len(mentions)):
                # A name in parentheses right after a finding ("pathological Q waves (QS
                # pattern) in V1 and V2") glosses it: the finding's scope runs on past it.
                if (mentions[i].quantity == "block" and mentions[i - 1].quantity in LEAD_FINDING_QUANTITIES
                        and _GLOSS_OPEN_RE.fullmatch(lowered, mentions[i - 1].end, mentions[i].start)):
                    next_starts[i] = next_starts[i + 1]
        territories = any(g.territory for g in self.groups)
        for mention, end in zip(mentions, next_starts[1:]):  # the scope ends at the next mention,
            following = end
            j = bisect_left(ends, mention.end)  # the sentence end (``sentence_end``)
            if j < n_ends and ends[j] < end:
                next_start, end = end, ends[j]
                if semicolons and lowered[end] == ";" and mention.quantity in _PER_LEAD:
                    end = self._list_items_end(mention, end, next_start, j)
            if mention.end + SCOPE_CHARS < end:  # or after SCOPE_CHARS
                limit, end = end, mention.end + SCOPE_CHARS
                # not inside a lead list, nor between a territory and its list ("the inferior
                # leads (II, III, aVF)")
                g = bisect_left(group_starts, end)
                if g < len(group_starts) and not lowered[end:group_starts[g]].strip(" (\t"):
                    g += 1
                if g and end < self.groups[g - 1].end <= limit:
                    end = self.groups[g - 1].end
            if territories and end == following < size and mention.quantity in _PER_LEAD:
                # or, where the next finding ends it, before a territory written as that
                # finding's adjective ("ST elevation 3 mm with reciprocal inferior ST
                # depression": inferior is the depression's)
                g = bisect_left(group_starts, end) - 1
                if g >= 0:
                    group = self.groups[g]
                    if (group.territory and mention.end < group.start and group.end <= end
                            and not lowered[group.end:end].strip() and "lead" not in lowered[group.start:group.end]
                            and not lowered.endswith("ly", 0, group.end)):
                        end = group.start
            if cuts and mention.quantity in _DENIABLE:
                # or before leads that open a clause of their own ("..., and the inferior leads
                # show reciprocal depression"): those leads are the next finding's
                k = bisect_right(cuts, mention.end)
                if k < len(cuts) and cuts[k] < end:
                    mention.clause_end, end = end, cuts[k]
            if denials and mention.quantity in _DENIABLE:
                # or where leads the finding is denied in follow ("T-wave inversion in III, not
                # in aVF"): those leads are the denial's
                k = bisect_right(denial_cuts, mention.end)
                if (k < len(denial_cuts) and denial_cuts[k] <= end  # (after leads of its own: "... is
                        # not present in leads II, III" denies the finding there)
                        and bisect_left(group_starts, denial_cuts[k]) > bisect_left(group_starts, mention.end)):
                    end = denial_cuts[k]
                    mention.denied = [(start, group) for cut, start, group in denials[k:] if cut == end]
            if parens and mention.quantity in _PER_LEAD:
                # or at the close of a parenthesis the keyword is in ("positive in I (R 0.9 mV)
                # and negative in aVF": aVF is not the R wave's lead)
                k = bisect_right(paren_starts, mention.start) - 1
                if k >= 0 and mention.end <= parens[k][1] <= end:
                    end = parens[k][1] - 1
            mention.scope_end = end
            if mention.quantity == "block" and lowered.startswith(",", mention.end) and lowered[mention.start] == "p":
                # "regular and fast, with P waves, at 95 beats per minute": the P waves are set
                # off by the comma, the rate after it is the rhythm's
                mention.scope_end = mention.end
                continue
            pair = lowered[end - 1:end + 1]
            if end < size and pair.isalpha() and pair.isascii():
                # A scope cut inside a word: its first letters may read as a contrast word.
                contrast = CONTRAST_RE.search(self.lowered, mention.end, end)
                if contrast is not None:
                    mention.scope_end = contrast.start()
                continue
            if not contrasts:
                continue
            k = bisect_left(contrast_starts, mention.end)
            while k < len(contrasts) and contrasts[k][0] < end:
                if contrasts[k][1] <= end:
                    mention.scope_end = contrasts[k][0]
                    break
                k += 1
        return mentions

    def _apply_keyword_units(self) -> bool:
        """A unit in parentheses right after a per-lead keyword ("R wave amplitudes (mV): V1
        0.2, V2 0.5", "ST deviation per lead (mV): I +0.05, ...") is the unit of the bare
        numbers in its scope. Whether any number took it."""
        applied = False
        for mention in self.mentions:
            if mention.quantity not in _PER_LEAD:
                continue
            unit = _KEYWORD_UNIT_RE.match(self.lowered, mention.end)
            if unit is None:
                continue
            family, factor = unit_of(unit.group(1))
            for value in self.values_in(unit.end(), mention.scope_end):
                applied = _give_unit(value, family, factor) or applied
        return applied

    def _apply_column_units(self) -> None:
        """A unit in a column header ("ST (mV)", "Duration (ms)") is the unit of the bare
        numbers in that column's cells."""
        for table in self.tables:
            for k, (a, b) in enumerate(table.header):
                unit = _HEADER_UNIT_RE.search(self.lowered, a, b)
                if unit is None:
                    continue
                family, factor = unit_of(unit.group(1))
                for row in table.rows:
                    if k < len(row):
                        for value in self.values_in(*row[k]):
                            _give_unit(value, family, factor)

    def _with_lead_table_mentions(self, mentions: list[Mention]) -> list[Mention]:
        """In a table with a lead per row ("| Lead | ST (mV) | T wave |"), each cell of a
        column headed by a per-lead finding is a mention of it, about the row's lead; the
        header itself claims nothing."""
        added: list[Mention] = []
        starts = [m.start for m in mentions]
        for table in self.tables:
            if not table.header or not _LEAD_HEADER_RE.fullmatch(self.lowered, *table.header[0]):
                continue
            for k, (a, b) in enumerate(table.header[1:], start=1):
                own = [m for m in mentions[bisect_left(starts, a):bisect_left(starts, b)]
                       if m.quantity in LEAD_FINDING_QUANTITIES]
                letter = None if own else _WAVE_LETTER_HEADER_RE.fullmatch(self.lowered, a, b)
                if letter is not None:  # "| R (mV) |", "| S amplitude |"
                    quantity, match = f"{letter.group(1)}_mv", letter
                elif len(own) == 1:
                    quantity, match = own[0].quantity, own[0].match
                    own[0].heading = True
                else:
                    continue
                added.extend(Mention(quantity, row[k][0] - 1, row[k][0], match)
                             for row in table.rows if k < len(row) and self.lowered[row[k][0]:row[k][1]].strip())
        if not added:
            return mentions
        return sorted(mentions + added, key=lambda m: m.start)

    def _with_section_mentions(self, mentions: list[Mention]) -> list[Mention]:
        """``mentions`` and, for each line under a heading that names one quantity alone
        ("### ST Segments", "**QRS complex:**"), a mention of that quantity when the line
        names none of its own ("- Elevated in V1-V4 (2-3 mm)", "- Duration: 90 ms")."""
        lowered = self.lowered
        starts = [m.start for m in mentions]
        added: list[Mention] = []
        heading: Mention | None = None
        gap_allowed = False  # one blank line may separate a heading from its first item
        end = -1
        for line in lowered.split("\n"):
            start = end + 1
            end = start + len(line)
            if not line or line.isspace():
                if heading is not None and gap_allowed:
                    gap_allowed = False
                else:
                    heading = None
                continue
            own = mentions[bisect_left(starts, start):bisect_left(starts, end)]
            if (len(own) == 1 and own[0].quantity in _SECTION_QUANTITIES
                    and _SECTION_HEAD_RE.fullmatch(lowered, start, own[0].start)
                    and _SECTION_TAIL_RE.fullmatch(lowered, own[0].end, end)):
                heading, gap_allowed = own[0], True
                continue
            if heading is None or own:  # (most lines: the bullet is not looked for)
                heading = None
                continue
            bullet = _BULLET_RE.match(lowered, start)
            if bullet is None:
                heading = None
                continue
            added.append(Mention(heading.quantity, bullet.start(1), bullet.end(1), bullet))
            heading.heading = True
            gap_allowed = False
        if not added:
            return mentions
        return sorted(mentions + added, key=lambda m: m.start)

    def _with_label_mentions(self, mentions: list[Mention]) -> list[Mention]:
        """``mentions`` and, for each later sentence of a line opened by a label of one
        interval, rate or axis ("**QRS complex:** The QRS looks to be 100 ms. A duration
        above 120 ms would suggest a bundle branch block."), a mention of that quantity at
        the sentence's start when the sentence names none of its own and holds a number of
        that quantity's unit."""
        lowered, values = self.lowered, self.values
        starts: list[int] = []
        added: list[Mention] = []
        for label in [m for m in mentions if m.quantity in _LABEL_QUANTITIES]:
            # (a QT/QTc label's values are the corrected QT's)
            quantity = "qtc_ms" if label.quantity == "qt_qtc_pair" else label.quantity
            at = lowered.find(":", label.end)
            if at < 0:
                break  # (no colon after this label, nor after any later one)
            if lowered.find("\n", label.end, at) >= 0:
                continue  # (the colon must be on the label's line)
            colon = _LABEL_COLON_RE.match(lowered, label.end)
            if colon is None or not _SECTION_HEAD_RE.fullmatch(lowered, lowered.rfind("\n", 0, label.start) + 1,
                                                                label.start):
                continue
            starts = starts or [m.start for m in mentions]
            line_end = lowered.find("\n", colon.end())
            line_end = len(lowered) if line_end < 0 else line_end
            family = _VALUE_FAMILY[quantity]
            least, most = _LABEL_VALUE_RANGE.get(quantity, (20.0, 1000.0))
            i = bisect_left(self.sentence_ends, colon.end())
            while i < len(self.sentence_ends) and self.sentence_ends[i] < line_end:
                start, i = self.sentence_ends[i] + 1, i + 1
                end = self.sentence_ends[i] if i < len(self.sentence_ends) else len(lowered)
                end = min(end, line_end)
                if bisect_left(starts, start) != bisect_left(starts, end):
                    continue  # a keyword of its own
                first = None
                for k in range(bisect_left(self.value_starts, start), bisect_left(self.value_starts, end)):
                    if not values[k].conversion and values[k].family == family:
                        first = values[k]  # the sentence's first number of the quantity's unit
                        break
                if first is None or not least <= first.value <= most:
                    continue  # ("The recording lasted 10 s" is no QRS)
                at = end - len(lowered[start:end].lstrip())  # the sentence's first word
                added.append(Mention(quantity, at, at, label.match))
        if not added:
            return mentions
        return sorted(mentions + added, key=lambda m: m.start)


def _give_unit(value: Value, family: str | None, factor: float) -> bool:
    """A bare number (no unit of its own) read in the unit that a header or label gives it,
    in place; whether it was bare."""
    if value.family is not None:
        return False
    value.low, value.high = round(value.low * factor, 6), round(value.high * factor, 6)
    value.value, value.family = round(value.value * factor, 6), family
    return True


_PARENTHESIS_RE = re.compile(r"\([^()]*\)")
"""A parenthesis without one inside it."""
_ST_CHANGES_RE = re.compile(r"st(?:[- ]segment|[- ]t)?[- ]changes?\b")
_QUALIFIED_DIRECTION_RE = re.compile(r"(?:minimal|slight|subtle|mild|marked|significant|horizontal|downsloping"
                                     r"|upsloping)\s+(?:elevations?|depressions?)")
_QUALIFIER_FIRST = frozenset("msdhu")
_BARE_ST_RE = re.compile(r"st[- ]segments?")
_SHOWS_GAP_RE = re.compile(r"[^.;:\n]{0,50}?\s(?:shows?|demonstrates?|displays?|reveals?|exhibits?|has|have)"
                           r"\s+(?:an?\s+)?(?:very\s+)?")
"""An ST segment's keyword, then its leads and a verb, before a qualified direction of its
own: "The ST segments in V1-V3 show slight depression"."""
_POSSESSIVE_WORDS = gate("yours")
_POSSESSIVE_RE = re.compile(
    r"(?<![a-z'’])(yours)(?=\s+(?:is|was|came|comes|measures|measured|reads|read|sits|"
    r"looks|seems|appears|isn['’]t|wasn['’]t|at|of)\b|['’]s\b|\s*(?:[:=,]|\(|\s\d))")
""""Yours" standing for a quantity named before: "the cut-off is 450 ms, and
yours is 438 ms", "If your heart rate were over 100 ..., but yours is 84"."""
_INTERVAL_RATE_AXIS = frozenset({"hr_bpm", "rr_ms", "pr_ms", "qrs_ms", "qt_ms", "qtc_ms", "qtc_fridericia_ms",
                                 "axis_deg"})
"""The quantities of one number for the whole ECG: what "yours" or a name in a
"respectively" list stands for."""
_LABEL_QUANTITIES = _INTERVAL_RATE_AXIS | {"qt_qtc_pair"}
"""The quantities a label line names (``_with_label_mentions``)."""
_POSSESSIVE_REACH = 250
"""How far back (characters) the quantity a possessive stands for may be named."""


def _with_possessive_mentions(lowered: str, mentions: list[Mention]) -> list[Mention]:
    """``mentions`` and, for each possessive pronoun that stands for a quantity, a mention of
    the last interval, rate or axis named before it (within ``_POSSESSIVE_REACH``)."""
    added = []
    mention_starts = [x.start for x in mentions]
    for m in _POSSESSIVE_RE.finditer(lowered):
        earlier = [x for x in mentions if x.end <= m.start() and m.start() - x.end <= _POSSESSIVE_REACH]
        quantity = _line_label(lowered, mentions, mention_starts, m.start()) or (
            earlier[-1].quantity if earlier else None)
        if quantity in _INTERVAL_RATE_AXIS:
            added.append(Mention(quantity, m.start(1), m.end(1), m))
    if not added:
        return mentions
    return sorted(mentions + added, key=lambda x: x.start)


_PRONOUN_WORD_NEEDLES = gate(
    "it's", "it’s", "it is", "that's", "that’s", "that is", "you're", "you’re", "you are", "it looks", "it seems",
    "it appears", "it measures", "it comes", "it came", "it reaches", "it reached", "they", "number", "value ", "reading", "figure", "values ",
    "normal is ")
"""Words one of which a pronoun's match (``_PRONOUN_RE``) needs."""
_BARE_NORMAL_NEEDLES = gate("is normal", "are normal", "considered normal", "usually normal", "generally normal",
                            "typically normal")
_PRONOUN_NEEDLES = gate(*_PRONOUN_WORD_NEEDLES, *_BARE_NORMAL_NEEDLES, "somewhere ", "anywhere ")
_PRONOUN_RE = re.compile(r"(?=[ityvn])(?<![a-z'’])(?:(?:it|that|they)(?:['’](?:s|re)|\s+(?:is|are|was|were))(?=\s)"
                         # "you're at 58" (not "you're 45": an age)
                         r"|you(?:['’]re|\s+are|\s+were)(?=\s+(?:at|around|sitting|running|hovering|coming)\s)"
                         # "it looks like roughly 90 ms", "it measures 0.10 s", "they measure about 90 ms"
                         r"|(?:it|that)\s+(?:looks\s+like|seems\s+to\s+be|appears\s+to\s+be|measures|comes\s+to"
                         r"|reaches|reached)(?=\s)"
                         r"|they\s+(?:look\s+like|seem\s+to\s+be|appear\s+to\s+be|measure)(?=\s)"
                         r"|(?:it|that)(?=\s+(?:comes|came)\s+(?:in|out|back)\s)"  # "it comes in at 452"
                         # "The number on your report is 472 ms"
                         r"|(?:the|this|that|your)\s+(?:number|value|reading|figure)(?:\s+(?:on|in)\s+(?:your|the)\s+"
                         r"(?:report|printout|ecg|ekg|tracing))?(?=\s+(?:is|was|reads)\s)"
                         r"|values(?=\s+(?:under|over|above|below|between|less|more|greater)\s)"
                         # "normal is under 450"
                         r"|(?<!of\s)normal(?=\s+is\s))")
_BARE_NORMAL = (r"(?:under|below|over|above|between)?\s*\d[\d.]*\s*(?:(?:-|–|to|and)\s*\d[\d.]*\s*)?(?:[a-z/]+\s+)?"
                r"(?:is|are)\s+(?:(?:considered|usually|generally|typically)\s+)?normal")
_BARE_NORMAL_RE = re.compile(rf"(?={_BARE_NORMAL})")
_BARE_NORMAL_AFTER_RE = re.compile(rf"[(.;](?:(?<=\()|(?<=[.;])\s)(?={_BARE_NORMAL})")
"""A bare range or limit opening a clause, said to be normal: "(60-100 is normal)"; an empty
match right after "(" or a sentence end, found where ``_BARE_NORMAL_AFTER_RE`` is
(``_pronoun_matches``)."""
_SOMEWHERE_RE = re.compile(r"(?=(?:somewhere|anywhere)\s+(?:between|from)\s)")
"""Where a casual range starts: "somewhere between 60 and 100 is normal" (an empty match)."""
"""A pronoun and its verb ("it's", "you're", "that is"), or "values" before a bound ("values
above roughly 460 ms"). ("Anything above ..." is left out: on the held-out corpus it gave
claims the annotators did not make.)"""
_PRONOUN_REACH = 40
"""How far (characters) after the pronoun its number may stand."""
_PRONOUN_WORDS = ("it", "that", "they")
_ONLY_GAP_RE = re.compile(r"\s+(?:only|just|barely)\s+")
"""A per-lead pronoun's number played down: "here it is only 0.5 mm"."""


def _line_label(lowered: str, mentions: list[Mention], mention_starts: list[int], pos: int) -> str | None:
    """The interval, rate or axis a line opened by its label names ("PR interval: ... Yours is
    0.16 seconds"), where ``pos`` is after the label's colon: what a pronoun there stands for,
    though the line names another quantity on the way ("... to the start of the QRS")."""
    line_start = lowered.rfind("\n", 0, pos) + 1
    k = bisect_left(mention_starts, line_start)
    if k == len(mentions) or mentions[k].start >= pos:
        return None
    label = mentions[k]
    if not _SECTION_HEAD_RE.fullmatch(lowered, line_start, label.start):
        return None
    colon = _LABEL_COLON_RE.match(lowered, label.end)
    if colon is None or colon.end() > pos:
        return None
    quantity = "qtc_ms" if label.quantity == "qt_qtc_pair" else label.quantity
    return quantity if quantity in _INTERVAL_RATE_AXIS else None


def _pronoun_matches(lowered: str, needles: set[str]) -> list[re.Match[str]]:
    """The matches of ``_PRONOUN_RE`` and the empty ones of ``_BARE_NORMAL_RE`` (after "(" or a
    sentence end) and ``_SOMEWHERE_RE``, in order (``needles``: the text's, as
    ``ParsedText.needles``). (One pattern holding the empty ones was tried at every
    character: it cost a sixteenth of the extraction of a dense text.)"""
    found = list(_PRONOUN_RE.finditer(lowered)) if not needles.isdisjoint(_PRONOUN_WORD_NEEDLES) else []
    extra = []
    if not needles.isdisjoint(_BARE_NORMAL_NEEDLES):
        pos = 0
        while (after := _BARE_NORMAL_AFTER_RE.search(lowered, pos)) is not None:
            at = after.end()
            m = _BARE_NORMAL_RE.match(lowered, at)
            if m is not None:
                extra.append(m)
            pos = after.start() + 1
    for word in ("somewhere", "anywhere"):
        i = lowered.find(word)
        while i >= 0:
            if not (i and ((lowered[i - 1].isalpha() and lowered[i - 1].isascii() and lowered[i - 1].islower())
                           or lowered[i - 1] in "'’")):
                m = _SOMEWHERE_RE.match(lowered, i)
                if m is not None:
                    extra.append(m)
            i = lowered.find(word, i + 1)
    if extra:
        found = sorted(found + extra, key=_MATCH_START)
    return found


_MATCH_START = methodcaller("start")



def _with_pronoun_mentions(lowered: str, values: list[Value], mentions: list[Mention],
                           needles: set[str]) -> list[Mention]:
    """``mentions`` and, for a pronoun that stands for the interval, rate or axis named last
    before it (within ``_POSSESSIVE_REACH``) and is followed by a number of it ("Your heart
    rate is 58 bpm. It's a bit slow at 52", "... and you're at 58", "Your QTc is 430;
    anything under 450 is normal"), a mention of that quantity at the pronoun. The number
    must follow as it follows a keyword (``TIGHT_GAP_RE``, or a category and "at") with no
    keyword between, and fit the quantity."""
    added = []
    starts = [v.start for v in values]
    mention_starts = [x.start for x in mentions]
    for m in _pronoun_matches(lowered, needles):
        k = bisect_left(mention_starts, m.start())
        if k == 0 or (k < len(mentions) and mentions[k].start < m.end()):
            continue
        earlier = mentions[k - 1]
        if m.start() - earlier.end > _POSSESSIVE_REACH:
            continue
        quantity = _line_label(lowered, mentions, mention_starts, m.start()) or earlier.quantity
        per_lead = quantity in _PER_LEAD
        if quantity not in _INTERVAL_RATE_AXIS and not per_lead:
            continue
        i = bisect_left(starts, m.end())
        if i == len(values) or values[i].start - m.end() > _PRONOUN_REACH or values[i].conversion:
            continue
        value = values[i]
        if k < len(mentions) and mentions[k].start < value.start:
            continue  # another keyword first: "it's the QRS that is 90 ms"
        if per_lead:
            # "subtle ST elevation in V2, but it is less than 1 mm": the finding's keyword (its
            # direction) and leads (``_per_lead_mention_claims``), given an amplitude
            # ("values above 3.5 mV suggest LVH" after the R waves: a limit, no pronoun)
            if (value.family == "amplitude" and lowered.startswith(_PRONOUN_WORDS, m.start())
                    and (TIGHT_GAP_RE.fullmatch(lowered, m.end(), value.start)
                         or _ONLY_GAP_RE.fullmatch(lowered, m.end(), value.start))):
                added.append(Mention(quantity, m.start(), m.end(), earlier.match, referent=earlier))
            continue
        if not (TIGHT_GAP_RE.fullmatch(lowered, m.end(), value.start)
                or _category_at(lowered, quantity, m.end(), value.start)):
            continue
        if value.family is None and not _bare_number_ok(lowered, value):
            continue
        least, most = _LABEL_VALUE_RANGE.get(quantity, (20.0, 1000.0))
        if not ((_fits(quantity, value) and least <= value.value <= most)
                or (value.family is None and _plausible(quantity, value))):
            continue  # ("The QTc is 440 ms. It's 10 seconds long" is no QTc)
        added.append(Mention(quantity, m.start(), m.end(), m))
    if not added:
        return mentions
    return sorted(mentions + added, key=lambda x: x.start)


_WAVE_PRONOUN_RES = (
    (gate("they"), re.compile(r"they(?<![a-z'’]they)(?:\s+(?:are|were|appear|look|seem|become|remain)|['’]re)(?=\s)")),
    # (not a comment on the finding: "in V1 it is normal")
    (gate("it is", "it's", "it’s", "it was", "it appears", "it looks", "it seems"),
     re.compile(r"it(?<![a-z'’]it)(?:\s+(?:is|was|appears|looks|seems)|['’]s)(?=\s)"
                r"(?!\s+(?:(?:quite|very|fairly|also)\s+)?(?:normal|common|usual|expected|a|an|seen)\b)")),
    (gate("those"), re.compile(r"those(?<![a-z'’]those)(?=\s+in\s)")),
)
"""A pronoun for T waves, each form with its gate (one pattern for all, without a literal
to skip ahead to, cost a fiftieth of a dense text's extraction)."""
_WAVE_PRONOUN_GATE = frozenset().union(*(literals for literals, _ in _WAVE_PRONOUN_RES))
_THOSE_IN_RE = re.compile(r"\s+in\s+(?:the\s+)?(?:leads?\s+)?")
_IN_LEADS_BEFORE_RE = re.compile(r"(?<![a-z])(?:in|at)\s+(?:the\s+)?(?:leads?\s+)?$")
_GROUP_TO_PRONOUN_RE = re.compile(r"\s*,?\s*")


def _with_wave_pronoun_mentions(parsed: ParsedText, mentions: list[Mention]) -> list[Mention]:
    """``mentions`` and, for "they are" ("it is") right after leads of its own ("Biphasic T
    waves in V2 and V3; in V4 they are inverted", "... In aVL it is flat") or "those" right
    before them ("the T waves in V1 are inverted, but those in V3 to V6 are upright")
    where the keyword before is a T wave's (within ``_POSSESSIVE_REACH``), a T-wave
    mention at the pronoun that stands for it, with those leads (``_wave_claims``)."""
    lowered, groups = parsed.lowered, parsed.groups
    added = []
    mention_starts = [x.start for x in mentions]
    matches = [m for literals, pattern in _WAVE_PRONOUN_RES if not literals.isdisjoint(parsed.needles)
               for m in pattern.finditer(lowered)]
    for m in sorted(matches, key=_MATCH_START):
        k = bisect_left(mention_starts, m.start())
        if k == 0 or mentions[k - 1].quantity != "t_wave" or m.start() - mentions[k - 1].end > _POSSESSIVE_REACH:
            continue
        g = bisect_left(parsed.group_starts, m.start())
        if lowered.startswith("those", m.start()):  # the leads after it: its own scope's
            if g == len(groups) or not _THOSE_IN_RE.fullmatch(lowered, m.end(), groups[g].start):
                continue
            added.append(Mention("t_wave", m.start(), m.end(), m))
            continue
        if g == 0 or not (_GROUP_TO_PRONOUN_RE.fullmatch(lowered, groups[g - 1].end, m.start())
                          and _IN_LEADS_BEFORE_RE.search(lowered, max(0, groups[g - 1].start - 16),
                                                         groups[g - 1].start)):
            continue
        added.append(Mention("t_wave", m.start(), m.end(), m, referent=mentions[k - 1]))
    if not added:
        return mentions
    return sorted(mentions + added, key=_START)


_KEYWORD_UNIT_GATE_RE = re.compile(r"\(\s*(?:mv|mm|µv|μv|uv)\s*\)\s*:")
_KEYWORD_UNIT_RE = re.compile(r"(?:\s+(?:per|by|in\s+each)\s+lead)?\s*\(\s*(mv|mm|µv|μv|uv)\s*\)\s*:")
"""A unit in parentheses between a per-lead keyword and its colon."""
_HEADER_UNIT_RE = re.compile(r"\(\s*(mv|mm|ms|msec|µv|μv|uv|s|sec|bpm|°|deg|degrees)\s*\)")
_WAVE_LETTER_HEADER_RE = re.compile(
    r"\s*(?:\*\*)?\s*([rs])(?:[- ]?(?:waves?|amplitudes?|amp\.?|heights?|depths?))?\s*(?:\([^)]*\))?\s*(?:\*\*)?\s*")
_LEAD_HEADER_RE = re.compile(r"\s*(?:\*\*)?\s*leads?\s*(?:\*\*)?\s*")
_SECTION_QUANTITIES = frozenset({"hr_bpm", "rr_ms", "pr_ms", "qrs_ms", "qt_ms", "qtc_ms", "qtc_fridericia_ms",
                                 "axis_deg", "st_mv", "t_wave", "q_wave"})
_SECTION_HEAD_RE = re.compile(
    r"[ \t]*(?:#{1,6}[ \t]*)?(?:[-*•][ \t]+)?(?:\d+[.)][ \t]*)?(?:\*\*|__)?[ \t]*"
    r"(?:(?:heart|ventricular|frontal|electrical|mean|qrs|corrected)[ \t]+(?:plane[ \t]+)?)?")
_SECTION_TAIL_RE = re.compile(
    r"(?:[ \t]+(?:segments?|waves?|intervals?|duration|width|complex(?:es)?|axis|changes|morphology|analysis"
    r"|findings|assessment))*[ \t]*(?:\*\*|__)?[ \t]*:?[ \t]*(?:\*\*|__)?[ \t]*")
"""A line that is a heading of one quantity: "### ST Segments", "**QRS complex:**", "2. **T waves**"."""
_LABEL_VALUE_RANGE = {"rr_ms": (200.0, 3000.0), "hr_bpm": (15.0, 300.0), "axis_deg": (-180.0, 360.0)}
"""Where a number read for a label's or a pronoun's quantity may lie (an interval's: 20 to
1000 ms)."""
_LABEL_COLON_RE = re.compile(
    r"(?:[ \t]+(?:segments?|waves?|intervals?|duration|width|complex(?:es)?|axis))*[ \t]*(?:\*\*|__)?[ \t]*:"
    r"[ \t]*(?:\*\*|__)?")
"""A quantity's label and its colon, a line's start: "**QRS complex:**", "PR interval:"."""
_BULLET_RE = re.compile(r"[ \t]*([-*•+]|\d+[.)])[ \t]+")
_LIST_LINE_RE = re.compile(r"\n[ \t]*(?:[-*•+]|\d+[.)])[ \t]")
_LEAST_RATE = 15.0
"""A rate written with no keyword below this is a count of beats or events, not the heart rate."""
_FORMULA_SYMBOLS = frozenset({"rr_ms", "qt_ms", "hr_bpm"})
_OPERATORS = ("/", "√", "*", "×", "÷", "sqrt(")


CONTRAST_WORDS: tuple[str, ...] = (
    "but", "while", "whereas", "however", "although", "though", "except", r"apart\s+from", r"other\s+than",
    "otherwise")
CONTRAST_RE = re.compile("(?:" + "|".join(at_word_start(word) for word in CONTRAST_WORDS) + ")(?![a-z])")
"""Words after which a keyword's scope ends: its numbers and leads are before them."""
_CONTRAST_FIRST_WORDS = [word.split("\\s+")[0] for word in CONTRAST_WORDS]
_CONTRAST_NEEDLES = gate(*(first for first in _CONTRAST_FIRST_WORDS
                             if not any(other != first and other in first for other in _CONTRAST_FIRST_WORDS)))
"""The first word of each (but a word that contains another): a text without any has no
contrast, and ``CONTRAST_RE`` (whose alternatives start with common letters, each tried)
is not run."""
_PRT_AXES_RE = re.compile(r"p-?r-?t\s+axes\s*:?\s*[+\-−]?\d+\s+(?P<axis>[+\-−]?\d+)\s+[+\-−]?\d+")
"""Machine reports list the P, QRS and T axes together: "P-R-T AXES 58 -42 41"."""
_UPPER_LIMIT_BEFORE_RE = re.compile(r"(?<![a-z])upper\s+limit(?:\s+of)?(?:\s+(?:the|normal))*\s+(?:for|of)?\s*(?:the\s+)?"
                                    r"(?:normal\s+)?$")
"""An upper limit named right before its quantity's keyword."""
_UPPER_LIMIT_WORDS = frozenset({"upper limit", "upper limit of normal", "uln", "limit", "cutoff", "cut off",
                                "threshold"})
_LIMIT_GATE, _FORMULA_NAMES, _DENIAL_GATE = gate("limit"), gate("fridericia", "bazett"), gate("not", "none", "absent")
_AXES_GATE, _RESPECTIVELY_GATE, _BOTH_GATE, _ALL_GATE = gate("axes"), gate("respectively"), gate("both"), gate("all")
"""(The words that keep a text off one rule each.)"""
_VOLTAGE_SUMS = frozenset({"sokolow_lyon_mv", "cornell_mv"})
_THRESHOLD_WORDS = frozenset({"threshold", "thresholds", "cutoff", "cut off", "cutoffs", "cut offs"})
"""A voltage sum's threshold is a criterion's lower bound (LVH is called above it), not a
normal limit."""


def _unitless_ok(quantity: str, parsed: ParsedText, mention: Mention, value: Value) -> Value | None:
    """A bare number right after its keyword ("HR 72", "PR: 160"), in a plausible range."""
    if not TIGHT_GAP_RE.fullmatch(parsed.lowered, mention.end, value.start) and not (_category_at(
            parsed.lowered, mention.quantity, mention.end, value.start) and _bare_number_ok(parsed.lowered, value)):
        return None
    return _plausible(quantity, value)


_CATEGORY_AT_RE = re.compile(
    r"\s*(?:['’]s\s+|(?:is|was|are|were|seems|looks|appears)\s+)?(?:(?:a\s+(?:bit|little|touch)|slightly|mildly"
    r"|somewhat|just|only|very|quite|perfectly|totally|pretty)\s+)*(?P<word>[a-z]+)\s+at\s+"
    r"(?:(?:about|around|approximately|roughly)\s+)?[~≈]?")


def _category_at(lowered: str, quantity: str, start: int, end: int) -> bool:
    """Whether [start, end) between a keyword and a bare number is a category of it and
    "at": "the rate is fine at 70", "it's a bit slow at 52", "QTc slightly long at 468"."""
    if " at " not in lowered[max(start, end - 24):end]:
        return False
    m = _CATEGORY_AT_RE.fullmatch(lowered, start, end)
    return m is not None and m.group("word") in KEYWORD_CATEGORIES.get(quantity, {})


def _bare_number_ok(lowered: str, value: Value) -> bool:
    """Whether a bare number away from its keyword may be a value: not a ratio ("2:1", "3/4"),
    a length ("at 25 mm/s") nor seconds written without a point ("It is 1 of 3 findings")."""
    return not (lowered.startswith((":", "/"), value.end) or _LENGTH_AFTER_RE.match(lowered, value.end)
                or (value.high < 3.0 and "." not in lowered[value.start:value.end]))


_LENGTH_AFTER_RE = re.compile(r"\s*(?:mm|cm|years?|yrs?|months?|weeks?|days?|kg|lbs?|%)(?![a-z])")
"""A length, an age or a weight after a number ("25 mm/s", "10 mm/mV", "45 years"): no interval
or rate."""


def _plausible(quantity: str, value: Value) -> Value | None:
    """A bare number as a value of ``quantity`` (seconds read as ms), if in a plausible range."""
    family = NUMERIC_QUANTITIES[quantity]
    factor = 1.0
    if family == "time_rate":
        ok = 20.0 <= value.low <= 300.0
    elif family == "time":
        factor = 1000.0 if 0.02 <= value.high < 3.0 else 1.0
        ok = 20.0 <= value.low * factor <= 2000.0
    elif family == "angle":
        ok = -180.0 <= value.low <= 360.0
    else:
        return None
    if not ok:
        return None
    return replace(value, low=value.low * factor, high=value.high * factor,
                   value=value.value * factor, family=family)


_VALUE_FAMILY = {quantity: "rate" if family == "time_rate" else family for quantity, family in NUMERIC_QUANTITIES.items()}
"""The unit family of the numbers a claim about each quantity is read from."""


assert {_VALUE_FAMILY[q] for q in PER_LEAD_QUANTITIES} == {"amplitude"}, "ParsedText.amplitude_values"


def _fits(quantity: str, value: Value) -> bool:
    return value.family == _VALUE_FAMILY[quantity]


_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}


def _claimed(quantity: str, value: Value, sign: float,
             comparator: str | None) -> tuple[float, float, float, str | None]:
    """The value, low and high end and comparator a claim about ``quantity`` reads from
    ``value`` (``sign`` -1 for a depression written without a minus)."""
    low, high, point = value.low, value.high, value.value
    comparator = comparator or value.comparator
    if quantity == "s_mv":
        low, high = sorted((-abs(value.low), -abs(value.high)))
        point = -abs(point)
        comparator = _FLIPPED.get(comparator, comparator)  # type: ignore[arg-type]
    elif quantity == "st_mv" and sign < 0 and not value.signed:
        low, high, point = -value.high, -value.low, -point
        comparator = _FLIPPED.get(comparator, comparator)  # type: ignore[arg-type]
    if comparator is not None:
        if comparator in ("<", "<="):
            low, high = -INF, point
        elif comparator in (">", ">="):
            low, high = point, INF
    return point, low, high, comparator


def _claim_from_value(quantity: str, value: Value, lead: str | None, parsed: ParsedText,
                      phrase: tuple[int, int], *, sign: float = 1.0,
                      formula: str | None = None, comparator: str | None = None) -> Claim:
    """A numeric claim read from ``value`` and its keyword at ``phrase`` (start, end)."""
    point, low, high, comparator = _claimed(quantity, value, sign, comparator)
    start = phrase[0] if phrase[0] < value.start else value.start
    end = value.end if value.end > phrase[1] else phrase[1]
    return new_claim(quantity, point, low, high, lead, (start, end), parsed.text[start:end], None,
                     value.approximate, comparator, formula, (value.start, value.end))


_CORRECTED_GAP_RE = re.compile(r"\s*[,;]?\s*(?:and\s+|but\s+)?(?:not|rather\s+than|instead\s+of)\s+")
"""Between a value and the one it replaces: "your PR is 180 ms, not 280 ms" (the second is
read, and denied)."""


def _global_claims(parsed: ParsedText, mention: Mention) -> list[Claim]:
    """The first number of the keyword's unit after it, plus any bounds that follow and
    any reference range or limit ("PR 160 ms (normal 120-200 ms)")."""
    quantity, formula = mention.quantity, None
    if quantity == "qtc_ms":
        named = FORMULA_RE.search(parsed.lowered, mention.start, mention.scope_end)
        name = named.group() if named is not None else None
        if name is None and not parsed.needles.isdisjoint(_FORMULA_NAMES):
            # "Using Fridericia's correction, the QTc comes to 418 ms"
            before = _FORMULA_BEFORE_RE.search(parsed.lowered, parsed.sentence_start(mention.start), mention.start)
            name = before.group("f") if before is not None else None
        if parsed.lowered.startswith("qtcb", mention.start) or name == "bazett":
            formula = "bazett"
        elif name == "fridericia":
            quantity, formula = "qtc_fridericia_ms", "fridericia"
    elif quantity == "qtc_fridericia_ms":
        formula = "fridericia"
    claims: list[Claim] = []
    last_end = mention.end
    limit = False  # whether the last number is a reference (a limit with no comparator)
    for i, value in enumerate(parsed.values_in(mention.end, mention.scope_end)):
        fitted = value if _fits(quantity, value) else None
        if fitted is None and value.family is None and i == 0:
            fitted = _unitless_ok(quantity, parsed, mention, value)
        elif (fitted is None and value.family is None and claims and NUMERIC_QUANTITIES[quantity] == "time_rate"
              and 20.0 <= value.low <= 300.0 and earlier_value(parsed.lowered, value.start)):
            fitted = replace(value, family="time_rate")  # "the rate is now 70 instead of 115"
        elif (fitted is None and value.family is None and claims and now_value(parsed, value)
              and _bare_number_ok(parsed.lowered, value)):
            fitted = _plausible(quantity, value)  # "the rate was 95 at the start and is now 70"
        elif (fitted is None and value.family is None and claims
              and _CORRECTED_GAP_RE.fullmatch(parsed.lowered, last_end, value.start)):
            fitted = _plausible(quantity, value)  # "the QTc is 430 ms, not 480"
        if fitted is None:
            continue
        references = parsed.assertions.cues_between(last_end, value.start, REFERENCE)
        in_reference = bool(parsed.reference_cells) and parsed.in_reference_cell(value.start)
        comparator = None
        if fitted.comparator is None and quantity in _VOLTAGE_SUMS and any(c.phrase in _THRESHOLD_WORDS for c in references):
            comparator = ">"  # "with a threshold of 2.8 mV": the sum above which LVH is called
        elif fitted.comparator is None and (any(c.phrase in _UPPER_LIMIT_WORDS for c in references) or (
                not claims and not parsed.needles.isdisjoint(_LIMIT_GATE) and _UPPER_LIMIT_BEFORE_RE.search(
                    parsed.lowered, max(0, mention.start - 40), mention.start) is not None)):
            # "the upper limit of normal is 450 ms": QTc <= 450; so is "an upper limit of normal
            # for the QTc of 440 ms" (the limit named before the keyword)
            comparator = "<="
        elif (claims and fitted.comparator is None and claims[-1].comparator in ("<", "<=", ">", ">=")
              and _BOUND_LIST_RE.fullmatch(parsed.lowered, last_end, value.start)):
            comparator = claims[-1].comparator  # "longer than 470 ms in women or 450 ms in men"
        elif (claims and fitted.comparator is None and (limit or claims[-1].comparator not in (None, "range"))
              and _GROUP_LIST_RE.fullmatch(parsed.lowered, last_end, value.start)):
            # "cut-offs are 450 ms in men and 470 ms in women": one limit for each group of
            # people (no ECG is of both), listed as the first one is; a number for one group
            # that is no limit ("QTc 450 ms in men and 470 ms in women") passes nothing on
            comparator = claims[-1].comparator if claims[-1].comparator != "range" else None
        elif (claims and fitted.comparator in (None, "range") and not references and not in_reference
              and not earlier_value(parsed.lowered, value.start) and not now_value(parsed, value)
              and not _CORRECTED_GAP_RE.fullmatch(parsed.lowered, last_end, value.start)
              and not (parsed.lowered.endswith(" to ", 0, value.start)
                       and earlier_value(parsed.lowered, claims[-1].focus[0] if claims[-1].focus else 0))):
            continue  # (but "from 490 ms to 455 ms": this ECG's value after the earlier one)
        claims.append(_claim_from_value(quantity, fitted, None, parsed, (mention.start, mention.end),
                                        formula=formula, comparator=comparator))
        last_end = value.end
        limit = bool(references) or in_reference
    if claims and claims[0].comparator != "range":
        # a bound names its category too: "a QTc below 350 ms is short", "a QRS over 120 ms is
        # called wide" (stated of the bound, with its status)
        predicate = _value_predicate(parsed, mention.start, claims[0], quantity)
        if (not predicate and len(claims) > 1 and parsed.reference_cells and claims[-1].focus is not None
                and parsed.in_reference_cell(claims[-1].focus[0])):
            # a table row "| PR interval | 210 ms | 120-200 ms | Prolonged |": the comment after
            # the reference cell is the row's
            predicate = _value_predicate(parsed, mention.start, claims[-1], quantity)
        claims.extend(predicate)
    return claims


_FORMULA_BEFORE_RE = re.compile(
    r"(?<![a-z])(?:using|with|by|per|applying|after)\s+(?:the\s+)?(?P<f>fridericia|bazett)(?=(?:['’]s)?"
    r"(?:\s+(?:formula|correction|method))?\s*,?\s*(?:the\s+)?(?:corrected\s+)?$)")
"""A formula named before the QTc it corrects, right before it."""
_BOUND_LIST_RE = re.compile(r"[^.;:\d]{0,30}?(?<![a-z])(?:or|and)\s+(?:in\s+\w+\s+)?")
_GROUP_LIST_RE = re.compile(
    r"\s*(?:in|for)\s+(?:adult\s+|young\s+|healthy\s+)?(?:men|males|women|females|adults|children|athletes|boys"
    r"|girls|infants)\s*[,;]?\s*(?:(?:and|or|vs\.?|versus|whereas|while|but)\s+)?")
"""Between two values, a group of people the first is for: "450 ms in men and 470 ms in women"."""


_CONVERSION_CLOSE_RE = re.compile(r"\s*\)")
_RANGE_WORDS = ("within", "inside", "in ", "outside")
"""How a category word read as a range begins ("within normal limits", "in the normal range",
"outside the usual range"): its category is "normal" (denied by the words around it)."""
_BEYOND_NORMAL = {"above": ("prolonged", "fast"), "over": ("prolonged", "fast"), "below": ("short", "slow"),
                  "under": ("short", "slow")}
"""The category a value beyond the normal range has: (an interval's, the rate's)."""
_CLAUSE_END_RE = re.compile(r"\s*(?:[.,;:!?)]|$|(?:but|and|though|for|at|today|now)(?![a-z]))")
"""What may follow a category that ends its clause (not "76 bpm, normal axis": a word of its own)."""
_JUDGED_NEXT_RE = re.compile(r"[\s)*]*[.!;]\s+(?=(?:that|this|it)(?:['’]s|\s+is|\s+was)\s)")
"""The end of a number's sentence and a next one that judges it ("... 67 bpm. That's ...",
"... 0.22 s; this is slightly long")."""


def _value_predicate(parsed: ParsedText, start: int, claim: Claim, quantity: str) -> list[Claim]:
    """A category said of a number right after it: "QTc 468 ms, which is prolonged"."""
    end = claim.focus[1] if claim.focus is not None else claim.span[1]
    i = bisect_left(parsed.value_starts, end)
    if i < len(parsed.values) and parsed.values[i].conversion:
        # "0.12 s (120 ms) - borderline wide": the category comes after the conversion
        close = _CONVERSION_CLOSE_RE.match(parsed.lowered, parsed.values[i].end)
        end = close.end() if close is not None else end
    sentence_end = parsed.sentence_end(end)
    m = VALUE_PREDICATE_RE.match(parsed.lowered, end, max(end, sentence_end))
    if m is None:
        # Chat answers judge the number in the next sentence: "Your heart rate is 67 bpm.
        # That's within the normal resting range.", "Your QTc is 480 ms. It's a bit long."
        nxt = _JUDGED_NEXT_RE.match(parsed.lowered, end)
        if nxt is not None:
            m = VALUE_PREDICATE_RE.match(parsed.lowered, nxt.end(), parsed.sentence_end(nxt.end()))
    if m is None:
        return []
    words = KEYWORD_CATEGORIES.get(quantity if quantity != "qtc_fridericia_ms" else "qt_ms", {})
    word = m.group("word")
    first = word.split(None, 1)[0]
    if first in _BEYOND_NORMAL:  # "below normal": slow or short, "above normal": fast or prolonged
        word = _BEYOND_NORMAL[first][quantity == "hr_bpm"]
    word = COMPARATIVE_CATEGORY_WORDS.get(first, word)
    category = "normal" if word.startswith(_RANGE_WORDS) else words.get(word)
    if category is None:
        return []
    target = "qtc_ms" if quantity in ("qt_ms", "qtc_fridericia_ms") else quantity
    return [Claim(quantity=target, value=None, low=None, high=None, lead=None,
                  span=(start, m.end()), phrase=parsed.text[start:m.end()],
                  category=category, focus=(m.start("word"), m.end("word")))]


def _pair_claims(parsed: ParsedText, mention: Mention) -> list[Claim]:
    """"QT/QTc 380/420 ms": QT and QTc, in that order (QTcF names Fridericia)."""
    pair = PAIR_VALUES_RE.match(parsed.lowered, mention.end, mention.scope_end)
    if pair is None:
        return []
    family, factor = unit_of(pair.group("unit"))
    if family is None and float(pair.group("b")) < 3.0:
        factor = 1000.0
    suffix = mention.match.group("fx")
    formula = {"F": "fridericia", "B": "bazett"}.get(suffix or "")
    second = "qtc_fridericia_ms" if suffix == "F" else "qtc_ms"
    span = (mention.start, pair.end())
    claims = []
    for quantity, key in (("qt_ms", "a"), (second, "b")):
        value = float(pair.group(key)) * factor
        claims.append(Claim(quantity=quantity, value=value, low=value, high=value, lead=None,
                            span=span, phrase=parsed.text[span[0]:span[1]],
                            formula=None if quantity == "qt_ms" else formula))
    if pair.group("verdict"):  # "appear prolonged (400 msec/570 msec)": the verdict before the pair
        verdict = (mention.start, pair.end("verdict"))
        claims.append(Claim(quantity="qtc_ms", value=None, low=None, high=None, lead=None, span=verdict,
                            phrase=parsed.text[verdict[0]:verdict[1]],
                            category=KEYWORD_CATEGORIES["qt_ms"][pair.group("verdict")],
                            focus=pair.span("verdict")))
        return claims
    return claims + _value_predicate(parsed, mention.start, claims[-1], second)


def _list_claims(parsed: ParsedText, mention: Mention) -> list[Claim]:
    """"PR/QRS/QTc 156/92/436 ms": one number per name, in order; intervals given in
    seconds (or below 3 without a unit) are converted to ms. A list whose counts differ
    claims nothing."""
    names = [name.strip().lower() for name in mention.match.group().split("/")]
    found = LIST_VALUES_RE.match(parsed.lowered, mention.end, mention.scope_end)
    if found is None:
        return []
    numbers = [float(n) for n in found.group("values").split("/")]
    if len(numbers) != len(names):
        return []
    family, factor = unit_of(found.group("unit"))
    times = [n for name, n in zip(names, numbers) if name != "hr"]
    if family is None and times and max(times) < 3.0:
        factor = 1000.0
    span = (mention.start, found.end())
    claims = []
    for name, number in zip(names, numbers):
        quantity, formula = LIST_QUANTITIES[name]
        value = number if quantity == "hr_bpm" else number * factor
        claims.append(Claim(quantity=quantity, value=value, low=value, high=value, lead=None, span=span,
                            phrase=parsed.text[span[0]:span[1]], formula=formula))
    return claims


def _st_direction(parsed: ParsedText, mention: Mention) -> tuple[float, str | None, int]:
    """Sign and category of an ST mention, and where its direction word ends."""
    keyword = mention.match.group().lower()
    if "elev" in keyword or keyword == "ste":
        return 1.0, "elevated", mention.end
    if "depress" in keyword or " dep" in keyword or keyword == "std":
        return -1.0, "depressed", mention.end
    if "deviation" in keyword or "shift" in keyword:
        return 1.0, "changed", mention.end  # "no ST deviation": the ST is normal
    d = DIRECTION_RE.search(parsed.lowered, mention.end, mention.scope_end)
    if d is None:
        before = ST_DIRECTION_BEFORE_RE.search(parsed.lowered, max(0, mention.start - 14), mention.start)
        if before is not None:  # "elevated ST segments in V1 and V2"
            return {"up": (1.0, "elevated"), "down": (-1.0, "depressed"), "iso": (1.0, "isoelectric")}[
                before.lastgroup or "iso"] + (mention.end,)
        return 1.0, None, mention.end
    direction = DIRECTIONS[d.lastgroup or ""]
    if direction == "up":
        return 1.0, "elevated", d.end()
    if direction == "down":
        return -1.0, "depressed", d.end()
    if direction == "changed":
        return 1.0, "changed", d.end()
    return 1.0, "isoelectric" if direction == "iso" else "normal", d.end()


def _per_lead_claims(parsed: ParsedText, mention: Mention, previous: Mention | None) -> list[Claim]:
    """Claims of one per-lead keyword over its scope. An ST mention whose scope goes on to
    the opposite direction ("ST elevation in V1-V4 with reciprocal depression in II, III,
    aVF") ends there, and the rest is read as a mention of that direction."""
    if mention.quantity != "st_mv":
        return _per_lead_mention_claims(parsed, mention, previous, _NO_DIRECTION)
    direction = _st_direction(parsed, mention)
    if parsed.lowered.startswith("reciprocal", mention.start):
        # a reciprocal change named on its own claims only where it has leads ("without
        # reciprocal depression" says nothing of its own)
        return [c for c in _per_lead_mention_claims(parsed, mention, previous, direction) if c.lead is not None]
    pattern = OPPOSITE_ST_RE.get(direction[1] or "")
    # (past leads that open the next clause: "..., and the inferior leads show reciprocal depression")
    turn = pattern.search(parsed.lowered, mention.end, mention.clause_end or mention.scope_end) if pattern else None
    tail_end = mention.clause_end if turn is not None and turn.start() >= mention.scope_end else mention.scope_end
    if turn is None and direction[1] in ("isoelectric", "normal"):
        pattern = ST_AFTER_NORMAL_RE
    if turn is None and pattern is not None and parsed.lowered.startswith(_NEXT_CLAUSE_FIRST, mention.scope_end):
        # "ST segment: elevation of 0.15 mV in V2-V3; depression of 0.1 mV in V5-V6", "ST
        # elevation in V1-V3 but depression in II, III", "normal except for 1 mm depression
        # in V6": the clause after a semicolon or a contrast that opens with the opposite
        # direction goes on with it.
        opening = _NEXT_CLAUSE_RE.match(parsed.lowered, mention.scope_end)
        turn = pattern.match(parsed.lowered, opening.end()) if opening is not None else None
        if turn is not None:
            tail_end = _clause_scope_end(parsed, turn.end())
    if (turn is not None and _WORD_TAIL_RE.fullmatch(parsed.lowered, turn.end(), mention.scope_end)
            and ST_DIRECTION_BEFORE_RE.search(parsed.lowered, max(0, mention.scope_end - 14), mention.scope_end)):
        turn = None  # "ST elevation in V2 with depressed ST in V5": the word is the next ST mention's
    if turn is None:
        return _per_lead_mention_claims(parsed, mention, previous, direction)
    head = dataclasses.replace(mention, scope_end=min(turn.start(), mention.scope_end))
    tail = Mention("st_mv", turn.start(), turn.end(), turn, scope_end=tail_end)
    # Each part's direction is read over its own scope.
    head_claims = _per_lead_mention_claims(parsed, head, previous, _st_direction(parsed, head))
    tail_direction = _st_direction(parsed, tail)
    changes = tail_direction[1] in (None, "changed") and "reciprocal" in turn.group()
    if changes:  # "reciprocal changes in I and aVL": the opposite of the finding's own direction
        tail_direction = ((-1.0, "depressed") if direction[1] == "elevated" else (1.0, "elevated")) + (turn.end(),)
    tail_claims = _per_lead_mention_claims(parsed, tail, head, tail_direction)
    if changes and all(c.lead is None for c in tail_claims):
        tail_claims = []  # "... without reciprocal change": no finding of its own
    tail_leads = list(dict.fromkeys(c.lead for c in tail_claims if c.lead is not None))
    if (tail_leads and head_claims and all(c.lead is None and c.category for c in head_claims)
            and _COORDINATED_RE.search(parsed.lowered, mention.end, turn.start())):
        # "neither elevated nor depressed in the inferior leads": both take the leads.
        head_claims = [replace(c, lead=lead) for c in head_claims for lead in tail_leads]
    return head_claims + tail_claims


_NO_DIRECTION: tuple[float, str | None, int] = (1.0, None, -1)
"""The direction of an R or S mention: none (its ``direction_end`` is never read)."""


_WORD_TAIL_RE = re.compile(r"[a-z]*\s+")
_COORDINATED_RE = re.compile(r"(?<![a-z])(?:n?or|and|rather\s+than|instead\s+of)\s+$")
_CONTRAST_OPENERS = ("but", "though", "although", "whereas", "while", "yet")
"""Words that open a contrasting clause a finding's list may go on in ("but depression in III")."""
_NEXT_CLAUSE_RE = re.compile(
    rf"(?:;\s*(?:(?:and|with|plus)\s+)?|(?:{'|'.join(_CONTRAST_OPENERS)}|except(?:\s+for)?|apart\s+from"
    rf"|other\s+than)\s+(?:(?:an?|some|the)\s+)?(?:\d+(?:\.\d+)?\s*(?:mm|mv)\s+(?:of\s+)?)?)"
    rf"(?:(?:{ST_QUALIFIERS}|slightly|mildly|minimally)\s+)*(?:st[- ](?:segments?\s+)?)?")
_NEXT_CLAUSE_FIRST = (";", *_CONTRAST_OPENERS, "except", "apart", "other")
"""The first words of ``_NEXT_CLAUSE_RE``: a scope ending at none of them goes on in no clause."""


def _clause_scope_end(parsed: ParsedText, start: int) -> int:
    """Where a keyword's scope starting at ``start`` ends: at the next mention, the
    sentence end or after ``SCOPE_CHARS``, as ``_mentions`` cuts them."""
    end = min(parsed.sentence_end(start), start + SCOPE_CHARS)
    following = [m.start for m in parsed.mentions if start <= m.start < end]
    return min(following, default=end)


_MOST_MARKED_GATE = gate("most", "maximal", "maximally", "greatest", "deepest", "worst")
_MOST_MARKED_RE = re.compile(
    r"[)\s]*[,;(\u2013\u2014-]\s*(?:and\s+)?(?:most|maximal(?:ly)?|greatest|deepest|worst)"
    r"(?:\s+(?:marked|prominent|pronounced|evident|obvious|striking|apparent|noticeable|visible))?\s+"
    r"(?:in|at|over|across)?\s*(?:the\s+)?(?:leads?\s+)?")
"""Between a number and a lead list, the words that make the list where the finding is most
marked, not the number's: ", most marked in", "(maximal in"."""
_DIFFUSE_BEFORE_RE = re.compile(r"(?<![a-z])(?:diffuse|widespread|generali[sz]ed|global|extensive)\s+(?:[a-z-]+\s+){0,2}$")
"""What makes a finding one of the whole tracing, before its keyword ("diffuse ST
depression"): its number is then the finding's, where it is most marked or not."""


def _per_lead_mention_claims(parsed: ParsedText, mention: Mention, previous: Mention | None,
                             direction: tuple[float, str | None, int],
                             context_leads: list[str | None] | None = None) -> list[Claim]:
    """The claims of a per-lead keyword (``direction``: ``_st_direction`` of an ST mention).
    This runs for every number of a lead-by-lead text, so the scope's values and lead
    lists are looked up by bisection here, not through ``values_in`` and ``groups_in``.
    ``context_leads``: the leads of the keyword's context when they are known to be those
    of its sentence's heading (``_heading_sentence_claims``)."""
    quantity = mention.quantity
    keyword_start, keyword_end, scope_end = mention.start, mention.end, mention.scope_end
    # Every per-lead quantity takes amplitudes: the scope's are a slice of those.
    starts = parsed.amplitude_starts
    i = bisect_left(starts, keyword_end)
    j = bisect_left(starts, scope_end, i)
    values = parsed.amplitude_values[i:j]
    if values:
        equals = parsed.lowered.find("=", values[0].end, scope_end)
        if equals >= 0:  # "SV3 14 mm = 24 mm": what follows "=" is a sum's, not this wave's
            scope_end = equals
            values = [v for v in values if v.start < equals]
    if mention.pre_value is not None:
        values.insert(0, mention.pre_value)
    sign, category, direction_end = direction
    opposite = category == "changed"  # "ST changes": the ST is not normal
    if opposite:
        category = "normal"
    groups: list[LeadGroup] = []
    if context_leads is None and mention.referent is not None:
        # A pronoun's: the leads named last since the finding it stands for ("ST elevation in
        # V1-V4 - in V2 it looks like 3 mm"), else that finding's ("in the inferior leads
        # there is ST elevation. It is roughly 2 mm").
        referent = mention.referent
        named = parsed.groups_in(referent.end, mention.start)
        context_leads = list(named[-1].leads) if named else [
            lead for g in context_groups(parsed, referent, None) for lead in g.leads] or [None]
    if context_leads is None:
        starts = parsed.group_starts
        i = bisect_left(starts, keyword_end)
        j = bisect_left(starts, scope_end, i)
        if i < j:
            groups = [g for g in parsed.groups[i:j] if g.end <= scope_end]
        if not groups:
            # Leads from before the keyword (the usual case in a lead-by-lead text: "Lead V5:
            # R wave ..."); every number goes with all of them.
            context = context_groups(parsed, mention, previous)
            if len(context) == 1:
                context_leads = list(context[0].leads) or [None]
            else:
                context_leads = [lead for g in context for lead in g.leads] or [None]
    claims: list[Claim] = []
    used: set[int] = set()  # the groups (their ids) a number went with, when the scope has some
    if context_leads is not None:
        _number_claims(parsed, quantity, values, context_leads, sign, keyword_start, keyword_end, claims)
    else:
        for i, value in enumerate(values):
            next_value = i + 1 < len(values)
            next_start = values[i + 1].start if next_value else scope_end
            attached = attached_group(parsed, value, groups, next_start, next_value)
            leads: list[str | None]
            if (attached is not None and category is not None and attached.start >= value.end
                    and not parsed.needles.isdisjoint(_MOST_MARKED_GATE)
                    and _MOST_MARKED_RE.fullmatch(parsed.lowered, value.end, attached.start)
                    and _DIFFUSE_BEFORE_RE.search(parsed.lowered, max(0, keyword_start - 40), keyword_start)):
                # "diffuse ST depression up to 2 mm, most marked in V4-V6": the number is the
                # finding's as a whole, the leads where it is most marked take the finding.
                leads = [None]
            elif attached is not None:
                used.add(id(attached))
                leads = list(attached.leads) or [None]
            else:  # "in V1 the J point is at +0.06 mV and in V2 at ...": the leads before
                leads = _leads_before(parsed, mention, previous)
            _number_claims(parsed, quantity, [value], leads, sign, keyword_start, keyword_end, claims)
    if quantity == "st_mv" and category is not None:
        if context_leads is not None:
            # A number took every lead of the context: a finding alone takes them (none: no lead).
            targets_left: list[str | None] = [] if values else context_leads
        else:
            targets_left = [lead for g in groups if id(g) not in used for lead in g.leads]
            if not targets_left and values:
                # "Each inferior lead shows ST elevation, most marked in III (0.3 mV)": the
                # territory before is the finding's, the lead after the number's.
                targets_left = [lead for g in context_groups(parsed, mention, previous) if g.territory
                                for lead in g.leads]
        if targets_left:
            _finding_claims(parsed, category, opposite, keyword_start, scope_end, direction_end, targets_left, claims)
    return claims


def _number_claims(parsed: ParsedText, quantity: str, values: list[Value], leads: list[str | None], sign: float,
                   keyword_start: int, keyword_end: int, claims: list[Claim]) -> None:
    """A per-lead keyword's claims of ``values`` (each in each of ``leads``), added to ``claims``."""
    text = parsed.text
    for value in values:
        if value.comparator is None and (quantity == "r_mv" or (quantity == "st_mv" and (sign > 0 or value.signed))):
            point, low, high, comparator = value.value, value.low, value.high, None  # (``_claimed``'s, at once)
        else:
            point, low, high, comparator = _claimed(quantity, value, sign, None)
        start = keyword_start if keyword_start < value.start else value.start
        end = value.end if value.end > keyword_end else keyword_end
        span, phrase, focus = (start, end), text[start:end], (value.start, value.end)
        for lead in leads:
            claims.append(new_claim(quantity, point, low, high, lead, span, phrase, None, value.approximate,
                                    comparator, None, focus))


def _finding_claims(parsed: ParsedText, category: str, opposite: bool, keyword_start: int, scope_end: int,
                    direction_end: int, leads: list[str | None], claims: list[Claim]) -> None:
    """An ST keyword's finding ("ST elevation in V1-V3") in each of ``leads``, added to ``claims``."""
    span = (keyword_start, scope_end)
    phrase = parsed.text[keyword_start:scope_end].strip()
    focus = (keyword_start, direction_end)
    claims.extend(new_claim("st_mv", None, None, None, lead, span, phrase, category, False, None, None, focus, opposite)
                  for lead in leads)


def _leads_before(parsed: ParsedText, mention: Mention, previous: Mention | None) -> list[str | None]:
    """The leads of the context before a per-lead keyword (``context_groups``), else of the
    last lead list between the sentence start (or the keyword before) and it."""
    leads: list[str | None] = [lead for g in context_groups(parsed, mention, previous) for lead in g.leads]
    if not leads:
        start = parsed.sentence_start(mention.start)
        if previous is not None and previous.end > start:
            start = previous.end
        groups = parsed.groups_in(start, mention.start)
        leads = list(groups[-1].leads) if groups else []
    return leads or [None]


def _heading_sentence_claims(parsed: ParsedText, k: int,
                             previous: Mention | None) -> tuple[list[list[Claim]] | None, int]:
    """The claims of the keywords of a sentence that is a lead heading and per-lead
    findings ("Lead V5: R wave 1.17 mV, S wave 0.38 mV deep, ST level +0.00 mV
    (isoelectric)."), read at once: ``mentions[k]`` opens the sentence's keywords (none of
    the sentence before it), all of them are per-lead keywords, and the heading is the
    sentence's only lead list. Then each keyword's context is the heading, whatever the
    keyword before it (``context_groups``), and its claims are those of
    ``_per_lead_claims`` with the heading's leads looked up once. Also returns where the
    sentence ends; None there for any other sentence (an ST keyword whose scope turns to
    the opposite direction, an "=", another lead list, ...): its keywords are read one by
    one."""
    mentions, lowered = parsed.mentions, parsed.lowered
    first = mentions[k]
    ends = parsed.sentence_ends
    i = bisect_left(ends, first.start)
    sentence_start = ends[i - 1] + 1 if i else 0
    sentence_end = ends[i] if i < len(ends) else len(parsed.text)
    if previous is not None and previous.end > sentence_start:
        return None, sentence_end  # a keyword before it in the sentence
    heading = parsed.heading(sentence_start)
    if heading is None or heading.end > first.start:
        return None, sentence_end
    starts = parsed.group_starts
    if bisect_left(starts, sentence_end) - bisect_left(starts, sentence_start) != 1:
        return None, sentence_end  # a lead list besides the heading
    if lowered.find("=", sentence_start, sentence_end) >= 0:
        return None, sentence_end  # (a sum: "SV1 + RV5 = 3.6 mV")
    j = k
    while j < len(mentions) and mentions[j].start < sentence_end:
        mention = mentions[j]
        if mention.quantity not in _PER_LEAD or mention.heading or mention.scope_end > sentence_end:
            return None, sentence_end
        j += 1
    # Each keyword as ``_per_lead_mention_claims`` reads it with the heading's leads as its
    # context (the sentence has no "=" to cut a scope at).
    leads: list[str | None] = list(heading.leads)
    amplitude_starts, amplitude_values = parsed.amplitude_starts, parsed.amplitude_values
    out: list[list[Claim]] = []
    for mention in mentions[k:j]:
        quantity = mention.quantity
        if quantity == "st_mv":
            direction = _st_direction(parsed, mention)
            pattern = OPPOSITE_ST_RE.get(direction[1] or "")
            if pattern is not None and (pattern.search(lowered, mention.end, mention.scope_end) is not None
                                        or lowered.startswith(";", mention.scope_end)):
                # the opposite direction in its scope or the clause after it (``_per_lead_claims``)
                out.append(_per_lead_claims(parsed, mention, mentions[k + len(out) - 1] if out else previous))
                continue
            sign, category, direction_end = direction
        else:
            sign, category, direction_end = _NO_DIRECTION
        a = bisect_left(amplitude_starts, mention.end)
        values = amplitude_values[a:bisect_left(amplitude_starts, mention.scope_end, a)]
        if mention.pre_value is not None:
            values.insert(0, mention.pre_value)
        claims: list[Claim] = []
        _number_claims(parsed, quantity, values, leads, sign, mention.start, mention.end, claims)
        if category is not None and not values:  # a finding alone takes the leads
            _finding_claims(parsed, "normal" if category == "changed" else category, category == "changed",
                            mention.start, mention.scope_end, direction_end, leads, claims)
        out.append(claims)
    return out, sentence_end


def _wave_claims(parsed: ParsedText, mention: Mention, previous: Mention | None) -> list[Claim]:
    """T-wave and Q-wave findings, one claim per lead of their part of the clause: "inverted
    T waves in V1-V3", "T waves upright in V2-V6 and inverted in III", "Q waves in II, III
    and aVF" (pathological unless called small, septal or normal)."""
    lowered = parsed.lowered
    keyword = lowered[mention.start:mention.end]
    parts: list[tuple[str, int, int]] = []  # (category, where it is read, where its words end)
    before = word_before(lowered, mention.start, tuple(T_WAVE_BEFORE if mention.quantity == "t_wave"
                                                        else Q_WAVE_BEFORE))
    scope_end = mention.scope_end
    if mention.quantity == "t_wave":
        first = T_WAVE_KEYWORD.get(keyword.split()[-1].split("-")[-1])
        if first is None and before is not None:
            first = T_WAVE_BEFORE[before[0]]
        if first is not None:
            parts.append((first, mention.end, mention.end))
        while lowered.startswith(_NEXT_T_CLAUSE_FIRST, scope_end) and _NEXT_T_CLAUSE_RE.match(lowered, scope_end):
            # "T waves: upright in I, II, V2-V6; inverted in aVR", "upright in most leads,
            # though possibly flattened in aVL": the list goes on past ";" or the contrast
            scope_end = _clause_scope_end(parsed, scope_end + 1)
        for m in T_WAVE_WORDS_RE.finditer(lowered, mention.end, scope_end):
            category = T_WAVE_WORDS[m.lastgroup or ""]
            if category == "normal" and parts and (_NORMAL_COMMENT_AFTER_RE.match(lowered, m.end())
                                                   or _NORMAL_COMMENT_BEFORE_RE.search(lowered, max(0, m.start() - 40),
                                                                                       m.start())):
                # "T-wave inversion in V1, which can be a normal finding", "... flipped in III,
                # which on its own can be normal": a comment on it
                continue
            if parts and parts[-1][0] == category and not parsed.groups_in(parts[-1][2], m.start()):
                continue
            # The first part starts at the keyword: "T waves in V1 to V3 appear inverted".
            parts.append((category, m.start() if parts else mention.end, m.end()))
        if (len(parts) > 1 and parts[0][0] == "changed" and first == "changed"
                and not parsed.groups_in(mention.end, parts[1][1])):
            # "T-wave changes: negative in III, flat in aVF": the changes are the ones named
            parts = [(parts[1][0], mention.end, parts[1][2]), *parts[2:]]
    else:
        q_category = Q_WAVE_BEFORE.get(before[0]) if before is not None else "pathological"
        if before is None and (small := Q_WAVE_NORMAL_AFTER_RE.search(lowered, mention.end, mention.scope_end)):
            # "the Q waves in II, III and aVF are tiny and within normal limits": said of the
            # Q waves, not pathological ones; "Q waves in III, small": no claim
            q_category = "not_pathological" if _q_waves_called_small(parsed, mention.end, small.start()) else None
        if q_category is None or _MIMIC_BEFORE_RE.search(lowered, max(0, mention.start - 40), mention.start) \
                or _LIKE_AFTER_RE.match(lowered, mention.end):
            return []  # "pseudo-Q waves", "Q-wave-like deflections", "mimics inferior Q waves": no Q wave
        parts.append((q_category, mention.end, mention.end))
    if lowered.find(" of ", max(0, scope_end - 30), scope_end) >= 0 and (
            _PART_OF_BEFORE_RE.search(lowered, max(0, scope_end - 30), scope_end)
            and not parsed.groups_in(mention.end, scope_end)):
        # "Q waves measuring 0.04 s and one third of the R-wave height are seen in V1-V3": a
        # wave named as the measure of this one ends no scope
        k = bisect_left(parsed.mentions, scope_end, key=_START)
        if k < len(parsed.mentions) and parsed.mentions[k].quantity in _PER_LEAD:
            scope_end = parsed.mentions[k].scope_end
    claims: list[Claim] = []
    start = before[1] if before is not None else mention.start
    for i, (category, at, words_end) in enumerate(parts):
        end = parts[i + 1][1] if i + 1 < len(parts) else scope_end
        groups = parsed.groups_in(at, end)
        if i and category == "changed" and not groups:
            continue  # "T-wave inversions in V1-V3, which are expected secondary changes": said again
        if not groups and i == 0:
            # (a pronoun's: the leads named right before it, "in V4 they are inverted")
            groups = (parsed.groups_in(mention.referent.end, mention.start)[-1:] if mention.referent is not None
                      else context_groups(parsed, mention, previous))
        elif not groups and category == parts[i - 1][0]:
            continue  # "tall ... in V2-V5, i.e. peaked": the same finding said again
        leads: list[str | None] = [lead for g in groups for lead in g.leads] or [None]
        focus = (start if i == 0 else at, max(words_end, mention.end))
        span = (start if i == 0 else at, max(words_end, mention.end, groups[-1].end if groups else 0))
        claims.extend(Claim(quantity=mention.quantity, value=None, low=None, high=None, lead=lead,
                            span=span, phrase=parsed.text[span[0]:span[1]],
                            category=_OPPOSITE_CATEGORY.get(category, category),
                            focus=focus, opposite=category in _OPPOSITE_CATEGORY)
                      for lead in dict.fromkeys(leads))
    return claims


_OPPOSITE_CATEGORY = {"changed": "normal", "not_pathological": "pathological"}
"""A wave's part read as the denial of another category: "T-wave changes" (not normal),
Q waves called small (not pathological)."""
_PART_OF_BEFORE_RE = re.compile(r"(?:%|percent|thirds?|quarters?|half|fourths?|fifths?)\s+of\s+(?:the\s+)?"
                                r"(?:(?:following|succeeding|accompanying|corresponding|same)\s+)?$")
"""A wave's measure as a part of another wave ("one third of the R-wave height")."""
_START = attrgetter("start")
_Q_NORMAL_PREDICATE_RE = re.compile(
    r"\s*(?:are|is|were|was|looks?|appears?|seems?|remains?)\s+(?:(?:all|only|very|quite|rather|both"
    r"|just|still|probably|likely)\s+)*")
"""The verb before a Q wave's normal word that makes it said of the Q waves ("are tiny")."""
_IN_LEADS_RE = re.compile(r"\s*(?:in\s+)?(?:the\s+)?(?:leads?\s+)?")


def _q_waves_called_small(parsed: ParsedText, end: int, word_start: int) -> bool:
    """Whether the Q waves named up to ``end`` (with their leads, if any) are the subject of
    the verb before a normal word at ``word_start``: "the Q waves in II, III and aVF are
    tiny" (not "a Q wave in III, which is likely nonpathological")."""
    groups = parsed.groups_in(end, word_start)
    if groups:
        if not _IN_LEADS_RE.fullmatch(parsed.lowered, end, groups[0].start):
            return False
        end = groups[-1].end
    return _Q_NORMAL_PREDICATE_RE.fullmatch(parsed.lowered, end, word_start) is not None


_NORMAL_COMMENT_AFTER_RE = re.compile(r"\s+(?:finding|variant|variation|feature|pattern)s?(?![a-z])")
_NORMAL_COMMENT_BEFORE_RE = re.compile(r"(?<![a-z])(?:which|that|this|it)(?:\s+[a-z]+){0,3}?\s+(?:can|may|could|might)\s+be\s+$")
_LEADS_AFTER_RE = re.compile(r"\s*,?\s*(?:in\s+)?(?:leads?\s+)?")
_NEXT_T_CLAUSE_RE = re.compile(
    rf"(?:;\s*(?:and\s+|but\s+)?|(?:{'|'.join(_CONTRAST_OPENERS)})\s+)"
    r"(?:(?:slightly|mildly|deeply|minimally|possibly|probably|perhaps|maybe|likely)\s+)?(?:upright|inverted|negative"
    r"|flat|flattened|biphasic|peaked|tall|positive)\s+in\b")
"""A clause after ";" or a contrast that goes on with a T-wave list: "; inverted in aVR", "but
inverted in III"."""
_NEXT_T_CLAUSE_FIRST = (";", *_CONTRAST_OPENERS)
_WITH_RE = re.compile(r"\s*,?\s*(?:with|and|plus|along\s+with|such\s+as|including|rather\s+than|instead\s+of)\s+"
                      r"(?:[a-z]+\s+){0,2}")
_JOINED_RE = re.compile(r"(?<![a-z])(?:with|and|plus|rather\s+than|instead\s+of)\s*$")


def _share_leads(parsed: ParsedText, findings: list[list[Claim]]) -> None:
    """Two findings joined by "with"/"and" where only one names leads share them: "ST
    depression of 0.5 mm with T-wave inversion in I, aVL" (both in I, aVL), "Q waves in II,
    III, aVF with terminally negative T waves" (both in II, III, aVF); so do changes and the
    examples given of them ("the lateral leads show ST-T changes, such as ST depression"), and
    a finding and the one it is named instead of ("ST depression in V4-V6 rather than ST
    elevation": the elevation is denied there)."""
    for i in range(len(findings) - 1):
        first, second = findings[i], findings[i + 1]
        if not first or not second or (first[0].lead is not None and second[0].lead is not None):
            continue  # (a finding's claims all have leads or none has)
        first_leads = list(dict.fromkeys(c.lead for c in first if c.lead is not None))
        second_leads = list(dict.fromkeys(c.lead for c in second if c.lead is not None))
        end = max(c.span[1] for c in first)
        start = min(c.span[0] for c in second)
        if start < end or parsed.sentence_start(start) != parsed.sentence_start(end):
            continue
        if first_leads:  # "ST depression 0.1 mV in V5, V6 with negative T waves": past its leads
            after = parsed.groups_in(end, start)
            if after and _LEADS_AFTER_RE.fullmatch(parsed.lowered, end, after[0].start):
                end = after[0].end
        if not _WITH_RE.fullmatch(parsed.lowered, end, start) and not (
                # the first finding's words took the joining word: "ST elevation and | T-wave inversion"
                not parsed.lowered[end:start].strip() and _JOINED_RE.search(parsed.lowered, max(0, end - 12), end)):
            continue
        if first_leads and not second_leads and not (
                # "ST elevation in aVR with widespread ST depression elsewhere": not in aVR
                not parsed.needles.isdisjoint(_ELSEWHERE_GATE)
                and parsed.lowered.find("elsewhere", start, max(c.span[1] for c in second) + 24) >= 0):
            findings[i + 1] = [replace(c, lead=lead) for c in second for lead in first_leads]
        elif second_leads and not first_leads:
            findings[i] = [replace(c, lead=lead) for c in first for lead in second_leads]


_ELSEWHERE_GATE = gate("elsewhere")
_LIST_ENDS = ("\n", ". ", "! ", "? ")


def _all_claims(parsed: ParsedText) -> list[Claim]:
    """"PR 160 ms; QRS 90 ms; QTc 420 ms - all normal": the category for every quantity
    named before it in its sentence (a list split by semicolons is one sentence here)."""
    out: list[Claim] = []
    for m in ALL_RE.finditer(parsed.lowered):
        if not starts_word(parsed.lowered, m.start()):
            continue
        window = max(0, m.start() - 300)
        start = max(window - 1, *(parsed.lowered.rfind(end, window, m.start()) for end in _LIST_ENDS)) + 1
        named = _categorical_quantities(parsed, start, m.start())
        word = m.group("word")
        category = "normal" if word.startswith((*_RANGE_WORDS, "fine", "unremarkable", "wnl")) else word
        if len(named) < 2:
            continue
        out.extend(Claim(quantity=quantity, value=None, low=None, high=None, lead=None,
                         span=(m.start("word"), m.end()), phrase=parsed.text[m.start():m.end()],
                         category=category, focus=(m.start("word"), m.end()))
                   for quantity in named)
    return out


def _categorical_quantities(parsed: ParsedText, start: int, end: int) -> list[str]:
    """The quantities with categories named in [start, end), in order, each once (QT for the
    corrected QT)."""
    return list(dict.fromkeys(
        "qtc_ms" if mn.quantity in ("qt_ms", "qtc_fridericia_ms") else mn.quantity
        for mn in parsed.mentions if start <= mn.start < end and mn.quantity in KEYWORD_CATEGORIES))


def _both_claims(parsed: ParsedText) -> list[Claim]:
    """"..., both normal": the category for the last two quantities named before it in the
    sentence, or in the sentence before ("... and your QRS is 84 ms. Both are normal.")."""
    out = []
    for m in BOTH_RE.finditer(parsed.lowered):
        start = parsed.sentence_start(m.start())
        named = _categorical_quantities(parsed, start, m.start())
        if not named and start > 0 and not parsed.lowered[start:m.start()].strip(" \t*-•"):
            named = _categorical_quantities(parsed, parsed.sentence_start(start - 1), start)
        word = m.group("word")
        for quantity in named[-2:]:
            category = "normal" if word.startswith(_RANGE_WORDS) else KEYWORD_CATEGORIES[quantity].get(word)
            if category is not None:
                out.append(Claim(quantity=quantity, value=None, low=None, high=None, lead=None,
                                 span=(m.start("word"), m.end()), phrase=parsed.text[m.start():m.end()],
                                 category=category, focus=(m.start("word"), m.end())))
    return out


_ABNORMAL_BEFORE = ("abnormal", "nonspecific", "non-specific")
_CHANGES_IN_RE = re.compile(r"(?<![a-z])(?:abnormalit(?:y|ies)|changes|deviations)\s+(?:in|of)\s+(?:the\s+)?$")


def _territories_before(parsed: ParsedText, start: int) -> list[LeadGroup]:
    """The territory names right before a keyword ("lateral ST-T changes", "inferior/lateral
    ST-T changes"), each joined to the next by a slash, comma or "and"."""
    found: list[LeadGroup] = []
    end = start
    for group in reversed(parsed.groups_in(parsed.sentence_start(start), start)):
        if not group.territory or _TERRITORY_JOIN_RE.fullmatch(parsed.lowered, group.end, end) is None:
            break
        found.insert(0, group)
        end = group.start
    return found


_TERRITORY_JOIN_RE = re.compile(r"\s*(?:(?:/|,|and)\s*)?")


def _st_t_claims(parsed: ParsedText, mention: Mention, previous: Mention | None) -> list[Claim]:
    """"ST-T changes", "ST & T abnormal", "no ST-T changes": a claim about the ST segment and
    one about the T wave (normal, or not normal for changes and abnormalities), with the
    leads of the scope, else of the territories right before, else of the clause before
    ("the lateral leads, particularly I and aVL, exhibit ST-T changes") or the sentence's
    lead heading ("In lead V1, ... no ST-T changes")."""
    d = DIRECTION_RE.search(parsed.lowered, mention.end, mention.scope_end)
    direction = DIRECTIONS[d.lastgroup or ""] if d is not None else None
    if parsed.lowered.startswith(("nsst", "nonspecific", "repol"), mention.start) or word_before(
            parsed.lowered, mention.start, _ABNORMAL_BEFORE) is not None or _CHANGES_IN_RE.search(
            parsed.lowered, max(0, mention.start - 30), mention.start):
        # "NSSTTW", "repol abnormality", "abnormal ST & T", "abnormalities in the ST segments
        # and T waves": not normal
        d, direction = None, "changed"
    elif d is None or direction not in ("changed", "normal"):
        return []
    word_end = d.end() if d is not None else mention.end
    if d is not None and _labels_own_lines(parsed, mention.start, word_end):
        return []  # "4. **ST-T changes**: ST depression in ...": the item says what the changes are
    groups = (parsed.groups_in(mention.end, mention.scope_end) or _territories_before(parsed, mention.start)
              or context_groups(parsed, mention, previous))
    leads: list[str | None] = [lead for g in groups for lead in g.leads] or [None]
    span = (mention.start, max(word_end, groups[-1].end if groups else 0))
    return [Claim(quantity=quantity, value=None, low=None, high=None, lead=lead, span=span,
                  phrase=parsed.text[span[0]:span[1]], category="normal", focus=(mention.start, word_end),
                  opposite=direction == "changed")
            for quantity in ("st_mv", "t_wave") for lead in dict.fromkeys(leads)]


_LABEL_TAIL_RE = re.compile(r"[ \t]*(?:\*\*|__)?[ \t]*:")


def _labels_own_lines(parsed: ParsedText, start: int, end: int) -> bool:
    """Whether lowered[start:end] is a line's label ("4. **ST-T changes**:", "### ST/T
    changes:": only list or heading markup before it on its line, a colon after it) whose
    item names ST or T findings of its own: the rest of its line, or the lines below it up
    to a blank line when the label ends its line."""
    lowered = parsed.lowered
    line_start = lowered.rfind("\n", 0, start) + 1
    colon = _LABEL_TAIL_RE.match(lowered, end)
    if colon is None or not _SECTION_HEAD_RE.fullmatch(lowered, line_start, start):
        return False
    item_end = lowered.find("\n", colon.end())
    if item_end < 0:
        item_end = len(lowered)
    elif not lowered[colon.end():item_end].strip(" \t*_"):
        item_end = lowered.find("\n\n", item_end)
        item_end = len(lowered) if item_end < 0 else item_end
    return any(colon.end() <= m.start < item_end and m.quantity in ("st_mv", "t_wave", "st_t")
               for m in parsed.mentions)


_COORDINATION_RE = re.compile(r"\s*(?:,\s*(?:and\s+)?|and\s+|&\s*)(?:the\s+)?")


def _coordinated_predicate(parsed: ParsedText, mention: Mention) -> re.Match[str] | None:
    """The predicate of a list of keywords said of each ("QRS and QTc look normal", "the PR,
    QRS and QT are all normal"): the one after the list's last keyword."""
    lowered, mentions = parsed.lowered, parsed.mentions
    k = next((i for i, m in enumerate(mentions) if m is mention), None)
    while k is not None and k + 1 < len(mentions) and _COORDINATION_RE.fullmatch(
            lowered, mentions[k].end, mentions[k + 1].start):
        k += 1
        if mentions[k].quantity not in CATEGORY_WORDS:
            return None
        after = PREDICATE_RE.match(lowered, mentions[k].end, mentions[k].scope_end)
        if after is not None:
            return after
    return None


def _keyword_categories(parsed: ParsedText, mention: Mention) -> list[Claim]:
    """Category words with a keyword: "prolonged PR", "the QRS complexes are wide"."""
    words = CATEGORY_WORDS.get(mention.quantity)
    if not words:
        return []
    quantity = "qtc_ms" if mention.quantity in ("qt_ms", "qtc_fridericia_ms") else mention.quantity
    lowered = parsed.lowered
    found: list[tuple[str, int, int, bool]] = []
    # ``word_before`` written out: the qualifiers skipped and the category word read from
    # one stripped end (this runs for every keyword).
    head_end = stripped_end(lowered, mention.start)
    qualifier = word_ending(lowered, head_end, QUALIFIER_WORDS)
    while qualifier is not None:
        head_end = stripped_end(lowered, qualifier[1])
        qualifier = word_ending(lowered, head_end, QUALIFIER_WORDS)
    before = word_ending(lowered, head_end, words)
    if before is not None:
        found.append((KEYWORD_CATEGORIES[mention.quantity][before[0]], before[1], mention.end, False))
    after = PREDICATE_RE.match(lowered, mention.end, mention.scope_end)
    if lowered.startswith((" and ", ", ", " & "), mention.end) and (after is None or after.group("word") == "and"):
        after = _coordinated_predicate(parsed, mention)
    if after is not None:
        word = after.group("word")
        category = ("normal" if word in ("within", "inside", "in", "outside") and after.group("wnl")
                    else KEYWORD_CATEGORIES[mention.quantity].get(word))
        if category is not None:
            found.append((category, mention.start, after.end(), True))
    return [new_claim(quantity, None, None, None, None, (start, end), parsed.text[start:end], category,
                      focus=(start, end))
            for category, start, end, _ in found]


def _categorical_claims(parsed: ParsedText) -> list[Claim]:
    claims: list[Claim] = []
    lowered, text = parsed.lowered, parsed.text
    needles = parsed.needles
    indices = [i for needle in needles for i in _CATEGORICAL_BY_NEEDLE.get(needle, ())]
    indices += _CATEGORICAL_ALWAYS
    indices.sort()  # in the order of the table, as every pattern was tried
    for i in indices:
        quantity, category, pattern, _, others = _CATEGORICAL[i]
        if others and not others <= needles:
            continue
        for m in pattern.finditer(lowered):
            start, end = m.span()
            # Non-empty and starting a word, as ``word_matches`` keeps them.
            if end == start or not starts_word(lowered, start):
                continue
            span = (start, end)
            if quantity == "intervals":  # "all intervals are within normal limits"
                claims.extend(new_claim(q, None, None, None, None, span, text[start:end], category, focus=span)
                              for q in _named_intervals(lowered, start))
                continue
            claims.append(new_claim(quantity, None, None, None, None, span, text[start:end], category, focus=span))
    return claims


_INTERVAL_NAMES = {"pr": "pr_ms", "pq": "pr_ms", "qrs": "qrs_ms", "qt": "qtc_ms", "qtc": "qtc_ms"}


def _named_intervals(lowered: str, start: int) -> tuple[str, ...]:
    """The intervals "intervals are normal" is about: those named right before it ("the PR
    and QRS intervals"), else PR, QRS and QTc."""
    named = NAMED_INTERVALS_RE.search(lowered, max(0, start - 40), start)
    if named is None or not named.group("names").strip():
        return ("pr_ms", "qrs_ms", "qtc_ms")
    return tuple(dict.fromkeys(_INTERVAL_NAMES[n] for n in re.findall(r"qrs|qtc|qt|pr|pq", named.group("names"))))


_RATE_RHYTHMS = frozenset({("rhythm", "sinus"), ("rhythm", "atrial_fibrillation"), ("rhythm", "atrial_flutter"),
                           ("rhythm", "paced"), ("rhythm", "junctional"), ("hr_bpm", "fast"), ("hr_bpm", "slow")})


def _rhythm_rates(parsed: ParsedText, named: list[Claim], claimed: set[int]) -> list[Claim]:
    """A bare number right after a rhythm's name is its rate: "SR 76", "sinus rhythm at
    98", "AF w/ RVR ~140", "V-paced at 60"."""
    out: list[Claim] = []
    for claim in named:
        if (claim.quantity, claim.category) not in _RATE_RHYTHMS:
            continue
        end = claim.span[1]
        i = bisect_left(parsed.claim_value_starts, end)
        if i == len(parsed.claim_values):
            continue
        value = parsed.claim_values[i]
        if (value.family is not None or value.start in claimed or value.comparator is not None
                or not 20.0 <= value.low <= 300.0 or value.low != int(value.low)
                or not TIGHT_GAP_RE.fullmatch(parsed.lowered, end, value.start)):
            continue
        claimed.add(value.start)
        out.append(_claim_from_value("hr_bpm", replace(value, family="rate"), None, parsed, claim.span))
    return out


_OUTSIDE_LEAD_RE = re.compile(at_word_start(r"V(?:[1-6]R|[7-9])", r"[\w'’]") + r"(?![\w'’])")
"""Leads outside the twelve ("V4R", "V7-V9"): no claim can name them."""


def _without_outside_leads(parsed: ParsedText, findings: list[list[Claim]]) -> list[list[Claim]]:
    """A finding about a lead outside the twelve ("no ST elevation in V4R", "V7-V9 show ST
    elevation") and no lead of the twelve claims nothing: read without its lead it would be
    said of the whole ECG."""
    outside = [m.start() for m in _OUTSIDE_LEAD_RE.finditer(parsed.text)]
    scopes = [(m.start, m.scope_end) for m in parsed.mentions
              if any(parsed.sentence_start(m.start) <= pos < m.scope_end for pos in outside)]
    return [[c for c in found if c.lead is not None or not any(a <= c.span[0] < b for a, b in scopes)]
            for found in findings]


def extract_parsed(parsed: ParsedText) -> list[Claim]:
    claims: list[Claim] = []
    previous: Mention | None = None
    findings: list[list[Claim]] = []  # the claims of consecutive per-lead findings
    read_until = -1  # the end of the last sentence whose keywords were read at once
    tried_until = -1  # the end of the last one found not to be (``_heading_sentence_claims``)
    for k, mention in enumerate(parsed.mentions):
        quantity = mention.quantity
        if quantity in _PER_LEAD:  # the most frequent: tested first
            if mention.start >= read_until and not mention.heading:  # (else read with its sentence)
                sentence = None
                if mention.start >= tried_until:
                    sentence, end = _heading_sentence_claims(parsed, k, previous)
                    if sentence is None:
                        tried_until = end
                    else:
                        read_until = end
                if sentence is not None:
                    findings.extend(sentence)
                else:
                    findings.append(_per_lead_claims(parsed, mention, previous))
        elif quantity == "qt_qtc_pair":
            pair = _pair_claims(parsed, mention)
            # "QT/QTc within normal limits": a category of the pair is the corrected QT's
            claims.extend(pair or _keyword_categories(parsed, dataclasses.replace(mention, quantity="qtc_ms")))
        elif quantity == "interval_list":
            claims.extend(_list_claims(parsed, mention))
        elif quantity in ("t_wave", "q_wave"):
            if not mention.heading:  # "**Q waves:**" over its items claims nothing itself
                findings.append(_wave_claims(parsed, mention, previous))
        elif quantity == "st_t":
            findings.append(_st_t_claims(parsed, mention, previous))
        elif quantity != "block":
            claims.extend(_global_claims(parsed, mention))
            claims.extend(_keyword_categories(parsed, mention))
        previous = mention
    _share_leads(parsed, findings)
    if _OUTSIDE_LEAD_RE.search(parsed.text):
        findings = _without_outside_leads(parsed, findings)
    claims.extend(c for found in findings for c in found)
    if not parsed.needles.isdisjoint(_BOTH_GATE):
        claims.extend(_both_claims(parsed))
    if not parsed.needles.isdisjoint(_ALL_GATE):
        claims.extend(_all_claims(parsed))
    claimed = {c.focus[0] for c in claims if c.value is not None and c.focus is not None}
    blocked = [(m.start, m.scope_end) for m in parsed.mentions if m.quantity == "block"]
    starts = [a for a, _ in blocked]
    for value in parsed.values:
        if value.family != "rate" or value.conversion or value.operand or value.start in claimed:
            if (value.family == "angle" and not value.conversion and not value.operand and value.start not in claimed
                    and -180.0 <= value.low and value.high <= 180.0):
                i = bisect_right(starts, value.start) - 1
                if i < 0 or value.start >= blocked[i][1]:  # ("T axis 40°" is no QRS axis)
                    # an angle alone is the axis: "LAD -60°" (the deviation's keyword has no number)
                    claims.append(_claim_from_value("axis_deg", value, None, parsed, (value.start, value.end)))
            continue
        if value.low < _LEAST_RATE:
            continue  # "extrasystoles > 5/min": a count per minute, not the heart rate
        i = bisect_right(starts, value.start) - 1
        if i < 0 or value.start >= blocked[i][1]:  # "atrial rate 300 bpm" is no heart rate
            claims.append(_claim_from_value("hr_bpm", value, None, parsed, (value.start, value.end)))
            if value.comparator is None:  # "beating at 108 beats per minute, so a little fast"
                claims.extend(c for c in _value_predicate(parsed, value.start, claims[-1], "hr_bpm")
                              if c.focus is not None and _CLAUSE_END_RE.match(parsed.lowered, c.focus[1]))
    for m in _PRT_AXES_RE.finditer(parsed.lowered) if not parsed.needles.isdisjoint(_AXES_GATE) else ():
        axis = float(m.group("axis").replace("−", "-"))
        claims = [c for c in claims if not (c.quantity == "axis_deg" and m.start() <= c.span[0] < m.end())]
        claims.append(Claim(quantity="axis_deg", value=axis, low=axis, high=axis, lead=None,
                            span=(m.start(), m.end()), phrase=parsed.text[m.start():m.end()],
                            focus=(m.start("axis"), m.end("axis"))))
    if not parsed.needles.isdisjoint(_RESPECTIVELY_GATE):
        claims = _respective_claims(parsed, claims, [m.start() for m in _RESPECTIVELY_RE.finditer(parsed.lowered)])
    if not parsed.needles.isdisjoint(_AND_GATE) and _AND_NUMBER_RE.search(parsed.lowered) is not None:
        paired = _unstated_respectively(parsed)
        if paired:
            claims = _respective_claims(parsed, claims, paired)
    if "(" in parsed.lowered and parsed.groups:
        claims = _paired_list_claims(parsed, claims)
    if parsed.lead_denials:
        claims.extend(_denied_lead_claims(parsed, claims))
    categorical = _categorical_claims(parsed)
    claims.extend(categorical)
    claims.extend(_rhythm_rates(parsed, categorical, claimed))
    claims.sort(key=_SPAN)
    out = _with_assertions(parsed, claims)
    if not parsed.needles.isdisjoint(_EXCEPT_GATE) and parsed.groups:
        out = _with_excepted_leads(parsed, out)
    return out


_EXCEPT_RES = tuple((gate(literal), re.compile(at_word_start(pattern) + r"\s+(?:in\s+)?(?:the\s+)?(?:leads?\s+)?"))
                    for literal, pattern in (("except", r"except(?:\s+for)?"), ("apart from", r"apart\s+from")))
"""The words before the leads a finding is excepted in, each with its gate (a literal to
skip ahead to each: one pattern for both had none)."""
_EXCEPT_GATE = gate("except", "apart from")
_EXCEPT_LIST_GAP_RE = re.compile(r"\s*(?:,\s*)?(?:(?:and|or)\s+)?")


def _with_excepted_leads(parsed: ParsedText, claims: list[Claim]) -> list[Claim]:
    """A finding denied (or supposed) with no lead, but for the leads after "except (in)" or
    "apart from" ("the T waves aren't inverted except in aVR", "reciprocal depression should
    not be present except in aVR"): the finding in those leads, affirmed where it was
    denied. (An affirmed finding's exceptions, "upright in all leads except aVR", are left
    as written: the corpora name no finding there.)"""
    lowered = parsed.lowered
    added: list[Claim] = []
    for m in [m for literals, pattern in _EXCEPT_RES if not literals.isdisjoint(parsed.needles)
              for m in pattern.finditer(lowered)]:
        g = bisect_left(parsed.group_starts, m.end())
        if g == len(parsed.groups) or parsed.groups[g].start != m.end() or parsed.groups[g].territory:
            continue
        groups = [parsed.groups[g]]
        while (g + 1 < len(parsed.groups)
               and _EXCEPT_LIST_GAP_RE.fullmatch(lowered, parsed.groups[g].end, parsed.groups[g + 1].start)):
            g += 1
            groups.append(parsed.groups[g])
        sentence_start = parsed.sentence_start(m.start())
        before = [c for c in claims if c.lead is None and c.category is not None and c.value is None
                  and c.quantity in _DENIABLE and sentence_start <= c.span[0] < m.start()]
        # the exception is the finding's right before it only: "no Q waves, T waves upright
        # except in aVR" excepts the upright T waves, which name no finding there (nor does
        # a normal finding read as denied: "the QRS is not wide and T waves are upright")
        if not before or before[-1].assertion not in (NEGATED, HYPOTHETICAL) or before[-1].category == "normal":
            continue
        finding = before[-1]
        span = (m.start(), groups[-1].end)
        status = AFFIRMED if finding.assertion == NEGATED else finding.assertion
        added.extend(replace(finding, lead=lead, span=span, phrase=parsed.text[span[0]:span[1]], assertion=status,
                             negated=False) for group in groups for lead in group.leads)
    if not added:
        return claims
    return sorted(claims + added, key=_SPAN)


def _respective_lead_claims(parsed: ParsedText, claims: list[Claim], mention: Mention, start: int,
                            end: int) -> list[Claim]:
    """"ST elevation of 2 mm and 3 mm in V2 and V3, respectively", "R waves in V5 and V6
    measure 2.1 and 1.8 mV respectively": the leads of the clause and its numbers paired in
    order (a number without a unit takes the last one's)."""
    values = [v for v in parsed.values_in(mention.end, end) if v.family in ("amplitude", None)]
    if mention.pre_value is not None:
        values.insert(0, mention.pre_value)
    leads = [lead for g in parsed.groups_in(start, end) if not g.territory for lead in g.leads]
    if len(values) < 2 or len(leads) != len(values) or values[-1].family != "amplitude":
        return claims
    last = values[-1]
    number = NUMBER_RE.match(parsed.lowered, last.start + (1 if last.signed else 0))
    factor = abs(last.value) / float(number.group()) if number is not None and float(number.group()) else 1.0
    sign = _st_direction(parsed, mention)[0] if mention.quantity == "st_mv" else 1.0
    focus = {v.start for v in values}
    claims = [c for c in claims if not (c.quantity == mention.quantity and c.value is not None
                                        and c.focus is not None and c.focus[0] in focus)]
    for lead, value in zip(leads, values):
        if value.family is None:
            value = replace(value, low=round(value.low * factor, 6), high=round(value.high * factor, 6),
                            value=round(value.value * factor, 6), family="amplitude")
        claims.append(_claim_from_value(mention.quantity, value, lead, parsed, (mention.start, mention.end), sign=sign))
    return claims


_PAIRED_LIST_RE = re.compile(r"\(\s*[-+−]?\d[\d.]*(?:\s*(?:mm|mv))?(?:\s*(?:,|/|&|and)\s*(?:and\s+)?[-+−]?\d[\d.]*"
                             r"(?:\s*(?:mm|mv))?)+\s*\)")
"""Amplitudes listed in parentheses: "(2.5 and 3.0 mV)", "(1, 2 and 2 mm)"."""
_PAREN_GAP_RE = re.compile(r"\s*")


def _paired_list_claims(parsed: ParsedText, claims: list[Claim]) -> list[Claim]:
    """"S waves are deep in V1 and V2 (2.5 and 3.0 mV)": as many amplitudes in parentheses
    right after a list of as many leads are theirs one by one, as with "respectively"
    (``_respective_lead_claims``)."""
    lowered, mentions = parsed.lowered, parsed.mentions
    for m in _PAIRED_LIST_RE.finditer(lowered):
        g = bisect_left(parsed.group_starts, m.start())
        if g == 0 or not _PAREN_GAP_RE.fullmatch(lowered, parsed.groups[g - 1].end, m.start()):
            continue
        group = parsed.groups[g - 1]
        k = bisect_left(mentions, group.start, key=_START)
        if k == 0 or group.territory or len(group.leads) < 2:
            continue
        mention = mentions[k - 1]
        if mention.quantity in _PER_LEAD and mention.scope_end >= m.end():
            claims = _respective_lead_claims(parsed, claims, mention, group.start, m.end())
    return claims


_RESPECTIVELY_RE = re.compile(r"(?<![a-z]),?\s*respectively\b")
_NAME_LIST_GAP_RE = re.compile(
    r"(?:\s+(?:intervals?|durations?|rates?))?\s*(?:,\s*(?:and\s+)?|\s+and\s+|&|/)\s*(?:the\s+)?")
"""What joins names listed together ("PR, QRS and QTc", "QT and QTc", "rate and QRS axis")."""
_SAME_QUANTITY = {"qtc_fridericia_ms": "qtc_ms"}


def _unstated_respectively(parsed: ParsedText) -> list[int]:
    """Where a list of names said to measure a list of as many numbers ends ("The PR and QRS
    intervals are 160 and 90 ms"): read as if "respectively" followed."""
    out = []
    mentions = parsed.mentions
    for k in range(1, len(mentions)):
        before, name = mentions[k - 1], mentions[k]
        if (name.quantity in _INTERVAL_RATE_AXIS and before.quantity in _INTERVAL_RATE_AXIS
                and (k + 1 == len(mentions) or not _NAME_LIST_GAP_RE.fullmatch(
                    parsed.lowered, name.end, mentions[k + 1].start))
                and _NAME_LIST_GAP_RE.fullmatch(parsed.lowered, before.end, name.start)):
            listed = _PAIRED_VALUES_RE.match(parsed.lowered, name.end)
            if listed is not None:
                out.append(listed.end())
    return out


_AND_GATE = gate(" and ")
_AND_NUMBER_RE = re.compile(r"and\s+[+\-−]?\d")
"""The last number of a list joined by "and" (which every such pairing has: a dense
interpretation, with none, is not read for one)."""
_PAIRED_VALUES_RE = re.compile(
    r"s?(?:\s+(?:intervals?|durations?))?\s+(?:are|were|measure|measured|of)\s+(?:(?:about|approximately|roughly)\s+)?"
    r"[+\-−]?\d+(?:\.\d+)?(?:\s*(?:ms|s|bpm|°|degrees))?(?:\s*,\s*[+\-−]?\d+(?:\.\d+)?(?:\s*(?:ms|s|bpm|°|degrees))?)*"
    r"\s*,?\s*and\s+[+\-−]?\d+(?:\.\d+)?(?:\s*(?:ms|s|bpm|°|degrees)(?![a-z]))?")
"""A verb and a list of numbers joined by "and" after a list of names (a keyword may end
before its plural's "s": "the PR and QRS interval|s are")."""


def _respective_claims(parsed: ParsedText, claims: list[Claim], anchors: list[int]) -> list[Claim]:
    """"The PR, QRS and QTc intervals are 160, 90 and 420 ms, respectively": the names and
    the numbers after them are paired in order (a number without a unit takes the unit of
    the last one); ``anchors`` are where such lists end (the "respectively"). The claims
    read from those numbers before are replaced; where the counts differ, they stay as
    read."""
    for anchor in anchors:
        start = parsed.sentence_start(anchor)
        per_lead = [mn for mn in parsed.mentions if start <= mn.start < anchor and mn.quantity in _PER_LEAD]
        if len(per_lead) == 1:
            claims = _respective_lead_claims(parsed, claims, per_lead[0], start, anchor)
            continue
        names = [mn for mn in parsed.mentions if start <= mn.start < anchor
                 and mn.quantity in _INTERVAL_RATE_AXIS]
        k = len(names) - 1  # the names listed together last: "PR, QRS and QTc"
        while k > 0 and _NAME_LIST_GAP_RE.fullmatch(parsed.lowered, names[k - 1].end, names[k].start):
            k -= 1
        names = names[k:]
        if len(names) < 2:
            continue
        values = parsed.values_in(names[-1].end, anchor)
        if not values or parsed.groups_in(names[-1].end, anchor):
            continue
        if len(values) != len(names):
            continue
        focus = {v.start for v in values}
        read = {(_SAME_QUANTITY.get(c.quantity, c.quantity), c.focus[0]): c for c in claims
                if c.value is not None and c.focus is not None and c.focus[0] in focus}
        claims = [c for c in claims if not (c.value is not None and c.focus is not None and c.focus[0] in focus)]
        family = values[-1].family
        for mention, value in zip(names, values):
            same = read.get((_SAME_QUANTITY.get(mention.quantity, mention.quantity), value.start))
            if same is not None:  # read right already (with its formula: "QTc (Fridericia)")
                claims.append(same)
                continue
            if value.family is None and family != _VALUE_FAMILY[mention.quantity]:
                # "Heart rate and PR are 72 and 160 ms": the last unit is not the rate's (or there
                # is none: "the rate and PR are 72 and 160")
                plausible = _plausible(mention.quantity, value)
                if plausible is not None:
                    claims.append(_claim_from_value(mention.quantity, plausible, None, parsed,
                                                    (mention.start, mention.end)))
                continue
            if value.family is None and family is not None:
                factor = 1000.0 if family == "time" and value.high < 3.0 <= values[-1].low else 1.0
                value = replace(value, low=value.low * factor, high=value.high * factor,
                                value=value.value * factor, family=family)
            if _fits(mention.quantity, value):
                claims.append(_claim_from_value(mention.quantity, value, None, parsed, (mention.start, mention.end)))
    return claims


_SPAN = attrgetter("span")
"""The sort key of claims in text order: (start, end)."""
_ABBREVIATION_GAP_RE = re.compile(r"\s*\(\s*")


def _once(parsed: ParsedText, claims: list[Claim]) -> list[Claim]:
    """One claim per mention: a claim equal to an earlier one whose words overlap it, or
    that abbreviates it in parentheses right after ("Complete Left Bundle Branch Block
    (CLBBB)"), is the same mention read twice."""
    claims = sorted(claims, key=lambda c: (c.span[0], -c.span[1]))
    out: list[Claim] = []
    last: dict[tuple, Claim] = {}
    named: dict[tuple, Claim] = {}  # the last categorical claim of each quantity and lead
    for claim in claims:
        key = (claim.quantity, claim.lead, claim.category, claim.value, claim.low, claim.high)
        before = last.get(key)
        if before is not None and (claim.span[0] < before.span[1] or _ABBREVIATION_GAP_RE.fullmatch(
                parsed.lowered, before.span[1], claim.span[0])):
            continue
        if claim.value is None and claim.category is not None and claim.quantity != "rhythm":
            # A finding inside a longer one of the same quantity is part of it: "left
            # type" in "overdriven left type", "tachycardic" in "neither tachycardic nor
            # bradycardic". (Rhythm categories are facets of one rhythm: "regular sinus
            # rhythm" is regular and sinus.)
            outer = named.get((claim.quantity, claim.lead))
            if outer is not None and outer.span[0] <= claim.span[0] and claim.span[1] <= outer.span[1] \
                    and outer.span != claim.span and outer.focus == outer.span:
                continue
            named[(claim.quantity, claim.lead)] = claim
        last[key] = claim
        out.append(claim)
    out.sort(key=_SPAN)
    return out


def _unassessed_mentions(parsed: ParsedText, claims: list[Claim]) -> list[Claim]:
    """Keywords with no claim of their own in the scope of a not-assessable phrase ("the QT
    cannot be reliably measured"): a claim that the quantity is not assessable."""
    reader = parsed.assertions
    if NOT_ASSESSABLE not in map(_KIND, reader.cues):
        return []
    claimed = {c.span[0] for c in claims} | {c.focus[0] for c in claims if c.focus is not None}
    out: list[Claim] = []
    for mention in parsed.mentions:
        quantity = mention.quantity
        if quantity in ("block", "qt_qtc_pair", "interval_list", "st_t", "t_wave", "q_wave") or mention.start in claimed:
            continue
        if any(mention.start <= c.span[0] < max(mention.scope_end, mention.end + 1)
               and c.quantity in (quantity, "qtc_ms") for c in claims):
            continue
        if reader.status(mention.start, mention.end, numeric=False, plain=False) != NOT_ASSESSABLE:
            continue
        # "the ST segments hard to evaluate in II, III and aVF": one claim per lead named
        leads: list[str | None] = [None]
        if quantity in PER_LEAD_QUANTITIES:
            leads = [lead for g in parsed.groups_in(mention.end, mention.scope_end) for lead in g.leads] or [None]
        out.extend(Claim(quantity=quantity, value=None, low=None, high=None, lead=lead,
                         span=(mention.start, mention.end), phrase=parsed.text[mention.start:mention.end],
                         focus=(mention.start, mention.end)) for lead in dict.fromkeys(leads))
    if not parsed.needles.isdisjoint(_RHYTHM_GATE):
        # "Underlying rhythm cannot be assessed" (a paced tracing): the rhythm, named by no
        # keyword, is not assessable where no claim of the rhythm stands on the word
        rhythms = [c.span for c in claims if c.quantity == "rhythm"]
        for m in _RHYTHM_WORD_RE.finditer(parsed.lowered):
            start, end = m.span()
            if (any(a <= start < b for a, b in rhythms) or _CIRCUMSTANCE_BEFORE_RE.search(
                    parsed.lowered, max(0, start - 40), start) is not None
                    or reader.status(start, end, numeric=False, plain=False) != NOT_ASSESSABLE):
                continue  # (nor the rhythm a measurement is made in: "the QT in this rhythm")
            out.append(Claim(quantity="rhythm", value=None, low=None, high=None, lead=None, span=(start, end),
                             phrase=parsed.text[start:end], focus=(start, end)))
    return out


_RHYTHM_GATE = gate("rhythm")
_RHYTHM_WORD_RE = re.compile(at_word_start(r"rhythms?(?![a-z])(?!\s+strips?(?![a-z]))"))
"""The word "rhythm" (not a "rhythm strip": a lead)."""
_CIRCUMSTANCE_BEFORE_RE = re.compile(r"(?<![a-z])(?:in|at|during|with|given|for)\s+(?:[a-z'’\-]+\s+){0,2}$")


_ANSWER_RE = re.compile(
    r"[^?.]{0,60}\?[*_\"'’”]*\s*[*_]*\s*(?:(?:a|answer)\s*:\s*)?(?:(?P<no>no\b|nope\b|not\s+really\b|not\s+(?:by|that|as\s+far)\b"
    r"|none\b|(?:probably|most\s+likely|almost\s+certainly)\s+not\b|unlikely\b)|(?P<yes>yes\b|indeed\b)"
    r"|(?P<hedge>(?:it['’]?s\s+)?(?:hard|difficult|tricky)\s+to\s+(?:be\s+sure|say|tell)\b|maybe\b|possibly\b"
    r"|perhaps\b|probably\b|not\s+sure\b|(?:i\s+)?can['’]?t\s+(?:be\s+sure|say|tell)\b))")
"""The answer right after a question (markdown emphasis around it allowed: "**Is this AF?**
Probably not."); "probably not" and "unlikely" deny, as they do elsewhere."""


EARLIER_VALUE_BEFORE = ("instead of ", "down from ", "up from ", "previously ", "(was ", "(prior ")
"""What stands right before a value of an earlier ECG given beside this one's ("the rate is
now 70 instead of 115", "QTc 455 ms (previously 490 ms)", "QTc 455 ms, previously 490 ms")."""
_EARLIER_VALUE_GATE = gate("instead of", " from ", "previously", "(p", "(was")
"""What a text with such a value holds (``_with_assertions`` looks for them only there)."""
_NOW_GATE = gate("now")


def earlier_value(lowered: str, start: int) -> bool:
    """Whether the number at ``start`` is an earlier ECG's, given beside this one's."""
    return lowered.endswith(EARLIER_VALUE_BEFORE, max(0, start - 12), start) or (
        lowered.endswith("from ", 0, start) and CHANGE_FROM_RE.search(lowered, max(0, start - 40), start) is not None)


_NOW_BEFORE_RE = re.compile(
    r"(?<![a-z])now\s+(?:(?:at|about|around|approximately|roughly|only|just|measures|measuring|reads|is|it\s+is|it['’]s"
    r"|(?:back\s+)?(?:down|up)\s+to|back\s+to)\s+)*[~≈]?$")
_NOW_AFTER_RE = re.compile(r"\s+now(?![a-z])")


def now_value(parsed: ParsedText, value: Value) -> bool:
    """Whether ``value`` is said to be the value now ("is now 200 ms", "is 78 bpm now"): this
    ECG's, after an earlier one given first ("the PR was 240 ms on admission and is now 200
    ms"). (A text without the word "now" is not read.)"""
    if parsed.needles.isdisjoint(_NOW_GATE):
        return False
    return (_NOW_BEFORE_RE.search(parsed.lowered, max(0, value.start - 24), value.start) is not None
            or _NOW_AFTER_RE.match(parsed.lowered, value.end) is not None)


def _earlier_than_now(parsed: ParsedText, claims: list[Claim]) -> None:
    """A number followed, in its sentence, by the value of the same quantity now ("the QTc
    was 480 ms previously and is now 440 ms", "the rate was 110 then and is 78 now") is an
    earlier ECG's: hypothetical."""
    last: dict[str, Claim] = {}
    for claim in claims:
        if claim.value is None or claim.focus is None or claim.lead is not None:
            continue
        before = last.get(claim.quantity)
        last[claim.quantity] = claim
        if (before is None or before.focus is None or before.assertion not in (AFFIRMED, NEGATED)
                or claim.comparator is not None or before.comparator is not None
                or parsed.sentence_start(before.focus[0]) != parsed.sentence_start(claim.focus[0])):
            continue
        i = bisect_left(parsed.value_starts, claim.focus[0])
        if i < len(parsed.values) and parsed.values[i].start == claim.focus[0] and now_value(parsed, parsed.values[i]):
            object.__setattr__(before, "assertion", HYPOTHETICAL)
            object.__setattr__(before, "negated", False)


_TAGS = (" right", ", correct", ", ok", ", okay", " isn't it", " aren't they", " don't they", " doesn't it", " yeah")
"""A tag that makes a statement a question ("... but you're on digoxin, right?"): it asks for
agreement, the statement before it stands."""


def _answered(lowered: str, end: int) -> str:
    """A claim in a question claims nothing until the text answers it: "Is the QRS wide?
    Not really" denies it, "... ? Yes" affirms it, "... ? Hard to be sure" hedges it; an
    unanswered question ("") claims nothing."""
    answer = _ANSWER_RE.match(lowered, end)
    if answer is None:
        return ""
    return NEGATED if answer.group("no") else UNCERTAIN if answer.group("hedge") else AFFIRMED


_APPOSITION_RE = re.compile(r",\s*(?:(?:approximately|approx\.|about|around|roughly|up\s+to|maybe|perhaps|say"
                            r"|measuring|of|at|just|only|(?:less|more)\s+than|under|below|over|above|at\s+(?:least|most)"
                            r"|no\s+more\s+than)\s*)*[~≈]?\s*[+\-−]?")
"""A number set off after a finding's words by a comma: "ST depression in V4-V6, about 1 mm", "...,
less than half a millimetre"."""
_WITHIN_BAND_RE = re.compile(r"(?<![a-z])within\s*(?:±|\+/-|\+/−)\s*$")
"""A band the measured value lies in ("all within ±0.05 mV"): read as a measurement, which
a denial before it ("no ST deviation (all within ±0.05 mV)") does not deny."""


def _with_assertions(parsed: ParsedText, claims: list[Claim]) -> list[Claim]:
    """Each claim with its assertion status (``assertion``); a claim said to be not
    assessable keeps its quantity and lead only ("QT cannot be measured": qtc_ms, no
    category), once."""
    reader = parsed.assertions
    claims = _once(parsed, claims + _unassessed_mentions(parsed, claims))
    if reader.trigger_starts:
        reader.set_anchors(sorted({c.focus[0] for c in claims if c.focus is not None}
                                  | {m.start for m in parsed.mentions}))
        long_keywords = [(m.start, m.end) for m in parsed.mentions if m.end - m.start > 30]
        if long_keywords:
            reader.keep_keywords_whole(long_keywords)
    lowered = parsed.lowered
    questions = "?" in lowered
    earlier_values = not parsed.needles.isdisjoint(_EARLIER_VALUE_GATE)
    out: list[Claim] = []
    references = False  # whether any claim is a reference
    seen: set[tuple[str, str | None, tuple[int, int]]] = set()
    # ``status``'s first look, made here: a claim in a sentence without a trigger (most) is
    # affirmed (``untriggered_affirmed``), known from one bisection without the call.
    ends, trigger_sentences = reader.sentence_ends, reader.trigger_sentences
    quick = reader.untriggered_affirmed
    for claim in claims:
        focus = claim.focus or claim.span
        # (``words_affirmed``: the claim's words all in that sentence, whose status is affirmed too)
        if quick and (i := bisect_left(ends, focus[0])) not in trigger_sentences:
            status = AFFIRMED
            words_affirmed = i == 0 or claim.span[0] > ends[i - 1]
        else:
            plain = claim.comparator is None or (claim.comparator == "range" and _WITHIN_BAND_RE.search(
                lowered, max(0, focus[0] - 12), focus[0]) is not None)
            status = reader.status(focus[0], focus[1], numeric=claim.value is not None, plain=plain)
            words_affirmed = False
        if (status == AFFIRMED and not words_affirmed and claim.value is not None and claim.span[0] < focus[0]
                and reader.trigger_starts):
            comma = lowered.find(",", claim.span[0], focus[0])
            if comma >= 0 and _APPOSITION_RE.fullmatch(lowered, comma, focus[0]):
                # "There may be ST depression in V4-V6, approximately 0.5-1 mm": the number set
                # off after the finding's words takes the finding's hedge or condition
                finding = reader.status(claim.span[0], comma, numeric=False, plain=True)
                if finding in (UNCERTAIN, HYPOTHETICAL):
                    status = finding
        if status == AFFIRMED and questions and ("?" in lowered[max(0, focus[0] - 2):focus[0]]
                                                 or lowered[focus[1]:focus[1] + 2].lstrip().startswith("?")
                                                 or (lowered.startswith("?", end := parsed.sentence_end(focus[1]))
                                                     and not lowered.endswith(_TAGS, 0, end))):
            status = _answered(lowered, focus[1])
            if not status:
                continue  # an unanswered question claims nothing
        if (earlier_values and claim.value is not None and status in (AFFIRMED, NEGATED)
                and earlier_value(lowered, focus[0])):
            status = HYPOTHETICAL  # "now 70 instead of 115", "down from 115": the earlier ECG's value
        if claim.category is None and claim.value is None and status != NOT_ASSESSABLE:
            continue  # a keyword in a not-assessable scope that the scope, read in full, leaves out
        if status == NOT_ASSESSABLE and claim.category is not None:
            key = (claim.quantity, claim.lead, claim.span)
            if key in seen:
                continue
            seen.add(key)
            claim = replace(claim, category=None)
        if parsed.reference_cells and parsed.in_reference_cell(focus[0]):
            if claim.value is None:
                continue  # a word of the reference column ("normal") is no finding
            status = REFERENCE
        if claim.opposite and status in (AFFIRMED, NEGATED):
            status = NEGATED if status == AFFIRMED else AFFIRMED
        # The claims were made here and are not shared yet: set in place, in the instance
        # dict (``replace`` on every claim cost a tenth of the extraction time, and
        # ``object.__setattr__`` is a call per field).
        fields = claim.__dict__
        fields["assertion"], fields["negated"] = status, status == NEGATED
        out.append(claim)
        references = references or status == REFERENCE
    if not parsed.needles.isdisjoint(_NOW_GATE):
        _earlier_than_now(parsed, out)
    if references:  # (these rules start from a reference claim: a text without one skips them)
        out = _without_reference_categories(parsed, _reference_lists(parsed, out))
        for claim in out:
            if claim.quantity in _VOLTAGE_SUMS and claim.comparator in (">", ">=") and claim.assertion == REFERENCE:
                # "a threshold of 2.8 mV", "a Sokolow-Lyon limit of 35 mm or more": when LVH is
                # called (a criterion), not a normal value (which is a bound from above)
                claim.__dict__["assertion"] = HYPOTHETICAL
    return _sentence_once(parsed, out)


_REFERENCE_LIST_GAP_RE = re.compile(r"[^.;:\d]{0,40}?(?<![a-z])(?:and|or)\s[^.;:\d]{0,20}")


def _reference_lists(parsed: ParsedText, claims: list[Claim]) -> list[Claim]:
    """A limit listed right after a reference limit of the same quantity is a reference
    too: "normally under 450 ms for men and 460 ms for women"."""
    previous: dict[str, Claim] = {}
    for claim in claims:
        if claim.value is None or claim.focus is None:
            continue
        before = previous.get(claim.quantity)
        previous[claim.quantity] = claim
        if (before is None or before.assertion != REFERENCE or claim.assertion == REFERENCE
                or claim.comparator is None or before.focus is None):
            continue
        if _REFERENCE_LIST_GAP_RE.fullmatch(parsed.lowered, before.focus[1], claim.focus[0]):
            object.__setattr__(claim, "assertion", REFERENCE)
            object.__setattr__(claim, "negated", False)
    return claims


def _without_reference_categories(parsed: ParsedText, claims: list[Claim]) -> list[Claim]:
    """"The normal PR interval is 120-200 ms" states a reference range, not that this PR is
    normal: a "normal" written before the keyword, in a sentence whose number of that
    quantity is a reference, is the reference's word and no claim."""
    references = {(c.quantity, parsed.sentence_start(c.span[0])) for c in claims
                  if c.assertion == REFERENCE and c.value is not None}
    if not references:
        return claims
    # "Anything under 450 ms is (considered) normal": the limit's own predicate, no finding
    predicates = {c.focus[1] for c in claims if c.assertion == REFERENCE and c.value is not None and c.focus}
    lowered = parsed.lowered
    claims = [c for c in claims if not (
        c.category == "normal" and c.value is None and c.focus is not None
        and any(end <= c.focus[0] and _LIMIT_PREDICATE_RE.fullmatch(lowered, end, c.focus[0]) for end in predicates))]
    return [c for c in claims if not (c.category == "normal" and c.value is None
                                      and parsed.lowered.startswith("normal", c.span[0])
                                      and (c.quantity, parsed.sentence_start(c.span[0])) in references
                                      and c.assertion != NEGATED
                                      # "normal axis (between 0 and +90)": the finding, glossed
                                      and not parsed.lowered[c.span[1]:c.span[1] + 6].lstrip(" \t*_").startswith("("))]


_LIMIT_PREDICATE_RE = re.compile(r"\s*(?:[a-z/%°]+\s*)?(?:(?:in|for)\s+(?:men|women|adults|children)\s+)?(?:is|are)\s+"
                                 r"(?:(?:generally|usually|typically|often|still)\s+)?"
                                 r"(?:(?:considered|regarded\s+as|deemed|taken\s+as)\s+)?")
"""Between a reference limit and a "normal" that is its predicate ("under 450 ms is considered ")."""
_RESTATING_CLAUSE_RE = re.compile(
    r",\s*(?:which\s+(?:is|are|was|were|would\s+be|appears|seems)\s+(?:also\s+|again\s+|another\s+|most\s+)?"
    r"(?:consistent|compatible|characteristic|indicative|suggestive|typical|diagnostic|in\s+keeping)"
    r"|consistent\s+with|compatible\s+with|in\s+keeping\s+with|(?:further\s+)?(?:supporting|confirming|corroborating)"
    r"|characteristic\s+of|aligning\s+with)\b")
"""A clause that names a finding again as the conclusion drawn from it ("the QRS is
prolonged, which is consistent with a bundle branch block"): a statement of its own. (A
clause that only names it, "which doctors call first-degree block", "(that's called
sinus bradycardia)", is the same statement.)"""


_SPAN_END = itemgetter(1)
_RESTATING_WORDS = gate("which", "consistent", "compatible", "keeping", "supporting", "confirming",
                        "corroborating", "characteristic", "aligning")
"""One of these words is in every restating clause: a text without any (a third of them)
has none, and its clauses are its sentences."""


def _clause_start(parsed: ParsedText, pos: int, restating: list[tuple[int, int]]) -> int:
    """Where the clause holding ``pos`` starts: the sentence start or the last restating
    clause before it that ends before it (``restating``: the spans of the text's
    ``_RESTATING_CLAUSE_RE``, in order)."""
    start = parsed.sentence_start(pos)
    k = bisect_right(restating, pos, key=_SPAN_END) if restating else 0
    return restating[k - 1][0] if k and restating[k - 1][0] >= start else start


def _sentence_once(parsed: ParsedText, claims: list[Claim]) -> list[Claim]:
    """A finding named twice in one clause ("no paced rhythm, no pacemaker spikes") is one
    claim; a restating clause ("..., which is consistent with ...") is a clause of its own."""
    seen: set[tuple] = set()
    out = []
    restating = [m.span() for m in _RESTATING_CLAUSE_RE.finditer(parsed.lowered)] if (
        "," in parsed.lowered and not parsed.needles.isdisjoint(_RESTATING_WORDS)) else []
    for c in claims:
        if c.category is not None and c.value is None:
            key = (c.quantity, c.lead, c.category, c.assertion,
                   _clause_start(parsed, c.focus[0] if c.focus is not None else c.span[0], restating))
            if key in seen:
                continue
            seen.add(key)
        out.append(c)
    return out


def extract_claims(text: str) -> list[Claim]:
    """Every claim of ``text`` about a value of the ECG, in text order.

    See the module docstring for the quantities, units, forms and non-claims.
    """
    if not text:
        return []
    return extract_parsed(ParsedText(text))
