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
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from gemeval.resources import resource_dir
from gemeval.errors import InputError

KINDS = ("grounded", "multilabel", "mcq", "qa", "report", "arena")


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


def _parse(path: Path) -> TaskSpec:
    raw = _read_yaml(path)
    meta = raw.get("metadata") or {}
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


def task_files(directory: Path | None = None) -> list[Path]:
    folder = directory or resource_dir("tasks")
    return sorted(p for p in folder.glob("*.yaml") if not p.name.startswith("_"))


def list_tasks(directory: Path | None = None) -> list[TaskSpec]:
    return [_parse(p) for p in task_files(directory)]


def load_task(name_or_path: str, directory: Path | None = None) -> TaskSpec:
    """A task by name or alias (from tasks/) or by the path of a YAML file."""
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") and candidate.is_file():
        return _parse(candidate)
    for path in task_files(directory):
        spec = _parse(path)
        if name_or_path == spec.name or name_or_path in spec.options.get("aliases", ()):
            return spec
    known = ", ".join(t.name for t in list_tasks(directory))
    raise TaskError(f"unknown task {name_or_path!r}; known tasks: {known} (see `gemeval tasks`)")
