"""Grounding verification: every number a text claims about an ECG, checked against the signal.

A model that writes fluent text with wrong numbers must score low, so the text is read for
*claims* and each claim is compared with the truth of the record: the exact construction
values of a synthetic ECG ("synthetic-truth"), the machine measurements shipped with a real
record ("machine-measurements"), or gemeval's own measurement of the signal
("gemeval-measure"). The keys of the truth are those of ``gemeval.ecg.values``.

What is extracted (``extract_claims``)
--------------------------------------
Numeric claims, each a keyword followed in the same sentence by a number with a unit:

================== ============================================== ===========================
quantity           keywords                                       units (-> canonical)
================== ============================================== ===========================
hr_bpm             heart/ventricular rate, rate, HR; or any       bpm, beats per minute,
                   number in bpm not claimed by another keyword   /min (-> bpm)
rr_ms              RR, R-R interval                               ms, s (-> ms)
pr_ms              PR, P-R, PQ interval                           ms, s
qrs_ms             QRS, QRS duration/width                        ms, s
qt_ms              QT                                             ms, s
qtc_ms             QTc, QTcB, corrected QT, "QTc (Bazett)"        ms, s
qtc_fridericia_ms  QTcF, "QTc (Fridericia)"                       ms, s
axis_deg           (frontal/QRS/electrical) axis                  degrees, deg, ° (-> deg)
st_mv              ST, ST segment, ST elevation/depression        mV, mm, µV (-> mV at
                                                                  10 mm/mV)
r_mv, s_mv         R wave, S wave, "R in V5"                      mV, mm, µV
sokolow_lyon_mv    Sokolow-Lyon, "SV1 + RV5"                      mV, mm, µV
cornell_mv         Cornell voltage, "RaVL + SV3"                  mV, mm, µV
================== ============================================== ===========================

* A number without a unit counts only right after its keyword ("HR 72", "PR: 160",
  "axis -30"); intervals below 3 are then read as seconds.
* "~", "approximately", "about" mark a claim as approximate; it is checked the same way.
* Ranges ("PR 180-200 ms", "160 to 180 ms") are claims that the value lies in the range;
  comparisons ("QRS >= 120 ms", "at least 120 ms", "below 60 bpm") are one-sided bounds;
  a bound after a first value of the same keyword is a second claim ("QRS 140 ms (at least
  120 ms)"). A parenthesised conversion right after a value ("0.2 mV (2 mm)") is the same
  claim, not a second one.
* ST values are signed: "ST depression of 1 mm in V5" is st_mv = -0.1 in V5; an explicit
  sign wins; without sign or direction the value is taken as positive. S waves are
  negative amplitudes (``gemeval.ecg.values``), so an S depth of 1.5 mV is s_mv = -1.5.
* Per-lead claims are made once per lead: "ST elevation of 2 mm in leads II, III and aVF"
  is three claims. Leads are taken after the keyword, else before it in the sentence,
  else from a lead heading that opens the sentence ("Lead V5: R wave 2.6 mV, ..."). With
  several values and leads in one phrase, a value goes with the lead list right before it
  when it is written as "V2 (0.3 mV)" or "V2: 0.3 mV", else with the list after it
  ("0.3 mV in V2"), else with the nearest list before it. Territory names ("inferior
  leads") stay one claim about the territory (see ``TERRITORIES``).
* Not claims: numbers without a quantity keyword (ages, dates, "12-lead"), lead names
  ("V1"), paper speed and gain ("25 mm/s", "10 mm/mV"), and numbers after keywords that
  gemeval does not check (P wave, T wave, Q wave, atrial rate, PR segment, P/T axis, R',
  QRS voltage), which also end the scope of the keyword before them. A keyword's scope
  ends at the next keyword, the sentence end or ``SCOPE_CHARS`` after it.

Categorical claims, in words: sinus rhythm, atrial fibrillation, regular / irregular
rhythm; bradycardia, tachycardia, normal rate; prolonged / short / normal PR (first-degree
AV block implies a prolonged PR); wide / normal QRS (complete bundle branch block implies
a wide QRS); prolonged / normal QT(c), about the corrected QT; normal axis, left / right
axis deviation; ST elevation / depression / isoelectric / normal ST, per lead, per
territory, or without a lead ("no ST elevation" is a claim about every lead). Category
words are read with their keyword ("prolonged PR", "the QRS duration is wide", "QT
prolongation") or as named findings ("first-degree AV block"). A negation in the same
clause ("no", "not", "without", "absence of", ...) makes the claim negated.

How claims are checked (``verify_claims``)
------------------------------------------
Each claim gets "verified", "contradicted" or "unverifiable" with a reason:

* numeric: the truth must lie in the claimed value or range widened by the tolerance of
  ``Tolerances`` (``max(absolute, relative x |truth|)``); a bound must hold up to the
  tolerance. Axis differences wrap around 360 degrees. A QTc without a formula is verified
  when it matches Bazett or Fridericia (reports use both). A range wider than
  ``MAX_RANGE_TOLERANCES`` tolerances says too little to check: unverifiable.
* categorical: the truth must lie in the category's band (``CATEGORY_BANDS``); within the
  tolerance's ``margin`` of a band edge the claim is unverifiable (indeterminate zone), and
  so is a QTc between the female and male thresholds. A negated claim is verified exactly
  when the plain claim would be contradicted, and the reverse.
* per territory (or any lead, when no lead is named) the truth is the extreme in the
  claim's direction: the largest ST for an elevation, the smallest for a depression,
  the largest |ST| for an isoelectric ST, the largest R, the deepest S; a "normal" ST
  holds when no lead is elevated or depressed.
* unverifiable: no truth for that quantity or lead, truth NaN, indeterminate zone, no lead
  named for a per-lead number, or a range too wide.

Scores (``grounding_scores``)
-----------------------------
claim_precision = verified / (verified + contradicted); contradiction_rate = contradicted /
checkable, where a claim is checkable when the truth has a value for it (decided claims
plus those in an indeterminate zone or too vague to decide). Coverage and diagnosis F1 are
described in ``grounding_scores``.
"""

from __future__ import annotations

import dataclasses

import bisect
import math
import re
import string
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from typing import Any, Iterable, Sequence

import numpy as np

from gemeval.ecg.record import LEADS
from gemeval.metrics.stats import DEFAULT_RESAMPLES, Estimate, bootstrap, percentile_ci
from gemeval.scoring import aggregate_means, metric_entry

# ---------------------------------------------------------------------------------------
# Quantities, tolerances and categories
# ---------------------------------------------------------------------------------------

NUMERIC_QUANTITIES: dict[str, str] = {
    "hr_bpm": "time_rate", "rr_ms": "time", "pr_ms": "time", "qrs_ms": "time",
    "qt_ms": "time", "qtc_ms": "time", "qtc_fridericia_ms": "time", "axis_deg": "angle",
    "st_mv": "amplitude", "r_mv": "amplitude", "s_mv": "amplitude",
    "sokolow_lyon_mv": "amplitude", "cornell_mv": "amplitude",
}
"""Numeric quantities a claim can be about, with the unit family their numbers must have."""
PER_LEAD_QUANTITIES: tuple[str, ...] = ("st_mv", "r_mv", "s_mv")
QUANTITIES: tuple[str, ...] = tuple(NUMERIC_QUANTITIES) + ("rhythm",)

STATUSES: tuple[str, ...] = ("verified", "contradicted", "unverifiable")

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


@dataclass(frozen=True)
class Tolerances:
    """How far a claim may be from the truth and still count as verified.

    ``absolute[q]`` and ``relative[q]`` give the band of a numeric claim about ``q``:
    ``max(absolute, relative x |truth|)``. ``margin[q]`` is the half-width of the
    indeterminate zone around each edge of a category band (``CATEGORY_BANDS``).
    """

    name: str
    absolute: dict[str, float]
    relative: dict[str, float]
    margin: dict[str, float]

    def band(self, quantity: str, truth: float) -> float:
        return max(self.absolute[quantity], self.relative.get(quantity, 0.0) * abs(truth))


