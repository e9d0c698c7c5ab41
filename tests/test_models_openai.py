"""The ``openai`` adapter against a real HTTP server on 127.0.0.1 (tests/openai_server.py)."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from openai_server import OpenAIServer, Reply, chat_completion, error_body, openai_server  # noqa: F401
from PIL import Image

from gemeval.ecg.record import LEADS
from gemeval.ecg.synth import synthesize
from gemeval.models import load_model
from gemeval.models.base import ModelError
from gemeval.models.openai_chat import OpenAIChatModel
from gemeval.sample import Sample


def _png(width: int = 64, height: int = 48, seed: int = 0, fmt: str = "PNG") -> bytes:
    pixels = (np.random.default_rng(seed).random((height, width, 3)) * 255).astype("uint8")
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format=fmt)
    return buffer.getvalue()


def _samples(n: int = 3) -> list[Sample]:
    return [Sample(id=f"s{i}", task="t", prompt=f"question {i}", image_png=_png(seed=i)) for i in range(n)]


def _model(server: OpenAIServer, tmp_path, **args) -> OpenAIChatModel:
    return OpenAIChatModel(model="ecg-vlm", base_url=server.url, cache_path=str(tmp_path / "gen.sqlite"),
                           max_retries=2, **args)


def _echo(request):
    """Answer with the user's text, so each answer names its own sample."""
    content = request.json["messages"][-1]["content"]
    text = content if isinstance(content, str) else next(p["text"] for p in content if p["type"] == "text")
    return Reply(body=chat_completion(f"answer to {text}", prompt_tokens=50, completion_tokens=7))


def test_image_request_is_greedy_unstored_and_answers_keep_sample_order(openai_server, tmp_path):  # noqa: F811
    openai_server.handler = _echo
    samples = _samples(5)
    model = _model(openai_server, tmp_path, concurrency=4, system_prompt="You read ECGs.")

    predictions = model.generate(samples)

    assert [p.sample_id for p in predictions] == [s.id for s in samples]
    assert [p.text for p in predictions] == [f"answer to {s.prompt}" for s in samples]
    assert all(p.usage == {"prompt_tokens": 50, "completion_tokens": 7} for p in predictions)
    assert all(p.latency_s is not None and p.meta["cached"] is False for p in predictions)
    body = openai_server.chat_requests[0].json
    assert body["model"] == "ecg-vlm" and body["store"] is False
    assert body["temperature"] == 0.0 and body["max_tokens"] == 1024
    assert body["messages"][0] == {"role": "system", "content": "You read ECGs."}
    image_part, text_part = body["messages"][1]["content"]
    url = image_part["image_url"]["url"]
    assert url.startswith("data:image/png;base64,")
    sent = {base64.b64decode(url.split(",", 1)[1]) for url in
            (r.json["messages"][1]["content"][0]["image_url"]["url"] for r in openai_server.chat_requests)}
    assert sent == {s.image_png for s in samples}
    assert text_part["type"] == "text"


def test_jpeg_images_are_sent_with_their_own_mime_type(openai_server, tmp_path):  # noqa: F811
    openai_server.handler = _echo
    sample = Sample(id="j", task="t", prompt="q", image_png=_png(fmt="JPEG"))
    _model(openai_server, tmp_path).generate([sample])
    url = openai_server.chat_requests[0].json["messages"][0]["content"][0]["image_url"]["url"]
    assert url.startswith("data:image/jpeg;base64,")


def test_a_failing_item_carries_its_error_and_the_batch_goes_on(openai_server, tmp_path):  # noqa: F811
    def handler(request):
        if "question 1" in str(request.json["messages"]):
            return Reply(400, error_body("image too large"))
        return _echo(request)

    openai_server.handler = handler
    predictions = _model(openai_server, tmp_path).generate(_samples(3))

    assert [p.ok for p in predictions] == [True, False, True]
    assert predictions[1].text is None and "image too large" in predictions[1].error
    assert "BadRequestError" in predictions[1].error


def test_an_unreadable_image_fails_only_its_sample(openai_server, tmp_path):  # noqa: F811
    openai_server.handler = _echo
    samples = _samples(2) + [Sample(id="missing", task="t", prompt="q", image_path=str(tmp_path / "nope.png"))]
    predictions = _model(openai_server, tmp_path).generate(samples)
    assert [p.ok for p in predictions] == [True, True, False]
    assert predictions[2].error.startswith("input: FileNotFoundError") and "nope.png" in predictions[2].error
    assert len(openai_server.chat_requests) == 2


