"""Run directories for the report tests, written through gemeval.store in the format the run
pipeline writes (config.json, samples.jsonl, results.json), from given per-sample values.

results.json is aggregated by the library's own ``aggregate_means`` (per-sample metrics and
judge criteria) and bootstrap (corpus metrics), so a report that recomputes from the samples
must agree with it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import numpy as np

from gemeval.metrics.stats import bootstrap, percentile_ci
from gemeval.scoring import aggregate_means
from gemeval.store import SampleWriter, write_json

CORPUS_F1 = "runs_for_tests:micro_f1"
JUDGE = {
    "model": "gpt-4o", "base_url": None, "rubric": "grounding", "rubric_version": "1",
    "rubric_sha256": "rubric-sha-1", "rule": "gem-notebook-current",
}


def micro_f1(rows: list[dict[str, Any]], weights: np.ndarray) -> np.ndarray:
    """Micro F1 over ``multilabel.y_true``/``y_pred`` with bootstrap weights (the corpus
    metric contract: rows x weights (n_resamples, n_rows) -> (n_resamples,))."""
    y_true = np.array([r["multilabel.y_true"] for r in rows], dtype=np.float64)
    y_pred = np.array([r["multilabel.y_pred"] for r in rows], dtype=np.float64)
    tp = weights @ (y_true * y_pred).sum(axis=1)
    fp = weights @ ((1 - y_true) * y_pred).sum(axis=1)
    fn = weights @ (y_true * (1 - y_pred)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return 2 * tp / (2 * tp + fp + fn)


def records(
    values: dict[str, Sequence[float | None]],
    groups: Sequence[str] | None = None,
    judge_scores: dict[str, Sequence[float | None]] | None = None,
    texts: Sequence[str] | None = None,
    labels: tuple[Sequence[Sequence[int]], Sequence[Sequence[int]]] | None = None,
    prefix: str = "syn",
) -> list[dict[str, Any]]:
    """Sample records with the given per-sample metric values (None = could not score)."""
    n = len(next(iter(values.values()))) if values else len(next(iter((judge_scores or {}).values())))
    groups = list(groups) if groups is not None else [f"{prefix}-{i:05d}" for i in range(n)]
    out = []
    for i in range(n):
        metrics: dict[str, Any] = {k: (None if v[i] is None else float(v[i])) for k, v in values.items()}
        if labels is not None:
            metrics["multilabel.y_true"] = list(labels[0][i])
            metrics["multilabel.y_pred"] = list(labels[1][i])
        judge = None
        if judge_scores is not None:
            scores = {c: (None if v[i] is None else float(v[i])) for c, v in judge_scores.items()}
            judge = {"scores": scores, "raw": "{}", "failures": [c for c, s in scores.items() if s is None],
                     "usage": {}, "cached": False}
        out.append({
            "id": f"{prefix}-{i:05d}-item", "group": groups[i], "prompt_sha256": "p" * 64,
            "prediction": {"text": texts[i] if texts is not None else f"answer {i}", "error": None,
                           "latency_s": 0.01, "usage": {}},
            "reference": {"text": f"reference {i}"}, "metrics": metrics, "judge": judge, "error": None,
        })
    return out


def write_run(
    run_dir: Path,
    samples: list[dict[str, Any]],
    *,
    model: str = "measure",
    task: str = "grounded",
    task_version: int = 1,
    fingerprint: str = "data-fingerprint-1",
    prompt_sha256: str = "prompts-1",
    judge: dict[str, Any] | None = None,
    created_at: str = "2025-06-01T12:00:00+00:00",
    headline: Sequence[str] | None = None,
    lower_is_better: Sequence[str] = (),
    corpus: bool = False,
    cost_usd: float = 0.0,
    n_resamples: int = 200,
    source: str = "synthetic",
    data_n: int | None = None,
) -> Path:
    """Write config.json, samples.jsonl and results.json for ``samples``; returns run_dir.
    ``data_n``: the size of the data set the run drew from (a partial run scored fewer)."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    data = {"source": source, "fingerprint": fingerprint, "n": data_n or len(samples), "n_selected": len(samples),
            "synthetic_fallback": False, "prompt_sha256": prompt_sha256}
    config = {
        "format_version": 1, "run_id": f"{model}-{run_dir.name}", "command": f"gemeval run --model {model} --task {task}",
        "created_at": created_at,
        "task": {"name": task, "version": task_version, "sha256": f"task-sha-{task_version}", "kind": task},
        "model": {"name": model, "label": model, "args": {}, "describe": {"label": model}},
        "modality": "signal", "scoring": "gemeval", "seed": 0, "limit": None, "shard": None,
        "data": data, "judge": judge, "versions": {"gemeval": "0.1.0"}, "git_sha": "0" * 40,
    }
    write_json(run_dir / "config.json", config)
    with SampleWriter(run_dir) as writer:
        writer.write_many(samples)
    groups = [s["group"] for s in samples]
    rows = [s["metrics"] for s in samples]
    scalar_keys = [k for k in rows[0] if not k.startswith("multilabel.")]
    metrics = aggregate_means(rows, groups, {k: k not in lower_is_better for k in scalar_keys}, n_resamples=n_resamples)
    for k in scalar_keys:
        metrics[k]["per_sample_key"] = k
    parse_failures: dict[str, int] = {}
    if samples[0]["judge"] is not None:
        judge_rows = [s["judge"]["scores"] for s in samples]
        for criterion in judge_rows[0]:
            entry = aggregate_means(judge_rows, groups, {criterion: True}, n_resamples=n_resamples)[criterion]
            metrics[f"judge.{criterion}"] = entry | {"per_sample_key": f"judge.{criterion}"}
            parse_failures[criterion] = entry["n_failed"]
    if corpus:
        point = float(micro_f1(rows, np.ones((1, len(rows))))[0])
        draws = bootstrap(lambda w: micro_f1(rows, w), len(rows), n_resamples, 0, groups)
        lo, hi = percentile_ci(draws)
        metrics["multilabel.micro_f1"] = {"value": point, "ci_low": lo, "ci_high": hi, "n": len(rows), "n_failed": 0,
                                          "higher_is_better": True, "corpus": CORPUS_F1}
    results = {
        "format_version": 1, "run_id": config["run_id"], "task": task, "task_version": task_version, "model": model,
        "model_label": model, "modality": "signal", "scoring": "gemeval", "n_samples": len(samples), "n_errors": 0,
        "data": data,
        "judge": None if judge is None else judge | {"parse_failures": parse_failures, "calls": 0, "cache_hits": len(samples)},
        "metrics": metrics, "headline": list(headline) if headline is not None else list(metrics)[:3],
        "cost_usd": cost_usd, "tokens": {"prompt": 0, "completion": 0},
        "timing": {"wall_s": 1.0, "model_s": 1.0, "judge_s": 0.0}, "created_at": created_at, "gemeval_version": "0.1.0",
    }
    write_json(run_dir / "results.json", results)
    return run_dir
