"""Counterfactual probe sets: ECGs that differ in exactly one controlled feature.

Does a model read the ECG, or write plausible text from priors? Each *probe group* is one
base record (a normal synthetic ECG) rebuilt at every level of one feature, with the same
body, morphology, lead placement, amplitudes, noise and prompt:

=========  ==============================  =============================================
feature    levels                          what is changed in the construction
=========  ==============================  =============================================
hr         50, 75, 110 bpm                 the sinus rate (QTc kept, so QT follows the rate)
pr         150, 240, 300 ms                P onset to QRS onset
qrs        90, 130, 160 ms                 QRS duration (the same waves, stretched)
qtc        410, 480, 540 ms                QTc (Bazett), at the base's rate
axis       -60, +45, +120 deg              the frontal QRS axis (the T wave turns with it)
st         0, +0.2, -0.15 mV               an ST injury current in one territory (inferior,
                                           anterior or lateral, by base), scaled so that the
                                           territory's index lead reads exactly the level
rhythm     sinus, atrial fibrillation      the P wave replaced by fibrillatory waves and an
                                           irregular ventricular response at the same rate
=========  ==============================  =============================================

Every variant carries its exact truth from the synthesiser; ``FEATURE_TRUTH`` reads the
varied feature's value from it. Pages are rendered with an opaque record id, so the header
does not say which feature was varied. ``check_groups`` verifies on the built records with
gemeval's measurement that each variant differs from its group only in its feature.

The set is built on first use and cached under ``gemeval.paths.cache_dir()/counterfactual``
like the embedded set; ``VERSION`` changes with anything that alters its content.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from gemeval.data.base import DataOptions, Dataset
from gemeval.data.synthetic import SyntheticBenchmark, _clean, build_atomically
from gemeval.paths import cache_dir
from gemeval.sample import Sample
from gemeval.tasks import TaskSpec

VERSION = 1
SEED = 1616  # fixed: the set is the same on every machine
DEFAULT_BASES = 24
MAX_BASE_HR_BPM = 85.0
"""Bases faster than this are skipped: at 95 bpm a PR of 300 ms would start the P wave on
the previous T wave, and the probe would test the synthesiser instead of the model."""


@dataclass(frozen=True)
class Feature:
    """One controlled feature: its grid and how a variant is made."""

    name: str
    quantity: str  # the claim quantity of gemeval.metrics.grounding
    levels: tuple[Any, ...]
    unit: str
    same_within: float  # two claims closer than this are "the same value"
    linked: tuple[str, ...] = ()  # other features that move with it by physiology


FEATURES: dict[str, Feature] = {f.name: f for f in (
    Feature("hr", "hr_bpm", (50.0, 75.0, 110.0), "bpm", 6.0),
    Feature("pr", "pr_ms", (150.0, 240.0, 300.0), "ms", 15.0),
    Feature("qrs", "qrs_ms", (90.0, 130.0, 160.0), "ms", 7.5),
    Feature("qtc", "qtc_ms", (410.0, 480.0, 540.0), "ms", 15.0),
    Feature("axis", "axis_deg", (-60.0, 45.0, 120.0), "deg", 18.0),
    Feature("st", "st_mv", (0.0, 0.2, -0.15), "mV", 0.04),
    Feature("rhythm", "rhythm", ("sinus", "atrial_fibrillation"), "", 0.5, linked=("pr", "hr", "qtc")),
)}
"""The grid. ``same_within`` is a quarter of the smallest step between levels; ``linked``
features may change with the varied one (AF has no PR, its own mean rate, and a QTc
that depends on which RR it is corrected by)."""

TERRITORY_DIRECTIONS: dict[str, tuple[float, float, float]] = {
    "inferior": (math.cos(math.radians(100.0)), math.sin(math.radians(100.0)), 0.0),
    "anterior": (0.15, -0.1, 1.0),
    "lateral": (1.0, -0.15, 0.1),
}
"""Direction (x left, y inferior, z anterior) of the ST injury current per territory."""
TERRITORY_LEADS: dict[str, tuple[str, ...]] = {
    "inferior": ("II", "III", "aVF"),
    "anterior": ("V1", "V2", "V3", "V4"),
    "lateral": ("I", "aVL", "V5", "V6"),
}


def feature_truth(feature: str, truth: dict[str, Any], st_lead: str | None = None) -> float | None:
    """The value of ``feature`` in ``truth`` (rhythm: 1 for AF, 0 for sinus); None if absent."""
    if feature == "rhythm":
        rhythm = truth.get("rhythm")
        return None if rhythm is None else float(rhythm == "atrial_fibrillation")
    if feature == "st":
        value = (truth.get("st_mv") or {}).get(st_lead) if st_lead else None
    else:
        value = truth.get(FEATURES[feature].quantity)
    if value is None or not math.isfinite(float(value)):
        return None
    return float(value)


def opaque_id(sample_id: str) -> str:
    """The record id printed on the page: says nothing about the feature or level."""
    return "ecg-" + hashlib.sha256(sample_id.encode()).hexdigest()[:10]


def _base_seeds(n_bases: int) -> list[int]:
    """Seeds of the first ``n_bases`` normal records not faster than ``MAX_BASE_HR_BPM``."""
    from gemeval.ecg.synth import synthesize

    seeds: list[int] = []
    i = 0
    while len(seeds) < n_bases:
        seed = int(np.random.SeedSequence([SEED, i]).generate_state(1)[0])
        i += 1
        _, truth = synthesize("normal", seed, duration_s=2.0)
        if truth["hr_bpm"] <= MAX_BASE_HR_BPM:
            seeds.append(seed)
    return seeds


@lru_cache(maxsize=64)
def _st_gain(seed: int, noise_seed: int, territory: str) -> tuple[float, dict[str, float], str]:
    """ST at J+60 ms of the plain base in its territory's index lead, the ST per mV of
    the territory's injury direction per lead, and that index lead (the largest gain)."""
    from gemeval.ecg.synth import synthesize

    direction = np.array(TERRITORY_DIRECTIONS[territory])
    _, plain = synthesize("normal", seed, noise_seed=noise_seed)
    _, unit = synthesize("normal", seed, noise_seed=noise_seed, st_injury_mv=tuple(direction))
    gain = {lead: unit["st_mv"][lead] - plain["st_mv"][lead] for lead in TERRITORY_LEADS[territory]}
    lead = max(gain, key=lambda name: gain[name])
    return float(plain["st_mv"][lead]), gain, lead


