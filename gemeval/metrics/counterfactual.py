"""Counterfactual metrics: do a model's claims follow the ECG when one feature changes?

The probe set (``gemeval.data.counterfactual``) holds groups of ECGs from one base record
that differ in one feature across a grid of levels. The scorer reads, for every variant,
what the text claims about each feature, with the grounding extractor
(``gemeval.metrics.grounding.extract_claims``, affirmed claims only):

* a number (a plain value, or the midpoint of a range; one-sided bounds are not readings);
* else a category, read as the value it stands for (``CATEGORY_VALUES``: "first-degree AV
  block" reads as a PR of 240 ms, "left axis deviation" as -60 degrees);
* ST: the claim about the group's index lead, else about its territory, else about no
  lead; rhythm: 1 for atrial fibrillation, 0 for sinus.

Per probe group (base record x feature), over the variants that have a reading:

sensitivity
    the share of level pairs whose claimed change has the direction of the true change
    and 0.5 to 2 times its size (a category-only text earns the pairs its categories
    separate); 1 for a text that reads the signal, 0 for one that never changes.
spearman
    Spearman's rank correlation between the true value and the reading across the grid;
    0 when the reading never changes (no ranking).
prior_following
    1 when the reading is the same at every level (all within ``same_within`` of the
    feature), else 0: the model wrote its prior whatever the ECG showed.
invariance
    the share of the *other* features (except physiologically linked ones) whose reading
    stays within their ``same_within`` across the group: claims about what did not
    change should not move. A constant text is perfectly invariant: read it beside
    sensitivity.
coverage
    1 when every variant has a reading of the varied feature.
flip (pr, qrs, qtc)
    1 when the diagnosis (an affirmed "prolonged PR" / first-degree AV block, "wide QRS" /
    bundle branch block, "prolonged QT") is stated at exactly the levels beyond the
    clinical threshold (PR > 200 ms, QRS >= 120 ms, QTc > 460 ms) and at none below.

A group needs readings in at least two variants for sensitivity, spearman, prior-following
and invariance (else it is left out of that metric and counted in ``n_failed``); a group
with a failed prediction is left out of every metric. Each metric is the mean over groups,
per feature (``cf.<feature>.<metric>``) and over all groups (``cf.<metric>``), with a
bootstrap CI that resamples whole base records (``Sample.group``). All are corpus functions
of the stored per-sample fields, so ``gemeval show --recompute``, compare and the leaderboard
recompute them from samples.jsonl alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import partial
from itertools import combinations
from typing import Any

import numpy as np

from gemeval.data.counterfactual import FEATURES, TERRITORY_LEADS
from gemeval.metrics.grounding import Claim, extract_claims
from gemeval.metrics.stats import DEFAULT_RESAMPLES, Estimate, bootstrap, percentile_ci
from gemeval.scoring import metric_entry

PREFIX = "cf."
CATEGORY_VALUES: dict[str, dict[str, float]] = {
    "hr": {"slow": 50.0, "normal": 75.0, "fast": 110.0},
    "pr": {"short": 110.0, "normal": 160.0, "prolonged": 240.0},
    "qrs": {"normal": 95.0, "wide": 140.0},
    "qtc": {"short": 340.0, "normal": 420.0, "prolonged": 490.0},
    "axis": {"left": -60.0, "normal": 45.0, "right": 120.0, "extreme": -135.0},
    "st": {"elevated": 0.2, "depressed": -0.15, "isoelectric": 0.0, "normal": 0.0},
    "rhythm": {"sinus": 0.0, "atrial_fibrillation": 1.0},
}
"""The value a category claim is read as, per feature (typical values of the category)."""

FLIPS: dict[str, tuple[str, Callable[[float], bool]]] = {
    "pr": ("prolonged", lambda v: v > 200.0),
    "qrs": ("wide", lambda v: v >= 120.0),
    "qtc": ("prolonged", lambda v: v > 460.0),
}
"""Diagnosis flips: feature -> (the category that is the diagnosis, truth beyond the threshold)."""

GROUP_METRICS: dict[str, bool] = {
    "sensitivity": True, "spearman": True, "prior_following": False, "invariance": True, "coverage": True,
}
"""Per-group metrics (name -> higher is better)."""


# ---------------------------------------------------------------------------------------
# Per sample: the readings
# ---------------------------------------------------------------------------------------


def _affirmed(claim: Claim) -> bool:
    """Stated as a fact about this ECG (not negated, hedged, hypothetical, a reference range
    or not assessable)."""
    return claim.assertion == "affirmed"


def _number(claim: Claim) -> float | None:
    if claim.value is None or claim.comparator not in (None, "range"):
        return None
    return float(claim.value)


def read_features(claims: Sequence[Claim], st_lead: str | None = None,
                  territory: str | None = None) -> dict[str, dict[str, Any]]:
    """feature -> {"value": reading or None, "category": first category claimed or None}."""
    affirmed = [c for c in claims if _affirmed(c)]
    st_places = [st_lead, territory, None]
    out: dict[str, dict[str, Any]] = {}
    for name, feature in FEATURES.items():
        mine = [c for c in affirmed if c.quantity == feature.quantity]
        if name == "st":
            # the index lead, else the territory, else no lead named (a global ST claim)
            ordered = [c for place in st_places for c in mine if c.lead == place]
            if territory:
                ordered += [c for c in mine if c.lead in TERRITORY_LEADS.get(territory, ()) and c not in ordered]
            mine = ordered
        else:
            mine = [c for c in mine if c.lead is None]
        number = next((v for v in map(_number, mine) if v is not None), None)
        category = next((c.category for c in mine if c.category in CATEGORY_VALUES[name]), None)
        value = number if number is not None else (CATEGORY_VALUES[name][category] if category else None)
        out[name] = {"value": value, "category": category,
                     "categories": sorted({str(c.category) for c in mine if c.category})}
    return out


class CounterfactualScorer:
    """Per sample (fields prefixed ``cf.``): the probe (base, feature, level_index, truth
    value of the varied feature, the ST index lead and territory of its base) from ``sample.meta["cf"]`` and the readings of every
    feature (``cf.readings``); a failed prediction stores ``cf.readings`` None."""

    name = "counterfactual"

    def __init__(self, task: Any = None, mode: str = "gemeval", **options: Any):
        self.mode = mode

    def score(self, sample: Any, prediction: Any) -> dict[str, Any]:
        probe = (sample.meta or {}).get("cf")
        if not probe:
            raise ValueError(f"sample {sample.id!r}: no counterfactual probe in its meta; "
                             "the counterfactual scorer needs the grounded-cf data source")
        row = {PREFIX + key: probe.get(key) for key in ("base", "feature", "level_index", "truth_value", "st_lead", "territory")}
        if not prediction.ok:
            return row | {PREFIX + "readings": None}
        claims = extract_claims(prediction.text)
        return row | {PREFIX + "readings": read_features(claims, probe.get("st_lead"), probe.get("territory"))}

    def aggregate(self, rows: Sequence[dict[str, Any]], groups: Sequence[str], seed: int = 0,
                  n_resamples: int = DEFAULT_RESAMPLES) -> dict[str, dict[str, Any]]:
        return corpus_entries(rows, groups, seed, n_resamples)


# ---------------------------------------------------------------------------------------
# Per probe group
# ---------------------------------------------------------------------------------------


def _spearman(truth: Sequence[float], claimed: Sequence[float]) -> float:
    from scipy.stats import rankdata

    rc = rankdata(claimed)
    if np.ptp(rc) == 0:
        return 0.0
    rt = rankdata(truth)
    return float(np.corrcoef(rt, rc)[0, 1])


def _tracks(dt: float, dc: float) -> bool:
    return dt != 0 and dc * dt > 0 and 0.5 <= dc / dt <= 2.0


def group_values(members: Sequence[dict[str, Any]]) -> dict[str, float | None]:
    """The per-group metrics of one probe group (its rows, any order)."""
    members = sorted(members, key=lambda r: r.get(PREFIX + "level_index") or 0)
    name = members[0][PREFIX + "feature"]
    feature = FEATURES[name]
    out: dict[str, float | None] = {key: None for key in GROUP_METRICS}
    out.update({f"flip.{k}": None for k in FLIPS})
    stored = [m.get(PREFIX + "readings") for m in members]
    if any(r is None for r in stored):  # a failed prediction: the group says nothing
        return out
    readings: list[dict[str, Any]] = [r for r in stored if r is not None]
    truth = [m.get(PREFIX + "truth_value") for m in members]
    pairs = [(t, r[name]["value"]) for t, r in zip(truth, readings) if t is not None and r[name]["value"] is not None]
    out["coverage"] = float(len(pairs) == len(members))
    if len(pairs) >= 2:
        t, c = [p[0] for p in pairs], [p[1] for p in pairs]
        tracked = [_tracks(t[j] - t[i], c[j] - c[i]) for i, j in combinations(range(len(pairs)), 2)]
        out["sensitivity"] = float(np.mean(tracked))
        out["spearman"] = _spearman(t, c)
        out["prior_following"] = float(max(c) - min(c) < feature.same_within)
    stable = []
    for other in FEATURES.values():
        if other.name == name or other.name in feature.linked:
            continue
        values = [r[other.name]["value"] for r in readings if r[other.name]["value"] is not None]
        if len(values) >= 2:
            stable.append(max(values) - min(values) < other.same_within)
    out["invariance"] = float(np.mean(stable)) if stable else None
    if name in FLIPS:
        category, beyond = FLIPS[name]
        if all(t is not None for t in truth):
            stated = [category in r[name]["categories"] for r in readings]
            out[f"flip.{name}"] = float(all(s == beyond(float(t)) for s, t in zip(stated, truth)))  # type: ignore[arg-type]
    return out


def probe_groups(rows: Sequence[dict[str, Any]]) -> tuple[list[tuple[str, str]], list[dict[str, float | None]], np.ndarray]:
    """The probe groups of ``rows``: their keys (base, feature), their metrics, and a
    (n_groups, n_rows) matrix whose row g averages the item weights of group g's rows."""
    index: dict[tuple[str, str], list[int]] = {}
    for i, row in enumerate(rows):
        if row.get(PREFIX + "feature") is None:
            continue
        index.setdefault((str(row[PREFIX + "base"]), str(row[PREFIX + "feature"])), []).append(i)
    keys = sorted(index)
    averaging = np.zeros((len(keys), len(rows)))
    values = []
    for g, key in enumerate(keys):
        averaging[g, index[key]] = 1.0 / len(index[key])
        values.append(group_values([rows[i] for i in index[key]]))
    return keys, values, averaging


