"""ECG-Bench loading: the hub's parquet and the published JSON files, written here in their
exact published layouts, plus the real 500-item report file in ../shared/data."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from PIL import Image

from gemeval.data import DataError, DataOptions, load_dataset
from gemeval.data.ecgbench import (
    ParquetSample,
    answer_labels,
    answer_letter,
    parse_list_options,
    parse_options,
    prompt_and_answer,
)
from gemeval.ecg.io import write_record
from gemeval.ecg.synth import synthesize
from gemeval.tasks import load_task


def png_bytes(shade: int = 200) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), (shade, 40, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def write_hub_parquet(path: Path, rows: list[dict[str, Any]], *, list_values: bool = False,
                      arena: bool = False, row_group_size: int = 2) -> Path:
    """A parquet file with the features of the hub's ECGBench README (``image`` as the
    datasets library stores an Image feature: a struct of bytes and path)."""
    if arena:
        turn = pa.struct([("question", pa.string()), ("answer", pa.string())])
    else:
        turn = pa.struct([("from", pa.string()), ("value", pa.list_(pa.string()) if list_values else pa.string())])
    schema = pa.schema([
        ("id", pa.string()),
        ("image_path", pa.string()),
        ("image", pa.struct([("bytes", pa.binary()), ("path", pa.string())])),
        ("conversations", pa.list_(turn)),
    ])
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path, row_group_size=row_group_size)
    return path


def conversation(question: str, answer: Any) -> list[dict[str, Any]]:
    return [{"from": "human", "value": f"<image>\n{question}"}, {"from": "gpt", "value": answer}]


PTB_QUESTION = ("Which of the following diagnostic classes apply? Options: NORM(normal ECG), MI(myocardial "
                "infarction), STTC(ST/T change), CD(conduction disturbance), HYP(hypertrophy).")
CSN_QUESTION = ("What is the most likely diagnosis? Directly output one of the following options without "
                "explanation: Options: A) Sinus bradycardia; B) Atrial fibrillation; C) Sinus rhythm; "
                "D) Atrial flutter; E) Sinus tachycardia; F) Right bundle branch block; G) First-degree AV "
                "block; H) Left bundle branch block")


# -- parsing the published answer forms ---------------------------------------------------


def test_lettered_options_in_every_published_style():
    assert parse_options(CSN_QUESTION) == [
        "Sinus bradycardia", "Atrial fibrillation", "Sinus rhythm", "Atrial flutter", "Sinus tachycardia",
        "Right bundle branch block", "First-degree AV block", "Left bundle branch block"]
    inline = "Where is the old infarct? Options: A. Anterior wall B. Lateral wall C. Inferior wall D. Septal wall"
    assert parse_options(inline) == ["Anterior wall", "Lateral wall", "Inferior wall", "Septal wall"]
    lines = "What does the ECG show?\nOptions:\n\nA. A block\nB. Normal conduction\nC. A rhythm disturbance\nAnswer with the letter."
    assert parse_options(lines) == ["A block", "Normal conduction", "A rhythm disturbance"]
    assert parse_options("Describe this ECG.") == []


def test_gold_letters_and_labels_are_read_as_published():
    options = parse_options(CSN_QUESTION)
    assert answer_letter("D) Atrial flutter", options) == "D"
    assert answer_letter("C. Inferior wall", []) == "C"
    assert answer_letter("B", options) == "B"
    assert answer_letter("Atrial flutter", options) == "D"
    assert answer_letter("ECG shows flutter", options) is None
    assert answer_labels("MI(myocardial infarction); STTC(ST/T change)", "ptbxl-super") == ["MI", "STTC"]
    assert answer_labels("ABNORMAL", "code15") == ["ABNORMAL"]
    assert answer_labels("ST(sinus tachycardia), AF(atrial fibrillation)", "code15") == ["ST", "AF"]
    assert answer_labels("STE(ST-segment elevation)", "cpsc2018") == ["STE"]
    assert answer_labels("I-AVB(first degree AV block)", "cpsc2018") == ["I-AVB"]


def test_ecgqa_options_and_both_conversation_spellings():
    question = "Question: Which leads show baseline drift?\nOptions: lead I, lead V2, none\n\nOnly answer based on the given Options without any explanation."
    assert parse_list_options(question) == ["lead I", "lead V2", "none"]
    inline = "Select all that apply. Options: lead III, lead V2, none, lead aVF. Provide the accurate response without additional details."
    assert parse_list_options(inline) == ["lead III", "lead V2", "none", "lead aVF"]
    singular = {"conversation": [{"from": "user", "value": "Write a report."}, {"from": "assistant", "value": "Sinus rhythm."}]}
    assert prompt_and_answer(singular) == ("Write a report.", "Sinus rhythm.")
    roles = {"conversations": [{"role": "user", "content": "<image>\nQ?"}, {"role": "assistant", "content": ["a", "b"]}]}
    assert prompt_and_answer(roles) == ("Q?", ["a", "b"])


# -- the hub's parquet ------------------------------------------------------------------


def test_hub_parquet_loads_with_lazy_images_and_row_groups(tmp_path):
    images = [png_bytes(i * 40) for i in range(5)]
    rows = [
        {"id": f"ptb-{i}", "image_path": f"ptb_test/0{i}000_hr-0.png", "image": {"bytes": images[i], "path": None},
         "conversations": conversation(PTB_QUESTION, answer)}
        for i, answer in enumerate(["NORM(normal ECG)", "MI(myocardial infarction); CD(conduction disturbance)",
                                    "STTC(ST/T change)", "HYP(hypertrophy)", "NORM(normal ECG)"])
    ]
    write_hub_parquet(tmp_path / "ECGBench" / "ptb-test" / "test-00000-of-00001.parquet", rows)
    dataset = load_dataset(load_task("ptbxl-super"), DataOptions(data_dir=tmp_path))
    assert dataset.source == "ecgbench:ptb-test" and not dataset.synthetic_fallback
    assert [s.id for s in dataset.samples] == [f"ptb-{i}" for i in range(5)]
    assert [s.reference["labels"] for s in dataset.samples] == [["NORM"], ["MI", "CD"], ["STTC"], ["HYP"], ["NORM"]]
    first = dataset.samples[0]
    assert first.prompt == PTB_QUESTION and "<image>" not in first.prompt
    assert isinstance(first, ParquetSample) and first.has_image
    assert [s.load_image_png() for s in reversed(dataset.samples)] == images[::-1]
    assert first.group == "ptb_test/00000_hr"


def test_ecgqa_list_answers_and_arena_turns_from_parquet(tmp_path):
    question = "Question: Which leads show baseline drift?\nOptions: lead I, lead V2, none\n\nOnly answer based on the given Options without any explanation."
    rows = [
        {"id": "ecgqa-0", "image_path": "ecgqa/00123_hr-0.png", "image": {"bytes": png_bytes(), "path": None},
         "conversations": [{"from": "human", "value": [f"<image>\n{question}"]}, {"from": "gpt", "value": ["lead I", "lead V2"]}]},
        {"id": "ecgqa-1", "image_path": "ecgqa/00123_hr-1.png", "image": {"bytes": png_bytes(), "path": None},
         "conversations": [{"from": "human", "value": [question]}, {"from": "gpt", "value": ["none"]}]},
    ]
    write_hub_parquet(tmp_path / "ECGBench" / "ecgqa-test" / "test-00000-of-00001.parquet", rows, list_values=True)
    dataset = load_dataset(load_task("ecgqa"), DataOptions(data_dir=tmp_path))
    assert [s.reference["answers"] for s in dataset.samples] == [["lead I", "lead V2"], ["none"]]
    assert dataset.samples[0].reference["options"] == ["lead I", "lead V2", "none"]
    assert dataset.samples[0].group == dataset.samples[1].group == "ecgqa/00123_hr"

    arena = [{"id": "arena-7", "image_path": "arena/7.png", "image": {"bytes": png_bytes(), "path": None},
              "conversations": [{"question": "<image>\nWhat is the rhythm?", "answer": "Atrial fibrillation."},
                                {"question": "How to treat it?", "answer": "Rate control and anticoagulation."}]}]
    write_hub_parquet(tmp_path / "ECGBench" / "arena" / "test-00000-of-00001.parquet", arena, arena=True)
    sample = load_dataset(load_task("arena"), DataOptions(data_dir=tmp_path)).samples[0]
    assert sample.prompt == "What is the rhythm?"
    assert sample.reference["text"] == "Atrial fibrillation."
    assert [t["question"] for t in sample.reference["turns"]] == ["What is the rhythm?", "How to treat it?"]


def test_parquet_row_without_image_bytes_fails_that_item_only(tmp_path):
    rows = [{"id": f"mmmu-{i}", "image_path": f"m/{i}.png", "image": {"bytes": b if i else None, "path": None},
             "conversations": conversation("Which is it? Options: A. x B. y C. z D. w", "B")}
            for i, b in enumerate([None, png_bytes()])]
    write_hub_parquet(tmp_path / "mmmu-ecg" / "test" / "0000.parquet", rows)
    dataset = load_dataset(load_task("mmmu-ecg"), DataOptions(data_dir=tmp_path))
    assert [s.reference["answer"] for s in dataset.samples] == ["B", "B"]
    with pytest.raises(FileNotFoundError, match="mmmu-0"):
        dataset.samples[0].load_image_png()
    assert dataset.samples[1].load_image_png().startswith(b"\x89PNG")


# -- the published JSON files, GEM's copies and malformed items ---------------------------


def make_csn_json(folder: Path, *, with_ecg: bool) -> Path:
    """csn-test-no-cot.json as published (image paths relative to the images folder), with
    GEM's ``ecg`` field when ``with_ecg``, and three malformed items."""
    (folder / "images" / "csn").mkdir(parents=True)
    records = folder / "WFDBRecords"
    items = []
    for i, condition in enumerate(["atrial_fibrillation", "rbbb", "sinus_bradycardia"]):
        name = f"JS0000{i}"
        (folder / "images" / "csn" / f"{name}-0.png").write_bytes(png_bytes(i * 50))
        record, _ = synthesize(condition, seed=i, record_id=name)
        write_record(record, records / "01" / "010")
        item = {"id": f"csn-{i}", "image": f"csn/{name}-0.png",
                "conversations": conversation(CSN_QUESTION, ["B) Atrial fibrillation", "F) Right bundle branch block", "A) Sinus bradycardia"][i])}
        if with_ecg:
            item["ecg"] = f"WFDBRecords/01/010/{name}"
        items.append(item)
    (folder / "images" / "csn" / "broken-0.png").write_text("not an image")
    items += [
        {"id": "csn-no-answer", "image": "csn/JS00000-0.png", "conversations": conversation(CSN_QUESTION, "")[:1]},
        {"id": "csn-bad-image", "image": "csn/broken-0.png", "conversations": conversation(CSN_QUESTION, "C")},
        {"id": "csn-no-files", "image": "csn/absent-0.png", "ecg": "WFDBRecords/01/010/JS09999",
         "conversations": conversation(CSN_QUESTION, "C")},
    ]
    path = folder / "csn-test-no-cot.json"
    path.write_text(json.dumps(items))
    return path


