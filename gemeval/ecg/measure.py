"""Global 12-lead ECG measurements from the signal: rate, intervals, axis, ST and R/S.

``measure(record, config)`` works as computerised carts do, on one median beat measured
with all leads together. Every threshold is a field of :class:`MeasureConfig` (defaults in
``DEFAULT_CONFIG``; pass another to change one).

0. Leads that are off (``gemeval.ecg.io.leads_off``: flat or zero-filled, the rule the
   loaders use too) are left out of everything below; ``Measurements.leads_off`` lists them
   with the reason and their per-lead values are NaN. A 1 mV calibration pulse at the
   start or end of the strip (a flat-topped step of 0.5-2 mV, 60-400 ms long, with steep
   edges, in at least half of the leads at the same time) is cut off before measuring
   (``Measurements.excluded_s``).
1. Resample to ``measure_fs_hz`` if needed. Two versions of the signal are kept: the
   delineation signal, band-passed ``band_hz`` (0.5-100 Hz) with 50 and 60 Hz notches
   (zero-phase), which keeps QRS edges sharp and the detector stable; and the diagnostic
   signal, with no high-pass at all (only the low-pass and notches), from which a cubic
   spline through every beat's PR-segment level (the isoelectric knots) is subtracted.
   ST levels, R/S amplitudes and the axis are read on the diagnostic signal, which keeps
   the diagnostic bandwidth down to DC (AHA: 0.05 Hz; a 0.5 Hz high-pass shifts ST).
2. Detect QRS complexes once for all leads (``_detect_r_peaks``: slope energy of the
   independent leads I, II, V1-V6 that are on, with T-wave and electrode-artefact
   rejection). Then artefacts are removed (``_remove_artefacts``): beats whose QRS
   correlates below ``artefact_correlation`` with the dominant QRS shape (the shape most
   beats share), of any size, alone or in a run, that sit inside what is one normal RR
   between two matching beats (at most ``artefact_rr_tolerance`` longer than the median)
   were not beats (motion artefacts); a premature ventricular beat, followed by its
   pause, is kept.
   RR (mean of all intervals) and rate = 60000 / RR come from the remaining beats.
3. Align every beat on the median QRS (cross-correlation, up to 10 ms), call beats whose
   QRS correlates below ``min_beat_correlation`` ectopic, and take the sample-wise median
   of the dominant beats (also leaving out premature ones when the rhythm is regular).
4. Global fiducials on the median beat, over all leads together, as carts define them:
   - QRS onset is the earliest onset and QRS offset the latest offset over the leads:
     the first and last moments at which the leads, together, move. That is read from
     the spatial velocity (sum over the leads that are on of |dV/dt|), which rises as soon
     as any lead starts its QRS and falls to its floor only when the last lead has ended,
     against its noise floor (``qrs_threshold``), with J found before an injury
     current's slope (``_qrs_bounds``). The offset is where the leads have returned to
     their ST level, not a moment at which they all stand still away from it: at the
     apex of a terminal wave (the R' of a right bundle branch block in V1, with the S in
     I and V6) every lead turns at once and the velocity touches its floor, and the QRS
     goes on while the leads then return towards the baseline (``_last_return``).
     (Per-lead onsets and offsets, combined as the
     earliest and the latest, were measured too: on real records they moved nothing by
     more than 2 ms and on synthetic ones they widened the QRS by 2.5-6 ms; see
     docs/measurement.md.)
   - T end is the latest T end over the leads whose T wave is at least
     ``t_lead_min_share`` of the largest (and ``min_t_mv``), each by ``t_end_method``:
     "trapezium" (default, Vazquez-Seisdedos et al. 2011), "tangent" (the steepest
     descending tangent meets the baseline) or "threshold" (the wave falls below
     ``t_threshold_share`` of its peak); see ``_t_end`` and the real-record figures in
     ``benchmarks/measure.py`` for the choice.
   - P onset is the earliest: the P-band spatial velocity over all leads, walking back
     from the P upstroke (``_p_wave``), present when the segment after the previous T wave
     holds a wave above ``min_p_mv`` that single beats repeat.
5. PR = QRS onset - P onset (NaN without a P wave, e.g. in atrial fibrillation); QRS =
   offset - onset; QT = T end - QRS onset; QTc = QT / sqrt(RR in s) (Bazett) and
   QT / cbrt(RR in s) (Fridericia).
6. Per lead, on the diagnostic median beat and relative to its PR-segment baseline (mean
   of the 12 ms up to QRS onset): ST level at J + ``st_offset_ms`` (J = QRS offset; mean
   over +-4 ms), R = highest positive peak inside the QRS (0 if none), S = most negative
   value after R (anywhere in a QS complex; 0 if none, negative otherwise).
7. Frontal axis = direction of the least-squares frontal vector that explains the net
   QRS areas of the limb leads that are on through their Einthoven lead vectors (lead I
   at 0 deg, aVF at +90 deg with length sqrt(3)/2, ...), in (-180, 180].
8. Rhythm: RR irregular (``rr_irregularity`` of the intervals between dominant beats
   above ``max_regular_irregularity``) without a P wave is "atrial_fibrillation"; with a
   P wave it is "sinus" when regular, "irregular" otherwise; regular without a P wave,
   or fewer than 3 beats, is "undetermined".

Nothing here raises on a real record: a value that cannot be measured is NaN (a per-lead
dict is all NaN) and ``Measurements.reasons[key]`` says why.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import signal as sps
from scipy.interpolate import CubicSpline

from gemeval.ecg.io import leads_off, resample
from gemeval.ecg.record import LEAD_INDEX, LEADS, Record
from gemeval.ecg.values import GLOBAL_KEYS, PER_LEAD_KEYS
from gemeval.errors import UsageError

INDEPENDENT_LEADS: tuple[str, ...] = ("I", "II", "V1", "V2", "V3", "V4", "V5", "V6")
LIMB_LEADS: tuple[str, ...] = ("I", "II", "III", "aVR", "aVL", "aVF")
_SQRT3_2 = math.sqrt(3.0) / 2.0
# Einthoven lead vectors (x to the left arm, y to the feet) of the limb leads.
LIMB_LEAD_VECTORS = np.array([
    [1.0, 0.0], [0.5, _SQRT3_2], [-0.5, _SQRT3_2],
    [-0.75, -_SQRT3_2 / 2.0], [0.75, -_SQRT3_2 / 2.0], [0.0, _SQRT3_2],
])
T_END_METHODS: tuple[str, ...] = ("trapezium", "tangent", "threshold")
T_END_ON: tuple[str, ...] = ("envelope", "latest", "largest")


@dataclass(frozen=True)
class MeasureConfig:
    """Every constant of the measurement, by unit-suffixed name; frozen and validated.

    ``measure(record, MeasureConfig(t_end_method="tangent"))`` changes one; the defaults
    (``DEFAULT_CONFIG``) are what the benchmarks report.

    Attributes:
        measure_fs_hz: every record is measured at this rate.
        band_hz: band-pass of the delineation signal (detection, fiducials).
        diagnostic_lowpass_hz: low-pass of the diagnostic signal (ST, amplitudes, axis),
            which has no high-pass: its baseline is a cubic spline through PR segments.
        mains_hz, notch_q: mains notches, where below the band's upper edge.
        qrs_band_hz: band of the QRS detector's slope energy.
        strong_qrs: detector: a candidate is a beat whatever its timing at this x
            80th-percentile candidate energy; weak_qrs: a beat unless where T waves are.
        max_lead_share: detector: more slope than this in one lead is an electrode artefact
            (checked only with at least ``min_share_leads`` leads on).
        artefact_correlation, artefact_rr_tolerance: see ``_remove_artefacts``.
        min_beats: fewer detected beats and nothing is measured.
        min_beat_correlation: QRS correlation with the median QRS of a dominant beat.
        premature_rr_ratio: in a regular rhythm, a beat this early is left out of the median.
        max_regular_irregularity: see ``rr_irregularity``.
        qrs_threshold: spatial velocity threshold, fraction of its peak above the floor.
        j_dip, j_dip_prominence, j_tail_area: see ``_qrs_bounds`` (fractions of the QRS
            velocity peak).
        qrs_apex_deviation, qrs_resume_ms, qrs_return_share: see ``_last_return``
            (``qrs_apex_deviation=1.0`` turns it off).
        p_threshold: P-band velocity threshold, fraction of the P upstroke's peak.
        min_p_mv: smallest P wave.
        min_p_correlation: mean correlation of single beats' P wave with the median's.
        min_t_mv: smallest T wave.
        t_end_method: "trapezium", "tangent" or "threshold" (see ``_lead_t_end``).
        t_end_on: what the method runs on (see ``_t_end``): "envelope" (the leads'
            normalised T envelope), "latest" (the latest of the per-lead T ends) or
            "largest" (the lead with the largest T wave only).
        t_threshold_share: the "threshold" method's level, fraction of the T peak.
        t_lead_min_share: leads whose T wave is at least this fraction of the largest take
            part in the envelope or the latest T end; t_irregular_min_share replaces it
            when it is smaller and the rhythm is irregular (fibrillatory waves in the
            median beat's T-P segment are as large as a small lead's T wave).
        t_envelope_floor: in the envelope, a lead is divided by its T peak, or by this
            fraction of the largest T peak if that is more (a small T wave is not
            magnified beyond it).
        st_offset_ms: the ST level is read at J + this.
        calibration_min_mv, calibration_max_mv, calibration_min_ms, calibration_max_ms:
            size and length of a calibration pulse; calibration_search_ms: how far from
            either end of the strip one is looked for.
    """

    measure_fs_hz: float = 500.0
    band_hz: tuple[float, float] = (0.5, 100.0)
    diagnostic_lowpass_hz: float = 100.0
    mains_hz: tuple[float, ...] = (50.0, 60.0)
    notch_q: float = 30.0
    qrs_band_hz: tuple[float, float] = (5.0, 25.0)
    strong_qrs: float = 0.4
    weak_qrs: float = 0.15
    max_lead_share: float = 0.6
    min_share_leads: int = 4
    artefact_correlation: float = 0.5
    artefact_rr_tolerance: float = 0.2
    min_beats: int = 2
    min_beat_correlation: float = 0.85
    premature_rr_ratio: float = 0.85
    max_regular_irregularity: float = 0.085
    qrs_threshold: float = 0.06
    j_dip: float = 0.25
    j_dip_prominence: float = 0.05
    j_tail_area: float = 0.12
    qrs_apex_deviation: float = 0.25
    qrs_resume_ms: float = 80.0
    qrs_return_share: float = 0.5
    p_threshold: float = 0.15
    min_p_mv: float = 0.04
    min_p_correlation: float = 0.4
    min_t_mv: float = 0.05
    t_end_method: str = "trapezium"
    t_threshold_share: float = 0.1
    t_lead_min_share: float = 0.15
    t_end_on: str = "envelope"
    t_envelope_floor: float = 0.3
    t_irregular_min_share: float = 0.5
    st_offset_ms: float = 60.0
    calibration_min_mv: float = 0.5
    calibration_max_mv: float = 2.0
    calibration_min_ms: float = 60.0
    calibration_max_ms: float = 400.0
    calibration_search_ms: float = 1500.0

    def __post_init__(self) -> None:
        problems = []
        if not 50.0 <= self.measure_fs_hz <= 20_000.0:
            problems.append(f"measure_fs_hz={self.measure_fs_hz} (50 to 20000 Hz)")
        for name in ("band_hz", "qrs_band_hz"):
            low, high = getattr(self, name)
            if not 0.0 < low < high:
                problems.append(f"{name}={getattr(self, name)} (0 < low < high)")
        if self.band_hz[0] > 1.0:
            problems.append(f"band_hz low edge {self.band_hz[0]} Hz (at most 1 Hz)")
        if self.diagnostic_lowpass_hz <= 0:
            problems.append(f"diagnostic_lowpass_hz={self.diagnostic_lowpass_hz} (> 0)")
        fractions = ("strong_qrs", "weak_qrs", "max_lead_share", "artefact_correlation",
                     "artefact_rr_tolerance", "min_beat_correlation", "premature_rr_ratio",
                     "qrs_threshold", "j_dip", "j_dip_prominence", "j_tail_area",
                     "qrs_apex_deviation", "qrs_return_share",
                     "p_threshold",
                     "min_p_correlation", "t_threshold_share", "t_lead_min_share", "t_envelope_floor",
                     "t_irregular_min_share")
        for name in fractions:
            if not 0.0 <= getattr(self, name) <= 1.0:
                problems.append(f"{name}={getattr(self, name)} (a fraction, 0 to 1)")
        if self.weak_qrs > self.strong_qrs:
            problems.append(f"weak_qrs={self.weak_qrs} above strong_qrs={self.strong_qrs}")
        if self.min_beats < 2:
            problems.append(f"min_beats={self.min_beats} (at least 2: RR needs two beats)")
        for name in ("min_p_mv", "min_t_mv", "max_regular_irregularity",
                     "st_offset_ms", "notch_q", "calibration_search_ms", "qrs_resume_ms"):
            if not getattr(self, name) >= 0.0:
                problems.append(f"{name}={getattr(self, name)} (>= 0)")
        if not 0 < self.calibration_min_mv <= self.calibration_max_mv:
            problems.append("calibration_min_mv must be > 0 and <= calibration_max_mv")
        if not 0 < self.calibration_min_ms <= self.calibration_max_ms:
            problems.append("calibration_min_ms must be > 0 and <= calibration_max_ms")
        if self.t_end_on not in T_END_ON:
            problems.append(f"t_end_on={self.t_end_on!r} (one of {', '.join(T_END_ON)})")
        if self.t_end_method not in T_END_METHODS:
            problems.append(f"t_end_method={self.t_end_method!r} (one of {', '.join(T_END_METHODS)})")
        if problems:
            raise UsageError("invalid MeasureConfig: " + "; ".join(problems))


DEFAULT_CONFIG = MeasureConfig()


@dataclass
class Measurements:
    """What ``measure`` found on one record.

    Scalars are NaN where the value does not exist or could not be measured; the key's
    entry in ``reasons`` says which. Per-lead dicts hold all 12 ``LEADS``; a lead that is
    off is NaN there, listed in ``leads_off`` with the reason.
    """

    record_id: str
    hr_bpm: float = math.nan
    rr_ms: float = math.nan
    pr_ms: float = math.nan
    qrs_ms: float = math.nan
    qt_ms: float = math.nan
    qtc_ms: float = math.nan
    qtc_fridericia_ms: float = math.nan
    axis_deg: float = math.nan
    st_mv: dict[str, float] = field(default_factory=lambda: dict.fromkeys(LEADS, math.nan))
    r_mv: dict[str, float] = field(default_factory=lambda: dict.fromkeys(LEADS, math.nan))
    s_mv: dict[str, float] = field(default_factory=lambda: dict.fromkeys(LEADS, math.nan))
    rhythm: str = "undetermined"
    rr_regular: bool = False
    n_beats: int = 0
    r_peaks: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    p_wave_present: bool = False
    pvc_count: int = 0
    leads_off: dict[str, str] = field(default_factory=dict)
    artefacts_removed: int = 0
    excluded_s: list[tuple[float, float]] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The ``TRUTH_KEYS`` values (floats, NaN where absent) plus ``id``, ``pvc_count``,
        ``leads_off`` (lead: why it was left out), ``excluded_s`` (spans cut off as
        calibration pulses, in s) and ``reasons``."""
        out: dict[str, Any] = {"id": self.record_id}
        for key in GLOBAL_KEYS:
            out[key] = float(getattr(self, key))
        for key in PER_LEAD_KEYS:
            out[key] = {lead: float(v) for lead, v in getattr(self, key).items()}
        out["rhythm"] = self.rhythm
        out["rr_regular"] = bool(self.rr_regular)
        out["pvc_count"] = int(self.pvc_count)
        out["leads_off"] = dict(self.leads_off)
        out["excluded_s"] = [list(span) for span in self.excluded_s]
        out["reasons"] = dict(self.reasons)
        return out


