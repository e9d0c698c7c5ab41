"""Tiny random GEM and PULSE checkpoints, built with the models' own classes.

Runs in the llava environment (``.ci/llava-env``) with GEM's or PULSE's repository on the
path (``import llava`` finds whichever is there). Each builder writes a checkpoint folder
that ``llava.model.builder.load_pretrained_model`` loads the way it loads the published
weights, with nothing downloaded:

* ``tokenizer.model``: a sentencepiece BPE trained in memory on ECG sentences (byte
  fallback, so any text encodes), saved as the slow Llama tokenizer the builder asks for;
* ``vision_tower/``: a tiny ``CLIPVisionModel`` (28 px, 14 px patches) and its
  ``CLIPImageProcessor``; the checkpoint's ``mm_vision_tower`` names the folder;
* GEM only, ``ecg_coca.pt`` + ``coca_tiny.json``: an ECG-CoCa built by ``ecg_coca``'s own
  factory from a one-layer config (the ECG width stays 768, which GEM's ECG projector
  expects; the text tower is open_clip's built-in one, so nothing comes from the Hugging
  Face hub), saved as ``{"state_dict": {"module.<key>": tensor}}``, the layout
  ``get_ecg_encoder`` loads (it keeps the ``module.ecg.`` keys);
* the language model: ``LlavaLlamaForCausalLM`` (Llama 64 wide, 2 layers) with an MLP
  projector, LLaVA-NeXT any-resolution tiling (``spatial_unpad``), as GEM and PULSE use.

``size="bench"`` gives the language model and vision tower a realistic shape (Llama
2048 x 16 layers, 32k vocabulary, CLIP ViT-B/14 at 336 px: about 1.2B parameters) for
``benchmarks/gpu_generate.py``.

    python tests/llava_models.py gem|pulse FOLDER [--size tiny|bench]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tiny_models import CORPUS  # noqa: E402

THIRD_PARTY = (Path(__file__).resolve().parents[2] / "shared" / "third_party").resolve()


def llava_family() -> str | None:
    """"gem" when GEM's llava (with ecg_coca) is importable, "pulse" for PULSE's, else None."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("llava")
    except (ImportError, ValueError):
        spec = None
    if spec is None:
        return None
    return "gem" if importlib.util.find_spec("ecg_coca") is not None else "pulse"


def skip_reason() -> str | None:
    """Why the llava tests cannot run in this process, or None when they can."""
    if not THIRD_PARTY.is_dir():
        return f"GEM's and PULSE's code not found at {THIRD_PARTY} (the llava tests read it from there)"
    try:
        import transformers
    except ImportError:
        transformers = None
    if llava_family() is None or transformers is None or not transformers.__version__.startswith("4.37."):
        return ("runs in the llava environment: bash .ci/llava-tests (or bash .ci/llava-env, then "
                f"PYTHONPATH=.:{THIRD_PARTY}/GEM ~/.cache/gemeval/venv-llava/bin/python -m pytest "
                "tests/test_llava_adapters.py)")
    return None


TOKENIZER_VOCAB = 600
ECG_CONFIG_NAME = "coca_tiny"
ECG_CONFIG = {
    "embed_dim": 32,
    "ecg_cfg": {"seq_length": 5000, "lead_num": 12, "layers": 1, "width": 768, "head_width": 64,
                "patch_size": 50, "output_tokens": True},
    "text_cfg": {"context_length": 16, "vocab_size": 512, "width": 32, "heads": 2, "layers": 1,
                 "output_tokens": True},
    "multimodal_cfg": {"context_length": 16, "vocab_size": 512, "width": 32, "heads": 2, "layers": 1},
    "custom_text": True,
}
SIZES = {
    "tiny": {"llama": dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                           num_key_value_heads=2),
             "clip": dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                          image_size=28, patch_size=14, projection_dim=32),
             "vocab": None},
    "bench": {"llama": dict(hidden_size=2048, intermediate_size=5632, num_hidden_layers=16,
                            num_attention_heads=16, num_key_value_heads=16),
              "clip": dict(hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12,
                           image_size=336, patch_size=14, projection_dim=768),
              "vocab": 32000},
}


def _sentences() -> list[str]:
    """ECG vocabulary and the prompts of gemeval's tasks, so prompts tokenise compactly."""
    lines = list(CORPUS)
    root = Path(__file__).resolve().parents[1] / "tasks"
    for path in sorted(root.glob("*.yaml")):
        lines.extend(line.strip() for line in path.read_text().splitlines() if len(line.strip()) > 20)
    return lines


