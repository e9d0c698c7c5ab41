"""The judge engine: rubric prompts sent through the openai SDK's async client.

Every request is deterministic as far as the server allows (temperature 0, a fixed seed)
and asks the provider not to keep the data (``store=False``: credentialed ECG data must not
be retained). Calls run ``concurrency`` at a time; the SDK retries 429, 5xx, timeouts and
connection errors with exponential backoff, honouring ``Retry-After``; each call has its
own timeout. Replies are cached (``gemeval.judge.cache``), so a rerun makes no calls.

Response formats, most to least constrained: a strict JSON schema (structured outputs),
JSON mode, plain text. With ``response_format="auto"`` the engine starts strict and steps
down when the server rejects the format (HTTP 400 naming it), and remembers what the
server accepted. The parser is tolerant in every case (``gemeval.judge.parse``).

``mode="batch"`` sends the whole judge phase through the provider's Batch API (half the
price): the job's id is kept in the cache database, the run waits for it (or, with
``batch_wait=False``, reports the items as pending) and a rerun of the same command
collects the finished job instead of submitting a new one.

The API key is read from the environment when a client is made and is never stored,
logged or written into any record, description or summary.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import logging
import os
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Coroutine, Sequence, TypeVar, cast
from urllib.parse import urlsplit, urlunsplit

from gemeval.judge.reliability import repeat_spread
from gemeval.judge.cache import JudgeCache, cache_key
from gemeval.judge.parse import Verdict, parse_pair_verdict, parse_verdict
from gemeval.judge.prices import PRICES_AS_OF, estimate_cost_usd
from gemeval.judge.rubric import RESPONSE_FORMATS, Rubric, response_format_field
from gemeval.errors import GemevalError, UsageError

log = logging.getLogger("gemeval.judge")

JUDGE_MODES = ("online", "batch")
FORMAT_CHOICES = ("auto",) + RESPONSE_FORMATS
DEFAULT_BASE_URL = "https://api.openai.com/v1"
LOCAL_PLACEHOLDER_KEY = "EMPTY"
BATCH_ENDPOINT = "/v1/chat/completions"
BATCH_TERMINAL = ("completed", "failed", "expired", "cancelled")
BATCH_MAX_REQUESTS = 50_000  # the Batch API's limit per job

T = TypeVar("T")


class JudgeError(GemevalError, RuntimeError):
    """A judge that cannot run (no key, bad configuration), with what to do."""


class JudgeStrictError(JudgeError):
    """``strict=True`` and some verdicts failed to parse or some calls failed."""


class JudgeConnectionError(JudgeError):
    """The judge server could not be reached for :data:`CONNECTION_STOP_AFTER` calls in a
    row: the judge phase stopped; what was stored is kept and a rerun resumes."""


CONNECTION_STOP_AFTER = 3
"""Consecutive calls that fail to connect (refused, unreachable host, after the SDK's
retries) before the engine stops sending: a judge URL on a closed port costs seconds, not
one retry cycle per item."""


@dataclass
class JudgeConfig:
    """How to judge. ``base_url`` None means OpenAI; ``cache_path`` None means the user's
    cache folder; ``rule`` None means the rubric's default rule."""

    model: str
    base_url: str | None = None
    concurrency: int = 16
    timeout_s: float = 60.0
    max_retries: int = 5
    cache_path: Path | None = None
    cache_mode: str = "readwrite"
    mode: str = "online"
    repeats: int = 1
    seed: int = 0
    strict: bool = False
    rule: str | None = None
    temperature: float = 0.0
    max_tokens: int | None = None
    response_format: str = "auto"
    api_key_env: str = "OPENAI_API_KEY"
    batch_wait: bool = True
    batch_poll_s: float = 30.0
    batch_max_wait_s: float = 24 * 3600.0
    prices_usd_per_mtok: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        checks = [
            (bool(self.model), "the judge model name is empty; pass --judge MODEL"),
            (self.concurrency >= 1, f"--judge-concurrency must be at least 1, not {self.concurrency}"),
            (self.repeats >= 1, f"--judge-repeats must be at least 1, not {self.repeats}"),
            (self.timeout_s > 0, f"the judge timeout must be positive, not {self.timeout_s}"),
            (self.max_retries >= 0, f"max_retries must be 0 or more, not {self.max_retries}"),
            (self.mode in JUDGE_MODES, f"--judge-mode must be one of {', '.join(JUDGE_MODES)}, not {self.mode!r}"),
            (self.response_format in FORMAT_CHOICES,
             f"response_format must be one of {', '.join(FORMAT_CHOICES)}, not {self.response_format!r}"),
        ]
        for ok, message in checks:
            if not ok:
                raise UsageError(message)