def _samples(ms: float, fs_hz: float) -> int:
    return int(round(ms * fs_hz / 1000.0))


def _ms(samples: float, fs_hz: float) -> float:
    return float(samples) * 1000.0 / fs_hz


@lru_cache(maxsize=16)
def _band_filter(cfg: MeasureConfig, diagnostic: bool) -> np.ndarray:
    """Second-order sections at ``cfg.measure_fs_hz``: Butterworth band-pass ``band_hz``
    (or, for the diagnostic signal, only a low-pass), the upper edge kept below Nyquist,
    and notches at the mains frequencies inside the band."""
    fs_hz = cfg.measure_fs_hz
    high = min(cfg.diagnostic_lowpass_hz if diagnostic else cfg.band_hz[1], 0.45 * fs_hz)
    if diagnostic:
        sections = [sps.butter(2, high, btype="lowpass", fs=fs_hz, output="sos")]
    else:
        sections = [sps.butter(2, (cfg.band_hz[0], high), btype="bandpass", fs=fs_hz, output="sos")]
    for mains_hz in cfg.mains_hz:
        if mains_hz < high:
            b, a = sps.iirnotch(mains_hz, cfg.notch_q, fs=fs_hz)
            sections.append(sps.tf2sos(b, a))
    return np.vstack(sections)


