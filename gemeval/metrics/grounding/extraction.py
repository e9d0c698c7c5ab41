"""Claim extraction: a text read once (``ParsedText``) and turned into ``Claim`` objects
(``extract_claims``)."""

from __future__ import annotations

import bisect
import dataclasses
import re
from dataclasses import dataclass, replace
from typing import Sequence

from gemeval.metrics.grounding.assertion import (
    clause_breaks,
    negated_before,
    negation_cues,
)
from gemeval.metrics.grounding.claims import (
    NUMERIC_QUANTITIES,
    PER_LEAD_QUANTITIES,
    Claim,
)
from gemeval.metrics.grounding.leads import (
    HEADING_AFTER_RE,
    HEADING_BEFORE_RE,
    LeadGroup,
    attached_group,
    context_groups,
    lead_groups,
)
from gemeval.metrics.grounding.numbers import Value, read_values, unit_of
from gemeval.metrics.grounding.text import (
    ASCII_LOWER,
    sentence_ends,
    word_before,
    word_matches,
)
from gemeval.metrics.grounding.tolerances import INF
from gemeval.metrics.grounding.vocabulary import (
    CATEGORICAL_PATTERNS,
    CATEGORY_WORDS,
    DIRECTION_RE,
    FORMULA_RE,
    KEYWORD_CATEGORIES,
    KEYWORD_PATTERNS,
    OPPOSITE_ST_RE,
    PAIR_VALUES_RE,
    PRE_VALUE_GAP_RE,
    PREDICATE_RE,
    QUALIFIER_WORDS,
    SCOPE_CHARS,
    TIGHT_GAP_RE,
)


@dataclass
class Mention:
    quantity: str
    start: int
    end: int
    match: re.Match[str]
    scope_end: int = 0
    pre_value: Value | None = None


class ParsedText:
    """A text read once: sentence ends, numbers, lead lists and keyword mentions, in order."""

    def __init__(self, text: str):
        self.text = text
        self.lowered = text.translate(ASCII_LOWER)
        self.sentence_ends = sentence_ends(text, self.lowered)
        self.values = read_values(text, self.lowered)
        self.value_starts = [v.start for v in self.values]
        self.groups = lead_groups(text, self.lowered)
        self.group_starts = [g.start for g in self.groups]
        self.negation_cues = negation_cues(self.lowered)
        self.clause_breaks = clause_breaks(self.lowered)
        self._headings: dict[int, LeadGroup | None] = {}
        self.mentions = self._mentions()

    # -- sentences ------------------------------------------------------------------------
    def sentence_start(self, pos: int) -> int:
        i = bisect.bisect_left(self.sentence_ends, pos)
        return self.sentence_ends[i - 1] + 1 if i else 0

    def sentence_end(self, pos: int) -> int:
        i = bisect.bisect_left(self.sentence_ends, pos)
        return self.sentence_ends[i] if i < len(self.sentence_ends) else len(self.text)

    # -- numbers --------------------------------------------------------------------------

    def values_in(self, start: int, end: int) -> list[Value]:
        i = bisect.bisect_left(self.value_starts, start)
        j = bisect.bisect_left(self.value_starts, end)
        return [v for v in self.values[i:j] if not v.conversion]

    # -- leads ----------------------------------------------------------------------------
    def groups_in(self, start: int, end: int) -> list[LeadGroup]:
        i = bisect.bisect_left(self.group_starts, start)
        j = bisect.bisect_left(self.group_starts, end)
        return [LeadGroup(g.start, g.end, g.leads, g.territory) for g in self.groups[i:j] if g.end <= end]

    def heading(self, sentence_start: int) -> LeadGroup | None:
        """The lead list that opens a sentence as its heading ("Lead V5:", "In II, III:")."""
        if sentence_start not in self._headings:
            found = self.groups_in(sentence_start, self.sentence_end(sentence_start))[:1]
            self._headings[sentence_start] = found[0] if (
                found and HEADING_BEFORE_RE.fullmatch(self.lowered, sentence_start, found[0].start)
                and HEADING_AFTER_RE.match(self.lowered, found[0].end)) else None
        return self._headings[sentence_start]

    # -- keywords -------------------------------------------------------------------------
    def _mentions(self) -> list[Mention]:
        """Keyword mentions, the earliest first, the longest where two start together,
        overlaps dropped; per-lead keywords take a number right before them ("1 mm ST
        depression"); each scope ends at the next mention, the sentence end or after
        ``SCOPE_CHARS``."""
        found = [
            Mention(quantity, m.start(), m.end(), m)
            for quantity, pattern, lowered in KEYWORD_PATTERNS
            for m in word_matches(pattern, self.lowered if lowered else self.text)
        ]
        found.sort(key=lambda mn: (mn.start, -(mn.end - mn.start)))
        mentions: list[Mention] = []
        for mention in found:
            if mentions and mention.start < mentions[-1].end:
                continue
            if mention.quantity in PER_LEAD_QUANTITIES:
                i = bisect.bisect_left(self.value_starts, mention.start) - 1
                before = self.values[i] if i >= 0 else None
                if (before is not None and before.family == "amplitude"
                        and PRE_VALUE_GAP_RE.fullmatch(self.lowered, before.end, mention.start)
                        and (not mentions or mentions[-1].end <= before.start)):
                    mention.pre_value, mention.start = before, before.start
            mentions.append(mention)
        for i, mention in enumerate(mentions):
            limit = mentions[i + 1].start if i + 1 < len(mentions) else len(self.text)
            mention.scope_end = min(limit, self.sentence_end(mention.end), mention.end + SCOPE_CHARS)
        return mentions

    def negated_before(self, pos: int) -> bool:
        """A negation cue in the same clause, at most ``NEGATION_WINDOW_CHARS`` before."""
        return negated_before(self.negation_cues, self.clause_breaks, self.sentence_start(pos), pos)


