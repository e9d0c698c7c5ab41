"""Scores of a text (claim precision, contradiction rate, coverage, diagnosis F1) and the
``GroundingScorer`` that averages them over a run."""

from __future__ import annotations

import bisect
import math
from typing import Any, Sequence

import numpy as np

from gemeval.ecg.record import LEADS
from gemeval.metrics.grounding.assertion import ASSERTIONS
from gemeval.metrics.grounding.claims import NUMERIC_QUANTITIES, Claim, ClaimVerdict
from gemeval.metrics.grounding.extraction import ParsedText, extract_parsed
from gemeval.metrics.grounding.leads import TERRITORIES
from gemeval.metrics.grounding.text import ASCII_LOWER, word_matches
from gemeval.metrics.grounding.tolerances import CATEGORY_BANDS, RHYTHM_KINDS, Tolerances, tolerances_for
from gemeval.metrics.grounding.verification import finite, verify_claims
from gemeval.metrics.grounding.vocabulary import (
    FEATURE_PATTERNS,
    FEATURES,
    FINDING_WORDS_RE,
)
from gemeval.metrics.stats import DEFAULT_RESAMPLES, Estimate, bootstrap, percentile_ci
from gemeval.scoring import aggregate_means, metric_entry


def addressed_features(text: str) -> list[str]:
    """The key features of ``FEATURES`` that ``text`` mentions."""
    lowered = (text or "").translate(ASCII_LOWER)
    return [name for name, pattern in FEATURE_PATTERNS.items()
            if next(iter(word_matches(pattern, lowered)), None) is not None]


def leads_with_findings(text: str) -> list[str]:
    """The leads of ``LEADS`` that ``text`` names in a sentence that states a finding (a
    wave, segment, amplitude or direction word), territories expanded, in ``LEADS`` order."""
    if not text:
        return []
    return _leads_with_findings(ParsedText(text))


def _leads_with_findings(parsed: ParsedText) -> list[str]:
    finding_at = [m.start() for m in word_matches(FINDING_WORDS_RE, parsed.lowered)]
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


def magnitude_claim(verdict: ClaimVerdict) -> bool:
    """A numeric claim that states a magnitude: any number, except an amplitude whose band
    holds zero ("ST +0.00 mV", "S wave 0.03 mV"), which says there is no deflection and
    stays right whatever the scale of the numbers around it."""
    claim = verdict.claim
    if claim.value is None:
        return False
    if NUMERIC_QUANTITIES.get(claim.quantity) != "amplitude" or verdict.band is None:
        return True
    low, high = verdict.band
    return not (low <= 0.0 <= high)


def _counts(verdicts: Sequence[ClaimVerdict]) -> dict[str, int]:
    numeric = [v for v in verdicts if magnitude_claim(v)]
    counts = {
        "n_claims": len(verdicts),
        "n_verified": sum(v.status == "verified" for v in verdicts),
        "n_contradicted": sum(v.status == "contradicted" for v in verdicts),
        "n_checkable": sum(v.checkable for v in verdicts),
        "n_numeric_verified": sum(v.status == "verified" for v in numeric),
        "n_numeric_contradicted": sum(v.status == "contradicted" for v in numeric),
        "n_not_checked": sum(v.status == "not_checked" for v in verdicts),
    }
    for assertion in ASSERTIONS:
        counts["n_" + assertion] = sum(v.claim.assertion == assertion for v in verdicts)
    return counts


EVIDENCE_QUANTITIES: dict[str, tuple[str, ...]] = {
    "rhythm": ("rhythm",), "rate": ("hr_bpm", "rr_ms"), "pr": ("pr_ms",), "qrs": ("qrs_ms",),
    "qt": ("qt_ms", "qtc_ms", "qtc_fridericia_ms"), "axis": ("axis_deg",), "st": ("st_mv",),
}
"""Which claims are evidence of which key feature (``FEATURES``)."""


