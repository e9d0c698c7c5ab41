"""`gemeval leaderboard`: measured rows from run directories beside reported (published) rows."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from gemeval.cli import app
from gemeval.report.leaderboard import MEASURED, REPORTED, build_leaderboard, to_csv, to_markdown
from gemeval.report.reference import ReferenceFileError, default_reference_dir, load_reference, read_reference_csv
from runs_for_tests import JUDGE, records, write_run

runner = CliRunner()
REFERENCE_MD = Path(__file__).resolve().parents[2] / "shared" / "REFERENCE.md"
HEADLINE = ["grounding.claim_precision", "judge.DiagnosisAccuracy"]


def _runs(root: Path) -> Path:
    rng = np.random.default_rng(0)
    for model, quality in (("measure", 0.9), ("tiny", 0.5)):
        n = 60
        scores = {"DiagnosisAccuracy": rng.choice([0.0, 100.0], n, p=[1 - quality, quality]).tolist()}
        scores["DiagnosisAccuracy"][0] = None
        write_run(root / "grounded-mimic" / model / "r1", records({"grounding.claim_precision": rng.random(n) * quality},
                                                                  judge_scores=scores),
                  model=model, task="grounded-mimic", judge=JUDGE, headline=HEADLINE, cost_usd=1.25,
                  source="ecg-grounding:mimic")
    return root


def test_reference_files_are_all_reported_and_parse():
    rows = load_reference()
    assert default_reference_dir() is not None and rows
    assert {r.file for r in rows} == {"grounded.csv", "ecgbench.csv"}
    grounded = [r for r in rows if r.task in ("grounded-mimic", "grounded-ptbxl") and r.judge == "gpt-4o"]
    assert len(grounded) == 8 * 3 * 2
    assert all(r.source.startswith("arXiv:") for r in rows)


def test_reference_numbers_match_reference_md_section_3():
    """Every number of the grounded table in ../shared/REFERENCE.md is in grounded.csv, in
    the same model order (PULSE / GEM SFT-LLaVA / GEM SFT-PULSE) and dataset."""
    if not REFERENCE_MD.is_file():
        pytest.skip(f"{REFERENCE_MD} not found")
    rows = {(r.model, r.dataset, r.metric): r.published for r in load_reference() if r.judge == "gpt-4o"}
    models = ["PULSE-7B", "GEM (SFT LLaVA)", "GEM (SFT PULSE)"]
    found = 0
    for line in REFERENCE_MD.read_text().splitlines():
        match = re.match(r"\| (\w+) \| ([\d. /]+) \| ([\d. /]+) \|$", line)
        if not match:
            continue
        criterion, mimic, ptb = match.groups()
        for dataset, cell in (("ecg-grounding-test-mimiciv", mimic), ("ecg-grounding-test-ptbxl", ptb)):
            for model, number in zip(models, cell.split(" / ")):
                assert rows[(model, dataset, f"judge.{criterion}")] == number.strip()
                found += 1
    assert found == 48


def test_reference_rows_must_say_reported(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "status,model,task,dataset,metric,value,unit,published,source,judge,note\n"
        "measured,X,grounded,d,judge.DiagnosisAccuracy,80,percent,80,arXiv:1,gpt-4o,\n"
    )
    with pytest.raises(ReferenceFileError, match=r"bad.csv:2: status is 'measured'"):
        read_reference_csv(path)


def test_measured_and_reported_rows_stay_apart(tmp_path):
    board = build_leaderboard([_runs(tmp_path / "runs")], load_reference())
    assert board.tasks[0].task == "grounded-mimic"
    task = board.tasks[0]
    assert task.metrics == HEADLINE
    statuses = [r.status for r in task.rows]
    assert statuses == sorted(statuses, key=lambda s: s != MEASURED) and REPORTED in statuses
    measure, tiny = task.rows[0], task.rows[1]
    assert (measure.model, tiny.model) == ("measure", "tiny")
    cell = measure.cells["judge.DiagnosisAccuracy"]
    assert cell.ci_low < cell.value < cell.ci_high and cell.n == 59 and cell.n_failed == 1
    assert measure.judge_parse_failures == 1 and measure.cost_usd == 1.25 and "gpt-4o" in measure.judge
    assert measure.run_dir.endswith("grounded-mimic/measure/r1")
    reported = [r for r in task.rows if r.status == REPORTED]
    assert all(c.ci_low is None and c.published for r in reported for c in r.cells.values())
    gem = next(r for r in reported if r.model == "GEM (SFT LLaVA)" and r.data == "ecg-grounding-test-mimiciv" and r.judge == "gpt-4o")
    assert gem.cells["judge.DiagnosisAccuracy"].value == 87.24


def test_newest_run_wins_and_unfinished_runs_are_skipped(tmp_path):
    root = tmp_path / "runs"
    write_run(root / "old", records({"m": [0.0, 0.0]}), created_at="2025-01-01T00:00:00+00:00")
    write_run(root / "new", records({"m": [1.0, 1.0]}), created_at="2025-02-01T00:00:00+00:00")
    unfinished = root / "unfinished"
    write_run(unfinished, records({"m": [1.0]}), model="other")
    (unfinished / "results.json").unlink()
    board = build_leaderboard([root])
    (row,) = board.tasks[0].rows
    assert row.cells["m"].value == 1.0 and row.run_dir.endswith("new")
    assert any("superseded" in w and w.startswith(str(root / "old")) for w in board.warnings)
    assert any(str(unfinished) in w and "results.json" in w for w in board.warnings)


def test_verify_recomputes_every_number_from_the_samples(tmp_path):
    root = _runs(tmp_path / "runs")
    assert build_leaderboard([root], verify=True).errors == []
    results_path = root / "grounded-mimic" / "tiny" / "r1" / "results.json"
    results = json.loads(results_path.read_text())
    results["metrics"]["judge.DiagnosisAccuracy"]["value"] += 1.0
    results_path.write_text(json.dumps(results))
    (error,) = build_leaderboard([root], verify=True).errors
    assert "judge.DiagnosisAccuracy" in error and "tiny" in error
    result = runner.invoke(app, ["leaderboard", str(root), "--verify", "--no-reference"])
    assert result.exit_code == 2 and "judge.DiagnosisAccuracy" in result.output


def test_markdown_and_csv(tmp_path):
    board = build_leaderboard([_runs(tmp_path / "runs")], load_reference())
    md = to_markdown(board)
    assert "## grounded" in md and "*reported*" in md and re.search(r"\| measured \| measure \(partial: 60 of 2381 published items\) \|.*\[[\d.]+, [\d.]+\] n=60", md)
    rows = list(csv.DictReader(io.StringIO(to_csv(board))))
    measured = [r for r in rows if r["status"] == "measured"]
    assert {r["metric"] for r in measured} == {"grounding.claim_precision", "judge.DiagnosisAccuracy"}
    assert all(float(r["ci_low"]) <= float(r["value"]) <= float(r["ci_high"]) for r in measured)
    reported = [r for r in rows if r["status"] == "reported"]
    assert reported and all(r["ci_low"] == "" and r["published"] and r["source"].startswith("arXiv:") for r in reported)


def test_cli_formats_and_exit_codes(tmp_path):
    root = _runs(tmp_path / "runs")
    result = runner.invoke(app, ["leaderboard", str(root)])
    assert result.exit_code == 0, result.output
    assert "grounded" in result.output and str(root / "grounded-mimic" / "measure" / "r1") in result.output
    for fmt, marker in (("md", "# gemeval leaderboard"), ("csv", "status,task,model"), ("html", "<!DOCTYPE html>")):
        out = tmp_path / f"board.{fmt}"
        result = runner.invoke(app, ["leaderboard", str(root), "--format", fmt, "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert out.read_text().startswith(marker)
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(app, ["leaderboard", str(empty)])
    assert result.exit_code == 2 and "no finished run" in result.output
    result = runner.invoke(app, ["leaderboard", str(tmp_path / "missing")])
    assert result.exit_code == 2 and "missing" in result.output
    result = runner.invoke(app, ["leaderboard", str(root), "--format", "pdf"])
    assert result.exit_code == 2


def test_numbers_on_different_data_sets_are_in_different_tables(tmp_path):
    """A run on the embedded synthetic set never shares a table (or chart) with published
    numbers on the real test set; each table names its data set."""
    root = tmp_path / "runs"
    write_run(root / "csn" / "measure", records({"mcq.accuracy": [1.0, 0.0, 1.0, 1.0]}), task="csn", headline=["mcq.accuracy"],
              source="synthetic-v1")
    write_run(root / "csn" / "real", records({"mcq.accuracy": [1.0, 0.0, 0.0, 1.0]}), task="csn", headline=["mcq.accuracy"],
              source="ecgbench:csn-test-no-cot", data_n=4, model="gem-run")
    board = build_leaderboard([root], load_reference())
    tables = {(t.task, t.dataset): t for t in board.tasks if t.task == "csn"}
    assert set(tables) == {("csn", "synthetic-v1"), ("csn", "csn-test-no-cot")}
    synthetic = tables[("csn", "synthetic-v1")]
    assert [r.status for r in synthetic.rows] == [MEASURED] and "embedded synthetic set" in synthetic.title
    real = tables[("csn", "csn-test-no-cot")]
    assert {r.status for r in real.rows} == {MEASURED, REPORTED} and "csn-test-no-cot" in real.title
    md = to_markdown(board)
    assert "## csn · embedded synthetic set (synthetic-v1)" in md and "## csn · data set csn-test-no-cot" in md
    section = md.split("## csn · embedded synthetic set")[1].split("\n## ")[0]
    assert "*reported*" not in section


def test_a_partial_run_is_marked_and_never_replaces_a_complete_one(tmp_path):
    root = tmp_path / "runs"
    full = write_run(root / "full", records({"m": [1.0] * 8}), created_at="2025-01-01T00:00:00+00:00")
    smoke = write_run(root / "smoke", records({"m": [0.0] * 4}), created_at="2025-02-01T00:00:00+00:00", data_n=8)
    board = build_leaderboard([root])
    (row,) = board.tasks[0].rows
    assert row.run_dir == str(full) and row.partial == "" and row.cells["m"].value == 1.0
    assert any(w.startswith(f"{smoke} (partial: 4 of 8 items) is superseded by a complete run") for w in board.warnings)
    # alone, the partial run is shown, and says so everywhere
    only = build_leaderboard([smoke])
    (row,) = only.tasks[0].rows
    assert row.partial == "4 of 8 items"
    assert "measure (partial: 4 of 8 items)" in to_markdown(only)
    assert {r["partial"] for r in csv.DictReader(io.StringIO(to_csv(only)))} == {"4 of 8 items"}
    result = runner.invoke(app, ["leaderboard", str(smoke), "--no-reference"], env={"COLUMNS": "200"})
    assert "partial: 4 of 8" in result.output


def test_verify_accepts_a_metric_with_no_value(tmp_path):
    run = write_run(tmp_path / "r", records({"m": [1.0, 0.0], "never": [None, None]}))
    results = json.loads((run / "results.json").read_text())
    results["metrics"]["never"]["value"] = float("nan")  # how a run writes "no value"
    (run / "results.json").write_text(json.dumps(results))
    assert build_leaderboard([run], verify=True).errors == []
    result = runner.invoke(app, ["leaderboard", str(run), "--verify", "--no-reference"])
    assert result.exit_code == 0, result.output


def test_markdown_and_csv_never_pass_markup_or_formulas_through(tmp_path):
    model = '<img src=x onerror=alert(1)>|[x](javascript:alert(1))'
    write_run(tmp_path / "a", records({"m": [1.0, 0.0]}), model=model)
    formula = '=HYPERLINK("http://evil.example","click")'
    write_run(tmp_path / "b", records({"m": [1.0, 1.0]}), model=formula)
    board = build_leaderboard([tmp_path])
    md = to_markdown(board)
    assert "<img" not in md and "&lt;img src=x onerror=alert(1)&gt;\\|[x\\](javascript:alert(1))" in md
    cells = [line.split(" | ") for line in md.splitlines() if line.startswith("| measured")]
    assert all(len(c) == len(cells[0]) for c in cells), "a model name broke the table"
    rows = list(csv.DictReader(io.StringIO(to_csv(board))))
    assert {r["model"] for r in rows} == {model, "'" + formula}
    assert not any(v.startswith(("=", "+", "@")) for r in rows for v in r.values())
