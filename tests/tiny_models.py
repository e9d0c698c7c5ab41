"""Tiny random-weight vision-language models, built offline from configs.

Each builder writes a complete checkpoint (weights, config, tokenizer, image processor,
chat template) to a folder and returns the folder, so the ``hf`` adapter and lm-eval's
``hf-multimodal`` load it exactly as they load a hub model, with nothing downloaded.

The tokenizer is a byte-level BPE trained in memory on a few sentences of ECG vocabulary:
any text encodes without unknown tokens, and the vocabulary stays a few hundred entries,
which keeps each checkpoint under a megabyte. The image processors are the PIL-backed
ones, since torchvision is not a dependency.

``size="bench"`` builds a LLaVA of about 1B parameters for ``benchmarks/gpu_generate.py``.
"""

from __future__ import annotations

from pathlib import Path

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import PreTrainedTokenizerFast

CORPUS = [
    "Interpret this 12-lead ECG. Sinus rhythm at 72 bpm, PR 160 ms, QRS 92 ms, QT 380 ms.",
    "Right bundle branch block with QRS 140 ms; ST elevation 0.2 mV in V2 and V3.",
    "Atrial fibrillation, left axis deviation -45 degrees, T wave inversion in aVL.",
    "Which of the following diagnostic classes apply? NORM MI STTC CD HYP. Answer A B C D.",
    "The evidence: heart rate, intervals, axis and the findings in each lead I II III aVR aVF V1 V6.",
]

LLAVA_TEMPLATE = (
    "{% for message in messages %}"
    "{% if message['role'] == 'user' %}USER: {% else %}ASSISTANT: {% endif %}"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for item in message['content'] %}"
    "{% if item['type'] == 'image' %}<image>\n{% else %}{{ item['text'] }}{% endif %}"
    "{% endfor %}{% endif %}"
    "{% if message['role'] == 'user' %} {% else %}</s>{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}ASSISTANT:{% endif %}"
)

QWEN_TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for item in message['content'] %}"
    "{% if item['type'] == 'image' %}<|vision_start|><|image_pad|><|vision_end|>"
    "{% else %}{{ item['text'] }}{% endif %}"
    "{% endfor %}{% endif %}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)

LLAVA_SPECIALS = ["<unk>", "<s>", "</s>", "<pad>", "<image>"]
QWEN_SPECIALS = [
    "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|vision_start|>", "<|vision_end|>",
    "<|image_pad|>", "<|video_pad|>",
]


def build_tokenizer(specials: list[str], vocab_size: int = 400, **named_specials: str) -> PreTrainedTokenizerFast:
    """A byte-level BPE tokenizer with ``specials`` as special tokens (ids 0..len-1)."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False,
    )
    tok.train_from_iterator(CORPUS * 4, trainer=trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tok, **named_specials)


def llama_text_config(vocab_size: int, size: str):
    from transformers import LlamaConfig

    if size == "bench":
        return LlamaConfig(
            vocab_size=vocab_size, hidden_size=2048, intermediate_size=5632, num_hidden_layers=16,
            num_attention_heads=16, num_key_value_heads=16, max_position_embeddings=4096,
            bos_token_id=1, eos_token_id=2, pad_token_id=3,
        )
    return LlamaConfig(
        vocab_size=vocab_size, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=2048,
        bos_token_id=1, eos_token_id=2, pad_token_id=3,
    )


def clip_vision_config(size: str):
    from transformers import CLIPVisionConfig

    if size == "bench":
        return CLIPVisionConfig(
            hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12,
            image_size=336, patch_size=14, projection_dim=768,
        )
    return CLIPVisionConfig(
        hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
        image_size=28, patch_size=14, projection_dim=32,
    )


def llava_tokenizer() -> PreTrainedTokenizerFast:
    return build_tokenizer(
        LLAVA_SPECIALS, unk_token="<unk>", bos_token="<s>", eos_token="</s>", pad_token="<pad>",
    )


def _save(model, processor, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    processor.save_pretrained(folder)
    return folder


def build_llava(folder: Path, size: str = "tiny", seed: int = 0) -> Path:
    """A LLaVA-1.5-architecture checkpoint (CLIP tower, MLP projector, Llama LM).

    ``size="bench"`` has a 32,000-entry output vocabulary like Vicuna's; ids past the small
    tokenizer's decode to nothing, which costs a benchmark nothing."""
    import torch
    from transformers import (
        CLIPImageProcessorPil, LlavaConfig, LlavaForConditionalGeneration, LlavaProcessor,
    )

    torch.manual_seed(seed)
    tokenizer = llava_tokenizer()
    vision = clip_vision_config(size)
    config = LlavaConfig(
        vision_config=vision,
        text_config=llama_text_config(32000 if size == "bench" else len(tokenizer), size),
        image_token_index=tokenizer.convert_tokens_to_ids("<image>"),
        vision_feature_select_strategy="default", vision_feature_layer=-2,
        pad_token_id=tokenizer.pad_token_id,
    )
    model = LlavaForConditionalGeneration(config).eval()
    side = vision.image_size
    image_processor = CLIPImageProcessorPil(
        size={"shortest_edge": side}, crop_size={"height": side, "width": side},
    )
    processor = LlavaProcessor(
        image_processor=image_processor, tokenizer=tokenizer, patch_size=vision.patch_size,
        vision_feature_select_strategy="default", num_additional_image_tokens=1,
        chat_template=LLAVA_TEMPLATE,
    )
    return _save(model, processor, folder)