@dataclass(frozen=True)
class JudgeItem:
    """One model output to grade: the question it answered, the reference, the output."""

    sample_id: str
    question: str | None
    reference: str | None
    candidate: str | None


@dataclass
class _Reply:
    raw: str | None = None
    usage: dict[str, int] = field(default_factory=dict)
    latency_s: float | None = None
    system_fingerprint: str | None = None
    response_model: str | None = None
    finish_reason: str | None = None
    cached: bool = False
    error: str | None = None
    retries: int = 0
    pending: bool = False
    connection: bool = False  # the call never reached the server (or was not sent after the stop)

    def cache_value(self) -> dict[str, Any]:
        return {
            "raw": self.raw, "usage": self.usage, "latency_s": self.latency_s,
            "system_fingerprint": self.system_fingerprint, "response_model": self.response_model,
            "finish_reason": self.finish_reason,
        }

    @classmethod
    def from_cache(cls, value: dict[str, Any]) -> "_Reply":
        return cls(cached=True, **value)

    @classmethod
    def from_completion(cls, completion: Any, latency_s: float | None, retries: int) -> "_Reply":
        """A reply from a chat.completion object; an error reply when it is not one."""
        choices = completion.get("choices") if isinstance(completion, dict) else None
        if not choices or not isinstance(choices[0], dict):
            return cls(latency_s=latency_s, retries=retries,
                       error="the judge server's reply is not a chat completion (no choices)")
        choice, usage = choices[0], completion.get("usage") or {}
        message = choice.get("message") or {}
        reply = cls(
            raw=message.get("content"),
            usage={"prompt_tokens": int(usage.get("prompt_tokens") or 0),
                   "completion_tokens": int(usage.get("completion_tokens") or 0)},
            latency_s=latency_s, system_fingerprint=completion.get("system_fingerprint"),
            response_model=completion.get("model"), finish_reason=choice.get("finish_reason"), retries=retries,
        )
        if reply.raw is None:
            reply.error = f"the judge refused: {message['refusal']}" if message.get("refusal") else "the judge's reply is empty"
        return reply


@dataclass
class _Request:
    kind: str  # "verdict", "pair", or the tag of a completion request (``Judge.complete_many``)
    repeat: int
    messages: list[dict[str, str]]
    untrusted: tuple[str | None, ...]
    schema: tuple[str, dict[str, Any]] | None = None  # (name, JSON schema) when not the rubric's

    @property
    def identity(self) -> str:
        return cache_key([self.kind, self.repeat, self.messages])


@dataclass
class JudgeOutcome:
    """The judge's result for one sample; ``to_record()`` is what samples.jsonl stores."""

    sample_id: str
    raw: str | None
    parsed: dict[str, Any] | None
    scores: dict[str, float | None]
    failures: list[str]
    failure_reasons: dict[str, str]
    usage: dict[str, int]
    latency_s: float | None
    system_fingerprint: str | None
    cached: bool
    error: str | None
    retries: int = 0
    pending: bool = False
    repaired: bool = False
    repeats: list[dict[str, Any]] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    connection_error: bool = False

    def to_record(self) -> dict[str, Any]:
        record = {
            **self.meta, "raw": self.raw, "parsed": self.parsed, "scores": self.scores,
            "failures": self.failures, "failure_reasons": self.failure_reasons, "usage": self.usage,
            "latency_s": self.latency_s, "system_fingerprint": self.system_fingerprint,
            "cached": self.cached, "error": self.error, "retries": self.retries, "pending": self.pending,
            "repaired": self.repaired, "connection_error": self.connection_error,
        }
        if self.repeats:
            record["repeats"] = self.repeats
        return record


@dataclass
class PairOutcome:
    """An A-versus-B comparison judged in both orders. ``winner`` is "A", "B" or "tie"
    (the two orders disagreeing counts as a tie, ``consistent`` False), None on failure."""

    winner: str | None
    consistent: bool | None
    orders: list[dict[str, Any]]
    error: str | None = None

    def to_record(self) -> dict[str, Any]:
        return {"winner": self.winner, "consistent": self.consistent, "orders": self.orders, "error": self.error}


