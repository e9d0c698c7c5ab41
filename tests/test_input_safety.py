"""Outside input never reaches further than it should: media paths stay inside the data
root, a named data folder that cannot serve is an error, ids and answer lines are read as
written and what is odd about them is said on screen."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from gemeval.data import DataOptions, load_dataset
from gemeval.ecg.io import write_record
from gemeval.ecg.synth import synthesize
from gemeval.tasks import load_task

TESTS_DIR = Path(__file__).resolve().parent

CSN_QUESTION = ("What is the rhythm? Options: A. Sinus bradycardia B. Atrial fibrillation C. Sinus rhythm "
                "D. Atrial flutter E. Sinus tachycardia F. Right bundle branch block G. LBBB H. PVC")


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS_DIR.parent), str(TESTS_DIR)]), "COLUMNS": "200",
            **(env or {})}
    return subprocess.run([sys.executable, "-m", "gemeval", *args], capture_output=True, text=True, env=full,
                          timeout=300)


def png(shade: int = 100) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), (shade, 40, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def item(item_id, image=None, ecg=None, answer="B"):
    out = {"id": item_id, "conversations": [{"from": "human", "value": f"<image>\n{CSN_QUESTION}"},
                                            {"from": "gpt", "value": answer}]}
    if image is not None:
        out["image"] = image
    if ecg is not None:
        out["ecg"] = ecg
    return out


# -- media paths stay inside the data root ------------------------------------------------


@pytest.fixture
def outside(tmp_path):
    """A PNG and a WFDB record outside the data root, and the data root beside them."""
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "private.png").write_bytes(png(7))
    record, _ = synthesize("rbbb", seed=1, record_id="private")
    write_record(record, secret)
    data = tmp_path / "data" / "bench"
    (data / "images").mkdir(parents=True)
    (data / "images" / "ok.png").write_bytes(png(1))
    return secret, data


def test_media_paths_outside_the_data_root_refuse_the_item(outside):
    secret, data = outside
    os.symlink(secret / "private.png", data / "images" / "link.png")
    os.symlink(secret, data / "images" / "linkdir")
    items = [
        item("ok", image="ok.png"),
        item("dotdot", image="../../../secret/private.png"),
        item("absolute", image=str(secret / "private.png")),
        item("symlink", image="link.png"),
        item("symlinked-folder", image="linkdir/private.png"),
        item("record-dotdot", ecg="../../secret/private"),
        item("record-absolute", ecg=str(secret / "private")),
    ]
    (data / "csn-test-no-cot.json").write_text(json.dumps(items))
    dataset = load_dataset(load_task("csn"), DataOptions(data_dir=data))
    assert [s.id for s in dataset.samples] == ["ok"]
    problems = {p.item_id: p.problem for p in dataset.problems}
    assert set(problems) == {"dotdot", "absolute", "symlink", "symlinked-folder", "record-dotdot", "record-absolute"}
    assert all("outside the data root" in why for why in problems.values()), problems
    assert str(data) in problems["dotdot"]
    for sample in dataset.samples:
        assert str(secret) not in (sample.image_path or "") + (sample.record_path or "")


def test_with_data_file_only_the_files_folder_is_the_root(outside):
    _secret, data = outside
    items = [item("ok", image="images/ok.png"), item("escape", image="../../secret/private.png")]
    path = data / "csn-test-no-cot.json"
    path.write_text(json.dumps(items))
    dataset = load_dataset(load_task("csn"), DataOptions(data_file=path))
    assert [s.id for s in dataset.samples] == ["ok"]
    assert "outside the data root" in dataset.problems[0].problem and dataset.problems[0].item_id == "escape"


def test_a_media_name_no_file_can_have_refuses_the_item_with_the_fix(outside):
    _secret, data = outside
    items = [item("ok", image="images/ok.png"), item("nul-image", image="images/\x00.png"),
             item("nul-record", ecg="rec\x00ord")]
    path = data / "csn-test-no-cot.json"
    path.write_text(json.dumps(items))
    dataset = load_dataset(load_task("csn"), DataOptions(data_file=path))
    assert [s.id for s in dataset.samples] == ["ok"]
    problems = {p.item_id: p.problem for p in dataset.problems}
    assert set(problems) == {"nul-image", "nul-record"}
    assert all("NUL byte" in why and "Fix the item" in why for why in problems.values()), problems


def test_grounding_record_and_image_outside_the_root_are_refused(outside):
    _secret, data = outside
    grounding = data / "ECG-Grounding"
    (grounding / "ecg_jsons").mkdir(parents=True)
    (grounding / "ecg_images").mkdir()
    (grounding / "ecg_images" / "a.png").write_bytes(png(3))
    conversation = [{"from": "human", "value": "<image>\nInterpret."}, {"from": "gpt", "value": "Sinus rhythm."}]
    items = [{"id": "ok", "ecg": "", "image": "a.png", "conversations": conversation},
             {"id": "escape", "ecg": "../../../../secret/private", "image": "../../../../secret/private.png",
              "conversations": conversation}]
    (grounding / "ecg_jsons" / "ecg-grounding-test-mimiciv.json").write_text(json.dumps(items))
    dataset = load_dataset(load_task("grounded"), DataOptions(data_dir=grounding))
    assert [s.id for s in dataset.samples] == ["ok"]
    assert [p.item_id for p in dataset.problems] == ["escape"]
    assert "outside the data root" in dataset.problems[0].problem


def test_a_run_goes_on_past_a_refused_item(outside, tmp_path):
    _secret, data = outside
    items = [item("ok", image="ok.png"), item("dotdot", image="../../../secret/private.png")]
    (data / "csn-test-no-cot.json").write_text(json.dumps(items))
    answers = tmp_path / "answers.jsonl"
    answers.write_text(json.dumps({"id": "ok", "text": "B"}) + "\n")
    proc = cli("run", "--model", "predictions", "--model-args", f"path={answers}", "--task", "csn",
               "--data-dir", str(data), "--out", str(tmp_path / "runs"), "-q")
    assert proc.returncode == 0, proc.stderr
    assert "1 malformed items skipped" in proc.stdout or "1 items skipped" in proc.stdout
    config = json.loads(next((tmp_path / "runs").rglob("config.json")).read_text())
    assert config["data"]["skipped_items"][0]["id"] == "dotdot"
    assert "outside the data root" in config["data"]["skipped_items"][0]["problem"]


# -- ids and answer lines as written ------------------------------------------------------------


def test_an_integer_id_zero_is_kept_and_matched(tmp_path):
    data = tmp_path / "data"
    (data / "images").mkdir(parents=True)
    (data / "images" / "a.png").write_bytes(png())
    items = [item(0, image="a.png"), item(1, image="a.png", answer="C")]
    (data / "csn-test-no-cot.json").write_text(json.dumps(items))
    dataset = load_dataset(load_task("csn"), DataOptions(data_dir=data))
    assert [s.id for s in dataset.samples] == ["0", "1"]
    answers = tmp_path / "answers.jsonl"
    answers.write_text(json.dumps({"id": 0, "text": "B"}) + "\n" + json.dumps({"id": 1, "text": "C"}) + "\n")
    from gemeval.run import evaluate

    result = evaluate("predictions", "csn", model_args={"path": str(answers)}, data_dir=data, out_dir=tmp_path / "runs")
    assert result.metrics["mcq.accuracy"]["value"] == 1.0 and result.results["n_errors"] == 0


def test_grounding_id_zero_is_kept(tmp_path):
    root = tmp_path / "ECG-Grounding" / "ecg_jsons"
    root.mkdir(parents=True)
    conversation = [{"from": "human", "value": "<image>\nInterpret."}, {"from": "gpt", "value": "Sinus rhythm."}]
    (root / "ecg-grounding-test-mimiciv.json").write_text(json.dumps([
        {"id": 0, "ecg": "", "image": "x.png", "conversations": conversation}]))
    dataset = load_dataset(load_task("grounded"), DataOptions(data_dir=tmp_path / "ECG-Grounding"))
    assert [s.id for s in dataset.samples] == ["0"]


def test_odd_answer_lines_are_said_on_screen(tmp_path):
    data = tmp_path / "data"
    (data / "images").mkdir(parents=True)
    (data / "images" / "a.png").write_bytes(png())
    (data / "csn-test-no-cot.json").write_text(json.dumps([item(f"q{i}", image="a.png") for i in range(4)]))
    answers = tmp_path / "answers.jsonl"
    answers.write_bytes(b"\n".join([
        json.dumps({"id": "q0", "text": "A"}).encode(),
        json.dumps({"id": "q0", "text": "B"}).encode(),
        b"this is not json",
        json.dumps({"id": "q1", "text": "B"}).encode()[:-2] + b"\xff\xfe\"}",
        json.dumps({"id": "q2", "text": "B"}).encode(),
    ]) + b"\n")
    proc = cli("run", "--model", "predictions", "--model-args", f"path={answers}", "--task", "csn",
               "--data-dir", str(data), "--out", str(tmp_path / "runs"), "-q")
    assert proc.returncode == 0, proc.stderr
    screen = " ".join((proc.stdout + proc.stderr).split())
    assert "1 duplicate id" in screen and "q0" in screen
    assert "2 unreadable" in screen and "line 3" in screen and "line 4" in screen and "not UTF-8" in screen
    assert "2 samples have no answer" in screen and "(q1, q3)" in screen
    config = json.loads(next((tmp_path / "runs").rglob("config.json")).read_text())
    described = config["model"]["describe"]
    assert described["n_unreadable"] == 2 and described["duplicate_ids"] == ["q0"]
