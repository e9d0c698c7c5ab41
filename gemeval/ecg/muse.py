"""Read GE resting-ECG XML exports: the signal and the cart's own measurements.

Two GE formats carry the 12SL program's measurements beside the waveform:

* MUSE ``<RestingECG>`` exports: ``<Waveform>`` blocks (``WaveformType`` ``Rhythm``, the
  10 s strip, and ``Median``, the median beat), each lead's samples as base64 of
  little-endian 16-bit integers times ``LeadAmplitudeUnitsPerBit`` µV (usually 8 leads, I,
  II, V1-V6, from which III, aVR, aVL and aVF follow by Einthoven and Goldberger);
  ``<RestingECGMeasurements>`` (rate, PR, QRS, QT, QTc, axes, and the fiducials
  ``POnset``, ``QOnset``, ``QOffset``, ``TOffset`` in median-beat samples at
  ``ECGSampleBase`` Hz); ``<MeasuredAmplitude>`` per lead, of which ``IE_STJ60`` is the ST
  level at J + 60 ms in µV.
* CardioSoft ``<CardiologyXML>`` exports: ``<StripData>`` and ``<MedianSamples>`` with one
  comma-separated ``<WaveformData lead="...">`` per lead in ``Resolution`` µV per unit, and
  ``<RestingECGMeasurements>`` (rate, ``PQInterval``, QRS, QT, ``QTCInterval``, ``RAxis``,
  fiducials in ms on the median beat).

:func:`read_ge_xml` returns both as :class:`GeEcg`: the rhythm strip as a ``Record``
(12 leads in ``LEADS`` order, mV), the median beat likewise, the measurements under the
names of ``gemeval.ecg.values`` and the fiducials in median-beat samples.
"""

from __future__ import annotations

import base64
import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from gemeval.ecg.io import normalise_lead_name
from gemeval.ecg.record import LEADS, Record, RecordError

_MUSE_MEASURES = {"VentricularRate": "hr_bpm", "PRInterval": "pr_ms", "QRSDuration": "qrs_ms",
                  "QTInterval": "qt_ms", "QTCorrected": "qtc_ms", "QTcFrederica": "qtc_fridericia_ms",
                  "RAxis": "axis_deg"}
_CARDIOSOFT_MEASURES = {"VentricularRate": "hr_bpm", "PQInterval": "pr_ms", "QRSDuration": "qrs_ms",
                        "QTInterval": "qt_ms", "QTCInterval": "qtc_ms", "RAxis": "axis_deg",
                        "RRInterval": "rr_ms"}
_FIDUCIALS = {"POnset": "p_onset", "QOnset": "qrs_onset", "QOffset": "qrs_offset", "TOffset": "t_offset"}


@dataclass
class GeEcg:
    """One GE XML export: the strip, the median beat and the cart's measurements.

    Attributes:
        record: the rhythm strip (12 leads, mV).
        median: the cart's median beat (12 leads, mV), or None if the file has none.
        measurements: the cart's values under ``gemeval.ecg.values`` names (``hr_bpm``,
            ``pr_ms``, ``qrs_ms``, ``qt_ms``, ``qtc_ms``, ``axis_deg``, and where present
            ``qtc_fridericia_ms``, ``rr_ms``, ``st_mv`` per lead at J + 60 ms); a value the
            file leaves empty is absent.
        fiducials: ``p_onset``, ``qrs_onset``, ``qrs_offset``, ``t_offset`` as sample
            indices of ``median`` (absent when the file has none).
        device: the analysis program as the file names it.
    """

    record: Record
    median: Record | None
    measurements: dict[str, Any] = field(default_factory=dict)
    fiducials: dict[str, int] = field(default_factory=dict)
    device: str = ""


def read_ge_xml(path: str | Path) -> GeEcg:
    """Read a GE MUSE (``<RestingECG>``) or CardioSoft (``<CardiologyXML>``) export.

    Raises:
        RecordError: the file is missing, is not XML, is neither format, or lacks the
            rhythm strip or a lead; the message names the file and the problem.
    """
    path = Path(path)
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as error:
        raise RecordError(f"{path}: not a readable XML file ({error})") from error
    if root.tag == "RestingECG":
        return _muse(root, path)
    if root.tag == "CardiologyXML":
        return _cardiosoft(root, path)
    raise RecordError(f"{path}: root element <{root.tag}> is neither GE MUSE <RestingECG> nor "
                      "CardioSoft <CardiologyXML>")


def _twelve(leads: dict[str, np.ndarray], path: Path, what: str) -> np.ndarray:
    """(12, n) in LEADS order, deriving the limb leads from I and II when missing."""
    if "I" in leads and "II" in leads:
        lead_i, lead_ii = leads["I"], leads["II"]
        derived = {"III": lead_ii - lead_i, "aVR": -(lead_i + lead_ii) / 2.0,
                   "aVL": lead_i - lead_ii / 2.0, "aVF": lead_ii - lead_i / 2.0}
        leads = {**derived, **leads}
    missing = [lead for lead in LEADS if lead not in leads]
    if missing:
        raise RecordError(f"{path}: {what} lacks lead(s) {', '.join(missing)}")
    length = min(trace.size for trace in leads.values())
    return np.vstack([leads[lead][:length] for lead in LEADS]).astype(np.float32)


def _number(text: str | None) -> float:
    try:
        return float(text) if text is not None and text.strip() else math.nan
    except ValueError:
        return math.nan


