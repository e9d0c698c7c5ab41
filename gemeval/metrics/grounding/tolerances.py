"""How far a claim may be from the truth: the numeric tolerances of exact and measured
truth, and the bands of the clinical categories ("prolonged PR", "left axis deviation")."""

from __future__ import annotations

import math
from dataclasses import dataclass


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
    ("qtc_ms", "short"): Band(_edge(-INF), _edge(350.0)),
    # Frontal axis: normal -30 to +90, left axis deviation -30 to -90, right axis
    # deviation +90 to +180 (the north-west quadrant, -90 to -180, is handled apart).
    ("axis_deg", "normal"): Band(_edge(-30.0), _edge(90.0)),
    ("axis_deg", "left"): Band(_edge(-90.0), _edge(-30.0)),
    ("axis_deg", "right"): Band(_edge(90.0), _edge(180.0)),
    ("axis_deg", "extreme"): Band(_edge(-180.0), _edge(-90.0)),
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