def test_json_with_gem_ecg_field_reads_signal_and_skips_malformed_items(tmp_path):
    make_csn_json(tmp_path / "ECG-Grounding" / "ecg_bench", with_ecg=True)
    dataset = load_dataset(load_task("csn"), DataOptions(data_dir=tmp_path))
    assert [s.id for s in dataset.samples] == ["csn-0", "csn-1", "csn-2"]
    assert [s.reference["answer"] for s in dataset.samples] == ["B", "F", "A"]
    assert all(len(s.reference["options"]) == 8 for s in dataset.samples)
    record = dataset.samples[1].load_record()
    assert record.signal_mv.shape == (12, 5000) and record.record_id == "JS00001"
    assert dataset.samples[0].load_image_png().startswith(b"\x89PNG")
    problems = {p.item_id: p.problem for p in dataset.problems}
    assert set(problems) == {"csn-no-answer", "csn-bad-image", "csn-no-files"}
    assert "no answer" in problems["csn-no-answer"]
    assert "not a PNG or JPEG" in problems["csn-bad-image"]
    assert "absent-0.png" in problems["csn-no-files"] and "JS09999" in problems["csn-no-files"]
    assert all(p.file.endswith("csn-test-no-cot.json") for p in dataset.problems)
    assert "3 items skipped" in dataset.describe()["note"]
    assert "3 items, the published test set has 1611" in dataset.note


