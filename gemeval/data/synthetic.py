"""The embedded benchmark: a fixed, versioned set of synthetic 12-lead ECGs with exact truth.

What it is: a grounding probe. Every record is built by gemeval's dipole synthesiser, so its
heart rate, intervals, axis and per-lead ST levels are known exactly, and every number a
model writes can be checked against the construction. Each record carries its signal
(WFDB), its rendered page (PNG), labels (PTB-XL SCP codes and super-classes), an 8-option
MCQ, a question with options, a reference grounded interpretation written from the truth,
and a short reference report.

What it is not: clinical data. The morphologies are textbook patterns with noise; a model's
score here says whether it reads and cites the waveform correctly, not how it does on
patients. Real benchmarks run with ``--data-dir`` (see docs/data.md).

The set is built on first use and cached under ``gemeval.paths.cache_dir()/synthetic``;
the build is atomic (a temporary folder renamed into place), so concurrent first runs are
safe. Changing anything that alters its content bumps ``VERSION``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np

from gemeval.data.base import DataOptions, Dataset
from gemeval.metrics.mcq import LETTERS
from gemeval.paths import cache_dir
from gemeval.sample import Sample
from gemeval.tasks import TaskSpec

VERSION = 1
SEED = 2503  # fixed: the set is the same on every machine
DEFAULT_N = 200

# How each condition is named as an answer option and in a report.
CONDITION_NAMES: dict[str, str] = {
    "normal": "Normal sinus rhythm, normal ECG",
    "sinus_bradycardia": "Sinus bradycardia",
    "sinus_tachycardia": "Sinus tachycardia",
    "first_degree_av_block": "First-degree atrioventricular block",
    "lbbb": "Complete left bundle branch block",
    "rbbb": "Complete right bundle branch block",
    "atrial_fibrillation": "Atrial fibrillation",
    "lvh": "Left ventricular hypertrophy",
    "inferior_stemi": "Inferior ST-elevation myocardial infarction",
    "anterior_stemi": "Anterior ST-elevation myocardial infarction",
    "long_qt": "Prolonged QT interval",
    "left_axis_deviation": "Left axis deviation",
    "right_axis_deviation": "Right axis deviation",
    "pvc": "Premature ventricular complexes",
}

# The synthetic conditions in the label spaces of the published classification tasks.
LABEL_SPACE_MAP: dict[str, dict[str, list[str]]] = {
    "code15": {
        "normal": ["NORM"], "sinus_bradycardia": ["SB"], "sinus_tachycardia": ["ST"],
        "first_degree_av_block": ["1dAVb"], "lbbb": ["LBBB"], "rbbb": ["RBBB"],
        "atrial_fibrillation": ["AF"],
    },
    "cpsc2018": {
        "normal": ["NORM"], "first_degree_av_block": ["I-AVB"], "lbbb": ["LBBB"],
        "rbbb": ["RBBB"], "atrial_fibrillation": ["AF"], "pvc": ["PVC"],
        "inferior_stemi": ["STE"], "anterior_stemi": ["STE"],
    },
}

QA_RHYTHMS = ("sinus rhythm", "atrial fibrillation")


class SyntheticBenchmark:
    """The built set on disk: records/, images/, items.jsonl, build.json."""

    def __init__(self, root: Path):
        self.root = root
        self.items = [json.loads(line) for line in (root / "items.jsonl").read_text().splitlines() if line]

    def record_path(self, item_id: str) -> str:
        return str(self.root / "records" / item_id)

    def image_path(self, item_id: str) -> str:
        return str(self.root / "images" / f"{item_id}.png")


def benchmark_dir(n: int = DEFAULT_N) -> Path:
    return cache_dir() / "synthetic" / f"v{VERSION}-seed{SEED}-n{n}"


def ensure_built(n: int = DEFAULT_N) -> SyntheticBenchmark:
    """The benchmark of ``n`` records, built on first use."""
    target = benchmark_dir(n)
    if not (target / "build.json").is_file():
        build(target, n)
    return SyntheticBenchmark(target)


def build(target: Path, n: int) -> None:
    from gemeval.ecg.io import write_record
    from gemeval.ecg.render import render_png
    from gemeval.console import track
    from gemeval.ecg.synth import synthesize_set

    def fill(tmp: Path) -> dict[str, Any]:
        rng = np.random.default_rng(SEED)
        with (tmp / "items.jsonl").open("w") as fh:
            for record, truth in track(synthesize_set(n, SEED), f"building the synthetic set ({n} ECGs)", n):
                write_record(record, tmp / "records")
                render_png(record, dpi=100, path=tmp / "images" / f"{record.record_id}.png")
                fh.write(json.dumps(make_item(record.record_id, truth, rng), allow_nan=False) + "\n")
        return {"version": VERSION, "seed": SEED, "n": n}

    build_atomically(target, fill)


def build_atomically(target: Path, fill: Callable[[Path], dict[str, Any]]) -> None:
    """Build a cached set in a temporary folder beside ``target`` and rename it into place.

    ``fill(folder)`` writes the set into ``folder`` (``records/`` and ``images/`` exist) and
    returns what ``build.json`` records; a concurrent build that finished first wins, so
    first runs started together are safe.
    """
    from gemeval import __version__

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=target.parent))
    try:
        (tmp / "records").mkdir()
        (tmp / "images").mkdir()
        meta = fill(tmp)
        (tmp / "build.json").write_text(json.dumps(meta | {"built_by": f"gemeval {__version__}"}, indent=2))
        try:
            os.replace(tmp, target)
        except OSError:
            if not (target / "build.json").is_file():
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _clean(value: Any) -> Any:
    """NaN -> None recursively, so items.jsonl is strict JSON."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return None if not np.isfinite(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def make_item(item_id: str, truth: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    from gemeval.ecg.interpret import diagnose, write_interpretation

    truth = _clean(truth)
    condition = truth["condition"]
    others = [c for c in CONDITION_NAMES if c != condition]
    distractors = list(rng.choice(others, size=len(LETTERS) - 1, replace=False))
    options = distractors + [condition]
    rng.shuffle(options)
    answer = LETTERS[options.index(condition)]
    findings = diagnose(truth)
    return {
        "id": item_id,
        "condition": condition,
        "truth": truth,
        "reference_interpretation": write_interpretation(truth, findings, record_id=item_id),
        "reference_report": write_report(truth),
        "mcq": {"options": [CONDITION_NAMES[c] for c in options], "answer": answer},
        "qa": make_question(truth, rng),
    }


