"""The task files under lm-eval itself: ``lm_eval run --include_path tasks --tasks ...`` on the
synthetic set, scored by gemeval's scorers through tasks/gemeval_hooks.py.

The model is lm-eval's ``local-chat-completions`` backend talking to a real HTTP server on
127.0.0.1 that answers every question the same way, so the scores are not trivial and can
be recomputed here with gemeval's scorers from the answers lm-eval logged.
"""

from __future__ import annotations

import base64
import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import SMALL_SYNTHETIC_N
from openai_server import Reply, chat_completion, openai_server  # noqa: F401
from PIL import Image

from gemeval.data import DataOptions, load_dataset
from gemeval.metrics.registry import build_scorers
from gemeval.sample import Prediction
from gemeval.tasks import list_tasks, load_task

ROOT = Path(__file__).resolve().parents[1]
TASKS = ROOT / "tasks"
sys.path.insert(0, str(TASKS))
import gemeval_hooks  # noqa: E402

ANSWER = ("Sinus rhythm at 75 bpm. PR interval 160 ms, QRS duration 96 ms, QT 400 ms, "
          "QRS axis 60 degrees. No ST elevation. Diagnosis: NORM, normal ECG.")
LIMIT = 3


def _declared_metrics() -> dict[str, bool]:
    base = yaml.load((TASKS / "_gemeval_base.yaml").read_text(), Loader=yaml.BaseLoader)
    return {m["metric"]: m["higher_is_better"] == "true" for m in base["metric_list"]}


def test_every_tasks_lm_eval_metrics_are_declared_in_the_base_file():
    declared = _declared_metrics()
    for task in list_tasks():
        missing = set(gemeval_hooks.lm_eval_metrics(task)) - set(declared)
        assert not missing, f"{task.path}: add {sorted(missing)} to tasks/_gemeval_base.yaml metric_list"


def test_lm_eval_indexes_every_gemeval_task():
    from lm_eval.tasks import TaskManager

    manager = TaskManager(include_path=str(TASKS), include_defaults=False)
    assert {t.name for t in list_tasks()} <= set(manager.all_tasks)


def _nan_equal(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def test_lm_eval_cli_runs_tasks_and_scores_them_with_gemeval(openai_server, tmp_path):  # noqa: F811
    openai_server.handler = lambda request: Reply(body=chat_completion(ANSWER))
    tasks = ["ptbxl-super", "grounded"]
    options = DataOptions(synthetic_n=SMALL_SYNTHETIC_N)
    datasets = {name: load_dataset(load_task(name), options) for name in tasks}  # built once, before lm-eval
    out = tmp_path / "lm-eval-out"
    command = [
        sys.executable, "-m", "lm_eval", "run", "--model", "local-chat-completions",
        "--model_args", f"base_url={openai_server.url}/chat/completions,model=served-vlm",
        "--include_path", str(TASKS), "--tasks", ",".join(tasks), "--limit", str(LIMIT),
        "--apply_chat_template", "--metadata", json.dumps({"synthetic_n": SMALL_SYNTHETIC_N}),
        "--output_path", str(out), "--log_samples",
    ]
    done = subprocess.run(command, cwd=tmp_path, env=dict(os.environ), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]

    [results_file] = out.rglob("results_*.json")
    results = json.loads(results_file.read_text())["results"]
    declared = _declared_metrics()
    for name in tasks:
        task = load_task(name)
        [samples_file] = out.rglob(f"samples_{name}_*.jsonl")
        logged = [json.loads(line) for line in samples_file.read_text().splitlines()]
        by_id = {s.id: s for s in datasets[name].samples}
        samples = [by_id[row["doc"]["id"]] for row in logged]
        assert [s.id for s in samples] == [s.id for s in datasets[name].samples[:LIMIT]]
        assert all(row["resps"] == [[ANSWER]] for row in logged)

        rows = []
        for sample in samples:
            fields = {}
            for scorer in build_scorers(task):
                fields.update(scorer.score(sample, Prediction(sample.id, ANSWER)))
            rows.append(fields)
        expected = {}
        for scorer in build_scorers(task):
            expected.update(scorer.aggregate(rows, [s.group for s in samples], n_resamples=10))
        for metric in gemeval_hooks.lm_eval_metrics(task):
            assert _nan_equal(results[name][f"{metric},none"], expected[metric]["value"]), (name, metric)
            assert declared[metric] == expected[metric]["higher_is_better"], metric

    assert results["grounded"]["grounding.claim_precision,none"] > 0  # the answer's numbers were checked
    assert len(openai_server.chat_requests) == LIMIT * len(tasks)
    user = openai_server.chat_requests[0].json["messages"][-1]["content"]
    image = next(part for part in user if part["type"] == "image_url")
    page = Image.open(io.BytesIO(base64.b64decode(image["image_url"]["url"].split(",", 1)[1])))
    first = datasets["ptbxl-super"].samples[0]
    assert page.size == Image.open(io.BytesIO(first.load_image_png())).size
    # lm-eval's API backends keep the placeholder in the text beside the image part.
    assert next(part for part in user if part["type"] == "text")["text"] == "<image>" + first.prompt


def test_hooks_find_the_task_and_rebuild_samples_from_a_row_alone():
    task_file = str(load_task("ptbxl-super").path)
    docs = gemeval_hooks.load_docs(config_source=task_file, synthetic_n=SMALL_SYNTHETIC_N, pretrained="ignored")
    row = docs["test"][0]
    gemeval_hooks._samples.clear()  # as in a fresh process: the row alone must suffice
    [image] = gemeval_hooks.doc_to_image(row)
    assert image.mode == "RGB"
    assert gemeval_hooks.doc_to_text(row) == "<image>" + row["prompt"]
    scored = gemeval_hooks.process_results(row, ["NORM"])
    assert set(scored) == set(gemeval_hooks.lm_eval_metrics(load_task("ptbxl-super")))
    without_source = gemeval_hooks.load_docs(**load_task("csn").options, synthetic_n=SMALL_SYNTHETIC_N)
    assert without_source["test"][0]["task_file"] == str(load_task("csn").path)
    with pytest.raises(ValueError, match="config_source"):
        gemeval_hooks.load_docs(synthetic_n=SMALL_SYNTHETIC_N)
