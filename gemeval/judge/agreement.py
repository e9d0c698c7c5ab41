"""Judge agreement and spread of the runs on disk: ``gemeval judge agreement RUN_A RUN_B`` and
``gemeval judge spread RUN``. The statistics themselves are in ``gemeval.judge.reliability``
(the judge engine uses them without reading run directories).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, cast

from gemeval.errors import InputError
from gemeval.judge.reliability import criterion_agreement, repeat_spread
from gemeval.store import SAMPLES, read_samples

__all__ = ["AgreementError", "criterion_agreement", "judge_records", "repeat_spread", "run_agreement", "run_spread"]


class AgreementError(InputError):
    """Runs that cannot be compared, naming the run directory and what to do."""


def judge_records(run_dir: Path) -> dict[str, dict[str, Any]]:
    """The sample records of a run that carry a judge record, by id."""
    if not (Path(run_dir) / SAMPLES).is_file():
        raise AgreementError(f"{run_dir} has no {SAMPLES}; give a run directory that `gemeval run` wrote")
    records = {str(rec["id"]): cast("dict[str, Any]", rec)
               for rec in read_samples(Path(run_dir)) if isinstance(rec.get("judge"), dict)}
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
