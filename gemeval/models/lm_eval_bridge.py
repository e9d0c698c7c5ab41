"""The ``lm-eval`` adapter: any lm-evaluation-harness model backend through ``generate_until``.

``--model lm-eval --model-args backend=hf-multimodal,pretrained=...`` builds the backend
lm-eval registers under that name (``hf-multimodal``, ``vllm-vlm``,
``local-chat-completions``, and for ``--modality signal`` the text backends ``hf``,
``vllm``, ``local-completions`` ...) with every other argument passed to it unchanged, then
sends one ``generate_until`` request per sample, as lm-eval's own evaluator would:

* context: the user turn through the backend's ``apply_chat_template`` (unless
  ``apply_chat_template=false``), after an optional system turn. ``--modality image``
  puts lm-eval's ``<image>`` placeholder before the prompt and the ECG page (dataset image
  or rendered at ``image_dpi``) in the request's ``visual`` list; API backends take the
  picture as an image part, so their text carries no placeholder. ``--modality signal``
  puts the signal as text (``gemeval.models.inputs``) before the prompt instead.
* generation: ``until`` (default none), ``max_gen_toks`` (1024), greedy
  (``do_sample=false, temperature=0``).

The whole batch goes to the backend in one call, so its own batching applies
(``batch_size`` is handed to it); if that call fails, each sample is retried alone and
only those that fail alone carry an error. lm-eval reports no token counts:
``completion_tokens`` is counted with the backend's tokenizer where it has one.
"""

from __future__ import annotations

import time
from typing import Any, Sequence

from gemeval.models.base import ModelError
from gemeval.models.checkpoint import checkpoint_identity
from gemeval.models.inputs import SIGNAL_TEXT_VERSION, load_image, with_signal_text
from gemeval.models.options import check_modality, require
from gemeval.sample import Prediction, Sample

MODALITIES = ("image", "signal")
IMAGE_PLACEHOLDER = "<image>"  # lm-eval's DEFAULT_IMAGE_PLACEHOLDER
_SECRET_WORDS = ("key", "token", "secret", "password")


