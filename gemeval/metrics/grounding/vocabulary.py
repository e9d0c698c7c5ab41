"""The words claims are read from: quantity keywords, category words with a keyword
("prolonged PR"), named findings ("first-degree AV block"), and the feature and finding
words of coverage."""

from __future__ import annotations

import re

from gemeval.metrics.grounding.leads import LEAD_LOOKAHEAD
from gemeval.metrics.grounding.text import at_word_start, split_alternatives, tagged_alternatives

_LIST_NAME = r"(?:PR|QRS|QTc[BF]?|QT|RR|HR)"
_LIST_NAMES = rf"(?:\s*/\s*{_LIST_NAME}){{1,5}}\b"
"""The names of a slash list after its first: "PR/QRS/QTc 156/92/436 ms"."""

_AMPLITUDE_LOOKAHEAD = r"(?=\s*[:=]?\s*\d+(?:\.\d+)?\s*(?:mv|mV|mm|µV|μV|uV)\b)"
"""What follows a wave's letter written alone before its amplitude ("R 0.2 mV", "S: 11 mm")."""
_AXIS_DEGREE = r"(?:a\s+(?:little|bit|touch)|slightly|somewhat|mildly|markedly)"
"""How far an axis is said to lie to one side ("a little to the left")."""
_NUMBER_AHEAD = r"(?=\s*(?:[:=]|of|is|was)?\s*[~≈]?\s*(?:about\s+)?\.?\d)"
"""A number right after a keyword, after a colon or verb at most."""
_FORMULA_VALUE = r"(?=\s*(?:[:=]|gives|gave|yields|comes\s+to|is|of|at)?\s*[~≈]?\s*(?:about\s+)?\d)"
"""What follows a formula's name that is the keyword of a number: the number, after a
colon or a verb at most."""

