"""Task files: one YAML per task in ``tasks/``, in lm-eval's task-config format.

lm-eval reads the top-level keys (``task``, ``output_type``, ``doc_to_text`` ...); it keeps
``metadata`` as an opaque dict, so everything gemeval needs beyond lm-eval's keys lives in
``metadata`` and the same file runs under ``lm_eval --include_path tasks``.

    metadata:
      version: 1
      kind: grounded | multilabel | mcq | qa | report | arena
      description: what the task measures, one sentence
      modalities: [signal, image]     # what a model may read
      sources: [grounding-mimic]      # data sources, tried in order (gemeval data list)
      label_space: ptbxl-super        # multilabel / extraction vocabulary
      published_n: 2082               # size of the published test set (runs say if they differ)
      scorers: [grounding]            # gemeval.metrics scorers, by name
      judge: grounding                # rubric in judges/, or absent
      headline: [grounding.claim_precision]
      prompt: "..."                   # instruction used with the synthetic set

Unknown keys are refused with the closest valid one (``scorer:`` -> did you mean
``scorers``?), at the top level (lm-eval's task keys) and under ``metadata`` (gemeval's,
listed in ``METADATA_KEYS``); a plug-in's own settings go under ``metadata.extra``.

Tasks are found in gemeval's ``tasks/`` folder and in the folders plug-ins declare under the
``gemeval.tasks`` entry point (a package whose folder holds task files, or
``module:attr`` naming the folder); a task name given by two folders is refused.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from gemeval.errors import InputError
from gemeval.registry import Registry, RegistryError, package_dir, resolve
from gemeval.resources import resource_dir

KINDS = ("grounded", "multilabel", "mcq", "qa", "report", "arena")

TOP_LEVEL_KEYS = frozenset({
    # lm-eval's TaskConfig fields, and `include`, which its loader resolves
    "task", "task_alias", "tag", "group", "custom_dataset", "dataset_path", "dataset_name", "dataset_kwargs",
    "training_split", "validation_split", "test_split", "fewshot_split", "process_docs", "doc_to_text",
    "doc_to_target", "doc_to_image", "doc_to_audio", "unsafe_code", "doc_to_choice", "process_results",
    "use_prompt", "description", "target_delimiter", "fewshot_delimiter", "fewshot_config", "num_fewshot",
    "metric_list", "output_type", "generation_kwargs", "repeats", "filter_list", "should_decontaminate",
    "doc_to_decontamination_query", "gen_prefix", "metadata", "include",
})
METADATA_KEYS = frozenset({
    "version", "kind", "description", "modalities", "sources", "label_space", "published_n", "scorers",
    "judge", "headline", "prompt", "aliases", "n_options", "ecgbench_subset", "ecgbench_files",
    "ecgbench_records", "physionet_prefixes", "ptbxl_folds", "extra",
})
"""gemeval's keys under ``metadata``: the stages read these and nothing else (plug-ins: ``extra``)."""


class TaskError(InputError):
    """A task that does not exist or whose file is malformed; the message says the fix."""


class _TaskLoader(yaml.SafeLoader):
    """Safe YAML that keeps lm-eval's ``!function module.name`` tags as plain strings."""