def _resampled(record: Record, cfg: MeasureConfig) -> np.ndarray:
    """The signal at ``measure_fs_hz`` as float64 (12, n), each lead minus its median.

    NaN or infinite samples are replaced by their lead's median (0 for a lead with no
    finite sample); records at other rates are resampled (gemeval.ecg.io.resample), so
    every window and threshold below is in the same samples and a 100 Hz record gets
    interpolated fiducials rather than 10 ms steps.
    """
    raw = record.signal_mv.astype(np.float64)
    finite = np.isfinite(raw)
    if not finite.all():
        fill = np.array([np.median(row[ok]) if ok.any() else 0.0 for row, ok in zip(raw, finite)])
        raw = np.where(finite, raw, fill[:, None])
    raw -= np.median(raw, axis=1, keepdims=True)
    if float(record.fs_hz) != cfg.measure_fs_hz:
        raw = resample(dataclasses.replace(record, signal_mv=raw), cfg.measure_fs_hz).signal_mv
    return raw.astype(np.float64)


def _filtered(raw: np.ndarray, cfg: MeasureConfig, diagnostic: bool) -> np.ndarray:
    if raw.shape[1] <= 30:
        return raw.copy()
    return sps.sosfiltfilt(_band_filter(cfg, diagnostic), raw, axis=1)


def calibration_pulses(signal_mv: np.ndarray, fs_hz: float, on: np.ndarray,
                       cfg: MeasureConfig = DEFAULT_CONFIG) -> list[tuple[int, int]]:
    """Calibration pulses at either end of a strip: (first, last + 1) sample spans.

    A pulse is a plateau (peak-to-peak under 10% of ``calibration_min_mv``) ``calibration_min_ms`` to
    ``calibration_max_ms`` long, ``calibration_min_mv`` to ``calibration_max_mv`` away from
    the level just outside it and from the lead's median, entered and left by steps that take at most 10 ms (or cut
    by the strip's edge), within ``calibration_search_ms`` of the start or the end, in at
    least half of the leads that are on (rows where ``on`` is True) at the same time.
    """
    n = signal_mv.shape[1]
    rows = np.flatnonzero(on)
    if rows.size == 0:
        return []
    search = min(n, _samples(cfg.calibration_search_ms, fs_hz))
    edge = max(1, _samples(10.0, fs_hz))
    min_len, max_len = _samples(cfg.calibration_min_ms, fs_hz), _samples(cfg.calibration_max_ms, fs_hz)
    spans = []
    for lo, hi in ((0, search), (max(0, n - search), n)):
        hits = np.zeros(hi - lo, dtype=int)
        for row in rows:
            span = _plateau(signal_mv[row, lo:hi], float(np.median(signal_mv[row])), edge, min_len,
                            max_len, cfg, lo == 0, hi == n)
            if span is not None:
                hits[span[0]: span[1]] += 1
        covered = hits * 2 >= rows.size
        if covered.sum() >= min_len:
            where = np.flatnonzero(covered)
            spans.append((lo + int(where[0]), lo + int(where[-1]) + 1))
    return spans


def _plateau(trace: np.ndarray, typical: float, edge: int, min_len: int, max_len: int,
             cfg: MeasureConfig, at_start: bool, at_end: bool) -> tuple[int, int] | None:
    """The longest calibration-like plateau in one lead's stretch (see calibration_pulses):
    its level is a pulse's height away both from the level next to it and from the lead's
    ``typical`` (median) level."""
    n = trace.size
    if n < min_len + 2 * edge:
        return None
    step = trace[edge:] - trace[:-edge]  # change over ``edge`` samples, at the later index - edge
    big = np.abs(step) >= cfg.calibration_min_mv
    # candidate edges: where a steep change ends (into a plateau) or begins (out of it),
    # one per run of steep samples
    steep = np.flatnonzero(big)
    runs = np.split(steep, np.flatnonzero(np.diff(steep) > 1) + 1) if steep.size else []
    starts = [int(run[-1]) + edge for run in runs]
    stops = [int(run[0]) for run in runs]
    if at_start:
        starts.append(0)
    if at_end:
        stops.append(n)
    best: tuple[int, int] | None = None
    for start in sorted(set(starts)):
        for stop in sorted(set(stops)):
            length = stop - start
            if length < min_len:
                continue
            if length > max_len:
                break
            body = trace[start:stop]
            level = float(np.mean(body))
            if not cfg.calibration_min_mv <= abs(level - typical) <= cfg.calibration_max_mv:
                continue  # the strip's own level next to a pulse, not the pulse
            if float(np.ptp(body)) > 0.1 * cfg.calibration_min_mv:
                continue
            height = _pulse_height(trace, start, stop, edge, level)
            if height is None or not cfg.calibration_min_mv <= height <= cfg.calibration_max_mv:
                continue
            if best is None or length > best[1] - best[0]:
                best = (start, stop)
            break
    return best


def _pulse_height(trace: np.ndarray, start: int, stop: int, edge: int, level: float) -> float | None:
    """|plateau level - the level just outside it| (the outside nearer the strip's middle)."""
    outside = []
    if start >= 2 * edge:
        outside.append(trace[max(0, start - 3 * edge): start - edge])
    if stop + 2 * edge <= trace.size:
        outside.append(trace[stop + edge: stop + 3 * edge])
    if not outside:
        return None
    return min(abs(level - float(np.median(part))) for part in outside)


@lru_cache(maxsize=4)
def _qrs_band_filter(cfg: MeasureConfig) -> np.ndarray:
    return sps.butter(2, cfg.qrs_band_hz, btype="bandpass", fs=cfg.measure_fs_hz, output="sos")


