"""The judge phase: gemeval's engine against a one-at-a-time loop like the published script.

The script starts the local OpenAI-protocol test server (``tests/openai_server.py``) on
127.0.0.1 in a child process (a judge server is never in the client's process; sharing one
interpreter lock with the server's threads would tax whichever side runs more requests at
once), answering every chat completion with a valid grounding verdict after ``--delay-ms``
(200 ms, a fast real judge) and counting the requests. Then, on the same ``--items`` model
outputs:

1. the anchor: the sync openai client, one request at a time, as GEM's evaluation script
   does it (no temperature, no cache, no concurrency);
2. gemeval's Judge at ``--concurrency`` (16) with an empty cache;
3. the same Judge again on the same items: the rerun, answered from the cache.

It prints the wall times, the speedup of (2) over (1) with its limit (the concurrency,
at which the server's delay is the only cost) and the requests the server saw during the
rerun. Targets: speedup at least 12x, 0 requests on the rerun; the exit code is 1 when a
target is missed.

    python benchmarks/judge.py [--items 1000] [--delay-ms 200] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import openai  # noqa: E402
from openai_server import OpenAIServer, Reply, chat_completion  # noqa: E402

from gemeval.judge import Judge, JudgeConfig, JudgeItem, load_rubric  # noqa: E402

TARGET_SPEEDUP = 12.0


def verdict_text(rubric) -> str:
    verdict = {}
    for c in rubric.criteria:
        entry = {"Explanation": "supported by the cited QRS duration", "Score": c.scores[-1]}
        verdict[c.name] = [entry, entry] if c.entries == "list" else entry
    return json.dumps(verdict)


def make_items(n: int) -> list[JudgeItem]:
    return [
        JudgeItem(
            f"bench-{i}", "Interpret this 12-lead ECG and cite the evidence.",
            f"ECG {i}: sinus rhythm at {60 + i % 40} bpm. Right bundle branch block: QRS {120 + i % 30} ms, "
            "rsR' in V1.",
            f"ECG {i}: the rhythm is sinus at {58 + i % 40} bpm. QRS is {118 + i % 30} ms with an rsR' pattern "
            "in V1 and a wide S in I and V6, consistent with right bundle branch block.",
        )
        for i in range(n)
    ]


def counted_reply(body: str, delay_s: float, counter, request) -> Reply:
    with counter.get_lock():
        counter.value += 1
    return Reply(body=chat_completion(body), delay_s=delay_s)


def serve(body: str, delay_s: float, counter, url_pipe, stop) -> None:
    with OpenAIServer(handler=partial(counted_reply, body, delay_s, counter)) as server:
        url_pipe.send(server.url)
        stop.wait()


def anchor_loop(url: str, rubric, items: list[JudgeItem], model: str) -> float:
    """One request at a time with the sync client, parsing each reply as it comes."""
    client = openai.OpenAI(base_url=url, api_key=os.environ.get("OPENAI_API_KEY", "EMPTY"), max_retries=0)
    start = time.perf_counter()
    for item in items:
        messages = rubric.render(item.question, item.reference, item.candidate)
        reply = client.chat.completions.create(model=model, messages=messages)
        json.loads(reply.choices[0].message.content)
    wall = time.perf_counter() - start
    client.close()
    return wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--delay-ms", type=float, default=200.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--model", default="gpt-4o")
    args = parser.parse_args()

    rubric = load_rubric("grounding")
    body = verdict_text(rubric)
    items = make_items(args.items)
    delay_s = args.delay_ms / 1000
    ctx = multiprocessing.get_context("spawn")
    counter, stop = ctx.Value("i", 0), ctx.Event()
    receive_url, send_url = ctx.Pipe(duplex=False)
    server = ctx.Process(target=serve, args=(body, delay_s, counter, send_url, stop), daemon=True)
    server.start()
    url = receive_url.recv()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            anchor_s = anchor_loop(url, rubric, items, args.model)

            config = JudgeConfig(model=args.model, base_url=url, concurrency=args.concurrency,
                                 cache_path=Path(tmp) / "judge.sqlite")
            judge = Judge(config, rubric)
            before = counter.value
            start = time.perf_counter()
            outcomes = judge.judge_many(items)
            engine_s = time.perf_counter() - start
            engine_requests = counter.value - before
            failed = sum(bool(o.error or o.failures) for o in outcomes)
            judge.close()

            before = counter.value
            rerun = Judge(config, rubric)
            start = time.perf_counter()
            cached = rerun.judge_many(items)
            rerun_s = time.perf_counter() - start
            rerun_requests = counter.value - before
            rerun.close()
    finally:
        stop.set()
        server.join(10)

    speedup = anchor_s / engine_s
    print(f"items: {args.items}, server delay: {args.delay_ms:g} ms per reply, concurrency: {args.concurrency}")
    print(f"anchor (sync client, one at a time): {anchor_s:8.2f} s  ({anchor_s / args.items * 1000:.1f} ms/item)")
    print(f"gemeval judge, empty cache:          {engine_s:8.2f} s  ({engine_s / args.items * 1000:.1f} ms/item), "
          f"{engine_requests} requests, {failed} items failed")
    print(f"gemeval judge, rerun from cache:     {rerun_s:8.2f} s  ({sum(o.cached for o in cached)} cache hits)")
    print(f"speedup: {speedup:.1f}x (target >= {TARGET_SPEEDUP:g}x, limit {args.concurrency}x)")
    print(f"requests on the rerun: {rerun_requests} (target 0)")
    met = speedup >= TARGET_SPEEDUP and rerun_requests == 0 and failed == 0 and engine_requests == len(items)
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
