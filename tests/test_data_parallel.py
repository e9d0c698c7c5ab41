"""Data-parallel generation: ``accelerate launch`` with two processes on the CPU writes the
same run directory, run id and answers as one process."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest

from gemeval.run import RunError, data_parallel_rank, evaluate

pytest.importorskip("accelerate")


@pytest.fixture(scope="module")
def tiny_llava(tmp_path_factory):
    import tiny_models

    return tiny_models.build_llava(tmp_path_factory.mktemp("dp") / "llava")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _records(run_dir) -> dict[str, dict]:
    return {json.loads(line)["id"]: json.loads(line) for line in (run_dir / "samples.jsonl").read_text().splitlines()}


def _same(a, b) -> bool:
    """Equal, NaN included (a metric with nothing to count is NaN in both)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def test_two_processes_write_the_run_of_one(tiny_llava, tmp_path):
    args = f"pretrained={tiny_llava},device=cpu,max_new_tokens=8"
    common = ["--model", "hf", "--model-args", args, "--task", "grounded", "--limit", "7", "--synthetic-n", "24",
              "--batch-size", "2"]
    single = evaluate(model="hf", task="grounded", model_args=args, limit=7, synthetic_n=24, batch_size=2,
                      out_dir=tmp_path / "one")
    launch = [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
              "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
              "--main_process_port", str(_free_port()), "-m", "gemeval", "run", *common, "--out", str(tmp_path / "two"),
              "-q"]
    out = subprocess.run(launch, capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    merged = tmp_path / "two" / single.run_dir.relative_to(tmp_path / "one")
    assert merged.is_dir(), list((tmp_path / "two").rglob("config.json"))  # same run id, same place
    parts = sorted(p.name for p in (merged / "ranks").iterdir())
    assert parts == ["1-of-2", "2-of-2"]
    split = [set(_records(merged / "ranks" / p)) for p in parts]
    assert len(split[0]) == 4 and len(split[1]) == 3 and not split[0] & split[1]
    one, two = _records(single.run_dir), _records(merged)
    assert set(one) == set(two) and len(two) == 7
    for sample_id, record in one.items():
        assert two[sample_id]["prediction"]["text"] == record["prediction"]["text"]
        assert _same(two[sample_id]["metrics"], record["metrics"])
    results = json.loads((merged / "results.json").read_text())
    assert results["run_id"] == single.results["run_id"] and results["n_samples"] == 7
    assert _same({k: v["value"] for k, v in results["metrics"].items()},
                 {k: v["value"] for k, v in single.results["metrics"].items()})
    # the same launch again finds everything done: nothing is predicted twice
    again = subprocess.run(launch, capture_output=True, text=True, timeout=900)
    assert again.returncode == 0, again.stderr[-3000:]
    assert len((merged / "samples.jsonl").read_text().splitlines()) == 7


def test_rank_comes_from_the_launcher_and_excludes_shard(monkeypatch):
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    assert data_parallel_rank() is None
    monkeypatch.setenv("WORLD_SIZE", "4")
    monkeypatch.setenv("RANK", "2")
    assert data_parallel_rank() == (2, 4)
    with pytest.raises(RunError, match="--shard and a multi-process launch"):
        evaluate(model="measure", task="grounded", limit=4, synthetic_n=24, shard="1/2")
