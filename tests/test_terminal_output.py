"""What the commands print, read the way a script or a pipe reads it: at 80 columns no word is
cut or broken, every listing command has `--format json`, and long steps show a progress bar
on a terminal and nothing in a pipe.

The commands run as real subprocesses with their output piped (and, for the progress bar, on
a pseudo-terminal), as a user's shell runs them.
"""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import SMALL_SYNTHETIC_N
from runs_for_tests import JUDGE, records, write_run

ROOT = Path(__file__).resolve().parents[1]
LONG_METRICS = ("grounding.claim_precision", "grounding.contradiction_rate", "judge.ClinicalDiagnosticFidelity")
NOISE = re.compile(r"\r|\x1b\[|━|█")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "FORCE_COLOR", "TERM")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "tests"), env.get("PYTHONPATH", "")])
    return env | extra


def gemeval(*args: str, env: dict[str, str] | None = None, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "gemeval", *args], capture_output=True, text=True,
                            env=env or _env(COLUMNS="80"), timeout=600, cwd=ROOT)
    assert result.returncode in ok, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("runs")
    rng = np.random.default_rng(0)
    runs = []
    for name in ("a", "b"):
        n = 80
        runs.append(write_run(
            root / name,
            records({"grounding.claim_precision": rng.random(n), "grounding.contradiction_rate": rng.random(n) * 0.2},
                    judge_scores={"ClinicalDiagnosticFidelity": rng.random(n) * 100}),
            judge=JUDGE, lower_is_better=["grounding.contradiction_rate"], headline=list(LONG_METRICS), model=f"model-{name}",
        ))
    return runs[0], runs[1]


def _fits(text: str, width: int = 80) -> None:
    long = [line for line in text.splitlines() if len(line) > width]
    assert not long, f"lines wider than {width}: {long[:3]}"
    assert "…" not in text and "..." not in text, "a cell was cut"


def test_compare_and_gate_keep_metric_names_whole_at_80_columns(two_runs):
    a, b = two_runs
    for args in (["compare", str(a), str(b), "--resamples", "200", "--show", "2"],
                 ["gate", "--baseline", str(a), "--candidate", str(b)]):
        out = gemeval(*args, ok=(0, 1)).stdout
        _fits(out)
        for metric in LONG_METRICS:
            assert re.search(rf"(^|\s){re.escape(metric)}(\s|$)", out, re.M), f"{metric} not whole in `{args[0]}`"
    # on a wide terminal the same command is one grid
    wide = gemeval("compare", str(a), str(b), "--resamples", "200", env=_env(COLUMNS="200")).stdout
    assert "┃ metric" in wide and all(m in wide for m in LONG_METRICS)


def test_tasks_and_models_never_break_a_word_at_80_columns():
    out = gemeval("tasks").stdout
    _fits(out)
    words = set(out.split())
    for task in json.loads(gemeval("tasks", "--format", "json").stdout):
        assert task["task"] in words
        for metric in task["headline"]:
            assert metric in words, f"{metric} broken in `gemeval tasks`"
    models = gemeval("models").stdout
    _fits(models)
    assert all(m["adapter"] in models.split() for m in json.loads(gemeval("models", "-f", "json").stdout))


def test_every_listing_command_has_json(two_runs, tmp_path):
    a, b = two_runs
    tasks = json.loads(gemeval("tasks", "--format", "json").stdout)
    assert {"grounded", "csn"} <= {t["task"] for t in tasks}
    assert any(m["adapter"] == "measure" for m in json.loads(gemeval("models", "--format", "json").stdout))
    data = json.loads(gemeval("data", "list", "--format", "json").stdout)
    assert any(t["task"] == "csn" and t["sources"][0]["name"] == "ecgbench" for t in data)
    rubrics = json.loads(gemeval("judge", "rubrics", "--format", "json").stdout)
    assert any(r["name"] == "grounding" and "DiagnosisAccuracy" in r["criteria"] for r in rubrics)
    board = json.loads(gemeval("leaderboard", str(a), "--format", "json", "--no-reference").stdout)
    assert board["tables"][0]["rows"][0]["cells"]["grounding.claim_precision"]["n"] == 80
    comparison = json.loads(gemeval("compare", str(a), str(b), "--resamples", "200", "--format", "json").stdout)
    assert {m["metric"] for m in comparison["metrics"]} >= set(LONG_METRICS)
    gate = json.loads(gemeval("gate", "--baseline", str(a), "--candidate", str(b), "--format", "json", ok=(0, 1)).stdout)
    assert {m["metric"] for m in gate["metrics"]} == set(LONG_METRICS)
    shown = json.loads(gemeval("show", str(a), "--format", "json").stdout)
    assert shown["metrics"]["grounding.claim_precision"]["n"] == 80
    check = json.loads(gemeval("data", "check", str(tmp_path), "--task", "csn", "--format", "json", ok=(1,)).stdout)
    assert check["without_data"] == ["csn"]


def _on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run ``gemeval ARGS`` with stdin, stdout and stderr on a pseudo-terminal; its output."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "gemeval", *args], stdin=follower, stdout=follower, stderr=follower,
                            env=env, cwd=ROOT, close_fds=True)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the process is done
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=600) == 0, b"".join(chunks).decode(errors="replace")[-3000:]
    return b"".join(chunks).decode(errors="replace")


def test_long_steps_show_progress_on_a_terminal_and_nothing_in_a_pipe(tmp_path):
    records_dir = tmp_path / "ecgs"
    piped = gemeval("ecg", "synth", "--n", "6", "--out", str(records_dir))
    assert not NOISE.search(piped.stderr), piped.stderr
    piped = gemeval("ecg", "measure", str(records_dir))
    assert not NOISE.search(piped.stderr) and piped.stderr == ""
    # the first run builds the synthetic set: in a pipe, no bar and no control characters
    env = _env(COLUMNS="80", GEMEVAL_CACHE_DIR=str(tmp_path / "cache"))
    piped = gemeval("run", "--model", "measure", "--task", "csn", "--synthetic-n", str(SMALL_SYNTHETIC_N - 1),
                    "--out", str(tmp_path / "runs"), env=env)
    assert not NOISE.search(piped.stderr), piped.stderr
    assert "building" not in piped.stderr
    # on a terminal the same steps draw rich bars
    terminal = _on_a_terminal(["ecg", "measure", str(records_dir)], _env(TERM="xterm", COLUMNS="100"))
    assert "measuring 6 records" in terminal and "━" in terminal
    env = _env(TERM="xterm", COLUMNS="120", GEMEVAL_CACHE_DIR=str(tmp_path / "cache2"))
    terminal = _on_a_terminal(["run", "--model", "measure", "--task", "csn", "--synthetic-n", str(SMALL_SYNTHETIC_N - 1),
                               "--out", str(tmp_path / "runs2")], env)
    assert f"building the synthetic set ({SMALL_SYNTHETIC_N - 1} ECGs)" in terminal and "csn · measure" in terminal
