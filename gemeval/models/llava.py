"""The ``gem`` and ``pulse`` adapters: LLaVA-architecture ECG models through the ``llava``
package that their repositories install.

Both load with ``llava.model.builder.load_pretrained_model`` and prompt with the
``llava_v1`` conversation template, the ECG image through the model's own image processor
(``llava.mm_utils.process_images``: LLaVA-NeXT any-resolution tiling), in float16, as their
evaluation scripts do (see ``gemeval.models.gem_inputs``). GEM also reads the signal
(12 x 5,000 samples) through its ECG-CoCa tower, whose checkpoint path lives in the model
config's ``mm_ecg_tower``; ``ecg_tower=PATH`` overrides it. GEM's checkpoint also stores the
tower's weights, which replace the file's on loading (``describe()`` says which are used);
``open_clip_config`` may name a ``.json`` architecture file, registered with ``ecg_coca``.

The two packages differ (GEM's ``generate`` takes ``ecgs=``, PULSE's does not), so each
model needs its own environment; see docs/models.md for the install.

Batching, where the evaluation scripts go one item at a time: prompts are tokenised with
the image placeholder, left-padded into one batch with an attention mask, and the model
config's ``tokenizer_padding_side`` is set to ``left`` so that LLaVA's
``prepare_inputs_labels_for_multimodal`` re-pads the spliced image (and ECG) embeddings on
the left too; ``batch_size=1`` reproduces the one-at-a-time loop exactly. Each prediction's
``latency_s`` is its batch's wall time; ``usage`` has ``prompt_text_tokens`` (the image and
ECG embeddings spliced in are not counted) and ``completion_tokens``.

Modality ablation (GEM): ``--modality image`` gives the ECG encoder an all-zero signal (a
flat 0 mV baseline on every lead); ``--modality signal`` gives the vision tower an all-zero
image tensor (zero after the processor's normalisation, i.e. the mean colour) at the
tower's base resolution. GEM's architecture splices both feature sets at the one image
token, so an input is neutralised rather than dropped, and the prompt stays identical
across the three modalities. ``describe()`` records which input was zeroed.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Sequence

from gemeval.models.base import ModelError
from gemeval.models.checkpoint import checkpoint_identity, file_fingerprint, weight_names
from gemeval.models.gem_inputs import GEM_SIGNAL_SAMPLES, GEM_TRAINING_FS_HZ, LEAD_ORDERS, gem_question, gem_signal
from gemeval.models.hf import completion_lengths
from gemeval.models.inputs import load_image
from gemeval.models.options import check_modality, reject_unknown, require
from gemeval.sample import Prediction, Sample

_COMMON_ARGS = (
    "pretrained", "model_base", "model_name", "conv_mode", "device", "max_new_tokens",
    "temperature", "top_p", "num_beams", "image_dpi", "use_flash_attn", "load_8bit", "load_4bit",
    "batch_size",
)


def _import_llava(family: str, install: str) -> dict[str, Any]:
    """The parts of the ``llava`` package the adapter calls, or a ModelError with the install."""
    try:
        from llava.constants import IMAGE_TOKEN_INDEX
        from llava.conversation import conv_templates
        from llava.mm_utils import process_images, tokenizer_image_token
        from llava.model.builder import load_pretrained_model
    except ImportError as exc:
        raise ModelError(
            f"adapter {family.lower()!r} needs the `llava` package of the {family} repository "
            f"({exc}); install it in its own environment: {install} (see docs/models.md)"
        ) from None
    return {"IMAGE_TOKEN_INDEX": IMAGE_TOKEN_INDEX, "conv_templates": conv_templates,
            "process_images": process_images, "tokenizer_image_token": tokenizer_image_token,
            "load_pretrained_model": load_pretrained_model}


class _StepCounter:
    """A logits processor that changes nothing and counts the generation steps."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, input_ids, scores):
        self.count += 1
        return scores


