"""`gemeval doctor` in the main environment: real checkpoints built offline, a real HTTP
server for `openai`; the llava environment's checks are in test_llava_adapters.py."""

from __future__ import annotations

import json
import socket

import pytest
from typer.testing import CliRunner

from gemeval.cli import app
from openai_server import openai_server  # noqa: F401

runner = CliRunner()


def _doctor(*args: str) -> tuple[int, dict]:
    result = runner.invoke(app, ["doctor", *args, "--format", "json"])
    return result.exit_code, json.loads(result.stdout)


def _by_name(report: dict) -> dict:
    return {c["name"]: c for c in report["checks"]}


@pytest.fixture(scope="module")
def tiny_llava(tmp_path_factory):
    pytest.importorskip("transformers")
    import tiny_models

    return tiny_models.build_llava(tmp_path_factory.mktemp("doctor") / "llava")


def test_hf_ready_on_a_complete_checkpoint(tiny_llava):
    code, report = _doctor("--model", "hf", "--model-args", f"pretrained={tiny_llava},device=cpu")
    assert code == 0 and report["ready"] is True
    checks = _by_name(report)
    assert checks["weights"]["status"] == "ok" and str(tiny_llava) in checks["weights"]["detail"]
    assert checks["transformers"]["status"] == "ok"


def test_hf_missing_weights_and_flash_attention_are_problems_with_fixes(tiny_llava, tmp_path):
    code, report = _doctor("--model", "hf", "--model-args", f"pretrained={tmp_path / 'absent'}")
    assert code == 2 and report["ready"] is False
    weights = _by_name(report)["weights"]
    assert weights["status"] == "problem" and "huggingface-cli download" in weights["fix"]
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "config.json").write_text(json.dumps({"model_type": "llava"}))
    code, report = _doctor("--model", "hf", "--model-args", f"pretrained={empty},attn_implementation=flash_attention_2")
    checks = _by_name(report)
    assert code == 2 and "no weight files" in checks["weights"]["detail"]
    assert checks["flash-attn"]["status"] == "problem" and "pip install flash-attn" in checks["flash-attn"]["fix"]


def test_text_output_prints_each_problem_with_its_fix(tmp_path):
    result = runner.invoke(app, ["doctor", "--model", "hf", "--model-args", f"pretrained={tmp_path / 'absent'}"])
    assert result.exit_code == 2
    assert "problem  weights:" in result.stdout and "fix: download the weights first" in result.stdout
    assert "not ready to run --model hf" in result.stdout


def test_gem_in_the_main_environment_names_what_is_missing(tmp_path):
    code, report = _doctor("--model", "gem", "--model-args", f"pretrained={tmp_path}")
    checks = _by_name(report)
    assert code == 2
    if checks["llava"]["status"] == "problem" and "no `llava`" in checks["llava"]["detail"]:
        assert "github.com/lanxiang1017/GEM" in checks["llava"]["fix"]
    transformers = checks["transformers"]
    if not transformers["detail"].startswith("transformers 4.37"):
        assert transformers["status"] == "problem" and "transformers==4.37.2" in transformers["fix"]
    assert checks["weights"]["status"] == "problem" and "config.json" in checks["weights"]["detail"]


def test_openai_server_and_model(openai_server):  # noqa: F811
    openai_server.served_models = ["Qwen/Qwen2-VL-7B-Instruct"]
    code, report = _doctor("--model", "openai", "--model-args",
                           f"model=Qwen/Qwen2-VL-7B-Instruct,base_url={openai_server.url}")
    assert code == 0 and "Qwen/Qwen2-VL-7B-Instruct" in _by_name(report)["server"]["detail"]
    code, report = _doctor("--model", "openai", "--model-args", f"model=other,base_url={openai_server.url}")
    assert code == 2 and "not other" in _by_name(report)["server"]["detail"]
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code, report = _doctor("--model", "openai", "--model-args", f"model=m,base_url=http://127.0.0.1:{port}/v1")
    assert code == 2 and "vllm serve" in _by_name(report)["server"]["fix"]


def test_openai_without_server_needs_the_key(monkeypatch):
    monkeypatch.delenv("GEMEVAL_TEST_KEY", raising=False)
    code, report = _doctor("--model", "openai", "--model-args", "model=gpt-4o,api_key_env=GEMEVAL_TEST_KEY")
    assert code == 2 and _by_name(report)["api key"]["fix"] == "export GEMEVAL_TEST_KEY=..."
    monkeypatch.setenv("GEMEVAL_TEST_KEY", "x")
    code, report = _doctor("--model", "openai", "--model-args", "model=gpt-4o,api_key_env=GEMEVAL_TEST_KEY")
    assert code == 0
