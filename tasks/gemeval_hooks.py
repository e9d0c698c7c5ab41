"""lm-eval hooks of the gemeval tasks (named by ``!function gemeval_hooks.*`` in
``_gemeval_base.yaml``): gemeval's data in, gemeval's scorers out.

* ``load_docs`` (lm-eval's ``custom_dataset``): the task's Samples from
  ``gemeval.data.load_dataset`` (the task file is the ``config_source`` lm-eval passes in
  the metadata, or the task whose metadata it received), as a ``datasets.Dataset`` of
  small rows: id, group, prompt, reference.
  The Samples themselves stay in this process, keyed by task file and id, for the image
  and the scoring; a row can rebuild them from its ``data_options``.
* ``doc_to_text``: lm-eval's ``<image>`` placeholder, then the prompt. ``doc_to_image``:
  the dataset's ECG image, or the page rendered from the signal (100 dpi), as one PIL image.
* ``process_results``: the task's gemeval scorers on the answer; each of the task's
  lm-eval metrics (its non-judge headline metrics) gets the sample's per-sample fields.
* ``aggregate``: the scorer's own ``aggregate`` over all samples (macro F1 and AUC are not
  means of per-sample values, so lm-eval's ``mean`` would be wrong), its point value.

Data options come from lm-eval's ``--metadata`` JSON: ``data_dir``, ``data_file``,
``synthetic_n``, ``seed`` (``GEMEVAL_DATA`` is honoured as in ``gemeval run``).
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from gemeval.data import DataOptions, load_dataset
from gemeval.metrics.registry import build_scorers
from gemeval.sample import Prediction, Sample
from gemeval.tasks import TaskSpec, list_tasks, load_task

IMAGE_PLACEHOLDER = "<image>"
IMAGE_DPI = 100
AGGREGATE_RESAMPLES = 100  # lm-eval shows no CI from a custom aggregation; the value needs none
_DATA_KEYS = ("data_dir", "data_file", "synthetic_n", "seed")

_tasks: dict[str, TaskSpec] = {}
_samples: dict[tuple[str, str], dict[str, Sample]] = {}
_scorers: dict[str, list[Any]] = {}
_aggregates: dict[tuple[str, tuple[str, ...]], dict[str, Any]] = {}


def _options(values: dict[str, Any]) -> DataOptions:
    kwargs: dict[str, Any] = {}
    for key in ("data_dir", "data_file"):
        if values.get(key):
            kwargs[key] = Path(values[key])
    if values.get("synthetic_n") is not None:
        kwargs["synthetic_n"] = int(values["synthetic_n"])
    if values.get("seed") is not None:
        kwargs["seed"] = int(values["seed"])
    return DataOptions.from_env(**kwargs)


def _task(task_file: str) -> TaskSpec:
    if task_file not in _tasks:
        _tasks[task_file] = load_task(task_file)
    return _tasks[task_file]


def _load(task_file: str, data_options: dict[str, Any]) -> dict[str, Sample]:
    key = (task_file, json.dumps(data_options, sort_keys=True, default=str))
    if key not in _samples:
        dataset = load_dataset(_task(task_file), _options(data_options))
        _samples[key] = {s.id: s for s in dataset.samples}
    return _samples[key]


def _reference_text(reference: dict[str, Any]) -> str:
    for key in ("text", "answer"):
        if reference.get(key):
            return str(reference[key])
    if reference.get("labels"):
        return ", ".join(map(str, reference["labels"]))
    return json.dumps(reference, sort_keys=True, default=str)


def _task_file(metadata: dict[str, Any]) -> str:
    """The task's YAML: lm-eval's ``config_source``, else (older lm-eval) the gemeval task
    whose whole ``metadata`` section is in ``metadata``."""
    source = metadata.get("config_source")
    if source and Path(source).is_file():
        return str(source)
    for task in list_tasks():
        if all(metadata.get(key) == value for key, value in task.options.items()):
            return str(task.path)
    raise ValueError(
        "gemeval_hooks.load_docs: lm-eval passed neither the task file (metadata config_source) nor the "
        "metadata of a gemeval task; run the gemeval tasks with lm_eval --include_path tasks"
    )


def load_docs(**metadata: Any):
    """lm-eval's ``custom_dataset``: ``{"test": Dataset}`` of the task's samples."""
    import datasets

    task_file = _task_file(metadata)
    data_options = {k: metadata[k] for k in _DATA_KEYS if metadata.get(k) is not None}
    samples = _load(task_file, data_options)
    rows = [{
        "id": s.id, "group": s.group, "prompt": s.prompt, "task_file": task_file,
        "reference": json.dumps(s.reference, sort_keys=True, default=str),
        "data_options": json.dumps(data_options, sort_keys=True, default=str),
    } for s in samples.values()]
    return {"test": datasets.Dataset.from_list(rows)}


def _sample(doc: dict[str, Any]) -> Sample:
    samples = _load(doc["task_file"], json.loads(doc["data_options"]))
    if doc["id"] not in samples:
        raise KeyError(f"{doc['task_file']}: sample {doc['id']!r} is not in the loaded data; rerun lm_eval")
    return samples[doc["id"]]


def doc_to_text(doc: dict[str, Any]) -> str:
    return IMAGE_PLACEHOLDER + doc["prompt"]


def doc_to_image(doc: dict[str, Any]) -> list:
    from PIL import Image

    image = Image.open(io.BytesIO(_sample(doc).load_image_png(dpi=IMAGE_DPI)))
    return [image.convert("RGB")]


def doc_to_target(doc: dict[str, Any]) -> str:
    return _reference_text(json.loads(doc["reference"]))


def _task_scorers(task_file: str) -> list[Any]:
    if task_file not in _scorers:
        _scorers[task_file] = build_scorers(_task(task_file))
    return _scorers[task_file]


def lm_eval_metrics(task: TaskSpec) -> list[str]:
    """The task's metrics under lm-eval: its headline metrics, less the judge's."""
    return [m for m in task.headline if not m.startswith("judge.")]


def process_results(doc: dict[str, Any], results: list[str]) -> dict[str, dict[str, Any]]:
    sample = _sample(doc)
    prediction = Prediction(sample.id, results[0] if results else None,
                            error=None if results else "no answer from lm-eval")
    fields: dict[str, Any] = {}
    for scorer in _task_scorers(doc["task_file"]):
        fields.update(scorer.score(sample, prediction))
    item = {"task_file": doc["task_file"], "id": sample.id, "group": sample.group, "fields": fields}
    return {metric: {**item, "metric": metric} for metric in lm_eval_metrics(_task(doc["task_file"]))}


def aggregate(items: list[dict[str, Any]]) -> float:
    """The point value of ``items[0]["metric"]`` from the task's scorers' own aggregation."""
    if not items:
        return float("nan")
    task_file, metric = items[0]["task_file"], items[0]["metric"]
    key = (task_file, tuple(item["id"] for item in items))
    if key not in _aggregates:
        rows = [item["fields"] for item in items]
        groups = [item["group"] for item in items]
        merged: dict[str, Any] = {}
        for scorer in _task_scorers(task_file):
            merged.update(scorer.aggregate(rows, groups, seed=0, n_resamples=AGGREGATE_RESAMPLES))
        _aggregates[key] = merged
    value = _aggregates[key].get(metric, {}).get("value")
    return float("nan") if value is None else float(value)