# (quantity, pattern, lowered). "block" keywords are quantities gemeval does not check:
# they own the numbers after them, so those never become another quantity's claim. A
# quantity may have several patterns: each starts with a distinctive literal, which keeps
# the scan fast (an alternation whose first letters are common letters is tried at every
# such letter).
KEYWORD_PATTERNS: tuple[tuple[str, re.Pattern[str], bool], ...] = tuple(
    (quantity, re.compile(alternative), lowered)
    for quantity, pattern, lowered in (
        ("qt_qtc_pair", r"QT\s*/\s*QT[cC](?P<fx>[BF])?\b(?:\s+intervals?)?", False),
        ("interval_list", "|".join(name + _LIST_NAMES for name in ("PR", "QRS", "QTc", "QT", "RR", "HR")), False),
        ("sokolow_lyon_mv", r"sokolow(?:[- ]lyon)?(?:\s+(?:index|criteria|criterion|voltage|sum))?(?:\s*\((?![^)]*(?:[=≈]|\d\s*m[mv]\b))[^)]*\))?", True),
        # "SV1 + RV5", "S in V1 + R in V5", "S wave V1 plus R wave V6"
        ("sokolow_lyon_mv", r"S(?:[- ]?waves?)?\s?(?:in\s+)?V1(?:\s*(?:/|or)\s*V2)?\s*(?:\+|and|plus)\s*"
                            r"R(?:[- ]?waves?)?\s?(?:in\s+)?V[56](?:\s*(?:/|or)\s*(?:R\s?)?V6)?", False),
        # in words, as course notes write it: "the sum of the deepest S wave in V1 or V2 and the
        # tallest R wave in V5 or V6 is 35 mm or more"
        ("sokolow_lyon_mv", r"sum\s+of\s+(?:the\s+)?(?:(?:amplitudes?|heights?|depths?|voltages?)\s+of\s+)?(?:the\s+)?"
                            r"(?:deepest\s+|largest\s+)?s[- ]?(?:waves?\s+)?in\s+(?:leads?\s+)?v1(?:\s+or\s+v2)?\s*,?\s+"
                            r"(?:and|plus|\+)\s+(?:the\s+)?(?:(?:amplitudes?|heights?|voltages?)\s+of\s+)?(?:the\s+)?"
                            r"(?:tallest\s+|highest\s+|largest\s+)?r[- ]?(?:waves?\s+)?in\s+(?:leads?\s+)?v[56]"
                            r"(?:\s*(?:or|/)\s*v6)?", True),
        ("cornell_mv", r"cornell(?:\s+(?:voltage|index|criteria|criterion|sum))?(?:\s*\((?![^)]*(?:[=≈]|\d\s*m[mv]\b))[^)]*\))?", True),
        ("cornell_mv", r"R(?:[- ]?waves?)?\s?(?:in\s+)?aVL\s*(?:\+|plus)\s*S(?:[- ]?waves?)?\s?(?:in\s+)?V3", False),
        # in words: "the sum of R in aVL and S in V3", "adds R in aVL to S in V3"
        ("cornell_mv", r"(?:sum\s+of|adds?|adding)\s+(?:the\s+)?(?:(?:amplitudes?|heights?|voltages?)\s+of\s+)?"
                       r"(?:the\s+)?r[- ]?(?:waves?\s+)?in\s+(?:lead\s+)?avl\s*,?\s+(?:and|to|plus|\+)\s+(?:the\s+)?"
                       r"(?:(?:amplitudes?|depths?|voltages?)\s+of\s+)?(?:the\s+)?s[- ]?(?:waves?\s+)?in\s+(?:lead\s+)?v3",
         True),
        ("qtc_fridericia_ms", r"qtcf\b|qtc\s*\(\s*fridericia\s*\)|qtc\s+(?:by|using|per)\s+fridericia(?:'s)?(?:\s+formula)?", True),
        ("qtc_fridericia_ms", r"fridericia(?:-corrected)?\s+qtc?\b", True),
        ("qtc_fridericia_ms", r"fridericia(?:[- ]corrected)?\s+(?:value|figure|estimate)\b", True),
        ("qtc_ms", r"bazett(?:[- ]corrected)?\s+(?:value|figure|estimate)\b", True),
        ("qtc_ms", r"qtcb\b|qtc\s*\(\s*bazett\s*\)|qtc\s+(?:by|using|per)\s+bazett(?:'s)?(?:\s+formula)?"
                   r"|qt[- ]?c\b(?:\s+intervals?)?", True),
        ("qtc_ms", r"bazett(?:-corrected)?\s+qtc?\b", True),
        ("qtc_ms", r"corrected\s+qt(?:\s+intervals?)?|qt(?:\s+intervals?)?\s+corrected\b", True),
        # the formula's name as the keyword of the number after it: "by Bazett 462 ms",
        # "Fridericia: 436 ms", "Bazett gives 455 ms"
        ("qtc_fridericia_ms", r"fridericia(?:['’]s)?(?:\s+(?:formula|correction|method))?" + _FORMULA_VALUE, True),
        ("qtc_ms", r"bazett(?:['’]s)?(?:\s+(?:formula|correction|method))?" + _FORMULA_VALUE, True),
        ("qt_ms", r"QT\b(?:\s+intervals?)?(?!\s*/)", False),
        ("pr_ms", r"P-?R\b(?:\s+(?:intervals?|duration|time))?|PQ\b(?:\s+(?:intervals?|time))?", False),
        ("qrs_ms", r"QRS(?:[dD]\b|\s+(?:dur|DUR)\b\.?|\b(?!\s+axis)(?:[- ](?:duration|width|interval|complex(?:es)?))?)", False),
        ("rr_ms", r"R-?R\b(?:\s+intervals?)?", False),
        ("axis_deg", r"axis\b", True),
        ("hr_bpm", r"rate\b", True),
        ("hr_bpm", r"response\b(?<=ventricular response)", True),  # "AF with a ventricular response of 96"
        ("hr_bpm", r"pulse\b(?!\s+(?:waves?|oximetry|ox|generator|width|amplitude))", True),  # "your pulse is 88"
        ("hr_bpm", r"HR\b|VR\b", False),
        ("st_mv", r"ST(?:[- ]segments?)?(?:\s+(?:elevations?|elevated|depressions?|depressed|deviations?"
                  r"|levels?|shifts?|elev\.?|depr?\.?))?(?:\s+at\s+the\s+J[- ]?point)?(?![\w-])", False),
        ("st_mv", r"ST[ED](?![\w-])", False),
        ("st_mv", r"elevation\s+of\s+(?:the\s+)?st(?:[- ]segments?)?|depression\s+of\s+(?:the\s+)?st(?:[- ]segments?)?", True),
        ("r_mv", r"R[- ]?[Ww]aves?(?:\s+(?:amplitudes?|heights?|voltages?))?\b|R[- ]amplitudes?\b", False),
        # the letter alone before a lead ("R in V5", "SV1") or before its amplitude, as lead-by-lead
        # lists write it ("V1: R 0.2 mV, S 1.1 mV"): one scan for the letter
        ("r_mv", r"R(?:" + LEAD_LOOKAHEAD + "|" + _AMPLITUDE_LOOKAHEAD + ")", False),
        ("s_mv", r"S[- ]?[Ww]aves?(?:\s+(?:amplitudes?|depths?|voltages?))?\b|S[- ]amplitudes?\b", False),
        ("s_mv", r"S(?:" + LEAD_LOOKAHEAD + "|" + _AMPLITUDE_LOOKAHEAD + ")", False),
        ("t_wave", r"T[- ]?[Ww]aves?\b(?:\s+(?:inversions?|flattening|changes))?|T[- ](?:inversions?|flattening)\b"
                   r"|TWI\b|T[- ]negativity\b", False),
        ("t_wave", r"t[- ]?wave\s+(?:inversions?|flattening)\b|t[- ]inversions?\b", True),
        ("t_wave", r"T(?=\s+(?:negative|flat|flattened|biphasic|inverted|normal|abnormal|peaked|upright|positive"
                   r"|inversion|inv\b|changes|in\s+(?:leads?\s+)?(?:V[1-6]|aV[LRF]|I{1,3})\b))", False),
        ("t_wave", r"T(?<=[Aa]bnormal T)(?![\w&/'’-])", False),
        ("st_t", r"ST[- –]?T\b(?:[- ]waves?)?(?:[- ]segments?)?", False),
        ("st_t", r"st\s*(?:&|and|/)\s*t\b(?:[- ]waves?)?", True),
        # "the ST segment and T waves exhibit abnormalities", "ST segment and T wave changes"
        ("st_t", r"st[- ]segments?\s+(?:and|&)\s+(?:the\s+)?t[- ]?waves?\b(?:\s+morphology\b)?", True),
        ("st_t", r"repolari[sz]ation\s+(?:disturbances?|abnormalit(?:y|ies)|changes?|disorders?)", True),
        ("st_t", r"repol\.?\s+(?:disturbances?|abnormalit(?:y|ies)|changes?)", True),
        ("st_t", r"NSST[- ]?T(?:W|[- ]waves?)?\b(?:\s+(?:changes|abnormalit(?:y|ies)))?", False),
        ("st_t", r"nonspecific\s+ST[- –]?T\b(?:[- ]waves?)?(?:\s+(?:changes|abnormalit(?:y|ies)))?", False),
        ("st_mv", r"J[- ]?points?\b", False),
        ("st_mv", r"(?:minimal|slight|subtle|mild|marked|significant|horizontal|downsloping|upsloping)"
                  r"\s+(?:elevations?|depressions?)\b", True),
        # a reciprocal change named on its own ("Reciprocal depression: I -0.1 mV"); after an
        # ST keyword in its sentence it is that finding's turn (``ParsedText._mentions``)
        ("st_mv", r"reciprocal\s+(?:elevations?|depressions?)\b", True),
        # chat writes the abbreviations in lower case ("qrs narrow", "st depression in v5 v6",
        # "the t waves"); only these forms, never "st" or "t" alone (they are words and ordinals)
        ("qrs_ms", r"qrs\b(?!\s+axis)(?:[- ](?:duration|width|interval|complex(?:es)?))?", False),
        ("st_mv", "|".join(rf"st{sep}{word}\b" for sep in (" ", "-") for word in (
            r"segments?(?:\s+(?:elevations?|elevated|depressions?|depressed))?", r"elevations?", "elevated",
            r"depressions?", "depressed", "changes")), False),
        ("t_wave", r"t waves?\b|t-waves?\b", False),
        # "pr 160ms", "qt 380", "hr 88": the letters before their number ("pr" alone may be
        # another word's letters: only with a number after it)
        ("pr_ms", r"pr\b(?:\s+interval)?" + _NUMBER_AHEAD, False),
        ("qt_ms", r"qt\b(?!\s*/)(?:\s+interval)?" + _NUMBER_AHEAD, False),
        ("hr_bpm", r"hr\b(?<!\d hr)(?<!\dhr)" + _NUMBER_AHEAD, False),  # (not an hour: "1 hr 30 minutes")
        ("block", r"p waves?\b|p-waves?\b", False),
        # (shorthand: "Q in III", "Q V1-V2")
        ("q_wave", r"Q[- ]?[Ww]aves?\b|Q(?=\s+(?:in\s+)?(?:leads?\s+)?(?:V[1-6]|aV[LRF]|I{1,3})\b)", False),
        ("block", r"[PU][- ]?[Ww]aves?\b|[PT][- ][Aa]xis\b|QRS[- ](?:axis\s+)?(?:amplitudes?|voltages?)\b"
                  r"|P-?R\s+segments?\b|PP\b|R'|R/S\b|QS\b", False),
        # the P waves' own rate ("P waves (rate 88/min) march through", "a P-wave rate of 100") is
        # the atrial rate, not the heart's
        ("block", r"p[- ]?waves?\s*(?:\(\s*)?(?:rates?|frequency)\b", True),
        ("block", r"atrial\s+rates?\b|respiratory\s+rates?\b|sampling\s+rates?\b|paper\s+speed\b", True),
        ("block", r"flutter\s+waves?\b|fibrillatory\s+waves?\b|f[- ]waves?\b", True),
        ("block", r"cornell\s+product\b", True),
        ("block", r"sum\b(?=\s*(?:of\s+)?\d)", True),
    )
    for alternative in split_alternatives(pattern)
)
"""The keywords that claims hang on. Where two mentions start at the same place, the
longer wins (so "QRS amplitude" blocks "QRS"); capitals are required where the lower-case
word means something else ("ST", "PR", "R wave")."""

DIRECTION_RE, DIRECTIONS = tagged_alternatives((
    ("up", r"elevat"), ("down", r"depress"), ("iso", r"isoelectric"), ("iso", r"flat"),
    ("up", at_word_start(r"raised\b")), ("up", r"pushed\s+up"), ("down", r"pushed\s+down"),  # chat
    ("down", r"below\s+(?:the\s+)?(?:baseline|isoelectric)"), ("up", r"above\s+(?:the\s+)?(?:baseline|isoelectric)"),
    ("iso", at_word_start(r"at\s+(?:the\s+)?baseline\b")), ("iso", at_word_start(r"on\s+the\s+baseline\b")),
    ("normal", at_word_start(r"unremarkable")), ("normal", at_word_start(r"normal(?!ly)(?!\s+(?:variant|early|for))")),
    ("changed", at_word_start(r"changes?(?![a-z])")), ("changed", at_word_start(r"abnormal(?:ity|ities)?(?![a-z])")),
    ("changed", at_word_start(r"deviations?(?![a-z])")),
    ("up", r"↑"), ("down", r"↓"),  # shorthand: "ST ↑ V1-V4"
))
"""ST direction words (lowered), searched in the keyword's scope when the keyword has none;
``DIRECTIONS[match.lastgroup]`` is "up", "down", "iso", "normal" or "changed"."""
ST_DIRECTION_BEFORE_RE = re.compile(r"(?<![a-z])(?:(?P<up>elevated|raised)|(?P<down>depressed)|(?P<iso>isoelectric))\s+$")
"""A direction written before the ST keyword: "elevated ST segments in V1 and V2"."""