EXACT_TRUTH_TOLERANCES = Tolerances(
    name="exact-truth",
    # What a reader of a 25 mm/s, 10 mm/mV page can resolve: half a small box is 20 ms
    # and 0.05 mV. Rate is hard-verifiable from the RR intervals: 5 bpm or 5 %.
    # QT/QTc get 30 ms because the T end is a gradual return to baseline that careful
    # readers place up to a small box apart; the axis 15 degrees because it is judged
    # from the net QRS of six limb leads (30 degree steps) by most readers.
    absolute={
        "hr_bpm": 5.0, "rr_ms": 40.0, "pr_ms": 20.0, "qrs_ms": 20.0, "qt_ms": 30.0,
        "qtc_ms": 30.0, "qtc_fridericia_ms": 30.0, "axis_deg": 15.0, "st_mv": 0.05,
        "r_mv": 0.05, "s_mv": 0.05, "sokolow_lyon_mv": 0.1, "cornell_mv": 0.1,
    },
    # Amplitudes scale with the lead; a tall R is read to about 5 % of its height.
    relative={"hr_bpm": 0.05, "rr_ms": 0.05, "r_mv": 0.05, "s_mv": 0.05,
              "sokolow_lyon_mv": 0.05, "cornell_mv": 0.05},
    # Categories: the truth is exact, so the zone only absorbs the convention of the
    # threshold itself (> 200 or >= 200 ms, a rounded reading right at the line).
    margin={"hr_bpm": 2.0, "pr_ms": 10.0, "qrs_ms": 10.0, "qtc_ms": 10.0,
            "axis_deg": 5.0, "st_mv": 0.02},
)
"""Bands for exact synthetic truth."""

MEASURED_TOLERANCES = Tolerances(
    name="measured",
    # A measurement has its own error (gemeval's measure targets MAE <= 2 bpm, PR <= 15,
    # QRS <= 12, QT <= 20 ms, axis <= 10 degrees on noisy synthetic records; machine
    # measurements differ by similar amounts between vendors), added to the reading error.
    absolute={
        "hr_bpm": 6.0, "rr_ms": 60.0, "pr_ms": 30.0, "qrs_ms": 30.0, "qt_ms": 45.0,
        "qtc_ms": 45.0, "qtc_fridericia_ms": 45.0, "axis_deg": 25.0, "st_mv": 0.08,
        "r_mv": 0.1, "s_mv": 0.1, "sokolow_lyon_mv": 0.2, "cornell_mv": 0.2,
    },
    relative={"hr_bpm": 0.06, "rr_ms": 0.06, "r_mv": 0.1, "s_mv": 0.1,
              "sokolow_lyon_mv": 0.1, "cornell_mv": 0.1},
    margin={"hr_bpm": 3.0, "pr_ms": 20.0, "qrs_ms": 20.0, "qtc_ms": 20.0,
            "axis_deg": 10.0, "st_mv": 0.05},
)
"""Bands for measured truth (machine measurements or gemeval's own measurement)."""

DEFAULT_TOLERANCES = EXACT_TRUTH_TOLERANCES
EXACT_TRUTH_SOURCES: frozenset[str] = frozenset({"synthetic-truth"})


def tolerances_for(truth_source: str | None) -> Tolerances:
    """Exact bands for synthetic truth; the wider measured bands for anything else,
    including an unknown source (a measurement is never more exact than the construction)."""
    return EXACT_TRUTH_TOLERANCES if truth_source in EXACT_TRUTH_SOURCES else MEASURED_TOLERANCES


MAX_RANGE_TOLERANCES = 3.0
"""A range wider than this many tolerances (e.g. PR 120-200 ms, 80 > 3 x 20) says too
little about this record to be checked: it is unverifiable, neither right nor wrong."""

INF = math.inf


@dataclass(frozen=True)
class Band:
    """Where a category holds: from ``low`` to ``high`` (inclusive), in the quantity's unit.

    An edge can be a pair ``(a, b)``: between a and b the category is undecided by
    definition (QTc between the male 450 ms and female 460 ms limits). Around every edge
    the tolerance's ``margin`` adds an indeterminate zone.
    """

    low: tuple[float, float]
    high: tuple[float, float]

    def decide(self, truth: float, margin: float) -> bool | None:
        """True inside the band (by more than the margin), False outside it (by more than
        the margin), None in an indeterminate zone."""
        if truth > self.low[1] + margin and truth < self.high[0] - margin:
            return True
        if truth < self.low[0] - margin or truth > self.high[1] + margin:
            return False
        return None


def _edge(value: float) -> tuple[float, float]:
    return (value, value)


CATEGORY_BANDS: dict[tuple[str, str], Band] = {
    # Rate: bradycardia below 60, tachycardia above 100 bpm (AHA/ACC/HRS 2009).
    ("hr_bpm", "slow"): Band(_edge(-INF), _edge(60.0)),
    ("hr_bpm", "fast"): Band(_edge(100.0), _edge(INF)),
    ("hr_bpm", "normal"): Band(_edge(60.0), _edge(100.0)),
    # PR: first-degree AV block above 200 ms; pre-excitation range below 120 ms.
    ("pr_ms", "prolonged"): Band(_edge(200.0), _edge(INF)),
    ("pr_ms", "short"): Band(_edge(-INF), _edge(120.0)),
    ("pr_ms", "normal"): Band(_edge(120.0), _edge(200.0)),
    # QRS: complete bundle branch block and other wide complexes from 120 ms.
    ("qrs_ms", "wide"): Band(_edge(120.0), _edge(INF)),
    ("qrs_ms", "normal"): Band(_edge(-INF), _edge(120.0)),
    # QTc: prolonged above 450 ms in men and 460 ms in women (AHA/ACC/HRS 2009); the
    # text rarely says which, so 450-460 ms is undecided. Categorical QT claims ("long
    # QT", "QT prolongation") are about the corrected QT, as in clinical use.
    ("qtc_ms", "prolonged"): Band((450.0, 460.0), _edge(INF)),
    ("qtc_ms", "normal"): Band(_edge(-INF), (450.0, 460.0)),
    # Frontal axis: normal -30 to +90, left axis deviation -30 to -90, right axis
    # deviation +90 to +180 (the north-west quadrant, -90 to -180, is handled apart).
    ("axis_deg", "normal"): Band(_edge(-30.0), _edge(90.0)),
    ("axis_deg", "left"): Band(_edge(-90.0), _edge(-30.0)),
    ("axis_deg", "right"): Band(_edge(90.0), _edge(180.0)),
    # ST at J+60 ms: elevation from 0.1 mV (one small box, the smallest limit of the
    # STEMI criteria), depression from 0.05 mV (the guideline's ischaemic depression);
    # isoelectric within 0.05 mV of baseline.
    ("st_mv", "elevated"): Band(_edge(0.1), _edge(INF)),
    ("st_mv", "depressed"): Band(_edge(-INF), _edge(-0.05)),
    ("st_mv", "isoelectric"): Band(_edge(-INF), _edge(0.05)),  # checked on |ST|
}
"""The clinical categories of categorical claims, with the threshold of each. A "normal"
ST (also "unremarkable") is neither elevated nor depressed by the bands above."""
"""The clinical categories of categorical claims, with the threshold of each."""

RHYTHM_KINDS: dict[str, str] = {
    "sinus": "sinus", "sinus_bradycardia": "sinus", "sinus_tachycardia": "sinus",
    "atrial_fibrillation": "atrial_fibrillation",
}
"""Truth ``rhythm`` values a rhythm claim can be checked against (the synthesiser's and the
measurement's names); others ("irregular", "undetermined") leave it unverifiable."""

NORTHWEST_AXIS_DEG = -90.0
"""Axes below -90 degrees are "extreme" (north-west): called left or right deviation by
different readers, so those claims are unverifiable there, and "normal axis" is wrong."""


# ---------------------------------------------------------------------------------------
# Claims
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """One statement of a text about one value of the ECG.

    Attributes:
        quantity: one of ``QUANTITIES``.
        value: canonical unit (ms, bpm, deg, mV); the midpoint of a range, the limit of a
            bound; None for a categorical claim.
        low, high: the claimed interval (``low == high == value`` for a plain number;
            -inf/inf on the open side of a bound); None for a categorical claim.
        category: for categorical claims, e.g. "prolonged", "elevated", "sinus".
        negated: the text denies the category ("no ST elevation").
        lead: a lead of ``LEADS``, a ``TERRITORIES`` name, or None (global quantity, or a
            per-lead claim about no named lead).
        span: (start, end) character offsets of ``phrase`` in the text.
        phrase: the text the claim was read from.
        approximate: written with "~", "approximately", ...
        comparator: "<", "<=", ">", ">=", "range" or None.
        formula: "bazett" or "fridericia" for QTc when the text says which.
    """

    quantity: str
    value: float | None
    low: float | None
    high: float | None
    lead: str | None
    span: tuple[int, int]
    phrase: str
    category: str | None = None
    negated: bool = False
    approximate: bool = False
    comparator: str | None = None
    formula: str | None = None

    @property
    def kind(self) -> str:
        return "categorical" if self.category is not None else "numeric"

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("low", "high"):
            if out[key] is not None and math.isinf(out[key]):
                out[key] = None
        out["span"] = list(self.span)
        return out


