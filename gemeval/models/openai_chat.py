"""The ``openai`` adapter: any OpenAI-compatible chat-completions server.

OpenAI itself, ``vllm serve`` (how users spread a model over many GPUs), SGLang, Ollama:
``--model-args model=NAME[,base_url=http://host:8000/v1]``. One request per sample:

* ``--modality image``: a user message with the ECG page (the dataset's image, or the
  page rendered from the signal at ``image_dpi``) as a base64 data URL, then the prompt.
* ``--modality signal``: for text-only models, a user message with the signal as text
  (resampled to ``signal_hz``, layout in ``gemeval.models.inputs``) and then the prompt.

An optional ``system_prompt`` comes first. Requests are greedy by default
(``temperature=0``), never stored on the provider's side (``store=False``: PhysioNet asks
that credentialed data is not retained), and run ``concurrency`` at a time. Failed calls
are retried by the openai client (``max_retries``, exponential backoff, honouring the
server's ``Retry-After`` up to 60 s); a sample whose call still fails gets its error in
``Prediction.error`` and the rest of the batch goes on. Answers are cached in SQLite
(``gemeval.models.cache``) unless ``cache=off``. The API key is read from the environment
variable named by ``api_key_env`` (default ``OPENAI_API_KEY``) and never recorded.
"""

from __future__ import annotations

import base64
import io
import os
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any, Sequence

from gemeval.models.base import ModelError
from gemeval.models.cache import GenerationCache, generation_key
from gemeval.models.inputs import SIGNAL_TEXT_VERSION, load_image_png, sha256_hex, with_signal_text
from gemeval.models.options import check_modality, reject_unknown, require
from gemeval.sample import Prediction, Sample

OPENAI_URL = "https://api.openai.com/v1"
MODALITIES = ("image", "signal")


