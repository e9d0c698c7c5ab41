"""What flows between the stages: a Sample goes into a model, a Prediction comes out.

Loaders yield Samples; adapters turn a batch of Samples into Predictions; scorers read a
Sample and its Prediction. Nothing downstream reaches back to an earlier stage.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from gemeval.ecg.record import Record


@dataclass
class Sample:
    """One item of a task.

    Attributes:
        id: unique within the task.
        task: task name.
        prompt: the instruction or question as text, without any image placeholder token;
            adapters add their own.
        reference: the gold answer in the task's terms, e.g. ``{"text": ...}``,
            ``{"labels": [...]}``, ``{"answer": "C", "options": [...]}``.
        record: the ECG in memory, when the loader already holds it.
        record_path: WFDB record path without extension, read on demand.
        image_path: a PNG/JPEG of the ECG page, read on demand.
        image_png: image bytes embedded in the source (parquet), if any.
        truth: values to verify a model's numeric claims against (keys as in
            ``gemeval.ecg.values.TRUTH_KEYS``: hr_bpm, pr_ms, qrs_ms, qt_ms, qtc_ms,
            axis_deg, st_mv per lead, ...).
        truth_source: where ``truth`` came from: "synthetic-truth",
            "machine-measurements" or "gemeval-measure".
        group: identity of the ECG, for clustered statistics when one ECG has several
            items; defaults to ``id``.
        meta: anything else (source file, original row, condition, ...).
    """

    id: str
    task: str
    prompt: str
    reference: dict[str, Any] = field(default_factory=dict)
    record: Record | None = None
    record_path: str | None = None
    image_path: str | None = None
    image_png: bytes | None = None
    truth: dict[str, Any] | None = None
    truth_source: str | None = None
    group: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.group is None:
            self.group = self.id

    @property
    def has_signal(self) -> bool:
        return self.record is not None or self.record_path is not None

    @property
    def has_image(self) -> bool:
        return self.image_png is not None or self.image_path is not None or self.has_signal

    def load_record(self) -> Record:
        """The ECG signal, read from ``record_path`` if not held in memory."""
        if self.record is not None:
            return self.record
        if self.record_path is None:
            raise ValueError(
                f"sample {self.id!r} of task {self.task!r} has no ECG signal; use a model "
                "that reads the image, or point the task at data with WFDB records"
            )
        from gemeval.ecg.io import read_record

        return read_record(self.record_path)

    def load_image_png(self, dpi: int = 100) -> bytes:
        """PNG bytes of the ECG page: embedded, from ``image_path``, or rendered."""
        if self.image_png is not None:
            return self.image_png
        if self.image_path is not None:
            path = Path(self.image_path)
            if not path.is_file():
                raise FileNotFoundError(
                    f"sample {self.id!r}: image {path} not found; check --data-dir or the "
                    "image folder of the dataset"
                )
            return path.read_bytes()
        from gemeval.ecg.render import render_png

        return render_png(self.load_record(), dpi=dpi)


@dataclass
class Prediction:
    """A model's answer for one sample.

    ``text`` is None exactly when ``error`` says why; one failed item never fails a batch.
    """

    sample_id: str
    text: str | None
    error: str | None = None
    latency_s: float | None = None
    usage: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None and self.text is not None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