@dataclass
class _Stats:
    items: int = 0
    requests_sent: int = 0
    calls: int = 0
    cache_hits: int = 0
    retries: int = 0
    call_errors: int = 0
    connection_errors: int = 0
    pending: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_prompt_tokens: int = 0
    cached_completion_tokens: int = 0
    cost_usd: float = 0.0
    cost_known: bool = True
    unparsed: int = 0
    parse_failures: Counter = field(default_factory=Counter)
    pair_inconsistent: int = 0
    pair_failed: int = 0
    wall_s: float = 0.0


def _public_url(url: str) -> str:
    """The URL without user info, query or fragment: nothing secret goes into a record."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", "")).rstrip("/")


def _run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine from sync code, also when the caller is inside an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _status_message(exc: Exception) -> str:
    """The server's own error message where the SDK parsed one."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body["error"] if isinstance(body.get("error"), dict) else body
        if inner.get("message"):
            return str(inner["message"])
    return str(getattr(exc, "message", None) or exc)


def _rejects_format(exc: Exception) -> bool:
    text = _status_message(exc).lower()
    return any(word in text for word in ("response_format", "json_schema", "json_object", "structured output"))


def not_configured_notice(rubric: Rubric, rule: str | None = None) -> str:
    """What ``gemeval run`` says when a task has a judge rubric but no judge was given."""
    return (
        f"judge metrics skipped ({', '.join(rubric.metric_names(rule))}): no judge configured. "
        "To compute them pass --judge MODEL (an OpenAI model; the key is read from $OPENAI_API_KEY), "
        "or --judge MODEL --judge-base-url URL for any OpenAI-compatible server (Azure, vLLM, Ollama)."
    )


