"""ECG-Grounding (GEM, Hugging Face ``LANSG/ECG-Grounding``): the two test sets of the
Grounded ECG Understanding task.

Files: ``ecg_jsons/ecg-grounding-test-mimiciv.json`` (in-domain, MIMIC-IV-ECG records) and
``ecg_jsons/ecg-grounding-test-ptbxl.json`` (out-of-domain, PTB-XL records). Each item:
``{id, ecg, image, conversations: [human instruction, gpt reference interpretation],
machine_measurements, report}``, ``ecg`` a WFDB record path without extension relative to
the MIMIC-IV-ECG or PTB-XL root, ``image`` a PNG under ``ecg_images/``.

Samples: prompt = the instruction without ``<image>``; ``reference["text"]`` = the GPT-4o
interpretation the judge compares with; ``reference["labels"]`` = the record's PTB-XL SCP
codes in the task's label space when PTB-XL's ``ptbxl_database.csv`` is under the data root (MIMIC items have no
structured labels). ``truth``, for grounding verification:

1. the cart's machine measurements, from the item's ``machine_measurements`` or
   MIMIC-IV-ECG's ``machine_measurements.csv`` (``truth_source="machine-measurements"``,
   see :mod:`gemeval.data.mimic`);
2. otherwise gemeval's measurement of the record, computed on first use
   (``truth_source="gemeval-measure"``);
3. otherwise none (record absent): numeric claims are then unverifiable.

Missing images and records are handled as for ECG-Bench (see
:func:`gemeval.data.ecgbench.build_samples`): a misnamed item is skipped and reported; a
dataset whose images were not downloaded keeps its items, for predictions import.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from gemeval.data.base import DataError, DataOptions, Dataset, ItemProblem, OutsideDataRoot, collect_files, item_id_of, media_roots
from gemeval.data.ecgbench import FileResolver, media_note, place_media, prompt_and_answer, read_items
from gemeval.data.mimic import MachineMeasurements, find_measurements, truth_for
from gemeval.data.physionet import RecordResolver, find_files, in_label_space, measured_sample
from gemeval.sample import Sample
from gemeval.tasks import TaskSpec

MIMIC_FILE = "ecg-grounding-test-mimiciv.json"
PTBXL_FILE = "ecg-grounding-test-ptbxl.json"
TEST_FILES = {"mimic": MIMIC_FILE, "ptbxl": PTBXL_FILE}

_PTBXL_RECORD = re.compile(r"(\d{5})_(?:hr|lr)$")


def _ptbxl_codes(data_dir: Path | None) -> dict[int, list[str]]:
    """ecg_id -> SCP codes, from the first ``ptbxl_database.csv`` under ``data_dir``."""
    from gemeval.data.ptbxl import DATABASE_FILE, parse_scp_codes, read_database

    found = find_files([data_dir], [DATABASE_FILE]) if data_dir else []
    if not found:
        return {}
    frame = read_database(found[0])
    codes: dict[int, list[str]] = {}
    for ecg_id, text in frame["scp_codes"].items():
        try:
            codes[int(ecg_id)] = list(parse_scp_codes(text))
        except (ValueError, SyntaxError):
            continue
    return codes


def _is_grounding_items(items: list[Any]) -> bool:
    return bool(items) and isinstance(items[0], dict) and "ecg" in items[0] and (
        "conversations" in items[0] or "conversation" in items[0]
    )


def build_samples(
    task: TaskSpec, items: list[Any], path: Path, data_dir: Path | None,
    *, measurements: MachineMeasurements | None, ptbxl_codes: dict[int, list[str]],
) -> tuple[list[Sample], list[ItemProblem], str]:
    """Grounded samples from the items of one test file, the skipped items, and a note on
    what the samples carry (see the module docstring; missing media are handled as in
    :func:`gemeval.data.ecgbench.build_samples`)."""
    dataset_root = path.parent.parent if path.parent.name == "ecg_jsons" else path.parent
    allowed = media_roots(data_dir, path)
    images = FileResolver([dataset_root, dataset_root / "ecg_images", dataset_root / "ecg_images" / "gen_images",
                           path.parent, data_dir], confine_to=allowed)
    records = RecordResolver([data_dir, dataset_root, *list(path.parents)[:3]], search_roots=[data_dir or dataset_root],
                             confine_to=allowed)
    problems: list[ItemProblem] = []
    candidates: list[tuple[dict[str, Any], Any, str | None, Path | None]] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            problems.append(ItemProblem(f"row {index}", str(path), "not a JSON object"))
            continue
        item_id = item_id_of(item, "id", fallback=f"{path.stem}-{index}")
        if item_id in seen:
            problems.append(ItemProblem(item_id, str(path), "id repeats an earlier item; kept the first"))
            continue
        prompt, answer = prompt_and_answer(item)
        if not prompt:
            problems.append(ItemProblem(item_id, str(path), "no instruction (human turn) in its conversation"))
            continue
        if not answer or not str(answer).strip():
            problems.append(ItemProblem(item_id, str(path), "no reference interpretation (gpt turn)"))
            continue
        ecg = str(item.get("ecg") or "")
        image_name = item.get("image") if isinstance(item.get("image"), str) and item.get("image") else None
        try:
            record = records.resolve(ecg) if ecg else None
            image_path = images.resolve(image_name)
        except OutsideDataRoot as refused:
            problems.append(ItemProblem(item_id, str(path), str(refused)))
            continue
        seen.add(item_id)
        reference: dict[str, Any] = {"text": str(answer).strip()}
        match = _PTBXL_RECORD.search(ecg)
        if match and int(match.group(1)) in ptbxl_codes:
            reference["labels"] = in_label_space(ptbxl_codes[int(match.group(1))], task.label_space)
        meta: dict[str, Any] = {"source": "ecg-grounding", "file": str(path), "original_id": item.get("id"),
                                "ecg": ecg or None, "machine_report": item.get("report")}
        if ecg and record is None:
            meta["record_missing"] = ecg
        fields: dict[str, Any] = dict(
            id=item_id, task=task.name, prompt=prompt, reference=reference,
            record_path=str(record) if record else None, group=ecg or item_id, meta=meta,
        )
        candidates.append((fields, item.get("machine_measurements"), image_name, image_path))

    n_images = sum(1 for *_, found in candidates if found is not None)
    n_records = sum(1 for fields, *_ in candidates if fields["record_path"])
    samples: list[Sample] = []
    for fields, inline, image_name, image_path in candidates:
        def missing(fields: dict[str, Any] = fields, image_name: str | None = image_name) -> str:
            return (f"neither image {image_name!r} nor record {fields['meta']['ecg']!r} found under the data root, "
                    "while other items' files are there; this one is missing or misnamed")

        why = place_media(fields, image_name, image_path, dataset_root, bool(n_images or n_records), missing)
        if why:
            problems.append(ItemProblem(fields["id"], str(path), why))
            continue
        truth = truth_for(fields["meta"]["ecg"], inline, measurements)
        if truth is not None:
            samples.append(Sample(truth=truth, truth_source="machine-measurements", **fields))
        elif fields["record_path"]:
            samples.append(measured_sample(**fields))
        else:
            samples.append(Sample(**fields))
    return samples, problems, media_note(len(samples), n_images, n_records)


def locate(data_dir: Path, which: tuple[str, ...] = ("mimic", "ptbxl")) -> list[Path]:
    """The test files of ``which`` ("mimic", "ptbxl") under ``data_dir``, in that order."""
    names = [TEST_FILES[w] for w in which]
    found = find_files([data_dir], names)
    return [next(p for p in found if p.name == name) for name in names if any(p.name == name for p in found)]


def _load(task: TaskSpec, options: DataOptions, which: tuple[str, ...]) -> Dataset | None:
    if task.kind != "grounded":
        raise DataError(f"task {task.name!r} ({task.path}) is a {task.kind} task; ECG-Grounding makes grounded samples only")
    if options.data_file is not None:
        if options.data_file.suffix not in (".json", ".jsonl"):
            return None
        items = read_items(options.data_file)
        if not _is_grounding_items(items):
            return None
        batches = [(options.data_file, items)]
    elif options.data_dir is not None:
        chosen = locate(options.data_dir, which)
        if not chosen:
            return None
        batches = [(file, read_items(file)) for file in chosen]
    else:
        return None
    roots = [options.data_dir] if options.data_dir else [batches[0][0].parent]
    measurements = find_measurements(roots)
    ptbxl_codes = _ptbxl_codes(options.data_dir)

    samples, problems, notes = collect_files(
        batches,
        lambda file, items: build_samples(task, items, file, options.data_dir, measurements=measurements,
                                          ptbxl_codes=ptbxl_codes),
        "id repeats an item of the other test file; kept the first",
    )
    files = [file for file, _ in batches]
    if not samples:
        first = f" (first: {problems[0].item_id}: {problems[0].problem})" if problems else ""
        raise DataError(f"{', '.join(map(str, files))}: no usable ECG-Grounding item{first}")
    machine = sum(1 for s in samples if type(s) is Sample and s.truth_source == "machine-measurements")
    measured = sum(1 for s in samples if type(s) is not Sample)
    note = (f"ECG-Grounding test ({', '.join(f.name for f in files)}): {len(samples)} items; truth from machine "
            f"measurements for {machine}, from gemeval's measurement of the signal for {measured}, "
            f"none for {len(samples) - machine - measured}; {'; '.join(dict.fromkeys(notes))}")
    if problems:
        note += f"; {len(problems)} items skipped (see skipped_items)"
    return Dataset(samples=samples, source="ecg-grounding:" + "+".join(which), files=[str(f) for f in files],
                   note=note, problems=problems)


def load(task: TaskSpec, options: DataOptions) -> Dataset | None:
    """Both ECG-Grounding test sets (whichever are present), MIMIC-IV-ECG first."""
    return _load(task, options, ("mimic", "ptbxl"))


def load_mimic(task: TaskSpec, options: DataOptions) -> Dataset | None:
    """The in-domain MIMIC-IV-ECG test set (2,381 items)."""
    return _load(task, options, ("mimic",))


def load_ptbxl(task: TaskSpec, options: DataOptions) -> Dataset | None:
    """The out-of-domain PTB-XL test set (2,041 items)."""
    return _load(task, options, ("ptbxl",))
