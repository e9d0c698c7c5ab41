"""Scoring outputs that already exist: GEM, PULSE and gemeval answer files through
``--model predictions``, with every missing or unmatched id accounted for."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from gemeval.ecg.io import write_record
from gemeval.ecg.synth import synthesize
from gemeval.models.base import ModelError, load_model
from gemeval.run import evaluate
from gemeval.sample import Sample
from gemeval.store import read_samples


def samples(*ids: str) -> list[Sample]:
    return [Sample(id=i, task="t", prompt="Interpret this ECG.") for i in ids]


def write_jsonl(path: Path, records: list[object]) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n")
    return path


def test_gem_answer_file_matches_by_question_id_and_lists_what_is_missing(tmp_path):
    path = write_jsonl(tmp_path / "step-final.jsonl", [
        {"question_id": "a", "prompt": "p", "text": "Sinus rhythm.", "answer_id": "x1", "model_id": "gem-7b"},
        {"question_id": "b", "prompt": "p", "text": "", "answer_id": "x2", "model_id": "gem-7b"},
        {"question_id": "zz-extra", "prompt": "p", "text": "Not asked.", "answer_id": "x3", "model_id": "gem-7b"},
    ])
    model = load_model("predictions", {"path": str(path)}, modality="both")
    model.prepare(samples("a", "b", "c"))
    described = model.describe()
    assert described["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert described["label"] == "gem-7b" and described["formats"] == ["GEM/LLaVA answers"]
    assert (described["n_matched"], described["n_missing"], described["n_unmatched"]) == (2, 1, 1)
    assert described["missing_ids"] == ["c"] and described["unmatched_ids"] == ["zz-extra"]
    out = model.generate(samples("a", "b", "c"))
    assert [(p.sample_id, p.text, p.error) for p in out] == [
        ("a", "Sinus rhythm.", None), ("b", "", None), ("c", None, f"no prediction for id c in {path}")]
    assert out[0].meta == {"source_file": str(path), "source_id": "a", "answer_order": 0}


def test_pulse_files_and_arena_turns(tmp_path):
    path = tmp_path / "pulse.json"
    path.write_text(json.dumps([
        {"id": "q1", "response": "The answer is C."},
        {"id": "arena-3", "response": [{"response": "Atrial fibrillation."}, {"response": "Anticoagulate."}]},
    ]))
    model = load_model("predictions", {"path": str(path)})
    first, arena = model.generate(samples("q1", "arena-3"))
    assert first.text == "The answer is C." and arena.text == "Atrial fibrillation."
    assert arena.meta["turns"] == ["Atrial fibrillation.", "Anticoagulate."]
    assert model.describe()["formats"] == ["PULSE answers", "multi-turn response"]
    assert model.describe()["label"] == "predictions-pulse"


def test_unreadable_lines_are_counted_and_listed_not_dropped(tmp_path):
    path = write_jsonl(tmp_path / "answers.jsonl", [
        {"question_id": "a", "text": "one"},
        '{"question_id": "b", "text": "broken',
        {"text": "no id"},
        {"question_id": "a", "text": "one, again"},
        {"id": "c", "score": 3},
    ])
    model = load_model("predictions", {"path": str(path)})
    described = model.describe()
    assert described["n_unreadable"] == 3 and described["unreadable"] == ["line 2", "line 3", "line 5"]
    assert described["n_duplicate_ids"] == 1 and described["duplicate_ids"] == ["a"]
    assert model.generate(samples("a"))[0].text == "one, again"
    assert described["counted_over"] == "samples generated so far"


def test_custom_keys_and_refusals(tmp_path):
    path = write_jsonl(tmp_path / "custom.jsonl", [{"uid": "a", "output_text": "Normal ECG."}])
    with pytest.raises(ModelError, match="no record with an id and an answer"):
        load_model("predictions", {"path": str(path)})
    model = load_model("predictions", {"path": str(path), "id_key": "uid", "text_key": "output_text"})
    assert model.generate(samples("a"))[0].text == "Normal ECG."
    with pytest.raises(ModelError, match="not found"):
        load_model("predictions", {"path": str(tmp_path / "absent.jsonl")})
    with pytest.raises(ModelError, match="path=FILE"):
        load_model("predictions", {})


def test_a_runs_own_samples_jsonl_scores_the_same_when_imported(tmp_path):
    data = tmp_path / "records"
    for i, condition in enumerate(["normal", "rbbb", "atrial_fibrillation"]):
        record, _ = synthesize(condition, seed=i, record_id=f"SYN{i}")
        write_record(record, data)
    first = evaluate(model="measure", task="grounded", data_dir=data, out_dir=tmp_path / "runs", n_resamples=100)
    assert first.config["data"]["source"] == "physionet"
    stored = tmp_path / "first-samples.jsonl"
    stored.write_bytes((first.run_dir / "samples.jsonl").read_bytes())
    again = evaluate(model="predictions", task="grounded", model_args={"path": str(stored)}, data_dir=data,
                     out_dir=tmp_path / "runs", n_resamples=100)
    before = {r["id"]: r for r in read_samples(first.run_dir)}
    after = {r["id"]: r for r in read_samples(again.run_dir)}
    assert {i: r["prediction"]["text"] for i, r in after.items()} == {i: r["prediction"]["text"] for i, r in before.items()}
    assert {i: r["metrics"] for i, r in after.items()} == {i: r["metrics"] for i, r in before.items()}
    assert again.config["model"]["describe"]["formats"] == ["gemeval samples.jsonl"]


def test_real_report_file_scored_from_a_predictions_file(shared_data, tmp_path):
    items = json.loads((shared_data / "ecgbench" / "ptb_report_generation_test.json").read_text())[:10]
    answers = [{"id": item["id"], "response": item["conversation"][1]["value"] if i % 2 == 0 else "Atrial fibrillation."}
               for i, item in enumerate(items)]
    path = tmp_path / "pulse-report.json"
    path.write_text(json.dumps(answers))
    result = evaluate(model="predictions", task="ptbxl-report", model_args={"path": str(path)},
                      data_dir=shared_data / "ecgbench", out_dir=tmp_path / "runs", n_resamples=100, limit=20)
    records = {r["id"]: r for r in read_samples(result.run_dir)}
    assert len(records) == 20 and result.results["n_errors"] == 10
    copied = [records[a["id"]]["metrics"]["text.rouge_l"] for a in answers[::2]]
    changed = [records[a["id"]]["metrics"]["text.rouge_l"] for a in answers[1::2]]
    assert min(copied) == pytest.approx(1.0) and max(changed) < 1.0
    missing = [r for r in records.values() if r["prediction"]["error"]]
    assert all(r["prediction"]["error"] == f"no prediction for id {r['id']} in {path}" for r in missing)
