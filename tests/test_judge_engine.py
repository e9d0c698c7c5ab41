"""The judge engine against a real OpenAI-protocol server on 127.0.0.1, through the real
openai client: verdicts, retries, timeouts, the cache, formats, batch mode, repeats,
pairwise comparisons, accounting, and that the API key never leaves the process."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest
from openai_server import OpenAIServer, Reply, chat_completion, error_body, openai_server  # noqa: F401

from gemeval.judge import Judge, JudgeConfig, JudgeError, JudgeItem, JudgeStrictError, load_rubric, not_configured_notice
from gemeval.store import SampleWriter, write_json

REPORT = load_rubric("report")
ARENA = load_rubric("arena")
SECRET = "sk-gemeval-test-DO-NOT-LEAK-4242"


def verdict(d=7, w=5, r=9) -> str:
    return json.dumps({"Diagnosis": {"Explanation": "d", "Score": d}, "Waveform": {"Explanation": "w", "Score": w},
                       "Rhythm": {"Explanation": "r", "Score": r}})


def ok(text: str, **kw) -> Reply:
    return Reply(body=chat_completion(text, **kw))


def items(n: int) -> list[JudgeItem]:
    return [JudgeItem(f"s{i}", "Write the ECG report.", f"Sinus rhythm {i}.", f"Candidate report {i}.") for i in range(n)]


def make_judge(server: OpenAIServer, tmp_path: Path, rubric=REPORT, **kw) -> Judge:
    kw.setdefault("cache_path", tmp_path / "judge.sqlite")
    kw.setdefault("max_retries", 2)
    return Judge(JudgeConfig(model=kw.pop("model", "gpt-4o"), base_url=server.url, **kw), rubric)


def test_valid_verdicts_and_the_request_every_call_sends(openai_server, tmp_path):  # noqa: F811
    openai_server.script(*(ok(verdict(i, 5, 10 - i), system_fingerprint=f"fp_{i}") for i in range(4)))
    judge = make_judge(openai_server, tmp_path, seed=7)
    outcomes = judge.judge_many(items(4))
    assert [o.sample_id for o in outcomes] == ["s0", "s1", "s2", "s3"]
    assert sorted(o.scores["Diagnosis"] for o in outcomes) == [0, 1, 2, 3]
    for o in outcomes:
        assert o.error is None and o.failures == [] and not o.cached
        assert o.scores["score"] == pytest.approx((o.scores["Diagnosis"] + 5 + o.scores["Rhythm"]) / 3 * 10)
        assert o.usage == {"prompt_tokens": 120, "completion_tokens": 30}
        assert o.system_fingerprint.startswith("fp_") and o.latency_s > 0
        record = o.to_record()
        assert record["rubric_sha256"] == REPORT.sha256 and record["rule"] == "pulse" and record["raw"] == o.raw
    for request in openai_server.chat_requests:
        body = request.json
        assert body["store"] is False and body["temperature"] == 0 and body["seed"] == 7
        assert body["response_format"]["type"] == "json_schema" and body["response_format"]["json_schema"]["strict"]
    s = judge.summary()
    assert (s["calls"], s["cache_hits"], s["call_errors"], s["requests_sent"]) == (4, 0, 0, 4)
    assert s["tokens"] == {"prompt": 480, "completion": 120}
    assert s["cost_usd"] == pytest.approx((480 * 2.5 + 120 * 10) / 1e6)


def test_fenced_broken_and_partial_verdicts_are_counted_per_criterion(openai_server, tmp_path):  # noqa: F811
    partial = json.loads(verdict())
    del partial["Rhythm"]
    openai_server.handler = lambda req: ok(
        {"Candidate report 0.": f"```json\n{verdict(8, 8, 8)}\n```",
         "Candidate report 1.": verdict(4, 4, 4)[:-2],
         "Candidate report 2.": json.dumps(partial),
         "Candidate report 3.": "I am unable to produce a verdict."}[_candidate(req)])
    judge = make_judge(openai_server, tmp_path)
    fenced, broken, missing, prose = judge.judge_many(items(4))
    assert fenced.scores["Diagnosis"] == 8 and fenced.failures == []
    assert broken.scores["Rhythm"] == 4 and broken.to_record()["repaired"] is True
    assert missing.failures == ["Rhythm"] and missing.scores["Rhythm"] is None and missing.scores["score"] is None
    assert missing.scores["Diagnosis"] == 7
    assert prose.failures == REPORT.criterion_names and prose.error is None
    s = judge.summary()
    assert s["parse_failures"] == {"Diagnosis": 1, "Waveform": 1, "Rhythm": 2}
    assert s["unparsed_replies"] == 1
    metrics = REPORT.aggregate([o.to_record() for o in (fenced, broken, missing, prose)], ["a", "b", "c", "d"])
    assert metrics["judge.Rhythm"]["n"] == 2 and metrics["judge.Rhythm"]["n_failed"] == 2
    assert metrics["judge.Diagnosis"]["n"] == 3 and metrics["judge.Diagnosis"]["value"] == pytest.approx((8 + 4 + 7) / 3)


def _candidate(request) -> str:
    user = request.json["messages"][1]["content"]
    return user.split("<candidate_")[1].split(">", 1)[1].split("</candidate_")[0].strip()


def test_429_with_retry_after_is_honoured(openai_server, tmp_path):  # noqa: F811
    openai_server.script(Reply(429, error_body("slow down", "rate_limit_error"), {"Retry-After": "1"}), ok(verdict()))
    judge = make_judge(openai_server, tmp_path)
    [outcome] = judge.judge_many(items(1))
    first, second = openai_server.chat_requests
    assert second.received_at - first.received_at >= 0.95
    assert outcome.error is None and outcome.retries == 1 and outcome.scores["Diagnosis"] == 7
    assert judge.summary()["retries"] == 1 and judge.summary()["requests_sent"] == 2


def test_500_is_retried_and_a_persistent_500_is_an_item_error(openai_server, tmp_path):  # noqa: F811
    fast = {"retry-after-ms": "10"}
    openai_server.script(Reply(500, error_body("boom", "server_error"), fast), ok(verdict()),
                         *[Reply(500, error_body("still down", "server_error"), fast)] * 3)
    judge = make_judge(openai_server, tmp_path, concurrency=1)
    good, bad = judge.judge_many(items(2))
    assert good.error is None and good.retries == 1
    assert "HTTP 500" in bad.error and "still down" in bad.error
    assert bad.failures == REPORT.criterion_names and bad.raw is None
    assert len(openai_server.chat_requests) == 2 + 3  # 1 retry, then 1 try + 2 retries
    s = judge.summary()
    assert s["call_errors"] == 1 and s["calls"] == 1
    assert REPORT.aggregate([good.to_record(), bad.to_record()], ["a", "b"])["judge.score"]["n_failed"] == 1


def test_a_slow_reply_past_the_timeout_is_retried_then_reported(openai_server, tmp_path):  # noqa: F811
    openai_server.script(Reply(body=chat_completion(verdict()), delay_s=1.5), ok(verdict(1, 1, 1)))
    judge = make_judge(openai_server, tmp_path, timeout_s=0.4, max_retries=1)
    [outcome] = judge.judge_many(items(1))
    assert outcome.error is None and outcome.retries == 1 and outcome.scores["Diagnosis"] == 1

    openai_server.script(*[Reply(body=chat_completion(verdict()), delay_s=1.5)] * 2)
    judge = make_judge(openai_server, tmp_path, timeout_s=0.4, max_retries=1, cache_mode="off")
    [outcome] = judge.judge_many([JudgeItem("slow", "q", "r", "never answered in time")])
    assert "no reply from the judge within 0.4 s (2 tries)" in outcome.error
    assert judge.summary()["call_errors"] == 1


def test_a_rerun_makes_no_requests_and_cache_modes(openai_server, tmp_path):  # noqa: F811
    openai_server.handler = lambda req: ok(verdict())
    first = make_judge(openai_server, tmp_path).judge_many(items(5))
    sent = len(openai_server.requests)
    assert sent == 5
    rerun = make_judge(openai_server, tmp_path)
    again = rerun.judge_many(items(5))
    assert len(openai_server.requests) == sent
    assert all(o.cached for o in again) and [o.scores for o in again] == [o.scores for o in first]
    s = rerun.summary()
    assert (s["calls"], s["cache_hits"], s["requests_sent"], s["cost_usd"]) == (0, 5, 0, 0)
    assert s["cached_tokens"] == {"prompt": 600, "completion": 150}

    reader = make_judge(openai_server, tmp_path, cache_mode="read")
    reader.judge_many(items(7))  # 5 hits, 2 new calls that are not stored
    assert len(openai_server.requests) == sent + 2
    make_judge(openai_server, tmp_path, cache_mode="read").judge_many(items(7))
    assert len(openai_server.requests) == sent + 4
    make_judge(openai_server, tmp_path, cache_mode="off").judge_many(items(2))
    assert len(openai_server.requests) == sent + 6

    changed = make_judge(openai_server, tmp_path, seed=1)
    changed.judge_many(items(1))
    assert len(openai_server.requests) == sent + 7, "another seed is another request"
    other_model = make_judge(openai_server, tmp_path, model="gpt-4o-mini")
    other_model.judge_many(items(1))
    assert len(openai_server.requests) == sent + 8


def test_concurrency_limit(openai_server, tmp_path):  # noqa: F811
    openai_server.handler = lambda req: Reply(body=chat_completion(verdict()), delay_s=0.05)
    make_judge(openai_server, tmp_path, concurrency=4, cache_mode="off").judge_many(items(24))
    assert 1 < openai_server.max_in_flight <= 4


def test_the_key_is_used_but_never_written_or_logged(openai_server, tmp_path, monkeypatch, caplog):  # noqa: F811
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    caplog.set_level(logging.DEBUG)
    openai_server.script(Reply(429, error_body("wait"), {"retry-after-ms": "10"}))
    openai_server.handler = lambda req: ok(verdict())
    judge = make_judge(openai_server, tmp_path / "cache")
    outcomes = judge.judge_many(items(3))
    assert openai_server.chat_requests[0].headers["authorization"] == f"Bearer {SECRET}"
    run = tmp_path / "runs" / "ptbxl-report" / "m" / "r1"
    run.mkdir(parents=True)
    write_json(run / "config.json", {"judge": judge.describe()})
    with SampleWriter(run) as writer:
        writer.write_many({"id": o.sample_id, "judge": o.to_record()} for o in outcomes)
    write_json(run / "results.json", {"judge": judge.summary(),
                                      "metrics": REPORT.aggregate([o.to_record() for o in outcomes], ["a", "b", "c"])})
    judge.close()
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.suffix == ".sqlite" for p in files)
    for path in files:
        assert SECRET.encode() not in path.read_bytes(), path
    assert SECRET not in caplog.text
    assert SECRET not in repr(judge.config) and SECRET not in json.dumps(judge.summary())


def test_no_key_and_no_server_is_refused_with_what_to_do(monkeypatch, tmp_path):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(JudgeError, match="OPENAI_API_KEY"):
        Judge(JudgeConfig(model="gpt-4o", cache_path=tmp_path / "c.sqlite"), REPORT)


def test_a_local_server_without_a_key_gets_a_placeholder(openai_server, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    openai_server.handler = lambda req: ok(verdict())
    make_judge(openai_server, tmp_path).judge_many(items(1))
    assert openai_server.chat_requests[0].headers["authorization"] == "Bearer EMPTY"


def test_servers_without_structured_outputs_fall_back_and_are_remembered(openai_server, tmp_path):  # noqa: F811
    def no_schema(request):
        fmt = (request.json.get("response_format") or {}).get("type")
        if fmt == "json_schema":
            return Reply(400, error_body("response_format json_schema is not supported", param="response_format"))
        return ok("Sure:\n" + verdict(2, 2, 2)) if fmt == "json_object" else Reply(500, error_body("unexpected"))

    openai_server.handler = no_schema
    judge = make_judge(openai_server, tmp_path)
    outcomes = judge.judge_many(items(3))
    assert all(o.scores["Diagnosis"] == 2 for o in outcomes)
    assert judge.summary()["response_format_used"] == "json_object"
    formats = [r.json["response_format"]["type"] for r in openai_server.chat_requests]
    assert formats.count("json_object") == 3 and 1 <= formats.count("json_schema") <= 3
    sent = len(openai_server.requests)
    rerun = make_judge(openai_server, tmp_path)
    rerun.judge_many(items(4))
    assert len(openai_server.requests) == sent + 1  # one new item, asked in JSON mode straight away
    assert openai_server.chat_requests[-1].json["response_format"] == {"type": "json_object"}


def test_plain_text_servers(openai_server, tmp_path):  # noqa: F811
    def text_only(request):
        if "response_format" in request.json:
            return Reply(400, error_body("unknown field response_format"))
        return ok(f"My grades:\n{verdict(5, 5, 5)}")

    openai_server.handler = text_only
    judge = make_judge(openai_server, tmp_path)
    [outcome] = judge.judge_many(items(1))
    assert outcome.scores["Diagnosis"] == 5 and judge.summary()["response_format_used"] == "text"


def test_batch_mode_waits_and_collects(tmp_path):
    with OpenAIServer(handler=lambda req: ok(verdict(6, 6, 6)), batch_polls=2) as server:
        judge = make_judge(server, tmp_path, mode="batch", batch_poll_s=0.01)
        outcomes = judge.judge_many(items(5))
        assert all(o.error is None and o.scores["Diagnosis"] == 6 and o.latency_s is None for o in outcomes)
        assert server.chat_requests == [], "batch mode sends no online calls"
        [batch] = server.batches.values()
        assert len(batch["lines"]) == 5 and batch["polls"] == 3
        for line in batch["lines"]:
            assert line["body"]["store"] is False and line["body"]["temperature"] == 0
        s = judge.summary()
        assert s["calls"] == 5 and s["cost_usd"] == pytest.approx((600 * 2.5 + 150 * 10) / 1e6 / 2)
        sent = len(server.requests)
        again = make_judge(server, tmp_path, mode="batch").judge_many(items(5))
        assert len(server.requests) == sent and all(o.cached for o in again)


def test_batch_mode_without_waiting_is_collected_by_a_rerun(tmp_path):
    with OpenAIServer(handler=lambda req: ok(verdict(3, 3, 3)), batch_polls=1) as server:
        judge = make_judge(server, tmp_path, mode="batch", batch_wait=False)
        pending = judge.judge_many(items(3))
        assert all(o.pending and "rerun the same command" in o.error for o in pending)
        assert judge.summary()["pending"] == 3
        uploads = [r for r in server.requests if r.path.endswith("/files")]
        rerun = make_judge(server, tmp_path, mode="batch", batch_wait=False)
        assert all(o.pending for o in rerun.judge_many(items(3))), "still in progress: nothing new submitted"
        collected = make_judge(server, tmp_path, mode="batch", batch_wait=False).judge_many(items(3))
        assert all(o.error is None and o.scores["Rhythm"] == 3 for o in collected)
        assert len(server.batches) == 1
        assert [r for r in server.requests if r.path.endswith("/files")] == uploads


def test_batch_items_the_server_failed_are_item_errors(tmp_path):
    script = iter([ok(verdict()), Reply(500, error_body("batch line failed", "server_error"))])
    with OpenAIServer(handler=lambda req: next(script)) as server:
        good, bad = make_judge(server, tmp_path, mode="batch", batch_poll_s=0.01).judge_many(items(2))
        assert good.error is None and "batch line failed" in bad.error


def test_batch_submission_refused_is_an_item_error_not_a_crash(tmp_path):
    with OpenAIServer(handler=lambda req: ok(verdict())) as server:
        server._upload = lambda request: Reply(400, error_body("batch files are not supported here"))
        outcomes = make_judge(server, tmp_path, mode="batch").judge_many(items(2))
        assert all("could not be submitted" in o.error and "not supported" in o.error for o in outcomes)


def test_replies_that_are_not_chat_completions_are_item_errors(openai_server, tmp_path):  # noqa: F811
    openai_server.script(Reply(body="<html>proxy error</html>"), Reply(body={"object": "list", "data": []}),
                         ok(None), ok(verdict()))
    outcomes = make_judge(openai_server, tmp_path, concurrency=1).judge_many(items(4))
    assert "not JSON" in outcomes[0].error
    assert "not a chat completion" in outcomes[1].error
    assert "empty" in outcomes[2].error
    assert outcomes[3].error is None and outcomes[3].scores["Diagnosis"] == 7


def test_repeats_report_the_spread(openai_server, tmp_path):  # noqa: F811
    draws = iter([7, 8, 6, 7, 7, 7, 2, 4, 9])
    openai_server.handler = lambda req: ok(verdict(next(draws), 5, 5))
    judge = make_judge(openai_server, tmp_path, repeats=3, concurrency=1)
    outcomes = judge.judge_many(items(3))
    assert len(openai_server.chat_requests) == 9
    grid = np.array([[r["scores"]["Diagnosis"] for r in o.to_record()["repeats"]] for o in outcomes])
    assert sorted(grid.ravel().tolist()) == sorted([7, 8, 6, 7, 7, 7, 2, 4, 9])
    assert [o.scores["Diagnosis"] for o in outcomes] == pytest.approx(grid.mean(axis=1).tolist())
    spread = judge.summary()["spread"]["Diagnosis"]
    assert spread["mean_sd"] == pytest.approx(grid.std(axis=1).mean())
    assert spread["max_range"] == pytest.approx(np.ptp(grid, axis=1).max())
    assert spread["repeat_means"] == pytest.approx(grid.mean(axis=0).tolist())
    assert judge.summary()["spread"]["Waveform"]["mean_sd"] == 0
    assert len(make_judge(openai_server, tmp_path, repeats=3).judge_many(items(3))[0].repeats) == 3
    assert len(openai_server.chat_requests) == 9, "repeats are cached one by one"


def test_pairwise_is_judged_in_both_orders(openai_server, tmp_path):  # noqa: F811
    def prefers_good(request):
        user = request.json["messages"][1]["content"]
        first = user.split("<answer1_")[1].split("</answer1_")[0]
        return ok(json.dumps({"Explanation": "x", "Winner": "1" if "GOOD" in first else "2"}))

    openai_server.handler = prefers_good
    judge = make_judge(openai_server, tmp_path, rubric=ARENA)
    result = judge.compare_pair("What is the rhythm?", "weak answer", "GOOD answer: sinus rhythm")
    assert result.winner == "B" and result.consistent is True
    orders = [r.json["messages"][1]["content"] for r in openai_server.chat_requests]
    assert len(orders) == 2
    # the two orders are sent concurrently, so they may arrive in either order
    firsts = sorted("weak" if o.index("weak answer") < o.index("GOOD answer") else "good" for o in orders)
    assert firsts == ["good", "weak"], "one request per order"
    assert openai_server.chat_requests[0].json["response_format"]["json_schema"]["name"] == "arena_pair"

    openai_server.handler = lambda req: ok(json.dumps({"Explanation": "first is best", "Winner": "1"}))
    biased = judge.compare_pair("Which lead?", "answer one", "answer two")
    assert biased.winner == "tie" and biased.consistent is False
    assert [o["winner"] for o in biased.orders] == ["A", "B"]
    assert judge.summary()["pair_inconsistent"] == 1


def test_strict_mode_raises_after_judging(openai_server, tmp_path):  # noqa: F811
    openai_server.script(ok(verdict()), ok("no verdict here"))
    judge = make_judge(openai_server, tmp_path, strict=True, concurrency=1)
    outcomes = judge.judge_many(items(2))
    assert outcomes[0].failures == [] and outcomes[1].failures == REPORT.criterion_names
    with pytest.raises(JudgeStrictError, match="Diagnosis 1"):
        judge.check_strict()
    lenient = make_judge(openai_server, tmp_path, strict=False)
    lenient.judge_many(items(2))
    lenient.check_strict()


def test_items_without_output_are_not_sent(openai_server, tmp_path):  # noqa: F811
    openai_server.handler = lambda req: ok(verdict())
    done, skipped = make_judge(openai_server, tmp_path).judge_many(
        [JudgeItem("a", "q", "r", "text"), JudgeItem("b", "q", "r", None)])
    assert done.error is None and skipped.error == "no model output to judge"
    assert len(openai_server.chat_requests) == 1


def test_identical_items_are_asked_once(openai_server, tmp_path):  # noqa: F811
    openai_server.handler = lambda req: ok(verdict())
    same = JudgeItem("a", "q", "r", "text")
    outcomes = make_judge(openai_server, tmp_path, cache_mode="off").judge_many([same, JudgeItem("b", "q", "r", "text")])
    assert len(openai_server.chat_requests) == 1 and outcomes[1].sample_id == "b" and outcomes[1].error is None


def test_notice_when_no_judge_is_configured():
    notice = not_configured_notice(REPORT)
    assert "judge.Diagnosis" in notice and "judge.score" in notice
    assert "--judge MODEL" in notice and "--judge-base-url" in notice


def test_describe_has_no_credentials_in_the_url(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    judge = Judge(JudgeConfig(model="m", base_url="https://user:pw@example.org/v1?api-key=abc",
                              cache_path=tmp_path / "c.sqlite"), REPORT)
    assert judge.describe()["base_url"] == "https://example.org/v1"


@pytest.mark.parametrize("field, value", [("concurrency", 0), ("repeats", 0), ("mode", "fast"), ("cache_mode", "x")])
def test_bad_configuration_is_refused(tmp_path, field, value):
    with pytest.raises(ValueError):
        Judge(JudgeConfig(model="m", base_url="http://127.0.0.1:9/v1", cache_path=tmp_path / "c.sqlite",
                          **{field: value}), REPORT)