FORMULA_RE = re.compile(r"bazett|fridericia")

SCOPE_CHARS = 120
"""How far after a keyword its numbers and leads are looked for, at most (the scope also
ends at the sentence end and at the next keyword)."""

TIGHT_GAP_RE = re.compile(
    r"\s*[\"”'’]?\s*(?:interval|duration|width|axis|rate)?[\"”'’]?[\s*]*"
    # an explanation in parentheses: "your QTc (the heart-rate-corrected QT) is 418"
    r"(?:\((?!\s*(?:and|or|&|vs\.?|versus)\b)[^()\d]{3,100}\)\s*)?"
    # "your heart rate on this tracing is 58"
    r"(?:(?:on|in|from)\s+(?:this|the|your)\s+(?:tracing|ecg|ekg|strip|recording|report|printout|readout)\s+)?"
    r"(?:[:=@]|of|is|was|are|were|['’]s|at|from|measures|measured"
    r"|measuring|reads|(?:is|was|['’]s)\s+at|(?:came|comes|come)\s+(?:out|back|in)\s+(?:at|as)|(?:is|was)\s+calculated\s+at"
    # "it's sitting at 468", "the rate hovers around 58", "it's running at about 104"
    r"|(?:(?:is|was|['’]s)\s+)?(?:sitting|running|hovering|coming\s+in|sits|runs|hovers)\s+(?:at|around)"
    # a patient's story of the number: "was stuck between 475 and 480", "fell all the way down to 446"
    r"|(?:is|was)\s+stuck(?:\s+at)?|(?:went|gone|goes|go|fell|dropped|rose|climbed|came)\s+(?:all\s+the\s+way\s+)?"
    r"(?:back\s+)?(?:up|down)\s+to"
    r"|averaging|averages|averaged|(?:is|was)\s+averaging"
    # a decade: "rate in the 50s", "QTc is in the low 450s"
    # "the rate looks to be about 75", "seems to be in the 80s"
    r"|(?:looks|seems|appears|looked|seemed|appeared)\s+to\s+be(?=\s)"
    r"|(?:(?:is|was|['’]s|sits|runs|stays|(?:looks|seems|appears)\s+to\s+be)\s+)?in\s+the\s+"
    r"(?:(?:low|lower|mid|middle|high|upper)[- ]?)?)?"
    r"[\s*]*(?:(?:now|mostly|mainly|still|usually|typically|normally|generally|often"
    r"|probably|likely|maybe|perhaps|possibly|roughly)\s+)?"  # "the rate is maybe 80" (the hedge is read apart)
    r"(?:(?:over|above|under|below|between|at\s+least|(?:less|more|greater|higher|lower|faster|slower)\s+than"
    # casual: "a normal resting rate is anywhere from 60 to 100", "somewhere between 60 and 100"
    r"|(?:somewhere|anywhere)\s+(?:between|from|around))\s+)?"
    r"(?:(?:approximately|approx\.?|about|around|roughly|~|≈|ca\.?)\s*)?",
)

ST_QUALIFIERS = "mild|slight|minor|subtle|reciprocal|marked|horizontal|downsloping|upsloping|concave|convex"
"""Words that qualify an ST change before its direction ("1 mm of horizontal ST depression",
"...; reciprocal depression in II, III and aVF")."""
PRE_VALUE_GAP_RE = re.compile(rf"\s+(?:of\s+)?(?:(?:{ST_QUALIFIERS}|flat|planar|sagging|coved|new)\s+)*")
"""Between a number and the per-lead keyword it measures: "1 mm of horizontal ST depression"."""

KEYWORD_CATEGORIES: dict[str, dict[str, str]] = {
    "hr_bpm": {"fine": "normal", "normal": "normal", "fast": "fast", "rapid": "fast", "slow": "slow",
               "elevated": "fast", "accelerated": "fast",  # "the heart rate is elevated at 121 bpm"
               "high": "fast", "low": "slow"},  # "your heart rate is a bit low", "on the high side"
    "pr_ms": {"fine": "normal", "prolonged": "prolonged", "long": "prolonged", "lengthened": "prolonged",
              "prolongation": "prolonged", "short": "short", "shortened": "short",
              "normal": "normal", "borderline": "prolonged"},
    "qrs_ms": {"fine": "normal", "wide": "wide", "widened": "wide", "widening": "wide", "broad": "wide",
               "broadened": "wide", "prolonged": "wide", "prolongation": "wide",
               "narrow": "normal", "normal": "normal"},
    "qt_ms": {"fine": "normal", "prolonged": "prolonged", "long": "prolonged", "prolongation": "prolonged",
              "lengthened": "prolonged", "extended": "prolonged",  # a printout's "borderline extended QT interval"
              "normal": "normal", "borderline": "prolonged", "short": "short", "shortened": "short"},
    "axis_deg": {"fine": "normal", "normal": "normal", "leftward": "left", "rightward": "right", "left": "left",
                 "right": "right", "extreme": "extreme", "indeterminate": "extreme",
                 "northwest": "extreme"},
}
"""Category words written with a keyword, before it ("prolonged PR", "narrow QRS") or as
its predicate ("the QRS duration is wide", "PR prolongation", "QT within normal limits").
QT categories are claims about the corrected QT (``qtc_ms``), as in clinical use."""

KEYWORD_CATEGORIES["qtc_ms"] = KEYWORD_CATEGORIES["qtc_fridericia_ms"] = KEYWORD_CATEGORIES["qt_ms"]
for _words in KEYWORD_CATEGORIES.values():
    _words["wnl"] = "normal"  # "within normal limits", as clinicians abbreviate it
    _words["nl"] = "normal"  # "nl axis", "axis nl"

CATEGORY_WORDS: dict[str, tuple[str, ...]] = {q: tuple(words) for q, words in KEYWORD_CATEGORIES.items()}

QUALIFIER_WORDS: tuple[str, ...] = ("frontal", "qrs", "electrical", "mean", "plane", "heart", "ventricular")

_WITHIN_RANGE = (r"(?:within|inside|in|outside)\s+(?:the\s+|an?\s+)?(?:(?:middle|centre|center|heart)\s+of\s+the\s+)?"
                 r"(?:usual|typical|healthy|normal|expected|standard|acceptable)"
                 r"(?:\s+(?:(?:resting|adult|heart\s+rate)\s+){0,2}(?:normal\s+)?(?:limits|range|band|window|zone)"
                 # "that's within normal." (the word "normal" ending its clause)
                 r"|(?<=normal)(?=\s*(?:[.,;!?)]|[—–]|$)))")
"""A normal range written as chat answers write it: "within normal limits", "within the usual
resting range", "within a healthy range" (a word for normal is needed: "within the range of
100-120" is no category)."""
_RANGE_TAIL = _WITHIN_RANGE[len("(?:within|inside|in|outside)"):]
"""The words of ``_WITHIN_RANGE`` after "within"."""

_DEGREE = (r"(?:(?:just\s+|only\s+)?a\s+(?:bit|little|touch|tad)|(?:just\s+|only\s+|very\s+)?(?:slightly|mildly|somewhat|moderately"
           r"|markedly|significantly|severely|substantially|considerably|notably|minimally|extremely|grossly"
           r"|abnormally|definitely|very)|nice\s+and)")