def test_parquet_gets_record_paths_from_gems_copy(tmp_path):
    make_csn_json(tmp_path / "ECG-Grounding" / "ecg_bench", with_ecg=True)
    rows = [{"id": f"csn-{i}", "image_path": f"csn/JS0000{i}-0.png", "image": {"bytes": png_bytes(), "path": None},
             "conversations": conversation(CSN_QUESTION, "B")} for i in range(3)]
    write_hub_parquet(tmp_path / "ECGBench" / "csn-test-no-cot" / "test-00000-of-00001.parquet", rows)
    dataset = load_dataset(load_task("csn"), DataOptions(data_dir=tmp_path))
    assert dataset.files[0].endswith(".parquet")
    assert [Path(s.record_path).name for s in dataset.samples] == ["JS00000", "JS00001", "JS00002"]


def test_data_file_reads_one_published_file_and_refuses_others(tmp_path):
    path = make_csn_json(tmp_path, with_ecg=False)
    dataset = load_dataset(load_task("g12ec"), DataOptions(data_file=path))
    assert len(dataset.samples) == 3 and dataset.files == [str(path)]
    other = tmp_path / "notes.json"
    other.write_text(json.dumps([{"text": "hello"}]))
    with pytest.raises(DataError, match="--data-file"):
        load_dataset(load_task("g12ec"), DataOptions(data_file=other))


