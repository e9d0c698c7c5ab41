"""The same measurements through neurokit2's per-lead pipeline, for comparison.

neurokit2 is the field's usual open delineator: ``ecg_process`` (its cleaning, R peaks and
DWT delineation) runs on each of the 12 leads and each interval is the median over the
leads of the per-lead median beat widths. It gives HR, PR, QRS, QT and QTc; it has no
frontal axis, ST level or R/S amplitudes, which stay NaN with that reason.
``gemeval ecg measure --method neurokit2`` and ``benchmarks/measure.py`` use it; gemeval's
own ``measure`` is the default because neurokit2's delineation is biased on these records
(PR -65 ms, QRS +62 ms, QT +26 ms on the synthetic benchmark; see the README).
"""

from __future__ import annotations

import math
import warnings
from collections import defaultdict

import numpy as np

from gemeval.ecg.measure import Measurements
from gemeval.ecg.record import LEADS, Record

INTERVALS = {"pr_ms": ("ECG_P_Onsets", "ECG_R_Onsets"), "qrs_ms": ("ECG_R_Onsets", "ECG_R_Offsets"),
             "qt_ms": ("ECG_R_Onsets", "ECG_T_Offsets")}
NOT_PROVIDED = "neurokit2 does not measure it; use the default method"


def measure_neurokit2(record: Record) -> tuple[Measurements, int]:
    """neurokit2's measurements of ``record`` and the number of leads on which
    ``ecg_process`` raised (a lead that fails is left out of the medians)."""
    import neurokit2 as nk

    fs = int(round(record.fs_hz))
    per_lead: dict[str, list[float]] = defaultdict(list)
    failed = 0
    for lead in range(len(LEADS)):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                _, info = nk.ecg_process(record.signal_mv[lead].astype(np.float64), sampling_rate=fs)
        except Exception:  # noqa: BLE001 - neurokit2 raises many kinds on hard leads; count them
            failed += 1
            continue
        r_peaks = np.asarray(info["ECG_R_Peaks"], dtype=float)
        if r_peaks.size > 1:
            per_lead["rr_ms"].append(float(np.mean(np.diff(r_peaks))) * 1000.0 / fs)
        points = {key: np.asarray(info.get(key, []), dtype=float) for pair in INTERVALS.values() for key in pair}
        if len({len(v) for v in points.values()}) != 1:
            continue
        for name, (start, stop) in INTERVALS.items():
            widths = (points[stop] - points[start]) * 1000.0 / fs
            widths = widths[np.isfinite(widths) & (widths > 0)]
            if widths.size:
                per_lead[name].append(float(np.median(widths)))

    result = Measurements(record_id=str(record.record_id))
    for name in ("rr_ms", *INTERVALS):
        if per_lead[name]:
            setattr(result, name, float(np.median(per_lead[name])))
        else:
            result.reasons[name] = f"neurokit2 found no {name[:-3].upper()} on any of the 12 leads"
    if math.isfinite(result.rr_ms):
        result.hr_bpm = 60000.0 / result.rr_ms
        rr_s = result.rr_ms / 1000.0
        if math.isfinite(result.qt_ms):
            result.qtc_ms = result.qt_ms / math.sqrt(rr_s)
            result.qtc_fridericia_ms = result.qt_ms / rr_s ** (1.0 / 3.0)
    for name in ("axis_deg", "st_mv", "r_mv", "s_mv", "rhythm"):
        result.reasons[name] = NOT_PROVIDED
    return result, failed
