"""The ``hf`` adapter on tiny random-weight LLaVA, LLaVA-NeXT and Qwen2-VL checkpoints built
from configs (tests/tiny_models.py), saved and loaded like hub models."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import numpy as np
import pytest
import tiny_models
from PIL import Image

from gemeval.ecg.synth import synthesize
from gemeval.models import load_model
from gemeval.models.base import ModelError
from gemeval.models.hf import HFVisionModel
from gemeval.sample import Sample

MAX_NEW = 5


def _png(width: int, height: int, seed: int) -> bytes:
    pixels = (np.random.default_rng(seed).random((height, width, 3)) * 255).astype("uint8")
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("tiny-vlms")
    return {
        "llava": tiny_models.build_llava(root / "llava"),
        "llava-next": tiny_models.build_llava_next(root / "llava-next"),
        "qwen2-vl": tiny_models.build_qwen2_vl(root / "qwen2-vl"),
    }


def _samples() -> list[Sample]:
    """Prompts of different lengths (so sorting reorders them) and images of different
    shapes (so LLaVA-NeXT tiles them differently)."""
    shapes = [(120, 40), (40, 120), (90, 90), (60, 30), (30, 60)]
    return [
        Sample(id=f"s{i}", task="t", prompt="Interpret this ECG. " * (5 - i), image_png=_png(w, h, i))
        for i, (w, h) in enumerate(shapes)
    ]


@pytest.mark.parametrize("family", ["llava", "llava-next"])
def test_batched_generation_equals_one_at_a_time_in_sample_order(checkpoints, family):
    samples = _samples()
    batched = HFVisionModel(pretrained=str(checkpoints[family]), max_new_tokens=MAX_NEW, batch_size=3, device="cpu")
    single = HFVisionModel(pretrained=str(checkpoints[family]), max_new_tokens=MAX_NEW, batch_size=1, device="cpu")

    together = batched.generate(samples)
    alone = single.generate(samples)

    assert [p.sample_id for p in together] == [s.id for s in samples]
    assert [p.text for p in together] == [p.text for p in alone]
    assert all(p.ok and p.text for p in together)
    assert sorted(p.meta["batch_n"] for p in together) == [2, 2, 3, 3, 3]
    assert all(1 <= p.usage["completion_tokens"] <= MAX_NEW for p in together)
    # Longer prompts have more prompt tokens (image tokens included).
    assert [p.usage["prompt_tokens"] for p in alone] == [p.usage["prompt_tokens"] for p in together]
    assert alone[0].usage["prompt_tokens"] > alone[4].usage["prompt_tokens"]


def test_llava_next_counts_more_image_tokens_for_a_wider_tiling(checkpoints):
    model = HFVisionModel(pretrained=str(checkpoints["llava-next"]), max_new_tokens=2, device="cpu")
    square, wide = model.generate([
        Sample(id="square", task="t", prompt="q", image_png=_png(28, 28, 0)),
        Sample(id="wide", task="t", prompt="q", image_png=_png(112, 28, 0)),
    ])
    assert wide.usage["prompt_tokens"] > square.usage["prompt_tokens"]


def test_a_sample_without_image_gets_the_page_rendered_from_its_signal(checkpoints):
    record, _ = synthesize("normal", 2, record_id="syn-r")
    model = HFVisionModel(pretrained=str(checkpoints["llava"]), max_new_tokens=2, device="cpu", image_dpi=40)
    [with_image, rendered] = model.generate([
        Sample(id="img", task="t", prompt="q", image_png=_png(50, 40, 1)),
        Sample(id="sig", task="t", prompt="q", record=record),
    ])
    assert with_image.meta["image_source"] == "dataset"
    assert rendered.ok and rendered.meta["image_source"] == "rendered"


def test_an_unreadable_image_fails_only_its_own_sample(checkpoints):
    model = HFVisionModel(pretrained=str(checkpoints["llava"]), max_new_tokens=2, device="cpu", batch_size=4)
    samples = _samples()[:2] + [Sample(id="bad", task="t", prompt="q", image_png=b"not an image")]
    predictions = model.generate(samples)
    assert [p.ok for p in predictions] == [True, True, False]
    assert predictions[2].sample_id == "bad" and predictions[2].error.startswith("input: UnidentifiedImageError")


def test_describe_records_weights_template_and_generation(checkpoints, tmp_path):
    model = HFVisionModel(pretrained=str(checkpoints["llava"]), max_new_tokens=7, device="cpu")
    described = model.describe()
    assert described["model_class"] == "LlavaForConditionalGeneration"
    assert described["dtype"] == "float32" and described["do_sample"] is False
    assert described["max_new_tokens"] == 7 and described["modality"] == "image"
    assert len(described["chat_template_sha256"]) == 64
    other = tiny_models.build_llava(tmp_path / "other", seed=1)
    assert HFVisionModel(pretrained=str(other), device="cpu").describe()["checkpoint"]["fingerprint"] \
        != described["checkpoint"]["fingerprint"]


def test_a_model_without_chat_template_is_refused_until_one_is_given(checkpoints, tmp_path):
    folder = tmp_path / "no-template"
    shutil.copytree(checkpoints["llava"], folder)
    template = folder / "chat_template.jinja"
    saved = template.read_text()
    template.unlink()
    with pytest.raises(ModelError, match="ships no chat template.*chat_template=FILE.jinja"):
        HFVisionModel(pretrained=str(folder), device="cpu")
    given = tmp_path / "llava.jinja"
    given.write_text(saved)
    model = HFVisionModel(pretrained=str(folder), device="cpu", chat_template=str(given), max_new_tokens=2)
    assert model.generate(_samples()[:1])[0].ok


def test_a_text_only_model_is_refused_with_the_alternative(tmp_path):
    from transformers import LlamaForCausalLM

    folder = tmp_path / "text-only"
    tokenizer = tiny_models.build_tokenizer(tiny_models.LLAVA_SPECIALS, eos_token="</s>")
    tokenizer.chat_template = tiny_models.LLAVA_TEMPLATE
    LlamaForCausalLM(tiny_models.llama_text_config(len(tokenizer), "tiny")).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    with pytest.raises(ModelError, match="cannot read the ECG image.*--modality signal"):
        HFVisionModel(pretrained=str(folder), device="cpu")


def test_qwen2_vl_generates(checkpoints):
    if not tiny_models.has_torchvision():
        pytest.skip("transformers builds a Qwen2-VL processor only with torchvision (its video processor)")
    model = HFVisionModel(pretrained=str(checkpoints["qwen2-vl"]), max_new_tokens=MAX_NEW, batch_size=3, device="cpu")
    alone = HFVisionModel(pretrained=str(checkpoints["qwen2-vl"]), max_new_tokens=MAX_NEW, batch_size=1, device="cpu")
    samples = _samples()
    assert [p.text for p in model.generate(samples)] == [p.text for p in alone.generate(samples)]


def test_qwen2_vl_without_torchvision_says_what_to_install(checkpoints):
    if tiny_models.has_torchvision():
        pytest.skip("torchvision is installed: the Qwen2-VL processor loads")
    with pytest.raises(ModelError, match="need torchvision: pip install torchvision"):
        HFVisionModel(pretrained=str(checkpoints["qwen2-vl"]), device="cpu")


def test_load_model_takes_cli_arguments_and_refuses_other_modalities(checkpoints):
    model = load_model("hf", {"pretrained": str(checkpoints["llava"]), "max_new_tokens": 2, "device": "cpu"},
                       modality="image")
    assert isinstance(model, HFVisionModel) and model.generate(_samples()[:1])[0].ok
    with pytest.raises(ModelError, match="--modality signal is not possible"):
        load_model("hf", {"pretrained": str(checkpoints["llava"])}, modality="signal")
    with pytest.raises(ModelError, match="needs --model-args pretrained="):
        HFVisionModel()
