"""A run's identity covers the content of every input that determines its results, so a
rerun after an input changed never reports the old numbers; and no secret reaches a
recorded URL."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from conftest import SMALL_SYNTHETIC_N
from gemeval import store
from gemeval.data import DataOptions, load_dataset
from gemeval.run import evaluate
from gemeval.tasks import load_task


@pytest.fixture(scope="module")
def csn_ids():
    dataset = load_dataset(load_task("csn"), DataOptions(synthetic_n=SMALL_SYNTHETIC_N))
    return [(s.id, s.reference["answer"]) for s in dataset.samples]


def _answers(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text("".join(json.dumps({"question_id": i, "text": text}) + "\n" for i, text in rows))
    return path


def test_a_rewritten_predictions_file_is_scored_again(tmp_path, csn_ids):
    answers = _answers(tmp_path / "answers.jsonl", [(i, gold) for i, gold in csn_ids])
    first = evaluate("predictions", "csn", model_args={"path": str(answers)}, out_dir=tmp_path / "runs",
                     synthetic_n=SMALL_SYNTHETIC_N)
    assert first.metrics["mcq.accuracy"]["value"] == 1.0
    wrong = {"A": "B"}
    _answers(answers, [(i, wrong.get(gold, "A")) for i, gold in csn_ids])
    second = evaluate("predictions", "csn", model_args={"path": str(answers)}, out_dir=tmp_path / "runs",
                      synthetic_n=SMALL_SYNTHETIC_N)
    assert second.resumed == 0 and second.computed == len(csn_ids)
    assert second.metrics["mcq.accuracy"]["value"] == 0.0
    assert second.run_dir != first.run_dir
    assert store.read_config(second.run_dir)["model"]["describe"]["sha256"] != \
        store.read_config(first.run_dir)["model"]["describe"]["sha256"]
    # the first run's numbers stay where they were
    assert store.read_results(first.run_dir)["metrics"]["mcq.accuracy"]["value"] == 1.0


def test_the_same_answers_at_another_path_resume_the_same_run(tmp_path, csn_ids):
    a = _answers(tmp_path / "a.jsonl", [(i, gold) for i, gold in csn_ids])
    first = evaluate("predictions", "csn", model_args={"path": str(a), "label": "m"}, out_dir=tmp_path / "runs",
                     synthetic_n=SMALL_SYNTHETIC_N, limit=4)
    b = tmp_path / "copy" / "a.jsonl"
    b.parent.mkdir()
    b.write_bytes(a.read_bytes())
    again = evaluate("predictions", "csn", model_args={"path": str(b), "label": "m"}, out_dir=tmp_path / "runs",
                     synthetic_n=SMALL_SYNTHETIC_N, limit=4)
    assert again.run_dir == first.run_dir and again.resumed == 4


def _png(shade: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), (shade, 40, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


CSN_QUESTION = ("What is the rhythm? Options: A. Sinus bradycardia B. Atrial fibrillation C. Sinus rhythm "
                "D. Atrial flutter E. Sinus tachycardia F. Right bundle branch block G. LBBB H. PVC")


def _csn_json(folder: Path, answer: str = "B") -> Path:
    (folder / "images").mkdir(parents=True, exist_ok=True)
    items = []
    for i in range(3):
        (folder / "images" / f"e{i}.png").write_bytes(_png(10 * i))
        items.append({"id": f"csn-{i}", "image": f"e{i}.png", "conversations": [
            {"from": "human", "value": f"<image>\n{CSN_QUESTION}"}, {"from": "gpt", "value": answer}]})
    path = folder / "csn-test-no-cot.json"
    path.write_text(json.dumps(items))
    return path


def test_a_changed_image_or_data_file_makes_a_new_run(tmp_path):
    data = tmp_path / "data"
    _csn_json(data)
    answers = _answers(tmp_path / "answers.jsonl", [(f"csn-{i}", "B") for i in range(3)])
    args = {"path": str(answers)}
    first = evaluate("predictions", "csn", model_args=args, out_dir=tmp_path / "runs", data_dir=data)
    assert first.computed == 3
    described = store.read_config(first.run_dir)["data"]
    assert len(described["content_sha256"]) == 64

    # same ids, prompts and answers; one image now shows another ECG
    (data / "images" / "e1.png").write_bytes(_png(250))
    second = evaluate("predictions", "csn", model_args=args, out_dir=tmp_path / "runs", data_dir=data)
    assert second.run_dir != first.run_dir and second.resumed == 0

    # unchanged inputs: the same run, nothing recomputed
    third = evaluate("predictions", "csn", model_args=args, out_dir=tmp_path / "runs", data_dir=data)
    assert third.run_dir == second.run_dir and third.computed == 0

    # the data file itself changes in a field the samples do not show (formatting)
    path = data / "csn-test-no-cot.json"
    path.write_text(json.dumps(json.loads(path.read_text()), indent=2))
    fourth = evaluate("predictions", "csn", model_args=args, out_dir=tmp_path / "runs", data_dir=data)
    assert fourth.run_dir != third.run_dir


def test_an_explicit_run_dir_with_other_inputs_is_refused(tmp_path, csn_ids):
    from gemeval.run import RunError

    answers = _answers(tmp_path / "answers.jsonl", [(i, gold) for i, gold in csn_ids])
    run_dir = tmp_path / "run"
    evaluate("predictions", "csn", model_args={"path": str(answers)}, run_dir=run_dir, synthetic_n=SMALL_SYNTHETIC_N)
    _answers(answers, [(i, "A") for i, _ in csn_ids])
    with pytest.raises(RunError, match="different configuration"):
        evaluate("predictions", "csn", model_args={"path": str(answers)}, run_dir=run_dir,
                 synthetic_n=SMALL_SYNTHETIC_N)


# -- credentials in URLs --------------------------------------------------------------------

SECRET = "sk-url-secret-NEVER-WRITTEN-4471"


def test_a_key_inside_a_url_is_never_recorded(tmp_path):
    import os
    import subprocess
    import sys

    from openai_server import OpenAIServer, Reply, chat_completion

    with OpenAIServer(handler=lambda request: Reply(body=chat_completion("B"))) as server:
        host = server.url.split("://", 1)[1]
        url = f"http://user:{SECRET}@{host}?api_key={SECRET}"
        tests = Path(__file__).resolve().parent
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tests.parent), str(tests)]),
               "OPENAI_API_KEY": "placeholder"}
        proc = subprocess.run(
            [sys.executable, "-m", "gemeval", "run", "--model", "openai", "--model-args", f"model=m,base_url={url}",
             "--modality", "signal", "--task", "csn", "--limit", "2", "--synthetic-n", str(SMALL_SYNTHETIC_N),
             "--out", str(tmp_path / "runs"), "-q", "--judge", "j", "--judge-base-url", url],
            capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    written = [p for p in (tmp_path / "runs").rglob("*") if p.is_file()]
    assert written
    for path in written:
        assert SECRET not in path.read_text(errors="ignore"), f"credential written to {path}"
    assert SECRET not in proc.stdout + proc.stderr
    config = json.loads(next((tmp_path / "runs").rglob("config.json")).read_text())
    assert config["model"]["args"]["base_url"].startswith("http://<redacted>@127.0.0.1")
    assert SECRET not in config["command"] and "<redacted>" in config["command"]


def test_redaction_keeps_urls_without_credentials():
    from gemeval.run import redact_urls

    assert redact_urls("http://127.0.0.1:8000/v1") == "http://127.0.0.1:8000/v1"
    assert redact_urls({"a": ["https://u:p@h/x?key=v&model=m"]}) == {"a": ["https://<redacted>@h/x?key=<redacted>&model=m"]}
    assert redact_urls("gemeval run --model-args base_url=http://k@h/v1,model=m") == \
        "gemeval run --model-args base_url=http://<redacted>@h/v1,model=m"


def test_a_run_scored_by_other_scoring_code_is_scored_again_on_resume(tmp_path):
    first = evaluate("measure", "grounded", out_dir=tmp_path / "runs", synthetic_n=SMALL_SYNTHETIC_N, limit=6)
    assert first.config["scoring_code"] and first.rescored == 0
    run_dir = first.run_dir
    # as if an older gemeval had scored it: another scoring-code hash and other per-sample numbers
    config = json.loads((run_dir / "config.json").read_text())
    config["scoring_code"] = "an-older-scorer"
    (run_dir / "config.json").write_text(json.dumps(config))
    lines = [json.loads(line) for line in (run_dir / "samples.jsonl").read_text().splitlines()]
    for record in lines:
        record["metrics"]["grounding.claim_precision"] = 0.0
    (run_dir / "samples.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines))

    again = evaluate("measure", "grounded", out_dir=tmp_path / "runs", synthetic_n=SMALL_SYNTHETIC_N, limit=6)
    assert again.run_dir == run_dir and again.computed == 0 and again.rescored == 6
    assert again.metrics["grounding.claim_precision"]["value"] == first.metrics["grounding.claim_precision"]["value"]
    stored = {r["id"]: r for r in store.read_samples(run_dir)}
    assert all(r["metrics"]["grounding.claim_precision"] > 0 for r in stored.values())
    assert {r["prediction"]["text"] for r in stored.values()} == {r["prediction"]["text"] for r in lines}
    assert json.loads((run_dir / "config.json").read_text())["scoring_code"] == first.config["scoring_code"]
    # the same scoring code resumes without scoring anything again
    assert evaluate("measure", "grounded", out_dir=tmp_path / "runs", synthetic_n=SMALL_SYNTHETIC_N, limit=6).rescored == 0


def test_the_scoring_code_hash_covers_the_measurement_that_gives_measured_truths():
    # the truth of a record without cart measurements is gemeval's measurement of it: a change
    # there changes per-sample scores exactly as a change of gemeval.metrics does
    import ast

    import gemeval.run
    from gemeval.run import scoring_code_files

    package = Path(gemeval.run.__file__).resolve().parent
    covered = {p.relative_to(package).as_posix() for p in scoring_code_files()}
    assert "ecg/measure.py" in covered
    assert {p.relative_to(package).as_posix() for p in (package / "metrics").rglob("*.py")} <= covered
    # and every gemeval module the measurement reads the signal with (errors aside: no numbers)
    tree = ast.parse((package / "ecg" / "measure.py").read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    needed = {m.removeprefix("gemeval.").replace(".", "/") + ".py" for m in imported
              if m.startswith("gemeval.") and m != "gemeval.errors"}
    assert needed <= covered, f"add to SCORING_CODE in gemeval/run.py: {sorted(needed - covered)}"