"""How much, before a category word: "significantly prolonged", "just slightly long", "nice and
narrow"."""
PREDICATE_RE = re.compile(
    # (the lead a duration was read in may stand between: "the QRS duration in lead V1 is prolonged")
    r"(?:\s+in\s+(?:leads?\s+)?(?:v[1-6]|av[lrf]|i{1,3})(?![a-z\d])(?=\s+(?:is|was|appears|seems|looks)\s))?"
    r"(?:\s*,\s*(?:which|that)\s+|['’]s\s+|[\s*:|]+(?:(?:the\s+)?(?:intervals?|duration|width|complex(?:es)?)"
    r"(?:\s*\*\*\s*:|\s*:\s*\*\*|[\s*:])\s*)?)"
    r"(?:is\s+|are\s+|was\s+|were\s+|appears?\s+"
    r"|seems?\s+|looks?\s+|remains?\s+|may\s+be\s+|might\s+be\s+|could\s+be\s+|will\s+be\s+|would\s+be\s+"
    r"|(?:came|comes)\s+(?:in|out)\s+"  # "your QTc came in a little long"
    r"|should\s+be\s+|can\s+be\s+|(?=(?:isn|aren|wasn)['’]t)"
    # "the QRS does not appear to be wide" (the denial is the assertion reader's "does not")
    r"|(?:do|does|did)\s+not\s+(?:appear|seem|look)\s+|(?:don|doesn|didn)['’]t\s+(?:appear|seem|look)\s+)?"
    r"(?:to\s+be\s+)?"
    r"(?P<not>not\s+|(?:isn|aren|wasn)['’]t\s+)?"
    rf"(?:(?:{_DEGREE}|perfectly|clearly|entirely|quite|rather|probably|possibly|likely|borderline|generally"
    r"|comfortably|well|usually|typically|normally|often|always|still)\s+)?"  # "the QRS is usually wide"
    # "on the slow side" (not "on the high side of normal": a normal value)
    r"(?:on\s+the\s+(?=[a-z]+\s+side(?!\s+of\s+normal)))?"
    rf"[\"“‘']?(?P<word>[a-z]+)(?!(?<=high)[\-\s]+normal|(?<=low)[\-\s]+normal)(?P<wnl>{_RANGE_TAIL})?"
)  # (a rate "high-normal" is no fast rate)
VALUE_PREDICATE_RE = re.compile(
    r"[\"”’']?(?:\s+(?:at|in|on)\s+(?:the\s+)?(?:time|rest|baseline))?"
    r"(?:\s+in\s+(?:leads?\s+)?(?:v[1-6]|av[lrf]|i{1,3})(?:\s*(?:,|and)\s*(?:v[1-6]|av[lrf]|i{1,3}))*(?![a-z\d]))?"
    r"(?:\s*,?\s*(?:(?:which|that)\s+(?:is|seems|appears|looks|remains|would\s+be)\s+"
    r"(?:(?:considered|regarded\s+as|classed\s+as|called|termed)\s+)?|(?:is|are|was|seems|appears|looks)\s+"
    r"|(?:so|and)\s+(?:it['’]s|it\s+is|that['’]s|that\s+is)\s+(?:not\s+)?|so\s+|(?:that|it)['’]?s\s+|(?:that|it|this)\s+(?:is|was)\s+"
    r"|(?:is|are)\s+(?:(?:generally|usually|often|commonly)\s+)?(?:called|termed|considered|regarded\s+as|classed\s+as)\s+)"
    r"|\s*,?\s*(?:which|that)\s+means\s+(?:it['’]s|it\s+is)\s+"
    # a dash and a pronoun for the number: "52 - that's on the slow side"
    r"|\s*[-–—]+\s*(?:it|that|this)(?:['’]s|\s+is|\s+was|\s+seems|\s+looks)\s+"
    r"|\s*,\s*|\s+(?=normal|prolonged|within)|\s*\(\s*(?=(?:[a-z]+\s+){0,2}[a-z]+\s*(?:[);,]|$)|(?:[a-z]+\s+){1,2}[a-z]+\s*:)|\s+[-–—]+\s*|\s*\|\s*)"
    r"(?:not\s+(?:too\s+)?|too\s+)?"  # "which is not wide", "That is not too fast"
    rf"(?:(?:also|{_DEGREE}|borderline|perfectly|comfortably|still|clearly|entirely|quite|rather|well|generally"
    r"|right|squarely|firmly)\s+)?"  # "that's right in the healthy range"
    r"(?:on\s+the\s+|a\s+(?=normal\b))?"
    # ("low", "high": a rate's words only, ``KEYWORD_CATEGORIES``)
    rf"(?P<word>fine|normal|prolonged|long|short|wide|widened|narrow|fast|slow|rapid|borderline|wnl|low(?![\-\s]+normal)|high(?![\-\s]+normal)|{_WITHIN_RANGE}"
    # "just slightly below normal", "a little above the normal range" (not "below the normal limit of 450")
    r"|(?:above|below|over|under)\s+(?:the\s+)?normal(?:\s+range)?(?=\s*(?:[.,;!?)]|[—–]|$))"
    r"|(?:longer|wider|shorter|faster|slower|narrower)\s+than\s+(?:(?:the|is)\s+)?(?:usual|normal|typical|expected)"
    r"(?![\w\s]{0,12}(?:cut|limit|threshold|upper|lower|\d)))\b"
)
"""A category right after a number: "QTc 468 ms, which is prolonged", "the rate is 110 bpm,
which is a bit fast", "QRS 104 ms is normal", "a QRS of 184 ms is wider than usual"."""
COMPARATIVE_CATEGORY_WORDS = {"longer": "prolonged", "wider": "wide", "shorter": "short", "faster": "fast",
                              "slower": "slow", "narrower": "narrow"}
""""longer than usual" and the like, as the category word of ``KEYWORD_CATEGORIES`` they mean."""

_STATEMENT_START = r"(?:(?<=^st)|(?<=\nst)|(?<=[.;:] st))"
_RATE_STATEMENT = r"(?=\s+\d{2,3}(?:\s*(?:bpm|/min))?\s*(?:[,.;:)]|$)(?!\d))"
"""A rate that is the whole statement: "ST 112." (not "ST 2 mm")."""

_LABEL_VERB_BEFORE = "".join(f"|(?<={colon} {verb} {{word}})" for colon in (":", r":\*\*")
                             for verb in ("looks", "appears", "seems", "is"))
"""A label's verdict with its verb ("**Rhythm:** Looks regular"), for a lookbehind alternative."""
_DENIED_AXIS_DEVIATION = (r"(?:no|without|(?:not|[a-z]+n['’]t)\s+(?:[a-z]+\s+){0,3}?any)\s+(?:(?:significant|obvious|definite|clear|marked|frontal)\s+)?"
                          r"(?:qrs\s+)?axis\s+deviation\b")
_RATE_THEN = (r"\s+(?:is\s+|was\s+|of\s+)?(?:about\s+|around\s+|~\s*)?\d{2,3}"
              r"(?:\s*(?:bpm|/min|beats?\s+(?:per|a)\s+minute))?\s*(?:,\s*|\s+)(?:and\s+)?")
"""A rate's number and what may follow it before a word of its regularity ("rate is 64 and regular")."""
_NO_NOUN_AFTER = (r"(?![ \t]+(?!(?:and|or|but|with|without|at|in|on|throughout|today|now|too|as"
                  r"|though|although|which|so|to|from|while|when|all|overall|again|here|there|rhythm|heart)\b)[a-z])")