def test_rate_limit_is_retried_after_the_servers_retry_after(openai_server, tmp_path):  # noqa: F811
    openai_server.script(Reply(429, error_body("slow down", "rate_limit_error"), {"Retry-After": "0.2"}))
    openai_server.handler = _echo
    [prediction] = _model(openai_server, tmp_path).generate(_samples(1))
    assert prediction.ok and prediction.text == "answer to question 0"
    assert len(openai_server.chat_requests) == 2


def test_second_run_is_answered_from_the_cache_and_a_changed_parameter_is_not(openai_server, tmp_path):  # noqa: F811
    openai_server.handler = _echo
    samples = _samples(3)
    first = _model(openai_server, tmp_path).generate(samples)
    again = _model(openai_server, tmp_path).generate(samples)

    assert len(openai_server.chat_requests) == 3
    assert [p.text for p in again] == [p.text for p in first]
    assert all(p.meta["cached"] for p in again)
    assert [p.usage for p in again] == [p.usage for p in first]

    _model(openai_server, tmp_path, max_tokens=64).generate(samples[:1])
    _model(openai_server, tmp_path, cache="off").generate(samples[:1])
    assert len(openai_server.chat_requests) == 5


def test_errors_are_not_cached(openai_server, tmp_path):  # noqa: F811
    openai_server.script(Reply(400, error_body("bad")))
    openai_server.handler = _echo
    sample = _samples(1)
    assert not _model(openai_server, tmp_path).generate(sample)[0].ok
    assert _model(openai_server, tmp_path).generate(sample)[0].ok
    assert len(openai_server.chat_requests) == 2


def test_signal_modality_sends_the_downsampled_signal_as_text_and_no_image(openai_server, tmp_path):  # noqa: F811
    openai_server.handler = _echo
    record, _ = synthesize("normal", 1, record_id="syn-1")
    sample = Sample(id="sig", task="t", prompt="Interpret.", record=record)
    model = _model(openai_server, tmp_path, modality="signal", signal_hz=50)

    [prediction] = model.generate([sample])

    content = openai_server.chat_requests[0].json["messages"][0]["content"]
    assert isinstance(content, str) and content.endswith("\n\nInterpret.")
    lines = content.split("\n\nInterpret.")[0].splitlines()
    assert lines[0].startswith("ECG signal: 12 leads") and "to 50 Hz" in lines[0]
    assert [line.split(":")[0] for line in lines[1:]] == list(LEADS)
    lead_ii = [int(v) for v in lines[2].split(": ")[1].split(",")]
    assert len(lead_ii) == round(record.duration_s * 50)
    # Integer microvolts of the resampled trace: its peak is the R wave of lead II, in µV.
    assert abs(max(lead_ii) - 1000 * record.lead("II").max()) < 250
    assert prediction.ok
    assert model.describe()["signal_text"]["hz"] == 50


def test_describe_names_what_determines_outputs_and_never_the_key(openai_server, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-value")
    model = _model(openai_server, tmp_path, seed=3, image_dpi=150)
    described = model.describe()
    assert described["model"] == "ecg-vlm" and described["base_url"] == openai_server.url
    assert described["seed"] == 3 and described["image_dpi"] == 150 and described["store"] is False
    assert "sk-secret-value" not in repr(described)


def test_configuration_errors_say_the_fix(monkeypatch, tmp_path):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with pytest.raises(ModelError, match="OPENAI_API_KEY"):
        OpenAIChatModel(model="gpt-4o", cache="off")
    with pytest.raises(ModelError, match="model="):
        OpenAIChatModel(base_url="http://127.0.0.1:9/v1", cache="off")
    with pytest.raises(ModelError, match="does not take --model-args temprature"):
        OpenAIChatModel(model="m", base_url="http://127.0.0.1:9/v1", temprature=0.5)
    with pytest.raises(ModelError, match="--modality both is not possible"):
        load_model("openai", {"model": "m", "base_url": "http://127.0.0.1:9/v1"}, modality="both")


def test_load_model_builds_the_adapter_from_cli_arguments(openai_server, tmp_path):  # noqa: F811
    openai_server.handler = _echo
    model = load_model("openai", {"model": "m", "base_url": openai_server.url,
                                  "cache_path": str(tmp_path / "c.sqlite")}, modality="image")
    assert isinstance(model, OpenAIChatModel) and model.modality == "image"
    assert model.generate(_samples(1))[0].ok