def _function_tag(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    return f"!function {loader.construct_scalar(node)}"


_TaskLoader.add_constructor("!function", _function_tag)


@dataclass(frozen=True)
class TaskSpec:
    name: str
    version: int
    kind: str
    description: str
    modalities: tuple[str, ...]
    sources: tuple[str, ...]
    label_space: str | None
    scorers: tuple[str, ...]
    judge: str | None
    headline: tuple[str, ...]
    prompt: str | None
    generation: dict[str, Any]
    path: Path
    sha256: str
    raw: dict[str, Any] = field(repr=False, hash=False, compare=False)

    @property
    def options(self) -> dict[str, Any]:
        """The whole gemeval section of the file, for scorers and loaders with extra keys."""
        return dict(self.raw.get("metadata") or {})


def _read_yaml(path: Path) -> dict[str, Any]:
    """The file's mapping with lm-eval's ``include:`` resolved (the file's keys win)."""
    try:
        raw = yaml.load(path.read_text(), Loader=_TaskLoader) or {}
    except yaml.YAMLError as exc:
        raise TaskError(f"{path}: not valid YAML ({' '.join(str(exc).split())})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TaskError(f"{path}: cannot read it ({type(exc).__name__}: {exc})") from None
    if not isinstance(raw, dict):
        raise TaskError(f"{path}: expected a mapping of task keys (task:, metadata:), got {type(raw).__name__}")
    if not isinstance(raw.get("metadata") or {}, dict):
        raise TaskError(f"{path}: `metadata:` must be a mapping")
    base_name = raw.pop("include", None)
    if base_name is None:
        return raw
    if not isinstance(base_name, str) or not base_name:
        raise TaskError(f"{path}: `include:` must name one YAML file next to it, got {base_name!r}")
    base_path = path.parent / base_name
    if not base_path.is_file():
        raise TaskError(f"{path}: `include: {base_name}` not found next to it")
    merged = _read_yaml(base_path)
    base_meta = merged.get("metadata") or {}
    merged.update(raw)
    merged["metadata"] = {**base_meta, **(raw.get("metadata") or {})}
    return merged


def _check_keys(path: Path, keys: Any, known: frozenset[str], where: str) -> None:
    """TaskError naming the first unknown key and the closest known one."""
    for key in keys:
        if key in known:
            continue
        close = difflib.get_close_matches(str(key), sorted(known), n=1, cutoff=0.6)
        hint = f"did you mean `{close[0]}`?" if close else f"known keys: {', '.join(sorted(known))}"
        raise TaskError(f"{path}: unknown key `{where}{key}`; {hint}")


def _parse(path: Path) -> TaskSpec:
    raw = _read_yaml(path)
    meta = raw.get("metadata") or {}
    _check_keys(path, raw, TOP_LEVEL_KEYS, "")
    if not isinstance(meta, dict):
        raise TaskError(f"{path}: `metadata` must be a mapping of gemeval's task keys")
    _check_keys(path, meta, METADATA_KEYS, "metadata.")
    name = raw.get("task")
    if not name or not isinstance(name, (str, int)) or isinstance(name, bool):
        raise TaskError(f"{path}: missing `task:` (the task's name, a string), got {name!r}")
    kind = meta.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        raise TaskError(f"{path}: metadata.kind must be one of {', '.join(KINDS)}, got {kind!r}")
    version = meta.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int):
        raise TaskError(f"{path}: metadata.version must be an integer, got {version!r}")
    for key in ("modalities", "sources", "scorers", "headline"):
        if not isinstance(meta.get(key) or [], list) or not all(isinstance(v, str) for v in meta.get(key) or []):
            raise TaskError(f"{path}: metadata.{key} must be a list of names, got {meta.get(key)!r}")
    for key in ("label_space", "judge", "prompt", "description"):
        if meta.get(key) is not None and not isinstance(meta.get(key), str):
            raise TaskError(f"{path}: metadata.{key} must be text, got {meta.get(key)!r}")
    if not isinstance(raw.get("generation_kwargs") or {}, dict):
        raise TaskError(f"{path}: `generation_kwargs:` must be a mapping")
    return TaskSpec(
        name=str(name),
        version=version,
        kind=kind,
        description=str(meta.get("description", "")),
        modalities=tuple(meta.get("modalities") or ("image",)),
        sources=tuple(meta.get("sources") or ()),
        label_space=meta.get("label_space"),
        scorers=tuple(meta.get("scorers") or ()),
        judge=meta.get("judge"),
        headline=tuple(meta.get("headline") or ()),
        prompt=meta.get("prompt"),
        generation=dict(raw.get("generation_kwargs") or {}),
        path=path,
        sha256=hashlib.sha256(json.dumps(raw, sort_keys=True, default=str).encode()).hexdigest(),
        raw=raw,
    )


@dataclass(frozen=True)
class TaskFolder:
    """A folder of task files: gemeval's own (``target`` None) or a plug-in's (a package,
    whose folder holds the files, or ``module:attr`` naming the folder)."""

    name: str
    target: str | None

    def path(self) -> Path:
        if self.target is None:
            return resource_dir("tasks")
        if ":" in self.target:
            return Path(resolve(self.target, f"task folder {self.name!r}"))
        folder = package_dir(self.target)
        if folder is None:
            raise RegistryError(f"task folder {self.name!r}: {self.target!r} is not an installed package")
        return folder


TASK_FOLDERS: Registry[TaskFolder] = Registry(
    "task folder", "gemeval.tasks", None, lambda name, target, dist: TaskFolder(name, target),
)
TASK_FOLDERS.add("gemeval", TaskFolder("gemeval", None))


def task_files(directory: Path | None = None) -> list[Path]:
    """The task files of ``directory``, or of every task folder (gemeval's first)."""
    folders = [directory] if directory else [folder.path() for folder in TASK_FOLDERS.values()]
    return [p for folder in folders for p in sorted(folder.glob("*.yaml")) if not p.name.startswith("_")]


def list_tasks(directory: Path | None = None) -> list[TaskSpec]:
    """Every task; TaskError when two files give the same task name."""
    specs = [_parse(p) for p in task_files(directory)]
    seen: dict[str, Path] = {}
    for spec in specs:
        if spec.name in seen:
            raise TaskError(f"task {spec.name!r} is defined twice: {seen[spec.name]} and {spec.path}; rename one")
        seen[spec.name] = spec.path
    return specs


def load_task(name_or_path: str, directory: Path | None = None) -> TaskSpec:
    """A task by name or alias (from tasks/) or by the path of a YAML file."""
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") and candidate.is_file():
        return _parse(candidate)
    specs = list_tasks(directory)
    for spec in specs:
        if name_or_path == spec.name or name_or_path in spec.options.get("aliases", ()):
            return spec
    known = ", ".join(t.name for t in specs)
    raise TaskError(f"unknown task {name_or_path!r}; known tasks: {known} (see `gemeval tasks`)")