"""No noun after the word of regularity: "the rate is 72 and regular follow-up is advised" speaks
of visits, not of the rhythm ("... and regular at rest", "... and regular." do)."""
CATEGORICAL_PATTERNS: tuple[tuple[str, str, re.Pattern[str]], ...] = tuple(
    (quantity, category, re.compile(alternative))
    for quantity, category, pattern in (
        ("rhythm", "sinus", r"sinus\s+(?:rhythm|bradycardia|tachycardia|arrhythmia)\b"),
        ("rhythm", "atrial_fibrillation", r"atrial\s+fibrillation\b"),
        ("rhythm", "atrial_fibrillation", r"afib\b|af\b|a-fib\b"),
        ("rhythm", "regular", r"regular(?:\s+sinus)?\s+(?:rhythm|r-?r|ventricular|(?:narrow|wide|broad)[- ]complex)"),
        ("rhythm", "regular", r"rhythm(?:['’]s)?\s+(?:is\s+|was\s+|appears\s+|seems\s+|looks\s+)?(?:not\s+)?(?:to\s+be\s+)?"
                              r"(?:regular|regularly)\b"
                              r"|regular(?:ly)?\s+(?:sinus\s+)?(?:rhythm|rhythmic)\b|rhythmic\b"
                              r"|regular\s+heart\s*(?:beat|rhythm|rate)\b"),  # "a regular heartbeat" (felt "heartbeats" are symptoms)
        # a rate said to be regular or not: "your heart rate is 64 and regular", "pulse 90, irregular"
        # (one alternative per first word: each starts with its literal, which ``re`` skips ahead to)
        ("rhythm", "regular", "|".join(word + _RATE_THEN + r"regular\b" + _NO_NOUN_AFTER for word in ("rate", "pulse"))),
        ("rhythm", "irregular", "|".join(word + _RATE_THEN + r"irregular\b" + _NO_NOUN_AFTER for word in ("rate", "pulse"))),
        ("rhythm", "irregular", r"irregularly\s+irregular\b|irregular\s+(?:rhythm|r-?r|ventricular|(?:narrow|wide|broad)[- ]complex)"
                                r"|irregular\s+heart\s*(?:beat|rhythm|rate)\b"),
        ("rhythm", "irregular", r"rhythm(?:['’]s)?\s+(?:is\s+|was\s+|appears\s+|seems\s+|looks\s+)?(?:not\s+)?(?:to\s+be\s+)?"
                                r"(?:irregular|irregularly)\b"
                                r"|arrhythmic\b"),
        ("hr_bpm", "slow", r"bradycardi[ac]\b"),
        ("hr_bpm", "fast", r"tachycardi(?<!ventricular tachycardi)[ac]\b"),
        ("pr_ms", "prolonged", r"first[- ]degree\s+(?:av|atrioventricular|a-v)\s+(?:\((?:av|a-v)\)\s+)?block\b"),
        ("pr_ms", "prolonged", r"1st[- ]degree\s+(?:av|atrioventricular|a-v)\s+block\b|1avb\b|i-avb\b|(?:1st|first)[- ]degree\s+avb\b"),
        ("pr_ms", "prolonged", r"first[- ]degree\s+(?:heart\s+)?block\b|1st[- ]degree\s+(?:heart\s+)?block\b"
                               r"|(?:1°|i°)\s*(?:av|a-v)[- ]?block\b|(?:1°|i°)\s*avb\b"),
        ("pr_ms", "prolonged", r"av[- ]?block\s+(?:i\b|1\b|1st\b|first\b|i°|1°|grade\s+(?:i|1)\b|of\s+the\s+first\s+degree)"
                               r"|avb\s*(?:i|1)\b|av[- ]block\s+(?:°|degree)\s*(?:i|1)\b"),
        ("pr_ms", "prolonged", r"a-v\s+block\s+(?:i\b|1\b|1st\b|first\b|i°|1°)|atrioventricular\s+block\s+(?:i\b|1\b|1st\b|first\b|i°|1°)"),
        ("pr_ms", "prolonged", r"first[- ]degree\s+(?:av\s+|a-v\s+|atrioventricular\s+)?(?:conduction\s+)?delay\b"),
        # Complete bundle branch blocks have a QRS of 120 ms or more; the incomplete ones
        # do not (the lookbehinds sit after the literal so the scan stays fast).
        ("qrs_ms", "wide",
         r"bundle(?:(?<=right bundle)|(?<=left bundle))(?<!incomplete right bundle)"
         r"(?<!incomplete left bundle)\s+branch\s+blocks?\b"),
        ("qrs_ms", "wide", r"rbbb\b(?<!incomplete rbbb)|lbbb\b(?<!incomplete lbbb)"),
        ("qrs_ms", "wide", r"crbbb\b|clbbb\b"),
        ("qtc_ms", "prolonged", r"lqts?\b"),
        ("axis_deg", "left", r"left\s+axis\s+deviation\b|lad\b(?!\s+(?:artery|occlusion|territory|lesion|coronary))"),
        ("axis_deg", "left", r"left\s+axis\b(?!\s+deviation)|left[- ]deviated\s+axis\b|left\s+(?:qrs\s+)?axis\s+shift\b"
                             r"|(?:overturned|over-turned|overrotated|extreme|marked)\s+left[- ](?:type|axis)\b"),
        ("axis_deg", "right", r"right\s+axis\s+deviation\b|rad\b(?!\s*/)"),
        ("axis_deg", "right", r"right\s+axis\b(?!\s+deviation)|right[- ]deviated\s+axis\b"
                              r"|(?:overturned|over-turned|overrotated|extreme|marked)\s+right[- ](?:type|axis)\b"),
        ("axis_deg", "extreme", r"extreme\s+axis(?:\s+deviation)?\b|north[- ]?west\s+axis\b|indeterminate\s+axis\b"
                                r"|right\s+superior\s+axis(?:\s+deviation)?\b"),
        ("rhythm", "paced", r"paced\b|pacemaker\s+rhythm\b|pacing\s+spikes?\b|pacemaker\s+spikes?\b"
                            r"|electronic(?:ally)?\s+pac(?:ed|ing)\b"),
        ("rhythm", "junctional", r"junctional\s+(?:escape\s+)?(?:rhythm|bradycardia|tachycardia)\b|nodal\s+rhythm\b"),
        ("rhythm", "atrial_flutter", r"atrial\s+flutter\b|a-?flutter\b"),
        # "flutter with 2:1 block", "could this be flutter?": the rhythm named by its short name
        ("rhythm", "atrial_flutter", r"flutter(?<![a-z]atrial flutter)(?<![a-z]atrial-flutter)(?<=(?<![a-z/-])flutter)"
                                     r"(?![\s-]*(?:waves?|activity|rate|wavelets?)\b)"),
        # "no atrial fibrillation or flutter": the flutter of a pair named with AF (not PTB-XL's
        # "atrial fibrillation/flutter", one statement of either)
        ("rhythm", "atrial_flutter", r"(?:(?<=fibrillation or )|(?<=fibrillation and )|(?<=fibrillation nor )"
                                     r"|(?<=af or )|(?<=afib or )|(?<=af nor ))flutter\b"),
        ("rhythm", "paced", r"pacemaker\s+ecg\b|ventricular\s+stimulation\b|pacemaker\s+stimulation\b"),
        ("rhythm", "irregular", r"sinus\s+arrhythmia\b|irregular\s+heart\s*beats?\b"),
        # "your beats come at regular intervals", "the RR intervals are irregular", "the heart is
        # beating irregularly": the rhythm, said of the beats
        ("rhythm", "regular", r"(?:heart\s*beats?|beats|rhythm|heart|(?:qrs\s+)?complexes|r-?r\s+intervals?)(?:['’]s)?\s+"
                              r"(?:is\s+|are\s+|was\s+|were\s+|appears?\s+|seems?\s+|looks?\s+|comes?\s+at\s+"
                              r"|occurs?\s+at\s+|(?:(?:is|are|was|were)\s+)?beating\s+|(?:come|comes|came|occur|occurs)\s+(?=\w+ly\b))?"
                              r"(?:(?:perfectly|completely|fairly|quite|very|mostly)\s+)?(?:regular(?:ly)?|evenly\s+spaced)\b"),
        ("rhythm", "irregular", r"(?:heart\s*beats?|beats|rhythm|heart|(?:qrs\s+)?complexes|r-?r\s+intervals?)(?:['’]s)?\s+"
                                r"(?:is\s+|are\s+|was\s+|were\s+|appears?\s+|seems?\s+|looks?\s+|comes?\s+at\s+"
                                r"|occurs?\s+at\s+|(?:(?:is|are|was|were)\s+)?beating\s+)?"
                                r"(?:(?:a\s+bit|slightly|somewhat|quite|very|completely|totally|mildly)\s+)?irregular(?:ly)?\b"),
        # "Rate 58/min, regular", "74 bpm, perfectly regular", "regular and sinus": regular
        # as an item of its own in a list about the rhythm.
        ("rhythm", "regular", r"regular(?:(?<=[,;:] regular)|(?<=[,;:] perfectly regular)|(?<=[,;:] completely regular)"
                              r"|(?<=[,;:] nice and regular)|(?<=^regular)|(?<=\. regular)|(?<=\nregular)"
                              r"|(?<=:\*\* regular)|(?<=:\* regular)" + _LABEL_VERB_BEFORE.format(word="regular")
                              + r")(?=\s*(?:[.;,)\n]|$)|\s+and\s+sinus\b)"),
        ("rhythm", "irregular", r"irregular(?:(?<=[,;:] irregular)|(?<=:\*\* irregular)"
                                + _LABEL_VERB_BEFORE.format(word="irregular") + r")(?=\s*(?:[.;,)\n]|$))"),
        # "widening of the QRS complex", "prolongation of the PR interval", "prolongation of PR
        # interval" (textbook wording)
        ("qrs_ms", "wide", r"(?:widening|broadening|prolongation)\s+of\s+(?:the\s+)?qrs\b"),
        # "narrow complex tachycardia", "a broad-complex rhythm": the QRS named by its width
        ("qrs_ms", "wide", r"(?:wide|broad)[- ]complex(?:es)?\b"),
        ("qrs_ms", "normal", r"narrow[- ]complex(?:es)?\b"),
        ("pr_ms", "prolonged", r"(?:prolongation|lengthening)\s+of\s+(?:the\s+)?(?:pr|pq)\b"),
        ("qtc_ms", "prolonged", r"(?:prolongation|lengthening)\s+of\s+(?:the\s+)?qtc?\b"),
        # the verbs: "hypocalcaemia prolongs the QT", "digoxin shortens the QT" (not "... broadens the QRS
        # to 124 ms": a QRS so widened need not be called wide)
        ("qtc_ms", "prolonged", r"(?:prolongs|lengthens)\s+(?:the\s+)?qtc?\b"),
        ("qtc_ms", "short", r"shortens\s+(?:the\s+)?qtc?\b"),
        ("pr_ms", "prolonged", r"(?:prolongs|lengthens)\s+(?:the\s+)?(?:pr|pq)\b"),
        ("hr_bpm", "fast", r"rapid\s+ventricular\s+(?:response|rate)\b|fast\s+ventricular\s+(?:response|rate)\b"),
        ("hr_bpm", "slow", r"slow\s+ventricular\s+(?:response|rate)\b"),
        ("hr_bpm", "normal", r"normal\s+sinus\s+rhythm\b|normal\s+ventricular\s+response\b"),
        ("intervals", "normal", r"intervals\s+(?:are\s+|were\s+|appear\s+|look\s+)?(?:all\s+)?"
                                r"(?:within\s+(?:the\s+)?normal\s+(?:limits|range)|normal|unremarkable|wnl|nl)\b"
                                r"|(?:normal|nl)\s+intervals\b"),
        ("pr_ms", "prolonged", r"av(?<!second-degree av)(?<!second degree av)(?<!third-degree av)(?<!third degree av)(?<!2nd degree av)(?<!3rd degree av)(?<!2nd-degree av)(?<!3rd-degree av)(?<!complete av)(?<!2:1 av)(?<!high-grade av)(?<!high grade av)(?<!advanced av)\s+block\b(?!\s+(?:ii|2|iii|3|second|third|high|complete|mobitz|2nd|3rd))"
                               r"|a-v\s+block\b(?!\s+(?:ii|2|iii|3|second|third|high|complete|mobitz|2nd|3rd))"),
        ("qrs_ms", "wide", r"bundle(?<!incomplete bundle)(?<!incomplete right bundle)(?<!incomplete left bundle)"
                           r"\s+branch\s+blocks?\b|bbb\b"),
        ("axis_deg", "normal", r"(?:left|steep|intermediate|vertical|horizontal|normal|indifferent)\s+type\b"),
        ("axis_deg", "normal", r"(?:intermediate|vertical|horizontal)\s+(?:electrical\s+|qrs\s+)?axis\b"),
        ("axis_deg", "right", r"right\s+type\b"),
        ("axis_deg", "left", r"(?:overdriven|over-driven)\s+left\s+type\b"),
        ("axis_deg", "right", r"(?:overdriven|over-driven)\s+right\s+type\b"),
        ("axis_deg", "left", r"left\s+or\s+right\s+axis\s+deviation\b"),
        ("axis_deg", "right", r"left\s+or\s+right\s+axis\s+deviation\b"),
        # "no axis deviation", "I don't see any axis deviation": denied to either side (a
        # deviation named without a side and not denied says nothing the vocabulary holds)
        ("axis_deg", "left", _DENIED_AXIS_DEVIATION),
        ("axis_deg", "right", _DENIED_AXIS_DEVIATION),
        ("voltage", "lvh", r"left\s+(?:or|and|/)\s+right\s+ventricular\s+hypertrophy\b"),  # "no left or right ..."
        ("rhythm", "sinus", r"sinus(?=\s+(?:at|with|of|rate)\b|\s*[,.;:)|]|[ \t*]*(?:\n|$))|sinusrhythm(?:us)?\b|nsr\b"),
        # Clinician shorthand: "SR 76", "SB 52", "sinus brady", "ST 112" (sinus
        # tachycardia only as a statement of its own with a rate: never "ST elevation").
        ("rhythm", "sinus", r"sr\b(?![-/])|sb\b(?![-/])|sinus\s+(?:brady|tachy|tach)\b"),
        ("hr_bpm", "slow", r"sb\b(?![-/])|sinus\s+brady\b"),
        ("hr_bpm", "normal", r"nsr\b|rate[- ]controlled\b|controlled\s+(?:(?:ventricular\s+)?(?:rate|response)|vr)\b"),
        # the predicate: "the ventricular response is controlled", "the rate is well controlled"
        # (not a time to come: "repeat the ECG once the rate is controlled")
        ("hr_bpm", "normal", r"(?<!once the )(?<!when the )(?<!until the )(?<!after the )(?<!before the )(?<!if the )"
                             r"(?:ventricular\s+)?(?:rate|response)\s+(?:is|was|appears|seems|looks|remains)\s+"
                             r"(?:(?:now|well|adequately|reasonably|fairly)\s+)?controlled\b"),
        ("hr_bpm", "fast", r"sinus\s+tachy\b|sinus\s+tach\b|rvr\b"),
        ("rhythm", "sinus", r"st" + _STATEMENT_START + _RATE_STATEMENT),
        ("hr_bpm", "fast", r"st" + _STATEMENT_START + _RATE_STATEMENT),
        ("pr_ms", "prolonged", r"(?:1st|first)\s+deg\.?\s+(?:av\s+block|avb|a-v\s+block|heart\s+block)\b"),
        ("hr_bpm", "normal", r"neither\s+(?:too\s+)?(?:fast|slow|tachycardic|bradycardic)\s+nor\s+(?:too\s+)?"
                             r"(?:fast|slow|tachycardic|bradycardic)\b"
                             r"|normofrequent\b|normocardi[ac]\b|normal\s+(?:heart\s+|ventricular\s+)?rate\b"
                             # "it wasn't too slow or too fast"
                             r"|(?:not|(?:is|was|are|were)n['’]?t)\s+too\s+(?:fast|slow)\s+or\s+too\s+(?:fast|slow)\b"),
        ("conduction", "lafb", r"left\s+anterior\s+(?:fascicular\s+block|hemi-?block|fascicular\s+hemiblock)\b|lafb\b|lahb\b"
                               r"|left\s+anterior\s+fascicle\s+block\b"),
        ("conduction", "lpfb", r"left\s+posterior\s+(?:fascicular\s+block|hemi-?block|fascicular\s+hemiblock)\b|lpfb\b|lphb\b"),
        ("voltage", "lvh", r"left\s+ventricular\s+hypertrophy\b|lvh\b|left\s+ventricular\s+enlargement\b"
                           r"|lv\s+hypertrophy\b"),
        ("rhythm", "irregular", r"absolute\s+arrhythmia\b|(?:ventricular\s+)?response\s+is\s+irregular\b"),
        ("hr_bpm", "fast", r"tachyarrhythmi(?:a|c)\b"),
        ("rhythm", "paced", r"(?:ventricular|atrial|dual[- ]chamber|sequential)\s+pacing\b|demand\s+pacemaker\b"),
        ("pr_ms", "prolonged", r"heart(?<!second-degree heart)(?<!second degree heart)(?<!third-degree heart)(?<!third degree heart)(?<!2nd degree heart)(?<!3rd degree heart)(?<!complete heart)(?<!2:1 heart)(?<!high-grade heart)(?<!high grade heart)(?<!advanced heart)\s+block\b(?!\s+(?:ii|2|iii|3|second|third|high|complete|mobitz|2nd|3rd))"),
        ("voltage", "low", r"low\s+(?:qrs\s+)?voltages?\b|low[- ]voltage\b|reduced\s+(?:qrs\s+)?voltages?\b"
                            r"|low\s+(?:limb|precordial|chest|peripheral)(?:[- ]leads?)?\s+voltages?\b"),
        # PTB-XL's own reports are German: the cart and clinician statements of its native files
        ("rhythm", "sinus", r"sinus(?:tachykardie|bradykardie|arrhythmie)\b"),
        ("hr_bpm", "fast", r"sinustachykardie\b|tachykardes\s+vorhofflimmern\b"),
        ("hr_bpm", "slow", r"sinusbradykardie\b"),
        ("rhythm", "irregular", r"sinusarrhythmie\b|absolute\s+arrhythmie\b"),
        ("rhythm", "atrial_fibrillation", r"vorhofflimmern\b"),
        ("rhythm", "atrial_flutter", r"vorhofflattern\b"),
        ("axis_deg", "normal", r"(?<!berdrehter )(?:links|steil|indifferenz|normal|horizontal)typ\b"),
        ("axis_deg", "right", r"(?<!berdrehter )rechtstyp\b"),
        ("axis_deg", "left", r"(?:ü|ue)berdrehter\s+linkstyp\b"),
        ("axis_deg", "right", r"(?:ü|ue)berdrehter\s+rechtstyp\b"),
        ("voltage", "low", r"niedervoltage\b|niederspannung\b"),
        ("axis_deg", "normal", r"lagetyp\s+normal\b|normaler\s+lagetyp\b"),
        ("qrs_ms", "wide", r"(?<!inkompletter )(?<!unvollständiger )(?<!unvollstaendiger )(?:links|rechts)schenkelblock\b"),
        ("voltage", "lvh", r"linksherzhypertrophie\b|linksventrikul(?:ä|ae)re\s+hypertrophie\b"),
        ("axis_deg", "left", r"axis\s+(?:is\s+)?deviated\s+to\s+the\s+left\b"),
        ("axis_deg", "right", r"axis\s+(?:is\s+)?deviated\s+to\s+the\s+right\b"),
        ("axis_deg", "left", r"axis\s+(?:is\s+|may\s+be\s+|might\s+be\s+|appears\s+(?:to\s+be\s+)?|seems\s+(?:to\s+be\s+)?)?"
                             r"(?:" + _AXIS_DEGREE + r"\s+)?(?:(?:shifted|deviated|rotated|points|pointing|lies|shifts|moves|swings|deviates"
                             r"|(?:can|may|might|will|tends?\s+to)\s+(?:shift|move|swing|deviate))\s+)?"
                             r"(?:" + _AXIS_DEGREE + r"\s+)?(?:to\s+the\s+)?left(?:ward)?\b"),
        ("axis_deg", "right", r"axis\s+(?:is\s+|may\s+be\s+|might\s+be\s+|appears\s+(?:to\s+be\s+)?|seems\s+(?:to\s+be\s+)?)?"
                             r"(?:" + _AXIS_DEGREE + r"\s+)?(?:(?:shifted|deviated|rotated|points|pointing|lies|shifts|moves|swings|deviates"
                             r"|(?:can|may|might|will|tends?\s+to)\s+(?:shift|move|swing|deviate))\s+)?"
                             r"(?:" + _AXIS_DEGREE + r"\s+)?(?:to\s+the\s+)?right(?:ward)?\b"),
    )
    for alternative in split_alternatives(pattern)
)
"""Categorical claims named by a finding (lowered): (quantity, category, pattern). A
negation earlier in the clause negates the claim."""

