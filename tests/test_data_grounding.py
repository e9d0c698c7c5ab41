"""ECG-Grounding's test files, written here in the published layout (``ecg_jsons/``,
``ecg_images/``, MIMIC-IV-ECG and PTB-XL records under one data root), loaded and run."""

from __future__ import annotations

import io
import json
from pathlib import Path

from PIL import Image

from gemeval.data import DataOptions, load_dataset
from gemeval.data.mimic import study_record_path
from gemeval.data.physionet import MeasuredSample
from gemeval.ecg.io import write_record
from gemeval.ecg.synth import synthesize
from gemeval.run import evaluate
from gemeval.store import read_config, read_samples
from gemeval.tasks import load_task

INSTRUCTION = "<image>\nPlease interpret this ECG and provide a diagnosis with the supporting evidence."
MEASUREMENT_HEADER = ("subject_id,study_id,cart_id,ecg_time," + ",".join(f"report_{i}" for i in range(18))
                      + ",bandwidth,filtering,rr_interval,p_onset,p_end,qrs_onset,qrs_end,t_end,p_axis,qrs_axis,t_axis")


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), (250, 220, 220)).save(buffer, format="PNG")
    return buffer.getvalue()


def item(item_id: str, ecg: str, image: str, answer: str | None = "Sinus rhythm at 60 bpm; QRS 94 ms.", **extra):
    turns = [{"from": "human", "value": INSTRUCTION}]
    if answer is not None:
        turns.append({"from": "gpt", "value": answer})
    return {"id": item_id, "ecg": ecg, "image": image, "conversations": turns, "report": "machine report", **extra}


def build_root(root: Path) -> None:
    """Both test files, their images, two MIMIC studies (one with inline measurements, one
    through machine_measurements.csv), one PTB-XL record with its database row, and two
    malformed items."""
    grounding = root / "ECG-Grounding"
    images = grounding / "ecg_images" / "gen_images"
    for name in ("mimic_gen/40689238.png", "mimic_gen/44458630.png", "ptb-xl-gen/06000_hr.png"):
        (images / name).parent.mkdir(parents=True, exist_ok=True)
        (images / name).write_bytes(png())
    mimic = root / "mimic-iv-ecg"
    for subject, study, condition in ((10000032, 40689238, "normal"), (10000032, 44458630, "atrial_fibrillation")):
        record, _ = synthesize(condition, seed=2, record_id=str(study))
        write_record(record, mimic / Path(study_record_path(subject, study)).parent)
    reports = ",".join(["Atrial fibrillation"] + [""] * 17)
    (mimic / "machine_measurements.csv").write_text(
        MEASUREMENT_HEADER + "\n"
        + f"10000032,44458630,1,2180-07-23 08:44:00,{reports},0.005-150 Hz,60 Hz notch,750,29999,29999,40,136,430,29999,200,29999\n")
    ptbxl = root / "ptb-xl"
    record, _ = synthesize("rbbb", seed=2, record_id="06000_hr")
    write_record(record, ptbxl / "records500" / "06000")
    (ptbxl / "ptbxl_database.csv").write_text(
        "ecg_id,scp_codes,strat_fold,filename_lr,filename_hr,report\n"
        "6000,\"{'NORM': 100.0, 'NT_': 0.0, 'SR': 0.0}\",10,records100/06000/06000_lr,records500/06000/06000_hr,sinus rhythm.\n")

    inline = {"rr_interval": "1000", "p_onset": "124", "p_end": "160", "qrs_onset": "238", "qrs_end": "332",
              "t_end": "640", "p_axis": "60", "qrs_axis": "-30", "t_axis": "45"}
    mimic_items = [
        item("m-1", study_record_path(10000032, 40689238), "mimic_gen/40689238.png", machine_measurements=inline),
        item("m-2", study_record_path(10000032, 44458630), "mimic_gen/44458630.png", machine_measurements=None),
        item("m-no-answer", study_record_path(10000032, 40689238), "mimic_gen/40689238.png", answer=None),
        item("m-missing", study_record_path(10009999, 49999999), "mimic_gen/49999999.png"),
    ]
    ptbxl_items = [item("p-1", "records500/06000/06000_hr", "ptb-xl-gen/06000_hr.png")]
    jsons = grounding / "ecg_jsons"
    jsons.mkdir(parents=True)
    (jsons / "ecg-grounding-test-mimiciv.json").write_text(json.dumps(mimic_items))
    (jsons / "ecg-grounding-test-ptbxl.json").write_text(json.dumps(ptbxl_items))


