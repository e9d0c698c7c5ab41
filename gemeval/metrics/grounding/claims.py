"""What a claim is: the quantities a text can make claims about, one claim, and one
claim checked against the truth (its verdict)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

NUMERIC_QUANTITIES: dict[str, str] = {
    "hr_bpm": "time_rate", "rr_ms": "time", "pr_ms": "time", "qrs_ms": "time",
    "qt_ms": "time", "qtc_ms": "time", "qtc_fridericia_ms": "time", "axis_deg": "angle",
    "st_mv": "amplitude", "r_mv": "amplitude", "s_mv": "amplitude",
    "sokolow_lyon_mv": "amplitude", "cornell_mv": "amplitude",
}
"""Numeric quantities a claim can be about, with the unit family their numbers must have."""

PER_LEAD_QUANTITIES: tuple[str, ...] = ("st_mv", "r_mv", "s_mv")

CATEGORICAL_QUANTITIES: tuple[str, ...] = ("rhythm", "t_wave", "q_wave", "conduction", "voltage")
"""Quantities with categories only (plus the numeric ones that also have categories)."""
LEAD_FINDING_QUANTITIES: tuple[str, ...] = PER_LEAD_QUANTITIES + ("t_wave", "q_wave")
"""Quantities whose claims are about a lead or territory."""
QUANTITIES: tuple[str, ...] = tuple(NUMERIC_QUANTITIES) + CATEGORICAL_QUANTITIES

STATUSES: tuple[str, ...] = ("verified", "contradicted", "unverifiable", "not_checked")
"""A verdict's status; "not_checked" for claims that are not stated as facts (hypothetical,
reference, uncertain, not assessable)."""


@dataclass(frozen=True, init=False)
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
    assertion: str = "affirmed"
    focus: tuple[int, int] | None = field(default=None, compare=False, repr=False)
    opposite: bool = field(default=False, compare=False, repr=False)

    def __init__(self, quantity: str, value: float | None, low: float | None, high: float | None,
                 lead: str | None, span: tuple[int, int], phrase: str, category: str | None = None,
                 negated: bool = False, approximate: bool = False, comparator: str | None = None,
                 formula: str | None = None, assertion: str = "affirmed",
                 focus: tuple[int, int] | None = None, opposite: bool = False) -> None:
        # The fields as declared above, filled in one step: the __init__ a frozen dataclass
        # generates sets each field through object.__setattr__, which made building claims
        # a sixth of the extraction time (a text yields dozens).
        self.__dict__.update(
            quantity=quantity, value=value, low=low, high=high, lead=lead, span=span, phrase=phrase,
            category=category, negated=negated, approximate=approximate, comparator=comparator,
            formula=formula, assertion=assertion, focus=focus, opposite=opposite)

    @property
    def kind(self) -> str:
        return "categorical" if self.category is not None else "numeric"

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        del out["focus"], out["opposite"]
        for key in ("low", "high"):
            if out[key] is not None and math.isinf(out[key]):
                out[key] = None
        out["span"] = list(self.span)
        return out


_new_object = object.__new__
_set_attribute = object.__setattr__


def new_claim(quantity: str, value: float | None, low: float | None, high: float | None, lead: str | None,
              span: tuple[int, int], phrase: str, category: str | None = None, approximate: bool = False,
              comparator: str | None = None, formula: str | None = None,
              focus: tuple[int, int] | None = None, opposite: bool = False) -> Claim:
    """``Claim(...)`` for the claim reader, which builds dozens a text: arguments by
    position, not negated and affirmed (the reader sets the assertion afterwards), the
    instance dict written in one step (half the time of the keyword call)."""
    claim = _new_object(Claim)
    _set_attribute(claim, "__dict__", {
        "quantity": quantity, "value": value, "low": low, "high": high, "lead": lead, "span": span,
        "phrase": phrase, "category": category, "negated": False, "approximate": approximate,
        "comparator": comparator, "formula": formula, "assertion": "affirmed", "focus": focus,
        "opposite": opposite})
    return claim


@dataclass(frozen=True)
class ClaimVerdict:
    """A claim checked against the truth.

    ``truth`` is the value it was compared with (None when there is none); ``checkable``
    is True when the truth had a value for the claim, whatever the status. ``band`` is the
    interval the truth had to fall in for the claim to hold (the claimed value or range
    widened by ``tolerance``, a bound up to its limit, or the category's band; an infinite
    side is None in ``to_dict``); both are None when nothing was compared.
    """

    claim: Claim
    status: str
    truth: float | str | bool | None
    checkable: bool
    reason: str
    band: tuple[float, float] | None = None
    tolerance: float | None = None

    def to_dict(self) -> dict[str, Any]:
        claim = self.claim
        out = {
            "quantity": claim.quantity, "lead": claim.lead, "value": claim.value,
            "low": claim.low, "high": claim.high, "category": claim.category,
            "negated": claim.negated, "comparator": claim.comparator,
            "assertion": claim.assertion, "phrase": claim.phrase, "span": list(claim.span),
            "status": self.status, "truth": self.truth, "band": _json_band(self.band),
            "tolerance": self.tolerance, "reason": self.reason,
        }
        for key in ("low", "high"):
            bound = out[key]
            if isinstance(bound, float) and math.isinf(bound):
                out[key] = None
        if isinstance(out["truth"], float) and not math.isfinite(out["truth"]):
            out["truth"] = None
        return out


def _json_band(band: tuple[float, float] | None) -> list[float | None] | None:
    if band is None:
        return None
    return [None if not math.isfinite(edge) else round(edge, 6) for edge in band]