FEATURE_PATTERNS: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern)
    for name, pattern in (
        ("rhythm", r"rhythm\b|sinus\b|atrial\s+(?:fibrillation|flutter)\b|af\b|a-?fib\b|junctional\b"
                   r"|paced\b|irregularly\s+irregular\b"),
        ("rate", r"rate\b|bpm\b|beats\s+per\s+minute\b|bradycardi|tachycardi|hr\b"),
        ("pr", r"p-?r\b|pq\b|av\s+block\b|atrioventricular\s+block\b"),
        ("qrs", r"qrs\b|bundle\s+branch\s+block\b|[ci]?[rl]bbb\b"),
        ("qt", r"qtc?\b|qt[- ]?c\b|corrected\s+qt\b"),
        ("axis", r"axis\b"),
        ("st", r"st\b|st[- ]segments?\b|stemi\b"),
    )
}
"""The key features of an interpretation (lowered patterns); a text addresses a feature
when it mentions it, with a number or a category."""

FEATURES: tuple[str, ...] = tuple(FEATURE_PATTERNS)

FINDING_WORDS_RE = re.compile(
    r"st\b|[pqrstu][- ]?waves?\b|qrs\b|r'|qs\b|rsr|qr\b|rs\b|elevat|depress|invert|inversion"
    r"|upright|flat|biphasic|notch|slur|tall|deep|amplitude|voltage|normal|morpholog|pattern"
    r"|progression|isoelectric|concordant|discordant|unremarkable|mv\b|mm\b"
)
"""Words that make a sentence naming a lead a finding about that lead (lowered)."""