def _detect_r_peaks(filtered: np.ndarray, detect: list[int], cfg: MeasureConfig) -> np.ndarray:
    """R peaks (sample indices) of all leads at once.

    QRS energy = sum over the detection leads ``detect`` (the independent leads that are
    on) of |dV/dt| after a ``qrs_band_hz`` band-pass (where QRS complexes carry their
    energy and T waves little), averaged over 50 ms. Its local maxima at least 250 ms
    apart are candidates, except within 80 ms of the record's ends (filter and recording
    transients) and, with at least ``min_share_leads`` leads, where one lead carries more
    than ``max_lead_share`` of the slope (an electrode artefact: a QRS shows in many
    leads). They are scaled by the 80th percentile of all candidates' energy (a
    reference that a few artefacts do not move).
    Candidates from ``strong_qrs`` up are beats. Weaker ones down to ``weak_qrs`` are
    beats (wide ectopic complexes have less slope) unless they sit where the strong
    beats' T waves sit: within 60 ms of the median lag, after a strong beat, of the
    largest energy between 150 ms and 0.7 RR after it. Each beat's R is the largest
    spatial magnitude sqrt(sum V^2) within 60 ms of its energy peak.
    """
    fs_hz = cfg.measure_fs_hz
    independent = filtered[detect]
    band = sps.sosfiltfilt(_qrs_band_filter(cfg), independent, axis=1)
    slope = np.abs(np.gradient(band, axis=1))
    energy = _moving_average(np.sum(slope, axis=0), _samples(50.0, fs_hz))
    candidates, props = sps.find_peaks(energy, distance=_samples(250.0, fs_hz), height=0.0)
    edge = _samples(80.0, fs_hz)
    keep = (candidates >= edge) & (candidates < energy.size - edge)
    if len(detect) >= cfg.min_share_leads:
        keep &= _lead_share(slope, candidates, _samples(50.0, fs_hz)) <= cfg.max_lead_share
    candidates, heights = candidates[keep], props["peak_heights"][keep]
    reference = float(np.percentile(heights, 80)) if heights.size else 0.0
    if reference <= 0.0:
        return np.zeros(0, dtype=np.int64)
    relative = heights / reference
    strong = candidates[relative >= cfg.strong_qrs]
    weak = candidates[(relative >= cfg.weak_qrs) & (relative < cfg.strong_qrs)]
    beats = np.sort(np.concatenate([strong, weak[~_at_t_wave(weak, strong, energy, fs_hz)]]))
    magnitude = np.sqrt(np.sum(independent * independent, axis=0))
    half = _samples(60.0, fs_hz)
    r_peaks = [max(0, b - half) + int(np.argmax(magnitude[max(0, b - half): b + half + 1]))
               for b in beats]
    return np.unique(np.asarray(r_peaks, dtype=np.int64))


def _lead_share(slope: np.ndarray, at: np.ndarray, half: int) -> np.ndarray:
    """Per candidate, the largest single lead's share of the slope summed over leads
    within ``half`` samples: near 1 for an electrode artefact, well below for a QRS."""
    share = np.empty(at.size)
    for i, centre in enumerate(at):
        per_lead = slope[:, max(0, centre - half): centre + half + 1].sum(axis=1)
        share[i] = float(per_lead.max() / max(per_lead.sum(), 1e-12))
    return share


def _at_t_wave(weak: np.ndarray, strong: np.ndarray, energy: np.ndarray,
               fs_hz: float) -> np.ndarray:
    """Which weak candidates lie where a strong beat's T wave does (see _detect_r_peaks).

    A candidate before the first strong beat is checked against the T wave of the beat
    one median RR before it, which the record cut off.
    """
    on_t = np.zeros(weak.size, dtype=bool)
    if strong.size < 2 or weak.size == 0:
        return on_t
    lags = []
    for first, second in zip(strong[:-1], strong[1:]):
        lo, hi = first + _samples(150.0, fs_hz), first + int(0.7 * (second - first))
        if hi > lo:
            lags.append(lo + int(np.argmax(energy[lo:hi])) - first)
    if not lags:
        return on_t
    t_lag = float(np.median(lags))
    median_rr = float(np.median(np.diff(strong)))
    tolerance = _samples(60.0, fs_hz)
    for i, candidate in enumerate(weak):
        before = strong[strong < candidate]
        beat = before[-1] if before.size else strong[0] - median_rr
        on_t[i] = abs(candidate - beat - t_lag) <= tolerance
    return on_t


def _remove_artefacts(filtered: np.ndarray, r_peaks: np.ndarray, detect: list[int],
                      cfg: MeasureConfig) -> np.ndarray:
    """R peaks without the detected beats that are not QRS complexes (step 2 of the
    module docstring).

    Each beat's QRS is correlated with the template of the dominant shape
    (``_dominant_shape``: the beats that look like the beat most others look like, so
    neither artefacts nor ectopic beats, however large or many, make it). A beat below
    ``artefact_correlation`` does not match. The typical RR is the median interval
    between consecutive matching beats. Between two matching beats, a stretch of k
    beats that do not match is a stretch of k + 1 intervals; while the stretch has too
    little room for them (k intervals would still average at most (1 +
    ``artefact_rr_tolerance``) x the typical RR), its worst-matching beat is dropped and
    the record looked at again. So a motion artefact of any size, or a run of them,
    inside one normal RR is dropped, and a premature ventricular beat followed by its
    pause (two RRs between its neighbours) is kept; an interpolated ventricular beat
    (one inside a normal RR) is dropped with the artefacts. A first or last beat that does not
    match (or is too near the record's end to be compared) and comes too early to be one
    (its neighbour under (1 - 2 ``artefact_rr_tolerance``) x RR away: an early beat of
    atrial fibrillation is not that early) is dropped too.
    """
    if r_peaks.size < 4:
        return r_peaks
    before, after = _qrs_window(cfg.measure_fs_hz)
    usable = (r_peaks - before >= 0) & (r_peaks + after <= filtered.shape[1])
    if usable.sum() < 3:
        return r_peaks
    windows = _beat_windows(filtered[detect], r_peaks[usable], before, after)
    dominant = _dominant_shape(windows, cfg.min_beat_correlation)
    alignment = _align(filtered, r_peaks[usable], detect, cfg, template_beats=dominant)
    correlation = np.ones(r_peaks.size)
    compared = np.zeros(r_peaks.size, dtype=bool)
    compared[np.flatnonzero(usable)[alignment.usable]] = True
    correlation[compared] = alignment.correlation
    matching = correlation >= cfg.artefact_correlation
    good = r_peaks[matching]
    if good.size < 3:
        return r_peaks
    typical = float(np.median(np.diff(good)))
    roomy = (1.0 + cfg.artefact_rr_tolerance) * typical
    keep = list(range(r_peaks.size))
    while len(keep) > 2:
        candidates = []
        position = 1
        while position < len(keep) - 1:
            if matching[keep[position]]:
                position += 1
                continue
            stop = position  # the stretch of non-matching beats is keep[position:stop]
            while stop < len(keep) - 1 and not matching[keep[stop]]:
                stop += 1
            span = float(r_peaks[keep[stop]] - r_peaks[keep[position - 1]])
            if span <= roomy * (stop - position):
                candidates += [(correlation[i], i) for i in keep[position:stop]]
            position = stop
        for position in (0, len(keep) - 1):  # an edge beat has one neighbour: too close to it
            i, neighbour = keep[position], keep[1 if position == 0 else -2]
            gap = abs(float(r_peaks[i] - r_peaks[neighbour]))
            if (not matching[i] or not compared[i]) and gap < (1.0 - 2.0 * cfg.artefact_rr_tolerance) * typical:
                candidates.append((correlation[i], i))
        if not candidates:
            break
        keep.remove(min(candidates)[1])
    return r_peaks[keep]


def _dominant_shape(windows: np.ndarray, min_correlation: float) -> np.ndarray:
    """Which beats (of ``windows``, (beats, leads, samples)) have the dominant QRS shape:
    the beat with the highest median correlation with all the others (the shape most
    beats share) and those correlating with it at ``min_correlation`` or more."""
    flat = windows.reshape(windows.shape[0], -1)
    flat = flat - flat.mean(axis=1, keepdims=True)
    flat = flat / np.maximum(np.linalg.norm(flat, axis=1, keepdims=True), 1e-12)
    similarity = flat @ flat.T
    medoid = int(np.argmax(np.median(similarity, axis=1)))
    return similarity[medoid] >= min(min_correlation, 1.0 - 1e-9)


def rr_irregularity(rr_ms: np.ndarray) -> float:
    """Mean absolute successive RR difference over the mean RR (0 for a metronome).

    Meant for intervals between consecutive dominant beats (ectopic beats and their
    pauses already left out): sinus rhythm stays below about 0.08 even with respiratory
    variation, atrial fibrillation is typically 0.15-0.3. NaN for fewer than two
    intervals.
    """
    if rr_ms.size < 2:
        return math.nan
    return float(np.mean(np.abs(np.diff(rr_ms))) / np.mean(rr_ms))