def _data_url(data: bytes) -> str:
    """A ``data:`` URL with the MIME type of the image's real format (PNG, JPEG ...)."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        mime = Image.MIME.get(image.format or "", "image/png")
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


class OpenAIChatModel:
    name = "openai"

    def __init__(
        self,
        modality: str = "image",
        batch_size: int = 16,
        model: str | None = None,
        base_url: str | None = None,
        api_key_env: str = "OPENAI_API_KEY",
        concurrency: int = 8,
        max_retries: int = 6,
        timeout_s: float = 120.0,
        max_tokens: int = 1024,
        temperature: float = 0.0,
        top_p: float | None = None,
        seed: int | None = None,
        image_dpi: int = 100,
        image_detail: str = "high",
        signal_hz: float = 50.0,
        system_prompt: str | None = None,
        cache: str = "readwrite",
        cache_path: str | None = None,
        **unknown: Any,
    ):
        reject_unknown(self.name, unknown, (
            "model", "base_url", "api_key_env", "concurrency", "max_retries", "timeout_s",
            "max_tokens", "temperature", "top_p", "seed", "image_dpi", "image_detail",
            "signal_hz", "system_prompt", "cache", "cache_path", "batch_size",
        ))
        try:
            import openai
        except ImportError as exc:
            raise ModelError(
                f"adapter 'openai' needs the openai client: pip install 'gemeval[judge]' ({exc})"
            ) from None
        self.modality = check_modality(self.name, modality, MODALITIES)
        self.model = str(require(self.name, model, "model", "model=gpt-4o or model=Qwen/Qwen2-VL-7B-Instruct"))
        self.base_url = (base_url or os.environ.get("OPENAI_BASE_URL") or OPENAI_URL).rstrip("/")
        api_key = os.environ.get(api_key_env)
        if not api_key:
            if self.base_url == OPENAI_URL:
                raise ModelError(
                    f"adapter 'openai' needs an API key for {OPENAI_URL}: export {api_key_env}=... "
                    "(or point base_url= at your own server, e.g. base_url=http://localhost:8000/v1)"
                )
            api_key = "EMPTY"  # vLLM and most local servers accept any key
        self.batch_size = int(batch_size)
        self.concurrency = max(1, int(concurrency))
        self.max_retries = int(max_retries)
        self.params: dict[str, Any] = {"temperature": float(temperature), "max_tokens": int(max_tokens)}
        if top_p is not None:
            self.params["top_p"] = float(top_p)
        if seed is not None:
            self.params["seed"] = int(seed)
        self.image_dpi = int(image_dpi)
        self.image_detail = image_detail
        self.signal_hz = float(signal_hz)
        self.system_prompt = system_prompt
        self.cache = GenerationCache(cache_path, mode=cache)
        self.client = openai.OpenAI(base_url=self.base_url, api_key=api_key, max_retries=self.max_retries,
                                    timeout=float(timeout_s))

    def describe(self) -> dict[str, Any]:
        described: dict[str, Any] = {
            "adapter": self.name,
            "model": self.model,
            "base_url": self.base_url,
            "modality": self.modality,
            "system_prompt": self.system_prompt,
            "store": False,
            "max_retries": self.max_retries,
            "cache": self.cache.mode,
            **self.params,
        }
        if self.modality == "image":
            described.update(
                prompt_template="user: [ECG image] + prompt",
                image_dpi=self.image_dpi, image_detail=self.image_detail,
                image="the dataset's image, else the page rendered from the signal at image_dpi",
            )
        else:
            described.update(
                prompt_template="user: signal as text + blank line + prompt",
                signal_text={"hz": self.signal_hz, "version": SIGNAL_TEXT_VERSION,
                             "units": "integer microvolts", "lead_order": "I,II,III,aVR,aVL,aVF,V1-V6"},
            )
        return described

    def _request(self, sample: Sample) -> tuple[list[dict[str, Any]], list[Any], str | None, dict[str, Any]]:
        """(messages to send, the same with the image replaced by its hash, image hash, meta)."""
        messages: list[dict[str, Any]] = []
        if self.system_prompt:
            messages.append({"role": "system", "content": self.system_prompt})
        if self.modality == "signal":
            text = with_signal_text(sample.prompt, sample.load_record(), self.signal_hz)
            messages.append({"role": "user", "content": text})
            return messages, messages, None, {}
        data, source = load_image_png(sample, self.image_dpi)
        digest = sha256_hex(data)
        image_part = {"type": "image_url", "image_url": {"url": _data_url(data), "detail": self.image_detail}}
        text_part = {"type": "text", "text": sample.prompt}
        keyed = messages + [{"role": "user", "content": [{"type": "image", "sha256": digest}, text_part]}]
        messages.append({"role": "user", "content": [image_part, text_part]})
        return messages, keyed, digest, {"image_source": source, "image_sha256": digest}

    def _one(self, sample: Sample) -> Prediction:
        start = time.perf_counter()
        try:
            messages, keyed, digest, meta = self._request(sample)
        except Exception as exc:  # unreadable image or record: this sample only
            return Prediction(sample.id, None, error=f"input: {type(exc).__name__}: {exc}",
                              latency_s=time.perf_counter() - start)
        key = generation_key(model=self.model, server=self.base_url, prompt=keyed, image_sha256=digest,
                             params={**self.params, "detail": self.image_detail})
        if self.cache.mode in ("readwrite", "read"):
            hit = self.cache.get(key)
            if hit is not None:
                return Prediction(sample.id, hit["text"], latency_s=hit["latency_s"], usage=hit["usage"],
                                  meta={**meta, **hit["meta"], "cached": True})
        try:
            response = self.client.chat.completions.create(
                # plain message dicts: the SDK's TypedDict message params are what they are at run time
                model=self.model, messages=messages, store=False, **self.params,  # type: ignore[arg-type]
            )
        except Exception as exc:
            return Prediction(sample.id, None, error=f"{type(exc).__name__}: {exc}",
                              latency_s=time.perf_counter() - start, meta=meta)
        latency_s = time.perf_counter() - start
        choice = response.choices[0] if response.choices else None
        text = choice.message.content if choice is not None else None
        usage = {}
        if response.usage is not None:
            usage = {"prompt_tokens": response.usage.prompt_tokens,
                     "completion_tokens": response.usage.completion_tokens}
        answer_meta = {"finish_reason": choice.finish_reason if choice is not None else None,
                       "served_model": response.model}
        if text is None:
            return Prediction(sample.id, None, error=f"empty answer (finish_reason={answer_meta['finish_reason']})",
                              latency_s=latency_s, usage=usage, meta={**meta, **answer_meta})
        self.cache.put(key, {"text": text, "latency_s": latency_s, "usage": usage, "meta": answer_meta})
        return Prediction(sample.id, text, latency_s=latency_s, usage=usage,
                          meta={**meta, **answer_meta, "cached": False})

    def generate(self, samples: Sequence[Sample]) -> list[Prediction]:
        results: list[Prediction | None] = [None] * len(samples)
        with ThreadPoolExecutor(max_workers=min(self.concurrency, max(1, len(samples)))) as pool:
            futures = {pool.submit(self._one, sample): i for i, sample in enumerate(samples)}
            for future in as_completed(futures):
                results[futures[future]] = future.result()
        return [r for r in results if r is not None]
