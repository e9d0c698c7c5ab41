"""Numbers in a text: value, unit (converted to the canonical unit of its family), range
end, comparator ("at least", "<"), approximation ("about") and unit conversions in
parentheses ("0.2 mV (2 mm)")."""

from __future__ import annotations

import bisect
import re
from collections.abc import Set
from dataclasses import dataclass
from functools import lru_cache

from gemeval.metrics.grounding.text import gate, split_alternatives, stripped_end, text_literals, word_before, word_ending

NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")

_UNIT = (
    r"milliseconds?|msecs?|ms|seconds?|secs?|s"
    r"|beats?\s*(?:per|/)\s*min(?:ute)?|beats?\s+(?:a|each)\s+minute|bpm|b/min|/\s*min(?:ute)?|per\s+minute"
    r"|millivolts?|microvolts?|mv|[µμu]v|mm(?!\s*/\s*(?:s|sec|mv))|millimet(?:er|re)s?(?!\s+per\b)"
    r"|degrees?|degs?|°|º"
)
"""Unit spellings (lowered), tried in this order."""


def _by_first_character(alternatives: list[str]) -> str:
    """``alternatives`` as one pattern that tries them in the same order, those that start
    with the same character written after it once ("m(?:illiseconds?|secs?|s|...)"): ``re``
    tries each alternative of a plain alternation in turn, about twenty at every place a
    unit may start, and a branch only where its character is. Alternatives that start with
    different characters never match at one place, so the order of the groups does not
    matter; one that starts with a class ("[µμu]v") or an escape stands alone."""
    groups: dict[str, list[str]] = {}
    for alternative in alternatives:
        key = alternative if alternative[0] in "[(\\" else alternative[0]
        groups.setdefault(key, []).append(alternative)
    return "|".join(members[0] if len(members) == 1 else
                    re.escape(key) + "(?:" + "|".join(member[1:] for member in members) + ")"
                    for key, members in groups.items())


_UNITS = _by_first_character(split_alternatives(_UNIT))
"""``_UNIT`` for the patterns below (same matches, found faster)."""

VALUE_TAIL_RE = re.compile(
    rf"(?:\s*(?P<unit1>{_UNITS})(?![a-z]))?"
    rf"(?:\s*(?:-|–|—|to)\s*(?P<num2>[+\-−]?\d+(?:\.\d+)?)(?!(?:st|nd|rd|th)\b))?"
    rf"(?:\s*(?P<unit>{_UNITS})(?![a-z]))?"
)
"""What may follow a number (lowered text): its unit, the end of a range, the range's unit."""

_UNIT_TABLE: tuple[tuple[re.Pattern[str], str, float], ...] = tuple(
    (re.compile(pattern), family, factor)
    for pattern, family, factor in (
        (r"milliseconds?|msecs?|ms", "time", 1.0),
        (r"seconds?|secs?|s", "time", 1000.0),
        (r"beats?\s*(?:per|/)\s*min(?:ute)?|beats?\s+(?:a|each)\s+minute|bpm|b/min|/\s*min(?:ute)?"
         r"|per\s+minute", "rate", 1.0),
        (r"millivolts?|mv", "amplitude", 1.0),
        (r"microvolts?|[µμu]v", "amplitude", 0.001),
        (r"mm|millimet(?:er|re)s?", "amplitude", 0.1),
        (r"degrees?|degs?|°|º", "angle", 1.0),
    )
)

# Words right before a number, read backwards from it (lowered text).
APPROX_WORDS: tuple[str, ...] = (
    "~", "≈", "approximately", "approx.", "approx", "about", "around", "roughly", "nearly",
    "almost", "circa", "ca.",
)