@dataclass
class _Beats:
    """The aligned beat windows that make the median beat."""

    windows: np.ndarray  # (n_beats, 12, n_window)
    median: np.ndarray  # (12, n_window)
    r_index: int  # R peak position inside the window
    peaks: np.ndarray  # the aligned R peaks the windows are cut around


def _beat_windows(filtered: np.ndarray, r_peaks: np.ndarray, pre: int, post: int) -> np.ndarray:
    starts = r_peaks - pre
    offsets = np.arange(pre + post)
    return np.transpose(filtered[:, starts[:, None] + offsets[None, :]], (1, 0, 2))


def _qrs_window(fs_hz: float) -> tuple[int, int]:
    """Samples before and after R that hold the QRS complex for template matching."""
    return _samples(80.0, fs_hz), _samples(100.0, fs_hz)


@dataclass
class _Alignment:
    """Every usable beat's R peak shifted onto the median QRS, and how well it matches."""

    peaks: np.ndarray  # aligned R peaks of the beats whose QRS window fits in the record
    correlation: np.ndarray  # with the median QRS, at the best shift
    usable: np.ndarray  # which of the detected peaks these are (bool mask)


def _align(filtered: np.ndarray, r_peaks: np.ndarray, detect: list[int],
           cfg: MeasureConfig, template_beats: np.ndarray | None = None) -> _Alignment:
    """Shift each beat (up to 10 ms) to best match the median QRS of all beats (or of
    those where ``template_beats``, a mask over ``r_peaks``, is True).

    The QRS is R - 80 ms to R + 100 ms in the detection leads; the match is the
    correlation coefficient, and the best shift is the one that maximises it. Aligning
    first keeps R-peak jitter from smearing the median beat or lowering the correlation
    of normal beats.
    """
    fs_hz = cfg.measure_fs_hz
    before, after = _qrs_window(fs_hz)
    max_shift = _samples(10.0, fs_hz)
    usable = (r_peaks - before - max_shift >= 0) & (r_peaks + after + max_shift <= filtered.shape[1])
    peaks = r_peaks[usable]
    if peaks.size == 0:
        return _Alignment(peaks, np.zeros(0), usable)
    independent = filtered[detect]
    chosen = peaks if template_beats is None or not template_beats[usable].any() else peaks[template_beats[usable]]
    template = np.median(_beat_windows(independent, chosen, before, after), axis=0).ravel()
    template = template - template.mean()
    template /= max(float(np.linalg.norm(template)), 1e-12)
    shifts = np.arange(-max_shift, max_shift + 1)
    # (beats, shifts, leads, samples): every candidate QRS cut at once
    cuts = _beat_windows(independent, (peaks[:, None] + shifts[None, :]).ravel(), before, after)
    cuts = cuts.reshape(peaks.size, shifts.size, -1)
    cuts = cuts - cuts.mean(axis=2, keepdims=True)
    norms = np.maximum(np.linalg.norm(cuts, axis=2), 1e-12)
    scores = (cuts @ template) / norms
    best = np.argmax(scores, axis=1)
    return _Alignment(peaks + shifts[best], scores[np.arange(peaks.size), best], usable)


def _dominant_beats(alignment: _Alignment, cfg: MeasureConfig) -> np.ndarray:
    """True for beats whose aligned QRS correlates >= ``min_beat_correlation`` with the
    median QRS (all detected beats; those too near the record's edges to compare count
    as dominant). If fewer than half match, the better-matching half is taken, so a
    noisy record still yields a median beat."""
    dominant = np.ones(alignment.usable.size, dtype=bool)
    correlation = alignment.correlation
    if correlation.size < 3:
        return dominant
    matching = correlation >= cfg.min_beat_correlation
    if matching.sum() < correlation.size / 2:
        matching = correlation >= np.median(correlation)
    dominant[alignment.usable] = matching
    return dominant


def _median_beat(filtered: np.ndarray, aligned_peaks: np.ndarray, pre: int,
                 post: int) -> _Beats | None:
    """Median over the beats at ``aligned_peaks`` whose window fits in the record."""
    inside = (aligned_peaks - pre >= 0) & (aligned_peaks + post <= filtered.shape[1])
    if not inside.any():
        return None
    peaks = aligned_peaks[inside]
    windows = _beat_windows(filtered, peaks, pre, post)
    return _Beats(windows=windows, median=np.median(windows, axis=0), r_index=pre, peaks=peaks)


def _diagnostic_median(raw: np.ndarray, beats: _Beats, qrs_on: int, cfg: MeasureConfig,
                       on: np.ndarray) -> np.ndarray:
    """The median beat of the diagnostic signal (no high-pass; cubic-spline baseline).

    Knots: at each median beat's PR segment (QRS onset - 20 ms, the mean over +-8 ms of
    the low-passed signal), one per beat of ``beats``; the spline through them (held
    constant beyond the first and last knot; linear with two knots, constant with one) is
    the baseline subtracted from every lead. Leads that are off stay zero.
    """
    fs_hz = cfg.measure_fs_hz
    low = _filtered(raw, cfg, diagnostic=True)
    n = low.shape[1]
    half = max(1, _samples(8.0, fs_hz))
    knots = beats.peaks + (qrs_on - beats.r_index) - _samples(20.0, fs_hz)
    knots = knots[(knots - half >= 0) & (knots + half < n)]
    if knots.size == 0:
        baseline = np.median(low, axis=1, keepdims=True)
        corrected = low - baseline
    else:
        levels = np.stack([low[:, k - half: k + half + 1].mean(axis=1) for k in knots], axis=1)
        t = np.arange(n)
        if knots.size == 1:
            curve = np.repeat(levels, n, axis=1)
        elif knots.size == 2:
            curve = np.stack([np.interp(t, knots, row) for row in levels])
        else:
            spline = CubicSpline(knots, levels, axis=1, bc_type="natural")
            curve = spline(np.clip(t, knots[0], knots[-1]))
        corrected = low - curve
    corrected[~on] = 0.0
    windows = _beat_windows(corrected, beats.peaks, beats.r_index, beats.median.shape[1] - beats.r_index)
    return np.median(windows, axis=0)


def _correlation(a: np.ndarray, b: np.ndarray) -> float:
    a = a - a.mean()
    b = b - b.mean()
    denominator = math.sqrt(float(np.dot(a, a)) * float(np.dot(b, b)))
    return float(np.dot(a, b) / denominator) if denominator > 0 else 0.0


def _moving_average(x: np.ndarray, width: int) -> np.ndarray:
    if width <= 1:
        return x
    kernel = np.ones(width) / width
    return np.apply_along_axis(np.convolve, -1, x, kernel, mode="same")


def _spatial_velocity(median: np.ndarray, detect: list[int]) -> np.ndarray:
    """sum over the detection leads of |dV/dt| (mV per sample)."""
    return np.sum(np.abs(np.gradient(median[detect], axis=1)), axis=0)


