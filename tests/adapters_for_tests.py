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


class ModalitySplitModel(MeasureModel):
    """Reads the signal like the measure baseline when it has the signal (``signal`` or
    ``both``); with the image only it can read nothing and writes the constant text."""

    name = "modality-split"

    def __init__(self, modality: str = "both", batch_size: int = 8):
        super().__init__(modality=modality, batch_size=batch_size)

    def generate(self, samples: Sequence[Sample]) -> list[Prediction]:
        if self.modality == "image":
            return [Prediction(s.id, ConstantModel.TEXT) for s in samples]
        return super().generate(samples)

    def describe(self) -> dict[str, Any]:
        return super().describe() | {"label": "modality-split"}


class PageReader(MeasureModel):
    """Reads the page: the measure baseline's answer when the page is the clean rendering
    of the record (under 0.1% of pixels off by more than 40 levels: the stored signal's
    1 uV rounding moves a few antialiased edges), the constant text when anything has
    disturbed it."""

    name = "page-reader"

    def __init__(self, modality: str = "image", batch_size: int = 4):
        super().__init__(modality=modality, batch_size=batch_size)

    def generate(self, samples: Sequence[Sample]) -> list[Prediction]:
        import io

        import numpy as np
        from PIL import Image

        from gemeval.ecg.render import render_png

        out = []
        for sample in samples:
            page = np.asarray(Image.open(io.BytesIO(sample.load_image_png())).convert("RGB"))
            clean = np.asarray(Image.open(io.BytesIO(render_png(sample.load_record(), dpi=100))).convert("RGB"))
            off = np.abs(page.astype(int) - clean.astype(int)).max(axis=2) > 40 if page.shape == clean.shape else None
            if off is not None and off.mean() < 0.001:
                out.extend(super().generate([sample]))
            else:
                out.append(Prediction(sample.id, ConstantModel.TEXT))
        return out

    def describe(self) -> dict[str, Any]:
        return super().describe() | {"label": "page-reader"}


class BuggyModel(MeasureModel):
    """The measure baseline with a programming error: ``describe`` raises ValueError."""

    name = "buggy"

    def describe(self) -> dict[str, Any]:
        raise ValueError("simulated bug in describe")