def _muse_waveform(root: ET.Element, kind: str, path: Path) -> tuple[np.ndarray, float] | None:
    for waveform in root.findall("Waveform"):
        if (waveform.findtext("WaveformType") or "").strip() != kind:
            continue
        fs_hz = _number(waveform.findtext("SampleBase"))
        leads: dict[str, np.ndarray] = {}
        for lead_data in waveform.findall("LeadData"):
            name = normalise_lead_name(lead_data.findtext("LeadID") or "")
            if name is None:
                continue
            raw = base64.b64decode(lead_data.findtext("WaveFormData") or "")
            counts = np.frombuffer(raw[: len(raw) // 2 * 2], dtype="<i2").astype(np.float64)
            uv_per_bit = _number(lead_data.findtext("LeadAmplitudeUnitsPerBit"))
            leads[name] = counts * (uv_per_bit if math.isfinite(uv_per_bit) else 1.0) / 1000.0
        if not math.isfinite(fs_hz) or not leads:
            raise RecordError(f"{path}: the {kind} waveform has no sampling rate or no lead data")
        return _twelve(leads, path, f"the {kind} waveform"), fs_hz
    return None


def _muse(root: ET.Element, path: Path) -> GeEcg:
    rhythm = _muse_waveform(root, "Rhythm", path)
    if rhythm is None:
        raise RecordError(f"{path}: no <Waveform> of type Rhythm (the 10 s strip)")
    median = _muse_waveform(root, "Median", path)
    table = root.find("RestingECGMeasurements")
    measurements: dict[str, Any] = {}
    fiducials: dict[str, int] = {}
    if table is not None:
        for tag, key in _MUSE_MEASURES.items():
            value = _number(table.findtext(tag))
            if math.isfinite(value):
                measurements[key] = value
        median_fs = _number(table.findtext("ECGSampleBase"))
        for tag, key in _FIDUCIALS.items():
            value = _number(table.findtext(tag))
            if math.isfinite(value):
                scale = median[1] / median_fs if median and math.isfinite(median_fs) and median_fs > 0 else 1.0
                fiducials[key] = int(round(value * scale))
    st: dict[str, float] = {}
    for amplitude in root.iter("MeasuredAmplitude"):
        if (amplitude.findtext("AmplitudeMeasurementWaveID") or "").strip() != "IE_STJ60":
            continue
        lead = normalise_lead_name(amplitude.findtext("AmplitudeMeasurementLeadID") or "")
        value = _number(amplitude.findtext("AmplitudeMeasurementPeak"))
        if lead is not None and math.isfinite(value):
            st[lead] = value / 1000.0
    if len(st) == len(LEADS):
        measurements["st_mv"] = {lead: st[lead] for lead in LEADS}
    name = path.stem
    record = Record(rhythm[0], rhythm[1], name, source="ge-muse", path=str(path),
                    meta={"format": "GE MUSE XML"})
    median_record = None if median is None else Record(median[0], median[1], f"{name}-median",
                                                        source="ge-muse", path=str(path))
    version = root.findtext("TestDemographics/AnalysisSoftwareVersion") or ""
    return GeEcg(record, median_record, measurements, fiducials, f"GE MUSE 12SL {version}".strip())


def _cardiosoft_waveform(block: ET.Element | None, path: Path, what: str) -> tuple[np.ndarray, float] | None:
    if block is None:
        return None
    fs_hz = _number(block.findtext("SampleRate"))
    uv = _number(block.findtext("Resolution"))
    leads: dict[str, np.ndarray] = {}
    for data in block.findall("WaveformData"):
        name = normalise_lead_name(data.get("lead", ""))
        if name is None:
            continue
        values = [v for v in (data.text or "").replace("\n", "").split(",") if v.strip()]
        leads[name] = np.asarray(values, dtype=np.float64) * (uv if math.isfinite(uv) else 1.0) / 1000.0
    if not math.isfinite(fs_hz) or not leads:
        raise RecordError(f"{path}: {what} has no sampling rate or no lead data")
    return _twelve(leads, path, what), fs_hz


def _cardiosoft(root: ET.Element, path: Path) -> GeEcg:
    strip = _cardiosoft_waveform(root.find("StripData"), path, "<StripData>")
    if strip is None:
        raise RecordError(f"{path}: no <StripData> (the 10 s strip)")
    median = _cardiosoft_waveform(root.find("RestingECGMeasurements/MedianSamples"), path, "<MedianSamples>")
    table = root.find("RestingECGMeasurements")
    measurements: dict[str, Any] = {}
    fiducials: dict[str, int] = {}
    if table is not None:
        for tag, key in _CARDIOSOFT_MEASURES.items():
            value = _number(table.findtext(tag))
            if math.isfinite(value):
                measurements[key] = value
        for tag, key in _FIDUCIALS.items():
            value = _number(table.findtext(tag))  # ms from the median beat's first sample
            if math.isfinite(value) and median is not None:
                fiducials[key] = int(round(value * median[1] / 1000.0))
    name = path.stem
    record = Record(strip[0], strip[1], name, source="ge-cardiosoft", path=str(path),
                    meta={"format": "GE CardioSoft XML"})
    median_record = None if median is None else Record(median[0], median[1], f"{name}-median",
                                                        source="ge-cardiosoft", path=str(path))
    device = " ".join(filter(None, (root.findtext("ClinicalInfo/DeviceInfo/Desc"),
                                     root.findtext("ClinicalInfo/DeviceInfo/AnalysisVer"))))
    return GeEcg(record, median_record, measurements, fiducials, device)
