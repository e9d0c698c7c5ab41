"""Judge reliability: do two judgements of the same outputs agree, and how far does one
judge move when it grades the same outputs again?

Agreement, per criterion, over the samples both sides scored (pairs with a missing side
are left out and counted in ``n_missing``):

- Spearman's rho (``scipy.stats.spearmanr``); NaN when either side is constant.
- Weighted Cohen's kappa (``sklearn.metrics.cohen_kappa_score``, quadratic weights) on the
  per-sample values rounded to integers, with every integer from the smallest to the largest
  value as a category, so that a disagreement weighs by its size in the criterion's own
  units (0-10 points, 0-100, percent); NaN when there is a single category.
- Mean absolute difference ``mean |a - b|``, in the criterion's unit.

Spread of K repeats (``--judge-repeats K``, the null control of a CI gate): per criterion,
the mean over samples of the within-sample standard deviation across repeats (population
SD), the largest within-sample range, each repeat's mean over samples, and the standard
deviation of those means, which is how far the headline number moves by judge noise alone.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from gemeval.store import SAMPLES, read_samples
from gemeval.errors import InputError

MAX_KAPPA_CATEGORIES = 10_001


class AgreementError(InputError):
    """Runs that cannot be compared, naming the run directory and what to do."""


def _nan_to_none(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def criterion_agreement(a: Sequence[float | None], b: Sequence[float | None]) -> dict[str, Any]:
    """Spearman, quadratic-weighted kappa and mean absolute difference of paired values."""
    from scipy.stats import spearmanr
    from sklearn.metrics import cohen_kappa_score

    if len(a) != len(b):
        raise ValueError(f"paired values differ in length: {len(a)} and {len(b)}")
    pairs = [(float(x), float(y)) for x, y in zip(a, b) if x is not None and y is not None]
    out: dict[str, Any] = {"n": len(pairs), "n_missing": len(a) - len(pairs)}
    if not pairs:
        return {**out, "spearman": None, "kappa_quadratic": None, "mad": None, "mean_a": None, "mean_b": None}
    av, bv = np.array(pairs).T
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rho = spearmanr(av, bv).statistic if len(pairs) > 1 else float("nan")
        ai, bi = np.rint(av).astype(int), np.rint(bv).astype(int)
        lo, hi = int(min(ai.min(), bi.min())), int(max(ai.max(), bi.max()))
        kappa = (
            cohen_kappa_score(ai, bi, labels=list(range(lo, hi + 1)), weights="quadratic")
            if 1 < hi - lo + 1 <= MAX_KAPPA_CATEGORIES else float("nan")
        )
    return {
        **out, "spearman": _nan_to_none(rho), "kappa_quadratic": _nan_to_none(kappa),
        "mad": float(np.abs(av - bv).mean()), "mean_a": float(av.mean()), "mean_b": float(bv.mean()),
    }


def repeat_spread(per_sample: Sequence[Sequence[Mapping[str, float | None]]]) -> dict[str, dict[str, Any]]:
    """``per_sample[i][r]`` is sample i's values (key -> value or None) in repeat r."""
    keys: list[str] = []
    for repeats in per_sample:
        for values in repeats:
            keys.extend(k for k in values if k not in keys)
    n_repeats = max((len(r) for r in per_sample), default=0)
    out: dict[str, dict[str, Any]] = {}
    for key in keys:
        sds, ranges = [], []
        by_repeat: list[list[float]] = [[] for _ in range(n_repeats)]
        for repeats in per_sample:
            values = [v.get(key) for v in repeats]
            for r, v in enumerate(values):
                if v is not None:
                    by_repeat[r].append(float(v))
            present = [float(v) for v in values if v is not None]
            if len(present) >= 2:
                sds.append(float(np.std(present)))
                ranges.append(max(present) - min(present))
        means = [float(np.mean(r)) if r else None for r in by_repeat]
        finite = [m for m in means if m is not None]
        out[key] = {
            "n": len(sds),
            "mean_sd": float(np.mean(sds)) if sds else None,
            "max_range": max(ranges) if ranges else None,
            "repeat_means": means,
            "sd_of_repeat_means": float(np.std(finite, ddof=1)) if len(finite) > 1 else None,
        }
    return out