def _unitless_ok(quantity: str, parsed: ParsedText, mention: Mention, value: Value) -> Value | None:
    """A bare number right after its keyword ("HR 72", "PR: 160"), in a plausible range."""
    if not TIGHT_GAP_RE.fullmatch(parsed.lowered, mention.end, value.start):
        return None
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


def _fits(quantity: str, value: Value) -> bool:
    family = NUMERIC_QUANTITIES[quantity]
    return value.family == ("rate" if family == "time_rate" else family)


def _claim_from_value(quantity: str, value: Value, lead: str | None, parsed: ParsedText,
                      phrase: tuple[int, int], *, sign: float = 1.0, negated: bool = False,
                      formula: str | None = None) -> Claim | None:
    """A numeric claim read from ``value`` and its keyword at ``phrase`` (start, end); None
    for a negated plain number ("not 0.2 mV" claims nothing)."""
    phrase_start, phrase_end = phrase
    low, high, point, comparator = value.low, value.high, value.value, value.comparator
    if quantity == "s_mv":
        low, high = sorted((-abs(value.low), -abs(value.high)))
        point = -abs(point)
        comparator = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}.get(comparator or "", comparator)
    elif quantity == "st_mv" and not value.signed and sign < 0:
        low, high, point = -value.high, -value.low, -point
        comparator = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}.get(comparator or "", comparator)
    if negated:
        if comparator not in ("<", "<=", ">", ">="):
            return None
        comparator = {"<": ">=", "<=": ">", ">": "<=", ">=": "<"}[comparator]
    if comparator in ("<", "<="):
        low, high = -INF, point
    elif comparator in (">", ">="):
        low, high = point, INF
    start, end = min(phrase_start, value.start), max(value.end, phrase_end)
    return Claim(quantity=quantity, value=point, low=low, high=high, lead=lead, span=(start, end),
                 phrase=parsed.text[start:end], approximate=value.approximate,
                 comparator=comparator, formula=formula)


