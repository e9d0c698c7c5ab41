"""The ``gem`` and ``pulse`` adapters end to end through GEM's and PULSE's own ``llava``:
load, prompt, images, ECG signal, left-padded batches, the modality ablation, errors.

They run on tiny checkpoints built with the models' own classes (``llava_models.py``), in the
llava environment (``bash .ci/llava-env``) with GEM's or PULSE's repository on
``PYTHONPATH``; ``.ci/llava-tests`` runs them once with each. Anywhere else they skip and
say why."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from gemeval.data import DataOptions, load_dataset
from gemeval.models.base import ModelError, load_model
from gemeval.models.gem_inputs import gem_signal
from gemeval.tasks import load_task

import llava_models


pytestmark = pytest.mark.skipif(llava_models.skip_reason() is not None, reason=str(llava_models.skip_reason()))
SYNTHETIC_N = 24


@pytest.fixture(scope="module")
def family() -> str:
    found = llava_models.llava_family()
    assert found is not None
    return found


@pytest.fixture(scope="module")
def third_party() -> Path:
    return llava_models.THIRD_PARTY


@pytest.fixture(scope="module")
def checkpoint(family: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return llava_models.build(tmp_path_factory.mktemp(f"tiny-{family}") / family, family)


@pytest.fixture(scope="module")
def base_args(family: str, checkpoint: Path) -> dict:
    args = {"pretrained": str(checkpoint), "device": "cpu", "max_new_tokens": 6}
    if family == "gem":
        args["open_clip_config"] = str(checkpoint / "coca_tiny.json")
    return args


@pytest.fixture(autouse=True)
def default_dtype():
    """A failed ``from_pretrained`` inside LLaVA's constructors leaves torch's default dtype
    at float16; put it back after every test."""
    yield
    import torch

    torch.set_default_dtype(torch.float32)


@pytest.fixture(scope="module")
def venv_bin() -> Path:
    return Path(sys.executable).parent


@pytest.fixture(scope="module")
def samples():
    return load_dataset(load_task("grounded"), DataOptions(synthetic_n=SYNTHETIC_N)).samples


class GenerateSpy:
    """Records what the adapter hands to the model's real ``generate``, then calls it."""

    def __init__(self, adapter):
        self.real = adapter.model.generate
        self.calls: list[dict] = []
        adapter.model.generate = self

    def __call__(self, input_ids, **kwargs):
        self.calls.append({"input_ids": input_ids, **kwargs})
        return self.real(input_ids, **kwargs)


def _image_tensors(images) -> list:
    return list(images) if isinstance(images, list) else [t for t in images]


@pytest.fixture(scope="module")
def adapter(family, base_args):
    return load_model(family, dict(base_args, batch_size=1), modality="both" if family == "gem" else "image")


