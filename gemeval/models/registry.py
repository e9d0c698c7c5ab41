"""Every adapter gemeval knows, with what it needs. Modules are imported only when used."""

from gemeval.models.base import AdapterInfo, register

register(AdapterInfo(
    name="measure",
    target="gemeval.models.measure:MeasureModel",
    summary="CPU baseline: measures the signal and writes a rule-based grounded interpretation",
    needs="nothing beyond the core install",
    modalities=("signal",),
))
register(AdapterInfo(
    name="predictions",
    target="gemeval.models.predictions:PredictionsModel",
    summary="precomputed outputs: GEM/PULSE answer files or a gemeval samples.jsonl (path=FILE)",
    needs="an answers file: --model-args path=FILE",
    modalities=("both", "image", "signal"),
))
register(AdapterInfo(
    name="openai",
    target="gemeval.models.openai_chat:OpenAIChatModel",
    summary="any OpenAI-compatible chat server (OpenAI, vLLM, Ollama): image + prompt, or signal as text",
    needs="pip install 'gemeval[judge]'; --model-args model=NAME[,base_url=URL]; key in OPENAI_API_KEY",
    modalities=("image", "signal"),
))
register(AdapterInfo(
    name="hf",
    target="gemeval.models.hf:HFVisionModel",
    summary="transformers image-text-to-text models with their chat template, batched",
    needs="torch and pip install 'gemeval[hf]' (Qwen2-VL-style processors also need torchvision); "
          "--model-args pretrained=PATH_OR_HUB_ID",
    modalities=("image",),
))
register(AdapterInfo(
    name="gem",
    target="gemeval.models.llava:GEMModel",
    summary="GEM (LLaVA + ECG-CoCa signal tower): image and 12x5000 signal",
    needs="torch and the `llava` + `ecg_coca` packages of the GEM repository (docs/models.md); "
          "--model-args pretrained=PATH,ecg_tower=PATH",
    modalities=("both", "image", "signal"),
))
register(AdapterInfo(
    name="pulse",
    target="gemeval.models.llava:PULSEModel",
    summary="PULSE (LLaVA-architecture ECG image model)",
    needs="torch and the `llava` package of the PULSE repository (docs/models.md); --model-args pretrained=PATH",
    modalities=("image",),
))
register(AdapterInfo(
    name="lm-eval",
    target="gemeval.models.lm_eval_bridge:LMEvalModel",
    summary="any lm-eval model backend (hf-multimodal, vllm-vlm, local-chat-completions; text backends "
            "with --modality signal) via generate_until",
    needs="pip install 'gemeval[lm-eval]' (API backends: 'lm-eval[api]'); --model-args backend=NAME,<backend args>",
    modalities=("image", "signal"),
))
