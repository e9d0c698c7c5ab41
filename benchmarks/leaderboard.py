"""Seconds for the report layer: a leaderboard over 50 runs of 5,000 samples each, and a
compare of two 5,000-sample runs with 10,000 bootstrap resamples.

The runs are written here, in a temporary folder, in the run-directory format (one sample
line is about 1.5 KB: prediction text, reference, grounding metrics with claim verdicts,
eight judge criteria with the judge's raw answer). Two distinct runs are generated; the
other 48 leaderboard runs hard-link their samples.jsonl and differ in model label.

Anchors, measured in the same run:
- leaderboard: reading every per-sample record of the 50 runs (``gemeval.store.read_samples``),
  the floor of anything that recomputes the numbers from the samples (as ``--verify`` does);
- compare: ``gemeval.metrics.stats.paired_difference_ci`` called once per metric, each with
  its own resampling (the statistics alone, no file reading), against ``compare_runs``,
  which shares one set of resamples across all metrics and includes reading both runs.

    python benchmarks/leaderboard.py [--runs 50] [--samples 5000] [--resamples 10000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from gemeval.metrics.stats import mean_ci, paired_difference_ci
from gemeval.report.compare import compare_runs, load_run, per_sample_values
from gemeval.report.html import to_html
from gemeval.report.leaderboard import build_leaderboard, to_csv, to_markdown
from gemeval.report.reference import load_reference
from gemeval.scoring import aggregate_means
from gemeval.store import SampleWriter, read_json, read_samples, write_json

TARGET_LEADERBOARD_S = 5.0
TARGET_COMPARE_S = 2.0
CRITERIA = ("DiagnosisAccuracy", "AnalysisCompleteness", "AnalysisRelevance", "LeadAssessmentCoverage",
            "LeadAssessmentAccuracy", "ECGFeatureGrounding", "EvidenceBasedReasoning", "ClinicalDiagnosticFidelity")
GROUNDING = ("grounding.claim_precision", "grounding.contradiction_rate", "grounding.diagnosis_f1",
             "grounding.feature_coverage")
JUDGE = {"model": "gpt-4o", "base_url": None, "rubric": "grounding", "rubric_version": "1",
         "rubric_sha256": "r" * 64, "rule": "gem-notebook-current"}


def seconds(work: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def sample_records(n: int, quality: float, rng: np.random.Generator) -> list[dict]:
    out = []
    for i in range(n):
        metrics = {k: float(rng.random() * quality) for k in GROUNDING}
        metrics["grounding.claims"] = [
            {"claim": "QRS 96 ms", "key": "qrs_ms", "value": 96.0, "truth": 92.0, "verdict": "supported"}
            for _ in range(5)
        ]
        scores = {c: float(rng.choice([0.0, 50.0, 80.0, 100.0])) for c in CRITERIA}
        out.append({
            "id": f"syn-{i:05d}", "group": f"ecg-{i // 2:05d}", "prompt_sha256": "p" * 64,
            "prediction": {"text": "Sinus rhythm at 72 bpm; PR 160 ms, QRS 96 ms, QTc 420 ms, axis +45. " * 7,
                           "error": None, "latency_s": 0.8, "usage": {"prompt_tokens": 900, "completion_tokens": 200}},
            "reference": {"text": "Sinus rhythm. Normal ECG. " * 10},
            "metrics": metrics,
            "judge": {"scores": scores, "raw": '{"DiagnosisAccuracy": [{"Score": 2, "Explanation": "..."}]} ' * 6,
                      "failures": [], "usage": {"prompt_tokens": 1500, "completion_tokens": 300}, "cached": True},
            "error": None,
        })
    return out


def write_run(run_dir: Path, label: str, samples: list[dict]) -> None:
    run_dir.mkdir(parents=True)
    groups = [s["group"] for s in samples]
    metrics = aggregate_means([s["metrics"] for s in samples], groups, {k: k != "grounding.contradiction_rate" for k in GROUNDING})
    for k in GROUNDING:
        metrics[k]["per_sample_key"] = k
    judge_rows = [s["judge"]["scores"] for s in samples]
    for c in CRITERIA:
        metrics[f"judge.{c}"] = aggregate_means(judge_rows, groups, {c: True})[c] | {"per_sample_key": f"judge.{c}"}
    data = {"source": "synthetic", "fingerprint": "f" * 64, "n": len(samples), "n_selected": len(samples),
            "prompt_sha256": "p" * 64}
    config = {"format_version": 1, "run_id": label, "created_at": "2025-06-01T00:00:00+00:00",
              "task": {"name": "grounded", "version": 1, "sha256": "t" * 64, "kind": "grounded"},
              "model": {"name": label, "label": label, "args": {}}, "modality": "signal", "scoring": "gemeval",
              "data": data, "judge": JUDGE}
    write_json(run_dir / "config.json", config)
    with SampleWriter(run_dir) as writer:
        writer.write_many(samples)
    write_json(run_dir / "results.json", {
        "format_version": 1, "run_id": label, "task": "grounded", "task_version": 1, "model": label,
        "modality": "signal", "scoring": "gemeval", "n_samples": len(samples), "n_errors": 0, "data": data,
        "judge": JUDGE | {"parse_failures": {c: 0 for c in CRITERIA}, "calls": 0, "cache_hits": len(samples)},
        "metrics": metrics, "headline": ["grounding.claim_precision", "grounding.contradiction_rate", "judge.DiagnosisAccuracy"],
        "cost_usd": 0.0, "created_at": "2025-06-01T00:00:00+00:00", "gemeval_version": "0.1.0",
    })


def clone_run(source: Path, run_dir: Path, label: str) -> None:
    """Another run with the same samples (hard-linked) and its own label."""
    run_dir.mkdir(parents=True)
    os.link(source / "samples.jsonl", run_dir / "samples.jsonl")
    for name in ("config.json", "results.json"):
        data = read_json(source / name)
        data["run_id"] = label
        if name == "config.json":
            data["model"] = data["model"] | {"name": label, "label": label}
        else:
            data["model"] = label
        write_json(run_dir / name, data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--samples", type=int, default=5000)
    parser.add_argument("--resamples", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "runs"
        start = time.perf_counter()
        base, cand = root / "model-000", root / "model-001"
        write_run(base, "model-000", sample_records(args.samples, 0.9, rng))
        write_run(cand, "model-001", sample_records(args.samples, 0.85, rng))
        for i in range(2, args.runs):
            clone_run(base if i % 2 == 0 else cand, root / f"model-{i:03d}", f"model-{i:03d}")
        size_mb = (base / "samples.jsonl").stat().st_size / 1e6
        print(f"wrote {args.runs} runs x {args.samples} samples ({size_mb:.1f} MB of samples.jsonl each) "
              f"in {time.perf_counter() - start:.1f} s")

        reference = load_reference()

        def leaderboard() -> None:
            board = build_leaderboard([root], reference)
            to_markdown(board)
            to_csv(board)

        board_s = seconds(leaderboard, args.repeats)
        html_s = seconds(lambda: to_html(build_leaderboard([root], reference)), 1)
        verify_s = seconds(lambda: build_leaderboard([root], reference, verify=True), 1)
        anchor_read_s = seconds(lambda: [read_samples(p) for p in sorted(root.iterdir())], 1)
        print(f"leaderboard ({args.runs} runs, md + csv): {board_s:.3f} s (target < {TARGET_LEADERBOARD_S:g} s); "
              f"anchor, reading every sample record: {anchor_read_s:.2f} s; ratio {board_s / anchor_read_s:.3f}")
        print(f"leaderboard as HTML (charts included): {html_s:.2f} s")
        print(f"leaderboard --verify (recomputes every point value from the samples): {verify_s:.2f} s")

        def compare() -> None:
            compare_runs(load_run(base), load_run(cand), n_resamples=args.resamples)

        compare_s = seconds(compare, args.repeats)
        run_a, run_b = load_run(base), load_run(cand)
        names = list(run_a.results["metrics"])
        groups = [s["group"] for s in run_a.samples]
        pairs = [(per_sample_values(run_a.samples, run_a.results["metrics"][m]["per_sample_key"]),
                  per_sample_values(run_b.samples, run_b.results["metrics"][m]["per_sample_key"])) for m in names]

        def per_metric_anchor() -> None:
            for a, b in pairs:
                paired_difference_ci(a, b, groups=groups, n_resamples=args.resamples)

        anchor_s = seconds(per_metric_anchor, 1)
        print(f"compare (2 x {args.samples} samples, {len(names)} metrics, {args.resamples} resamples, "
              f"files read included): {compare_s:.3f} s (target < {TARGET_COMPARE_S:g} s); "
              f"anchor, stats.paired_difference_ci per metric: {anchor_s:.2f} s; ratio {compare_s / anchor_s:.3f}")
        values = pairs[0][0]
        mean_s = seconds(lambda: mean_ci(values, n_resamples=args.resamples), args.repeats)
        mean_grouped_s = seconds(lambda: mean_ci(values, groups=groups, n_resamples=args.resamples), args.repeats)
        print(f"stats.mean_ci ({args.samples} values, {args.resamples} resamples): {mean_s:.3f} s plain, "
              f"{mean_grouped_s:.3f} s clustered (2 items per ECG)")


if __name__ == "__main__":
    main()