PAIR_VALUES_RE = re.compile(
    r"[\s*]*(?:of|is|are|was|were|measures?|measured|measuring|:|=|[-–—](?=\s))?[\s*]*"
    # a verdict before the pair in parentheses: "QT/QTc intervals appear prolonged (400 msec/570 msec)"
    r"(?:(?:(?:appears?|seems?|looks?)\s+(?:to\s+be\s+)?)?(?P<verdict>normal|prolonged|long|short)\s*\(\s*)?"
    r"(?:(?:~|≈|approximately|approx\.?|about|around|roughly|ca\.?)\s*)?"
    r"(?P<a>\d+(?:\.\d+)?|\.\d+)\s*(?:ms|msecs?|milliseconds?)?\s*/\s*"
    r"(?:(?:~|≈|approximately|approx\.?|about|around|roughly|ca\.?)\s*)?(?P<b>\d+(?:\.\d+)?|\.\d+)\s*(?P<unit>milliseconds?|msecs?|ms|seconds?|s)?(?![a-z])"
)

LIST_VALUES_RE = re.compile(
    r"[\s*]*(?:of|is|are|was|were|measures?|measured|measuring|:|=|[-–—](?=\s))?[\s*]*(?P<values>(?:\d+(?:\.\d+)?|\.\d+)(?:\s*/\s*(?:\d+(?:\.\d+)?|\.\d+)){1,5})"
    r"\s*(?P<unit>milliseconds?|msecs?|ms|seconds?|s)?(?![a-z\d])"
)
"""The numbers of a slash list ("156/92/436 ms"), one per name, in order."""
LIST_QUANTITIES: dict[str, tuple[str, str | None]] = {
    "pr": ("pr_ms", None), "qrs": ("qrs_ms", None), "qt": ("qt_ms", None), "qtc": ("qtc_ms", None),
    "qtcb": ("qtc_ms", "bazett"), "qtcf": ("qtc_fridericia_ms", "fridericia"), "rr": ("rr_ms", None),
    "hr": ("hr_bpm", None),
}
"""The quantity (and QTc formula) each name of a slash list stands for."""