@dataclass(frozen=True)
class ClaimVerdict:
    """A claim checked against the truth.

    ``truth`` is the value it was compared with (None when there is none); ``checkable``
    is True when the truth had a value for the claim, whatever the status.
    """

    claim: Claim
    status: str
    truth: float | str | bool | None
    checkable: bool
    reason: str

    def to_dict(self) -> dict[str, Any]:
        claim = self.claim
        out = {
            "quantity": claim.quantity, "lead": claim.lead, "value": claim.value,
            "low": claim.low, "high": claim.high, "category": claim.category,
            "negated": claim.negated, "comparator": claim.comparator,
            "phrase": claim.phrase, "span": list(claim.span), "status": self.status,
            "truth": self.truth, "reason": self.reason,
        }
        for key in ("low", "high"):
            if out[key] is not None and math.isinf(out[key]):
                out[key] = None
        if isinstance(out["truth"], float) and not math.isfinite(out["truth"]):
            out["truth"] = None
        return out


# ---------------------------------------------------------------------------------------
# The patterns, compiled once
#
# Speed: every pattern starts with a literal (never with \b or a lookbehind), so ``re``
# skips ahead to candidate characters instead of trying every position (50x faster on
# these texts); where a match must start a word, ``_starts_word`` checks it. Patterns
# marked "lowered" are written in lower case and run on an ASCII-lowered copy of the text
# (same offsets), which is faster than re.IGNORECASE.
# ---------------------------------------------------------------------------------------

_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")
_UNIT = (
    r"milliseconds?|msecs?|ms|seconds?|secs?|s"
    r"|beats?\s*(?:per|/)\s*min(?:ute)?|bpm|b/min|/\s*min(?:ute)?|per\s+minute"
    r"|millivolts?|microvolts?|mv|[µμu]v|mm(?!\s*/\s*(?:s|sec|mv))"
    r"|degrees?|degs?|°|º"
)
VALUE_TAIL_RE = re.compile(
    rf"(?:\s*(?P<unit1>{_UNIT})(?![a-z]))?"
    rf"(?:\s*(?:-|–|—|to)\s*(?P<num2>[+\-−]?\d+(?:\.\d+)?))?"
    rf"(?:\s*(?P<unit>{_UNIT})(?![a-z]))?"
)
"""What may follow a number (lowered text): its unit, the end of a range, the range's unit."""
_UNIT_TABLE: tuple[tuple[re.Pattern[str], str, float], ...] = tuple(
    (re.compile(pattern), family, factor)
    for pattern, family, factor in (
        (r"milliseconds?|msecs?|ms", "time", 1.0),
        (r"seconds?|secs?|s", "time", 1000.0),
        (r"beats?\s*(?:per|/)\s*min(?:ute)?|bpm|b/min|/\s*min(?:ute)?|per\s+minute", "rate", 1.0),
        (r"millivolts?|mv", "amplitude", 1.0),
        (r"microvolts?|[µμu]v", "amplitude", 0.001),
        (r"mm", "amplitude", 0.1),
        (r"degrees?|degs?|°|º", "angle", 1.0),
    )
)
# Words right before a number, read backwards from it (lowered text).
_APPROX_WORDS: tuple[str, ...] = (
    "~", "≈", "approximately", "approx.", "approx", "about", "around", "roughly", "nearly",
    "almost", "circa", "ca.",
)
_COMPARATORS: dict[str, str] = {
    "<=": "<=", "≤": "<=", ">=": ">=", "≥": ">=", "<": "<", ">": ">", "less than": "<",
    "under": "<", "below": "<", "shorter than": "<", "greater than": ">", "more than": ">",
    "longer than": ">", "over": ">", "above": ">", "exceeding": ">", "at least": ">=",
    "no less than": ">=", "at most": "<=", "up to": "<=", "no more than": "<=",
    "a maximum of": "<=", "maximum of": "<=", "maximum": "<=", "max.": "<=", "max": "<=",
}
_COMPARATOR_WORDS: tuple[str, ...] = tuple(sorted(_COMPARATORS, key=len, reverse=True))

_LEAD_TOKEN_RE = re.compile(r"(?:V[1-6]|aV[RLF]|AV[RLF]|avr|avl|avf|III|II|I)(?![\w'’])")
_LEAD_SEP_RE = re.compile(r"\s*(?:,\s*(?:and\s+|&\s*)?|and|&|/)?\s*", re.IGNORECASE)
_LEAD_RANGE_RE = re.compile(r"\s*(?:-|–|—|to|through|thru)\s*", re.IGNORECASE)
_TERRITORY = (
    r"high[- ]lateral|inferolateral|inferior|anteroseptal|anterolateral|anterior|septal"
    r"|lateral|right[- ]precordial|left[- ]precordial|precordial|chest|limb"
)
_LEADS_WORD_RE = re.compile(r"leads\b")
TERRITORY_BEFORE_RE = re.compile(rf"(?P<names>(?:{_TERRITORY})(?:\s*(?:,|and|&|/)\s*(?:{_TERRITORY}))*)\s+$")
"""Territory names (lowered) right before the word "leads": "inferior leads", "anterior
and lateral leads". Found from "leads" backwards, which is rare, so the scan is cheap."""
_TERRITORY_NAME_RE = re.compile(_TERRITORY)
_NOT_LEAD_WORDS: tuple[str, ...] = ("type", "class", "mobitz", "grade", "stage", "phase", "degree", "level")
_LEAD_LOOKAHEAD = r"(?=\s*(?:in\s+)?(?:leads?\s+)?(?:V[1-6]|aV[LRF]|I{1,3})(?![\w'’]))"

# (quantity, pattern, lowered). "block" keywords are quantities gemeval does not check:
# they own the numbers after them, so those never become another quantity's claim. A
# quantity may have several patterns: each starts with a distinctive literal, which keeps
# the scan fast (an alternation whose first letters are common letters is tried at every
# such letter).
KEYWORD_PATTERNS: tuple[tuple[str, re.Pattern[str], bool], ...] = tuple(
    (quantity, re.compile(pattern), lowered)
    for quantity, pattern, lowered in (
        ("qt_qtc_pair", r"QT\s*/\s*QTc(?P<fx>[BF])?\b(?:\s+intervals?)?", False),
        ("sokolow_lyon_mv", r"sokolow(?:[- ]lyon)?(?:\s+(?:index|criteria|criterion|voltage|sum))?(?:\s*\([^)]*\))?", True),
        ("sokolow_lyon_mv", r"S\s?V1\s*\+\s*R\s?V[56](?:\s*(?:/|or)\s*(?:R\s?)?V6)?", False),
        ("cornell_mv", r"cornell(?:\s+(?:voltage|index|criteria|criterion|sum))?(?:\s*\([^)]*\))?", True),
        ("cornell_mv", r"R\s?aVL\s*\+\s*S\s?V3", False),
        ("qtc_fridericia_ms", r"qtcf\b|qtc\s*\(\s*fridericia\s*\)|qtc\s+(?:by|using|per)\s+fridericia(?:'s)?(?:\s+formula)?", True),
        ("qtc_fridericia_ms", r"fridericia(?:-corrected)?\s+qtc?\b", True),
        ("qtc_ms", r"qtcb\b|qtc\s*\(\s*bazett\s*\)|qtc\s+(?:by|using|per)\s+bazett(?:'s)?(?:\s+formula)?"
                   r"|qt[- ]?c\b(?:\s+intervals?)?", True),
        ("qtc_ms", r"bazett(?:-corrected)?\s+qtc?\b", True),
        ("qtc_ms", r"corrected\s+qt(?:\s+intervals?)?", True),
        ("qt_ms", r"QT\b(?:\s+intervals?)?(?!\s*/)", False),
        ("pr_ms", r"P-?R\b(?:\s+(?:intervals?|duration))?|PQ\b(?:\s+intervals?)?", False),
        ("qrs_ms", r"QRS\b(?!\s+axis)(?:[- ](?:duration|width|interval|complex(?:es)?))?", False),
        ("rr_ms", r"R-?R\b(?:\s+intervals?)?", False),
        ("axis_deg", r"axis\b", True),
        ("hr_bpm", r"rate\b", True),
        ("hr_bpm", r"HR\b|VR\b", False),
        ("st_mv", r"ST(?:[- ]segments?)?(?:\s+(?:elevations?|elevated|depressions?|depressed|deviations?"
                  r"|levels?|shifts?))?(?![\w-])", False),
        ("st_mv", r"elevation\s+of\s+the\s+st(?:[- ]segments?)?|depression\s+of\s+the\s+st(?:[- ]segments?)?", True),
        ("r_mv", r"R[- ]?[Ww]aves?(?:\s+(?:amplitudes?|heights?|voltages?))?\b|R[- ]amplitudes?\b", False),
        ("r_mv", r"R" + _LEAD_LOOKAHEAD, False),
        ("s_mv", r"S[- ]?[Ww]aves?(?:\s+(?:amplitudes?|depths?|voltages?))?\b|S[- ]amplitudes?\b", False),
        ("s_mv", r"S" + _LEAD_LOOKAHEAD, False),
        ("block", r"[PTQU][- ]?[Ww]aves?\b|[PT][- ]axis\b|QRS[- ](?:axis\s+)?(?:amplitudes?|voltages?)\b"
                  r"|P-?R\s+segments?\b|PP\b|R'|R/S\b|J[- ]?(?:point|\+)|ST-T\b", False),
        ("block", r"atrial\s+rates?\b|respiratory\s+rates?\b|sampling\s+rates?\b|paper\s+speed\b", True),
        ("block", r"cornell\s+product\b", True),
    )
)
"""The keywords that claims hang on. Where two mentions start at the same place, the
longer wins (so "QRS amplitude" blocks "QRS"); capitals are required where the lower-case
word means something else ("ST", "PR", "R wave")."""

