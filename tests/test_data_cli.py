"""`gemeval data list | check | download`. Downloads go through huggingface_hub against a
real HTTP server on 127.0.0.1 that serves a local folder in the Hub's layout and answers the
Hub's API (repo info, tree listing, resolve with HEAD/GET), so no network is needed."""

from __future__ import annotations

import hashlib
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest
from typer.testing import CliRunner

from gemeval.cli import app
from gemeval.data import DataOptions, load_dataset
from gemeval.tasks import load_task
from test_data_ecgbench import PTB_QUESTION, conversation, png_bytes, write_hub_parquet

COMMIT = "0123456789abcdef0123456789abcdef01234567"
runner = CliRunner()


class HubHandler(BaseHTTPRequestHandler):
    """The part of the Hub's HTTP API that ``snapshot_download`` uses, over ``root``:
    ``root/<org>/<name>/...`` holds each dataset repository's files."""

    root: Path
    requests: list[tuple[str, str]]

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def _repo_files(self, repo: str) -> dict[str, Path]:
        base = self.root / repo
        return {str(p.relative_to(base)): p for p in sorted(base.rglob("*")) if p.is_file()}

    def _answer(self, with_body: bool) -> None:
        path = urllib.parse.urlparse(self.path).path
        self.requests.append((self.command, path))
        parts = path.strip("/").split("/")
        if parts[:2] == ["api", "datasets"] and (len(parts) == 4 or parts[4] == "revision"):
            files = self._repo_files("/".join(parts[2:4]))
            if not files:
                return self._send(404, b'{"error": "Repository not found"}', {"X-Error-Code": "RepoNotFound"})
            info = {"id": "/".join(parts[2:4]), "sha": COMMIT, "private": False,
                    "siblings": [{"rfilename": name} for name in files]}
            return self._send(200, json.dumps(info).encode(), {"Content-Type": "application/json"})
        if parts[:2] == ["api", "datasets"] and parts[4] == "tree":
            files = self._repo_files("/".join(parts[2:4]))
            tree = [{"type": "file", "path": name, "size": p.stat().st_size,
                     "oid": hashlib.sha1(p.read_bytes()).hexdigest()} for name, p in files.items()]
            return self._send(200, json.dumps(tree).encode(), {"Content-Type": "application/json"})
        if parts[0] == "datasets" and "resolve" in parts:
            at = parts.index("resolve")
            file = self.root / "/".join(parts[1:at]) / urllib.parse.unquote("/".join(parts[at + 2:]))
            if not file.is_file():
                return self._send(404, b"not found", {"X-Error-Code": "EntryNotFound"})
            data = file.read_bytes()
            headers = {"X-Repo-Commit": COMMIT, "ETag": f'"{hashlib.sha1(data).hexdigest()}"'}
            return self._send(200, data, headers, with_body)
        self._send(404, b"no such route")

    def _send(self, code: int, data: bytes, headers: dict[str, str] | None = None, with_body: bool = True) -> None:
        self.send_response(code)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if with_body:
            self.wfile.write(data)


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """A Hub serving PULSE-ECG/ECGBench with two subsets (real parquet files) and a file
    the default patterns leave out."""
    repo = tmp_path / "hub" / "PULSE-ECG" / "ECGBench"
    rows = [{"id": f"ptb-{i}", "image_path": f"p/{i}.png", "image": {"bytes": png_bytes(), "path": None},
             "conversations": conversation(PTB_QUESTION, "NORM(normal ECG)")} for i in range(3)]
    write_hub_parquet(repo / "ptb-test" / "test-00000-of-00001.parquet", rows)
    write_hub_parquet(repo / "cpsc-test" / "test-00000-of-00001.parquet", rows)
    (repo / "README.md").write_text("# ECGBench\n")
    (repo / "train-notes.txt").write_text("not part of the test sets\n")
    requests: list[tuple[str, str]] = []
    handler = type("Handler", (HubHandler,), {"root": tmp_path / "hub", "requests": requests})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()
    server.server_close()


def downloads(requests: list[tuple[str, str]]) -> list[str]:
    return sorted(path.split(COMMIT + "/", 1)[1] for method, path in requests if method == "GET" and "/resolve/" in path)


