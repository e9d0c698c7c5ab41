"""Generation throughput: the ``hf`` adapter's batched path against a one-at-a-time loop like
GEM's evaluation script, on the same model, prompts and images, in one run.

The model is a random-weight LLaVA built from a config (tests/tiny_models.py): on CUDA the
~1B-parameter ``bench`` size (Llama 2048 x 16 layers, 32k vocabulary, CLIP ViT-B/14 at 336
px) in bfloat16; without a GPU the tiny one in float32, so the script still runs anywhere
(its figure says nothing about a GPU). End-of-sequence is disabled in the model's
generation config, so both paths generate exactly ``--max-new-tokens`` per item and the
tokens per second compare like for like.

Items: ``--n`` (64) rendered 12-lead pages of synthetic ECGs with the task prompts in turn
(grounded, ptbxl-super, csn, ptbxl-report), greedy.

1. anchor: for each item, the processor on its chat text and image, ``generate``, decode:
   what ``model_ecg_resume.py`` does per question;
2. ``HFVisionModel.generate`` over all items at ``--batch-size`` (length-sorted,
   left-padded batches).

Prints tokens/s of both, the ratio (target: at least 4x on the GPU) and how many answers
agree (greedy answers may differ in the last bits of bfloat16 between batch shapes). The
exit code is 1 when a CUDA run misses the target.

    python benchmarks/gpu_generate.py [--n 64] [--max-new-tokens 128] [--batch-size 32]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import torch  # noqa: E402
import tiny_models  # noqa: E402
from transformers import GenerationConfig  # noqa: E402

from gemeval.ecg.render import render_png  # noqa: E402
from gemeval.ecg.synth import synthesize  # noqa: E402
from gemeval.models.hf import HFVisionModel, completion_lengths  # noqa: E402
from gemeval.models.inputs import load_image  # noqa: E402
from gemeval.sample import Sample  # noqa: E402
from gemeval.tasks import load_task  # noqa: E402

TARGET_RATIO = 4.0
CONDITIONS = ("normal", "rbbb", "atrial_fibrillation", "lbbb", "first_degree_av_block", "inferior_stemi")


def make_samples(n: int) -> list[Sample]:
    prompts = [load_task(name).prompt for name in ("grounded", "ptbxl-super", "csn", "ptbxl-report")]
    samples = []
    for i in range(n):
        record, _ = synthesize(CONDITIONS[i % len(CONDITIONS)], i, record_id=f"bench-{i}")
        samples.append(Sample(id=f"bench-{i}", task="bench", prompt=prompts[i % len(prompts)],
                              image_png=render_png(record, dpi=100)))
    return samples


def build(folder: Path, on_gpu: bool) -> Path:
    path = tiny_models.build_llava(folder, size="bench" if on_gpu else "tiny")
    config = GenerationConfig.from_pretrained(path)
    config.eos_token_id = None  # every item generates exactly max_new_tokens
    config.save_pretrained(path)
    return path


def one_at_a_time(model: HFVisionModel, samples: list[Sample]) -> tuple[list[str], int, float]:
    """GEM's loop: one item per generate call, nothing batched."""
    processor, network = model.processor, model.model
    texts, tokens = [], 0
    start = time.perf_counter()
    for sample in samples:
        image, _ = load_image(sample, model.image_dpi)
        inputs = processor(text=[model._chat_text(sample.prompt)], images=[[image]], return_tensors="pt")
        inputs = inputs.to(network.device, dtype=network.dtype)
        with torch.inference_mode():
            output = network.generate(**inputs, max_new_tokens=model.max_new_tokens, do_sample=False)
        new = output[:, inputs["input_ids"].shape[1]:]
        tokens += completion_lengths(new, set(), processor.tokenizer.pad_token_id)[0]
        texts.append(processor.batch_decode(new, skip_special_tokens=True)[0].strip())
    if network.device.type == "cuda":
        torch.cuda.synchronize()
    return texts, tokens, time.perf_counter() - start


def batched(model: HFVisionModel, samples: list[Sample]) -> tuple[list[str], int, float]:
    start = time.perf_counter()
    predictions = model.generate(samples)
    if model.model.device.type == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    failed = [p for p in predictions if not p.ok]
    if failed:
        raise SystemExit(f"adapter failed on {len(failed)} items, first: {failed[0].error}")
    return [p.text for p in predictions], sum(p.usage["completion_tokens"] for p in predictions), seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=64)
    parser.add_argument("--max-new-tokens", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()

    on_gpu = torch.cuda.is_available()
    device = "cuda" if on_gpu else "cpu"
    dtype = "bfloat16" if on_gpu else "float32"
    samples = make_samples(args.n)
    with tempfile.TemporaryDirectory() as tmp:
        path = build(Path(tmp) / "llava", on_gpu)
        model = HFVisionModel(pretrained=str(path), device=device, dtype=dtype, batch_size=args.batch_size,
                              max_new_tokens=args.max_new_tokens)
        n_params = sum(p.numel() for p in model.model.parameters())
        model.generate(samples[:2])  # warm-up: kernels, allocator, processor caches
        anchor_texts, anchor_tokens, anchor_s = one_at_a_time(model, samples)
        adapter_texts, adapter_tokens, adapter_s = batched(model, samples)

    anchor_tps, adapter_tps = anchor_tokens / anchor_s, adapter_tokens / adapter_s
    ratio = adapter_tps / anchor_tps
    agree = sum(a == b for a, b in zip(anchor_texts, adapter_texts))
    where = torch.cuda.get_device_name() if on_gpu else "CPU (tiny model: says nothing about the GPU target)"
    print(f"device: {where}; model: random LLaVA, {n_params / 1e6:,.1f}M parameters, {dtype}")
    print(f"items: {args.n}, greedy, {args.max_new_tokens} new tokens each, batch size {args.batch_size}")
    print(f"anchor (one at a time):   {anchor_tokens} tokens in {anchor_s:.2f} s = {anchor_tps:.1f} tokens/s")
    print(f"hf adapter (batched):     {adapter_tokens} tokens in {adapter_s:.2f} s = {adapter_tps:.1f} tokens/s")
    print(f"ratio: {ratio:.2f}x (target on the GPU: >= {TARGET_RATIO:g}x); identical answers: {agree}/{args.n}")
    return 1 if on_gpu and ratio < TARGET_RATIO else 0


if __name__ == "__main__":
    raise SystemExit(main())