def test_gemeval_run_writes_eight_predictions(family, base_args, venv_bin, third_party, tmp_path):
    args = ",".join(f"{k}={v}" for k, v in base_args.items())
    out = subprocess.run(
        [str(venv_bin / "gemeval"), "run", "--model", family, "--model-args", args, "--task", "grounded",
         "--limit", "8", "--synthetic-n", str(SYNTHETIC_N), "--batch-size", "4", "--out", str(tmp_path), "-q"],
        capture_output=True, text=True, timeout=600,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    (run_dir,) = (tmp_path / "grounded" / family).iterdir()
    records = [json.loads(line) for line in (run_dir / "samples.jsonl").read_text().splitlines()]
    assert len(records) == 8 and len({r["id"] for r in records}) == 8
    for record in records:
        prediction = record["prediction"]
        assert prediction["error"] is None and record["error"] is None
        assert isinstance(prediction["text"], str)
        # the new tokens only: transformers 4.37 puts the start token in front of them
        assert 1 <= prediction["usage"]["completion_tokens"] <= base_args["max_new_tokens"]
        assert prediction["meta"]["batch_n"] == 4
    assert max(r["prediction"]["usage"]["completion_tokens"] for r in records) == base_args["max_new_tokens"]
    config = json.loads((run_dir / "config.json").read_text())
    assert config["model"]["describe"]["family"] == family.upper()
    assert config["model"]["describe"]["llava_package"].startswith(str(third_party))


def test_modality_changes_the_inputs_given_to_generate(family, base_args, samples):
    batch = samples[:2]
    seen = {}
    modalities = ("both", "image", "signal") if family == "gem" else ("image",)
    for modality in modalities:
        model = load_model(family, dict(base_args, batch_size=2), modality=modality)
        spy = GenerateSpy(model)
        predictions = model.generate(batch)
        assert all(p.ok for p in predictions), [p.error for p in predictions]
        (call,) = spy.calls
        seen[modality] = call
        assert model.describe()["modality"] == modality
        # identical prompts whatever the modality: inputs are neutralised, not removed
        assert call["input_ids"].shape[0] == 2
        assert bool((call["input_ids"] == seen[modalities[0]]["input_ids"]).all())
    images = {m: _image_tensors(c["images"]) for m, c in seen.items()}
    assert all(bool(t.abs().sum() > 0) for t in images[modalities[0]])
    if family == "pulse":
        assert "ecgs" not in seen["image"]
        with pytest.raises(ModelError, match="--modality signal is not possible"):
            load_model("pulse", base_args, modality="signal")
        return
    import torch

    expected = torch.stack([torch.from_numpy(gem_signal(s)[0]) for s in batch]).to(torch.float16)
    assert seen["both"]["ecgs"].shape == (2, 12, 5000) and seen["both"]["ecgs"].dtype == torch.float16
    assert torch.equal(seen["both"]["ecgs"], expected)
    # --modality image: the same pictures, a flat 0 mV signal on all 12 leads
    assert torch.equal(seen["image"]["ecgs"], torch.zeros_like(expected))
    assert all(torch.equal(a, b) for a, b in zip(images["image"], images["both"]))
    # --modality signal: the same signal, an all-zero image tensor at the tower's base size
    assert torch.equal(seen["signal"]["ecgs"], expected)
    assert all(not bool(t.any()) for t in images["signal"])
    assert seen["signal"]["image_sizes"] == [(28, 28), (28, 28)]
    assert seen["both"]["image_sizes"] == [_page_size(s) for s in batch]


def _page_size(sample) -> tuple[int, int]:
    import io

    from PIL import Image

    return Image.open(io.BytesIO(sample.load_image_png())).size


def test_greedy_batch_of_four_equals_one_at_a_time(adapter, samples):
    batch = samples[:8]
    adapter.batch_size = 1
    alone = adapter.generate(batch)
    adapter.batch_size = 4
    together = adapter.generate(batch)
    assert all(p.ok for p in alone + together)
    assert {p.meta["batch_n"] for p in alone} == {1} and {p.meta["batch_n"] for p in together} == {4}
    assert [p.sample_id for p in together] == [s.id for s in batch]
    assert [p.text for p in together] == [p.text for p in alone]
    assert [p.usage for p in together] == [p.usage for p in alone]


def test_an_unreadable_record_is_that_samples_error(adapter, samples, tmp_path):
    good = samples[0]
    source = Path(str(good.record_path))
    for suffix in (".hea", ".dat"):
        shutil.copy(source.with_suffix(suffix), tmp_path / f"broken{suffix}")
    (tmp_path / "broken.dat").write_bytes(b"\0" * 64)  # truncated signal file
    broken = replace(samples[1], record_path=str(tmp_path / "broken"), record=None, image_png=None, image_path=None)
    missing = replace(samples[2], record_path=str(tmp_path / "absent"), record=None, image_png=None, image_path=None)
    adapter.batch_size = 4
    predictions = adapter.generate([good, broken, missing, samples[3]])
    assert [p.sample_id for p in predictions] == [good.id, broken.id, missing.id, samples[3].id]
    assert predictions[0].ok and predictions[3].ok
    for prediction in predictions[1:3]:
        assert prediction.text is None
        assert prediction.error.startswith("input: ")
    assert "absent" in predictions[2].error


def test_describe_is_complete(family, adapter, checkpoint, third_party):
    described = adapter.describe()
    json.dumps(described)  # it goes into config.json as is
    required = ["adapter", "family", "pretrained", "checkpoint", "model_name", "conv_mode", "conv_system",
                "prompt_template", "mm_use_im_start_end", "image_aspect_ratio", "dtype", "device",
                "max_new_tokens", "temperature", "num_beams", "batch_size", "padding_side", "modality",
                "image_dpi", "image", "llava_package"]
    if family == "gem":
        required += ["ecg_tower", "ecg_tower_fingerprint", "ecg_tower_weights", "open_clip_config", "signal"]
        assert described["ablation_zeroed"] is None  # --modality both zeroes nothing
    missing = [k for k in required if described.get(k) in (None, "")]
    assert not missing and family == described["adapter"]
    assert described["checkpoint"]["path"] == str(checkpoint) and len(described["checkpoint"]["fingerprint"]) == 64
    assert described["image_aspect_ratio"] == "anyres" and described["dtype"] == "float16"
    assert described["llava_package"] == str(third_party / ("GEM" if family == "gem" else "PULSE-LLaVA") / "llava")
    if family == "gem":
        assert described["ecg_tower"] == str(checkpoint / "ecg_coca.pt")
        assert described["open_clip_config"] == "coca_tiny"
        assert described["open_clip_config_file"] == str(checkpoint / "coca_tiny.json")
        # the checkpoint carries the tower's weights: they, not the file's, are the ones used
        assert described["ecg_tower_weights"].startswith("checkpoint")


def test_gem_ecg_tower_override(family, base_args, checkpoint, tmp_path):
    if family != "gem":
        pytest.skip("PULSE has no ECG tower")
    with pytest.raises(ModelError, match="does not exist"):
        load_model("gem", dict(base_args, ecg_tower=str(tmp_path / "nowhere.pt")), modality="both")
    copy = tmp_path / "tower.pt"
    shutil.copy(checkpoint / "ecg_coca.pt", copy)
    model = load_model("gem", dict(base_args, ecg_tower=str(copy)), modality="both")
    described = model.describe()
    assert described["ecg_tower"] == str(copy)
    assert "ecg_tower=" in described["ecg_tower_weights"]


def _doctor(*args: str) -> tuple[int, dict]:
    from typer.testing import CliRunner

    from gemeval.cli import app

    result = CliRunner().invoke(app, ["doctor", *args, "--format", "json"])
    return result.exit_code, {c["name"]: c for c in json.loads(result.stdout)["checks"]}


def test_doctor_knows_which_llava_it_has(family, base_args, third_party, monkeypatch):
    args = ",".join(f"{k}={v}" for k, v in base_args.items())
    code, checks = _doctor("--model", family, "--model-args", args)
    assert code == 0, checks
    assert checks["llava"]["status"] == "ok"
    assert third_party in Path(checks["llava"]["detail"].split(" (")[0]).resolve().parents
    assert checks["transformers"]["detail"] == "transformers 4.37.2"
    other = "pulse" if family == "gem" else "gem"
    code, checks = _doctor("--model", other, "--model-args", args)
    assert code == 2 and checks["llava"]["status"] == "problem"
    assert ("GEM" if other == "gem" else "PULSE") in checks["llava"]["fix"]
    if family != "gem":
        return
    from gemeval.doctor import MEDCPT, _hf_cached

    # the published ECG-CoCa config builds its text tower from MedCPT: offline, it must be cached
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    published = dict(base_args, open_clip_config="coca_ViT-B-32")
    code, checks = _doctor("--model", "gem", "--model-args", ",".join(f"{k}={v}" for k, v in published.items()))
    if not _hf_cached(MEDCPT):
        assert code == 2 and MEDCPT in checks["ecg-coca config"]["detail"]
        assert checks["ecg-coca config"]["fix"] == f"huggingface-cli download {MEDCPT} (once, with network)"
    missing = dict(base_args, ecg_tower="/nowhere/cpt_ecg_coca.pt")
    code, checks = _doctor("--model", "gem", "--model-args", ",".join(f"{k}={v}" for k, v in missing.items()))
    assert code == 2 and checks["ecg tower"]["status"] == "problem" and "ecg_tower=" in checks["ecg tower"]["fix"]