def build_llava_next(folder: Path, seed: int = 0) -> Path:
    """A LLaVA-NeXT (any-resolution tiling) checkpoint: image token count varies with size."""
    import torch
    from transformers import (
        LlavaNextConfig, LlavaNextForConditionalGeneration, LlavaNextImageProcessorPil,
        LlavaNextProcessor,
    )

    torch.manual_seed(seed)
    tokenizer = llava_tokenizer()
    vision = clip_vision_config("tiny")
    pinpoints = [[28, 28], [28, 56], [56, 28], [56, 56]]
    config = LlavaNextConfig(
        vision_config=vision, text_config=llama_text_config(len(tokenizer), "tiny"),
        image_token_index=tokenizer.convert_tokens_to_ids("<image>"),
        image_grid_pinpoints=pinpoints, vision_feature_select_strategy="default",
        vision_feature_layer=-2, pad_token_id=tokenizer.pad_token_id,
    )
    model = LlavaNextForConditionalGeneration(config).eval()
    image_processor = LlavaNextImageProcessorPil(
        size={"shortest_edge": 28}, crop_size={"height": 28, "width": 28},
        image_grid_pinpoints=pinpoints,
    )
    processor = LlavaNextProcessor(
        image_processor=image_processor, tokenizer=tokenizer, patch_size=14,
        vision_feature_select_strategy="default", num_additional_image_tokens=1,
        chat_template=LLAVA_TEMPLATE,
    )
    return _save(model, processor, folder)


def build_qwen2_vl(folder: Path, seed: int = 0) -> Path:
    """A Qwen2-VL checkpoint (native-resolution patches merged 2x2, M-RoPE)."""
    import torch
    from transformers import Qwen2VLConfig, Qwen2VLForConditionalGeneration, Qwen2VLImageProcessorPil

    torch.manual_seed(seed)
    tokenizer = build_tokenizer(QWEN_SPECIALS, eos_token="<|im_end|>", pad_token="<|endoftext|>")
    ids = {name: tokenizer.convert_tokens_to_ids(name) for name in QWEN_SPECIALS}
    config = Qwen2VLConfig(
        text_config={
            "vocab_size": len(tokenizer), "hidden_size": 64, "intermediate_size": 128,
            "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
            "max_position_embeddings": 2048, "rope_parameters": {
                "rope_type": "default", "rope_theta": 10000.0, "mrope_section": [2, 3, 3],
            },
            "bos_token_id": ids["<|endoftext|>"], "eos_token_id": ids["<|im_end|>"],
            "pad_token_id": ids["<|endoftext|>"],
        },
        vision_config={
            "depth": 1, "embed_dim": 32, "hidden_size": 64, "num_heads": 2, "mlp_ratio": 2,
            "patch_size": 14, "spatial_merge_size": 2, "temporal_patch_size": 2,
        },
        image_token_id=ids["<|image_pad|>"], video_token_id=ids["<|video_pad|>"],
        vision_start_token_id=ids["<|vision_start|>"], vision_end_token_id=ids["<|vision_end|>"],
    )
    model = Qwen2VLForConditionalGeneration(config).eval()
    image_processor = Qwen2VLImageProcessorPil(
        min_pixels=56 * 56, max_pixels=112 * 112, patch_size=14, merge_size=2, temporal_patch_size=2,
    )
    # Saved as parts, the layout of the hub's Qwen2-VL checkpoints (no processor or video
    # processor file): transformers builds a Qwen2-VL processor object only together with
    # its video processor, which needs torchvision, and AutoProcessor assembles the parts.
    tokenizer.chat_template = QWEN_TEMPLATE
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    image_processor.save_pretrained(folder)
    return folder


def has_torchvision() -> bool:
    """Whether transformers can build Qwen2-VL processors here."""
    try:
        import torchvision  # noqa: F401
    except ImportError:
        return False
    return True


BUILDERS = {"llava": build_llava, "llava-next": build_llava_next, "qwen2-vl": build_qwen2_vl}