_RECIPROCAL_CHANGES = r"reciprocal\s+(?:st[- ]segment\s+|st[- ]t\s+|st\s+)?changes?\b"
OPPOSITE_ST_RE = {
    "elevated": re.compile(at_word_start(r"reciprocal\s+(?:st[- ]segment\s+|st\s+)?depress(?:ion|ions|ed)\b", r"\w")
                           + "|" + at_word_start(_RECIPROCAL_CHANGES, r"\w")
                           + "|" + at_word_start(r"depress(?:ion|ions|ed)\b", r"\w")),
    "depressed": re.compile(at_word_start(r"reciprocal\s+(?:st[- ]segment\s+|st\s+)?elevat(?:ion|ions|ed)\b", r"\w")
                            + "|" + at_word_start(_RECIPROCAL_CHANGES, r"\w")
                            + "|" + at_word_start(r"elevat(?:ion|ions|ed)\b", r"\w")),
}
ST_AFTER_NORMAL_RE = re.compile(
    at_word_start(r"elevat(?:ion|ions|ed)\b", r"\w") + "|" + at_word_start(r"depress(?:ion|ions|ed)\b", r"\w"))
"""The opposite direction in an ST mention's scope ("with reciprocal depression", "with
reciprocal changes in I and aVL": the opposite of the finding's own). ``ST_AFTER_NORMAL_RE``:
a direction in the clause after a normal ST's ("isoelectric in the limb leads but slightly
elevated in V2")."""


T_WAVE_WORDS_RE, T_WAVE_WORDS = tagged_alternatives((
    ("inverted", at_word_start(r"invert")), ("inverted", at_word_start(r"inversion")),
    ("inverted", at_word_start(r"negativ")), ("inverted", at_word_start(r"inv\b")), ("inverted", at_word_start(r"deeply\s+negative")),
    ("inverted", at_word_start(r"upside[\s-]+down")), ("inverted", at_word_start(r"flipped")),  # chat: "flipped upside down"
    ("inverted", at_word_start(r"dips?\b")),  # chat: "a T-wave dip in V5", "the T waves dip below the line"
    ("flat", r"flatten"), ("flat", at_word_start(r"flat\b")), ("flat", at_word_start(r"low[- ]amplitude\b")),
    ("peaked", at_word_start(r"peaked")), ("peaked", at_word_start(r"hyperacute")),
    ("peaked", at_word_start(r"tall")), ("peaked", at_word_start(r"tented")),
    ("biphasic", r"biphasic"),
    ("normal", at_word_start(r"upright\b")), ("normal", at_word_start(
        # not "normal in adults", "normal for age"; "normal in V2-V6", "normal in the other leads" name leads
        r"normal(?!\s+(?:variant|for|in(?!\s+(?:morphology|appearance|shape|configuration|contour|leads?\b|v[1-6]"
        r"|av[lrf]|i{1,3}\b|(?:the\s+)?(?:[a-z\-]+\s+){0,2}leads?\b))))\b")),
    ("normal", at_word_start(r"positive\b")), ("normal", at_word_start(r"concordant\b")),
    ("changed", at_word_start(r"abnormal(?:ity|ities)?(?![a-z])")), ("changed", at_word_start(r"changes?(?![a-z])")),
))
"""T-wave category words (lowered), read after a T-wave keyword: each starts a part of the
scope with its own leads ("T waves upright in V2-V6 and inverted in III").
``T_WAVE_WORDS[match.lastgroup]`` is the category."""
T_WAVE_BEFORE: dict[str, str] = {
    "abnormal": "changed", "inverted": "inverted", "negative": "inverted", "flat": "flat", "flattened": "flat",
    "peaked": "peaked", "tall": "peaked", "hyperacute": "peaked", "tented": "peaked",
    "biphasic": "biphasic", "upright": "normal", "normal": "normal", "positive": "normal", "flipped": "inverted",
    "low-amplitude": "flat", "low amplitude": "flat",
    # a finding's noun and a preposition: "a dip in the T wave", "inversion of the T waves"
    "dip in the": "inverted", "dips in the": "inverted", "dip in": "inverted", "dips in": "inverted",
    "inversion of the": "inverted", "inversion of": "inverted", "flattening of the": "flat", "flattening of": "flat",
}
"""T-wave category words written before the keyword ("inverted T waves")."""
T_WAVE_KEYWORD: dict[str, str] = {"inversion": "inverted", "inversions": "inverted", "flattening": "flat",
                                  "changes": "changed",
                                  "twi": "inverted", "negativity": "inverted"}
Q_WAVE_BEFORE: dict[str, str | None] = {
    "pathological": "pathological", "pathologic": "pathological", "significant": "pathological",
    "deep": "pathological", "wide": "pathological", "broad": "pathological", "abnormal": "pathological",
    "new": "pathological", "infarct": "pathological", "small": None, "septal": None,
    "physiological": None, "physiologic": None, "normal": None, "tiny": None, "narrow": None,
}
"""Words before "Q waves": a pathological Q wave, or a normal one (None: no claim). A Q
wave named with leads and no such word is taken as pathological."""
Q_WAVE_NORMAL_AFTER_RE = re.compile("|".join(at_word_start(word) for word in (
    "small", "septal", "physiologic", "normal", "narrow", "tiny", r"non-?pathologic", r"not\s+pathologic",
    "benign", "insignificant", r"non-?significant", r"not\s+significant")))
BOTH_RE = re.compile(
    r"(?:\s*,\s*|\s+(?:are|were)\s+|\s+)both\s+(?:of\s+(?:them|these|those)\s+)?"
    r"(?:(?:are|were|look|looks|seem|appear|fall|lie|sit)\s+)?(?:(?:well|comfortably|safely)\s+)?(?P<word>"
    + _WITHIN_RANGE + r"|normal|fine"
    r"|prolonged|short)\b")
ALL_RE = re.compile(
    r"all(?<![a-z]all)\s+(?:of\s+(?:which|them|these|those)\s+)?(?:(?:are|were|appear|look|seem)\s+)?(?:also\s+)?"
    r"(?:(?:perfectly|entirely|completely|comfortably|well)\s+)?"
    r"(?P<word>" + _WITHIN_RANGE + r"|normal|fine|unremarkable|wnl)\b")
"""A category said of every quantity listed before it: "PR 160 ms, QRS 90 ms, QTc 420 ms:
all normal", "the PR (180 ms), QRS (96 ms) and QTc (430 ms) are all within normal limits"."""
NAMED_INTERVALS_RE = re.compile(r"(?<![a-z])(?P<names>(?:(?:pr|pq|qrs|qtc|qt)\s*(?:,\s*(?:and\s+)?|and|&|/)?\s*)+)$")
"""The intervals named before "intervals are normal": "the PR and QRS intervals"."""
"""A category said of two quantities at once: "the QRS is 92 ms and the axis +70°, both
normal", "the PR and QRS are both normal"."""