def test_without_data_the_task_falls_back_to_synthetic_and_says_so(tmp_path):
    dataset = load_dataset(load_task("code15"), DataOptions(data_dir=tmp_path, synthetic_n=24))
    assert dataset.synthetic_fallback and "code15-test" not in dataset.source
    assert "synthetic" in dataset.note and str(tmp_path) in dataset.note


def test_file_with_no_usable_item_is_an_error_naming_the_first_problem(tmp_path):
    path = tmp_path / "code15-test.json"
    path.write_text(json.dumps([{"id": "c-1", "image": "x.png", "conversations": conversation("Which?", "nothing")}]))
    with pytest.raises(DataError, match="c-1.*names no code15 label"):
        load_dataset(load_task("code15"), DataOptions(data_dir=tmp_path))


# -- the real report file -------------------------------------------------------------------


def test_real_report_json_loads_all_500_items(shared_data):
    dataset = load_dataset(load_task("ptbxl-report"), DataOptions(data_dir=shared_data / "ecgbench"))
    items = json.loads((shared_data / "ecgbench" / "ptb_report_generation_test.json").read_text())
    assert len(dataset.samples) == len(items) == 500 and not dataset.problems
    by_id = {s.id: s for s in dataset.samples}
    for item in items:
        sample = by_id[item["id"]]
        assert sample.prompt == item["conversation"][0]["value"].replace("<image>", "").strip()
        assert sample.reference["text"] == item["conversation"][1]["value"].strip()
    assert by_id["ptb-report-07190_hr-0"].meta["record_missing"] == "records500/07000/07190_hr"
    assert "no image and no WFDB record" in dataset.note
    assert "published test set has" not in dataset.note