def _st_injury(seed: int, noise_seed: int, territory: str, level: float) -> tuple[list[float] | None, str]:
    """The injury vector that puts ST at J+60 ms of the territory's index lead at ``level``
    (exactly: ST is linear in the vector), and that lead; None for level 0 (the base)."""
    plain, gain, lead = _st_gain(seed, noise_seed, territory)
    if level == 0.0:
        return None, lead
    scale = (level - plain) / gain[lead]
    return [float(x) for x in np.array(TERRITORY_DIRECTIONS[territory]) * scale], lead


def variants(n_bases: int) -> list[dict[str, Any]]:
    """Every variant to build: base, feature, level, and the synthesiser's arguments."""
    out = []
    territories = list(TERRITORY_DIRECTIONS)
    for b, seed in enumerate(_base_seeds(n_bases)):
        base = f"cf-b{b + 1:02d}"
        noise_seed = int(np.random.SeedSequence([SEED, seed, 1]).generate_state(1)[0])
        territory = territories[b % len(territories)]
        for feature in FEATURES.values():
            for index, level in enumerate(feature.levels):
                spec: dict[str, Any] = {
                    "id": f"{base}-{feature.name}-{index}", "base": base, "seed": seed,
                    "noise_seed": noise_seed, "feature": feature.name, "level_index": index,
                    "level": level, "territory": territory, "set_features": {}, "st_injury_mv": None,
                }
                if feature.name == "st":
                    spec["st_injury_mv"], spec["st_lead"] = _st_injury(seed, noise_seed, territory, float(level))
                else:
                    spec["set_features"] = {feature.quantity: level}
                out.append(spec)
    # every variant of a base names the same index lead, so ST claims are read alike
    lead_of = {s["base"]: s["st_lead"] for s in out if "st_lead" in s}
    for spec in out:
        spec["st_lead"] = lead_of[spec["base"]]
    return out


def build_variant(spec: dict[str, Any]):
    """The record and truth of one variant (``variants`` entry)."""
    from gemeval.ecg.synth import synthesize

    record, truth = synthesize(
        "normal", spec["seed"], record_id=opaque_id(spec["id"]), noise_seed=spec["noise_seed"],
        set_features=spec["set_features"], st_injury_mv=spec["st_injury_mv"],
    )
    # the same person on every page (age and sex from the base's seed), no condition labels
    rng = np.random.default_rng(spec["seed"])
    record.age_years = float(rng.integers(25, 86))
    record.sex = str(rng.choice(["M", "F"]))
    record.labels, record.snomed_codes = [], []
    record.meta = {"probe": "counterfactual"}
    truth = dict(truth, condition="counterfactual", sex=record.sex)
    return record, truth


def set_dir(n_bases: int = DEFAULT_BASES) -> Path:
    return cache_dir() / "counterfactual" / f"v{VERSION}-seed{SEED}-n{n_bases}"


def ensure_built(n_bases: int = DEFAULT_BASES) -> SyntheticBenchmark:
    """The probe set of ``n_bases`` base records, built on first use."""
    target = set_dir(n_bases)
    if not (target / "build.json").is_file():
        build(target, n_bases)
    return SyntheticBenchmark(target)  # the same layout: records/, images/, items.jsonl