_DIRECTION_RE = re.compile(r"(?P<up>elevat)|(?P<down>depress)|(?P<iso>isoelectric|flat)|(?P<normal>unremarkable|normal)")
"""ST direction words (lowered), searched in the keyword's scope when the keyword has none."""
_FORMULA_RE = re.compile(r"bazett|fridericia")
_NEGATION_RE = re.compile(
    r"no\b|not\b|without\b|absence\s+of\b|absent\b|negative\s+for\b|free\s+of\b|rules?\s+out\b"
    r"|ruled\s+out\b|neither\b|nor\b|lack\s+of\b|lacks\b"
)
_CLAUSE_BREAK_RE = re.compile(r"[,:()]|but\b|however\b|although\b|though\b|whereas\b|while\b|with\b|which\b|except\b")
NEGATION_WINDOW_CHARS = 40
"""How far before a claim a negation is looked for (within its clause)."""
SCOPE_CHARS = 120
"""How far after a keyword its numbers and leads are looked for, at most (the scope also
ends at the sentence end and at the next keyword)."""
_SENTENCE_END_CHAR_RE = re.compile(r"[.;!?\n]")
_NOT_SENTENCE_END_BEFORE: tuple[str, ...] = ("approx", " ca", "vs", "e.g", "i.e", "max", "dr")
"""A point after these is an abbreviation's, not a sentence end; nor is a decimal point."""
_TIGHT_GAP_RE = re.compile(
    r"\s*(?:interval|duration|width|axis|rate)?\s*(?:[:=]|of|is|was|at)?\s*",
)
_HEADING_BEFORE_RE = re.compile(r"[\W_]*(?:in\s+)?(?:leads?\s+)?")
_HEADING_AFTER_RE = re.compile(r"\s*[:,\-–]")
_ATTACHED_BEFORE_RE = re.compile(r"\s*(?:\(|:|=)?\s*(?:of|by|at|is|was|measuring|measures)?\s*")
_PRE_VALUE_GAP_RE = re.compile(r"\s+(?:of\s+)?")
_CONVERSION_GAP_RE = re.compile(r"\s*\(\s*")

KEYWORD_CATEGORIES: dict[str, dict[str, str]] = {
    "hr_bpm": {"normal": "normal"},
    "pr_ms": {"prolonged": "prolonged", "long": "prolonged", "lengthened": "prolonged",
              "prolongation": "prolonged", "short": "short", "shortened": "short",
              "normal": "normal"},
    "qrs_ms": {"wide": "wide", "widened": "wide", "broad": "wide", "prolonged": "wide",
               "narrow": "normal", "normal": "normal"},
    "qt_ms": {"prolonged": "prolonged", "long": "prolonged", "prolongation": "prolonged",
              "normal": "normal"},
    "axis_deg": {"normal": "normal", "leftward": "left", "rightward": "right"},
}
"""Category words written with a keyword, before it ("prolonged PR", "narrow QRS") or as
its predicate ("the QRS duration is wide", "PR prolongation", "QT within normal limits").
QT categories are claims about the corrected QT (``qtc_ms``), as in clinical use."""
KEYWORD_CATEGORIES["qtc_ms"] = KEYWORD_CATEGORIES["qtc_fridericia_ms"] = KEYWORD_CATEGORIES["qt_ms"]
_CATEGORY_WORDS: dict[str, tuple[str, ...]] = {q: tuple(words) for q, words in KEYWORD_CATEGORIES.items()}
_QUALIFIER_WORDS: tuple[str, ...] = ("frontal", "qrs", "electrical", "mean", "plane", "heart", "ventricular")
_PREDICATE_RE = re.compile(
    r"\s+(?:intervals?\s+|duration\s+|complex(?:es)?\s+)?(?:is\s+|are\s+|was\s+|were\s+|appears\s+"
    r"|seems\s+)?(?P<not>not\s+)?(?P<word>[a-z]+)(?P<wnl>\s+normal\s+limits)?"
)