def judge_records(run_dir: Path) -> dict[str, dict[str, Any]]:
    """The sample records of a run that carry a judge record, by id."""
    if not (Path(run_dir) / SAMPLES).is_file():
        raise AgreementError(f"{run_dir} has no {SAMPLES}; give a run directory that `gemeval run` wrote")
    records = {str(rec["id"]): rec for rec in read_samples(Path(run_dir)) if isinstance(rec.get("judge"), dict)}
    if not records:
        raise AgreementError(
            f"{run_dir}: no sample has a judge record; run `gemeval run` with --judge MODEL first"
        )
    return records


def _rubric_of(run_dir: Path, records: Mapping[str, Mapping[str, Any]]):
    from gemeval.judge.rubric import load_rubric

    names = {rec["judge"].get("rubric") for rec in records.values()}
    if len(names) != 1 or None in names:
        raise AgreementError(f"{run_dir}: the judge records name rubrics {sorted(map(str, names))}; expected one")
    rubric = load_rubric(names.pop())
    shas = {rec["judge"].get("rubric_sha256") for rec in records.values()}
    return rubric, sorted(s for s in shas if s and s != rubric.sha256)


def _rule_of(records: Mapping[str, Mapping[str, Any]], rule: str | None) -> str | None:
    if rule:
        return rule
    return next((rec["judge"].get("rule") for rec in records.values() if rec["judge"].get("rule")), None)


def run_agreement(run_a: Path, run_b: Path, rule: str | None = None) -> dict[str, Any]:
    """Agreement of the judge records of two runs, paired by sample id."""
    recs_a, recs_b = judge_records(run_a), judge_records(run_b)
    rubric, stale_a = _rubric_of(run_a, recs_a)
    rubric_b, stale_b = _rubric_of(run_b, recs_b)
    if rubric.name != rubric_b.name:
        raise AgreementError(
            f"{run_a} was judged with rubric {rubric.name!r} and {run_b} with {rubric_b.name!r}; "
            "compare runs judged with the same rubric"
        )
    rule = rubric.resolve_rule(_rule_of(recs_a, rule)).name
    ids = sorted(set(recs_a) & set(recs_b))
    if not ids:
        raise AgreementError(f"{run_a} and {run_b} share no sample id; compare runs of the same task")
    scores_a = [rubric.record_scores(recs_a[i]["judge"], rule) for i in ids]
    scores_b = [rubric.record_scores(recs_b[i]["judge"], rule) for i in ids]
    keys = [name.split(".", 1)[1] for name in rubric.metric_names(rule)]
    judge_a = sorted({str(r["judge"].get("judge_model")) for r in recs_a.values()})
    judge_b = sorted({str(r["judge"].get("judge_model")) for r in recs_b.values()})
    return {
        "run_a": str(run_a), "run_b": str(run_b), "rubric": rubric.name, "rubric_version": rubric.version,
        "rubric_sha256": rubric.sha256, "stale_rubric_sha256": sorted(set(stale_a) | set(stale_b)),
        "rule": rule, "judge_a": judge_a, "judge_b": judge_b,
        "n_a": len(recs_a), "n_b": len(recs_b), "n_paired": len(ids),
        "only_a": len(set(recs_a) - set(recs_b)), "only_b": len(set(recs_b) - set(recs_a)),
        "outputs_differ": sum(recs_a[i].get("prediction") != recs_b[i].get("prediction") for i in ids),
        "criteria": {k: criterion_agreement([s[k] for s in scores_a], [s[k] for s in scores_b]) for k in keys},
    }


def run_spread(run_dir: Path, rule: str | None = None) -> dict[str, Any]:
    """The spread of a run judged with ``--judge-repeats K`` (K >= 2)."""
    records = judge_records(run_dir)
    rubric, stale = _rubric_of(run_dir, records)
    rule = rubric.resolve_rule(_rule_of(records, rule)).name
    per_sample = [
        [rubric.sample_scores(r.get("parsed"), rule) for r in rec["judge"]["repeats"]]
        for rec in records.values() if len(rec["judge"].get("repeats") or []) >= 2
    ]
    if not per_sample:
        raise AgreementError(f"{run_dir}: no sample was judged more than once; rerun with --judge-repeats 3")
    return {
        "run": str(run_dir), "rubric": rubric.name, "rubric_sha256": rubric.sha256, "stale_rubric_sha256": stale,
        "rule": rule, "n_samples": len(per_sample), "repeats": max(len(r) for r in per_sample),
        "criteria": repeat_spread(per_sample),
    }
