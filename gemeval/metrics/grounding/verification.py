"""Verification: each claim checked against the truth of the record ("verified",
"contradicted" or "unverifiable", with a reason)."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any, Iterable

import numpy as np

from gemeval.ecg.record import LEADS
from gemeval.metrics.grounding.assertion import VERIFIED_ASSERTIONS
from gemeval.metrics.grounding.claims import PER_LEAD_QUANTITIES, Claim, ClaimVerdict
from gemeval.metrics.grounding.leads import TERRITORIES
from gemeval.metrics.grounding.tolerances import (
    CATEGORY_BANDS,
    DEFAULT_TOLERANCES,
    MAX_RANGE_TOLERANCES,
    NORTHWEST_AXIS_DEG,
    RHYTHM_KINDS,
    Tolerances,
)


def finite(value: Any) -> float | None:
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
        value = finite(table.get(lead))
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
    values = [v for v in (finite(table.get(lead)) for lead in leads) if v is not None]
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
    if claim.category not in ("regular", "irregular", *set(RHYTHM_KINDS.values())):
        return ClaimVerdict(claim, "unverifiable", None, False, f"no truth for rhythm {claim.category}")
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
        band = CATEGORY_BANDS.get((quantity, claim.category or ""))
        if band is None:
            return ClaimVerdict(claim, "unverifiable", None, False, f"no band for {quantity} {claim.category}")
        if quantity == "axis_deg" and truth_value < NORTHWEST_AXIS_DEG - margin and claim.category != "extreme":
            ok = False if claim.category == "normal" else None
        else:
            ok = band.decide(truth_value, margin)
    reason = where if ok is not None else f"{where}: within the indeterminate zone of {claim.category}"
    category_band = CATEGORY_BANDS.get((quantity, claim.category or ""))
    edges = (category_band.low[0], category_band.high[1]) if category_band is not None else None
    return ClaimVerdict(claim, _decide(ok, claim.negated), truth_value, True, reason, edges, margin)


BOUND_COMPARATORS = ("<", "<=", ">", ">=")


def numeric_band(claim: Claim, tol: float) -> tuple[float, float]:
    """The interval the truth must lie in for a numeric claim to be verified: a value or a
    range widened by the tolerance on both sides; a bound exactly as written (the
    tolerance does not move a stated limit, see ``_numeric_ok``)."""
    low, high = claim.low, claim.high
    assert low is not None and high is not None
    if claim.comparator in BOUND_COMPARATORS:
        return low, high
    return low - tol, high + tol


def _numeric_ok(claim: Claim, truth_value: float, tolerances: Tolerances) -> bool | None:
    """True when the truth lies in the claimed value or range widened by the tolerance;
    for a bound ("ST <= -0.05 mV", "QRS >= 120 ms"), True only when the truth satisfies the
    bound as written, None (undecided) when it misses the limit by less than the tolerance,
    False when it misses it by the tolerance or more: a tolerance band that merely touches
    the truth never makes a bound hold. None for a range too wide to check."""
    tol = tolerances.band(claim.quantity, truth_value)
    low, high = claim.low, claim.high
    assert low is not None and high is not None
    if claim.comparator == "range" and high - low > MAX_RANGE_TOLERANCES * tol:
        return None
    if claim.comparator in BOUND_COMPARATORS:
        strict = claim.comparator in ("<", ">")
        if claim.comparator in ("<", "<="):
            holds = truth_value < high if strict else truth_value <= high
            miss = truth_value - high
        else:
            holds = truth_value > low if strict else truth_value >= low
            miss = low - truth_value
        if holds:
            return True
        return None if miss < tol else False
    if claim.quantity == "axis_deg" and math.isfinite(low) and math.isfinite(high):
        center = (low + high) / 2.0
        diff = abs((truth_value - center + 180.0) % 360.0 - 180.0)
        return diff <= (high - low) / 2.0 + tol
    return low - tol <= truth_value <= high + tol


def _verify_one(claim: Claim, truth: dict[str, Any], tolerances: Tolerances) -> ClaimVerdict:
    if claim.assertion not in VERIFIED_ASSERTIONS:
        return ClaimVerdict(claim, "not_checked", None, False, f"{claim.assertion.replace('_', ' ')}: not checked")
    if claim.kind == "numeric" and claim.value is None:
        return ClaimVerdict(claim, "unverifiable", None, False, "no value or category claimed")
    if claim.quantity == "rhythm":
        return _verify_rhythm(claim, truth)
    if claim.quantity == "qtc_ms" and claim.formula is None and claim.kind == "numeric":
        return _verify_qtc_either(claim, truth, tolerances)
    if claim.quantity in PER_LEAD_QUANTITIES:
        if claim.kind == "numeric" and claim.lead is None:
            return ClaimVerdict(claim, "unverifiable", None, False, "no lead named")
        values, where = _lead_values(claim, truth)
    else:
        value = finite(truth.get(claim.quantity))
        values = [] if value is None else [value]
        where = claim.quantity if value is not None else (
            f"truth {claim.quantity} is NaN" if claim.quantity in truth else f"no truth for {claim.quantity}")
    if not values:
        return ClaimVerdict(claim, "unverifiable", None, False, where)
    if claim.kind == "categorical":
        return _verify_category(claim, values, tolerances, where)
    truth_value = _extreme(claim, values)
    ok = _numeric_ok(claim, truth_value, tolerances)
    tol = tolerances.band(claim.quantity, truth_value)
    band = numeric_band(claim, tol)
    if ok is None:
        reason = ("range too wide to check" if claim.comparator == "range"
                  else f"{where}: misses the bound by less than the tolerance {tol:g}")
        return ClaimVerdict(claim, "unverifiable", truth_value, True, reason, band, tol)
    return ClaimVerdict(claim, _decide(ok, claim.negated), truth_value, True, f"{where} +-{tol:g}", band, tol)


def _verify_qtc_either(claim: Claim, truth: dict[str, Any], tolerances: Tolerances) -> ClaimVerdict:
    """A QTc without its formula: verified when Bazett or Fridericia matches."""
    candidates = [(key, value) for key in ("qtc_ms", "qtc_fridericia_ms")
                  if (value := finite(truth.get(key))) is not None]
    if not candidates:
        return ClaimVerdict(claim, "unverifiable", None, False, "no truth for qtc_ms")
    results = [(key, value, _numeric_ok(replace(claim, quantity=key), value, tolerances))
               for key, value in candidates]

    def band_of(value: float) -> tuple[tuple[float, float], float]:
        tol = tolerances.band("qtc_ms", value)
        return numeric_band(claim, tol), tol

    for key, value, ok in results:
        if ok:
            band, tol = band_of(value)
            return ClaimVerdict(claim, _decide(True, claim.negated), value, True, f"{key} (formula not stated)",
                                band, tol)
    band, tol = band_of(candidates[0][1])
    if all(ok is False for _, _, ok in results):
        return ClaimVerdict(claim, _decide(False, claim.negated), candidates[0][1], True,
                            "neither Bazett nor Fridericia QTc (formula not stated)", band, tol)
    return ClaimVerdict(claim, "unverifiable", candidates[0][1], True, "range too wide to check", band, tol)


def verify_claims(claims: Iterable[Claim], truth: dict[str, Any] | None,
                  tolerances: Tolerances = DEFAULT_TOLERANCES) -> list[ClaimVerdict]:
    """Check each claim against ``truth`` (keys of ``gemeval.ecg.values``; NaN or None
    where a value does not exist). See the module docstring for the rules."""
    full = derived_truth(truth or {})
    return [_verify_one(claim, full, tolerances) for claim in claims]