def build(target: Path, n_bases: int) -> None:
    from gemeval.console import track
    from gemeval.ecg.interpret import diagnose, finding_labels, write_interpretation
    from gemeval.ecg.io import write_record
    from gemeval.ecg.render import render_png

    def fill(tmp: Path) -> dict[str, Any]:
        specs = variants(n_bases)
        with (tmp / "items.jsonl").open("w") as fh:
            for spec in track(specs, f"building the counterfactual probe set ({len(specs)} ECGs)", len(specs)):
                record, truth = build_variant(spec)
                write_record(record, tmp / "records")
                render_png(record, dpi=100, path=tmp / "images" / f"{record.record_id}.png")
                truth = _clean(truth)
                findings = diagnose(truth)
                item = {k: spec[k] for k in ("id", "base", "feature", "level_index", "level",
                                             "territory", "st_lead", "seed", "noise_seed")}
                item.update(
                    record_id=record.record_id, truth=truth,
                    truth_value=feature_truth(spec["feature"], truth, spec["st_lead"]),
                    labels=finding_labels(findings),
                    reference_interpretation=write_interpretation(truth, findings, record_id=record.record_id),
                )
                fh.write(json.dumps(item, allow_nan=False) + "\n")
        return {"version": VERSION, "seed": SEED, "n_bases": n_bases,
                "features": {f.name: list(f.levels) for f in FEATURES.values()}}

    build_atomically(target, fill)


def probe_meta(item: dict[str, Any]) -> dict[str, Any]:
    """What the counterfactual scorer needs of a sample (stored in ``Sample.meta["cf"]``)."""
    return {k: item[k] for k in ("base", "feature", "level_index", "level", "truth_value", "territory", "st_lead")}


def samples_for(task: TaskSpec, bench: SyntheticBenchmark) -> list[Sample]:
    prompt = (task.prompt or "").strip()
    return [Sample(
        id=item["id"], task=task.name, prompt=prompt,
        reference={"text": item["reference_interpretation"], "labels": item["labels"]},
        record_path=bench.record_path(item["record_id"]), image_path=bench.image_path(item["record_id"]),
        truth=item["truth"], truth_source="synthetic-truth", group=item["base"],
        meta={"source": "counterfactual", "cf": probe_meta(item)},
    ) for item in bench.items]


def load(task: TaskSpec, options: DataOptions) -> Dataset:
    n_bases = options.synthetic_n or DEFAULT_BASES
    bench = ensure_built(n_bases)
    samples = samples_for(task, bench)
    return Dataset(
        samples=samples, source=f"counterfactual-v{VERSION}", files=[str(bench.root)],
        note=(f"counterfactual probe set v{VERSION}: {n_bases} base records x {len(samples) // n_bases} "
              f"variants ({', '.join(FEATURES)}), seed {SEED}; exact truth, not clinical data"),
        synthetic_n=n_bases,
    )


# ---------------------------------------------------------------------------------------
# Checking that a variant differs only in its feature
# ---------------------------------------------------------------------------------------


def check_groups(items: Sequence[dict[str, Any]],
                 values_of: Callable[[dict[str, Any]], dict[str, Any]]) -> list[str]:
    """Problems with the probe groups, judged on ``values_of(item)`` (a truth dict: the
    stored exact truth, or gemeval's measurement of the record): within each group, every
    feature except the varied one and its ``linked`` ones must stay within ``same_within``
    of the group's first variant, and the varied one must follow the grid's order."""
    problems: list[str] = []
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for item in items:
        groups.setdefault((item["base"], item["feature"]), []).append(item)
    for (base, name), members in sorted(groups.items()):
        members.sort(key=lambda it: it["level_index"])
        values = [values_of(it) for it in members]
        lead = members[0].get("st_lead")
        for other in FEATURES.values():
            if other.name == name or other.name in FEATURES[name].linked:
                continue
            got = [feature_truth(other.name, v, lead) for v in values]
            if any(g is None for g in got):
                problems.append(f"{base}/{name}: {other.name} missing in {[m['id'] for m, g in zip(members, got) if g is None]}")
                continue
            spread = max(got) - min(got)  # type: ignore[type-var,operator]
            if spread >= other.same_within:
                problems.append(f"{base}/{name}: {other.name} moves by {spread:.3g} {other.unit} "
                                f"(allowed < {other.same_within}): {[round(g, 3) for g in got]}")  # type: ignore[arg-type]
        varied = [feature_truth(name, v, lead) for v in values]
        levels = [FEATURES[name].levels[m["level_index"]] for m in members]
        numeric = [float(lv == "atrial_fibrillation") if isinstance(lv, str) else float(lv) for lv in levels]
        if any(v is None for v in varied) or np.argsort(varied).tolist() != np.argsort(numeric).tolist():  # type: ignore[arg-type]
            problems.append(f"{base}/{name}: the varied feature reads {varied} at levels {levels}")
    return problems