class LMEvalModel:
    name = "lm-eval"

    def __init__(
        self,
        modality: str = "image",
        batch_size: int = 8,
        backend: str | None = None,
        max_gen_toks: int = 1024,
        until: str | None = None,
        apply_chat_template: bool = True,
        system_prompt: str | None = None,
        image_dpi: int = 100,
        signal_hz: float = 50.0,
        **backend_args: Any,
    ):
        self.modality = check_modality(self.name, modality, MODALITIES)
        example = "backend=hf-multimodal,pretrained=llava-hf/llava-1.5-7b-hf"
        self.backend = str(require(self.name, backend, "backend", example))
        try:
            import lm_eval
            from lm_eval.api.instance import Instance
            from lm_eval.api.registry import get_model
        except ImportError as exc:
            raise ModelError(f"adapter 'lm-eval' needs lm-eval: pip install 'gemeval[lm-eval]' ({exc})") from None
        self._instance = Instance
        self.lm_eval_version = lm_eval.__version__
        try:
            backend_cls = get_model(self.backend)
        except ValueError as exc:
            raise ModelError(f"adapter 'lm-eval': {exc}") from None
        if self.modality == "image" and not getattr(backend_cls, "MULTIMODAL", False):
            raise ModelError(
                f"adapter 'lm-eval': backend {self.backend!r} takes no images; use a multimodal backend "
                "(hf-multimodal, vllm-vlm, local-chat-completions) or --modality signal"
            )
        self.batch_size = max(1, int(batch_size))
        self.backend_args = dict(backend_args)
        self.gen_kwargs = {"until": [until] if until else [], "max_gen_toks": int(max_gen_toks),
                           "do_sample": False, "temperature": 0.0}
        self.apply_chat_template = bool(apply_chat_template)
        self.system_prompt = system_prompt
        self.image_dpi = int(image_dpi)
        self.signal_hz = float(signal_hz)
        try:
            self.lm = backend_cls.create_from_arg_obj(self.backend_args, {"batch_size": self.batch_size})
        except (ImportError, OSError, ValueError, TypeError) as exc:
            raise ModelError(f"adapter 'lm-eval': backend {self.backend!r} could not be built: {exc}") from None
        from lm_eval.models.api_models import TemplateAPI

        self._is_api = isinstance(self.lm, TemplateAPI)

    def describe(self) -> dict[str, Any]:
        args = {k: ("<redacted>" if any(w in k.lower() for w in _SECRET_WORDS) else v)
                for k, v in self.backend_args.items()}
        described: dict[str, Any] = {
            "adapter": self.name,
            "backend": self.backend,
            "backend_args": args,
            "lm_eval": self.lm_eval_version,
            "modality": self.modality,
            "batch_size": self.batch_size,
            "apply_chat_template": self.apply_chat_template,
            "system_prompt": self.system_prompt,
            "gen_kwargs": self.gen_kwargs,
        }
        if "pretrained" in self.backend_args:
            described["checkpoint"] = checkpoint_identity(str(self.backend_args["pretrained"]),
                                                          self.backend_args.get("revision"))
        if self.modality == "image":
            placeholder = "(image part)" if self._is_api else IMAGE_PLACEHOLDER
            described.update(prompt_template=f"user: {placeholder} + prompt", image_dpi=self.image_dpi,
                             image="the dataset's image, else the page rendered from the signal at image_dpi")
        else:
            described.update(prompt_template="user: signal as text + blank line + prompt",
                             signal_text={"hz": self.signal_hz, "version": SIGNAL_TEXT_VERSION})
        return described

    def _context(self, text: str):
        if not self.apply_chat_template:
            return text if not self.system_prompt else f"{self.system_prompt}\n\n{text}"
        chat = [{"role": "system", "content": self.system_prompt}] if self.system_prompt else []
        chat.append({"role": "user", "content": text})
        return self.lm.apply_chat_template(chat, add_generation_prompt=True)

    def _request(self, index: int, sample: Sample) -> tuple[Any, dict[str, Any]]:
        if self.modality == "signal":
            text = with_signal_text(sample.prompt, sample.load_record(), self.signal_hz)
            arguments: tuple = (self._context(text), dict(self.gen_kwargs))
            meta: dict[str, Any] = {}
        else:
            image, source = load_image(sample, self.image_dpi)
            text = sample.prompt if self._is_api else IMAGE_PLACEHOLDER + sample.prompt
            arguments = (self._context(text), dict(self.gen_kwargs), {"visual": [image]})
            meta = {"image_source": source}
        request = self._instance(request_type="generate_until", doc={"id": sample.id}, arguments=arguments,
                                 idx=0, metadata=("gemeval", index, 1))
        return request, meta

    def _completion_tokens(self, text: str) -> int | None:
        if getattr(self.lm, "tokenizer", None) is None:
            return None
        try:
            return len(self.lm.tok_encode(text))
        except Exception:  # a backend whose tokenizer cannot encode plain text: no count
            return None

    def _call(self, requests: list[Any]) -> list[str]:
        return self.lm.generate_until(requests, disable_tqdm=True)

    def generate(self, samples: Sequence[Sample]) -> list[Prediction]:
        results: list[Prediction | None] = [None] * len(samples)
        ready: list[tuple[int, Any, dict[str, Any]]] = []
        for i, sample in enumerate(samples):
            try:
                request, meta = self._request(i, sample)
                ready.append((i, request, meta))
            except Exception as exc:  # unreadable image or record: this sample only
                results[i] = Prediction(sample.id, None, error=f"input: {type(exc).__name__}: {exc}")
        if ready:
            start = time.perf_counter()
            try:
                texts: list[str | Exception] = list(self._call([r for _, r, _ in ready]))
                latencies = [time.perf_counter() - start] * len(ready)
            except Exception:
                texts, latencies = [], []
                for _, request, _ in ready:
                    one = time.perf_counter()
                    try:
                        texts.append(self._call([request])[0])
                    except Exception as exc:
                        texts.append(exc)
                    latencies.append(time.perf_counter() - one)
            for (i, _, meta), text, latency_s in zip(ready, texts, latencies):
                if isinstance(text, Exception):
                    results[i] = Prediction(samples[i].id, None, error=f"{type(text).__name__}: {text}",
                                            latency_s=latency_s, meta=meta)
                    continue
                n = self._completion_tokens(text)
                results[i] = Prediction(samples[i].id, text.strip(), latency_s=latency_s,
                                        usage={} if n is None else {"completion_tokens_reencoded": n},
                                        meta={**meta, "batch_n": len(ready)})
        return [r for r in results if r is not None]
