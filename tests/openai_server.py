"""A scriptable server speaking the OpenAI HTTP protocol on 127.0.0.1, for tests and benchmarks.

It answers ``POST /v1/chat/completions``, ``GET /v1/models`` (``served_models``) and the Batch API (``POST /v1/files``,
``GET /v1/files/{id}/content``, ``POST /v1/batches``, ``GET /v1/batches/{id}``), records
every request (method, path, headers, body) and is driven by a script:

- ``server.script(Reply(...), ...)`` queues replies for the next chat requests, in arrival
  order (status, headers, body, delay);
- when the queue is empty, ``server.handler(request) -> Reply`` answers (by default a 500
  that says nothing was scripted).

Batch jobs run every input line through the same script when the job is created, then
report ``in_progress`` for ``batch_polls`` retrievals before ``completed``.

    with OpenAIServer() as server:
        server.script(Reply(body=chat_completion('{"Score": 1}')))
        client = openai.OpenAI(base_url=server.url, api_key="test")
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterator

import pytest


@dataclass
class Reply:
    """One scripted answer: a dict body is sent as JSON, str/bytes as they are."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    received_at: float = field(default_factory=time.monotonic)

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None


_ids = itertools.count(1)


def chat_completion(
    content: str | None,
    model: str = "judge-test",
    prompt_tokens: int = 120,
    completion_tokens: int = 30,
    system_fingerprint: str | None = "fp_test",
    finish_reason: str = "stop",
) -> dict[str, Any]:
    """A chat.completion object whose message says ``content``."""
    return {
        "id": f"chatcmpl-{next(_ids)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": system_fingerprint,
        "choices": [{"index": 0, "finish_reason": finish_reason,
                     "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    }


def error_body(message: str, kind: str = "invalid_request_error", param: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": param, "code": None}}


def _unscripted(request: Request) -> Reply:
    return Reply(status=500, body=error_body("the test server has no scripted reply for this request", "server_error"))


class OpenAIServer:
    def __init__(self, handler: Callable[[Request], Reply] | None = None, batch_polls: int = 0):
        self.handler = handler or _unscripted
        self.batch_polls = batch_polls
        self.requests: list[Request] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.files: dict[str, dict[str, Any]] = {}
        self.served_models: list[str] = []  # listed by GET /v1/models (404 while empty)
        self.batches: dict[str, dict[str, Any]] = {}
        self._queue: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- control -----------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self._queue.extend(replies)

    @property
    def chat_requests(self) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def start(self) -> "OpenAIServer":
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> "OpenAIServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- answers -----------------------------------------------------------------------
    def chat_reply(self, request: Request) -> Reply:
        with self._lock:
            scripted = self._queue.popleft() if self._queue else None
        return scripted or self.handler(request)

    def _route(self, request: Request) -> Reply:
        parts = request.path.split("?")[0].rstrip("/").split("/")
        if request.method == "POST" and request.path.endswith("/chat/completions"):
            return self.chat_reply(request)
        if request.method == "POST" and parts[-1] == "files":
            return self._upload(request)
        if request.method == "GET" and len(parts) >= 2 and parts[-1] == "content" and parts[-3] == "files":
            stored = self.files.get(parts[-2])
            return Reply(body=stored["data"]) if stored else Reply(404, error_body("no such file"))
        if request.method == "GET" and parts[-1] == "models" and self.served_models:
            return Reply(body={"object": "list", "data": [{"id": m, "object": "model"} for m in self.served_models]})
        if request.method == "POST" and parts[-1] == "batches":
            return self._create_batch(request)
        if request.method == "GET" and parts[-2] == "batches":
            return self._retrieve_batch(parts[-1])
        return Reply(404, error_body(f"the test server has no route {request.method} {request.path}"))

    def _store_file(self, data: bytes, purpose: str, filename: str) -> dict[str, Any]:
        file_id = f"file-{next(_ids)}"
        meta = {"id": file_id, "object": "file", "bytes": len(data), "created_at": int(time.time()),
                "filename": filename, "purpose": purpose, "status": "processed"}
        self.files[file_id] = {**meta, "data": data}
        return meta

    def _upload(self, request: Request) -> Reply:
        ctype = request.headers.get("content-type", "")
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + request.body
        )
        fields: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            fields[name] = (part.get_filename(), part.get_payload(decode=True))
        filename, data = fields["file"]
        return Reply(body=self._store_file(data, fields["purpose"][1].decode(), filename or "upload"))

    def _create_batch(self, request: Request) -> Reply:
        spec = request.json
        lines = self.files[spec["input_file_id"]]["data"].decode().splitlines()
        output, errors = [], []
        for line in filter(None, lines):
            item = json.loads(line)
            sub = Request("POST", item["url"], {}, json.dumps(item["body"]).encode())
            reply = self.chat_reply(sub)
            row = {"id": f"batch_req_{next(_ids)}", "custom_id": item["custom_id"],
                   "response": {"status_code": reply.status, "request_id": f"req_{next(_ids)}", "body": reply.body},
                   "error": None}
            (output if reply.status == 200 else errors).append(json.dumps(row))
        batch_id = f"batch_{next(_ids)}"
        out_file = self._store_file(("\n".join(output) + "\n").encode(), "batch_output", "output.jsonl")
        err_file = self._store_file(("\n".join(errors) + "\n").encode(), "batch_output", "errors.jsonl") if errors else None
        self.batches[batch_id] = {
            "polls": 0, "lines": [json.loads(line) for line in filter(None, lines)],
            "final": {"output_file_id": out_file["id"], "error_file_id": err_file["id"] if err_file else None},
            "object": {
                "id": batch_id, "object": "batch", "endpoint": spec["endpoint"], "errors": None,
                "input_file_id": spec["input_file_id"], "completion_window": spec["completion_window"],
                "status": "validating", "output_file_id": None, "error_file_id": None,
                "created_at": int(time.time()), "metadata": spec.get("metadata"),
                "request_counts": {"total": len(output) + len(errors), "completed": 0, "failed": 0},
            },
        }
        return Reply(body=self.batches[batch_id]["object"])

    def _retrieve_batch(self, batch_id: str) -> Reply:
        batch = self.batches.get(batch_id)
        if batch is None:
            return Reply(404, error_body(f"no batch {batch_id}"))
        batch["polls"] += 1
        obj = batch["object"]
        if batch["polls"] > self.batch_polls:
            counts = obj["request_counts"]
            failed = 0 if batch["final"]["error_file_id"] is None else len(
                self.files[batch["final"]["error_file_id"]]["data"].decode().splitlines())
            obj.update(status="completed", completed_at=int(time.time()), **batch["final"],
                       request_counts={"total": counts["total"], "completed": counts["total"] - failed, "failed": failed})
        else:
            obj["status"] = "in_progress"
        return Reply(body=obj)

    # -- HTTP --------------------------------------------------------------------------
    def _handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body leave at once, no 40 ms ACK stalls
            wbufsize = 1 << 16

            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(self.command, self.path, {k.lower(): v for k, v in self.headers.items()},
                                  self.rfile.read(length))
                with server._lock:
                    server.requests.append(request)
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                try:
                    reply = server._route(request)
                    if reply.delay_s:
                        time.sleep(reply.delay_s)
                finally:
                    with server._lock:
                        server.in_flight -= 1
                body = reply.body
                if isinstance(body, (dict, list)):
                    data, ctype = json.dumps(body).encode(), "application/json"
                elif isinstance(body, str):
                    data, ctype = body.encode(), "text/plain"
                else:
                    data, ctype = body or b"", "application/octet-stream"
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(data)))
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

            do_GET = do_POST = _serve

        return Handler


@pytest.fixture
def openai_server() -> Iterator[OpenAIServer]:
    """A started server, stopped after the test; script it with ``.script`` or ``.handler``."""
    with OpenAIServer() as server:
        yield server