def test_download_fetches_the_test_sets_in_the_hub_layout_and_resumes(hub, tmp_path, monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    endpoint, requests = hub
    out = tmp_path / "data"
    result = runner.invoke(app, ["data", "download", "ecgbench", "--out", str(out), "--endpoint", endpoint])
    assert result.exit_code == 0, result.output
    assert COMMIT in result.output
    assert downloads(requests) == ["README.md", "cpsc-test/test-00000-of-00001.parquet", "ptb-test/test-00000-of-00001.parquet"]
    folder = out / "ECGBench"
    assert (folder / "ptb-test" / "test-00000-of-00001.parquet").read_bytes() == (
        tmp_path / "hub" / "PULSE-ECG" / "ECGBench" / "ptb-test" / "test-00000-of-00001.parquet").read_bytes()
    assert not (folder / "train-notes.txt").exists()

    dataset = load_dataset(load_task("ptbxl-super"), DataOptions(data_dir=out))
    assert dataset.source == "ecgbench:ptb-test" and len(dataset.samples) == 3

    (folder / "cpsc-test" / "test-00000-of-00001.parquet").unlink()  # an interrupted download
    requests.clear()
    again = runner.invoke(app, ["data", "download", "ecgbench", "--out", str(out), "--endpoint", endpoint])
    assert again.exit_code == 0, again.output
    assert downloads(requests) == ["cpsc-test/test-00000-of-00001.parquet"]


def test_download_one_subset_at_a_revision(hub, tmp_path, monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    endpoint, requests = hub
    result = runner.invoke(app, ["data", "download", "ecgbench", "--out", str(tmp_path / "d"), "--endpoint", endpoint,
                                 "--subset", "cpsc-test", "--revision", "v1.0"])
    assert result.exit_code == 0, result.output
    assert ("GET", "/api/datasets/PULSE-ECG/ECGBench/revision/v1.0") in requests
    assert downloads(requests) == ["cpsc-test/test-00000-of-00001.parquet"]


def test_download_offline_or_unreachable_fails_at_once(hub, tmp_path, monkeypatch):
    endpoint, requests = hub
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    offline = runner.invoke(app, ["data", "download", "grounding", "--out", str(tmp_path / "d"), "--endpoint", endpoint])
    assert offline.exit_code == 2 and "offline" in offline.output and not requests
    assert not (tmp_path / "d" / "ECG-Grounding").exists()
    monkeypatch.delenv("HF_HUB_OFFLINE")
    closed = runner.invoke(app, ["data", "download", "ecgbench", "--out", str(tmp_path / "d"),
                                 "--endpoint", "http://127.0.0.1:9"])
    assert closed.exit_code == 2 and "cannot reach http://127.0.0.1:9" in closed.output
    unknown = runner.invoke(app, ["data", "download", "grounding", "--out", str(tmp_path / "d"), "--endpoint", endpoint])
    assert unknown.exit_code == 2 and "LANSG/ECG-Grounding not found" in unknown.output
    assert runner.invoke(app, ["data", "download", "mnist"]).exit_code == 2


def test_list_names_every_task_its_sources_and_how_to_get_them():
    result = runner.invoke(app, ["data", "list"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    for task in ("ptbxl-super", "code15", "cpsc2018", "csn", "g12ec", "mmmu-ecg", "ecgqa", "ptbxl-report", "arena",
                 "grounded-mimic", "grounded-ptbxl", "grounded"):
        assert f"{task} (" in text
    assert "gemeval data download ecgbench --subset g12-test-no-cot" in text
    assert "ECGBench/mmmu-ecg/test-00000-of-00001.parquet" in text
    assert "https://physionet.org/files/ptb-xl/1.0.3/" in text


def test_check_reports_present_and_missing_data(shared_data, tmp_path):
    ready = runner.invoke(app, ["data", "check", str(shared_data), "--task", "ptbxl-report", "--task", "grounded"])
    assert ready.exit_code == 0, ready.output
    assert "ptbxl-report: ready from ecgbench" in ready.output
    assert "found   ecgbench: ecgbench/ptb_report_generation_test.json" in ready.output
    assert "grounded: ready from physionet" in ready.output
    missing = runner.invoke(app, ["data", "check", str(shared_data), "--task", "code15"])
    assert missing.exit_code == 1
    assert "gemeval data download ecgbench --subset code15-test" in missing.output
    assert runner.invoke(app, ["data", "check", str(tmp_path / "absent")]).exit_code == 2