def _qrs_bounds(median: np.ndarray, r_index: int, detect: list[int],
                cfg: MeasureConfig) -> tuple[int, int] | None:
    """QRS onset and offset (window indices) from the spatial velocity of the median beat.

    The velocity floor is its 10th percentile over the window and the threshold floor +
    ``qrs_threshold`` x (peak - floor). Onset is the last sub-threshold sample before the
    velocity peak near R, offset the first after it, each counted only where the
    velocity stays below threshold for 8 ms (so a brief dip at the R apex does not end
    the QRS).

    An injury current (ST elevation or depression) starts moving at J and keeps the
    velocity above threshold for a while after the QRS has ended. So when the velocity,
    before reaching threshold, dips to a clear local minimum (under ``j_dip`` of the
    peak, with a rise of at least ``j_dip_prominence`` of the peak after it) and what
    follows that dip up to the threshold crossing is short (<= 40 ms), small (its
    velocity area under ``j_tail_area`` of the QRS's before the dip) and moves the leads
    away from the PR baseline (sum over leads of |V - baseline| grows), the dip is J. A
    right-bundle-branch R' is neither short nor small, and the terminal return of an S
    wave moves towards the baseline, so both stay inside the QRS.
    """
    fs_hz = cfg.measure_fs_hz
    velocity = _spatial_velocity(median, detect)
    near = _samples(60.0, fs_hz)
    lo, hi = max(0, r_index - near), min(velocity.size, r_index + near + 1)
    peak = lo + int(np.argmax(velocity[lo:hi]))
    floor = float(np.percentile(velocity, 10))
    height = float(velocity[peak]) - floor
    threshold = floor + cfg.qrs_threshold * height
    below = velocity < threshold
    hold = max(1, _samples(8.0, fs_hz))
    onset = _run_edge(below, peak, -1, hold, limit=max(0, r_index - _samples(200.0, fs_hz)))
    offset = _run_edge(below, peak, +1, hold,
                       limit=min(velocity.size - 1, r_index + _samples(250.0, fs_hz)))
    if onset is None or offset is None or offset <= onset:
        return None
    independent = median[detect]
    deviation = np.sum(np.abs(independent - _baseline(independent, onset, fs_hz)[:, None]), axis=0)
    offset = _last_return(below, deviation, onset, offset, hold, r_index + _samples(250.0, fs_hz), cfg)
    tail = velocity[peak: offset + 1] - floor
    dips, _ = sps.find_peaks(-tail, prominence=cfg.j_dip_prominence * height)
    for dip in dips[::-1]:
        at = peak + int(dip)
        if (tail[dip] < cfg.j_dip * height and offset - at <= _samples(40.0, fs_hz)
                and tail[dip:].sum() < cfg.j_tail_area * (velocity[onset:at] - floor).sum()
                and deviation[offset] > deviation[at]):
            offset = at
            break
    return onset, offset


def _last_return(below: np.ndarray, deviation: np.ndarray, onset: int, offset: int, hold: int,
                 limit: int, cfg: MeasureConfig) -> int:
    """The QRS offset moved past every moment at which the leads stood still away from the
    baseline only to return to it: the apex of a terminal wave (a right-bundle-branch R'
    in V1, the S in I and V6), where every lead turns at the same moment, is not J.

    The velocity is below threshold at ``offset``; while the leads there are still at least
    ``qrs_apex_deviation`` of the QRS's largest deviation away from the PR baseline
    (``deviation``: sum over leads of |V - baseline|), the velocity rises above threshold
    again within ``qrs_resume_ms`` and, at the next sub-threshold run, the deviation has
    fallen to at most ``qrs_return_share`` of what it was, the QRS goes on to that run. An
    injury current or a T wave moves the leads away from the baseline, so J stays J.
    """
    fs_hz = cfg.measure_fs_hz
    limit = min(limit, below.size - 1)
    largest = float(deviation[onset: offset + 1].max())
    while deviation[offset] >= cfg.qrs_apex_deviation * largest:
        ahead = np.flatnonzero(~below[offset: min(limit, offset + _samples(cfg.qrs_resume_ms, fs_hz)) + 1])
        if ahead.size == 0:
            break
        later = _run_edge(below, offset + int(ahead[0]), +1, hold, limit)
        if later is None or deviation[later] > cfg.qrs_return_share * deviation[offset]:
            break
        offset = later
        largest = max(largest, float(deviation[onset: offset + 1].max()))
    return offset


def _baseline(median: np.ndarray, qrs_on: int, fs_hz: float) -> np.ndarray:
    """Per-lead PR-segment level: the mean of the 12 ms up to QRS onset."""
    return np.mean(median[:, max(0, qrs_on - _samples(12.0, fs_hz)): qrs_on + 1], axis=1)


def _run_edge(below: np.ndarray, start: int, step: int, hold: int, limit: int) -> int | None:
    """First index from ``start`` in direction ``step`` that begins ``hold`` samples
    below threshold; the edge is the sample next to the run, on the QRS side."""
    run = 0
    i = start
    while (i - limit) * step < 0:
        i += step
        if below[i]:
            run += 1
            if run >= hold:
                return i - step * (hold - 1)
        else:
            run = 0
    return None


def _lead_waves(smooth: np.ndarray, lo: int, hi: int, by_prominence: bool
                ) -> list[tuple[int, int, float]]:
    """(lead, sample, size) of each lead's largest wave in ``smooth[:, lo:hi]``: the most
    prominent peak of |signal|, its size its height (or prominence, with
    ``by_prominence``); leads without a peak are left out."""
    waves = []
    for lead in range(smooth.shape[0]):
        magnitude = np.abs(smooth[lead, lo:hi])
        peaks, props = sps.find_peaks(magnitude, prominence=0.0)
        if peaks.size == 0:
            continue
        top = int(np.argmax(props["prominences"]))
        size = float(props["prominences"][top] if by_prominence else magnitude[peaks[top]])
        waves.append((lead, lo + int(peaks[top]), size))
    return waves


def _strongest_wave(smooth: np.ndarray, lo: int, hi: int, by_prominence: bool) -> tuple[int, int, float]:
    """(lead, sample, size) of the largest of ``_lead_waves``; (-1, -1, 0.0) when none."""
    waves = _lead_waves(smooth, lo, hi, by_prominence)
    return max(waves, key=lambda wave: wave[2]) if waves else (-1, -1, 0.0)


def _t_end(median: np.ndarray, baseline: np.ndarray, qrs_on: int, qrs_off: int,
           rr_samples: int, on: np.ndarray, regular: bool, cfg: MeasureConfig
           ) -> tuple[int | None, str]:
    """Global T end of the median beat: the end of the last lead's T wave.

    Each lead's T peak is its most prominent interior extremum of |signal - baseline|
    (20 ms smoothed) between QRS offset + 40 ms and QRS onset + min(0.7 RR, RR - 120 ms,
    700 ms), so the next beat's P wave is not taken for a flat T. The leads taking part
    are those that are on with a T wave of at least ``t_lead_min_share`` of the largest
    (``t_irregular_min_share`` if larger and the rhythm is not ``regular``) and
    ``min_t_mv``. With ``t_end_on``:

    - "envelope" (default): ``t_end_method`` on the leads' normalised T envelope,
      sqrt(mean over those leads of (lead / max(its T peak, ``t_envelope_floor`` x the
      largest T peak))^2). Each lead of a fair size weighs the same
      whatever its voltage, and the envelope only reaches its end when the last lead's T
      wave has: the latest T end over the leads, without the latest of several noisy
      per-lead estimates (which is biased late);
    - "latest": the latest of the per-lead T ends;
    - "largest": the lead with the largest T wave alone.
    """
    fs_hz = cfg.measure_fs_hz
    smooth = _moving_average(median - baseline[:, None], max(1, _samples(20.0, fs_hz)))
    last = median.shape[1] - 1
    lo = qrs_off + _samples(40.0, fs_hz)
    hi = min(last, qrs_on + min(int(0.7 * rr_samples), rr_samples - _samples(120.0, fs_hz),
                                _samples(700.0, fs_hz)))
    if hi - lo < _samples(80.0, fs_hz):
        return None, "no room for a T wave between QRS offset and the next beat"
    waves = [wave for wave in _lead_waves(smooth, lo, hi, by_prominence=False) if on[wave[0]]]
    largest = max((size for _, _, size in waves), default=0.0)
    if largest < cfg.min_t_mv:
        return None, f"no T wave above {cfg.min_t_mv} mV in any lead"
    next_p = qrs_on + rr_samples - _samples(120.0, fs_hz)
    if cfg.t_end_on == "largest":
        waves = [max(waves, key=lambda wave: wave[2])]
    else:
        share = cfg.t_lead_min_share if regular else max(cfg.t_lead_min_share, cfg.t_irregular_min_share)
        waves = [wave for wave in waves if wave[2] >= max(cfg.min_t_mv, share * largest)]
    if cfg.t_end_on == "envelope":
        floor = cfg.t_envelope_floor * largest
        envelope = np.sqrt(np.mean([(smooth[lead] / max(size, floor)) ** 2 for lead, _, size in waves], axis=0))
        peaks = _lead_waves(envelope[None, :], lo, hi, by_prominence=False)
        if not peaks:
            return None, "the leads' T envelope has no peak"
        return _lead_t_end(envelope, peaks[0][1], next_p, cfg)
    ends: list[int] = []
    why = ""
    for lead, peak, _ in waves:
        end, why = _lead_t_end(smooth[lead], peak, next_p, cfg)
        if end is not None:
            ends.append(end)
    if not ends:
        return None, why
    return max(ends), ""