def write_report(truth: dict[str, Any]) -> str:
    """A short clinician-style report: rhythm and rate, then the diagnosis."""
    rhythm = "Atrial fibrillation" if truth.get("rhythm") == "atrial_fibrillation" else "Sinus rhythm"
    parts = [f"{rhythm}, ventricular rate {truth['hr_bpm']:.0f}/min."]
    condition = truth["condition"]
    if condition not in ("normal", "atrial_fibrillation"):
        parts.append(CONDITION_NAMES[condition] + ".")
    if condition == "normal":
        parts.append("Normal ECG.")
    return " ".join(parts)


def make_question(truth: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """One ECG-QA-style question with options, answerable from the truth."""
    kind = int(rng.integers(0, 3))
    if kind == 0:
        answer = "atrial fibrillation" if truth.get("rhythm") == "atrial_fibrillation" else "sinus rhythm"
        return {"question": "What is the underlying rhythm of this ECG?", "options": list(QA_RHYTHMS), "answers": [answer]}
    if kind == 1:
        wide = truth["qrs_ms"] >= 120
        return {
            "question": "Is the QRS complex prolonged (120 ms or more) in this ECG?",
            "options": ["yes", "no"], "answers": ["yes" if wide else "no"],
        }
    axis = truth["axis_deg"]
    answer = "left axis deviation" if axis < -30 else "right axis deviation" if axis > 90 else "normal axis"
    return {
        "question": "What is the frontal QRS axis of this ECG?",
        "options": ["normal axis", "left axis deviation", "right axis deviation"], "answers": [answer],
    }


def _prompt(task: TaskSpec, extra: str = "") -> str:
    base = (task.prompt or "").strip()
    return f"{base}\n{extra}".strip() if extra else base


def _options_block(options: Iterable[str]) -> str:
    return "Options:\n" + "\n".join(f"{LETTERS[i]}. {text}" for i, text in enumerate(options))


def samples_for(task: TaskSpec, bench: SyntheticBenchmark) -> list[Sample]:
    out: list[Sample] = []
    n_options = int(task.options.get("n_options", len(LETTERS)))
    for item in bench.items:
        truth = item["truth"]
        reference: dict[str, Any]
        prompt = _prompt(task)
        if task.kind == "grounded":
            reference = {"text": item["reference_interpretation"], "labels": truth["labels"]}
        elif task.kind == "multilabel":
            space = task.label_space or "ptbxl-super"
            if space == "ptbxl-super":
                labels = truth["superclasses"]
            else:
                labels = LABEL_SPACE_MAP.get(space, {}).get(item["condition"], [])
            reference = {"labels": labels}
        elif task.kind == "mcq":
            options, answer = _fit_options(item["mcq"]["options"], item["mcq"]["answer"], n_options)
            prompt = _prompt(task, _options_block(options))
            reference = {"answer": answer, "options": options}
        elif task.kind == "qa":
            qa = item["qa"]
            prompt = f"{qa['question']}\nOptions: {', '.join(qa['options'])}."
            reference = {"answers": qa["answers"], "options": qa["options"]}
        elif task.kind == "report":
            reference = {"text": item["reference_report"]}
        else:  # arena: an open question answered by the reference interpretation
            reference = {"text": item["reference_interpretation"]}
        out.append(Sample(
            id=item["id"],
            task=task.name,
            prompt=prompt,
            reference=reference,
            record_path=bench.record_path(item["id"]),
            image_path=bench.image_path(item["id"]),
            truth=truth,
            truth_source="synthetic-truth",
            group=item["id"],
            meta={"condition": item["condition"], "source": "synthetic"},
        ))
    return out


def _fit_options(options: list[str], answer: str, n_options: int) -> tuple[list[str], str]:
    """Keep the correct option and the first distractors when a task wants fewer options."""
    if n_options >= len(options):
        return options, answer
    correct = options[LETTERS.index(answer)]
    kept = [o for o in options if o != correct][: n_options - 1]
    slot = LETTERS.index(answer) % n_options
    kept.insert(slot, correct)
    return kept, LETTERS[slot]


def load(task: TaskSpec, options: DataOptions) -> Dataset:
    n = options.synthetic_n or DEFAULT_N
    bench = ensure_built(n)
    return Dataset(
        samples=samples_for(task, bench),
        source=f"synthetic-v{VERSION}",
        files=[str(bench.root)],
        note=f"embedded synthetic benchmark v{VERSION} ({n} records, seed {SEED}): exact truth, not clinical data",
        synthetic_n=n,
    )
