"""The run pipeline end to end: CLI, Python API, resume after SIGKILL, per-item errors,
shard and merge."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import SMALL_SYNTHETIC_N
from gemeval import store
from gemeval.run import evaluate, merge

TESTS_DIR = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def synthetic_set():
    from gemeval.data.synthetic import ensure_built

    return ensure_built(SMALL_SYNTHETIC_N)


def _cli(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(TESTS_DIR), "COLUMNS": "200"}
    proc = subprocess.run([sys.executable, "-m", "gemeval", *args], capture_output=True, text=True, env=env, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"gemeval {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return proc


def _lines(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / store.SAMPLES).read_text().splitlines() if line.strip()]


def test_cli_run_writes_run_directory_and_prints_table(tmp_path, synthetic_set):
    proc = _cli("run", "--model", "measure", "--task", "grounded", "--limit", "6",
                "--synthetic-n", str(SMALL_SYNTHETIC_N), "--out", str(tmp_path), "-q")
    assert "grounding.claim_precision" in proc.stdout
    assert "judge metrics skipped" in proc.stdout
    run_dirs = store.find_run_dirs([tmp_path])
    assert len(run_dirs) == 1
    run_dir = run_dirs[0]
    assert run_dir.parent.parent.name == "grounded" and run_dir.parent.name == "measure"
    config = store.read_config(run_dir)
    assert config["task"]["name"] == "grounded" and config["model"]["name"] == "measure"
    assert config["data"]["source"].startswith("synthetic") and config["data"]["n_selected"] == 6
    assert len(config["task"]["sha256"]) == 64 and config["versions"]["gemeval"]
    records = _lines(run_dir)
    assert [r["id"] for r in records] == sorted(r["id"] for r in records)
    assert len(records) == 6 and all(r["prediction"]["text"] for r in records)
    results = store.read_results(run_dir)
    cp = results["metrics"]["grounding.claim_precision"]
    assert cp["n"] + cp["n_failed"] == 6 and cp["ci_low"] <= cp["value"] <= cp["ci_high"]
    assert results["judge"]["skipped"] is True

    shown = _cli("show", str(run_dir))
    assert "grounding.claim_precision" in shown.stdout


def test_rerun_costs_nothing_and_returns_same_results(tmp_path, synthetic_set):
    first = evaluate("measure", "grounded", limit=5, out_dir=tmp_path, synthetic_n=SMALL_SYNTHETIC_N)
    again = evaluate("measure", "grounded", limit=5, out_dir=tmp_path, synthetic_n=SMALL_SYNTHETIC_N)
    assert first.run_dir == again.run_dir
    assert (first.computed, again.computed, again.resumed) == (5, 0, 5)
    assert first.metrics == again.metrics
    assert len(_lines(again.run_dir)) == 5


def test_a_different_configuration_gets_a_different_run_directory(tmp_path, synthetic_set):
    a = evaluate("measure", "grounded", limit=3, out_dir=tmp_path, synthetic_n=SMALL_SYNTHETIC_N)
    b = evaluate("measure", "grounded", limit=4, out_dir=tmp_path, synthetic_n=SMALL_SYNTHETIC_N)
    assert a.run_dir != b.run_dir


def test_resume_after_sigkill_loses_and_duplicates_nothing(tmp_path, synthetic_set):
    n = SMALL_SYNTHETIC_N
    args = ["run", "--model", "adapters_for_tests:SlowModel", "--model-args", "delay_s=0.15",
            "--task", "grounded", "--synthetic-n", str(n), "--out", str(tmp_path / "killed"), "-q"]
    env = {**os.environ, "PYTHONPATH": str(TESTS_DIR)}
    proc = subprocess.Popen([sys.executable, "-m", "gemeval", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    samples_file = None
    while time.monotonic() < deadline:
        found = list((tmp_path / "killed").rglob(store.SAMPLES))
        if found and len(found[0].read_text().splitlines()) >= 4:
            samples_file = found[0]
            break
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert samples_file is not None, "the run never wrote 4 samples"
    killed_at = len(samples_file.read_text().splitlines())
    assert 4 <= killed_at < n, "the run finished before it could be killed"

    _cli(*args)
    records = _lines(samples_file.parent)
    ids = [r["id"] for r in records]
    assert len(ids) == n and len(set(ids)) == n

    _cli(*args[:-3], "--out", str(tmp_path / "whole"), "-q")
    (whole,) = store.find_run_dirs([tmp_path / "whole"])
    resumed = store.read_results(samples_file.parent)
    uninterrupted = store.read_results(whole)
    assert resumed["metrics"] == uninterrupted["metrics"]
    assert resumed["n_samples"] == uninterrupted["n_samples"] == n


def test_an_adapter_that_raises_on_one_item_does_not_stop_the_run(tmp_path, synthetic_set):
    from gemeval.data.synthetic import ensure_built

    bad_id = ensure_built(SMALL_SYNTHETIC_N).items[2]["id"]
    proc = _cli("run", "--model", "adapters_for_tests:RaisingModel", "--model-args", f"fail_id={bad_id}",
                "--task", "grounded", "--limit", "5", "--synthetic-n", str(SMALL_SYNTHETIC_N),
                "--out", str(tmp_path), "-q")
    assert bad_id in proc.stdout
    (run_dir,) = store.find_run_dirs([tmp_path])
    records = {r["id"]: r for r in _lines(run_dir)}
    assert len(records) == 5
    assert "simulated crash" in records[bad_id]["error"]
    assert records[bad_id]["prediction"]["text"] is None
    assert all(r["error"] is None for i, r in records.items() if i != bad_id)
    results = store.read_results(run_dir)
    assert results["n_errors"] == 1
    assert results["metrics"]["grounding.claim_precision"]["n_failed"] >= 1


def test_shards_merge_to_the_unsharded_run(tmp_path, synthetic_set):
    common = dict(limit=9, synthetic_n=SMALL_SYNTHETIC_N)
    whole = evaluate("measure", "grounded", out_dir=tmp_path / "whole", **common)
    shards = [evaluate("measure", "grounded", out_dir=tmp_path / "shards", shard=f"{i}/3", **common) for i in (1, 2, 3)]
    assert sorted(len(_lines(s.run_dir)) for s in shards) == [3, 3, 3]
    merged = merge([s.run_dir for s in shards], tmp_path / "merged")
    assert merged.metrics == whole.metrics
    assert merged.results["n_samples"] == 9


def test_merge_refuses_incomplete_or_foreign_shards(tmp_path, synthetic_set):
    from gemeval.run import RunError

    common = dict(limit=6, synthetic_n=SMALL_SYNTHETIC_N)
    one = evaluate("measure", "grounded", out_dir=tmp_path / "s", shard="1/2", **common)
    with pytest.raises(RunError, match="complete merge needs"):
        merge([one.run_dir], tmp_path / "m1")
    other = evaluate("measure", "grounded", out_dir=tmp_path / "o", shard="2/2", limit=5, synthetic_n=SMALL_SYNTHETIC_N)
    with pytest.raises(RunError, match="not a shard of the same run"):
        merge([one.run_dir, other.run_dir], tmp_path / "m2")
    # shards of one run agree on what its run id hashes: here the bytes of their inputs
    two = evaluate("measure", "grounded", out_dir=tmp_path / "s", shard="2/2", **common)
    config = store.read_config(two.run_dir)
    store.write_json(two.run_dir / store.CONFIG, {**config, "data": {**config["data"], "content_sha256": "0" * 64}})
    with pytest.raises(RunError, match="not a shard of the same run .*differs in data"):
        merge([one.run_dir, two.run_dir], tmp_path / "m3")


def test_bad_usage_exits_2_with_a_message(tmp_path):
    proc = _cli("run", "--model", "no-such-model", "--task", "grounded", "--out", str(tmp_path), check=False)
    assert proc.returncode == 2 and "unknown model adapter" in proc.stderr
    proc = _cli("run", "--task", "no-such-task", "--out", str(tmp_path), check=False)
    assert proc.returncode == 2 and "unknown task" in proc.stderr
    proc = _cli("run", "--shard", "3/2", "--out", str(tmp_path), check=False)
    assert proc.returncode == 2 and "--shard" in proc.stderr


def test_measure_answers_multiple_choice_from_its_findings(tmp_path, synthetic_set):
    result = evaluate("measure", "csn", out_dir=tmp_path, synthetic_n=SMALL_SYNTHETIC_N)
    records = store.read_samples(result.run_dir)
    led = sum(r["prediction"]["text"].startswith("Answer: ") for r in records)
    assert led >= 0.8 * len(records)
    assert result.metrics["mcq.unparsed_rate"]["value"] == 0.0
    assert result.metrics["mcq.accuracy"]["value"] >= 0.8


def test_a_second_writer_of_the_same_run_is_refused(tmp_path, synthetic_set):
    first = evaluate("measure", "grounded", limit=2, out_dir=tmp_path, synthetic_n=SMALL_SYNTHETIC_N)
    with store.run_lock(first.run_dir):
        with pytest.raises(store.RunStoreError, match="being written by gemeval run pid"):
            evaluate("measure", "grounded", limit=2, out_dir=tmp_path, synthetic_n=SMALL_SYNTHETIC_N)
    assert evaluate("measure", "grounded", limit=2, out_dir=tmp_path, synthetic_n=SMALL_SYNTHETIC_N).computed == 0


def test_ctrl_c_says_how_to_continue_and_keeps_what_was_done(tmp_path, synthetic_set):
    args = ["run", "--model", "adapters_for_tests:SlowModel", "--model-args", "delay_s=0.2", "--task", "grounded",
            "--synthetic-n", str(SMALL_SYNTHETIC_N), "--out", str(tmp_path), "-q"]
    env = {**os.environ, "PYTHONPATH": str(TESTS_DIR)}
    # a test runner started as a background job ignores SIGINT, and its children inherit that:
    # the run under test gets the default disposition, as it has on a terminal
    proc = subprocess.Popen([sys.executable, "-m", "gemeval", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        found = list(tmp_path.rglob(store.SAMPLES))
        if found and len(found[0].read_text().splitlines()) >= 2:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "rerun the same command to continue" in " ".join(stderr.split())
    (run_dir,) = store.find_run_dirs([tmp_path])
    assert len(_lines(run_dir)) >= 2


def test_error_messages_keep_their_brackets():
    from gemeval.console import err_console, print_error

    with err_console.capture() as captured:
        print_error("pip install 'gemeval[text]'")
    assert "pip install 'gemeval[text]'" in captured.get()