COMPARATORS: dict[str, str] = {
    "<=": "<=", "≤": "<=", ">=": ">=", "≥": ">=", "<": "<", ">": ">", "less than": "<",
    "under": "<", "below": "<", "shorter than": "<", "greater than": ">", "more than": ">",
    "longer than": ">", "over": ">", "above": ">", "exceeding": ">", "at least": ">=",
    "no less than": ">=", "at most": "<=", "up to": "<=", "no more than": "<=",
    "faster than": ">", "slower than": "<", "higher than": ">", "lower than": "<", "wider than": ">",
    "deeper than": ">", "in excess of": ">", "exceeds": ">", "exceeded": ">", "exceed": ">",
    "not exceeding": "<=", "not more than": "<=", "not less than": ">=",
    # what a value rarely passes is its usual bound from the other side: "rarely exceeds 5 mm"
    **{f"{adverb} {verb}": cmp for adverb in ("rarely", "seldom") for verbs, cmp in (
        (("exceeds", "exceed", "goes above", "go above", "rises above", "rise above", "gets above"), "<="),
        (("falls below", "fall below", "drops below", "drop below", "goes below", "go below"), ">="))
       for verb in verbs},
    "no longer than": "<=", "no wider than": "<=", "no shorter than": ">=",
    "more negative than": "<", "more positive than": ">", "beyond": ">", "past": ">",
    # a value reached, no bound: "my heart rate has gone up to 110 bpm" ("" is no comparator)
    "gone up to": "", "went up to": "", "go up to": "", "goes up to": "", "came up to": "", "come up to": "",
    "got up to": "", "gets up to": "", "shot up to": "", "jumped up to": "", "crept up to": "",
    # as course notes write them: ">/= 3.5 mV", "=> 120 ms", "equal to or greater than 35 mm"
    ">/=": ">=", "=>": ">=", "</=": "<=", "=<": "<=", "equal to or greater than": ">=",
    "equal to or more than": ">=", "greater than or equal to": ">=", "more than or equal to": ">=",
    "equal to or less than": "<=", "less than or equal to": "<=",
}

COMPARATOR_WORDS: tuple[str, ...] = tuple(sorted(COMPARATORS, key=len, reverse=True))

CONVERSION_GAP_RE = re.compile(r"\s*\(\s*")


