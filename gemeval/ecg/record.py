"""The one ECG record type every stage reads.

A record is a float32 array of shape (12, n_samples) in millivolts, leads in the canonical
order of ``LEADS``, with its sampling rate and metadata. Readers, the synthesiser and the
resampler all return this type; nothing downstream sees a file format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from gemeval.errors import InputError

LEADS: tuple[str, ...] = (
    "I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6",
)
LEAD_INDEX: dict[str, int] = {name: i for i, name in enumerate(LEADS)}


class RecordError(InputError):
    """A record that cannot be used, with the file and the problem in the message."""


@dataclass
class Record:
    """A 12-lead ECG.

    Attributes:
        signal_mv: float32 array (12, n_samples), millivolts, leads in ``LEADS`` order.
        fs_hz: sampling rate in Hz.
        record_id: identifier, unique within its source.
        age_years: age if known.
        sex: "M", "F" or None.
        labels: diagnosis labels as short codes (PTB-XL SCP codes or abbreviations).
        snomed_codes: SNOMED-CT codes from the header's ``Dx`` comment, as strings.
        source: where it came from ("synthetic", "ptbxl", "cinc2021", ...).
        path: the file it was read from (WFDB record path without extension), if any.
        meta: anything else the source provides (raw header comments, units seen, ...).
    """

    signal_mv: np.ndarray
    fs_hz: float
    record_id: str
    age_years: float | None = None
    sex: str | None = None
    labels: list[str] = field(default_factory=list)
    snomed_codes: list[str] = field(default_factory=list)
    source: str = "unknown"
    path: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.signal_mv = np.asarray(self.signal_mv, dtype=np.float32)
        if self.signal_mv.ndim != 2 or self.signal_mv.shape[0] != len(LEADS):
            raise RecordError(
                f"record {self.record_id!r}: signal must have shape (12, n), got "
                f"{self.signal_mv.shape}; read files through gemeval.ecg.io.read_record, "
                "which reorders leads to I, II, III, aVR, aVL, aVF, V1-V6"
            )

    @property
    def n_samples(self) -> int:
        return int(self.signal_mv.shape[1])

    @property
    def duration_s(self) -> float:
        return self.n_samples / float(self.fs_hz)

    def lead(self, name: str) -> np.ndarray:
        return self.signal_mv[LEAD_INDEX[name]]