class _LLaVAModel:
    """What GEM and PULSE share; subclasses set the family, the install line and the ECG input."""

    name = "llava"
    family = "LLaVA"
    hub_id = ""
    install = ""
    modalities: tuple[str, ...] = ("image",)
    extra_args: tuple[str, ...] = ()

    def __init__(
        self,
        modality: str | None = None,
        batch_size: int = 8,
        pretrained: str | None = None,
        model_base: str | None = None,
        model_name: str | None = None,
        conv_mode: str = "llava_v1",
        device: str | None = None,
        max_new_tokens: int = 1024,
        temperature: float = 0.0,
        top_p: float | None = None,
        num_beams: int = 1,
        image_dpi: int = 100,
        use_flash_attn: bool = False,
        load_8bit: bool = False,
        load_4bit: bool = False,
        **rest: Any,
    ):
        extra = {k: rest.pop(k) for k in self.extra_args if k in rest}
        reject_unknown(self.name, rest, _COMMON_ARGS + self.extra_args)
        self.modality = check_modality(self.name, modality or self.modalities[0], self.modalities)
        example = f"pretrained=/models/{self.hub_id.split('/')[-1]}"
        self.pretrained = str(require(self.name, pretrained, "pretrained", example))
        self.llava = _import_llava(self.family, self.install)
        import torch

        self.batch_size = max(1, int(batch_size))
        self.model_base = model_base
        # llava's builder loads a LLaVA model only when the name says "llava" (GEM's also "gem").
        self.model_name = model_name or f"llava-{self.name}"
        self.conv_mode = conv_mode
        if conv_mode not in self.llava["conv_templates"]:
            raise ModelError(f"adapter {self.name!r}: conv_mode {conv_mode!r} is not one of llava's templates "
                             f"({', '.join(sorted(self.llava['conv_templates']))})")
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.max_new_tokens = int(max_new_tokens)
        self.temperature = float(temperature)
        self.top_p = top_p
        self.num_beams = int(num_beams)
        self.image_dpi = int(image_dpi)
        self.quantisation = "8bit" if load_8bit else "4bit" if load_4bit else None
        self._configure(**extra)
        self._check_weights()
        builder_kwargs = self._builder_kwargs()
        self.tokenizer, self.model, self.image_processor, _ = self.llava["load_pretrained_model"](
            self.pretrained, model_base, self.model_name, load_8bit=load_8bit, load_4bit=load_4bit,
            # The builder spreads the model over all GPUs for device "cuda" and pins it for
            # any other device; it treats device_map as "auto" throughout.
            device="cuda" if self.device == "auto" else self.device,
            use_flash_attn=bool(use_flash_attn), **builder_kwargs,
        )
        self.model.eval()
        self.model.config.tokenizer_padding_side = "left"
        self.dtype = torch.float16
        # The builder leaves the towers where their own loaders put them; keep them beside the LM.
        self.model.get_vision_tower().to(device=self.model.device, dtype=self.dtype)
        self._after_load()
        eos = self.tokenizer.eos_token_id
        self.eos_ids = {int(eos)} if eos is not None else set()
        self.pad_id = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else (eos or 0)

    def _configure(self) -> None:
        """Read the family's own --model-args (none for PULSE)."""

    def _builder_kwargs(self) -> dict[str, Any]:
        return {}

    def _after_load(self) -> None:
        """Fix up the loaded model (GEM: put the ECG tower beside the language model)."""

    def _check_weights(self) -> None:
        path = Path(self.pretrained).expanduser()
        looks_local = self.pretrained.startswith((".", "/", "~")) or path.exists()
        if looks_local and not (path / "config.json").is_file():
            raise ModelError(
                f"adapter {self.name!r}: no checkpoint at {path} (config.json missing); download the "
                f"weights, e.g. `huggingface-cli download {self.hub_id} --local-dir {path}`"
            )

    def describe(self) -> dict[str, Any]:
        import llava

        conv = self.llava["conv_templates"][self.conv_mode]
        return {
            "adapter": self.name,
            "family": self.family,
            "pretrained": self.pretrained,
            "checkpoint": checkpoint_identity(self.pretrained),
            "model_base": self.model_base,
            "model_name": self.model_name,
            "conv_mode": self.conv_mode,
            "conv_system": conv.system,
            "prompt_template": f"{self.conv_mode}: system, USER: <image>\\n{{prompt}}, ASSISTANT:",
            "mm_use_im_start_end": bool(getattr(self.model.config, "mm_use_im_start_end", False)),
            "image_aspect_ratio": getattr(self.model.config, "image_aspect_ratio", None),
            "dtype": "float16",
            "quantisation": self.quantisation,
            "device": self.device,
            "max_new_tokens": self.max_new_tokens,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "num_beams": self.num_beams,
            "batch_size": self.batch_size,
            "padding_side": "left",
            "modality": self.modality,
            "image_dpi": self.image_dpi,
            "image": "the dataset's image, else the page rendered from the signal at image_dpi",
            "llava_package": str(Path(llava.__file__).resolve().parent),
            **self._describe_extra(),
        }

    def _describe_extra(self) -> dict[str, Any]:
        return {}

    def _ecg_input(self, sample: Sample):
        """(signal tensor or None, meta) for one sample; PULSE reads no signal."""
        return None, {}

    def _prepare(self, sample: Sample) -> dict[str, Any]:
        import torch

        question = gem_question(sample.prompt, bool(getattr(self.model.config, "mm_use_im_start_end", False)))
        conv = self.llava["conv_templates"][self.conv_mode].copy()
        conv.append_message(conv.roles[0], question)
        conv.append_message(conv.roles[1], None)
        input_ids = self.llava["tokenizer_image_token"](
            conv.get_prompt(), self.tokenizer, self.llava["IMAGE_TOKEN_INDEX"], return_tensors="pt")
        meta: dict[str, Any] = {}
        if self.modality == "signal":
            image = None
        else:
            image, meta["image_source"] = load_image(sample, self.image_dpi)
        ecg, ecg_meta = self._ecg_input(sample)
        meta.update(ecg_meta)
        return {"input_ids": torch.as_tensor(input_ids), "image": image, "ecg": ecg, "meta": meta}

    def _blank_side(self) -> int:
        crop = getattr(self.image_processor, "crop_size", None) or {}
        return int(crop.get("height", 336)) if isinstance(crop, dict) else 336

    def _images(self, items: list[dict[str, Any]]):
        """(image tensors for ``generate``, image sizes); all-zero tensors for --modality signal."""
        import torch
        from PIL import Image

        if self.modality == "signal":
            side = self._blank_side()
            pictures = [Image.new("RGB", (side, side)) for _ in items]
        else:
            pictures = [item["image"] for item in items]
        tensors = self.llava["process_images"](pictures, self.image_processor, self.model.config)
        if isinstance(tensors, list):
            tensors = [t.to(self.model.device, dtype=self.dtype) for t in tensors]
            if self.modality == "signal":
                tensors = [torch.zeros_like(t) for t in tensors]
        else:
            tensors = tensors.to(self.model.device, dtype=self.dtype)
            if self.modality == "signal":
                tensors = torch.zeros_like(tensors)
        return tensors, [p.size for p in pictures]

    def _generate_kwargs(self, items: list[dict[str, Any]]) -> dict[str, Any]:
        """Family-specific inputs of ``generate`` (GEM: ``ecgs``)."""
        return {}

    def _run(self, items: list[dict[str, Any]]) -> list[Prediction]:
        import torch

        start = time.perf_counter()
        longest = max(len(item["input_ids"]) for item in items)
        input_ids = torch.full((len(items), longest), self.pad_id, dtype=torch.long)
        attention_mask = torch.zeros((len(items), longest), dtype=torch.long)
        for row, item in enumerate(items):
            n = len(item["input_ids"])
            input_ids[row, longest - n:] = item["input_ids"]
            attention_mask[row, longest - n:] = 1
        images, image_sizes = self._images(items)
        sampling = {"do_sample": True, "temperature": self.temperature, "top_p": self.top_p} \
            if self.temperature > 0 else {"do_sample": False}
        steps = _StepCounter()
        with torch.inference_mode():
            output_ids = self.model.generate(
                input_ids.to(self.model.device), attention_mask=attention_mask.to(self.model.device),
                images=images, image_sizes=image_sizes, num_beams=self.num_beams,
                max_new_tokens=self.max_new_tokens, use_cache=True, logits_processor=[steps],
                **sampling, **self._generate_kwargs(items),
            )
        # LLaVA generates from inputs_embeds; transformers 4.37 then puts the start token in
        # front of the new tokens (later versions return the new tokens alone): keep the
        # columns that generation steps produced.
        output_ids = output_ids[:, output_ids.shape[1] - steps.count:]
        texts = self.tokenizer.batch_decode(output_ids, skip_special_tokens=True)
        lengths = completion_lengths(output_ids, self.eos_ids, self.pad_id)
        latency_s = time.perf_counter() - start
        return [
            Prediction("", text.strip(), latency_s=latency_s,
                       usage={"prompt_text_tokens": len(item["input_ids"]), "completion_tokens": n},
                       meta={**item["meta"], "batch_n": len(items)})
            for text, n, item in zip(texts, lengths, items)
        ]

    def generate(self, samples: Sequence[Sample]) -> list[Prediction]:
        results: list[Prediction | None] = [None] * len(samples)
        ready: list[tuple[int, dict[str, Any]]] = []
        for i, sample in enumerate(samples):
            try:
                ready.append((i, self._prepare(sample)))
            except Exception as exc:  # unreadable image or record: this sample only
                results[i] = Prediction(sample.id, None, error=f"input: {type(exc).__name__}: {exc}")
        ready.sort(key=lambda pair: len(pair[1]["input_ids"]))
        for first in range(0, len(ready), self.batch_size):
            chunk = ready[first:first + self.batch_size]
            try:
                outputs = self._run([item for _, item in chunk])
            except Exception as exc:
                outputs = [self._run_alone(item, exc if len(chunk) == 1 else None) for _, item in chunk]
            for (i, _), prediction in zip(chunk, outputs):
                prediction.sample_id = samples[i].id
                results[i] = prediction
        return [r for r in results if r is not None]

    def _run_alone(self, item: dict[str, Any], known: Exception | None) -> Prediction:
        try:
            if known is not None:
                raise known
            return self._run([item])[0]
        except Exception as exc:
            return Prediction("", None, error=f"{type(exc).__name__}: {exc}", meta=item["meta"])