class Judge:
    """Grades model outputs with an LLM against a rubric.

    ``judge_many(items)`` returns one JudgeOutcome per item, in input order; an item that
    cannot be judged (no output, a failed call, an unparsable reply) carries the reason
    and never stops the others. ``summary()`` accounts for everything done so far.

    Without a rubric the judge is a connection only: ``complete_many`` sends other
    structured requests (e.g. reading the claims of a text, ``gemeval.judge.claims``) with
    the same cache, retries, format fallback, ``store=False`` and accounting.
    """

    def __init__(self, config: JudgeConfig, rubric: Rubric | None = None):
        for package in ("openai", "json_repair"):
            if importlib.util.find_spec(package) is None:
                raise JudgeError(f"the judge needs the {package} package: pip install 'gemeval[judge]'")
        self.config = config
        self._rubric = rubric
        self.rule = rubric.resolve_rule(config.rule).name if rubric is not None else None
        self.base_url = (config.base_url or DEFAULT_BASE_URL).rstrip("/")
        if not os.environ.get(config.api_key_env) and config.base_url is None:
            raise JudgeError(
                f"no API key for the judge: set ${config.api_key_env}, or pass --judge-base-url URL "
                "for a local OpenAI-compatible server that needs none"
            )
        self.cache = JudgeCache(config.cache_path, config.cache_mode)
        self._format_setting = f"response_format|{config.model}|{self.base_url}"
        if config.response_format != "auto":
            self._format = config.response_format
        else:
            self._format = self.cache.get_setting(self._format_setting) or "json_schema"
        self._stats = _Stats()
        self._repeat_scores: list[list[dict[str, float | None]]] = []
        self._connection_run = 0
        self.stopped: str | None = None
        """Why the engine stopped sending (the server could not be reached), else None."""
        self._stop_event: asyncio.Event | None = None

    @property
    def rubric(self) -> Rubric:
        if self._rubric is None:
            raise JudgeError("this judge connection has no rubric; it only sends complete_many requests")
        return self._rubric

    # -- public ------------------------------------------------------------------------
    def complete_many(self, messages: Sequence[list[dict[str, str]]], *, tag: str, schema_name: str,
                      schema: dict[str, Any], untrusted: Sequence[tuple[str | None, ...]]) -> list[_Reply]:
        """One reply per message list, in order: structured requests outside the rubric
        (``schema`` is the JSON schema of the reply; ``tag`` names the kind of request in
        the cache key; ``untrusted`` are the texts inside each prompt). A failed call is a
        reply with ``error`` set; nothing raises."""
        requests = [_Request(tag, 0, list(m), tuple(u), (schema_name, schema)) for m, u in zip(messages, untrusted)]
        start = time.perf_counter()
        replies = _run_sync(self._execute(requests))
        self._stats.items += len(requests)
        self._stats.wall_s += time.perf_counter() - start
        return replies

    def judge_many(self, items: Sequence[JudgeItem]) -> list[JudgeOutcome]:
        """Judge every item (``repeats`` times each); outcomes in input order."""
        return _run_sync(self.ajudge_many(items))

    async def ajudge_many(self, items: Sequence[JudgeItem]) -> list[JudgeOutcome]:
        start = time.perf_counter()
        requests: list[tuple[int, _Request]] = []
        for i, item in enumerate(items):
            if item.candidate is None:
                continue
            messages = self.rubric.render(item.question, item.reference, item.candidate)
            untrusted = (item.question, item.reference, item.candidate)
            for r in range(self.config.repeats):
                requests.append((i, _Request("verdict", r, messages, untrusted)))
        replies = await self._execute([req for _, req in requests])
        by_item: dict[int, list[tuple[_Request, _Reply]]] = {}
        for (i, req), reply in zip(requests, replies):
            by_item.setdefault(i, []).append((req, reply))
        outcomes = [self._outcome(item, by_item.get(i, [])) for i, item in enumerate(items)]
        self._stats.items += len(items)
        self._stats.wall_s += time.perf_counter() - start
        return outcomes

    def compare_pair(self, question: str | None, answer_a: str, answer_b: str, reference: str | None = None) -> PairOutcome:
        """Which of two answers is better, judged in both orders (rubric's pairwise form)."""
        return self.compare_pairs([(question, answer_a, answer_b, reference)])[0]

    def compare_pairs(self, pairs: Sequence[tuple[str | None, str, str, str | None]]) -> list[PairOutcome]:
        return _run_sync(self.acompare_pairs(pairs))

    async def acompare_pairs(self, pairs: Sequence[tuple[str | None, str, str, str | None]]) -> list[PairOutcome]:
        start = time.perf_counter()
        requests = []
        for question, a, b, reference in pairs:
            untrusted = (question, reference, a, b)
            requests.append(_Request("pair", 0, self.rubric.render_pair(question, a, b, reference), untrusted))
            requests.append(_Request("pair", 0, self.rubric.render_pair(question, b, a, reference), untrusted))
        replies = await self._execute(requests)
        outcomes = []
        for k in range(len(pairs)):
            outcomes.append(self._pair_outcome(requests[2 * k: 2 * k + 2], replies[2 * k: 2 * k + 2]))
        self._stats.wall_s += time.perf_counter() - start
        return outcomes

    def describe(self) -> dict[str, Any]:
        """What determines the verdicts, for config.json (no secrets)."""
        c, rubric = self.config, self._rubric
        return {
            "model": c.model, "base_url": _public_url(self.base_url), "api_key_env": c.api_key_env,
            "rubric": rubric and rubric.name, "rubric_version": rubric and rubric.version,
            "rubric_sha256": rubric and rubric.sha256, "rule": self.rule, "temperature": c.temperature, "seed": c.seed, "store": False,
            "max_tokens": c.max_tokens, "response_format": c.response_format, "mode": c.mode,
            "concurrency": c.concurrency, "timeout_s": c.timeout_s, "max_retries": c.max_retries,
            "repeats": c.repeats, "cache_mode": c.cache_mode,
            "cache_path": None if self.cache.path is None else str(self.cache.path),
        }

    def summary(self) -> dict[str, Any]:
        """Counts, tokens, estimated cost and wall time of everything judged so far."""
        s = self._stats
        out = {
            **self.describe(),
            "response_format_used": self._format,
            "items": s.items, "requests_sent": s.requests_sent, "calls": s.calls, "cache_hits": s.cache_hits,
            "retries": s.retries, "call_errors": s.call_errors, "connection_errors": s.connection_errors,
            "pending": s.pending, "stopped": self.stopped,
            "unparsed_replies": s.unparsed,
            "parse_failures": {c.name: s.parse_failures.get(c.name, 0)
                               for c in (self._rubric.criteria if self._rubric else ())},
            "pair_inconsistent": s.pair_inconsistent, "pair_failed": s.pair_failed,
            "tokens": {"prompt": s.prompt_tokens, "completion": s.completion_tokens},
            "cached_tokens": {"prompt": s.cached_prompt_tokens, "completion": s.cached_completion_tokens},
            "cost_usd": round(s.cost_usd, 6) if s.cost_known else None,
            "prices_as_of": PRICES_AS_OF, "wall_s": round(s.wall_s, 3),
        }
        if self.config.repeats > 1:
            out["spread"] = repeat_spread(self._repeat_scores)
        return out

    def failure_count(self) -> int:
        s = self._stats
        return s.call_errors + s.connection_errors + s.pending + sum(s.parse_failures.values()) + s.pair_failed

    def check_strict(self) -> None:
        """With ``strict``, raise JudgeStrictError if any call failed or any criterion of
        any verdict did not parse (call after storing the outcomes)."""
        if self.config.strict and self.failure_count():
            s = self._stats
            failed = ", ".join(f"{k} {v}" for k, v in s.parse_failures.items() if v) or "none"
            raise JudgeStrictError(
                f"--strict: {s.call_errors} judge calls failed, {s.pending} pending, parse failures per "
                f"criterion: {failed}; see the judge errors in samples.jsonl"
            )

    def close(self) -> None:
        self.cache.close()

    # -- requests ----------------------------------------------------------------------
    def _body(self, req: _Request, fmt: str) -> dict[str, Any]:
        c = self.config
        body: dict[str, Any] = {
            "model": c.model, "messages": req.messages, "temperature": c.temperature, "seed": c.seed, "store": False,
        }
        if c.max_tokens is not None:
            body["max_tokens"] = c.max_tokens
        if req.schema is not None:
            response_format = response_format_field(fmt, *req.schema)
        else:
            response_format = self.rubric.response_format(fmt, pairwise=req.kind == "pair")
        if response_format is not None:
            body["response_format"] = response_format
        return body

    def _key(self, req: _Request, body: dict[str, Any]) -> str:
        if req.schema is not None:
            return cache_key({"base_url": self.base_url, "request": req.kind, "body": body, "repeat": req.repeat})
        return cache_key({
            "base_url": self.base_url, "rubric": self.rubric.name, "rubric_version": self.rubric.version,
            "body": body, "repeat": req.repeat,
        })

    def _client(self):
        from openai import AsyncOpenAI, DefaultAsyncHttpxClient

        api_key = os.environ.get(self.config.api_key_env) or LOCAL_PLACEHOLDER_KEY

        async def count_request(_request) -> None:
            self._stats.requests_sent += 1

        return AsyncOpenAI(
            api_key=api_key, base_url=self.base_url, max_retries=self.config.max_retries,
            timeout=self.config.timeout_s,
            http_client=DefaultAsyncHttpxClient(event_hooks={"request": [count_request]}),
        )

    async def _execute(self, requests: Sequence[_Request]) -> list[_Reply]:
        """One reply per request, in order; identical requests are sent once."""
        first: dict[str, int] = {}
        unique: list[_Request] = []
        for req in requests:
            if req.identity not in first:
                first[req.identity] = len(unique)
                unique.append(req)
        client = self._client()
        self._stop_event = asyncio.Event()
        try:
            if self.config.mode == "batch":
                replies = await self._batch(client, unique)
            else:
                gate = asyncio.Semaphore(self.config.concurrency)
                replies = await asyncio.gather(*(self._online(client, gate, req) for req in unique))
        finally:
            await client.close()
        for reply in replies:
            self._account(reply)
        return [replies[first[req.identity]] for req in requests]

    async def _online(self, client, gate: asyncio.Semaphore, req: _Request) -> _Reply:
        import openai

        while True:
            fmt = self._format
            body = self._body(req, fmt)
            key = self._key(req, body)
            hit = self.cache.get(key)
            if hit is not None:
                return _Reply.from_cache(hit)
            async with gate:
                if self.stopped:
                    return _Reply(error=f"judge phase stopped: {self.stopped}", connection=True)
                start = time.perf_counter()
                try:
                    response = await self._unless_stopped(client.chat.completions.with_raw_response.create(**body))
                    if response is None:
                        return _Reply(error=f"judge phase stopped: {self.stopped}", connection=True)
                    self._connection_run = 0
                except openai.BadRequestError as exc:
                    if fmt != "text" and _rejects_format(exc):
                        self._step_down(fmt, exc)
                        continue
                    return _Reply(error=f"the judge server rejected the request (HTTP 400): {_status_message(exc)}")
                except openai.APITimeoutError:
                    # the server took the request: slow, not unreachable
                    return _Reply(error=(
                        f"no reply from the judge within {self.config.timeout_s:g} s "
                        f"({self.config.max_retries + 1} tries); raise the timeout or lower --judge-concurrency"
                    ))
                except openai.APIStatusError as exc:
                    return _Reply(error=(
                        f"the judge server answered HTTP {exc.status_code}: {_status_message(exc)} "
                        f"(after up to {self.config.max_retries} retries)"
                    ))
                except openai.APIConnectionError as exc:
                    cause = exc.__cause__ or exc.__context__
                    detail = f"{exc} ({type(cause).__name__}: {cause})" if cause else str(exc)
                    return self._connection_failed(
                        f"cannot reach the judge server at {_public_url(self.base_url)}: {detail}")
                except openai.APIError as exc:
                    return _Reply(error=f"the judge call failed: {exc}")
                latency = time.perf_counter() - start
            try:
                completion = response.http_response.json()
            except ValueError:
                return _Reply(latency_s=latency, error="the judge server's reply is not JSON; is --judge-base-url "
                                                       "an OpenAI-compatible /v1 endpoint?")
            reply = _Reply.from_completion(completion, latency, response.retries_taken)
            if reply.error is None:
                self.cache.put(key, reply.cache_value())
            return reply

    async def _unless_stopped(self, call: Awaitable[T]) -> T | None:
        """``await call``, or None (the call cancelled) once the engine stopped."""
        task = asyncio.ensure_future(call)
        if self._stop_event is None:
            return await task
        stop = asyncio.ensure_future(self._stop_event.wait())
        try:
            await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
        if not task.done():
            task.cancel()
            return None
        return task.result()

    def _connection_failed(self, message: str) -> _Reply:
        """A call that did not get through; after CONNECTION_STOP_AFTER in a row the engine
        stops sending and cancels the calls in flight."""
        self._connection_run += 1
        if self._connection_run >= CONNECTION_STOP_AFTER and not self.stopped:
            self.stopped = f"{message}; {self._connection_run} judge calls in a row failed to connect"
            if self._stop_event is not None:
                self._stop_event.set()
        return _Reply(error=message, connection=True)

    def _step_down(self, fmt: str, exc: Exception) -> None:
        chain = list(RESPONSE_FORMATS)
        if self._format == fmt:
            self._format = chain[chain.index(fmt) + 1]
            self.cache.set_setting(self._format_setting, self._format)
            log.warning(
                "judge server %s rejected response_format %s (%s); using %s from now on",
                _public_url(self.base_url), fmt, _status_message(exc), self._format,
            )

    # -- batch mode --------------------------------------------------------------------
    async def _batch(self, client, requests: Sequence[_Request]) -> list[_Reply]:
        import openai

        replies: list[_Reply | None] = [None] * len(requests)
        todo: list[tuple[int, str, dict[str, Any]]] = []
        for i, req in enumerate(requests):
            body = self._body(req, self._format)
            key = self._key(req, body)
            hit = self.cache.get(key)
            if hit is not None:
                replies[i] = _Reply.from_cache(hit)
            else:
                todo.append((i, key, body))
        try:
            jobs = []
            for start in range(0, len(todo), BATCH_MAX_REQUESTS):
                chunk = todo[start: start + BATCH_MAX_REQUESTS]
                jobs.append((chunk, await self._find_or_submit(client, chunk)))
            jobs = await self._wait(client, jobs)
            for chunk, batch in jobs:
                self._settle(chunk, batch, await self._collect(client, batch) if batch.status in BATCH_TERMINAL else {},
                             replies)
        except openai.APIError as exc:
            log.warning("judge batch failed: %s", exc)
            for i, _, _ in todo:
                if replies[i] is None:
                    replies[i] = _Reply(error=f"the judge batch could not be submitted or collected: {exc}; rerun to retry")
        return cast("list[_Reply]", replies)

    def _settle(self, chunk, batch, results: dict[str, _Reply], replies: list[_Reply | None]) -> None:
        """Each item of a job: its reply (cached), pending while the job runs, or an error."""
        done = (batch.request_counts.completed if batch.request_counts else 0) or 0
        for i, key, _ in chunk:
            reply = results.get(key)
            if reply is None and batch.status not in BATCH_TERMINAL:
                reply = _Reply(pending=True, error=(
                    f"judge batch {batch.id} is {batch.status} ({done}/{len(chunk)} done); "
                    "rerun the same command to collect it"
                ))
            elif reply is None:
                reply = _Reply(error=f"judge batch {batch.id} ended {batch.status} without a reply for this item")
            elif reply.error is None:
                self.cache.put(key, reply.cache_value())
            replies[i] = reply

    async def _find_or_submit(self, client, chunk: list[tuple[int, str, dict[str, Any]]]):
        batch_key = cache_key({"base_url": self.base_url, "model": self.config.model, "keys": sorted(k for _, k, _ in chunk)})
        batch_id = self.cache.get_batch(batch_key)
        if batch_id is not None:
            batch = await client.batches.retrieve(batch_id)
            if batch.status not in ("failed", "expired", "cancelled") or batch.output_file_id:
                log.info("judge batch %s found (%s); collecting it", batch.id, batch.status)
                return batch
            log.warning("judge batch %s ended %s; submitting a new one", batch.id, batch.status)
            self.cache.drop_batch(batch_key)
        lines = [
            json.dumps({"custom_id": key, "method": "POST", "url": BATCH_ENDPOINT, "body": body}, ensure_ascii=False)
            for _, key, body in chunk
        ]
        upload = await client.files.create(
            file=("gemeval-judge-batch.jsonl", ("\n".join(lines) + "\n").encode("utf-8")), purpose="batch",
        )
        batch = await client.batches.create(
            input_file_id=upload.id, endpoint=BATCH_ENDPOINT, completion_window="24h",
            metadata={"gemeval_rubric": f"{self._rubric.name}@{self._rubric.version}" if self._rubric else "none"},
        )
        self.cache.put_batch(batch_key, batch.id, len(chunk))
        log.info("judge batch %s submitted with %d requests", batch.id, len(chunk))
        return batch

    async def _wait(self, client, jobs):
        if not self.config.batch_wait:
            return jobs
        deadline = time.monotonic() + self.config.batch_max_wait_s
        while any(b.status not in BATCH_TERMINAL for _, b in jobs) and time.monotonic() < deadline:
            await asyncio.sleep(self.config.batch_poll_s)
            jobs = [(chunk, b if b.status in BATCH_TERMINAL else await client.batches.retrieve(b.id)) for chunk, b in jobs]
        return jobs

    async def _collect(self, client, batch) -> dict[str, _Reply]:
        results: dict[str, _Reply] = {}
        for file_id, is_error in ((batch.output_file_id, False), (batch.error_file_id, True)):
            if not file_id:
                continue
            content = await client.files.content(file_id)
            for line in content.text.splitlines():
                try:
                    row = json.loads(line)
                except ValueError:
                    continue
                if not isinstance(row, dict) or "custom_id" not in row:
                    continue
                response = row.get("response") or {}
                status = response.get("status_code")
                if is_error or row.get("error") or status != 200:
                    detail = row.get("error") or (response.get("body") or {}).get("error") or {}
                    message = detail.get("message") if isinstance(detail, dict) else str(detail)
                    results[row["custom_id"]] = _Reply(error=f"judge batch {batch.id}: HTTP {status}: {message}")
                else:
                    results[row["custom_id"]] = _Reply.from_completion(response["body"], None, 0)
        return results

    # -- accounting and outcomes -------------------------------------------------------
    def _account(self, reply: _Reply) -> None:
        s = self._stats
        if reply.pending:
            s.pending += 1
            return
        if reply.error is not None and reply.raw is None:
            if reply.connection:
                s.connection_errors += 1
            else:
                s.call_errors += 1
            return
        prompt, completion = reply.usage.get("prompt_tokens", 0), reply.usage.get("completion_tokens", 0)
        if reply.cached:
            s.cache_hits += 1
            s.cached_prompt_tokens += prompt
            s.cached_completion_tokens += completion
            return
        s.calls += 1
        s.retries += reply.retries
        s.prompt_tokens += prompt
        s.completion_tokens += completion
        cost = estimate_cost_usd(self.config.model, prompt, completion, batch=self.config.mode == "batch",
                                 prices=self.config.prices_usd_per_mtok)
        if cost is None:
            s.cost_known = False
        else:
            s.cost_usd += cost

    def _attempt(self, item: JudgeItem, req: _Request, reply: _Reply) -> tuple[dict[str, Any], Verdict | None]:
        record: dict[str, Any] = {
            "raw": reply.raw, "usage": reply.usage, "latency_s": reply.latency_s,
            "system_fingerprint": reply.system_fingerprint, "response_model": reply.response_model,
            "finish_reason": reply.finish_reason, "cached": reply.cached, "error": reply.error,
            "retries": reply.retries, "pending": reply.pending, "connection": reply.connection,
        }
        if reply.raw is None:
            record.update(parsed=None, scores=self.rubric.sample_scores(None, self.rule),
                          failures=self.rubric.criterion_names, failure_reasons={}, repaired=False)
            return record, None
        verdict = parse_verdict(reply.raw, self.rubric, untrusted=req.untrusted)
        for name in verdict.failures:
            self._stats.parse_failures[name] += 1
        if verdict.error is not None:
            self._stats.unparsed += 1
            log.warning("judge reply for sample %s not usable: %s", item.sample_id, verdict.error)
        record.update(
            parsed=verdict.parsed, scores=self.rubric.sample_scores(verdict.parsed, self.rule),
            failures=sorted(verdict.failures, key=self.rubric.criterion_names.index),
            failure_reasons=verdict.failures, repaired=verdict.repaired,
        )
        return record, verdict

    def _outcome(self, item: JudgeItem, pairs: list[tuple[_Request, _Reply]]) -> JudgeOutcome:
        meta = {"rubric": self.rubric.name, "rubric_version": self.rubric.version,
                "rubric_sha256": self.rubric.sha256, "rule": self.rule, "judge_model": self.config.model}
        if not pairs:
            return JudgeOutcome(
                sample_id=item.sample_id, raw=None, parsed=None, scores=self.rubric.sample_scores(None, self.rule),
                failures=self.rubric.criterion_names, failure_reasons={}, usage={}, latency_s=None,
                system_fingerprint=None, cached=False, error="no model output to judge", meta=meta,
            )
        attempts = [self._attempt(item, req, reply)[0] for req, reply in pairs]
        head = attempts[0]
        scores = self.rubric.record_scores({"parsed": head["parsed"], "repeats": attempts if len(attempts) > 1 else None}, self.rule)
        if len(attempts) > 1:
            self._repeat_scores.append([a["scores"] for a in attempts])
        failed = [name for name in self.rubric.criterion_names if scores.get(name) is None]
        errors = [a["error"] for a in attempts if a["error"]]
        return JudgeOutcome(
            sample_id=item.sample_id, raw=head["raw"], parsed=head["parsed"], scores=scores, failures=failed,
            failure_reasons={n: head["failure_reasons"].get(n, head["error"] or "failed in every repeat") for n in failed},
            usage={k: sum(a["usage"].get(k, 0) for a in attempts) for k in ("prompt_tokens", "completion_tokens")},
            latency_s=head["latency_s"], system_fingerprint=head["system_fingerprint"],
            cached=all(a["cached"] for a in attempts),
            error=errors[0] if len(errors) == len(attempts) else None,
            retries=sum(a["retries"] for a in attempts), pending=any(a["pending"] for a in attempts),
            repaired=head["repaired"],
            repeats=attempts if len(attempts) > 1 else [], meta=meta,
            connection_error=all(a["connection"] for a in attempts),
        )

    def _pair_outcome(self, requests: Sequence[_Request], replies: Sequence[_Reply]) -> PairOutcome:
        orders: list[dict[str, Any]] = []
        mapped: list[str | None] = []
        for (label_1, label_2), req, reply in zip((("A", "B"), ("B", "A")), requests, replies):
            winner, error = (None, reply.error) if reply.raw is None else parse_pair_verdict(reply.raw, req.untrusted)
            name = {"1": label_1, "2": label_2, "tie": "tie"}.get(winner) if winner else None
            mapped.append(name)
            orders.append({"order": label_1 + label_2, "winner": name, "raw": reply.raw, "error": error,
                           "cached": reply.cached, "usage": reply.usage})
        if any(m is None for m in mapped):
            self._stats.pair_failed += 1
            return PairOutcome(winner=None, consistent=None, orders=orders,
                               error="; ".join(o["error"] for o in orders if o["error"]))
        consistent = mapped[0] == mapped[1]
        if not consistent:
            self._stats.pair_inconsistent += 1
        return PairOutcome(winner=mapped[0] if consistent else "tie", consistent=consistent, orders=orders)