def _global_claims(parsed: ParsedText, mention: Mention) -> list[Claim]:
    """The first number of the keyword's unit after it, plus any bounds that follow."""
    quantity, formula = mention.quantity, None
    if quantity == "qtc_ms":
        named = FORMULA_RE.search(parsed.lowered, mention.start, mention.scope_end)
        if parsed.lowered.startswith("qtcb", mention.start) or (named and named.group() == "bazett"):
            formula = "bazett"
        elif named and named.group() == "fridericia":
            quantity, formula = "qtc_fridericia_ms", "fridericia"
    elif quantity == "qtc_fridericia_ms":
        formula = "fridericia"
    negated = parsed.negated_before(mention.start)
    claims: list[Claim] = []
    for i, value in enumerate(parsed.values_in(mention.end, mention.scope_end)):
        fitted = value if _fits(quantity, value) else None
        if fitted is None and value.family is None and i == 0:
            fitted = _unitless_ok(quantity, parsed, mention, value)
        if fitted is None or (claims and fitted.comparator in (None, "range")):
            continue
        claim = _claim_from_value(quantity, fitted, None, parsed, (mention.start, mention.end),
                                  negated=negated, formula=formula)
        if claim is not None:
            claims.append(claim)
    return claims


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
    return claims


def _st_direction(parsed: ParsedText, mention: Mention) -> tuple[float, str | None, bool]:
    """Sign and category of an ST mention, and whether the scope says "not elevated"."""
    keyword = mention.match.group().lower()
    if "elevat" in keyword:
        return 1.0, "elevated", False
    if "depress" in keyword:
        return -1.0, "depressed", False
    d = DIRECTION_RE.search(parsed.lowered, mention.end, mention.scope_end)
    if d is None:
        return 1.0, None, False
    negated = parsed.lowered[max(0, d.start() - 5):d.start()].rstrip().endswith("not")
    if d.group("up"):
        return 1.0, "elevated", negated
    if d.group("down"):
        return -1.0, "depressed", negated
    return 1.0, "isoelectric" if d.group("iso") else "normal", negated


def _per_lead_claims(parsed: ParsedText, mention: Mention, previous: Mention | None) -> list[Claim]:
    """Claims of one per-lead keyword over its scope. An ST mention whose scope goes on to
    the opposite direction ("ST elevation in V1-V4 with reciprocal depression in II, III,
    aVF") ends there, and the rest is read as a mention of that direction."""
    if mention.quantity == "st_mv":
        _, category, _ = _st_direction(parsed, mention)
        pattern = OPPOSITE_ST_RE.get(category or "")
        turn = pattern.search(parsed.lowered, mention.end, mention.scope_end) if pattern else None
        if turn is not None:
            head = dataclasses.replace(mention, scope_end=turn.start())
            tail = Mention("st_mv", turn.start(), turn.end(), turn, scope_end=mention.scope_end)
            return _per_lead_mention_claims(parsed, head, previous) + _per_lead_mention_claims(parsed, tail, head)
    return _per_lead_mention_claims(parsed, mention, previous)


def _per_lead_mention_claims(parsed: ParsedText, mention: Mention, previous: Mention | None) -> list[Claim]:
    quantity = mention.quantity
    values = [v for v in parsed.values_in(mention.end, mention.scope_end) if _fits(quantity, v)]
    if mention.pre_value is not None:
        values.insert(0, mention.pre_value)
    sign, category, scope_not = 1.0, None, False
    if quantity == "st_mv":
        sign, category, scope_not = _st_direction(parsed, mention)
    negated = parsed.negated_before(mention.start) != scope_not
    groups = parsed.groups_in(mention.end, mention.scope_end)
    context = not groups
    if context:
        groups = context_groups(parsed, mention, previous)

    def claims_for(value: Value, leads: Sequence[str | None]) -> list[Claim]:
        made = (_claim_from_value(quantity, value, lead, parsed, (mention.start, mention.end), sign=sign,
                                  negated=negated)
                for lead in leads)
        return [c for c in made if c is not None]

    claims: list[Claim] = []
    for i, value in enumerate(values):
        if context:
            targets = list(groups)
        else:
            next_start = values[i + 1].start if i + 1 < len(values) else mention.scope_end
            attached = attached_group(parsed, value, groups, next_start)
            targets = [attached] if attached else []
        for group in targets:
            group.used = True
        claims.extend(claims_for(value, [lead for g in targets for lead in g.leads] or [None]))
    if quantity == "st_mv" and category is not None:
        targets_left: list[str | None] = [lead for g in groups if not g.used for lead in g.leads]
        if not groups and not values:
            targets_left = [None]
        span = (mention.start, mention.scope_end)
        phrase = parsed.text[span[0]:span[1]].strip()
        claims.extend(Claim(quantity="st_mv", value=None, low=None, high=None, lead=lead, span=span,
                            phrase=phrase, category=category, negated=negated)
                      for lead in targets_left)
    return claims