def truth_features(truth: dict[str, Any] | None) -> list[str]:
    """The key features the truth has a value for: the evidence a text can cite."""
    truth = truth or {}
    out = []
    for feature, quantities in EVIDENCE_QUANTITIES.items():
        if feature == "rhythm":
            has = isinstance(truth.get("rhythm"), str) and truth["rhythm"] in RHYTHM_KINDS
        elif feature == "st":
            table = truth.get("st_mv")
            has = isinstance(table, dict) and any(finite(v) is not None for v in table.values())
        else:
            has = any(finite(truth.get(q)) is not None for q in quantities)
        if has:
            out.append(feature)
    return out


def truth_finding_leads(truth: dict[str, Any] | None) -> list[str]:
    """The leads whose truth has an ST finding: elevated or depressed by the category bands
    (``CATEGORY_BANDS``), in ``LEADS`` order."""
    table = (truth or {}).get("st_mv")
    if not isinstance(table, dict):
        return []
    up = CATEGORY_BANDS[("st_mv", "elevated")].low[0]
    down = CATEGORY_BANDS[("st_mv", "depressed")].high[1]
    out = []
    for lead in LEADS:
        value = finite(table.get(lead))
        if value is not None and (value >= up or value <= down):
            out.append(lead)
    return out


CATEGORY_EVIDENCE = 0.5
"""What a verified category ("the PR is normal") counts as evidence of a feature the truth
has a number for, against 1 for a verified number: a category is right over a whole band,
a number pins the value. Rhythm has no number: its category counts 1."""


def evidence(verdicts: Sequence[ClaimVerdict], truth: dict[str, Any] | None) -> dict[str, Any]:
    """What of the truth the text cites with a verified claim (affirmed or negated): each
    key feature the truth has (``truth_features``) and each lead with an ST finding in the
    truth (``truth_finding_leads``) scores 1 when a verified number cites it (a number of
    the feature's quantities; an ST number naming the lead or a territory holding it),
    ``CATEGORY_EVIDENCE`` when only a verified category does, else 0.

    evidence_recall = the sum of those scores / (features + finding leads of the truth);
    None when the truth has neither."""
    features, leads = truth_features(truth), truth_finding_leads(truth)
    best: dict[str, float] = {}

    def cite(key: str, weight: float) -> None:
        best[key] = max(best.get(key, 0.0), weight)

    for v in verdicts:
        if v.status != "verified":
            continue
        c = v.claim
        weight = 1.0 if (c.value is not None and magnitude_claim(v)) or c.quantity == "rhythm" else CATEGORY_EVIDENCE
        for feature, quantities in EVIDENCE_QUANTITIES.items():
            if c.quantity in quantities:
                cite(feature, weight)
        if c.quantity == "st_mv" and c.lead is not None:
            for lead in TERRITORIES.get(c.lead, (c.lead,)):
                cite("lead:" + lead, 1.0 if c.value is not None else CATEGORY_EVIDENCE)
    expected = len(features) + len(leads)
    total = sum(best.get(f, 0.0) for f in features) + sum(best.get("lead:" + lead, 0.0) for lead in leads)
    return {
        "evidence_recall": total / expected if expected else None,
        "evidence_features": [f for f in features if f in best],
        "evidence_leads": [lead for lead in leads if "lead:" + lead in best],
        "n_evidence_expected": expected,
    }


def grounding_f(precision: float | None, recall: float | None) -> float | None:
    """The harmonic mean of claim precision and evidence recall; 0 when nothing of the
    truth is cited (a text with no verified claim), None when the truth has nothing to
    cite."""
    if recall is None:
        return None
    if recall == 0 or not precision:
        return 0.0
    return 2.0 * precision * recall / (precision + recall)