def _weighted(rows: Sequence[dict[str, Any]], weights: np.ndarray, metric: str, feature: str | None) -> np.ndarray:
    """Mean of ``metric`` over the probe groups (of ``feature``, or all) under each row of
    item ``weights`` (B, n): a group weighs what its items weigh on average."""
    return _weighted_groups(probe_groups(rows), weights, metric, feature)


def _weighted_groups(found: tuple[list[tuple[str, str]], list[dict[str, float | None]], np.ndarray],
                     weights: np.ndarray, metric: str, feature: str | None) -> np.ndarray:
    keys, values, averaging = found
    picked = [g for g, (key, v) in enumerate(zip(keys, values))
              if v.get(metric) is not None and (feature is None or key[1] == feature)]
    w = np.atleast_2d(np.asarray(weights, dtype=np.float64)) @ averaging[picked].T  # (B, G)
    v = np.array([values[g][metric] for g in picked], dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (w @ v) / w.sum(axis=1) if picked else np.full(w.shape[0], np.nan)


def metric_names() -> dict[str, tuple[str, str | None, bool]]:
    """Every counterfactual metric: name -> (group metric, feature or None, higher is better)."""
    out: dict[str, tuple[str, str | None, bool]] = {}
    for metric, higher in GROUP_METRICS.items():
        out[PREFIX + metric] = (metric, None, higher)
        for name in FEATURES:
            out[f"{PREFIX}{name}.{metric}"] = (metric, name, higher)
    for name in FLIPS:
        out[f"{PREFIX}flip.{name}"] = (f"flip.{name}", name, True)
    return out


def _function_name(metric_name: str) -> str:
    return "weighted_" + metric_name[len(PREFIX):].replace(".", "_")


def _make(metric: str, feature: str | None) -> Callable[[Sequence[dict[str, Any]], np.ndarray], np.ndarray]:
    def corpus(rows: Sequence[dict[str, Any]], weights: np.ndarray) -> np.ndarray:
        return _weighted(rows, weights, metric, feature)

    corpus.__doc__ = f"{metric} over the probe groups{' of ' + feature if feature else ''}, per row of weights."
    return corpus


# One module-level corpus function per metric, so results.json can name each as
# "gemeval.metrics.counterfactual:weighted_<metric>".
for _name, (_metric, _feature, _higher) in metric_names().items():
    globals()[_function_name(_name)] = _make(_metric, _feature)


def corpus_entries(rows: Sequence[dict[str, Any]], groups: Sequence[str], seed: int,
                   n_resamples: int) -> dict[str, dict[str, Any]]:
    """Every metric of ``metric_names`` with its clustered bootstrap CI (whole base records)."""
    found = probe_groups(rows)
    keys, values, _ = found
    out: dict[str, dict[str, Any]] = {}
    for name, (metric, feature, higher) in metric_names().items():
        mine = [v for key, v in zip(keys, values) if feature is None or key[1] == feature]
        decided = [float(v[metric]) for v in mine if v.get(metric) is not None]  # type: ignore[arg-type]
        if not decided:
            estimate = Estimate(math.nan, math.nan, math.nan, 0)
        else:
            point = float(np.mean(decided))
            statistic = partial(_weighted_groups, found, metric=metric, feature=feature)
            draws = bootstrap(statistic, len(rows), n_resamples, seed, list(groups))
            lo, hi = percentile_ci(draws)
            estimate = Estimate(point, lo, hi, len(decided))
        out[name] = metric_entry(estimate, len(mine) - len(decided), higher,
                                 corpus=f"{__name__}:{_function_name(name)}", unit="probe groups")
    return out
