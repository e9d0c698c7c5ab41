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
    """For a multiple-choice prompt, lead with the option that best matches the findings.

    The options are read from the prompt (never from the reference). Each option's text goes
    through the same label extractor the scorers use; an option scores one point per label
    it shares with the findings and loses half a point per label the findings lack, so the
    most specific matching option wins. No option with a positive score: no letter.
    """
    from gemeval.metrics.mcq import LETTERS, parse_options
    from gemeval.ecg.interpret import finding_labels
    from gemeval.metrics.labels import extract_labels

    options = parse_options(sample.prompt)
    if not options:
        return interpretation
    found = set(finding_labels(findings))
    best_score, best = 0.0, None
    for letter, option in zip(LETTERS, options):
        labels = set(extract_labels(option, "scp-findings"))
        score = len(labels & found) - 0.5 * len(labels - found)
        if score > best_score:
            best_score, best = score, (letter, option)
    if best is None:
        return interpretation
    return f"Answer: {best[0]}. {best[1]}\n\n{interpretation}"
