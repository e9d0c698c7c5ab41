"""Leads and territories: lead lists and ranges ("II, III and aVF", "V1-V4"), territory
names ("inferior leads"), lead headings, and which lead list a number or finding goes with."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Set
from itertools import accumulate
from operator import methodcaller
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gemeval.ecg.record import LEADS
from gemeval.metrics.grounding.claims import LEAD_FINDING_QUANTITIES
from gemeval.metrics.grounding.text import gate, split_alternatives, starts_word, word_matches, words_at_start

if TYPE_CHECKING:
    from gemeval.metrics.grounding.extraction import Mention, ParsedText
    from gemeval.metrics.grounding.numbers import Value


TERRITORIES: dict[str, tuple[str, ...]] = {
    "inferior": ("II", "III", "aVF"),
    "lateral": ("I", "aVL", "V5", "V6"),
    "high_lateral": ("I", "aVL"),
    "inferolateral": ("II", "III", "aVF", "V5", "V6"),
    "septal": ("V1", "V2"),
    "anterior": ("V1", "V2", "V3", "V4"),
    "anteroseptal": ("V1", "V2", "V3", "V4"),
    "anterolateral": ("V3", "V4", "V5", "V6"),
    "right_precordial": ("V1", "V2", "V3"),
    "left_precordial": ("V4", "V5", "V6"),
    "precordial": ("V1", "V2", "V3", "V4", "V5", "V6"),
    "chest": ("V1", "V2", "V3", "V4", "V5", "V6"),
    "limb": ("I", "II", "III", "aVR", "aVL", "aVF"),
}
"""Lead territories a text may name instead of leads ("ST elevation in the inferior
leads"). Anterior follows the usual V1-V4 of infarct localisation; a claim about a
territory is checked against the extreme of its leads."""

LEAD_TOKEN_RE = re.compile(r"(?:V[1-6]|v[1-6]|aV[RLF]|AV[RLF]|avr|avl|avf|III|II|I)(?!\w|['’]\w)")
"""Lead names; chest leads also in lower case, as lower-cased reports write them ("v3").
Every alternative starts with a literal (not "[Vv]"), so that ``re`` skips ahead to the
characters a lead name can start with (twice as fast on a lead-by-lead text)."""

LEAD_SEP_RE = re.compile(r"\s*(?:,\s*(?:and\s+|&\s*)?|and|&|/)?\s*", re.IGNORECASE)

LEAD_RANGE_RE = re.compile(r"\s*(?:-|–|—|to|through|thru)\s*", re.IGNORECASE)

V_RANGE_TAIL_RE = re.compile(
    r"(?:\s*[-–—]\s*|\s+(?:to|through|thru)\s+|(?P<list>,))([2-6])(?![\w'’]|[.,]\d|\s*(?:mm|mv|µv|uv|ms|%))", re.IGNORECASE)
"""A chest-lead range whose end is written as a digit alone ("V4-6", "V1 to 3"), or a
second chest lead after a comma ("v3,4"), as clinicians and translated reports write them;
not a number with a unit ("V2-3 mm")."""
V_LIST_TAIL_RE = re.compile(r"(?:,[2-6])+(?![\w'’]|[.,]\d)")
"""Chest leads listed after the first by their digit alone, without spaces ("V5,6", "V3,4,5")."""

_TERRITORY = (
    r"(?:inferolateral|inferior|anteroseptal|anterolateral|anterior|septal|lateral)[- ](?:chest|precordial)"
    r"|high[- ]lateral|inferolateral|inferior|anteroseptal|anterolateral|anterior|septal"
    r"|lateral|right[- ]precordial|left[- ]precordial|right[- ]chest|left[- ]chest|precordial|chest|limb"
)

LEADS_WORD_RE = re.compile(r"leads?\b|territor(?:y|ies)\b|distribution\b")
_LEADS_WORD_PARTS = [re.compile(part) for part in split_alternatives(LEADS_WORD_RE.pattern)]
_BARE_TERRITORY_NAMES = ("inferolateral", "inferior", "anteroseptal", "anterolateral", "anterior", "septal",
                         "lateral", "high[- ]lateral")
_ADVERB_TERRITORIES = (*_BARE_TERRITORY_NAMES, "apical")
TERRITORY_ADVERB_RE = re.compile("|".join(rf"{name}ly\b" for name in _ADVERB_TERRITORIES))
"""Territories written as adverbs ("ST elevation inferiorly")."""
_ADVERB_ENDINGS = tuple({f"{name}ly"[-5:] for name in _ADVERB_TERRITORIES})
"""How those adverbs end ("rally", "iorly", ...): a text without any has none, and the pattern
(whose alternatives start with five different letters, each place of which ``re`` tries)
is not run."""
_ADVERB_GATE = gate(*_ADVERB_ENDINGS)
assert all(ending.isalpha() for ending in _ADVERB_ENDINGS)
_TERRITORY_LIST = "|".join(_BARE_TERRITORY_NAMES)
_BARE_TERRITORY_RE = re.compile("|".join(
    [rf"{name}(?=(?:\s*(?:/|,|and)\s*(?:{_TERRITORY_LIST}))*\s+(?:st\s+(?:elevation|depression|segment)|st[ed]\b"
     rf"|t[- ]waves?\b|q[- ]waves?\b|t\s+(?:inversion|negativ|flatten)|st[- ]?t\b|st\s*[/&]\s*t\b))"
     for name in _BARE_TERRITORY_NAMES]
    + [rf"{name}(?<=flattening {name})(?=\s*[,.;]|\s*$)" for name in ("lateral", "inferior", "anterior", "septal")]))
"""Territory words written without "leads": before a finding or ending a clause (each
alternative starts with its word, so that ``re`` skips ahead to it)."""
_COMPOUND_TERRITORY_RE = re.compile(
    r"(?P<side>inferolateral|inferior|anteroseptal|anterolateral|anterior|septal|lateral|right|left)"
    r"[- ](?:chest|precordial)\b")
"""A side and "chest"/"precordial" is one territory: "lateral chest leads" are the lateral
leads, "right chest leads" the right precordial ones."""

TERRITORY_BEFORE_RE = re.compile(
    rf"(?P<names>(?:{_TERRITORY})(?:\s*(?:,\s*(?:and|&|or)?|and|&|/|or|nor)\s*(?:{_TERRITORY}))*)\s+$")
"""Territory names (lowered) right before the word "leads": "inferior leads", "anterior
and lateral leads", "anterior, septal, and lateral leads", "inferior or lateral leads". Found from "leads" backwards,
which is rare, so the scan is cheap."""

TERRITORY_NAME_RE = re.compile(_TERRITORY)
_NAMED_AFTER_RE = re.compile(r"\s*,?\s*(?:particularly|especially|notably|mainly|chiefly|primarily|predominantly"
                             r"|most\s+(?:notably|markedly)|namely|i\.e\.)\s+(?:in\s+)?(?:leads?\s+)?")
"""Between a territory and the leads it is written out as: "the lateral leads, particularly
I, aVL, V5 and V6" (the listed leads are where the finding is)."""
_TERRITORY_ENDINGS = ("chest", "precordial", "lateral", "inferior", "septal", "anterior", "limb")
"""How every name of ``_TERRITORY`` ends."""
_TERRITORY_ENDINGS_GATE = gate(*_TERRITORY_ENDINGS)
_TERRITORY_WORDS = gate("lateral", "inferior", "anterior", "septal", "apical")
"""Every name of ``_BARE_TERRITORY_RE`` and ``TERRITORY_ADVERB_RE`` contains one of these."""

NOT_LEAD_WORDS: tuple[str, ...] = ("type", "class", "mobitz", "grade", "stage", "phase", "degree", "level")

LEAD_LOOKAHEAD = r"(?=\s*(?:in\s+)?(?:leads?\s+)?(?:V[1-6]|aV[LRF]|I{1,3})(?!\w|['’]\w))"

HEADING_BEFORE_RE = re.compile(r"[\W_]*(?:in\s+)?(?:the\s+(?:[a-z]+\s+){0,2}?)?(?:leads?\s+)?\(?")
"""What may open a sentence before its lead heading: "Lead V5:", "In II, III:", "In the
precordial leads V1 through V6,", "In the inferior leads (II, III and aVF),"."""

HEADING_AFTER_RE = re.compile(r"\)?\s*[:,\-–|]|\s+(?:shows?|has|demonstrates?|displays?|reveals?|the)\b")
"""What follows a lead heading: punctuation, a verb ("V5 shows ...") or the subject's article
("In V2 and V3 the T waves are inverted, while the ST segments are isoelectric")."""

ATTACHED_BEFORE_RE = re.compile(r"\s*(?:\(|:|=)?\s*(?:of|by|at|is|was|measuring|measures)?\s*")


@dataclass(slots=True)
class LeadGroup:
    start: int
    end: int
    leads: tuple[str, ...]  # lead names, or one territory name
    territory: bool = False


_AUGMENTED = {"AVR": "aVR", "AVL": "aVL", "AVF": "aVF"}


def canonical_lead(token: str) -> str:
    upper = token.upper()
    return _AUGMENTED.get(upper, upper)


def attached_group(parsed: ParsedText, value: Value, groups: list[LeadGroup], next_start: int,
                   next_value: bool = False) -> LeadGroup | None:
    """The lead list a number goes with: "V2 (0.3 mV)" or "V2: 0.3 mV" (the list right
    before), else "0.3 mV in V2" (the first list after it, before the next number), else
    the nearest list before it."""
    before = [g for g in groups if g.end <= value.start]
    if before and ATTACHED_BEFORE_RE.fullmatch(parsed.lowered, before[-1].end, value.start):
        return before[-1]
    after = [g for g in groups if value.end <= g.start < next_start]
    if after and next_value and after[0].end <= next_start and ATTACHED_BEFORE_RE.fullmatch(
            parsed.lowered, after[0].end, next_start) and _LEAD_OPENS_CLAUSE_RE.search(
            parsed.lowered, value.end, after[0].start):
        # "in V1 the J point is at +0.06 mV and in V2 at +0.11 mV": V2 is the next number's
        after = after[1:]
    if after:
        return after[0]
    return before[-1] if before else None


_LEAD_OPENS_CLAUSE_RE = re.compile(r"(?:[,;]|\band|\bwhile|\bwhereas)\s*(?:in\s+|at\s+)?(?:leads?\s+)?$")
"""What comes before a lead list that opens the next number's clause ("..., and in V2 at")."""


def context_groups(parsed: ParsedText, mention: Mention, previous: Mention | None) -> list[LeadGroup]:
    """Leads for a per-lead keyword that has none after it: the leads before it in the
    sentence (unless a per-lead keyword before it owns them), else a lead heading that
    opens the sentence ("Lead V5: R wave ..."). Merged into one list; territories apart."""
    sentence_start = parsed.sentence_start(mention.start)
    earlier = previous if previous is not None and previous.end > sentence_start else None  # same sentence
    if earlier is not None and earlier.quantity in LEAD_FINDING_QUANTITIES and earlier.scope_end >= mention.start:
        # The usual case in a lead-by-lead text ("Lead V5: R wave ..., S wave ...").
        heading = parsed.heading(sentence_start)
        if heading is not None and heading.end <= mention.start:
            return [parsed.heading_leads(sentence_start)]
        return []
    start = sentence_start
    if earlier is not None:
        # Leads in the scope of a per-lead keyword before are its own.
        start = earlier.scope_end if earlier.quantity in LEAD_FINDING_QUANTITIES else earlier.end
    groups = parsed.groups_in(start, mention.start) if start < mention.start else []
    if not groups:
        heading = parsed.heading(sentence_start)
        if heading is not None and heading.end <= mention.start:
            groups = [heading]
    if len(groups) < 2:  # the usual: nothing to merge (a list's leads are distinct already)
        return [LeadGroup(-1, -1, g.leads, territory=g.territory) for g in groups]
    leads = tuple(dict.fromkeys(lead for g in groups if not g.territory for lead in g.leads))
    merged = [LeadGroup(-1, -1, leads)] if leads else []
    return merged + [LeadGroup(-1, -1, g.leads, territory=True) for g in groups if g.territory]


def lead_groups(text: str, lowered: str, found: Set[str]) -> list[LeadGroup]:
    """The lead lists (\"II, III and aVF\", \"V1-V4\") and territory names (\"inferior leads\")
    of a text, in order (``found``: the gates' literals in the text, ``text_literals``)."""
    tokens = _lead_tokens(text)
    groups: list[LeadGroup] = []
    i = 0
    while i < len(tokens):
        start, end, first = tokens[i]
        leads = list(first)
        j = i + 1
        while j < len(tokens):
            gap = text[tokens[j - 1][1]:tokens[j][0]]
            if LEAD_RANGE_RE.fullmatch(gap):
                a, b = sorted((LEADS.index(leads[-1]), LEADS.index(tokens[j][2][0])))
                leads.extend(LEADS[a:b + 1])
                leads.extend(tokens[j][2][1:])
            elif LEAD_SEP_RE.fullmatch(gap):
                leads.extend(tokens[j][2])
            else:
                break
            end = tokens[j][1]
            j += 1
        i = j
        if _is_lead_list(text, lowered, start, end, leads):
            groups.append(LeadGroup(start, end, tuple(dict.fromkeys(leads))))
    # One scan per word: each starts with its literal, which re skips ahead to. A territory
    # name before "leads" ends as one of ``_TERRITORY_ENDINGS``: a text without any (the
    # usual lead-by-lead text: "Lead V5: ...") has no "leads" word to read.
    leads_words = sorted((m for pattern in _LEADS_WORD_PARTS for m in word_matches(pattern, lowered)),
                         key=lambda m: m.start()) if not found.isdisjoint(_TERRITORY_ENDINGS_GATE) else []
    for leads_word in leads_words:
        window = max(0, leads_word.start() - 60)
        head = lowered[window:leads_word.start()].rstrip()
        if len(head) == leads_word.start() - window or not head.endswith(_TERRITORY_ENDINGS):
            continue  # no territory name and space right before "leads" (the usual "Lead V5:")
        m = TERRITORY_BEFORE_RE.search(lowered, window, leads_word.start())
        if m is None or not starts_word(lowered, m.start()):
            continue
        if lowered.startswith(("voltage", "qrs voltage"), leads_word.end() + 1):
            continue  # "low limb lead voltage": how low the voltage is, not where a finding is
        written = _COMPOUND_TERRITORY_RE.sub(
            lambda c: {"right": "right precordial", "left": "left precordial",
                       "lateral": "left precordial"}.get(c.group("side"), c.group("side")),
            m.group("names"))
        names = list(dict.fromkeys(re.sub(r"[- ]", "_", n) for n in TERRITORY_NAME_RE.findall(written)))
        explicit = [g for g in groups if 0 <= g.start - leads_word.end() <= 3 or (
            len(names) == 1 and len(g.leads) > 1 and g.start > leads_word.end()
            and _NAMED_AFTER_RE.fullmatch(lowered, leads_word.end(), g.start))]
        if not explicit:  # "inferior leads (II, III, aVF)": the explicit list is enough
            groups.extend(LeadGroup(m.start(), leads_word.end(), (name,), territory=True) for name in names)
    if not found.isdisjoint(_TERRITORY_WORDS):
        _add_bare_territories(lowered, groups, found)
    groups.sort(key=lambda g: g.start)
    if not found.isdisjoint(_ANAPHOR_NEEDLES):
        groups = _with_lead_anaphora(lowered, groups)
    return groups


_ANAPHOR_LEADS_RE = re.compile(
    words_at_start(r"the\s+same", "same", "both", "these", "those", r"the\s+above", r"the\s+aforementioned", r"the\s+corresponding",
                   r"the\s+affected", r"all\s+(?:of\s+)?(?:these|those|the\s+same)") + r"\s+(?:(?:two|three|four|five|six|\d)\s+)?leads?\b")
"""A lead list named again by reference: "T-wave inversion in the same leads", "Q waves
are present in these leads"."""
_CLAUSE_BREAK_RE = re.compile(r"[.;:](?!\d)")
_ANAPHOR_FINDING_RE = re.compile(words_at_start("these", "those") + r"(?=\s+(?:st|t|q)[- ](?:segments?|waves?)\b)")
"""A finding named again by reference to the leads it was named in: "Back then there was ST
depression in V4 to V6; today those ST segments are at the baseline" (the word "those" as a
reference to the last lead list)."""
_ANAPHOR_THERE_RE = re.compile(r"there(?:(?<=waves\sthere)|(?<=wave\sthere)|(?<=segments\sthere)|(?<=segment\sthere))"
                               r"(?=\s+(?:are|is|were|was|look|looks|appear|appears|seem|seems|remain|remains|also)\b)")
"""A finding placed in the leads named before by "there": "ST depression in V4-V6, and the
T waves there are flat"."""
_ANAPHOR_NEEDLES = gate("same lead", "these lead", "those lead", "above lead", "aforementioned lead",
                        "corresponding lead", "affected lead", " two leads", " three leads", " four leads",
                        "these st", "those st", "these t", "those t", "these q", "those q", "both leads", "wave there",
                        "waves there", "segment there", "segments there")
_START = methodcaller("start")
_GAP_RE = re.compile(r"[ (:]*")


def _with_lead_anaphora(lowered: str, groups: list[LeadGroup]) -> list[LeadGroup]:
    """``groups`` (in text order) and, for each reference to leads named before ("the same
    leads"), a copy of the last lead list before it, at the reference's place."""
    out = list(groups)
    found = [*_ANAPHOR_LEADS_RE.finditer(lowered), *_ANAPHOR_FINDING_RE.finditer(lowered)]
    if " there" in lowered:
        found.extend(_ANAPHOR_THERE_RE.finditer(lowered))
    # groups are sorted by start: those starting at or before a reference end before it
    # unless one contains it, which the running furthest end tells
    starts = [g.start for g in groups]
    furthest = list(accumulate((g.end for g in groups), max))
    for m in sorted(found, key=_START):
        i = bisect_right(starts, m.start())
        if not i or furthest[i - 1] > m.start():
            continue
        nxt = bisect_left(starts, m.end())
        if nxt < len(starts) and _GAP_RE.fullmatch(lowered, m.end(), starts[nxt]):
            continue  # "both leads V5 and V6": the leads are named after it
        last = groups[i - 1]
        leads = last.leads
        if m.group().endswith("s") and len(leads) == 1 and not last.territory:
            # "in V1 ... and in V2 ..., both normal for these leads": the single leads
            # named one by one in the clause before are all referred to
            for g in reversed(groups[:i - 1]):
                if g.territory or len(g.leads) != 1 or _CLAUSE_BREAK_RE.search(lowered, g.end, m.start()):
                    break
                leads = g.leads + leads
        out.append(LeadGroup(m.start(), m.end(), leads, territory=last.territory))
    return sorted(out, key=lambda g: g.start)


def _add_bare_territories(lowered: str, groups: list[LeadGroup], found: Set[str]) -> None:
    """Adds the territories written without "leads" to ``groups``: "inferior ST elevation",
    "ST elevation inferiorly"."""
    for bare in word_matches(_BARE_TERRITORY_RE, lowered):
        # "inferior ST elevation", "T flattening lateral": a territory without "leads"
        name = re.sub(r"[- ]", "_", bare.group())
        if name in TERRITORIES and not any(g.start <= bare.start() < g.end for g in groups):
            groups.append(LeadGroup(bare.start(), bare.end(), (name,), territory=True))
    for adverb in word_matches(TERRITORY_ADVERB_RE, lowered) if not found.isdisjoint(_ADVERB_GATE) else ():
        name = re.sub(r"[- ]", "_", adverb.group()[:-2])
        if name in TERRITORIES:
            groups.append(LeadGroup(adverb.start(), adverb.end(), (name,), territory=True))


def _glued_to_wave(text: str, start: int, token: str) -> bool:
    """A chest or augmented lead written onto its wave's letter: "RV5", "SV1", "RaVL"."""
    return (start >= 1 and text[start - 1] in "RS" and starts_word(text, start - 1)
            and token[0] in "VvaA")


def _lead_tokens(text: str) -> list[tuple[int, int, tuple[str, ...]]]:
    """The lead names of a text as (start, end, leads): one lead, or the chest leads of a
    range written with a digit alone at its end ("V4-6")."""
    tokens = []
    for m in LEAD_TOKEN_RE.finditer(text):
        if not starts_word(text, m.start()) and not _glued_to_wave(text, m.start(), m.group()):
            continue
        name, end = canonical_lead(m.group()), m.end()
        leads: tuple[str, ...] = (name,)
        if name[0] == "V" and end < len(text) and text[end] in " -–—,":
            tail = V_RANGE_TAIL_RE.match(text, end)
            if tail is not None and int(tail.group(2)) > int(name[1]):
                last = int(tail.group(2))
                leads = ((name, f"V{last}") if tail.group("list")
                         else tuple(f"V{k}" for k in range(int(name[1]), last + 1)))
                end = tail.end()
        elif name[0] == "V" and text.startswith(",", end):
            listed = V_LIST_TAIL_RE.match(text, end)
            if listed is not None:  # "V5,6": V5 and V6
                numbers = listed.group().split(",")[1:]
                if all(int(a) < int(b) for a, b in zip([name[1], *numbers], numbers)):
                    leads = (name, *(f"V{n}" for n in numbers))
                    end = listed.end()
        tokens.append((m.start(), end, leads))
    return tokens


_SIGNED_NUMBER_RE = re.compile(r"\s*[+\-−]?\d")


def _is_lead_list(text: str, lowered: str, start: int, end: int, leads: list[str]) -> bool:
    """False for Roman numerals that are not leads ("type II", a pronoun "I")."""
    head = lowered[max(0, start - 12):start].rstrip()
    if head.endswith(("lead", "leads")):
        return True
    if head.endswith(NOT_LEAD_WORDS):
        return False
    if leads == ["I"]:
        # "in I", "I: 0.1 mV", "I (0.1 mV)", and in a list of values per lead "I +0.05, II ..."
        return head.endswith(" in") or text[end:end + 2].lstrip()[:1] in (":", "(") or (
            head.endswith(("(mv):", "(mm):", ":")) and _SIGNED_NUMBER_RE.match(text, end) is not None)
    return True