def _lead_t_end(trace: np.ndarray, peak: int, next_p: int, cfg: MeasureConfig
                ) -> tuple[int | None, str]:
    """T end of one lead's smoothed, baseline-corrected trace with its T peak at ``peak``.

    With the wave turned upright, x_m is the steepest point of the descending limb
    (searched up to 250 ms after the peak, until the wave falls below 10% of the peak,
    and not past ``next_p``, where the next P wave may start), and
    x_r = min(x_m + 150 ms, next_p):

    - "trapezium": the t in [x_m, x_r] that maximises the trapezium area
      ``(y(x_m) - y(t)) * (2 x_r - t - x_m) / 2`` (Vazquez-Seisdedos et al. 2011);
    - "tangent": where the tangent at x_m meets the baseline, x_m + y(x_m) / |y'(x_m)|;
    - "threshold": the first t after x_m where y falls below ``t_threshold_share`` x
      the peak (x_r if it does not).
    """
    fs_hz = cfg.measure_fs_hz
    last = trace.size - 1
    wave = trace * np.sign(trace[peak])
    slope = np.gradient(wave)
    limb_end = min(last, peak + _samples(250.0, fs_hz), next_p)
    faded = np.flatnonzero(wave[peak:limb_end] < 0.1 * wave[peak])
    if faded.size:
        limb_end = peak + int(faded[0]) + 1
    if limb_end - peak < 3:
        return None, "T peak too close to the end of the beat window"
    steepest = peak + int(np.argmin(slope[peak:limb_end]))
    if slope[steepest] >= 0:
        return None, "T wave has no descending limb"
    reference = min(last, steepest + _samples(150.0, fs_hz), next_p)
    if reference - steepest < 2:
        return None, "no room after the T wave's descending limb before the next beat"
    if cfg.t_end_method == "tangent":
        end = steepest + wave[steepest] / -slope[steepest]
        return int(round(min(end, reference))), ""
    if cfg.t_end_method == "threshold":
        below = np.flatnonzero(wave[steepest: reference + 1] < cfg.t_threshold_share * wave[peak])
        return (steepest + int(below[0]) if below.size else reference), ""
    t = np.arange(steepest, reference + 1)
    area = (wave[steepest] - wave[t]) * (2 * reference - t - steepest)
    return steepest + int(np.argmax(area)), ""


def _p_wave(beats: _Beats, baseline: np.ndarray, qrs_on: int, earliest: int, cfg: MeasureConfig
            ) -> tuple[int | None, str]:
    """P onset (window index), or None and why no P wave was found.

    Looks between ``earliest`` (after the previous beat's T wave) and QRS onset - 20 ms
    for the most prominent wave; it is a P wave when it exceeds ``min_p_mv`` and the
    single beats repeat it (mean correlation with the median over +-60 ms of its peak
    >= ``min_p_correlation``; fibrillation waves do not). Onset is where the spatial
    velocity of the 20 ms-smoothed median beat over all leads, walking back from its
    largest value before the P peak (the upstroke), drops below floor + ``p_threshold`` x
    (that value - floor), the floor being its 10th percentile over the searched segment:
    the earliest onset of the leads together.
    """
    fs_hz = cfg.measure_fs_hz
    lo = max(0, earliest)
    hi = qrs_on - _samples(20.0, fs_hz)
    if hi - lo < _samples(60.0, fs_hz):
        return None, "too little signal between the previous T wave and QRS onset"
    width = max(1, _samples(20.0, fs_hz))
    smooth = _moving_average(beats.median - baseline[:, None], width)
    best_lead, best_peak, best_height = _strongest_wave(smooth, lo, hi, by_prominence=True)
    if best_height < cfg.min_p_mv:
        return None, f"no wave above {cfg.min_p_mv} mV between the previous T wave and QRS"
    around = slice(max(0, best_peak - _samples(60.0, fs_hz)), best_peak + _samples(60.0, fs_hz))
    per_beat = _moving_average(beats.windows[:, best_lead, around], width)
    reference = smooth[best_lead, around]
    consistency = float(np.mean([_correlation(b, reference) for b in per_beat]))
    if consistency < cfg.min_p_correlation:
        return None, (f"pre-QRS wave does not repeat beat to beat (mean correlation "
                      f"{consistency:.2f} < {cfg.min_p_correlation})")
    velocity = np.sum(np.abs(np.gradient(smooth[:, lo:hi], axis=1)), axis=0)
    floor = float(np.percentile(velocity, 10))
    local_peak = int(np.argmax(velocity[: best_peak - lo + 1]))
    threshold = floor + cfg.p_threshold * (velocity[local_peak] - floor)
    onset = local_peak
    while onset > 0 and velocity[onset - 1] >= threshold:
        onset -= 1
    return lo + onset, ""