def _keyword_categories(parsed: ParsedText, mention: Mention) -> list[Claim]:
    """Category words with a keyword: "prolonged PR", "the QRS complexes are wide"."""
    words = CATEGORY_WORDS.get(mention.quantity)
    if not words:
        return []
    quantity = "qtc_ms" if mention.quantity in ("qt_ms", "qtc_fridericia_ms") else mention.quantity
    lowered = parsed.lowered
    found: list[tuple[str, int, int, bool]] = []
    cut = mention.start
    qualifier = word_before(lowered, cut, QUALIFIER_WORDS)
    while qualifier is not None:
        cut = qualifier[1]
        qualifier = word_before(lowered, cut, QUALIFIER_WORDS)
    before = word_before(lowered, cut, words)
    if before is not None:
        found.append((KEYWORD_CATEGORIES[mention.quantity][before[0]], before[1], mention.end, False))
    after = PREDICATE_RE.match(lowered, mention.end, mention.scope_end)
    if after is not None:
        word = after.group("word")
        category = ("normal" if word == "within" and after.group("wnl")
                    else KEYWORD_CATEGORIES[mention.quantity].get(word))
        if category is not None:
            found.append((category, mention.start, after.end(), bool(after.group("not"))))
    negated = parsed.negated_before(mention.start)
    return [Claim(quantity=quantity, value=None, low=None, high=None, lead=None, span=(start, end),
                  phrase=parsed.text[start:end], category=category, negated=negated != written_not)
            for category, start, end, written_not in found]


def _categorical_claims(parsed: ParsedText) -> list[Claim]:
    claims = []
    for quantity, category, pattern in CATEGORICAL_PATTERNS:
        for m in word_matches(pattern, parsed.lowered):
            claims.append(Claim(quantity=quantity, value=None, low=None, high=None, lead=None,
                                span=(m.start(), m.end()), phrase=parsed.text[m.start():m.end()],
                                category=category, negated=parsed.negated_before(m.start())))
    return claims


def extract_parsed(parsed: ParsedText) -> list[Claim]:
    claims: list[Claim] = []
    owned: list[tuple[int, int]] = []
    previous: Mention | None = None
    for mention in parsed.mentions:
        owned.append((mention.start, mention.scope_end))
        if mention.quantity == "qt_qtc_pair":
            claims.extend(_pair_claims(parsed, mention))
        elif mention.quantity in PER_LEAD_QUANTITIES:
            claims.extend(_per_lead_claims(parsed, mention, previous))
        elif mention.quantity != "block":
            claims.extend(_global_claims(parsed, mention))
            claims.extend(_keyword_categories(parsed, mention))
        previous = mention
    starts = [a for a, _ in owned]
    for value in parsed.values:
        if value.family != "rate" or value.conversion:
            continue
        i = bisect.bisect_right(starts, value.start) - 1
        if i < 0 or value.start >= owned[i][1]:
            claim = _claim_from_value("hr_bpm", value, None, parsed, (value.start, value.end))
            if claim is not None:
                claims.append(claim)
    claims.extend(_categorical_claims(parsed))
    claims.sort(key=lambda c: (c.span[0], c.span[1]))
    return claims


def extract_claims(text: str) -> list[Claim]:
    """Every claim of ``text`` about a value of the ECG, in text order.

    See the module docstring for the quantities, units, forms and non-claims.
    """
    if not text:
        return []
    return extract_parsed(ParsedText(text))
