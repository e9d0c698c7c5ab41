"""`gemeval doctor`: is this environment ready to run a model adapter?

Checks, without loading any weights, what a long model load would otherwise find out late:
the packages the adapter imports and their versions (for ``gem``/``pulse``: which
repository's ``llava`` is importable, since GEM's has the ECG tower and PULSE's has not, and
that transformers is 4.37, the version LLaVA 1.2.2's ``forward`` works with), the weights
folder and its files, GEM's ECG tower file and ECG-CoCa config (and, for the published
config, the MedCPT text model in the Hugging Face cache when offline), the vision tower,
CUDA and the GPU's memory against the weights' size, flash-attn when asked for, and for
``openai`` the key or the server. Each problem comes with its fix; the exit code is 0 when
nothing blocks a run, 2 otherwise.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import sys
from dataclasses import asdict, dataclass
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

from gemeval.models.base import parse_model_args

OK, WARN, PROBLEM = "ok", "warning", "problem"
LLAVA_TRANSFORMERS = "4.37"
HF_MIN_TRANSFORMERS = (4, 45)
MEDCPT = "ncbi/MedCPT-Query-Encoder"


@dataclass
class Check:
    name: str
    status: str
    detail: str
    fix: str | None = None


@dataclass
class Report:
    model: str
    checks: list[Check]

    @property
    def ready(self) -> bool:
        return not any(c.status == PROBLEM for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "ready": self.ready, "checks": [asdict(c) for c in self.checks]}


def _version(package: str) -> str | None:
    try:
        return importlib_metadata.version(package)
    except importlib_metadata.PackageNotFoundError:
        return None


def _release(version: str) -> tuple[int, ...]:
    parts = []
    for piece in version.split(".")[:3]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def _weights_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.glob("*") if p.suffix in (".safetensors", ".bin", ".pt", ".pth"))


def _hf_cached(repo_id: str, filename: str = "config.json") -> bool:
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return False
    found = try_to_load_from_cache(repo_id, filename)
    return isinstance(found, str)


def _offline() -> bool:
    return any(os.environ.get(k, "").lower() in ("1", "true", "yes") for k in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


class Doctor:
    def __init__(self, model: str, args: dict[str, Any]):
        self.model, self.args = model, args
        self.checks: list[Check] = []

    def add(self, name: str, status: str, detail: str, fix: str | None = None) -> None:
        self.checks.append(Check(name, status, detail, fix))

    def run(self) -> Report:
        self.add("python", OK, f"Python {sys.version.split()[0]} at {sys.executable}")
        handler = {"gem": self.llava, "pulse": self.llava, "hf": self.hf, "openai": self.openai}.get(self.model)
        if handler is None:
            self.add("adapter", OK, f"no checks for {self.model!r} beyond the core install")
        else:
            handler()
        return Report(self.model, self.checks)

    # --- torch, CUDA, memory -------------------------------------------------------------
    def torch_and_gpu(self, weights_bytes: int | None, needs_gpu: bool) -> bool:
        if importlib.util.find_spec("torch") is None:
            self.add("torch", PROBLEM, "torch is not installed",
                     "install the torch build for your machine first (https://pytorch.org), then gemeval")
            return False
        import torch

        self.add("torch", OK, f"torch {torch.__version__}")
        device = str(self.args.get("device") or "")
        if device == "cpu":
            self.add("cuda", OK, "device=cpu: no GPU used")
            return True
        if not torch.cuda.is_available():
            status = WARN if needs_gpu else OK
            self.add("cuda", status, f"no CUDA device visible (torch {torch.__version__}, CUDA build: "
                     f"{torch.version.cuda or 'no'}); the model would run on the CPU",
                     "on a GPU machine install a CUDA build of torch; check CUDA_VISIBLE_DEVICES and nvidia-smi"
                     if needs_gpu else None)
            return True
        free, total = torch.cuda.mem_get_info()
        names = ", ".join(torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count()))
        self.add("cuda", OK, f"{torch.cuda.device_count()} GPU(s): {names}; {free / 2**30:.1f} of "
                 f"{total / 2**30:.1f} GiB free on the first")
        if weights_bytes:
            need = weights_bytes * 1.2
            if need > free:
                self.add("gpu memory", PROBLEM if device != "auto" else WARN,
                         f"the weights take {weights_bytes / 2**30:.1f} GiB, about {need / 2**30:.1f} GiB with "
                         f"activations; {free / 2**30:.1f} GiB free",
                         "use device=auto to spread the model over all GPUs, load_8bit/load_4bit (gem, pulse), "
                         "or a GPU with more memory")
            else:
                self.add("gpu memory", OK, f"weights {weights_bytes / 2**30:.1f} GiB, {free / 2**30:.1f} GiB free")
        return True

    def flash_attention(self, wanted: bool) -> None:
        installed = importlib.util.find_spec("flash_attn") is not None
        if wanted and not installed:
            self.add("flash-attn", PROBLEM, "flash attention was asked for but flash_attn is not installed",
                     "pip install flash-attn --no-build-isolation (CUDA only), or leave it off")
        elif wanted:
            self.add("flash-attn", OK, f"flash_attn {_version('flash-attn') or '?'}")
        else:
            self.add("flash-attn", OK, "not asked for" + (" (installed)" if installed else ""))

    # --- weights folder ------------------------------------------------------------------
    def weights_folder(self, key: str = "pretrained", tokenizer_model: bool = False) -> tuple[Path | None, dict]:
        value = self.args.get(key)
        if not value:
            self.add("weights", PROBLEM, f"no {key}= given", f"--model-args {key}=/path/to/checkpoint")
            return None, {}
        folder = Path(str(value)).expanduser()
        if not folder.exists():
            if str(value).startswith((".", "/", "~")):
                self.add("weights", PROBLEM, f"{folder} does not exist",
                         "download the weights first, e.g. huggingface-cli download HUB_ID --local-dir " + str(folder))
                return None, {}
            cached = _hf_cached(str(value))
            self.add("weights", OK if cached else (PROBLEM if _offline() else WARN),
                     f"hub id {value}: " + ("in the Hugging Face cache" if cached else "not in the Hugging Face cache"),
                     None if cached else f"huggingface-cli download {value} (offline runs need it cached)")
            return None, {}
        config_path = folder / "config.json"
        if not config_path.is_file():
            self.add("weights", PROBLEM, f"{folder} has no config.json", "point pretrained= at the checkpoint folder")
            return None, {}
        config = json.loads(config_path.read_text())
        missing = []
        for index in folder.glob("*.index.json"):
            shards = set(json.loads(index.read_text()).get("weight_map", {}).values())
            missing += [s for s in sorted(shards) if not (folder / s).is_file()]
        size = _weights_size(folder)
        if missing:
            self.add("weights", PROBLEM, f"{folder}: shards missing: {', '.join(missing)}",
                     "finish the download (huggingface-cli download resumes)")
        elif not size:
            self.add("weights", PROBLEM, f"{folder} holds no weight files (*.safetensors, *.bin)",
                     "download the weights into it")
        else:
            self.add("weights", OK, f"{folder}: config.json, {size / 2**30:.2f} GiB of weights")
        if tokenizer_model and not (folder / "tokenizer.model").is_file():
            self.add("tokenizer", PROBLEM, f"{folder} has no tokenizer.model; llava's builder loads the slow "
                     "sentencepiece tokenizer (use_fast=False)", "copy tokenizer.model from the original checkpoint")
        return folder, config

    # --- gem / pulse ---------------------------------------------------------------------
    def llava(self) -> None:
        gem = self.model == "gem"
        spec = importlib.util.find_spec("llava")
        if spec is None or not spec.origin:
            install = ("git clone https://github.com/lanxiang1017/GEM and put the folder on PYTHONPATH" if gem else
                       "git clone https://github.com/AIMedLab/PULSE and put PULSE/LLaVA on PYTHONPATH")
            self.add("llava", PROBLEM, "no `llava` package importable",
                     f"{install}, in an environment built as docs/models.md says (bash .ci/llava-env)")
        else:
            self.llava_package(Path(spec.origin).parent, gem)
        transformers = _version("transformers")
        if transformers is None:
            self.add("transformers", PROBLEM, "transformers is not installed", "pip install transformers==4.37.2 tokenizers==0.15.1")
        elif not transformers.startswith(LLAVA_TRANSFORMERS + "."):
            newer = _release(transformers) > _release(LLAVA_TRANSFORMERS + ".99")
            self.add("transformers", PROBLEM,
                     f"transformers {transformers}: LLaVA 1.2.2's code needs 4.37"
                     + (" (later versions fail inside generate: unexpected keyword argument 'cache_position')" if newer else ""),
                     "pip install transformers==4.37.2 tokenizers==0.15.1 in the model's own environment "
                     "(not gemeval's [hf] one; see docs/models.md)")
        else:
            self.add("transformers", OK, f"transformers {transformers}")
        name = str(self.args.get("model_name") or f"llava-{self.model}")
        if "llava" not in name.lower() and not (gem and "gem" in name.lower()):
            self.add("model_name", PROBLEM, f"model_name={name}: llava's builder loads LLaVA classes only for names "
                     "containing 'llava'" + (" or 'gem'" if gem else ""), "leave model_name unset")
        folder, config = self.weights_folder(tokenizer_model=True)
        if folder is not None:
            self.vision_tower(config)
            if gem:
                self.ecg_tower(config)
        weights = _weights_size(folder) if folder is not None else None
        self.torch_and_gpu(weights, needs_gpu=True)
        self.flash_attention(str(self.args.get("use_flash_attn", "")).lower() in ("1", "true", "yes"))

    def llava_package(self, package: Path, gem: bool) -> None:
        arch = package / "model" / "llava_arch.py"
        has_ecg = arch.is_file() and "build_ecg_tower" in arch.read_text(errors="replace")
        which = "GEM's, with the ECG tower" if has_ecg else "one without an ECG tower (PULSE's or upstream LLaVA)"
        if gem and not has_ecg:
            self.add("llava", PROBLEM, f"llava at {package} is {which}",
                     "put GEM's repository first on PYTHONPATH (https://github.com/lanxiang1017/GEM)")
            return
        if not gem and has_ecg:
            self.add("llava", PROBLEM, f"llava at {package} is {which}; its generate needs ecgs=, which PULSE has not",
                     "put PULSE's LLaVA folder (https://github.com/AIMedLab/PULSE) first on PYTHONPATH")
            return
        if gem and importlib.util.find_spec("ecg_coca") is None:
            self.add("llava", PROBLEM, f"llava at {package} is {which}, but `ecg_coca` is not importable",
                     f"put {package.parent} (GEM's repository root, which holds ecg_coca/) on PYTHONPATH")
            return
        try:
            importlib.import_module("llava.model.builder")
        except Exception as exc:  # any import failure blocks the adapter; say which
            self.add("llava", PROBLEM, f"llava at {package} ({which}) does not import: {type(exc).__name__}: {exc}",
                     "install the packages docs/models.md lists (bash .ci/llava-env builds that environment)")
            return
        self.add("llava", OK, f"{package} ({which})")

    def vision_tower(self, config: dict) -> None:
        tower = config.get("mm_vision_tower")
        if not tower:
            self.add("vision tower", PROBLEM, "config.json has no mm_vision_tower", "is this a LLaVA checkpoint?")
        elif Path(tower).exists():
            self.add("vision tower", OK, f"{tower} (local)")
        elif tower.startswith(("/", ".", "~")):
            self.add("vision tower", PROBLEM, f"mm_vision_tower {tower} does not exist",
                     "edit mm_vision_tower in config.json to the CLIP folder or its hub id")
        else:
            cached = _hf_cached(tower)
            self.add("vision tower", OK if cached else (PROBLEM if _offline() else WARN),
                     f"{tower}: {'in' if cached else 'not in'} the Hugging Face cache",
                     None if cached else f"huggingface-cli download {tower}")

    def ecg_tower(self, config: dict) -> None:
        given = self.args.get("ecg_tower")
        tower = given or config.get("mm_ecg_tower")
        where = "ecg_tower=" if given else "config.json mm_ecg_tower"
        if not tower:
            self.add("ecg tower", PROBLEM, "no ECG tower: config.json has no mm_ecg_tower and no ecg_tower= given",
                     "--model-args ecg_tower=/path/to/cpt_ecg_coca.pt (ECG-CoCa: https://github.com/YubaoZhao/ECG-Chat)")
        elif not Path(str(tower)).expanduser().is_file():
            self.add("ecg tower", PROBLEM, f"{tower} (from {where}) does not exist",
                     "download ECG-CoCa (https://github.com/YubaoZhao/ECG-Chat) and pass --model-args "
                     "ecg_tower=/path/to/cpt_ecg_coca.pt")
        else:
            self.add("ecg tower", OK, f"{tower} (from {where})")
        name = str(self.args.get("open_clip_config") or config.get("open_clip_config") or "coca_ViT-B-32")
        path = Path(name).expanduser()
        if name.endswith(".json"):
            if not path.is_file():
                self.add("ecg-coca config", PROBLEM, f"open_clip_config file {path} does not exist",
                         "pass the path of an ECG-CoCa model config (.json)")
                return
            cfg_file = path
        else:
            spec = importlib.util.find_spec("ecg_coca")
            folder = Path(spec.origin).parent / "open_clip" / "model_configs" if spec and spec.origin else None
            found = folder / f"{name}.json" if folder else None
            if found is None or not found.is_file():
                known = sorted(p.stem for p in folder.glob("*.json")) if folder and folder.is_dir() else []
                self.add("ecg-coca config", PROBLEM, f"open_clip_config {name!r} is not one of ecg_coca's configs "
                         f"({', '.join(known) or 'none found'})", "pass open_clip_config=/path/to/CONFIG.json")
                return
            cfg_file = found
        text = json.loads(cfg_file.read_text()).get("text_cfg", {})
        hf_model = text.get("hf_model_name")
        if not hf_model:
            self.add("ecg-coca config", OK, f"{cfg_file} (built-in text tower: nothing to download)")
            return
        cached = _hf_cached(hf_model)
        if cached:
            self.add("ecg-coca config", OK, f"{cfg_file}; its text tower {hf_model} is in the Hugging Face cache")
        else:
            self.add("ecg-coca config", PROBLEM if _offline() else WARN,
                     f"{cfg_file} builds its text tower from {hf_model}, which is not in the Hugging Face cache"
                     + (" and HF_HUB_OFFLINE is set: loading will fail" if _offline() else ": loading downloads it"),
                     f"huggingface-cli download {hf_model} (once, with network)")

    # --- hf ------------------------------------------------------------------------------
    def hf(self) -> None:
        transformers = _version("transformers")
        if transformers is None:
            self.add("transformers", PROBLEM, "transformers is not installed", "pip install 'gemeval[hf]'")
        elif _release(transformers)[:2] < HF_MIN_TRANSFORMERS:
            self.add("transformers", PROBLEM, f"transformers {transformers}: the hf adapter needs >= 4.45 "
                     "(AutoModelForImageTextToText)", "pip install 'gemeval[hf]' (outside GEM's/PULSE's environment)")
        else:
            self.add("transformers", OK, f"transformers {transformers}")
        accelerate = _version("accelerate")
        self.add("accelerate", OK if accelerate else WARN, f"accelerate {accelerate}" if accelerate else
                 "accelerate is not installed (device=auto and accelerate launch need it)",
                 None if accelerate else "pip install 'gemeval[hf]'")
        folder, config = self.weights_folder()
        model_type = str(config.get("model_type", ""))
        if folder is not None and model_type.startswith(("qwen2_vl", "qwen2_5_vl")):
            tv = importlib.util.find_spec("torchvision") is not None
            self.add("torchvision", OK if tv else PROBLEM,
                     "torchvision installed" if tv else f"{model_type} processors need torchvision",
                     None if tv else "pip install torchvision (the build matching your torch)")
        weights = _weights_size(folder) if folder is not None else None
        self.torch_and_gpu(weights, needs_gpu=bool(weights and weights > 2**30))
        self.flash_attention(self.args.get("attn_implementation") == "flash_attention_2")

    # --- openai --------------------------------------------------------------------------
    def openai(self) -> None:
        version = _version("openai")
        self.add("openai", OK if version else PROBLEM, f"openai {version}" if version else "openai is not installed",
                 None if version else "pip install 'gemeval[judge]'")
        model = self.args.get("model")
        if not model:
            self.add("model", PROBLEM, "no model= given", "--model-args model=NAME")
        base_url = self.args.get("base_url")
        key_env = str(self.args.get("api_key_env") or "OPENAI_API_KEY")
        if not base_url:
            has_key = bool(os.environ.get(key_env))
            self.add("api key", OK if has_key else PROBLEM, f"${key_env} is {'set' if has_key else 'not set'}",
                     None if has_key else f"export {key_env}=...")
            return
        self.server(str(base_url).rstrip("/"), str(model or ""), key_env)

    def server(self, base_url: str, model: str, key_env: str) -> None:
        import urllib.error
        import urllib.request

        request = urllib.request.Request(f"{base_url}/models")
        if os.environ.get(key_env):
            request.add_header("Authorization", f"Bearer {os.environ[key_env]}")
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                listed = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            self.add("server", WARN, f"{base_url} answers, but not its model list (HTTP {exc.code} on /models)")
            return
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            self.add("server", PROBLEM, f"{base_url} does not answer ({reason})",
                     "start the server first, e.g. vllm serve MODEL --port 8000 (see docs/models.md)")
            return
        served = [str(m.get("id")) for m in listed.get("data", []) if isinstance(m, dict)]
        if model and served and model not in served:
            self.add("server", PROBLEM, f"{base_url} serves {', '.join(served)}, not {model}",
                     f"use model={served[0]}, or serve {model}")
        else:
            self.add("server", OK, f"{base_url} serves {', '.join(served) or 'an unlisted set of models'}")


def diagnose(model: str, model_args: str | dict[str, Any] | None = None) -> Report:
    """Check the environment for ``model`` with ``model_args`` (no weights are loaded)."""
    args = parse_model_args(model_args) if isinstance(model_args, str) else dict(model_args or {})
    return Doctor(model, args).run()
