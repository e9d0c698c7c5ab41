"""Global 12-lead ECG measurements from the signal: rate, intervals, axis, ST and R/S.

``measure(record)`` works as computerised carts do, on one median beat measured with all
leads together:

1. Resample to 500 Hz (``MEASURE_FS_HZ``) if needed and filter every lead 0.5-100 Hz
   with 50 and 60 Hz notches (zero-phase), keeping the QRS edges sharp.
2. Detect QRS complexes once for all leads (``_detect_r_peaks``: slope energy of the
   eight independent leads I, II, V1-V6, with T-wave and electrode-artefact rejection).
   RR (mean of all intervals) and rate = 60000 / RR come from them.
3. Align every beat on the median QRS (cross-correlation, up to 10 ms), call beats whose
   QRS correlates below ``MIN_BEAT_CORRELATION`` ectopic, and take the sample-wise median
   of the dominant beats (also leaving out premature ones when the rhythm is regular).
4. On the median beat:
   - QRS onset and offset from the spatial velocity (sum over leads of |dV/dt|) against
     its noise floor, with J found before an injury current's slope (``_qrs_bounds``);
   - T end by the trapezium method on the lead with the largest T wave (``_t_end``);
   - P wave present when the segment after the previous T wave holds a wave above
     ``MIN_P_MV`` that single beats repeat; P onset from the P-band velocity (``_p_wave``).
5. PR = QRS onset - P onset (NaN without a P wave, e.g. in atrial fibrillation); QRS =
   offset - onset; QT = T end - QRS onset; QTc = QT / sqrt(RR in s) (Bazett) and
   QT / cbrt(RR in s) (Fridericia).
6. Per lead, relative to the PR-segment baseline (mean of the 12 ms up to QRS onset):
   ST level at J + 60 ms (J = QRS offset; mean over +-4 ms), R = highest positive peak
   inside the QRS (0 if none), S = most negative value after R (anywhere in a QS
   complex; 0 if none, negative otherwise).
7. Frontal axis = direction of the least-squares frontal vector that explains the net
   QRS areas of the six limb leads through their Einthoven lead vectors (lead I at 0 deg,
   aVF at +90 deg with length sqrt(3)/2, ...), in (-180, 180].
8. Rhythm: RR irregular (``rr_irregularity`` of the intervals between dominant beats
   above ``MAX_REGULAR_IRREGULARITY``) without a P wave is "atrial_fibrillation"; with a
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

from gemeval.ecg.io import resample
from gemeval.ecg.record import LEAD_INDEX, LEADS, Record
from gemeval.ecg.values import GLOBAL_KEYS, PER_LEAD_KEYS

INDEPENDENT_LEADS: tuple[str, ...] = ("I", "II", "V1", "V2", "V3", "V4", "V5", "V6")
LIMB_LEADS: tuple[str, ...] = ("I", "II", "III", "aVR", "aVL", "aVF")
_SQRT3_2 = math.sqrt(3.0) / 2.0
# Einthoven lead vectors (x to the left arm, y to the feet) of the limb leads.
LIMB_LEAD_VECTORS = np.array([
    [1.0, 0.0], [0.5, _SQRT3_2], [-0.5, _SQRT3_2],
    [-0.75, -_SQRT3_2 / 2.0], [0.75, -_SQRT3_2 / 2.0], [0.0, _SQRT3_2],
])

MEASURE_FS_HZ = 500.0  # every record is measured at this rate
BAND_HZ = (0.5, 100.0)  # band-pass of the measured signal
MAINS_HZ = (50.0, 60.0)  # notched where below the band's upper edge
NOTCH_Q = 30.0
QRS_BAND_HZ = (5.0, 25.0)  # band of the QRS detector's slope energy
STRONG_QRS = 0.4  # detector: beat whatever its timing, x 80th-percentile candidate energy
WEAK_QRS = 0.15  # detector: beat unless where the T waves are
MAX_LEAD_SHARE = 0.6  # detector: more slope than this in one lead is an electrode artefact
MIN_BEATS = 2
MIN_BEAT_CORRELATION = 0.85  # QRS correlation with the median QRS of a dominant beat
PREMATURE_RR_RATIO = 0.85  # in a regular rhythm, a beat this early is left out of the median
MAX_REGULAR_IRREGULARITY = 0.085  # see rr_irregularity
QRS_THRESHOLD = 0.06  # spatial velocity threshold, fraction of its peak above the floor
J_DIP = 0.25  # see _qrs_bounds: fractions of the QRS velocity peak
J_DIP_PROMINENCE = 0.05
J_TAIL_AREA = 0.12
P_THRESHOLD = 0.15  # P-band velocity threshold, fraction of the P upstroke's peak
MIN_P_MV = 0.04
MIN_P_CORRELATION = 0.4  # mean correlation of single beats' P wave with the median's
MIN_T_MV = 0.05


@dataclass
class Measurements:
    """What ``measure`` found on one record.

    Scalars are NaN where the value does not exist or could not be measured; the key's
    entry in ``reasons`` says which. Per-lead dicts hold all 12 ``LEADS``.
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
    reasons: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The ``TRUTH_KEYS`` values (floats, NaN where absent) plus ``id``, ``pvc_count``
        and ``reasons``."""
        out: dict[str, Any] = {"id": self.record_id}
        for key in GLOBAL_KEYS:
            out[key] = float(getattr(self, key))
        for key in PER_LEAD_KEYS:
            out[key] = {lead: float(v) for lead, v in getattr(self, key).items()}
        out["rhythm"] = self.rhythm
        out["rr_regular"] = bool(self.rr_regular)
        out["pvc_count"] = int(self.pvc_count)
        out["reasons"] = dict(self.reasons)
        return out


def _samples(ms: float, fs_hz: float) -> int:
    return int(round(ms * fs_hz / 1000.0))


def _ms(samples: float, fs_hz: float) -> float:
    return float(samples) * 1000.0 / fs_hz


@lru_cache(maxsize=16)
def _band_filter(fs_hz: float) -> np.ndarray:
    """Second-order sections: Butterworth band-pass ``BAND_HZ`` (the upper edge kept
    below Nyquist) and notches at the 50 and 60 Hz mains where they are inside the band."""
    high = min(BAND_HZ[1], 0.45 * fs_hz)
    sections = [sps.butter(2, (BAND_HZ[0], high), btype="bandpass", fs=fs_hz, output="sos")]
    for mains_hz in MAINS_HZ:
        if mains_hz < high:
            b, a = sps.iirnotch(mains_hz, NOTCH_Q, fs=fs_hz)
            sections.append(sps.tf2sos(b, a))
    return np.vstack(sections)


def _prepared(record: Record) -> np.ndarray:
    """The signal at ``MEASURE_FS_HZ``, band-passed, as float64 (12, n).

    NaN or infinite samples are replaced by their lead's median (0 for a lead with no
    finite sample) before filtering; records at other rates are resampled first
    (gemeval.ecg.io.resample), so every window and threshold below is in the same
    samples and a 100 Hz record gets interpolated fiducials rather than 10 ms steps.
    """
    raw = record.signal_mv.astype(np.float64)
    finite = np.isfinite(raw)
    if not finite.all():
        fill = np.array([np.median(row[ok]) if ok.any() else 0.0 for row, ok in zip(raw, finite)])
        raw = np.where(finite, raw, fill[:, None])
    raw -= np.median(raw, axis=1, keepdims=True)
    if float(record.fs_hz) != MEASURE_FS_HZ:
        raw = resample(dataclasses.replace(record, signal_mv=raw), MEASURE_FS_HZ).signal_mv
    return sps.sosfiltfilt(_band_filter(MEASURE_FS_HZ), raw.astype(np.float64), axis=1)


@lru_cache(maxsize=4)
def _qrs_band_filter(fs_hz: float) -> np.ndarray:
    return sps.butter(2, QRS_BAND_HZ, btype="bandpass", fs=fs_hz, output="sos")


def _detect_r_peaks(filtered: np.ndarray, fs_hz: float) -> np.ndarray:
    """R peaks (sample indices) of all leads at once.

    QRS energy = sum over the eight independent leads of |dV/dt| after a ``QRS_BAND_HZ``
    band-pass (where QRS complexes carry their energy and T waves little), averaged over
    50 ms. Its local maxima at least 250 ms apart are candidates, except within 80 ms of
    the record's ends (filter and recording transients) and where one lead carries more
    than ``MAX_LEAD_SHARE`` of the slope (an electrode artefact: a QRS shows in many
    leads). They are scaled by the 80th percentile of all candidates' energy (a
    reference that a few artefacts do not move).
    Candidates from ``STRONG_QRS`` up are beats. Weaker ones down to ``WEAK_QRS`` are
    beats (wide ectopic complexes have less slope) unless they sit where the strong
    beats' T waves sit: within 60 ms of the median lag, after a strong beat, of the
    largest energy between 150 ms and 0.7 RR after it. Each beat's R is the largest
    spatial magnitude sqrt(sum V^2) within 60 ms of its energy peak.
    """
    independent = filtered[[LEAD_INDEX[lead] for lead in INDEPENDENT_LEADS]]
    band = sps.sosfiltfilt(_qrs_band_filter(fs_hz), independent, axis=1)
    slope = np.abs(np.gradient(band, axis=1))
    energy = _moving_average(np.sum(slope, axis=0), _samples(50.0, fs_hz))
    candidates, props = sps.find_peaks(energy, distance=_samples(250.0, fs_hz), height=0.0)
    edge = _samples(80.0, fs_hz)
    keep = (candidates >= edge) & (candidates < energy.size - edge)
    keep &= _lead_share(slope, candidates, _samples(50.0, fs_hz)) <= MAX_LEAD_SHARE
    candidates, heights = candidates[keep], props["peak_heights"][keep]
    reference = float(np.percentile(heights, 80)) if heights.size else 0.0
    if reference <= 0.0:
        return np.zeros(0, dtype=np.int64)
    relative = heights / reference
    strong = candidates[relative >= STRONG_QRS]
    weak = candidates[(relative >= WEAK_QRS) & (relative < STRONG_QRS)]
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


def _align(filtered: np.ndarray, r_peaks: np.ndarray, fs_hz: float) -> _Alignment:
    """Shift each beat (up to 10 ms) to best match the median QRS of all beats.

    The QRS is R - 80 ms to R + 100 ms in the eight independent leads; the match is the
    correlation coefficient, and the best shift is the one that maximises it. Aligning
    first keeps R-peak jitter from smearing the median beat or lowering the correlation
    of normal beats.
    """
    before, after = _qrs_window(fs_hz)
    max_shift = _samples(10.0, fs_hz)
    usable = (r_peaks - before - max_shift >= 0) & (r_peaks + after + max_shift <= filtered.shape[1])
    peaks = r_peaks[usable]
    if peaks.size == 0:
        return _Alignment(peaks, np.zeros(0), usable)
    independent = filtered[[LEAD_INDEX[lead] for lead in INDEPENDENT_LEADS]]
    template = np.median(_beat_windows(independent, peaks, before, after), axis=0).ravel()
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


def _dominant_beats(alignment: _Alignment) -> np.ndarray:
    """True for beats whose aligned QRS correlates >= ``MIN_BEAT_CORRELATION`` with the
    median QRS (all detected beats; those too near the record's edges to compare count
    as dominant). If fewer than half match, the better-matching half is taken, so a
    noisy record still yields a median beat."""
    dominant = np.ones(alignment.usable.size, dtype=bool)
    correlation = alignment.correlation
    if correlation.size < 3:
        return dominant
    matching = correlation >= MIN_BEAT_CORRELATION
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
    windows = _beat_windows(filtered, aligned_peaks[inside], pre, post)
    return _Beats(windows=windows, median=np.median(windows, axis=0), r_index=pre)


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


def _spatial_velocity(median: np.ndarray) -> np.ndarray:
    """sum over the eight independent leads of |dV/dt| (mV per sample)."""
    independent = median[[LEAD_INDEX[lead] for lead in INDEPENDENT_LEADS]]
    return np.sum(np.abs(np.gradient(independent, axis=1)), axis=0)


def _qrs_bounds(median: np.ndarray, r_index: int, fs_hz: float) -> tuple[int, int] | None:
    """QRS onset and offset (window indices) from the spatial velocity of the median beat.

    The velocity floor is its 10th percentile over the window and the threshold floor +
    ``QRS_THRESHOLD`` x (peak - floor). Onset is the last sub-threshold sample before the
    velocity peak near R, offset the first after it, each counted only where the
    velocity stays below threshold for 8 ms (so a brief dip at the R apex does not end
    the QRS).

    An injury current (ST elevation or depression) starts moving at J and keeps the
    velocity above threshold for a while after the QRS has ended. So when the velocity,
    before reaching threshold, dips to a clear local minimum (under ``J_DIP`` of the
    peak, with a rise of at least ``J_DIP_PROMINENCE`` of the peak after it) and what
    follows that dip up to the threshold crossing is short (<= 40 ms), small (its
    velocity area under ``J_TAIL_AREA`` of the QRS's before the dip) and moves the leads
    away from the PR baseline (sum over leads of |V - baseline| grows), the dip is J. A
    right-bundle-branch R' is neither short nor small, and the terminal return of an S
    wave moves towards the baseline, so both stay inside the QRS.
    """
    velocity = _spatial_velocity(median)
    near = _samples(60.0, fs_hz)
    lo, hi = max(0, r_index - near), min(velocity.size, r_index + near + 1)
    peak = lo + int(np.argmax(velocity[lo:hi]))
    floor = float(np.percentile(velocity, 10))
    height = float(velocity[peak]) - floor
    threshold = floor + QRS_THRESHOLD * height
    below = velocity < threshold
    hold = max(1, _samples(8.0, fs_hz))
    onset = _run_edge(below, peak, -1, hold, limit=max(0, r_index - _samples(200.0, fs_hz)))
    offset = _run_edge(below, peak, +1, hold,
                       limit=min(velocity.size - 1, r_index + _samples(250.0, fs_hz)))
    if onset is None or offset is None or offset <= onset:
        return None
    independent = median[[LEAD_INDEX[lead] for lead in INDEPENDENT_LEADS]]
    deviation = np.sum(np.abs(independent - _baseline(independent, onset, fs_hz)[:, None]), axis=0)
    tail = velocity[peak: offset + 1] - floor
    dips, _ = sps.find_peaks(-tail, prominence=J_DIP_PROMINENCE * height)
    for dip in dips[::-1]:
        at = peak + int(dip)
        if (tail[dip] < J_DIP * height and offset - at <= _samples(40.0, fs_hz)
                and tail[dip:].sum() < J_TAIL_AREA * (velocity[onset:at] - floor).sum()
                and deviation[offset] > deviation[at]):
            offset = at
            break
    return onset, offset


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


def _strongest_wave(smooth: np.ndarray, lo: int, hi: int, by_prominence: bool) -> tuple[int, int, float]:
    """(lead, sample, size) of the largest wave in ``smooth[:, lo:hi]``: in each lead the
    most prominent peak of |signal|, then across leads the one with the largest height (or
    prominence, with ``by_prominence``). (-1, -1, 0.0) when no lead has a peak."""
    best_lead, best_peak, best_size = -1, -1, 0.0
    for lead in range(smooth.shape[0]):
        magnitude = np.abs(smooth[lead, lo:hi])
        peaks, props = sps.find_peaks(magnitude, prominence=0.0)
        if peaks.size == 0:
            continue
        top = int(np.argmax(props["prominences"]))
        size = float(props["prominences"][top] if by_prominence else magnitude[peaks[top]])
        if size > best_size:
            best_lead, best_peak, best_size = lead, lo + int(peaks[top]), size
    return best_lead, best_peak, best_size


def _t_end(median: np.ndarray, baseline: np.ndarray, qrs_on: int, qrs_off: int,
           rr_samples: int, fs_hz: float) -> tuple[int | None, str]:
    """T end on the lead with the largest T wave, by the trapezium method.

    The T peak is the most prominent interior extremum of |signal - baseline| between
    QRS offset + 40 ms and QRS onset + min(0.7 RR, RR - 120 ms, 700 ms), so the next
    beat's P wave is not taken for a flat T. With x_m the steepest point of the
    descending limb (T turned upright; searched up to 250 ms after the peak, until the
    wave falls below 10% of the peak, and not past RR - 120 ms after QRS onset, where the
    next P wave may start) and x_r = min(x_m + 150 ms, RR - 120 ms after QRS onset), T end is
    the t in [x_m, x_r] that maximises the trapezium area
    ``(y(x_m) - y(t)) * (2 x_r - t - x_m) / 2`` (Vazquez-Seisdedos et al. 2011). Unlike
    the tangent to the baseline it needs no baseline level and does not stop short on
    T waves that fade out slowly.
    """
    smooth = _moving_average(median - baseline[:, None], max(1, _samples(20.0, fs_hz)))
    last = median.shape[1] - 1
    lo = qrs_off + _samples(40.0, fs_hz)
    hi = min(last, qrs_on + min(int(0.7 * rr_samples), rr_samples - _samples(120.0, fs_hz),
                                _samples(700.0, fs_hz)))
    if hi - lo < _samples(80.0, fs_hz):
        return None, "no room for a T wave between QRS offset and the next beat"
    best_lead, best_peak, best_height = _strongest_wave(smooth, lo, hi, by_prominence=False)
    if best_height < MIN_T_MV:
        return None, f"no T wave above {MIN_T_MV} mV in any lead"
    wave = smooth[best_lead] * np.sign(smooth[best_lead, best_peak])
    slope = np.gradient(wave)
    next_p = qrs_on + rr_samples - _samples(120.0, fs_hz)
    limb_end = min(last, best_peak + _samples(250.0, fs_hz), next_p)
    faded = np.flatnonzero(wave[best_peak:limb_end] < 0.1 * wave[best_peak])
    if faded.size:
        limb_end = best_peak + int(faded[0]) + 1
    if limb_end - best_peak < 3:
        return None, "T peak too close to the end of the beat window"
    steepest = best_peak + int(np.argmin(slope[best_peak:limb_end]))
    if slope[steepest] >= 0:
        return None, "T wave has no descending limb"
    reference = min(last, steepest + _samples(150.0, fs_hz), next_p)
    if reference - steepest < 2:
        return None, "no room after the T wave's descending limb before the next beat"
    t = np.arange(steepest, reference + 1)
    area = (wave[steepest] - wave[t]) * (2 * reference - t - steepest)
    return steepest + int(np.argmax(area)), ""


def _p_wave(beats: _Beats, baseline: np.ndarray, qrs_on: int, earliest: int, fs_hz: float
            ) -> tuple[int | None, str]:
    """P onset (window index), or None and why no P wave was found.

    Looks between ``earliest`` (after the previous beat's T wave) and QRS onset - 20 ms
    for the most prominent wave; it is a P wave when it exceeds ``MIN_P_MV`` and the
    single beats repeat it (mean correlation with the median over +-60 ms of its peak
    >= ``MIN_P_CORRELATION``; fibrillation waves do not). Onset is where the spatial
    velocity of the 20 ms-smoothed median beat, walking back from its largest value
    before the P peak (the upstroke), drops below floor + ``P_THRESHOLD`` x (that value
    - floor), the floor being its 10th percentile over the searched segment.
    """
    lo = max(0, earliest)
    hi = qrs_on - _samples(20.0, fs_hz)
    if hi - lo < _samples(60.0, fs_hz):
        return None, "too little signal between the previous T wave and QRS onset"
    width = max(1, _samples(20.0, fs_hz))
    smooth = _moving_average(beats.median - baseline[:, None], width)
    best_lead, best_peak, best_height = _strongest_wave(smooth, lo, hi, by_prominence=True)
    if best_height < MIN_P_MV:
        return None, f"no wave above {MIN_P_MV} mV between the previous T wave and QRS"
    around = slice(max(0, best_peak - _samples(60.0, fs_hz)), best_peak + _samples(60.0, fs_hz))
    per_beat = _moving_average(beats.windows[:, best_lead, around], width)
    reference = smooth[best_lead, around]
    consistency = float(np.mean([_correlation(b, reference) for b in per_beat]))
    if consistency < MIN_P_CORRELATION:
        return None, (f"pre-QRS wave does not repeat beat to beat (mean correlation "
                      f"{consistency:.2f} < {MIN_P_CORRELATION})")
    velocity = np.sum(np.abs(np.gradient(smooth[:, lo:hi], axis=1)), axis=0)
    floor = float(np.percentile(velocity, 10))
    local_peak = int(np.argmax(velocity[: best_peak - lo + 1]))
    threshold = floor + P_THRESHOLD * (velocity[local_peak] - floor)
    onset = local_peak
    while onset > 0 and velocity[onset - 1] >= threshold:
        onset -= 1
    return lo + onset, ""


def measure(record: Record) -> Measurements:
    """Measure ``record`` (see the module docstring for the method and edge cases)."""
    fs_hz = MEASURE_FS_HZ
    result = Measurements(record_id=str(record.record_id))
    reasons = result.reasons
    if record.duration_s < 2.0:
        _fail_all(result, f"record is {record.duration_s:.2f} s long; at least 2 s is needed")
        return result
    filtered = _prepared(record)
    if float(np.max(np.ptp(filtered, axis=1))) < 0.05:
        _fail_all(result, "signal is flat (under 0.05 mV peak to peak in every lead)")
        return result

    r_peaks = _detect_r_peaks(filtered, fs_hz)
    result.r_peaks = np.round(r_peaks * (float(record.fs_hz) / fs_hz)).astype(np.int64)
    result.n_beats = int(r_peaks.size)
    if r_peaks.size < MIN_BEATS:
        _fail_all(result, f"{r_peaks.size} QRS complexes detected; at least {MIN_BEATS} needed")
        return result

    rr_ms = np.diff(r_peaks) * 1000.0 / fs_hz
    result.rr_ms = float(np.mean(rr_ms))
    result.hr_bpm = 60000.0 / result.rr_ms
    alignment = _align(filtered, r_peaks, fs_hz)
    dominant = _dominant_beats(alignment)
    # Regularity of the dominant rhythm: intervals between two consecutive dominant beats,
    # so that ectopic beats and their pauses do not count.
    nn_ms = rr_ms[dominant[1:] & dominant[:-1]]
    irregularity = rr_irregularity(nn_ms)
    result.rr_regular = bool(np.isfinite(irregularity) and irregularity <= MAX_REGULAR_IRREGULARITY)
    if not np.isfinite(irregularity):
        reasons["rr_regular"] = (f"{nn_ms.size} interval(s) between consecutive dominant beats;"
                                 " regularity needs two")

    typical = dominant.copy()
    if result.rr_regular:
        premature = np.zeros(r_peaks.size, dtype=bool)
        premature[1:] = rr_ms < PREMATURE_RR_RATIO * float(np.median(nn_ms))
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

    bounds = _qrs_bounds(beats.median, beats.r_index, fs_hz)
    if bounds is None:
        _fail_waves(result, "QRS onset or offset not found on the median beat")
        _set_rhythm(result)
        return result
    qrs_on, qrs_off = bounds
    result.qrs_ms = _ms(qrs_off - qrs_on, fs_hz)
    median = beats.median
    baseline = _baseline(median, qrs_on, fs_hz)

    _per_lead(result, median, baseline, qrs_on, qrs_off, fs_hz)
    _axis(result, median, baseline, qrs_on, qrs_off)

    rr_samples = _samples(median_rr, fs_hz)
    t_end, why = _t_end(median, baseline, qrs_on, qrs_off, rr_samples, fs_hz)
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
        earliest = max(earliest, t_end - rr_samples + _samples(40.0, fs_hz))
    p_onset, why = _p_wave(beats, baseline, qrs_on, earliest, fs_hz)
    result.p_wave_present = p_onset is not None
    if p_onset is None:
        reasons["pr_ms"] = why
    else:
        result.pr_ms = _ms(qrs_on - p_onset, fs_hz)
    _set_rhythm(result)
    return result


def _per_lead(result: Measurements, median: np.ndarray, baseline: np.ndarray,
              qrs_on: int, qrs_off: int, fs_hz: float) -> None:
    j60 = qrs_off + _samples(60.0, fs_hz)
    half = _samples(4.0, fs_hz)
    if j60 + half < median.shape[1]:
        st = np.mean(median[:, j60 - half: j60 + half + 1], axis=1) - baseline
        result.st_mv = {lead: float(st[i]) for i, lead in enumerate(LEADS)}
    else:
        result.reasons["st_mv"] = "J + 60 ms falls outside the median beat"
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
    result.r_mv = {lead: float(r_mv[i]) for i, lead in enumerate(LEADS)}
    result.s_mv = {lead: float(s_mv[i]) for i, lead in enumerate(LEADS)}


def _axis(result: Measurements, median: np.ndarray, baseline: np.ndarray,
          qrs_on: int, qrs_off: int) -> None:
    limb = [LEAD_INDEX[lead] for lead in LIMB_LEADS]
    areas = np.sum(median[limb, qrs_on: qrs_off + 1] - baseline[limb, None], axis=1)
    vector, *_ = np.linalg.lstsq(LIMB_LEAD_VECTORS, areas, rcond=None)
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
