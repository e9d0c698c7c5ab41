"""`gemeval run` with a judge, against a real OpenAI-protocol server on 127.0.0.1: verdicts
stored per sample, judge metrics in the results, a rerun that sends nothing, failed
verdicts judged again on resume, --strict, and no key anywhere on disk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openai_server import Reply, chat_completion, openai_server  # noqa: F401

from conftest import SMALL_SYNTHETIC_N
from gemeval import store
from gemeval.judge import JudgeStrictError
from gemeval.run import JudgeOptions, evaluate

SECRET = "sk-gemeval-run-test-NEVER-WRITTEN-7731"


def verdict(d: int, w: int, r: int) -> str:
    return json.dumps({"Diagnosis": {"Explanation": "d", "Score": d}, "Waveform": {"Explanation": "w", "Score": w},
                       "Rhythm": {"Explanation": "r", "Score": r}})


def _run(server, tmp_path: Path, out: str, **judge_kw):
    opts = JudgeOptions(model="judge-test", base_url=server.url, cache_path=tmp_path / "judge.sqlite",
                        max_retries=0, **judge_kw)
    return evaluate("measure", "ptbxl-report", limit=4, out_dir=tmp_path / out,
                    synthetic_n=SMALL_SYNTHETIC_N, judge=opts)


def test_judged_run_stores_verdicts_and_a_rerun_sends_no_request(openai_server, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    openai_server.handler = lambda request: Reply(body=chat_completion(verdict(8, 6, 7)))
    first = _run(openai_server, tmp_path, "a")
    assert len(openai_server.chat_requests) == 4
    assert all(r.json["store"] is False and r.json["temperature"] == 0 for r in openai_server.chat_requests)
    score = first.metrics["judge.score"]
    assert score["value"] == pytest.approx((8 + 6 + 7) / 3 * 10) and score["n"] == 4 and score["n_failed"] == 0
    assert first.metrics["judge.Diagnosis"]["value"] == pytest.approx(8)
    records = store.read_samples(first.run_dir)
    assert all(r["judge"]["scores"]["Diagnosis"] == 8 and r["judge"]["raw"] for r in records)
    config = store.read_config(first.run_dir)
    assert config["judge"]["model"] == "judge-test" and config["judge"]["rubric"] == "report"
    results = store.read_results(first.run_dir)
    assert results["judge"]["parse_failures"] == {} and results["judge"]["judged"] == 4

    second = _run(openai_server, tmp_path, "b")
    assert len(openai_server.chat_requests) == 4, "the rerun must come from the cache"
    assert second.metrics["judge.score"] == score

    for path in (tmp_path / "a").rglob("*"):
        if path.is_file():
            assert SECRET not in path.read_text(errors="ignore"), f"API key written to {path}"


def test_failed_verdicts_are_judged_again_on_resume(openai_server, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    openai_server.handler = lambda request: Reply(status=500, body={"error": {"message": "down"}})
    broken = _run(openai_server, tmp_path, "a")
    assert broken.metrics["judge.score"]["n_failed"] == 4
    assert all(r["judge"]["error"] for r in store.read_samples(broken.run_dir))

    openai_server.handler = lambda request: Reply(body=chat_completion(verdict(4, 4, 4)))
    healed = _run(openai_server, tmp_path, "a")
    assert healed.run_dir == broken.run_dir and healed.computed == 0
    assert healed.metrics["judge.score"]["n"] == 4 and healed.metrics["judge.score"]["value"] == pytest.approx(40)


def test_strict_fails_after_writing_everything(openai_server, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    replies = iter([verdict(5, 5, 5), "not json at all {", verdict(5, 5, 5), verdict(5, 5, 5)])
    openai_server.handler = lambda request: Reply(body=chat_completion(next(replies)))
    with pytest.raises(JudgeStrictError):
        _run(openai_server, tmp_path, "a", strict=True)
    (run_dir,) = store.find_run_dirs([tmp_path / "a"])
    results = store.read_results(run_dir)
    assert results["metrics"]["judge.score"]["n_failed"] == 1 and results["n_samples"] == 4


def test_judge_phase_is_concurrent_even_for_a_one_at_a_time_model(openai_server, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    openai_server.handler = lambda request: Reply(body=chat_completion(verdict(6, 6, 6)), delay_s=0.2)
    opts = JudgeOptions(model="judge-test", base_url=openai_server.url, cache_path=tmp_path / "judge.sqlite",
                        max_retries=0, concurrency=8)
    result = evaluate("measure", "ptbxl-report", model_args={"batch_size": 1}, limit=8, out_dir=tmp_path,
                      synthetic_n=SMALL_SYNTHETIC_N, judge=opts)
    assert len(openai_server.chat_requests) == 8 and openai_server.max_in_flight > 1
    assert result.metrics["judge.score"]["n"] == 8


def test_batch_mode_sends_the_whole_judge_phase_as_one_provider_batch(openai_server, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    openai_server.handler = lambda request: Reply(body=chat_completion(verdict(3, 6, 9)))
    opts = JudgeOptions(model="judge-test", base_url=openai_server.url, cache_path=tmp_path / "judge.sqlite",
                        max_retries=0, mode="batch", batch_poll_s=0.05)
    result = evaluate("measure", "ptbxl-report", model_args={"batch_size": 2}, limit=6, out_dir=tmp_path,
                      synthetic_n=SMALL_SYNTHETIC_N, judge=opts)
    assert len(openai_server.batches) == 1
    assert result.metrics["judge.score"]["n"] == 6 and result.metrics["judge.score"]["value"] == pytest.approx(60)