def measure(record: Record, config: MeasureConfig | None = None) -> Measurements:
    """Measure ``record`` (see the module docstring for the method and edge cases) with
    ``config`` (``DEFAULT_CONFIG`` when None)."""
    cfg = DEFAULT_CONFIG if config is None else config
    fs_hz = cfg.measure_fs_hz
    result = Measurements(record_id=str(record.record_id))
    reasons = result.reasons
    if record.duration_s < 2.0:
        _fail_all(result, f"record is {record.duration_s:.2f} s long; at least 2 s is needed")
        return result
    result.leads_off = leads_off(record)
    on = np.array([lead not in result.leads_off for lead in LEADS])
    if not on.any():
        _fail_all(result, "signal is flat: every lead is off (" + next(iter(result.leads_off.values())) + ")")
        return result
    raw = _resampled(record, cfg)
    raw[~on] = 0.0
    start = 0
    for first, stop in calibration_pulses(raw, fs_hz, on, cfg):
        result.excluded_s.append((first / fs_hz, stop / fs_hz))
        if first <= raw.shape[1] - stop:  # at the start: cut it and what precedes it
            start = max(start, stop + _samples(60.0, fs_hz))
        else:
            raw = raw[:, : max(start, first - _samples(60.0, fs_hz))]
    raw = raw[:, start:]
    if raw.shape[1] < 2.0 * fs_hz:
        _fail_all(result, "less than 2 s of signal is left once the calibration pulse is cut off")
        return result
    filtered = _filtered(raw, cfg, diagnostic=False)
    filtered[~on] = 0.0
    if float(np.max(np.ptp(filtered, axis=1))) < 0.05:
        _fail_all(result, "signal is flat (under 0.05 mV peak to peak in every lead)")
        return result
    detect = [LEAD_INDEX[lead] for lead in INDEPENDENT_LEADS if on[LEAD_INDEX[lead]]]
    if not detect:
        detect = [int(i) for i in np.flatnonzero(on)]

    r_peaks = _detect_r_peaks(filtered, detect, cfg)
    cleaned = _remove_artefacts(filtered, r_peaks, detect, cfg)
    result.artefacts_removed = int(r_peaks.size - cleaned.size)
    r_peaks = cleaned
    result.r_peaks = np.round((r_peaks + start) * (float(record.fs_hz) / fs_hz)).astype(np.int64)
    result.n_beats = int(r_peaks.size)
    if r_peaks.size < cfg.min_beats:
        _fail_all(result, f"{r_peaks.size} QRS complexes detected; at least {cfg.min_beats} needed")
        return result

    rr_ms = np.diff(r_peaks) * 1000.0 / fs_hz
    result.rr_ms = float(np.mean(rr_ms))
    result.hr_bpm = 60000.0 / result.rr_ms
    alignment = _align(filtered, r_peaks, detect, cfg)
    dominant = _dominant_beats(alignment, cfg)
    # Regularity of the dominant rhythm: intervals between two consecutive dominant beats,
    # so that ectopic beats and their pauses do not count.
    nn_ms = rr_ms[dominant[1:] & dominant[:-1]]
    irregularity = rr_irregularity(nn_ms)
    result.rr_regular = bool(np.isfinite(irregularity) and irregularity <= cfg.max_regular_irregularity)
    if not np.isfinite(irregularity):
        reasons["rr_regular"] = (f"{nn_ms.size} interval(s) between consecutive dominant beats;"
                                 " regularity needs two")

    typical = dominant.copy()
    if result.rr_regular:
        premature = np.zeros(r_peaks.size, dtype=bool)
        premature[1:] = rr_ms < cfg.premature_rr_ratio * float(np.median(nn_ms))
        typical &= ~premature
        # a premature beat whose QRS does not match the dominant one: ventricular ectopy
        result.pvc_count = int(np.sum(premature & ~dominant))
    median_rr = float(np.median(nn_ms)) if nn_ms.size else float(np.median(rr_ms))
    pre = _samples(min(450.0, 0.6 * median_rr), fs_hz)
    post = _samples(min(700.0, 0.9 * median_rr), fs_hz)
    beats = _median_beat(filtered, alignment.peaks[typical[alignment.usable]], pre, post)
    if beats is None:
        _fail_waves(result, "no typical beat with a full window inside the record")
        _set_rhythm(result)
        return result

    bounds = _qrs_bounds(beats.median, beats.r_index, detect, cfg)
    if bounds is None:
        _fail_waves(result, "QRS onset or offset not found on the median beat")
        _set_rhythm(result)
        return result
    qrs_on, qrs_off = bounds
    result.qrs_ms = _ms(qrs_off - qrs_on, fs_hz)
    median = beats.median
    baseline = _baseline(median, qrs_on, fs_hz)
    diagnostic = _diagnostic_median(raw, beats, qrs_on, cfg, on)
    diagnostic_baseline = _baseline(diagnostic, qrs_on, fs_hz)

    _per_lead(result, diagnostic, diagnostic_baseline, qrs_on, qrs_off, on, cfg)
    _axis(result, diagnostic, diagnostic_baseline, qrs_on, qrs_off, on)

    rr_samples = _samples(median_rr, fs_hz)
    t_end, why = _t_end(median, baseline, qrs_on, qrs_off, rr_samples, on, result.rr_regular, cfg)
    if t_end is None:
        for key in ("qt_ms", "qtc_ms", "qtc_fridericia_ms"):
            reasons[key] = why
    else:
        result.qt_ms = _ms(t_end - qrs_on, fs_hz)
        rr_s = result.rr_ms / 1000.0
        result.qtc_ms = result.qt_ms / math.sqrt(rr_s)
        result.qtc_fridericia_ms = result.qt_ms / rr_s ** (1.0 / 3.0)

    earliest = qrs_on - _samples(400.0, fs_hz)
    if t_end is not None:
        # the previous beat's T wave ends this far before: after a short RR it is nearest
        short_rr = float(np.percentile(nn_ms, 10)) if nn_ms.size else median_rr
        earliest = max(earliest, t_end - _samples(short_rr, fs_hz) + _samples(40.0, fs_hz))
    p_onset, why = _p_wave(beats, baseline, qrs_on, earliest, cfg)
    result.p_wave_present = p_onset is not None
    if p_onset is None:
        reasons["pr_ms"] = why
    else:
        result.pr_ms = _ms(qrs_on - p_onset, fs_hz)
    _set_rhythm(result)
    return result


def _off_reason(result: Measurements) -> str:
    return "; ".join(f"{lead}: {why}" for lead, why in result.leads_off.items())


def _per_lead(result: Measurements, median: np.ndarray, baseline: np.ndarray,
              qrs_on: int, qrs_off: int, on: np.ndarray, cfg: MeasureConfig) -> None:
    fs_hz = cfg.measure_fs_hz
    if result.leads_off:
        for key in ("st_mv", "r_mv", "s_mv"):
            result.reasons[key] = f"NaN in the leads that are off: {_off_reason(result)}"
    j60 = qrs_off + _samples(cfg.st_offset_ms, fs_hz)
    half = _samples(4.0, fs_hz)
    if j60 + half < median.shape[1]:
        st = np.mean(median[:, j60 - half: j60 + half + 1], axis=1) - baseline
        result.st_mv = {lead: float(st[i]) if on[i] else math.nan for i, lead in enumerate(LEADS)}
    else:
        result.reasons["st_mv"] = f"J + {cfg.st_offset_ms:g} ms falls outside the median beat"
    qrs = median[:, qrs_on: qrs_off + 1] - baseline[:, None]
    r_mv = np.zeros(qrs.shape[0])
    s_mv = np.zeros(qrs.shape[0])
    for i, trace in enumerate(qrs):
        # R is a peak: a rising ST at the offset, higher than a small r, is not one
        peaks, _ = sps.find_peaks(trace)
        peaks = peaks[trace[peaks] > 0.0]
        r_at = int(peaks[np.argmax(trace[peaks])]) if peaks.size else 0
        r_mv[i] = float(trace[r_at]) if peaks.size else 0.0
        s_mv[i] = min(float(trace[r_at:].min()), 0.0)
    result.r_mv = {lead: float(r_mv[i]) if on[i] else math.nan for i, lead in enumerate(LEADS)}
    result.s_mv = {lead: float(s_mv[i]) if on[i] else math.nan for i, lead in enumerate(LEADS)}


def _axis(result: Measurements, median: np.ndarray, baseline: np.ndarray,
          qrs_on: int, qrs_off: int, on: np.ndarray) -> None:
    limb = [i for i, lead in enumerate(LIMB_LEADS) if on[LEAD_INDEX[lead]]]
    rows = [LEAD_INDEX[LIMB_LEADS[i]] for i in limb]
    vectors = LIMB_LEAD_VECTORS[limb]
    if len(limb) < 2 or np.linalg.matrix_rank(vectors) < 2:
        result.reasons["axis_deg"] = (f"the frontal axis needs two limb leads that are not "
                                      f"parallel; off: {_off_reason(result)}")
        return
    areas = np.sum(median[rows, qrs_on: qrs_off + 1] - baseline[rows, None], axis=1)
    vector, *_ = np.linalg.lstsq(vectors, areas, rcond=None)
    if float(np.hypot(*vector)) <= 1e-9:
        result.reasons["axis_deg"] = "net QRS area is zero in every limb lead"
        return
    angle = math.degrees(math.atan2(vector[1], vector[0]))
    result.axis_deg = 180.0 if angle <= -180.0 else angle


def _set_rhythm(result: Measurements) -> None:
    if result.n_beats < 3:
        result.rhythm = "undetermined"
        result.reasons.setdefault("rhythm", f"{result.n_beats} beats; rhythm needs at least 3")
    elif not result.rr_regular and not result.p_wave_present:
        result.rhythm = "atrial_fibrillation"
    elif result.p_wave_present:
        result.rhythm = "sinus" if result.rr_regular else "irregular"
    else:
        result.rhythm = "undetermined"
        result.reasons.setdefault("rhythm", "regular rhythm without a detectable P wave")


def _fail_waves(result: Measurements, why: str) -> None:
    for key in ("pr_ms", "qrs_ms", "qt_ms", "qtc_ms", "qtc_fridericia_ms", "axis_deg",
                "st_mv", "r_mv", "s_mv"):
        result.reasons.setdefault(key, why)


def _fail_all(result: Measurements, why: str) -> None:
    for key in ("hr_bpm", "rr_ms", "rr_regular", "rhythm"):
        result.reasons.setdefault(key, why)
    _fail_waves(result, why)
