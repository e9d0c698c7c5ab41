"""`gemeval compare`: paired differences recomputed from the per-sample records."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from gemeval.cli import app
from gemeval.report.compare import (
    MetricError,
    RunMismatchError,
    compare_runs,
    config_differences,
    load_run,
    mcnemar_exact,
    paired_draws,
)
from gemeval.store import RunStoreError
from runs_for_tests import JUDGE, micro_f1, records, write_run

runner = CliRunner()


def _accuracy_pair(tmp_path, n=200, flips=10, seed=0, **kwargs):
    rng = np.random.default_rng(seed)
    correct = (rng.random(n) < 0.8).astype(float)
    worse = correct.copy()
    flipped = np.flatnonzero(correct == 1)[:flips]
    worse[flipped] = 0.0
    a = write_run(tmp_path / "a", records({"mcq.correct": correct}), model="base")
    b = write_run(tmp_path / "b", records({"mcq.correct": worse}), model="cand", **kwargs)
    return a, b, flipped


def test_identical_runs_have_zero_difference_and_nothing_changed(tmp_path):
    a, _, _ = _accuracy_pair(tmp_path)
    result = compare_runs(load_run(a), load_run(a), n_resamples=500)
    (m,) = result.metrics
    assert m.diff == 0.0 and m.ci_low == 0.0 and m.ci_high == 0.0
    assert m.changed == [] and m.mcnemar.lost == 0 and m.mcnemar.p_value == 1.0
    assert result.n_prediction_changed == 0


def test_known_drop_is_measured_exactly_with_mcnemar_and_changed_items(tmp_path):
    a, b, flipped = _accuracy_pair(tmp_path, n=200, flips=10)
    run_a, run_b = load_run(a), load_run(b)
    result = compare_runs(run_a, run_b, n_resamples=2000)
    (m,) = result.metrics
    assert m.diff == pytest.approx(-10 / 200)
    assert m.diff == pytest.approx(run_b.results["metrics"]["mcq.correct"]["value"] - run_a.results["metrics"]["mcq.correct"]["value"])
    assert m.ci_low < m.ci_high < 0 and m.significant
    assert (m.mcnemar.lost, m.mcnemar.gained) == (10, 0)
    assert m.mcnemar.p_value == pytest.approx(2 * 0.5**10)
    assert sorted(c.id for c in m.changed) == sorted(f"syn-{i:05d}-item" for i in flipped)
    assert all(c.value_a == 1.0 and c.value_b == 0.0 for c in m.changed)


def test_mcnemar_only_for_zero_one_values():
    assert mcnemar_exact(np.array([0.2, 1.0]), np.array([1.0, 0.0])) is None
    result = mcnemar_exact(np.array([1, 1, 0, np.nan]), np.array([0, 1, 1, 0.0]))
    assert (result.lost, result.gained, result.p_value) == (1, 1, 1.0)


def test_items_sharing_an_ecg_are_resampled_together(tmp_path):
    """Five items per ECG with the same change: the clustered CI must be about sqrt(5) wider
    than one that treats the 500 items as independent."""
    rng = np.random.default_rng(3)
    n_ecgs, k = 100, 5
    base = np.repeat(rng.normal(0.7, 0.1, n_ecgs), k)
    change = np.repeat(rng.normal(0.0, 0.05, n_ecgs), k)
    ecg_groups = np.repeat([f"ecg-{i}" for i in range(n_ecgs)], k)
    clustered = paired_draws({"m": base}, {"m": base + change}, list(ecg_groups), n_resamples=4000, seed=1)
    naive = paired_draws({"m": base}, {"m": base + change}, [str(i) for i in range(n_ecgs * k)], n_resamples=4000, seed=1)
    width = lambda d: np.subtract(*np.percentile(d.draws["m"], [97.5, 2.5]))  # noqa: E731
    assert width(clustered) / width(naive) == pytest.approx(np.sqrt(k), rel=0.15)

    a = write_run(tmp_path / "a", records({"m": base}, groups=ecg_groups), model="base")
    b = write_run(tmp_path / "b", records({"m": base + change}, groups=ecg_groups), model="cand")
    (m,) = compare_runs(load_run(a), load_run(b), n_resamples=4000, seed=1).metrics
    assert (m.ci_low, m.ci_high) == pytest.approx(tuple(np.percentile(clustered.draws["m"], [2.5, 97.5])))


def test_missing_values_are_left_out_of_each_side_as_the_run_did(tmp_path):
    values_a = [1.0, 0.0, 1.0, None, 1.0, 0.0]
    values_b = [1.0, None, None, 1.0, 0.0, 0.0]
    a = write_run(tmp_path / "a", records({"mcq.correct": values_a}), model="base")
    b = write_run(tmp_path / "b", records({"mcq.correct": values_b}), model="cand")
    (m,) = compare_runs(load_run(a), load_run(b), n_resamples=200).metrics
    assert m.value_a == pytest.approx(3 / 5) and m.value_b == pytest.approx(2 / 4)
    assert (m.n_failed_a, m.n_failed_b) == (1, 2)
    assert {c.id for c in m.changed} == {f"syn-{i:05d}-item" for i in (1, 2, 3, 4)}


def test_judge_criteria_and_corpus_metrics_are_recomputed(tmp_path):
    rng = np.random.default_rng(5)
    n = 120
    y_true = (rng.random((n, 5)) < 0.3).astype(int)
    pred_a = np.where(rng.random((n, 5)) < 0.85, y_true, 1 - y_true)
    pred_b = np.where(rng.random((n, 5)) < 0.95, y_true, 1 - y_true)
    scores_a = {"DiagnosisAccuracy": rng.choice([0.0, 50.0, 100.0], n)}
    scores_b = {"DiagnosisAccuracy": np.clip(scores_a["DiagnosisAccuracy"] + 50.0, 0, 100)}
    a = write_run(tmp_path / "a", records({"grounding.claim_precision": rng.random(n)}, judge_scores=scores_a,
                                          labels=(y_true, pred_a)), model="base", judge=JUDGE, corpus=True)
    b = write_run(tmp_path / "b", records({"grounding.claim_precision": rng.random(n)}, judge_scores=scores_b,
                                          labels=(y_true, pred_b)), model="cand", judge=JUDGE, corpus=True)
    result = compare_runs(load_run(a), load_run(b), n_resamples=1000)
    by_name = {m.metric: m for m in result.metrics}
    judge = by_name["judge.DiagnosisAccuracy"]
    assert judge.diff == pytest.approx(np.mean(scores_b["DiagnosisAccuracy"]) - np.mean(scores_a["DiagnosisAccuracy"]))
    f1 = by_name["multilabel.micro_f1"]
    ones = np.ones((1, n))
    rows = lambda pred: [{"multilabel.y_true": t, "multilabel.y_pred": p} for t, p in zip(y_true, pred)]  # noqa: E731
    assert f1.kind == "corpus"
    assert f1.diff == pytest.approx(micro_f1(rows(pred_b), ones)[0] - micro_f1(rows(pred_a), ones)[0])
    assert f1.ci_low < f1.diff < f1.ci_high and f1.ci_low > 0


def test_mismatched_runs_are_refused_with_what_differs(tmp_path):
    a = write_run(tmp_path / "a", records({"mcq.correct": [1.0, 0.0]}), model="base")
    b = write_run(tmp_path / "b", records({"mcq.correct": [1.0, 1.0]}), model="cand", fingerprint="other-data",
                  task_version=2, prompt_sha256="prompts-2", judge=JUDGE)
    with pytest.raises(RunMismatchError) as info:
        compare_runs(load_run(a), load_run(b))
    differs = " ".join(info.value.differences)
    for field in ("data.fingerprint", "task.version", "task.sha256", "data.prompt_sha256", "judge.model", "judge.rubric"):
        assert field in differs
    assert compare_runs(load_run(a), load_run(b), n_resamples=100, allow_mismatch=True).mismatches


def test_different_judge_rule_is_a_mismatch(tmp_path):
    a = write_run(tmp_path / "a", records({"m": [1.0]}), judge=JUDGE)
    b = write_run(tmp_path / "b", records({"m": [1.0]}), judge=JUDGE | {"rule": "gem-notebook-early"})
    assert config_differences(load_run(a).config, load_run(b).config) == ["judge.rule: gem-notebook-current vs gem-notebook-early"]


def test_cli_compare_refuses_mismatch_with_exit_2_and_lists_it(tmp_path):
    a = write_run(tmp_path / "a", records({"mcq.correct": [1.0, 0.0]}), model="base")
    b = write_run(tmp_path / "b", records({"mcq.correct": [1.0, 1.0]}), model="cand", fingerprint="other-data")
    result = runner.invoke(app, ["compare", str(a), str(b)])
    assert result.exit_code == 2
    assert "data.fingerprint" in result.output and "--allow-mismatch" in result.output
    result = runner.invoke(app, ["compare", str(a), str(b), "--allow-mismatch", "--resamples", "200"])
    assert result.exit_code == 0, result.output


def test_cli_compare_prints_table_and_writes_every_changed_item(tmp_path):
    a, b, _flipped = _accuracy_pair(tmp_path, n=100, flips=12)
    out = tmp_path / "cmp.json"
    result = runner.invoke(app, ["compare", str(a), str(b), "--resamples", "500", "--show", "3", "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "mcq.correct" in result.output and "12 items changed" in result.output and "worse" in result.output
    data = json.loads(out.read_text())
    (metric,) = data["metrics"]
    assert len(metric["changed"]) == 12 and metric["mcnemar"]["lost"] == 12
    assert metric["diff"] == pytest.approx(-0.12)


def test_cli_compare_bad_inputs_exit_2_naming_the_path(tmp_path):
    a, _, _ = _accuracy_pair(tmp_path)
    missing = tmp_path / "nope"
    result = runner.invoke(app, ["compare", str(a), str(missing)])
    assert result.exit_code == 2 and str(missing) in result.output
    unfinished = tmp_path / "unfinished"
    unfinished.mkdir()
    (unfinished / "config.json").write_text((a / "config.json").read_text())
    result = runner.invoke(app, ["compare", str(a), str(unfinished)])
    assert result.exit_code == 2 and "has not finished" in result.output
    result = runner.invoke(app, ["compare", str(a), str(a), "--metric", "no.such"])
    assert result.exit_code == 2 and "no.such" in result.output


def test_only_shared_ids_are_paired(tmp_path):
    a = write_run(tmp_path / "a", records({"m": [1.0, 0.0, 1.0, 1.0]}), model="base")
    recs = records({"m": [1.0, 0.0, 0.0, 1.0]})[:3]
    b = write_run(tmp_path / "b", recs, model="cand", fingerprint="subset")
    result = compare_runs(load_run(a), load_run(b), n_resamples=100, allow_mismatch=True)
    assert result.only_in_a == ["syn-00003-item"] and result.only_in_b == []
    assert result.metrics[0].n_pairs == 3 and result.metrics[0].value_a == pytest.approx(2 / 3)


def test_corpus_metric_that_cannot_be_imported_is_a_metric_error(tmp_path):
    a = write_run(tmp_path / "a", records({"m": [1.0, 0.0]}))
    results = json.loads((a / "results.json").read_text())
    results["metrics"]["x.f1"] = {"value": 0.5, "n": 2, "n_failed": 0, "higher_is_better": True, "corpus": "no_such_module:f1"}
    (a / "results.json").write_text(json.dumps(results))
    with pytest.raises(MetricError, match="no_such_module"):
        compare_runs(load_run(a), load_run(a), n_resamples=100)


def test_a_folder_with_one_run_below_it_is_that_run(tmp_path):
    a = write_run(tmp_path / "out" / "grounded" / "base" / "run-1", records({"m": [1.0, 0.0]}))
    assert load_run(tmp_path / "out").path == a
    write_run(tmp_path / "out" / "grounded" / "base" / "run-2", records({"m": [1.0, 1.0]}))
    with pytest.raises(RunStoreError, match="holds 2 runs"):
        load_run(tmp_path / "out")