def grounding_scores(
    text: str,
    truth: dict[str, Any] | None,
    *,
    truth_source: str | None,
    reference_labels: Sequence[str] | None,
    label_space: str | Sequence[str] | None,
    tolerances: Tolerances | None = None,
    claims: Sequence[Claim] | None = None,
) -> dict[str, Any]:
    """All grounding numbers of one text; its claims are read by ``extract_claims`` unless
    ``claims`` gives them (e.g. listed by an LLM, ``gemeval.judge.claims``).

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
    parsed = ParsedText(text or "")
    verdicts = verify_claims(extract_parsed(parsed) if claims is None else claims, truth, bands)
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
    numeric_decided = counts["n_numeric_verified"] + counts["n_numeric_contradicted"]
    precision = counts["n_verified"] / decided if decided else None
    cited = evidence(verdicts, truth)
    return {
        "claim_precision": precision,
        "contradiction_rate": (counts["n_contradicted"] / counts["n_checkable"]
                               if counts["n_checkable"] else None),
        "numeric_precision": counts["n_numeric_verified"] / numeric_decided if numeric_decided else None,
        **cited,
        "grounding_f": grounding_f(precision, cited["evidence_recall"]),
        "not_checked_rate": counts["n_not_checked"] / counts["n_claims"] if counts["n_claims"] else None,
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

PREFIX = "grounding."

MEAN_METRICS: dict[str, bool] = {
    PREFIX + "claim_precision": True,
    PREFIX + "contradiction_rate": False,
    PREFIX + "numeric_precision": True,
    PREFIX + "evidence_recall": True,
    PREFIX + "grounding_f": True,
    PREFIX + "not_checked_rate": False,
    PREFIX + "feature_coverage": True,
    PREFIX + "lead_coverage": True,
    PREFIX + "diagnosis_f1": True,
}
"""Per-sample metrics averaged over samples (name -> higher is better)."""
SAMPLE_METRICS: tuple[str, ...] = tuple(key[len(PREFIX):] for key in MEAN_METRICS)
SAMPLE_COUNTS: tuple[str, ...] = (
    "n_claims", "n_checkable", "n_verified", "n_contradicted", "n_numeric_verified",
    "n_numeric_contradicted", "n_not_checked", "n_evidence_expected",
) + tuple("n_" + a for a in ASSERTIONS)
"""Per-sample counts stored beside the metrics."""


class GroundingScorer:
    """Grounding verification as a ``gemeval.scoring.Scorer``.

    Per sample (fields prefixed ``grounding.``): claim_precision, contradiction_rate,
    numeric_precision, evidence_recall, grounding_f, not_checked_rate, feature_coverage,
    lead_coverage, diagnosis_f1, the counts (``SAMPLE_COUNTS``: claims, checkable, verified,
    contradicted, and the claims of each assertion status, so a text that hedges every
    statement shows as such), the claim verdicts under ``grounding.claims`` and the truth
    source under ``grounding.truth_source``. The truth is ``sample.truth``, judged with the bands
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

    def score(self, sample: Any, prediction: Any, claims: Sequence[Claim] | None = None) -> dict[str, Any]:
        """The grounding fields of one sample; ``claims`` replaces the rule-based reading
        of the text (``gemeval run --claims llm``)."""
        if not prediction.ok:
            return {PREFIX + key: None for key in SAMPLE_METRICS + SAMPLE_COUNTS} | {
                PREFIX + "claims": [], PREFIX + "truth_source": sample.truth_source,
                PREFIX + "error": prediction.error or "no text"}
        reference = sample.reference.get("labels")
        if reference is None and sample.truth:
            reference = sample.truth.get("labels")
        scores = grounding_scores(
            prediction.text, sample.truth, truth_source=sample.truth_source,
            reference_labels=reference, label_space=self.label_space,
            tolerances=self.tolerances, claims=claims,
        )
        keep = SAMPLE_METRICS + SAMPLE_COUNTS + ("claims", "truth_source", "tolerances", "predicted_labels")
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