class GEMModel(_LLaVAModel):
    name = "gem"
    family = "GEM"
    hub_id = "LANSG/GEM"
    install = ("git clone https://github.com/lanxiang1017/GEM && bash GEM/setup.sh (it installs llava and "
               "ecg_coca; run from the GEM folder or put it on PYTHONPATH)")
    modalities = ("both", "image", "signal")
    extra_args = ("ecg_tower", "open_clip_config", "lead_order")

    def _configure(self, ecg_tower: str | None = None, open_clip_config: str | None = None,
                   lead_order: str = "file") -> None:
        if lead_order not in LEAD_ORDERS:
            raise ModelError(f"adapter 'gem': lead_order must be one of {', '.join(LEAD_ORDERS)}, got {lead_order!r}")
        self.lead_order = lead_order
        self.ecg_tower = ecg_tower
        self.ecg_tower_override = ecg_tower is not None
        self.open_clip_config_file: str | None = None
        self.open_clip_config = open_clip_config

    def _builder_kwargs(self) -> dict[str, Any]:
        """A config whose ``mm_ecg_tower`` points at a checkpoint that exists."""
        from transformers import AutoConfig

        if self.model_base is not None and self.ecg_tower is not None:
            raise ModelError(
                "adapter 'gem': with model_base, llava's builder reads mm_ecg_tower from "
                f"{self.pretrained}/config.json itself; set the tower path there instead of ecg_tower="
            )
        config = AutoConfig.from_pretrained(self.pretrained)
        tower = self.ecg_tower or getattr(config, "mm_ecg_tower", None)
        if not tower or not Path(tower).expanduser().is_file():
            raise ModelError(
                f"adapter 'gem': the ECG-CoCa tower checkpoint {tower!r} (from "
                f"{'ecg_tower=' if self.ecg_tower else 'the model config mm_ecg_tower'}) does not exist; "
                "download ECG-CoCa (https://github.com/YubaoZhao/ECG-Chat) and pass "
                "--model-args ecg_tower=/path/to/cpt_ecg_coca.pt"
            )
        self.ecg_tower = str(Path(tower).expanduser().resolve())
        self.open_clip_config = self.open_clip_config or getattr(config, "open_clip_config", None) or "coca_ViT-B-32"
        config.mm_ecg_tower = self.ecg_tower
        self.open_clip_config = config.open_clip_config = self._register_open_clip_config(self.open_clip_config)
        # With model_base (LoRA or projector-only checkpoints) llava's builder passes its own config.
        return {"config": config} if self.model_base is None else {}

    def _register_open_clip_config(self, value: str) -> str:
        """The ECG-CoCa architecture name for ecg_coca: a ``.json`` file is registered with
        ecg_coca's model registry first (its name is the file's stem)."""
        try:
            from ecg_coca.open_clip import add_model_config, list_models
        except ImportError as exc:
            raise ModelError(f"adapter 'gem' needs GEM's `ecg_coca` package beside its `llava` ({exc}); "
                             f"{self.install}") from None
        if value.endswith(".json"):
            path = Path(value).expanduser()
            if not path.is_file():
                raise ModelError(f"adapter 'gem': open_clip_config file {path} does not exist")
            add_model_config(path.resolve())
            self.open_clip_config_file = str(path.resolve())
            value = path.stem
        if value not in list_models():
            raise ModelError(
                f"adapter 'gem': open_clip_config {value!r} is not one of ecg_coca's architectures "
                f"({', '.join(list_models())}); pass open_clip_config=/path/to/CONFIG.json for your own"
            )
        return value

    def _after_load(self) -> None:
        # The ECG encoder is built on the CPU by ecg_coca; the language model may sit on a GPU.
        self.model.get_ecg_tower().to(device=self.model.device, dtype=self.dtype)

    def _ecg_tower_weights(self) -> str:
        """Where the ECG encoder's weights come from. ``save_pretrained`` stores the tower
        inside GEM's checkpoint, and those weights replace the tower file's on loading; the
        file then only has to exist and match the architecture."""
        named = "the ecg_tower= file" if self.ecg_tower_override else "the file named by mm_ecg_tower"
        folder = Path(self.model_base or self.pretrained).expanduser()
        names = weight_names(folder) if folder.is_dir() else None
        if names is None:
            return f"unknown (the checkpoint's tensor names cannot be listed); else {named}"
        if any(name.startswith("model.ecg_tower.") for name in names):
            return (f"checkpoint (model.ecg_tower.* in its weights replace those of {named}, which supplies "
                    "the architecture only)")
        return named

    def _ecg_input(self, sample: Sample):
        import torch

        if self.modality == "image":
            return torch.zeros((12, GEM_SIGNAL_SAMPLES)), {"signal_source": "zeroed (image-only ablation)"}
        signal, info = gem_signal(sample, self.lead_order)
        if info["fs_hz"] != GEM_TRAINING_FS_HZ:
            info["note"] = (f"{info['fs_hz']:g} Hz passed without resampling, as GEM's evaluation does "
                            "(trained on 500 Hz)")
        return torch.from_numpy(signal), info

    def _generate_kwargs(self, items: list[dict[str, Any]]) -> dict[str, Any]:
        import torch

        ecgs = torch.stack([item["ecg"] for item in items])
        return {"ecgs": ecgs.to(self.model.device, dtype=self.dtype)}

    def _describe_extra(self) -> dict[str, Any]:
        zeroed = {"both": None, "image": "signal (all-zero 12 x 5000)",
                  "signal": "image (all-zero tensor at the tower's base resolution)"}[self.modality]
        return {
            "ecg_tower": self.ecg_tower,
            "ecg_tower_fingerprint": file_fingerprint(Path(self.ecg_tower)) if self.ecg_tower else None,
            "ecg_tower_weights": self._ecg_tower_weights(),
            "open_clip_config": self.open_clip_config,
            "open_clip_config_file": self.open_clip_config_file,
            "signal": {"samples": GEM_SIGNAL_SAMPLES, "lead_order": self.lead_order, "resampling": None,
                       "preparation": "wfdb.rdsamp, NaN/inf -> 0, leads x samples, zero-pad/crop"},
            "ablation_zeroed": zeroed,
        }


class PULSEModel(_LLaVAModel):
    name = "pulse"
    family = "PULSE"
    hub_id = "PULSE-ECG/PULSE-7B"
    install = ("git clone https://github.com/AIMedLab/PULSE && cd PULSE/LLaVA && pip install -e . "
               "(or pip install llava-torch, the upstream LLaVA it is built on)")
    modalities = ("image",)
