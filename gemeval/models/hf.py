"""The ``hf`` adapter: any image-text-to-text model that transformers loads.

``AutoModelForImageTextToText`` + ``AutoProcessor`` (LLaVA, LLaVA-NeXT, Qwen2-VL and
Qwen2.5-VL, Idefics, Gemma 3, ...) with the model's own chat template: one user turn with
the ECG page (the dataset's image, or the page rendered from the signal at ``image_dpi``)
followed by the prompt, after an optional system turn.

Batched generation: the samples of a call are sorted by prompt length, cut into batches of
``batch_size`` and left-padded (decoder-only models continue from the last position, so
padding must sit on the left), then the answers are put back in the samples' order. Greedy
by default (``do_sample=false``). A batch that fails (out of memory, say) is retried one
sample at a time, so only the samples that fail alone carry an error. Each prediction's
``latency_s`` is the wall time of its batch; ``usage`` counts the prompt tokens (image
tokens included) and the generated tokens up to end-of-sequence.

Arguments (``--model-args``): ``pretrained`` (hub id or folder, required), ``revision``,
``device`` (cuda, cuda:1, cpu, or auto to spread a large model over all GPUs), ``dtype``
(auto, bfloat16, float16, float32), ``attn_implementation`` (sdpa, eager,
flash_attention_2), ``max_new_tokens`` (1024), ``do_sample``, ``temperature``, ``top_p``,
``image_dpi`` (100), ``system_prompt``, ``chat_template`` (a .jinja file for a model that
ships none), ``trust_remote_code``.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any, Sequence

from gemeval.models.base import ModelError
from gemeval.models.checkpoint import checkpoint_identity
from gemeval.models.inputs import load_image
from gemeval.models.options import check_modality, reject_unknown, require, torch_dtype
from gemeval.sample import Prediction, Sample

MODALITIES = ("image",)


def completion_lengths(new_tokens, eos_ids: set[int], pad_id: int | None) -> list[int]:
    """Generated tokens per row: up to and including the first end-of-sequence token,
    else the row without trailing padding."""
    lengths = []
    for row in new_tokens.tolist():
        n = len(row)
        for i, tok in enumerate(row):
            if tok in eos_ids:
                n = i + 1
                break
        else:
            while n and pad_id is not None and row[n - 1] == pad_id:
                n -= 1
        lengths.append(n)
    return lengths


class HFVisionModel:
    name = "hf"

    def __init__(
        self,
        modality: str = "image",
        batch_size: int = 8,
        pretrained: str | None = None,
        revision: str | None = None,
        device: str | None = None,
        dtype: str = "auto",
        attn_implementation: str | None = None,
        max_new_tokens: int = 1024,
        do_sample: bool = False,
        temperature: float | None = None,
        top_p: float | None = None,
        image_dpi: int = 100,
        system_prompt: str | None = None,
        chat_template: str | None = None,
        trust_remote_code: bool = False,
        **unknown: Any,
    ):
        reject_unknown(self.name, unknown, (
            "pretrained", "revision", "device", "dtype", "attn_implementation", "max_new_tokens",
            "do_sample", "temperature", "top_p", "image_dpi", "system_prompt", "chat_template",
            "trust_remote_code", "batch_size",
        ))
        self.modality = check_modality(self.name, modality, MODALITIES)
        self.pretrained = str(require(self.name, pretrained, "pretrained", "pretrained=Qwen/Qwen2-VL-2B-Instruct"))
        try:
            import torch
            import transformers
        except ImportError as exc:
            raise ModelError(
                f"adapter 'hf' needs torch and transformers: pip install torch 'gemeval[hf]' ({exc})"
            ) from None
        self.batch_size = max(1, int(batch_size))
        self.revision = revision
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.max_new_tokens = int(max_new_tokens)
        self.do_sample = bool(do_sample)
        self.temperature = temperature
        self.top_p = top_p
        self.image_dpi = int(image_dpi)
        self.system_prompt = system_prompt
        self.processor = self._load_processor(transformers, chat_template, trust_remote_code)
        self.model = self._load_model(transformers, dtype, attn_implementation, trust_remote_code)
        tokenizer = self.processor.tokenizer
        tokenizer.padding_side = "left"
        if tokenizer.pad_token_id is None:
            tokenizer.pad_token = tokenizer.eos_token
        eos = self.model.generation_config.eos_token_id
        eos = eos if isinstance(eos, list) else [eos] if eos is not None else [tokenizer.eos_token_id]
        self.eos_ids = {int(e) for e in eos if e is not None}

    def _load_processor(self, transformers, chat_template: str | None, trust_remote_code: bool):
        try:
            processor = transformers.AutoProcessor.from_pretrained(
                self.pretrained, revision=self.revision, trust_remote_code=trust_remote_code,
            )
        except ImportError as exc:
            reason = " ".join(str(exc).split()).split(". ")[0] or type(exc).__name__
            raise ModelError(
                f"adapter 'hf': the processor of {self.pretrained} needs a package that is not installed "
                f"({reason}); Qwen2-VL-style processors need torchvision: pip install torchvision (the "
                "build that matches your torch)"
            ) from None
        except (OSError, ValueError) as exc:
            raise ModelError(f"adapter 'hf': cannot load the processor of {self.pretrained}: {exc}") from None
        if getattr(processor, "image_processor", None) is None:
            raise ModelError(
                f"adapter 'hf': {self.pretrained} has no image processor, so it cannot read the ECG "
                "image; use an image-text-to-text model, or --model openai/lm-eval with --modality signal "
                "for a text-only model"
            )
        if chat_template:
            processor.chat_template = Path(chat_template).read_text()
        if not getattr(processor, "chat_template", None):
            raise ModelError(
                f"adapter 'hf': {self.pretrained} ships no chat template; pass one as "
                "--model-args chat_template=FILE.jinja (the template the model was trained with)"
            )
        return processor

    def _load_model(self, transformers, dtype: str, attn_implementation: str | None, trust_remote_code: bool):
        kwargs: dict[str, Any] = {"revision": self.revision, "trust_remote_code": trust_remote_code,
                                  "dtype": torch_dtype(self.name, dtype)}
        if attn_implementation:
            kwargs["attn_implementation"] = attn_implementation
        if self.device == "auto":
            kwargs["device_map"] = "auto"
        try:
            model = transformers.AutoModelForImageTextToText.from_pretrained(self.pretrained, **kwargs)
        except ValueError as exc:
            if "Unrecognized configuration class" in str(exc):
                raise ModelError(
                    f"adapter 'hf': {self.pretrained} is not an image-text-to-text model, so it cannot read "
                    "the ECG image; for a text-only model use --model openai or --model lm-eval with "
                    "--modality signal"
                ) from None
            raise ModelError(f"adapter 'hf': cannot load {self.pretrained}: {exc}") from None
        except (OSError, ImportError) as exc:
            raise ModelError(f"adapter 'hf': cannot load {self.pretrained}: {exc}") from None
        if self.device != "auto":
            model = model.to(self.device)
        return model.eval()

    def describe(self) -> dict[str, Any]:
        import transformers

        template = self.processor.chat_template
        return {
            "adapter": self.name,
            "pretrained": self.pretrained,
            "checkpoint": checkpoint_identity(self.pretrained, self.revision,
                                              getattr(self.model.config, "_commit_hash", None)),
            "model_class": type(self.model).__name__,
            "dtype": str(self.model.dtype).removeprefix("torch."),
            "device": self.device,
            "attn_implementation": getattr(self.model.config, "_attn_implementation", None),
            "max_new_tokens": self.max_new_tokens,
            "do_sample": self.do_sample,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "batch_size": self.batch_size,
            "padding_side": "left",
            "prompt_template": "model chat template: [system], user: [ECG image] + prompt; generation prompt",
            "chat_template_sha256": hashlib.sha256(template.encode()).hexdigest(),
            "system_prompt": self.system_prompt,
            "modality": self.modality,
            "image_dpi": self.image_dpi,
            "image": "the dataset's image, else the page rendered from the signal at image_dpi",
            "transformers": transformers.__version__,
        }

    def _chat_text(self, prompt: str) -> str:
        messages: list[dict[str, Any]] = []
        if self.system_prompt:
            messages.append({"role": "system", "content": [{"type": "text", "text": self.system_prompt}]})
        messages.append({"role": "user", "content": [{"type": "image"}, {"type": "text", "text": prompt}]})
        return self.processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)

    def _generation_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"max_new_tokens": self.max_new_tokens, "do_sample": self.do_sample}
        if self.do_sample:
            sampling = {"temperature": self.temperature, "top_p": self.top_p}
            kwargs.update({k: v for k, v in sampling.items() if v is not None})
        return kwargs

    def _run(self, items: list[tuple[int, str, Any, dict[str, Any]]]) -> list[Prediction]:
        """Generate for ``items`` (index, chat text, image, meta) as one left-padded batch."""
        import torch

        start = time.perf_counter()
        inputs = self.processor(text=[t for _, t, _, _ in items], images=[[im] for _, _, im, _ in items],
                                padding=True, return_tensors="pt")
        inputs = inputs.to(self.model.device, dtype=self.model.dtype)
        with torch.inference_mode():
            output = self.model.generate(**inputs, **self._generation_kwargs())
        new_tokens = output[:, inputs["input_ids"].shape[1]:]
        texts = self.processor.batch_decode(new_tokens, skip_special_tokens=True)
        lengths = completion_lengths(new_tokens, self.eos_ids, self.processor.tokenizer.pad_token_id)
        prompt_lengths = inputs["attention_mask"].sum(dim=1).tolist()
        latency_s = time.perf_counter() - start
        return [
            Prediction(sample_id="", text=text.strip(), latency_s=latency_s,
                       usage={"prompt_tokens": int(p), "completion_tokens": int(n)},
                       meta={**meta, "batch_n": len(items)})
            for text, n, p, (_, _, _, meta) in zip(texts, lengths, prompt_lengths, items)
        ]

    def generate(self, samples: Sequence[Sample]) -> list[Prediction]:
        results: list[Prediction | None] = [None] * len(samples)
        ready: list[tuple[int, str, Any, dict[str, Any]]] = []
        for i, sample in enumerate(samples):
            try:
                image, source = load_image(sample, self.image_dpi)
                ready.append((i, self._chat_text(sample.prompt), image, {"image_source": source}))
            except Exception as exc:  # unreadable image or record: this sample only
                results[i] = Prediction(sample.id, None, error=f"input: {type(exc).__name__}: {exc}")
        tokenizer = self.processor.tokenizer
        ready.sort(key=lambda item: len(tokenizer(item[1], add_special_tokens=False)["input_ids"]))
        for first in range(0, len(ready), self.batch_size):
            chunk = ready[first:first + self.batch_size]
            try:
                outputs = self._run(chunk)
            except Exception as exc:
                if len(chunk) == 1:
                    outputs = [Prediction("", None, error=f"{type(exc).__name__}: {exc}", meta=chunk[0][3])]
                else:
                    outputs = [self._run_alone(item) for item in chunk]
            for (i, _, _, _), prediction in zip(chunk, outputs):
                prediction.sample_id = samples[i].id
                results[i] = prediction
        return [r for r in results if r is not None]

    def _run_alone(self, item: tuple[int, str, Any, dict[str, Any]]) -> Prediction:
        try:
            return self._run([item])[0]
        except Exception as exc:
            return Prediction("", None, error=f"{type(exc).__name__}: {exc}", meta=item[3])