_ONES = {w: i for i, w in enumerate((
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"))}
_TENS = {w: 10 * i for i, w in enumerate(("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
                                          "ninety"), start=2)}
_NUMBER_WORDS_GATE = gate(*_TENS, "hundred", "half")
"""What a text must hold for ``with_digits`` to read its numbers in words: a tens word,
"hundred" or "half"."""
_BELOW_100 = (rf"(?:{'|'.join(_TENS)})(?:[- ](?:{'|'.join(w for w, i in _ONES.items() if 0 < i < 10)}))?"
              rf"|(?:{'|'.join(sorted(_ONES, key=len, reverse=True))})")
NUMBER_WORDS_RE = re.compile(
    rf"(?<![a-z-])(?:(?P<half>half\s+an?)(?=\s+(?:mm|millimet|milliv|mv))|(?P<hundreds>{'|'.join(w for w, i in _ONES.items() if 0 < i < 10)})\s+hundred"
    rf"(?:\s+(?:and\s+)?(?P<rest>{_BELOW_100}))?|(?P<tens>(?:{'|'.join(_TENS)})(?:[- ](?:{'|'.join(w for w, i in _ONES.items() if 0 < i < 10)}))?))"
    r"(?![a-z-])"
)
"""Numbers written in words, from twenty up ("fifty-two", "one hundred and ten"); smaller
ones ("one lead", "twelve-lead") are words, not values."""


def _below_100(words: str) -> int | None:
    parts = re.split(r"[- ]", words)
    total = 0
    for i, part in enumerate(parts):
        if part in _TENS and i == 0:
            total += _TENS[part]
        elif part in _ONES and (i == 0 or 0 < _ONES[part] < 10):
            total += _ONES[part]
        else:
            return None
    return total


def with_digits(text: str, lowered: str, found: Set[str] | None = None) -> tuple[str, str]:
    """``text`` and ``lowered`` with numbers in words replaced by their digits, padded with
    spaces to the same length (so every position still points at the same words);
    ``found``: the gates' literals in the text (``text_literals``), where known."""
    if (text_literals(lowered) if found is None else found).isdisjoint(_NUMBER_WORDS_GATE):
        return text, lowered
    pieces: list[tuple[int, int, str]] = []
    for m in NUMBER_WORDS_RE.finditer(lowered):
        if m.group("half"):
            pieces.append((m.start(), m.end(), "0.5".ljust(m.end() - m.start())))
            continue
        if m.group("hundreds"):
            rest = _below_100(m.group("rest")) if m.group("rest") else 0
            number = None if rest is None else 100 * _ONES[m.group("hundreds")] + rest
        else:
            number = _below_100(m.group("tens"))
        if number is not None:
            pieces.append((m.start(), m.end(), str(number).ljust(m.end() - m.start())))
    if not pieces:
        return text, lowered
    out_text, out_lowered, last = [], [], 0
    for start, end, digits in pieces:
        out_text += [text[last:start], digits]
        out_lowered += [lowered[last:start], digits]
        last = end
    out_text.append(text[last:])
    out_lowered.append(lowered[last:])
    return "".join(out_text), "".join(out_lowered)


@dataclass(slots=True)
class Value:
    start: int
    end: int
    low: float
    high: float
    value: float
    comparator: str | None
    approximate: bool
    family: str | None
    signed: bool
    conversion: bool  # "(2 mm)" right after "0.2 mV": the same claim again
    operand: bool = False  # "300" and "4" in "300/4 = 75 bpm": the result is the claim


@lru_cache(maxsize=256)
def unit_of(unit: str | None) -> tuple[str | None, float]:
    if not unit:
        return None, 1.0
    for pattern, family, factor in _UNIT_TABLE:
        if pattern.fullmatch(unit.strip()):
            return family, factor
    return None, 1.0


PLUS_MINUS_RE = re.compile(rf"\s*(?:±|\+/-)\s*\d+(?:\.\d+)?(?:\s*(?P<unit>{_UNITS})(?![a-z]))?")
"""The spread after a number: "96 ± 4 ms"."""

BETWEEN_TAIL_RE = re.compile(
    rf"(?:\s*(?P<unit1>{_UNITS})(?![a-z]))?\s*(?:and|to|-|–|—)\s*(?:(?P<minus2>minus\s+)|plus\s+)?"
    rf"(?P<num2>[+\-−]?\d+(?:\.\d+)?)"
    rf"(?:\s*(?P<unit>{_UNITS})(?![a-z]))?"
)
"""The rest of "between 0 and +90 degrees" / "from 120 to 200 ms" / "between minus 30 and plus
90 degrees": a range."""
_PLUS_MINUS_GATE, _RANGE_GATE, _OR_GATE = gate("±", "+/-"), gate("between ", "from "), gate(" or ")
_MINUS_GATE, _BY_GATE = gate("minus "), gate(" by ")
_BETWEEN_APPROX = ("between about ", "between around ", "between approximately ", "between roughly ", "between ~")
"""An approximate range: "it varies between about 62 and 84 bpm"."""
CHANGE_FROM_RE = re.compile(
    r"(?<![a-z])(?:shortened|lengthened|increased|decreased|fallen|dropped|risen|rose|fell|gone\s+(?:up|down)"
    r"|come\s+down|went\s+(?:up|down)|improved|changed|slowed|narrowed|widened|normali[sz]ed)\s+from\s+$")
"""A change from an earlier ECG's value ("the QTc has shortened from 490 ms to 455 ms"): no
range; the first number is the earlier ECG's, the second this one's."""
_CHANGE_BY_RE = re.compile(
    r"(?<![a-z])(?:rises?|rose|risen|rising|increases?|increased|increasing|falls?|fell|fallen|falling|drops?|dropped"
    r"|decreases?|decreased|decreasing|goes\s+(?:up|down)|went\s+(?:up|down)|gone\s+(?:up|down)|speeds?\s+up|slows?(?:\s+down)?"
    r"|slowed|lengthens?|lengthened|shortens?|shortened|changes?|changed|varies|varied|prolonged|widened|narrowed"
    r"|shifted|moved)"
    r"(?:\s+(?:only|about|around|roughly|approximately|typically|usually|by))*\s+by\s+$")
"""A change by an amount ("the rate rises by 10-20 beats per minute", "the QTc shortened by 30 ms"):
the number is the change, no value of the ECG."""
_OR_MORE_RE = re.compile(r"\s+or\s+(?:(?P<more>more|greater|longer|above|higher|over|wider|deeper)"
                         r"|less|fewer|shorter|below|lower|under)\b")
_TIME_STAMP_RE = re.compile(r"(?<![a-z])(?:t|time)\s*=\s*$")


_BEFORE_BARE_DECIMAL = frozenset(" \t\n/(:=~")

_APPROX_LAST = frozenset(word[-1] for word in APPROX_WORDS)
_COMPARATOR_LAST = frozenset(word[-1] for word in COMPARATOR_WORDS if len(word) < 3)
_COMPARATOR_ENDS = frozenset(word[-3:] for word in COMPARATOR_WORDS if len(word) >= 3)
"""The last characters of those words (of a comparator of three characters or more, its
last three: "wave 1.2" ends as "above" does, not as "ave"): a number after any other
ending (the usual case) has neither, and the word lists are not compared."""


NUMBER_TAIL_RE = re.compile(rf"({NUMBER_RE.pattern}){VALUE_TAIL_RE.pattern}")
"""A number and what follows it, in one match (group 1 the number; ``VALUE_TAIL_RE``'s
groups after it)."""

_UNIT_SPELLINGS = {unit: unit_of(unit) for unit in (
    "ms", "msec", "msecs", "millisecond", "milliseconds", "s", "sec", "secs", "second", "seconds", "bpm",
    "b/min", "/min", "mv", "millivolt", "millivolts", "uv", "µv", "μv", "mm", "degrees", "degree", "deg",
    "°", "º")}
"""The usual unit spellings and what ``unit_of`` makes of them, looked up before calling it."""


_DIGIT_COMMA_RE = re.compile(r",(?<=\d,)(\d+)(?![\d,])")
"""A comma between digits and the digits after it (not followed by another comma). It
starts with the comma, so ``re`` skips ahead to commas (see ``text``): a pattern that
starts with the digits before the comma tries every position of the text, which took
longer than reading the numbers."""


def decimal_points(text: str) -> str:
    """``text`` with its numbers written with a decimal point, same length: a decimal comma
    as a point ("0,16 s", "1,5 mm": a leading zero, or not three digits after the comma), a
    thousands separator dropped for a leading zero ("1,250 ms" as "01250 ms"). A number
    with a point or another comma right before it ("1.5,2", "1,2,3") is left alone."""
    if "," not in text:
        return text
    chars = None
    for m in _DIGIT_COMMA_RE.finditer(text):
        comma = start = m.start()
        while start and text[start - 1].isdecimal():  # the digits before (as \d matches them)
            start -= 1
        if start and text[start - 1] in ".,":
            continue
        chars = chars or list(text)
        if (comma - start == 1 and text[start] == "0") or len(m.group(1)) != 3:
            chars[comma] = "."
        else:
            chars[start:m.end()] = "0" + text[start:comma] + m.group(1)
    return "".join(chars) if chars else text


_DECADE_BEFORE_RE = re.compile(r"(?<![a-z])the\s+(?:(?P<part>low|lower|mid|middle|high|upper)[- ]?)?$")
"""What comes before a decade ("the 50s", "the low 80s")."""
_DECADE_PARTS = {"lower": "low", "middle": "mid", "upper": "high"}


def read_values(text: str, lowered: str, found: Set[str]) -> list[Value]:
    """Every number of the text with its unit, range end, comparator and approximation
    (decimal commas read as points); ``found``: the gates' literals in the text
    (``text_literals``)."""
    if "," in text:
        text, lowered = decimal_points(text), decimal_points(lowered)
    values: list[Value] = []
    previous: Value | None = None  # the last value read
    last_end = -1  # where it ends (with its unit, range end, ...)
    plus_minus = not found.isdisjoint(_PLUS_MINUS_GATE)
    limit_ends = [m.end() for m in _LIMIT_WORD_RE.finditer(lowered)] if not found.isdisjoint(_LIMIT_NEEDLES) else []
    # Rarer contexts, looked for once per text: a text without them (the usual) skips
    # their checks at each of its numbers.
    time_stamps = "=" in lowered
    amounts = not found.isdisjoint(_BY_GATE)
    ranges = not found.isdisjoint(_RANGE_GATE)
    either_or = not found.isdisjoint(_OR_GATE)
    minus = not found.isdisjoint(_MINUS_GATE)
    pos = 0  # where the next number is looked for: after this one, or after the value read
    search = NUMBER_TAIL_RE.search
    while (m := search(lowered, pos)) is not None:
        start, tail_end = m.span()
        number, unit1, num2, unit = m.groups()
        pos = number_end = start + len(number)
        if num2 and lowered.endswith("from ", 0, start) and CHANGE_FROM_RE.search(lowered, start - 40 if start > 40 else 0,
                                                                                 start):
            num2 = unit = None  # "shortened from 490 ms to 455 ms": two values, no range
            tail_end = m.end("unit1") if unit1 else number_end
        before_char = text[start - 1] if start else ""
        signed = False
        if before_char != " ":  # (the usual case: none of the below)
            signed = before_char in "+-−" and start > 0 and (start < 2 or not text[start - 2].isalnum())
            if signed:
                start -= 1
                before_char = text[start - 1] if start else ""
            if (before_char == "." and not signed and (start < 2 or text[start - 2] in _BEFORE_BARE_DECIMAL)
                    and "." not in number):  # ".2.9" is no number
                start -= 1  # clinicians write seconds without the leading zero: "PR .16"
                before_char = text[start - 1] if start else ""
            elif before_char and (before_char.isalnum() or before_char in "._+-−"):
                continue
            number = text[start:number_end]
        if start < last_end:  # the end of the range before
            continue
        spelled = start  # where the number starts with a sign spelled out ("minus 30")
        if minus and not signed and before_char == " " and lowered.endswith("minus ", start - 6 if start > 6 else 0,
                                                                            start):
            signed, number, spelled = True, "-" + number, start - 6  # "an axis of minus 30 degrees"
        elif ranges and before_char == " " and lowered.endswith("plus ", start - 5 if start > 5 else 0, start):
            spelled = start - 5  # "from plus 30 to ..."
        if amounts and lowered.endswith("by ", start - 3 if start > 3 else 0, start) and _CHANGE_BY_RE.search(
                lowered, start - 40 if start > 40 else 0, start):
            # "the rate rises by 10-20 beats per minute": how much it changes, no value; "has
            # lengthened by 40 ms to 490 ms": the number after "to" is the value now
            pos = m.end("unit1") if num2 and unit1 and lowered.find("to", m.end("unit1"), m.start("num2")) >= 0 \
                else tail_end
            continue
        if time_stamps and lowered.find("=", start - 8 if start > 8 else 0, start) >= 0 and _TIME_STAMP_RE.search(
                lowered, start - 8 if start > 8 else 0, start):
            continue  # "peaking at t=0.11 s" is a time, not a duration
        spread_end = 0
        if plus_minus and not num2 and not unit1:
            spread = PLUS_MINUS_RE.match(lowered, number_end)
            if spread is not None:  # "96 ± 4 ms": 96 ms, give or take
                unit, spread_end = spread.group("unit"), spread.end()
        if ranges and not num2 and ((lowered.endswith(("between ", "from "), spelled - 9 if spelled > 9 else 0, spelled)
                                     and word_before(lowered, spelled, ("between", "from"))
                                     and not CHANGE_FROM_RE.search(lowered, start - 40 if start > 40 else 0, start))
                                    or lowered.endswith(_BETWEEN_APPROX, spelled - 22 if spelled > 22 else 0, spelled)):
            between = BETWEEN_TAIL_RE.match(lowered, number_end)
            if between is not None:
                unit1, num2, unit = between.group("unit1", "num2", "unit")
                if between.group("minus2") and num2[0].isdigit():
                    num2 = "-" + num2  # "and minus 30"
                tail_end = between.end()
        written_unit = unit or unit1
        family, factor = (None, 1.0) if not written_unit else (
            _UNIT_SPELLINGS.get(written_unit) or unit_of(written_unit))
        # Rounded to a micro-unit so that "1.5 mm" is 0.15 mV, not 0.15000000000000002. A number
        # in its family's own unit of at most seven characters (the usual: "1.20", "+0.05",
        # "137") has at most six decimals and is below 10^7, so the float read is within
        # 10^-9 of that micro-unit number and round() would give the same float back.
        low = float(number.replace("−", "-") if signed else number) * factor
        if factor != 1.0 or len(number) > 7:
            low = round(low, 6)
        decade = (written_unit == "s" and not num2 and number.endswith("0") and "." not in number
                  and lowered.startswith("s", number_end) and _DECADE_BEFORE_RE.search(
                      lowered, start - 20 if start > 20 else 0, start))
        if decade:
            # "in the 50s", "in the low 80s", "QTc in the 450s": a decade of the number, no unit
            step = 10.0 if len(number.lstrip("+-−")) > 1 else 1.0
            base, part = float(number), decade.group("part") or ""
            low, high = {"low": (base, base + 0.3 * step), "mid": (base + 0.3 * step, base + 0.7 * step),
                         "high": (base + 0.7 * step, base + 0.9 * step)}.get(
                _DECADE_PARTS.get(part, part), (base, base + 0.9 * step))
            family, tail_end = None, number_end + 1
            comparator: str | None = "range"
        elif num2:
            high = round(float(num2.replace("−", "-")) * factor, 6)
            low, high = min(low, high), max(low, high)
            comparator = "range"
        elif plus_minus and lowered.endswith(("±", "+/-"), 0, start) and not signed:
            low, high, comparator, signed = -abs(low), abs(low), "range", True  # "within ±0.05 mV"
        else:
            high, comparator = low, None
        approximate = False
        if start > 1 and lowered[start - 1] == " " and not lowered[start - 2].isspace():
            head = start - 1  # the usual single space before a number
        else:
            head = stripped_end(lowered, start)
        cut = start
        if head and lowered[head - 1] in _APPROX_LAST:
            before = word_ending(lowered, head, APPROX_WORDS)
            if before:
                approximate, cut = True, before[1]
                head = stripped_end(lowered, cut)
        cmp_word = word_ending(lowered, head, COMPARATOR_WORDS) if head and (
            lowered[head - 1] in _COMPARATOR_LAST or lowered[head - 3 if head > 3 else 0:head] in _COMPARATOR_ENDS) \
            else None
        if cmp_word is None and lowered.endswith("the ", cut - 5 if cut > 5 else 0, cut):
            article = word_before(lowered, cut, ("the",))  # "below the 450 ms cut-off"
            if article is not None:
                cmp_word = word_before(lowered, article[1], COMPARATOR_WORDS)
        near = bisect.bisect_right(limit_ends, cut) if limit_ends else 0
        if near and cmp_word is None and comparator is None and cut - limit_ends[near - 1] <= 16:
            limit = _LIMIT_BOUND_RE.search(lowered, cut - 90 if cut > 90 else 0, cut)
            if limit is not None:  # "below the conventional lower limit of 60 bpm", "under the usual 60"
                cmp_word = (" ".join(limit.group("cmp").split()), limit.start())
        if cmp_word and comparator is None:
            comparator = COMPARATORS[cmp_word[0]] or None
            if cmp_word[0] in ("beyond", "past") and signed and low < 0:
                comparator = "<"  # "beyond −30°", "just past −30°" are further from zero: more negative
        end = tail_end if tail_end > spread_end else spread_end  # (the tail starts at the number)
        if comparator is None and lowered.startswith("+", number_end) and not lowered[number_end + 1:number_end + 2].isdigit():
            comparator = ">="  # "a QTc of 500+ ms"
        if either_or and comparator is None and lowered.startswith(" or ", end):
            or_more = _OR_MORE_RE.match(lowered, end)
            if or_more is not None:  # "120 ms or more"
                comparator, end = (">=" if or_more.group("more") else "<="), or_more.end()
        conversion = bool(previous is not None and family is not None and family == previous.family
                          and comparator is None and lowered.find("(", previous.end, start) >= 0
                          and CONVERSION_GAP_RE.fullmatch(lowered, previous.end, start))
        previous = Value(start, end, low, high, (low + high) / 2.0, comparator, approximate, family, signed,
                         conversion)
        values.append(previous)
        last_end = pos = end
    if "=" in lowered or "≈" in lowered:
        _mark_operands(lowered, values)
    return values


_LIMIT_BOUND_RE = re.compile(
    r"(?<![a-z])(?P<cmp>below|under|above|over|beyond|exceeds|exceeding|(?:longer|shorter|higher|lower|faster|slower"
    r"|greater|less|more|wider)\s+than)\s+the\s+(?:[a-z]+\s+){0,4}?"
    r"(?:(?:upper\s+|lower\s+)?(?:limit|cut-?off|cut\s+off|threshold)(?:\s+of\s+normal)?(?:\s+of|\s+at|\s+is|\s*\(|\s*,)?"
    r"|usual|conventional|accepted|standard)\s*$")
"""A comparison with a limit whose number follows it: "below the conventional lower limit of
60 bpm", "just above the upper limit of normal (100 bpm)", "a little under the usual 60"."""
_LIMIT_NEEDLES = gate("limit", "cut", "threshold", "usual", "conventional", "accepted", "standard")
_LIMIT_WORD_RE = re.compile(r"limits?(?:\s+of\s+normal)?|cut-?off|cut\s+off|threshold|usual|conventional|accepted|standard")
"""The words of such a limit; the pattern above is tried only on a number a few characters
after one of them."""
_NUM = r"(?:\d+(?:\.\d+)?|\.\d+)"
_TERM = (rf"(?:{_NUM}|rr|r-r|qt|hr)(?:\s*(?:milliseconds?|msecs?|ms|seconds?|secs?|s|mm|bpm"
         r"|(?:small|large|big)\s+(?:squares?|boxes?|blocks?|divisions?))(?![a-z]))?")
_EXPRESSION_RE = re.compile(
    rf"{_TERM}(?:\s*(?:[×*/÷]|x(?=\s*[\d(√.]))\s*(?:√|sqrt\b)?\s*\(?\s*(?:√\s*)?{_TERM}\s*\)?)+"
    r"(?=\s*(?:=|≈|≅|~=))")
"""The left side of a worked calculation: "300/4", "1500 / 20 small squares", "8 small
squares × 40 ms", "400/√0.81", "0.40 / sqrt(0.80)" before "=" or "≈" and the result."""


def _mark_operands(lowered: str, values: list[Value]) -> None:
    """The numbers of a worked calculation are operands, not claims: in "300/4 = 75 bpm" or
    "QTc = 400/√0.81 = 444 ms" only the result says something about the ECG."""
    spans = [(m.start(), m.end()) for m in _EXPRESSION_RE.finditer(lowered)]
    if not spans:
        return
    for value in values:
        if any(start <= value.start < end for start, end in spans):
            value.operand = True
