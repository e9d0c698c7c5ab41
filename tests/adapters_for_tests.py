"""Adapters that misbehave on purpose, loaded by the run tests as ``module:Class``."""

from __future__ import annotations

import time
from typing import Any, Sequence

from gemeval.models.measure import MeasureModel
from gemeval.sample import Prediction, Sample


class RaisingModel(MeasureModel):
    """The measure baseline, except that ``generate`` raises for the sample ``fail_id``."""

    name = "raising"

    def __init__(self, modality: str = "signal", batch_size: int = 1, fail_id: str = ""):
        super().__init__(modality=modality, batch_size=batch_size)
        self.fail_id = fail_id

    def generate(self, samples: Sequence[Sample]) -> list[Prediction]:
        for s in samples:
            if s.id == self.fail_id:
                raise RuntimeError(f"simulated crash on {s.id}")
        return super().generate(samples)

    def describe(self) -> dict[str, Any]:
        return super().describe() | {"label": "raising", "fail_id": self.fail_id}


class SlowModel(MeasureModel):
    """The measure baseline with a pause per batch, so a test can kill the run midway."""

    name = "slow"

    def __init__(self, modality: str = "signal", batch_size: int = 1, delay_s: float = 0.05):
        super().__init__(modality=modality, batch_size=batch_size)
        self.delay_s = float(delay_s)

    def generate(self, samples: Sequence[Sample]) -> list[Prediction]:
        time.sleep(self.delay_s)
        return super().generate(samples)

    def describe(self) -> dict[str, Any]:
        return super().describe() | {"label": "slow", "delay_s": self.delay_s}


class ConstantModel:
    """Writes the same plausible interpretation for every ECG, whatever it shows: the
    model that answers from priors, which the counterfactual probe must catch."""

    name = "constant"
    TEXT = ("Sinus rhythm at a rate of 72 bpm. PR interval 160 ms, QRS duration 92 ms, "
            "QT 390 ms, QTc 420 ms. The frontal QRS axis is +60 degrees. The ST segments are "
            "isoelectric. Impression: normal ECG.")

    def __init__(self, modality: str = "both", batch_size: int = 8):
        self.modality = modality
        self.batch_size = int(batch_size)

    def describe(self) -> dict[str, Any]:
        return {"adapter": "constant", "label": "constant", "modality": self.modality}

    def generate(self, samples: Sequence[Sample]) -> list[Prediction]:
        return [Prediction(s.id, self.TEXT) for s in samples]
