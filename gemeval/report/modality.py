"""Modality consistency: does a model say the same about an ECG seen as an image, as a
signal, and as both?

Input: finished runs of one model on one task and the same data, differing in
``--modality`` (``gemeval run ... --modality image``, ``--modality signal``, ``--modality
both``). For every pair of runs and every feature of the counterfactual grid (rhythm, rate,
PR, QRS, QTc, axis, ST), over the samples both runs answered:

agreement
    the share of samples, of those where both texts state the feature, where the two
    readings are the same (within the feature's ``same_within``: 6 bpm, 15 ms for PR and
    QTc, 7.5 ms for QRS, 18 degrees, 0.04 mV; the same rhythm), with a bootstrap CI over
    whole ECGs (``Sample.group``);
one_sided
    the share of samples where exactly one of the two texts states it.

Readings are those of ``gemeval.metrics.counterfactual.read_features`` (the grounding
extractor's affirmed claims; a category is read as its typical value): the ``cf.readings``
a grounded-cf run stored, else read from the stored text. Outside grounded-cf, ST is read
from claims without a lead (no index lead is known).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from typing import Any, Mapping, Sequence

import numpy as np

from gemeval.data.counterfactual import FEATURES
from gemeval.metrics.counterfactual import PREFIX as CF_PREFIX
from gemeval.metrics.counterfactual import read_features
from gemeval.metrics.grounding import extract_claims
from gemeval.metrics.stats import DEFAULT_RESAMPLES, mean_ci
from gemeval.errors import InputError
from gemeval.report.compare import Run


class ModalityError(InputError):
    """Runs that cannot be compared across modalities; the message says why."""


@dataclass
class PairFeature:
    modality_a: str
    modality_b: str
    feature: str
    agreement: float
    ci_low: float
    ci_high: float
    n_both: int
    n_one_sided: int
    n_paired: int

    @property
    def one_sided(self) -> float:
        return self.n_one_sided / self.n_paired if self.n_paired else float("nan")


@dataclass
class ModalityReport:
    task: str
    model: str
    runs: dict[str, str]  # modality -> run directory
    rows: list[PairFeature] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"task": self.task, "model": self.model, "runs": self.runs, "features": list(FEATURES),
                "rows": [dict(vars(r), one_sided=r.one_sided) for r in self.rows]}


def readings_of(record: Mapping[str, Any]) -> dict[str, dict[str, Any]] | None:
    """The stored record's readings per feature; None when its prediction failed."""
    stored = (record.get("metrics") or {}).get(CF_PREFIX + "readings")
    if stored is not None:
        return stored
    text = (record.get("prediction") or {}).get("text")
    if not text:
        return None
    return read_features(extract_claims(text))


def _check(runs: Sequence[Run]) -> None:
    differences = []
    modalities = [str(r.config.get("modality")) for r in runs]
    if len(set(modalities)) != len(runs):
        differences.append(f"modality: each run must have its own, got {', '.join(modalities)}")
    for key, read in (("task", lambda r: r.config["task"]["name"]),
                      ("data fingerprint", lambda r: r.config["data"]["fingerprint"]),
                      ("model", lambda r: r.config["model"]["label"])):
        values = {str(read(r)) for r in runs}
        if len(values) > 1:
            differences.append(f"{key}: {', '.join(sorted(values))}")
    if differences:
        raise ModalityError("the runs must be one model on one task and the same data, one run per modality; "
                            "they differ in " + "; ".join(differences))


def modality_agreement(runs: Sequence[Run], n_resamples: int = DEFAULT_RESAMPLES, seed: int = 0) -> ModalityReport:
    """Agreement per feature for every pair of ``runs`` (2 or 3 runs of distinct modalities)."""
    if len(runs) < 2:
        raise ModalityError("give at least two runs of the same model and task, one per --modality")
    _check(runs)
    by_modality = {str(r.config.get("modality")): r for r in runs}
    report = ModalityReport(task=runs[0].config["task"]["name"], model=runs[0].config["model"]["label"],
                            runs={m: str(r.path) for m, r in by_modality.items()})
    readings = {m: {s["id"]: (s.get("group") or s["id"], readings_of(s)) for s in r.samples}
                for m, r in by_modality.items()}
    for a, b in combinations(sorted(by_modality), 2):
        shared = sorted(i for i in readings[a] if i in readings[b]
                        and readings[a][i][1] is not None and readings[b][i][1] is not None)
        for name, feature in FEATURES.items():
            agree, groups, one_sided = [], [], 0
            for sample_id in shared:
                group, ra = readings[a][sample_id]
                rb = readings[b][sample_id][1]
                va, vb = ra[name]["value"], rb[name]["value"]  # type: ignore[index]
                if va is None and vb is None:
                    continue
                if va is None or vb is None:
                    one_sided += 1
                    continue
                agree.append(float(abs(float(va) - float(vb)) < feature.same_within))
                groups.append(group)
            est = mean_ci(agree, groups=groups, n_resamples=n_resamples, seed=seed)
            report.rows.append(PairFeature(a, b, name, est.value, est.ci_low, est.ci_high,
                                           len(agree), one_sided, len(shared)))
    return report


def summary(report: ModalityReport) -> dict[tuple[str, str], float]:
    """Mean agreement over the features each pair could compare."""
    out: dict[tuple[str, str], list[float]] = {}
    for row in report.rows:
        if row.n_both:
            out.setdefault((row.modality_a, row.modality_b), []).append(row.agreement)
    return {pair: float(np.mean(values)) for pair, values in out.items()}
