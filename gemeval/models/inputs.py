"""What adapters hand a model from a Sample: the ECG page as an image, the signal as text.

Image: the dataset's own picture when it has one, otherwise the standard page rendered
from the signal (``gemeval.ecg.render``) at the adapter's ``image_dpi``; which of the two
was used is returned with it, so the adapter can record it per sample.

Signal as text, for text-only models: the record resampled to ``hz`` (polyphase, with its
anti-alias low-pass: ``gemeval.ecg.io.resample``) and written as integer microvolts, one
line per lead in ``LEADS`` order::

    ECG signal: 12 leads, 10.0 s, resampled from 500 Hz to 50 Hz (one value every 20 ms), microvolts.
    I: 12,15,...
    ...

At 50 Hz a 10 s record is 500 values per lead, about 20k tokens in all; below about 50 Hz
the QRS complex (80-120 ms) is no longer represented by more than a few points.
"""

from __future__ import annotations

import hashlib
import io

import numpy as np
from PIL import Image

from gemeval.ecg.io import resample
from gemeval.ecg.record import LEADS, Record
from gemeval.sample import Sample

SIGNAL_TEXT_VERSION = 1
"""Bumped whenever the text layout changes: it is part of the adapters' describe()."""


def image_source(sample: Sample) -> str:
    """"dataset" when the sample carries its own picture, else "rendered"."""
    return "dataset" if sample.image_png is not None or sample.image_path is not None else "rendered"


def load_image_png(sample: Sample, dpi: int) -> tuple[bytes, str]:
    """PNG (or the dataset's JPEG) bytes of the ECG page, and ``image_source(sample)``."""
    return sample.load_image_png(dpi=dpi), image_source(sample)


def load_image(sample: Sample, dpi: int) -> tuple[Image.Image, str]:
    """The ECG page as an RGB PIL image, and where it came from (see ``image_source``)."""
    data, source = load_image_png(sample, dpi)
    image = Image.open(io.BytesIO(data))
    image.load()
    return image.convert("RGB"), source


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def signal_as_text(record: Record, hz: float = 50.0) -> str:
    """The record as text (layout in the module docstring)."""
    resampled = resample(record, hz).signal_mv.astype(np.float64)
    microvolts = np.rint(np.nan_to_num(resampled, nan=0.0, posinf=0.0, neginf=0.0) * 1000.0).astype(np.int64)
    step_ms = 1000.0 / hz
    lines = [
        f"ECG signal: {len(LEADS)} leads, {record.duration_s:.1f} s, resampled from {record.fs_hz:g} Hz "
        f"to {hz:g} Hz (one value every {step_ms:g} ms), microvolts."
    ]
    lines += [f"{name}: " + ",".join(str(v) for v in row) for name, row in zip(LEADS, microvolts)]
    return "\n".join(lines)


def with_signal_text(prompt: str, record: Record, hz: float) -> str:
    """The signal text, a blank line, then the prompt."""
    return f"{signal_as_text(record, hz)}\n\n{prompt}"