CATEGORICAL_PATTERNS: tuple[tuple[str, str, re.Pattern[str]], ...] = tuple(
    (quantity, category, re.compile(pattern))
    for quantity, category, pattern in (
        ("rhythm", "sinus", r"sinus\s+(?:rhythm|bradycardia|tachycardia|arrhythmia)\b"),
        ("rhythm", "atrial_fibrillation", r"atrial\s+fibrillation\b"),
        ("rhythm", "atrial_fibrillation", r"afib\b|af\b|a-fib\b"),
        ("rhythm", "regular", r"regular(?:\s+sinus)?\s+(?:rhythm|r-?r|ventricular)"),
        ("rhythm", "regular", r"rhythm\s+is\s+regular\b"),
        ("rhythm", "irregular", r"irregularly\s+irregular\b|irregular\s+(?:rhythm|r-?r|ventricular)"),
        ("rhythm", "irregular", r"rhythm\s+is\s+irregular\b"),
        ("hr_bpm", "slow", r"bradycardi[ac]\b"),
        ("hr_bpm", "fast", r"tachycardi[ac]\b"),
        ("pr_ms", "prolonged", r"first[- ]degree\s+(?:av|atrioventricular|a-v)\s+block\b"),
        ("pr_ms", "prolonged", r"1st[- ]degree\s+(?:av|atrioventricular|a-v)\s+block\b|1avb\b|i-avb\b"),
        # Complete bundle branch blocks have a QRS of 120 ms or more; the incomplete ones
        # do not (the lookbehinds sit after the literal so the scan stays fast).
        ("qrs_ms", "wide",
         r"bundle(?:(?<=right bundle)|(?<=left bundle))(?<!incomplete right bundle)"
         r"(?<!incomplete left bundle)\s+branch\s+block\b"),
        ("qrs_ms", "wide", r"rbbb\b|lbbb\b"),
        ("qrs_ms", "wide", r"crbbb\b|clbbb\b"),
        ("qtc_ms", "prolonged", r"lqts?\b"),
        ("axis_deg", "left", r"left\s+axis\s+deviation\b|lad\b(?!\s+(?:artery|occlusion|territory|lesion))"),
        ("axis_deg", "right", r"right\s+axis\s+deviation\b|rad\b"),
        ("axis_deg", "left", r"axis\s+(?:is\s+)?deviated\s+to\s+the\s+left\b"),
        ("axis_deg", "right", r"axis\s+(?:is\s+)?deviated\s+to\s+the\s+right\b"),
    )
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

_FINDING_WORDS_RE = re.compile(
    r"st\b|[pqrstu][- ]?waves?\b|qrs\b|r'|qs\b|rsr|qr\b|rs\b|elevat|depress|invert|inversion"
    r"|upright|flat|biphasic|notch|slur|tall|deep|amplitude|voltage|normal|morpholog|pattern"
    r"|progression|isoelectric|concordant|discordant|unremarkable|mv\b|mm\b"
)
"""Words that make a sentence naming a lead a finding about that lead (lowered)."""


# ---------------------------------------------------------------------------------------
# Extraction
# ---------------------------------------------------------------------------------------


@dataclass
class _Value:
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


@dataclass
class _LeadGroup:
    start: int
    end: int
    leads: tuple[str, ...]  # lead names, or one territory name
    territory: bool = False
    used: bool = False


@dataclass
class _Mention:
    quantity: str
    start: int
    end: int
    match: re.Match[str]
    scope_end: int = 0
    pre_value: _Value | None = None


def _starts_word(text: str, pos: int) -> bool:
    return pos == 0 or not (text[pos - 1].isalnum() or text[pos - 1] in "_'’")


def _word_matches(pattern: re.Pattern[str], text: str) -> Iterable[re.Match[str]]:
    return (m for m in pattern.finditer(text) if m.end() > m.start() and _starts_word(text, m.start()))


def _canonical_lead(token: str) -> str:
    upper = token.upper()
    return {"AVR": "aVR", "AVL": "aVL", "AVF": "aVF"}.get(upper, upper)


@lru_cache(maxsize=256)
def _unit_of(unit: str | None) -> tuple[str | None, float]:
    if not unit:
        return None, 1.0
    for pattern, family, factor in _UNIT_TABLE:
        if pattern.fullmatch(unit.strip()):
            return family, factor
    return None, 1.0


def _word_before(lowered: str, end: int, words: tuple[str, ...]) -> tuple[str, int] | None:
    """The word of ``words`` that ends ``lowered[:end]`` (spaces ignored), whole, and where
    it starts."""
    window_start = max(0, end - 32)
    head_end = window_start + len(lowered[window_start:end].rstrip())
    if not lowered.endswith(words, max(0, head_end - 16), head_end):
        return None
    for word in words:
        if lowered.endswith(word, 0, head_end):
            start = head_end - len(word)
            if not word[0].isalpha() or _starts_word(lowered, start):
                return word, start
    return None


class _Parsed:
    """A text read once: sentence ends, numbers, lead lists and keyword mentions, in order."""

    def __init__(self, text: str):
        self.text = text
        self.lowered = text.translate(_ASCII_LOWER)
        self.sentence_ends = self._sentence_ends()
        self.values = self._values()
        self.value_starts = [v.start for v in self.values]
        self.groups = self._lead_groups()
        self.group_starts = [g.start for g in self.groups]
        self.negation_cues = [m.start() for m in _word_matches(_NEGATION_RE, self.lowered)]
        self.clause_breaks = [m.end() for m in _CLAUSE_BREAK_RE.finditer(self.lowered)
                              if not m.group()[0].isalpha() or _starts_word(self.lowered, m.start())]
        self._headings: dict[int, _LeadGroup | None] = {}
        self.mentions = self._mentions()

    # -- sentences ------------------------------------------------------------------------
    def _sentence_ends(self) -> list[int]:
        ends = []
        text, lowered = self.text, self.lowered
        for m in _SENTENCE_END_CHAR_RE.finditer(text):
            i = m.start()
            if text[i] == "." and ((i + 1 < len(text) and text[i + 1].isdigit())
                                   or lowered.endswith(_NOT_SENTENCE_END_BEFORE, max(0, i - 6), i)):
                continue
            ends.append(i)
        return ends

    def sentence_start(self, pos: int) -> int:
        i = bisect.bisect_left(self.sentence_ends, pos)
        return self.sentence_ends[i - 1] + 1 if i else 0

    def sentence_end(self, pos: int) -> int:
        i = bisect.bisect_left(self.sentence_ends, pos)
        return self.sentence_ends[i] if i < len(self.sentence_ends) else len(self.text)

    # -- numbers --------------------------------------------------------------------------
    def _values(self) -> list[_Value]:
        text, lowered = self.text, self.lowered
        values: list[_Value] = []
        for m in _NUMBER_RE.finditer(lowered):
            start = m.start()
            signed = start > 0 and text[start - 1] in "+-−" and (start < 2 or not text[start - 2].isalnum())
            if signed:
                start -= 1
            if start > 0 and (text[start - 1].isalnum() or text[start - 1] in "._+-−"):
                continue
            if values and start < values[-1].end:  # the end of the range before
                continue
            tail = VALUE_TAIL_RE.match(lowered, m.end())
            unit = tail.group("unit") or tail.group("unit1")
            family, factor = _unit_of(unit)
            # Rounded to a micro-unit so that "1.5 mm" is 0.15 mV, not 0.15000000000000002.
            low = round(float(text[start:m.end()].replace("−", "-")) * factor, 6)
            high = round(float(tail.group("num2").replace("−", "-")) * factor, 6) if tail.group("num2") else low
            low, high = min(low, high), max(low, high)
            comparator = "range" if tail.group("num2") else None
            approximate = False
            before = _word_before(lowered, start, _APPROX_WORDS)
            cut = start
            if before:
                approximate, cut = True, before[1]
            cmp_word = _word_before(lowered, cut, _COMPARATOR_WORDS)
            if cmp_word and comparator is None:
                comparator = _COMPARATORS[cmp_word[0]]
            conversion = bool(values and family is not None and family == values[-1].family
                              and comparator is None
                              and _CONVERSION_GAP_RE.fullmatch(lowered, values[-1].end, start))
            values.append(_Value(start, tail.end() if tail.end() > m.end() else m.end(), low, high,
                                 (low + high) / 2.0, comparator, approximate, family, signed, conversion))
        return values

    def values_in(self, start: int, end: int) -> list[_Value]:
        i = bisect.bisect_left(self.value_starts, start)
        j = bisect.bisect_left(self.value_starts, end)
        return [v for v in self.values[i:j] if not v.conversion]

    # -- leads ----------------------------------------------------------------------------
    def _lead_groups(self) -> list[_LeadGroup]:
        text, lowered = self.text, self.lowered
        tokens = [(m.start(), m.end(), _canonical_lead(m.group())) for m in _LEAD_TOKEN_RE.finditer(text)
                  if _starts_word(text, m.start())]
        groups: list[_LeadGroup] = []
        i = 0
        while i < len(tokens):
            start, end, first = tokens[i]
            leads = [first]
            j = i + 1
            while j < len(tokens):
                gap = text[tokens[j - 1][1]:tokens[j][0]]
                if _LEAD_RANGE_RE.fullmatch(gap):
                    a, b = sorted((LEADS.index(leads[-1]), LEADS.index(tokens[j][2])))
                    leads.extend(LEADS[a:b + 1])
                elif _LEAD_SEP_RE.fullmatch(gap):
                    leads.append(tokens[j][2])
                else:
                    break
                end = tokens[j][1]
                j += 1
            i = j
            if self._is_lead_list(start, end, leads):
                groups.append(_LeadGroup(start, end, tuple(dict.fromkeys(leads))))
        for leads_word in _word_matches(_LEADS_WORD_RE, lowered):
            window = max(0, leads_word.start() - 60)
            m = TERRITORY_BEFORE_RE.search(lowered, window, leads_word.start())
            if m is None or not _starts_word(lowered, m.start()):
                continue
            names = [re.sub(r"[- ]", "_", n) for n in _TERRITORY_NAME_RE.findall(m.group("names"))]
            explicit = [g for g in groups if 0 <= g.start - leads_word.end() <= 3]
            if not explicit:  # "inferior leads (II, III, aVF)": the explicit list is enough
                groups.extend(_LeadGroup(m.start(), leads_word.end(), (name,), territory=True) for name in names)
        return sorted(groups, key=lambda g: g.start)

    def _is_lead_list(self, start: int, end: int, leads: list[str]) -> bool:
        """False for Roman numerals that are not leads ("type II", a pronoun "I")."""
        head = self.lowered[max(0, start - 12):start].rstrip()
        if head.endswith(("lead", "leads")):
            return True
        if head.endswith(_NOT_LEAD_WORDS):
            return False
        if leads == ["I"]:
            return head.endswith(" in") or self.text[end:end + 2].lstrip()[:1] in (":", "(")
        return True

    def groups_in(self, start: int, end: int) -> list[_LeadGroup]:
        i = bisect.bisect_left(self.group_starts, start)
        j = bisect.bisect_left(self.group_starts, end)
        return [_LeadGroup(g.start, g.end, g.leads, g.territory) for g in self.groups[i:j] if g.end <= end]

    def heading(self, sentence_start: int) -> _LeadGroup | None:
        """The lead list that opens a sentence as its heading ("Lead V5:", "In II, III:")."""
        if sentence_start not in self._headings:
            found = self.groups_in(sentence_start, self.sentence_end(sentence_start))[:1]
            self._headings[sentence_start] = found[0] if (
                found and _HEADING_BEFORE_RE.fullmatch(self.lowered, sentence_start, found[0].start)
                and _HEADING_AFTER_RE.match(self.lowered, found[0].end)) else None
        return self._headings[sentence_start]

    # -- keywords -------------------------------------------------------------------------
    def _mentions(self) -> list[_Mention]:
        """Keyword mentions, the earliest first, the longest where two start together,
        overlaps dropped; per-lead keywords take a number right before them ("1 mm ST
        depression"); each scope ends at the next mention, the sentence end or after
        ``SCOPE_CHARS``."""
        found = [
            _Mention(quantity, m.start(), m.end(), m)
            for quantity, pattern, lowered in KEYWORD_PATTERNS
            for m in _word_matches(pattern, self.lowered if lowered else self.text)
        ]
        found.sort(key=lambda mn: (mn.start, -(mn.end - mn.start)))
        mentions: list[_Mention] = []
        for mention in found:
            if mentions and mention.start < mentions[-1].end:
                continue
            if mention.quantity in PER_LEAD_QUANTITIES:
                i = bisect.bisect_left(self.value_starts, mention.start) - 1
                before = self.values[i] if i >= 0 else None
                if (before is not None and before.family == "amplitude"
                        and _PRE_VALUE_GAP_RE.fullmatch(self.lowered, before.end, mention.start)
                        and (not mentions or mentions[-1].end <= before.start)):
                    mention.pre_value, mention.start = before, before.start
            mentions.append(mention)
        for i, mention in enumerate(mentions):
            limit = mentions[i + 1].start if i + 1 < len(mentions) else len(self.text)
            mention.scope_end = min(limit, self.sentence_end(mention.end), mention.end + SCOPE_CHARS)
        return mentions

    def negated_before(self, pos: int) -> bool:
        """A negation cue in the same clause, at most ``NEGATION_WINDOW_CHARS`` before."""
        start = max(self.sentence_start(pos), pos - NEGATION_WINDOW_CHARS)
        i = bisect.bisect_left(self.negation_cues, pos) - 1
        if i < 0 or self.negation_cues[i] < start:
            return False
        j = bisect.bisect_left(self.clause_breaks, pos) - 1
        return j < 0 or self.clause_breaks[j] <= self.negation_cues[i]


def _unitless_ok(quantity: str, parsed: _Parsed, mention: _Mention, value: _Value) -> _Value | None:
    """A bare number right after its keyword ("HR 72", "PR: 160"), in a plausible range."""
    if not _TIGHT_GAP_RE.fullmatch(parsed.lowered, mention.end, value.start):
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


def _fits(quantity: str, value: _Value) -> bool:
    family = NUMERIC_QUANTITIES[quantity]
    return value.family == ("rate" if family == "time_rate" else family)


def _claim_from_value(quantity: str, value: _Value, lead: str | None, parsed: _Parsed,
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


def _global_claims(parsed: _Parsed, mention: _Mention) -> list[Claim]:
    """The first number of the keyword's unit after it, plus any bounds that follow."""
    quantity, formula = mention.quantity, None
    if quantity == "qtc_ms":
        named = _FORMULA_RE.search(parsed.lowered, mention.start, mention.scope_end)
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


_PAIR_VALUES_RE = re.compile(
    r"\s*(?:of|is|are|was|were|:|=)?\s*(?:(?:~|≈|approximately|about|around)\s*)?(?P<a>\d+(?:\.\d+)?)\s*(?:ms)?\s*/\s*"
    r"(?P<b>\d+(?:\.\d+)?)\s*(?P<unit>milliseconds?|msecs?|ms|seconds?|s)?(?![a-z])"
)


def _pair_claims(parsed: _Parsed, mention: _Mention) -> list[Claim]:
    """"QT/QTc 380/420 ms": QT and QTc, in that order (QTcF names Fridericia)."""
    pair = _PAIR_VALUES_RE.match(parsed.lowered, mention.end, mention.scope_end)
    if pair is None:
        return []
    family, factor = _unit_of(pair.group("unit"))
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


def _st_direction(parsed: _Parsed, mention: _Mention) -> tuple[float, str | None, bool]:
    """Sign and category of an ST mention, and whether the scope says "not elevated"."""
    keyword = mention.match.group().lower()
    if "elevat" in keyword:
        return 1.0, "elevated", False
    if "depress" in keyword:
        return -1.0, "depressed", False
    d = _DIRECTION_RE.search(parsed.lowered, mention.end, mention.scope_end)
    if d is None:
        return 1.0, None, False
    negated = parsed.lowered[max(0, d.start() - 5):d.start()].rstrip().endswith("not")
    if d.group("up"):
        return 1.0, "elevated", negated
    if d.group("down"):
        return -1.0, "depressed", negated
    return 1.0, "isoelectric" if d.group("iso") else "normal", negated


def _attached_group(parsed: _Parsed, value: _Value, groups: list[_LeadGroup], next_start: int) -> _LeadGroup | None:
    """The lead list a number goes with: "V2 (0.3 mV)" or "V2: 0.3 mV" (the list right
    before), else "0.3 mV in V2" (the first list after it, before the next number), else
    the nearest list before it."""
    before = [g for g in groups if g.end <= value.start]
    if before and _ATTACHED_BEFORE_RE.fullmatch(parsed.lowered, before[-1].end, value.start):
        return before[-1]
    after = [g for g in groups if value.end <= g.start < next_start]
    if after:
        return after[0]
    return before[-1] if before else None


def _context_groups(parsed: _Parsed, mention: _Mention, previous: _Mention | None) -> list[_LeadGroup]:
    """Leads for a per-lead keyword that has none after it: the leads before it in the
    sentence (unless a per-lead keyword before it owns them), else a lead heading that
    opens the sentence ("Lead V5: R wave ..."). Merged into one list; territories apart."""
    sentence_start = parsed.sentence_start(mention.start)
    same_sentence = previous is not None and previous.end > sentence_start
    groups: list[_LeadGroup] = []
    if not same_sentence or previous.quantity not in PER_LEAD_QUANTITIES:
        groups = parsed.groups_in(previous.end if same_sentence else sentence_start, mention.start)
    if not groups:
        heading = parsed.heading(sentence_start)
        if heading is not None and heading.end <= mention.start:
            groups = [heading]
    leads = tuple(dict.fromkeys(lead for g in groups if not g.territory for lead in g.leads))
    merged = [_LeadGroup(-1, -1, leads)] if leads else []
    return merged + [_LeadGroup(-1, -1, g.leads, territory=True) for g in groups if g.territory]


_OPPOSITE_ST_RE = {
    "elevated": re.compile(r"\b(?:reciprocal\s+(?:st[- ]segment\s+|st\s+)?)?depress(?:ion|ions|ed)\b"),
    "depressed": re.compile(r"\b(?:reciprocal\s+(?:st[- ]segment\s+|st\s+)?)?elevat(?:ion|ions|ed)\b"),
}


def _per_lead_claims(parsed: _Parsed, mention: _Mention, previous: _Mention | None) -> list[Claim]:
    """Claims of one per-lead keyword over its scope. An ST mention whose scope goes on to
    the opposite direction ("ST elevation in V1-V4 with reciprocal depression in II, III,
    aVF") ends there, and the rest is read as a mention of that direction."""
    if mention.quantity == "st_mv":
        _, category, _ = _st_direction(parsed, mention)
        pattern = _OPPOSITE_ST_RE.get(category or "")
        turn = pattern.search(parsed.lowered, mention.end, mention.scope_end) if pattern else None
        if turn is not None:
            head = dataclasses.replace(mention, scope_end=turn.start())
            tail = _Mention("st_mv", turn.start(), turn.end(), turn, scope_end=mention.scope_end)
            return _per_lead_mention_claims(parsed, head, previous) + _per_lead_mention_claims(parsed, tail, head)
    return _per_lead_mention_claims(parsed, mention, previous)


def _per_lead_mention_claims(parsed: _Parsed, mention: _Mention, previous: _Mention | None) -> list[Claim]:
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
        groups = _context_groups(parsed, mention, previous)

    def claims_for(value: _Value, leads: Sequence[str | None]) -> list[Claim]:
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
            attached = _attached_group(parsed, value, groups, next_start)
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


def _keyword_categories(parsed: _Parsed, mention: _Mention) -> list[Claim]:
    """Category words with a keyword: "prolonged PR", "the QRS complexes are wide"."""
    words = _CATEGORY_WORDS.get(mention.quantity)
    if not words:
        return []
    quantity = "qtc_ms" if mention.quantity in ("qt_ms", "qtc_fridericia_ms") else mention.quantity
    lowered = parsed.lowered
    found: list[tuple[str, int, int, bool]] = []
    cut = mention.start
    qualifier = _word_before(lowered, cut, _QUALIFIER_WORDS)
    while qualifier is not None:
        cut = qualifier[1]
        qualifier = _word_before(lowered, cut, _QUALIFIER_WORDS)
    before = _word_before(lowered, cut, words)
    if before is not None:
        found.append((KEYWORD_CATEGORIES[mention.quantity][before[0]], before[1], mention.end, False))
    after = _PREDICATE_RE.match(lowered, mention.end, mention.scope_end)
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


def _categorical_claims(parsed: _Parsed) -> list[Claim]:
    claims = []
    for quantity, category, pattern in CATEGORICAL_PATTERNS:
        for m in _word_matches(pattern, parsed.lowered):
            claims.append(Claim(quantity=quantity, value=None, low=None, high=None, lead=None,
                                span=(m.start(), m.end()), phrase=parsed.text[m.start():m.end()],
                                category=category, negated=parsed.negated_before(m.start())))
    return claims


def _extract(parsed: _Parsed) -> list[Claim]:
    claims: list[Claim] = []
    owned: list[tuple[int, int]] = []
    previous: _Mention | None = None
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
    return _extract(_Parsed(text))


# ---------------------------------------------------------------------------------------
# Verification
# ---------------------------------------------------------------------------------------


def _finite(value: Any) -> float | None:
    if value is None or isinstance(value, (bool, str)):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def derived_truth(truth: dict[str, Any]) -> dict[str, Any]:
    """The truth plus the voltage sums a text may quote: Sokolow-Lyon = |S V1| +
    max(R V5, R V6) and Cornell = R aVL + |S V3| (mV); NaN where an amplitude is missing."""
    out = dict(truth)
    r, s = truth.get("r_mv") or {}, truth.get("s_mv") or {}

    def amp(table: dict, lead: str) -> float:
        value = _finite(table.get(lead))
        return math.nan if value is None else abs(value)

    out.setdefault("sokolow_lyon_mv", amp(s, "V1") + max(amp(r, "V5"), amp(r, "V6")))
    out.setdefault("cornell_mv", amp(r, "aVL") + amp(s, "V3"))
    return out


def _lead_values(claim: Claim, truth: dict[str, Any]) -> tuple[list[float], str]:
    """The truth values of the leads a per-lead claim is about, and a description."""
    table = truth.get(claim.quantity)
    where = claim.lead or "any lead"
    if not isinstance(table, dict):
        return [], f"no truth for {claim.quantity}"
    leads = (claim.lead,) if claim.lead in LEADS else TERRITORIES.get(claim.lead or "", LEADS)
    values = [v for v in (_finite(table.get(lead)) for lead in leads) if v is not None]
    if not values:
        return [], f"no truth for {claim.quantity} in {where}"
    return values, f"{claim.quantity} in {where}"


def _extreme(claim: Claim, values: list[float]) -> float:
    """The value a claim about several leads is compared with: the largest R, the deepest
    S, the highest ST for an elevation (or a positive number), the lowest for a
    depression (or a negative number), the largest |ST| for an isoelectric ST."""
    if claim.quantity == "s_mv":
        return min(values)
    if claim.category == "isoelectric":
        return max(abs(v) for v in values)
    if claim.category == "depressed" or (claim.value is not None and claim.value < 0):
        return min(values)
    return max(values)


def _decide(ok: bool | None, negated: bool) -> str:
    if ok is None:
        return "unverifiable"
    return "verified" if ok != negated else "contradicted"


def _verify_rhythm(claim: Claim, truth: dict[str, Any]) -> ClaimVerdict:
    if claim.category in ("regular", "irregular"):
        regular = truth.get("rr_regular")
        if not isinstance(regular, (bool, np.bool_)):
            return ClaimVerdict(claim, "unverifiable", None, False, "no truth for rr_regular")
        ok = bool(regular) == (claim.category == "regular")
        return ClaimVerdict(claim, _decide(ok, claim.negated), bool(regular), True, "rr_regular")
    rhythm = truth.get("rhythm")
    kind = RHYTHM_KINDS.get(rhythm) if isinstance(rhythm, str) else None
    if kind is None:
        return ClaimVerdict(claim, "unverifiable", rhythm, False,
                            f"truth rhythm {rhythm!r} is neither sinus nor atrial fibrillation")
    return ClaimVerdict(claim, _decide(kind == claim.category, claim.negated), rhythm, True, "rhythm")


def _verify_category(claim: Claim, values: list[float], tolerances: Tolerances, where: str) -> ClaimVerdict:
    quantity = claim.quantity
    margin = tolerances.margin.get(quantity, 0.0)
    if quantity == "st_mv" and claim.category == "normal":
        elevated = CATEGORY_BANDS[("st_mv", "elevated")].decide(max(values), margin)
        depressed = CATEGORY_BANDS[("st_mv", "depressed")].decide(min(values), margin)
        ok = (False if elevated or depressed else
              True if elevated is False and depressed is False else None)
        truth_value = max(values, key=abs)
    else:
        truth_value = _extreme(claim, values)
        if quantity == "axis_deg" and truth_value < NORTHWEST_AXIS_DEG - margin:
            ok = False if claim.category == "normal" else None
        else:
            ok = CATEGORY_BANDS[(quantity, claim.category or "")].decide(truth_value, margin)
    reason = where if ok is not None else f"{where}: within the indeterminate zone of {claim.category}"
    return ClaimVerdict(claim, _decide(ok, claim.negated), truth_value, True, reason)


def _numeric_ok(claim: Claim, truth_value: float, tolerances: Tolerances) -> bool | None:
    tol = tolerances.band(claim.quantity, truth_value)
    low, high = claim.low, claim.high
    assert low is not None and high is not None
    if claim.comparator == "range" and high - low > MAX_RANGE_TOLERANCES * tol:
        return None
    if claim.quantity == "axis_deg" and math.isfinite(low) and math.isfinite(high):
        center = (low + high) / 2.0
        diff = abs((truth_value - center + 180.0) % 360.0 - 180.0)
        return diff <= (high - low) / 2.0 + tol
    return low - tol <= truth_value <= high + tol


def _verify_one(claim: Claim, truth: dict[str, Any], tolerances: Tolerances) -> ClaimVerdict:
    if claim.quantity == "rhythm":
        return _verify_rhythm(claim, truth)
    if claim.quantity == "qtc_ms" and claim.formula is None and claim.kind == "numeric":
        return _verify_qtc_either(claim, truth, tolerances)
    if claim.quantity in PER_LEAD_QUANTITIES:
        if claim.kind == "numeric" and claim.lead is None:
            return ClaimVerdict(claim, "unverifiable", None, False, "no lead named")
        values, where = _lead_values(claim, truth)
    else:
        value = _finite(truth.get(claim.quantity))
        values = [] if value is None else [value]
        where = claim.quantity if value is not None else (
            f"truth {claim.quantity} is NaN" if claim.quantity in truth else f"no truth for {claim.quantity}")
    if not values:
        return ClaimVerdict(claim, "unverifiable", None, False, where)
    if claim.kind == "categorical":
        return _verify_category(claim, values, tolerances, where)
    truth_value = _extreme(claim, values)
    ok = _numeric_ok(claim, truth_value, tolerances)
    if ok is None:
        return ClaimVerdict(claim, "unverifiable", truth_value, True, "range too wide to check")
    tol = tolerances.band(claim.quantity, truth_value)
    return ClaimVerdict(claim, "verified" if ok else "contradicted", truth_value, True,
                        f"{where} +-{tol:g}")


def _verify_qtc_either(claim: Claim, truth: dict[str, Any], tolerances: Tolerances) -> ClaimVerdict:
    """A QTc without its formula: verified when Bazett or Fridericia matches."""
    candidates = [(key, _finite(truth.get(key))) for key in ("qtc_ms", "qtc_fridericia_ms")]
    candidates = [(key, value) for key, value in candidates if value is not None]
    if not candidates:
        return ClaimVerdict(claim, "unverifiable", None, False, "no truth for qtc_ms")
    results = [(key, value, _numeric_ok(replace(claim, quantity=key), value, tolerances))
               for key, value in candidates]
    for key, value, ok in results:
        if ok:
            return ClaimVerdict(claim, "verified", value, True, f"{key} (formula not stated)")
    if all(ok is False for _, _, ok in results):
        return ClaimVerdict(claim, "contradicted", candidates[0][1], True,
                            "neither Bazett nor Fridericia QTc (formula not stated)")
    return ClaimVerdict(claim, "unverifiable", candidates[0][1], True, "range too wide to check")


def verify_claims(claims: Iterable[Claim], truth: dict[str, Any] | None,
                  tolerances: Tolerances = DEFAULT_TOLERANCES) -> list[ClaimVerdict]:
    """Check each claim against ``truth`` (keys of ``gemeval.ecg.values``; NaN or None
    where a value does not exist). See the module docstring for the rules."""
    full = derived_truth(truth or {})
    return [_verify_one(claim, full, tolerances) for claim in claims]


# ---------------------------------------------------------------------------------------
# Coverage, diagnosis F1 and the per-text scores
# ---------------------------------------------------------------------------------------


def addressed_features(text: str) -> list[str]:
    """The key features of ``FEATURES`` that ``text`` mentions."""
    lowered = (text or "").translate(_ASCII_LOWER)
    return [name for name, pattern in FEATURE_PATTERNS.items()
            if next(iter(_word_matches(pattern, lowered)), None) is not None]


def leads_with_findings(text: str) -> list[str]:
    """The leads of ``LEADS`` that ``text`` names in a sentence that states a finding (a
    wave, segment, amplitude or direction word), territories expanded, in ``LEADS`` order."""
    if not text:
        return []
    return _leads_with_findings(_Parsed(text))


def _leads_with_findings(parsed: _Parsed) -> list[str]:
    finding_at = [m.start() for m in _word_matches(_FINDING_WORDS_RE, parsed.lowered)]
    found: set[str] = set()
    for group in parsed.groups:
        start, end = parsed.sentence_start(group.start), parsed.sentence_end(group.start)
        i = bisect.bisect_left(finding_at, start)
        if i < len(finding_at) and finding_at[i] < end:
            for name in group.leads:
                found.update(TERRITORIES[name] if group.territory else (name,))
    return [lead for lead in LEADS if lead in found]


def diagnosis_f1(predicted: Sequence[str], reference: Sequence[str]) -> float:
    """F1 of the predicted label set P against the reference set R: 2|P & R| / (|P| + |R|),
    1.0 when both are empty (nothing to find, nothing claimed). This is scikit-learn's
    binary ``f1_score`` over the indicators of P | R (the tests check that), written as a
    set formula because scikit-learn's validation costs 2.5 ms a call, per sample."""
    p, r = set(predicted), set(reference)
    if not p and not r:
        return 1.0
    return 2.0 * len(p & r) / (len(p) + len(r))


def _counts(verdicts: Sequence[ClaimVerdict]) -> dict[str, int]:
    return {
        "n_claims": len(verdicts),
        "n_verified": sum(v.status == "verified" for v in verdicts),
        "n_contradicted": sum(v.status == "contradicted" for v in verdicts),
        "n_checkable": sum(v.checkable for v in verdicts),
    }


def grounding_scores(
    text: str,
    truth: dict[str, Any] | None,
    *,
    truth_source: str | None,
    reference_labels: Sequence[str] | None,
    label_space: str | Sequence[str] | None,
    tolerances: Tolerances | None = None,
) -> dict[str, Any]:
    """All grounding numbers of one text.

    Returns a dict with:
        claim_precision: verified / (verified + contradicted); None when no claim was
            decided (a text with no checkable number cannot be precise).
        contradiction_rate: contradicted / checkable (claims the truth has a value for);
            None when nothing was checkable.
        n_claims, n_checkable, n_verified, n_contradicted: counts.
        feature_coverage: share of ``FEATURES`` (rhythm, rate, PR, QRS, QT/QTc, axis, ST)
            the text addresses; ``features`` lists them.
        lead_coverage: share of the 12 leads named with a finding; ``leads`` lists them.
        diagnosis_f1: F1 between the labels extracted from the text
            (``gemeval.metrics.labels.extract_labels`` over ``label_space``) and
            ``reference_labels``; None when there are no reference labels or no label space.
        predicted_labels: the extracted labels.
        claims: each verdict as a dict (``ClaimVerdict.to_dict``).
        truth_source, tolerances: which truth and which bands were used.
    """
    bands = tolerances or tolerances_for(truth_source)
    parsed = _Parsed(text or "")
    verdicts = verify_claims(_extract(parsed), truth, bands)
    counts = _counts(verdicts)
    decided = counts["n_verified"] + counts["n_contradicted"]
    features = addressed_features(text)
    leads = _leads_with_findings(parsed)
    predicted: list[str] | None = None
    f1: float | None = None
    if reference_labels is not None and label_space is not None:
        from gemeval.metrics.labels import extract_labels

        predicted = list(extract_labels(text, label_space))
        f1 = diagnosis_f1(predicted, list(reference_labels))
    return {
        "claim_precision": counts["n_verified"] / decided if decided else None,
        "contradiction_rate": (counts["n_contradicted"] / counts["n_checkable"]
                               if counts["n_checkable"] else None),
        **counts,
        "feature_coverage": len(features) / len(FEATURES),
        "features": features,
        "lead_coverage": len(leads) / len(LEADS),
        "leads": leads,
        "diagnosis_f1": f1,
        "predicted_labels": predicted,
        "claims": [v.to_dict() for v in verdicts],
        "truth_source": truth_source,
        "tolerances": bands.name,
    }


# ---------------------------------------------------------------------------------------
# The scorer
# ---------------------------------------------------------------------------------------

PREFIX = "grounding."
MEAN_METRICS: dict[str, bool] = {
    PREFIX + "claim_precision": True,
    PREFIX + "contradiction_rate": False,
    PREFIX + "feature_coverage": True,
    PREFIX + "lead_coverage": True,
    PREFIX + "diagnosis_f1": True,
}
"""Per-sample metrics averaged over samples (name -> higher is better)."""


class GroundingScorer:
    """Grounding verification as a ``gemeval.scoring.Scorer``.

    Per sample (fields prefixed ``grounding.``): claim_precision, contradiction_rate,
    feature_coverage, lead_coverage, diagnosis_f1, n_claims, n_checkable, n_verified,
    n_contradicted, the claim verdicts under ``grounding.claims`` and the truth source
    under ``grounding.truth_source``. The truth is ``sample.truth``, judged with the bands
    of ``tolerances_for(sample.truth_source)``; reference labels are
    ``sample.reference["labels"]``, else ``sample.truth["labels"]``.

    A sample whose prediction failed, or whose text has no decided claim, has
    claim_precision None and counts in that metric's ``n_failed``: a text with no
    checkable number cannot be precise. A failed prediction is None in every metric.

    Aggregates: the mean of each per-sample metric with a clustered bootstrap CI
    (``aggregate_means``), plus ``grounding.pooled_claim_precision`` = all verified / all
    decided claims (a ratio of sums, CI by the same clustered bootstrap), which weights
    samples by how much they claim, and the truth sources used (``truth_sources`` on it).
    """

    name = "grounding"

    def __init__(self, task: Any = None, mode: str = "gemeval",
                 label_space: str | Sequence[str] | None = None,
                 tolerances: Tolerances | None = None, **options: Any):
        self.mode = mode
        self.label_space = label_space if label_space is not None else getattr(task, "label_space", None)
        self.tolerances = tolerances

    def score(self, sample: Any, prediction: Any) -> dict[str, Any]:
        if not prediction.ok:
            return {PREFIX + key: None for key in (
                "claim_precision", "contradiction_rate", "feature_coverage", "lead_coverage",
                "diagnosis_f1", "n_claims", "n_checkable", "n_verified", "n_contradicted")} | {
                PREFIX + "claims": [], PREFIX + "truth_source": sample.truth_source,
                PREFIX + "error": prediction.error or "no text"}
        reference = sample.reference.get("labels")
        if reference is None and sample.truth:
            reference = sample.truth.get("labels")
        scores = grounding_scores(
            prediction.text, sample.truth, truth_source=sample.truth_source,
            reference_labels=reference, label_space=self.label_space,
            tolerances=self.tolerances,
        )
        keep = ("claim_precision", "contradiction_rate", "feature_coverage", "lead_coverage",
                "diagnosis_f1", "n_claims", "n_checkable", "n_verified", "n_contradicted",
                "claims", "truth_source", "tolerances", "predicted_labels")
        return {PREFIX + key: scores[key] for key in keep}

    def aggregate(self, rows: Sequence[dict[str, Any]], groups: Sequence[str], seed: int = 0,
                  n_resamples: int = DEFAULT_RESAMPLES) -> dict[str, dict[str, Any]]:
        out = aggregate_means(rows, groups, MEAN_METRICS, seed=seed, n_resamples=n_resamples)
        sources = sorted({str(row.get(PREFIX + "truth_source")) for row in rows
                          if row.get(PREFIX + "truth_source") is not None})
        verified = np.array([float(row.get(PREFIX + "n_verified") or 0) for row in rows])
        contradicted = np.array([float(row.get(PREFIX + "n_contradicted") or 0) for row in rows])
        failed = sum(row.get(PREFIX + "n_claims") is None for row in rows)
        out[PREFIX + "pooled_claim_precision"] = metric_entry(
            _pooled_precision(verified, contradicted, groups, seed, n_resamples), failed, True,
            n_verified=int(verified.sum()), n_contradicted=int(contradicted.sum()),
            truth_sources=sources,
        )
        for key in MEAN_METRICS:
            out[key]["truth_sources"] = sources
        return out


def _pooled_precision(verified: np.ndarray, contradicted: np.ndarray, groups: Sequence[str],
                      seed: int, n_resamples: int) -> Estimate:
    """sum(verified) / sum(verified + contradicted) with a clustered percentile bootstrap."""
    decided = verified + contradicted
    n = int(np.count_nonzero(decided))
    if decided.sum() == 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    point = float(verified.sum() / decided.sum())

    def stat(w: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return (w @ verified) / (w @ decided)

    lo, hi = percentile_ci(bootstrap(stat, verified.size, n_resamples, seed, list(groups)))
    return Estimate(point, lo, hi, n)
