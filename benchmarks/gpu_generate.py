"""Generation throughput: an adapter's batched path against a one-at-a-time loop like GEM's
evaluation script, on the same model, prompts and inputs, in one run.

``--model hf`` (default; gemeval's main environment): the ``hf`` adapter on a random-weight
LLaVA built from a config (tests/tiny_models.py): on CUDA the ~1B-parameter ``bench`` size
(Llama 2048 x 16 layers, 32k vocabulary, CLIP ViT-B/14 at 336 px) in bfloat16; the anchor
calls the processor and ``generate`` per item.

``--model gem`` (the llava environment, GEM's repository on ``PYTHONPATH``; see
docs/models.md): the ``gem`` adapter on a random-weight GEM built with GEM's own classes
(tests/llava_models.py): on CUDA the ``bench`` shape (the same Llama and CLIP, any-resolution
tiling, a 12-layer ECG-CoCa tower 768 wide: about 1.1B parameters) in float16, as llava's
builder loads it; the anchor is GEM's ``llava/eval/model_ecg_resume.py`` loop: per question
``tokenizer_image_token``, ``process_images`` of one image, the 12 x 5,000 signal, and
``model.generate(input_ids, ecgs=..., images=..., image_sizes=...)``.

Without a GPU, or with ``--tiny``, both use their tiny models (float32 for hf, float16 for
GEM), so the script runs anywhere; a CPU figure says nothing about the GPU target. End of
sequence is disabled, so every item generates exactly ``--max-new-tokens`` and the tokens per
second compare like for like.

Items: ``--n`` (64) synthetic ECGs (signal and rendered 12-lead page) with the task prompts
in turn (grounded, ptbxl-super, csn, ptbxl-report), greedy.

Prints tokens/s of both, the ratio (target: at least 4x on the GPU), how many answers agree
(greedy answers may differ in the last bits of half precision between batch shapes) and, on
CUDA, the peak GPU memory of each. The exit code is 1 when a CUDA run misses the target.

    python benchmarks/gpu_generate.py [--model hf|gem] [--n 64] [--max-new-tokens 128] [--batch-size 32] [--tiny]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import torch  # noqa: E402

from gemeval.ecg.render import render_png  # noqa: E402
from gemeval.ecg.synth import synthesize  # noqa: E402
from gemeval.models.hf import completion_lengths  # noqa: E402
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
                              record=record, image_png=render_png(record, dpi=100)))
    return samples


def build(folder: Path, full_size: bool) -> Path:
    import tiny_models
    from transformers import GenerationConfig

    path = tiny_models.build_llava(folder, size="bench" if full_size else "tiny")
    config = GenerationConfig.from_pretrained(path)
    config.eos_token_id = None  # every item generates exactly max_new_tokens
    config.save_pretrained(path)
    return path


def one_at_a_time(model, samples: list[Sample]) -> tuple[list[str], int, float]:
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


def batched(model, samples: list[Sample]) -> tuple[list[str], int, float]:
    start = time.perf_counter()
    predictions = model.generate(samples)
    if model.model.device.type == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    failed = [p for p in predictions if not p.ok]
    if failed:
        raise SystemExit(f"adapter failed on {len(failed)} items, first: {failed[0].error}")
    return [p.text for p in predictions], sum(p.usage["completion_tokens"] for p in predictions), seconds


def gem_one_at_a_time(model, samples: list[Sample]) -> tuple[list[str], int, float]:
    """GEM's ``model_ecg_resume.py`` loop: one question per ``generate`` call, with its image
    and its signal, nothing batched."""
    from llava.constants import DEFAULT_IMAGE_TOKEN, IMAGE_TOKEN_INDEX
    from llava.conversation import conv_templates
    from llava.mm_utils import process_images, tokenizer_image_token

    from gemeval.models.gem_inputs import gem_signal

    network, tokenizer = model.model, model.tokenizer
    texts, tokens = [], 0
    start = time.perf_counter()
    for sample in samples:
        conv = conv_templates["llava_v1"].copy()
        conv.append_message(conv.roles[0], DEFAULT_IMAGE_TOKEN + "\n" + sample.prompt)
        conv.append_message(conv.roles[1], None)
        input_ids = tokenizer_image_token(conv.get_prompt(), tokenizer, IMAGE_TOKEN_INDEX,
                                          return_tensors="pt").unsqueeze(0).to(network.device)
        image, _ = load_image(sample, model.image_dpi)
        image_tensor = process_images([image], model.image_processor, network.config)[0]
        ecg = torch.from_numpy(gem_signal(sample)[0]).half()  # wfdb.rdsamp, NaN -> 0, 12 x 5000
        with torch.inference_mode():
            output_ids = network.generate(
                input_ids, ecgs=ecg, images=image_tensor.unsqueeze(0).half().to(network.device),
                image_sizes=[image.size], do_sample=False, temperature=0, top_p=None, num_beams=1,
                max_new_tokens=model.max_new_tokens, use_cache=True)
        # transformers 4.37 returns the start token before the new ones
        new = output_ids[:, 1:] if output_ids.shape[1] > model.max_new_tokens else output_ids
        tokens += new.shape[1]
        texts.append(tokenizer.batch_decode(new, skip_special_tokens=True)[0].strip())
    if network.device.type == "cuda":
        torch.cuda.synchronize()
    return texts, tokens, time.perf_counter() - start


def load_hf(folder: Path, full_size: bool, on_gpu: bool, args):
    from gemeval.models.hf import HFVisionModel

    path = build(folder / "llava", full_size)
    dtype = "bfloat16" if on_gpu else "float32"
    model = HFVisionModel(pretrained=str(path), device="cuda" if on_gpu else "cpu", dtype=dtype,
                          batch_size=args.batch_size, max_new_tokens=args.max_new_tokens)
    return model, dtype, "random LLaVA", one_at_a_time


def load_gem(folder: Path, full_size: bool, on_gpu: bool, args):
    import llava_models

    from gemeval.models.llava import GEMModel

    path = llava_models.build(folder / "gem", "gem", size="bench" if full_size else "tiny")
    model = GEMModel(pretrained=str(path), open_clip_config=str(path / f"{llava_models.ECG_CONFIG_NAME}.json"),
                     device="cuda" if on_gpu else "cpu", batch_size=args.batch_size,
                     max_new_tokens=args.max_new_tokens)
    model.model.generation_config.eos_token_id = None  # every item generates exactly max_new_tokens
    model.eos_ids = set()
    return model, "float16", "random GEM (GEM's own classes)", gem_one_at_a_time


def timed(run, model, samples, on_gpu: bool) -> tuple[list[str], int, float, float | None]:
    if on_gpu:
        torch.cuda.reset_peak_memory_stats()
    texts, tokens, seconds = run(model, samples)
    peak = torch.cuda.max_memory_allocated() / 2**30 if on_gpu else None
    return texts, tokens, seconds, peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", choices=("hf", "gem"), default="hf")
    parser.add_argument("--n", type=int, default=64)
    parser.add_argument("--max-new-tokens", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--tiny", action="store_true", help="the tiny model even on a GPU (a quick check)")
    args = parser.parse_args()

    on_gpu = torch.cuda.is_available()
    full_size = on_gpu and not args.tiny
    samples = make_samples(args.n)
    with tempfile.TemporaryDirectory() as tmp:
        load = load_gem if args.model == "gem" else load_hf
        model, dtype, what, anchor = load(Path(tmp), full_size, on_gpu, args)
        n_params = sum(p.numel() for p in model.model.parameters())
        model.generate(samples[:2])  # warm-up: kernels, allocator, processor caches
        anchor_texts, anchor_tokens, anchor_s, anchor_peak = timed(anchor, model, samples, on_gpu)
        adapter_texts, adapter_tokens, adapter_s, adapter_peak = timed(batched, model, samples, on_gpu)

    anchor_tps, adapter_tps = anchor_tokens / anchor_s, adapter_tokens / adapter_s
    ratio = adapter_tps / anchor_tps
    agree = sum(a == b for a, b in zip(anchor_texts, adapter_texts))
    where = torch.cuda.get_device_name() if on_gpu else "CPU (tiny model: says nothing about the GPU target)"
    if on_gpu and args.tiny:
        where += " (tiny model: says nothing about the GPU target)"
    print(f"device: {where}; model: {what}, {n_params / 1e6:,.1f}M parameters, {dtype}")
    print(f"items: {args.n}, greedy, {args.max_new_tokens} new tokens each, batch size {args.batch_size}")
    def memory(peak: float | None) -> str:
        return f", peak GPU memory {peak:.2f} GiB" if peak is not None else ""

    print(f"anchor (one at a time):   {anchor_tokens} tokens in {anchor_s:.2f} s = {anchor_tps:.1f} tokens/s"
          f"{memory(anchor_peak)}")
    print(f"{args.model} adapter (batched): {adapter_tokens} tokens in {adapter_s:.2f} s = {adapter_tps:.1f} tokens/s"
          f"{memory(adapter_peak)}")
    print(f"ratio: {ratio:.2f}x (target on the GPU: >= {TARGET_RATIO:g}x); identical answers: {agree}/{args.n}")
    return 1 if full_size and ratio < TARGET_RATIO else 0


if __name__ == "__main__":
    raise SystemExit(main())
