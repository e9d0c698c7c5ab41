"""The ``lm-eval`` adapter with lm-eval itself: its hf-multimodal backend on a tiny LLaVA, and
its local-chat-completions backend against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
import tiny_models
from openai_server import OpenAIServer, Reply, chat_completion, openai_server  # noqa: F401
from PIL import Image

from gemeval.ecg.synth import synthesize
from gemeval.models import load_model
from gemeval.models.base import ModelError
from gemeval.models.hf import HFVisionModel
from gemeval.models.lm_eval_bridge import LMEvalModel
from gemeval.sample import Sample


def _png(width: int, height: int, seed: int) -> bytes:
    pixels = (np.random.default_rng(seed).random((height, width, 3)) * 255).astype("uint8")
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def _samples(n: int = 3) -> list[Sample]:
    return [Sample(id=f"s{i}", task="t", prompt="Interpret this ECG. " * (i + 1), image_png=_png(60 + 10 * i, 40, i))
            for i in range(n)]


@pytest.fixture(scope="module")
def tiny_llava(tmp_path_factory):
    return tiny_models.build_llava(tmp_path_factory.mktemp("tiny") / "llava")


def test_hf_multimodal_backend_answers_as_the_hf_adapter_does(tiny_llava):
    samples = _samples()
    bridge = load_model("lm-eval", {"backend": "hf-multimodal", "pretrained": str(tiny_llava), "device": "cpu",
                                    "max_gen_toks": 5, "batch_size": 2}, modality="image")
    direct = HFVisionModel(pretrained=str(tiny_llava), device="cpu", max_new_tokens=5)

    through_lm_eval = bridge.generate(samples)

    assert [p.sample_id for p in through_lm_eval] == [s.id for s in samples]
    assert [p.text for p in through_lm_eval] == [p.text for p in direct.generate(samples)]
    assert all(p.ok and p.meta["image_source"] == "dataset" for p in through_lm_eval)
    described = bridge.describe()
    assert described["backend"] == "hf-multimodal" and described["prompt_template"] == "user: <image> + prompt"
    assert described["checkpoint"]["fingerprint"] == direct.describe()["checkpoint"]["fingerprint"]


def _chat_backend(server: OpenAIServer, modality: str = "image") -> LMEvalModel:
    return LMEvalModel(modality=modality, backend="local-chat-completions",
                       base_url=f"{server.url}/chat/completions", model="served-vlm", max_gen_toks=32,
                       system_prompt="You read ECGs.")


def test_chat_completions_backend_sends_the_image_as_an_image_part(openai_server):  # noqa: F811
    openai_server.handler = lambda request: Reply(body=chat_completion("Sinus rhythm, 60 bpm."))
    samples = _samples(2)

    predictions = _chat_backend(openai_server).generate(samples)

    assert [p.text for p in predictions] == ["Sinus rhythm, 60 bpm."] * 2
    sent_images = []
    for request in openai_server.chat_requests:
        body = request.json
        assert body["model"] == "served-vlm" and body["max_tokens"] == 32 and body["temperature"] == 0.0
        system, user = body["messages"]
        assert system == {"role": "system", "content": "You read ECGs."}
        image, text = user["content"]
        assert text["text"] in {s.prompt for s in samples} and "<image>" not in text["text"]
        sent_images.append(Image.open(io.BytesIO(base64.b64decode(image["image_url"]["url"].split(",", 1)[1]))).size)
    assert sorted(sent_images) == sorted(Image.open(io.BytesIO(s.image_png)).size for s in samples)


def test_signal_modality_sends_text_only(openai_server):  # noqa: F811
    openai_server.handler = lambda request: Reply(body=chat_completion("Left axis deviation."))
    record, _ = synthesize("normal", 5, record_id="syn-5")
    sample = Sample(id="x", task="t", prompt="Q?", record=record)
    [prediction] = _chat_backend(openai_server, "signal").generate([sample])
    assert prediction.text == "Left axis deviation."
    content = openai_server.chat_requests[0].json["messages"][1]["content"]
    assert isinstance(content, str) and content.startswith("ECG signal: 12 leads") and content.endswith("\n\nQ?")


def test_a_failing_sample_does_not_fail_the_others(openai_server):  # noqa: F811
    openai_server.handler = lambda request: Reply(body=chat_completion("ok"))
    samples = _samples(2) + [Sample(id="no-image", task="t", prompt="q")]
    predictions = _chat_backend(openai_server).generate(samples)
    assert [p.ok for p in predictions] == [True, True, False]
    assert "has no ECG signal" in predictions[2].error


def test_backend_errors_say_what_to_do():
    with pytest.raises(ModelError, match="needs --model-args backend="):
        LMEvalModel(pretrained="x")
    with pytest.raises(ModelError, match="no model for this name"):
        LMEvalModel(backend="no-such-backend")
    with pytest.raises(ModelError, match="takes no images.*--modality signal"):
        LMEvalModel(backend="hf", pretrained="x")