def test_both_test_sets_load_with_truth_from_the_right_source(tmp_path):
    build_root(tmp_path)
    dataset = load_dataset(load_task("grounded"), DataOptions(data_dir=tmp_path))
    assert dataset.source == "ecg-grounding:mimic+ptbxl"
    by_id = {s.id: s for s in dataset.samples}
    assert list(by_id) == ["m-1", "m-2", "p-1"]
    assert by_id["m-1"].prompt == INSTRUCTION.replace("<image>\n", "")
    assert by_id["m-1"].reference == {"text": "Sinus rhythm at 60 bpm; QRS 94 ms."}
    assert by_id["m-1"].truth_source == "machine-measurements"
    assert by_id["m-1"].truth["hr_bpm"] == 60.0 and by_id["m-1"].truth["qrs_ms"] == 94.0
    assert by_id["m-2"].truth_source == "machine-measurements" and by_id["m-2"].truth["hr_bpm"] == 80.0
    ptb = by_id["p-1"]
    assert isinstance(ptb, MeasuredSample) and ptb.reference["labels"] == ["NORM", "SR"]
    assert ptb.truth_source == "gemeval-measure" and ptb.truth["qrs_ms"] > 100
    assert ptb.load_image_png().startswith(b"\x89PNG")
    assert ptb.group == "records500/06000/06000_hr"
    problems = {p.item_id: p.problem for p in dataset.problems}
    assert set(problems) == {"m-no-answer", "m-missing"}
    assert "no reference interpretation" in problems["m-no-answer"]
    assert "49999999" in problems["m-missing"]
    assert "machine measurements for 2" in dataset.note and "signal for 1" in dataset.note


def test_each_domain_alone(tmp_path):
    build_root(tmp_path)
    mimic = load_dataset(load_task("grounded-mimic"), DataOptions(data_dir=tmp_path))
    ptbxl = load_dataset(load_task("grounded-ptbxl"), DataOptions(data_dir=tmp_path))
    assert [s.id for s in mimic.samples] == ["m-1", "m-2"] and mimic.source == "ecg-grounding:mimic"
    assert [s.id for s in ptbxl.samples] == ["p-1"] and ptbxl.source == "ecg-grounding:ptbxl"


def test_test_file_without_images_or_records_still_loads_for_predictions(tmp_path):
    jsons = tmp_path / "ecg_jsons"
    jsons.mkdir()
    path = jsons / "ecg-grounding-test-ptbxl.json"
    path.write_text(json.dumps([item("p-1", "records500/06000/06000_hr", "ptb-xl-gen/06000_hr.png")]))
    dataset = load_dataset(load_task("grounded"), DataOptions(data_file=path))
    sample = dataset.samples[0]
    assert sample.truth is None and sample.truth_source is None
    assert sample.image_path == str(tmp_path / "ptb-xl-gen" / "06000_hr.png")
    assert "no image and no WFDB record" in dataset.note


def test_run_on_grounding_completes_and_reports_truth_sources_and_skips(tmp_path):
    build_root(tmp_path / "data")
    answers = tmp_path / "gem-answers.jsonl"
    lines = [
        {"question_id": "m-1", "prompt": "x", "text": "Sinus rhythm, heart rate 60 bpm, QRS 94 ms, axis -30 degrees.", "model_id": "gem-7b"},
        {"question_id": "m-2", "prompt": "x", "text": "Atrial fibrillation with a ventricular rate of 80 bpm.", "model_id": "gem-7b"},
    ]
    answers.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    result = evaluate(model="predictions", task="grounded", model_args={"path": str(answers)},
                      data_dir=tmp_path / "data", out_dir=tmp_path / "runs", n_resamples=100)
    records = {r["id"]: r for r in read_samples(result.run_dir)}
    assert set(records) == {"m-1", "m-2", "p-1"}
    assert records["p-1"]["error"] == f"no prediction for id p-1 in {answers}"
    assert records["m-1"]["truth_source"] == "machine-measurements"
    assert records["p-1"]["truth_source"] == "gemeval-measure"
    config = read_config(result.run_dir)
    assert {p["id"] for p in config["data"]["skipped_items"]} == {"m-no-answer", "m-missing"}
    assert result.results["metrics"]["grounding.claim_precision"]["truth_sources"] == ["gemeval-measure", "machine-measurements"]
    assert config["model"]["label"] == "gem-7b"
