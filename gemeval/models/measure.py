"""The CPU baseline: measure the signal, write the interpretation by explicit rules.

No learning and no image: it reads the 12-lead signal, measures rate, rhythm, intervals,
axis and per-lead ST levels (gemeval.ecg.measure), derives diagnoses by stated thresholds
(gemeval.ecg.interpret.diagnose) and writes a grounded interpretation citing the values.
It is the floor every model must clear, and a check of the pipeline that needs no GPU and
no API key. For MCQ and classification tasks the same text is the answer: the scorers
extract labels or the option from it.
"""

from __future__ import annotations

import time
from typing import Any, Sequence

from gemeval.sample import Prediction, Sample


class MeasureModel:
    name = "measure"

    def __init__(self, modality: str = "signal", batch_size: int = 16):
        self.modality = modality
        self.batch_size = int(batch_size)

    def describe(self) -> dict[str, Any]:
        from gemeval import __version__

        return {"adapter": "measure", "label": "measure", "modality": self.modality,
                "reads": "signal", "version": __version__}

    def generate(self, samples: Sequence[Sample]) -> list[Prediction]:
        return [self._one(sample) for sample in samples]

    def _one(self, sample: Sample) -> Prediction:
        from gemeval.ecg.interpret import diagnose, write_interpretation
        from gemeval.ecg.measure import measure

        start = time.perf_counter()
        try:
            record = sample.load_record()
            values = measure(record).to_dict()
            findings = diagnose(values)
            text = write_interpretation(values, findings, record_id=sample.id)
            text = _answer_for(sample, text, findings)
        except Exception as exc:  # one bad record is that sample's error, not the batch's
            return Prediction(sample.id, None, error=f"{type(exc).__name__}: {exc}",
                              latency_s=time.perf_counter() - start)
        return Prediction(sample.id, text, latency_s=time.perf_counter() - start)


def _answer_for(sample: Sample, interpretation: str, findings: Sequence[Any]) -> str:
    """For an MCQ, pick the option that names one of the findings; else the interpretation."""
    options = sample.reference.get("options") if "answer" in sample.reference else None
    if not options:
        return interpretation
    names = [_finding_name(f).lower() for f in findings]
    for letter, option in zip("ABCDEFGH", options):
        low = option.lower()
        if any(name and (name in low or low in name) for name in names):
            return f"Answer: {letter}. {option}\n\n{interpretation}"
    return interpretation


def _finding_name(finding: Any) -> str:
    return str(getattr(finding, "name", finding))