def build_tokenizer(folder: Path) -> None:
    """A sentencepiece Llama tokenizer (unk 0, bos 1, eos 2), trained offline in a second."""
    import io

    import sentencepiece as spm
    from transformers import LlamaTokenizer

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(_sentences() * 3), model_writer=model, vocab_size=TOKENIZER_VOCAB,
        model_type="bpe", byte_fallback=True, hard_vocab_limit=False, unk_id=0, bos_id=1, eos_id=2,
        pad_id=-1, character_coverage=1.0, minloglevel=2,
    )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tokenizer.model").write_bytes(model.getvalue())
    LlamaTokenizer(vocab_file=str(folder / "tokenizer.model")).save_pretrained(folder)


def build_vision_tower(folder: Path, size: str) -> Path:
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModel

    config = CLIPVisionConfig(**SIZES[size]["clip"])
    side = config.image_size
    CLIPVisionModel(config).save_pretrained(folder)
    CLIPImageProcessor(size={"shortest_edge": side}, crop_size={"height": side, "width": side}).save_pretrained(folder)
    return folder


def build_ecg_tower(folder: Path, layers: int = 1) -> tuple[Path, Path]:
    """(checkpoint, open_clip config file) of an ECG-CoCa with ``layers`` ECG transformer
    layers (the published one has 12), made by ecg_coca itself."""
    import torch
    from ecg_coca.open_clip import add_model_config, create_model

    config_path = folder / f"{ECG_CONFIG_NAME}.json"
    config = json.loads(json.dumps(ECG_CONFIG))
    config["ecg_cfg"]["layers"] = layers
    config_path.write_text(json.dumps(config, indent=2))
    add_model_config(config_path)
    coca = create_model(ECG_CONFIG_NAME, "", precision="fp32", device="cpu")
    checkpoint = folder / "ecg_coca.pt"
    torch.save({"state_dict": {f"module.{k}": v for k, v in coca.state_dict().items()}}, checkpoint)
    return checkpoint, config_path


def build(folder: Path, family: str, size: str = "tiny", seed: int = 0) -> Path:
    """Write a GEM (``family="gem"``) or PULSE checkpoint to ``folder`` and return it."""
    import torch
    from llava.model.language_model.llava_llama import LlavaConfig, LlavaLlamaForCausalLM
    from transformers import LlamaTokenizer

    if family not in ("gem", "pulse"):
        raise ValueError(f"family must be gem or pulse, got {family!r}")
    torch.manual_seed(seed)
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    build_tokenizer(folder)
    tokenizer = LlamaTokenizer.from_pretrained(folder)
    vision = build_vision_tower(folder / "vision_tower", size)
    shape = SIZES[size]
    side = shape["clip"]["image_size"]
    mm: dict = {
        "mm_vision_tower": str(vision), "mm_vision_select_layer": -2, "mm_vision_select_feature": "patch",
        "mm_hidden_size": shape["clip"]["hidden_size"], "mm_projector_type": "mlp2x_gelu",
        "image_aspect_ratio": "anyres", "mm_patch_merge_type": "spatial_unpad",
        "image_grid_pinpoints": [[side, side], [side, 2 * side], [2 * side, side], [2 * side, 2 * side]],
        "mm_use_im_start_end": False, "mm_use_im_patch_token": False,
        "tokenizer_padding_side": "right", "tokenizer_model_max_length": 4096, "use_mm_proj": True,
    }
    if family == "gem":
        checkpoint, _config_path = build_ecg_tower(folder, layers=12 if size == "bench" else 1)
        mm.update(mm_ecg_tower=str(checkpoint), open_clip_config=ECG_CONFIG_NAME, ecg_projector_type="linear")
    config = LlavaConfig(
        vocab_size=shape["vocab"] or len(tokenizer), max_position_embeddings=4096,
        bos_token_id=1, eos_token_id=2, pad_token_id=None, torch_dtype="float16", **shape["llama"], **mm,
    )
    model = LlavaLlamaForCausalLM(config).eval()
    # LLaVA leaves the any-resolution row separator uninitialised (torch.empty)
    with torch.no_grad():
        model.get_model().image_newline.normal_(std=0.02)
    model.generation_config.pad_token_id = None
    model.save_pretrained(folder, safe_serialization=True)
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description="Build a tiny GEM or PULSE checkpoint.")
    parser.add_argument("family", choices=("gem", "pulse"))
    parser.add_argument("folder", type=Path)
    parser.add_argument("--size", choices=tuple(SIZES), default="tiny")
    args = parser.parse_args()
    print(build(args.folder, args.family, args.size))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
