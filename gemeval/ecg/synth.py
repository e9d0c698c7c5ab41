"""Deterministic synthetic 12-lead ECGs with exact ground truth.

The model is a moving cardiac dipole. Each beat is a sum of smooth, compactly supported
waves (P, septal q, R, S, R', T, ST injury), each a shape over its own time window times a
fixed 3-D vector in millivolts, in body axes x = patient's left, y = inferior (feet),
z = anterior. The heart vector H(t) is projected onto lead vectors:

* lead I on (1, 0, 0) and lead II on (cos 60°, sin 60°, 0); III, aVR, aVL and aVF are then
  derived from I and II in float32 (III = II - I, aVR = -(I + II)/2, aVL = I - II/2,
  aVF = II - I/2), so Einthoven's and Goldberger's relations hold exactly in the output;
* V1..V6 on horizontal-plane unit vectors from 120° (V1, anterior-right) to 5° (V6, left)
  with per-lead gains for the electrodes' proximity to the heart and an inferior tilt that
  grows towards V6 (the lateral electrodes sit below the heart's centre).

Noise (white, baseline wander, mains hum) is added per electrode (RA, LA, LL, V1..V6) and
mapped through the same lead definitions (precordials against Wilson's central terminal),
so it keeps the lead relations too.

Every boundary is put in, never measured: a wave is exactly zero outside its window, so
PR = QRS onset - P onset, QRS = QRS offset - onset and QT = T end - QRS onset are the
chosen numbers. Truth values are computed from the noise-free template of the dominant
beat; see :func:`synthesize` for each definition.
"""

from __future__ import annotations

import dataclasses
import math
import zlib
from dataclasses import asdict, dataclass
from typing import Any, Iterator, Mapping, Sequence

import numpy as np

from gemeval.ecg.labels import condition_labels, superclasses
from gemeval.ecg.record import LEADS, Record

CONDITIONS: tuple[str, ...] = (
    "normal",
    "sinus_bradycardia",
    "sinus_tachycardia",
    "first_degree_av_block",
    "lbbb",
    "rbbb",
    "atrial_fibrillation",
    "lvh",
    "inferior_stemi",
    "anterior_stemi",
    "long_qt",
    "left_axis_deviation",
    "right_axis_deviation",
    "pvc",
)
RHYTHMS: tuple[str, ...] = ("sinus", "atrial_fibrillation")
"""Values of the truth's ``rhythm`` (the vocabulary of ``gemeval.ecg.measure``): sinus
bradycardia and tachycardia are "sinus", told apart by ``hr_bpm`` (< 60, > 100)."""

SOKOLOW_LYON_LVH_MV = 3.5
"""S(V1) + max(R(V5), R(V6)) at or above this is LVH by voltage (Sokolow-Lyon)."""

_ST_OFFSET_MS = 60.0  # ST level is read at J + 60 ms
_TRUTH_STEP_MS = 0.05  # grid on which amplitudes and areas of the template are evaluated
_PRECORDIAL_ANGLE_DEG = np.array([120.0, 95.0, 75.0, 55.0, 30.0, 5.0])
_PRECORDIAL_GAIN = np.array([0.9, 1.5, 1.6, 1.5, 1.25, 1.0])
_PRECORDIAL_TILT = np.array([0.0, 0.05, 0.15, 0.25, 0.3, 0.3])
_N_ELECTRODES = 9  # RA, LA, LL, V1..V6


@dataclass(frozen=True)
class NoiseOptions:
    """What is added to the clean construction (all amplitudes in mV; 0 turns it off).

    Attributes:
        white_mv: standard deviation of white noise as seen in lead I (each electrode gets
            ``white_mv / sqrt(2)``, so bipolar leads see ``white_mv``).
        baseline_mv: amplitude of baseline wander per electrode, a sum of three slow
            sinusoids between 0.05 and 0.5 Hz (breathing and electrode drift).
        hum_mv: amplitude of mains interference per electrode.
        hum_hz: mains frequency, 50 or 60 Hz.
    """

    white_mv: float = 0.01
    baseline_mv: float = 0.05
    hum_mv: float = 0.005
    hum_hz: float = 50.0

    @classmethod
    def none(cls) -> "NoiseOptions":
        """No noise at all: the output is the clean construction."""
        return cls(white_mv=0.0, baseline_mv=0.0, hum_mv=0.0)


@dataclass(frozen=True)
class RealismOptions:
    """What real recordings have and the default construction does not (all off by
    default; ``synthesize(..., realism=RealismOptions(...))`` turns them on). They are
    drawn from a generator of their own, so a record without them is unchanged, and the
    truth stays exact: every interval is still the constructed boundary.

    Attributes:
        rsa_fraction: respiratory sinus arrhythmia, RR x (1 + this x sin(2 pi f t)) at a
            breathing rate f of 0.2-0.3 Hz (sinus rhythms only; the truth's RR is the
            mean of the resulting intervals).
        beat_amplitude_sd: beat-to-beat variation of shape: each beat's QRS-T (and P) is
            scaled by a factor of this standard deviation, the factors of the beats inside
            the record divided by their median, so the median beat (and so the truth's
            amplitudes and ST levels) is the nominal one.
        t_tail: the T wave's falling exponent b of u^(1.5 b) (1 - u)^b (2 by default, its
            peak at 60% of the ST-T span whatever b); larger values give the gradual T ends
            of real recordings. The T wave still ends, at exactly QT, at zero.
        artefact_bursts: number of motion-artefact bursts, each in one to three electrodes,
            0.2-0.6 s of 1-15 Hz noise of ``artefact_mv`` peak amplitude under a Hann
            envelope (truth ``artefact_spans_s``).
        artefact_mv: peak amplitude of a burst.
        leads_off: leads stored as zeros (an electrode off, or a zero-filled lead); their
            per-lead truth is NaN and ``truth["leads_off"]`` lists them.
        calibration_pulse: "start" or "end": a 1 mV, 200 ms square pulse in every lead
            that is on, 100 ms from that end of the strip, drawn instead of the signal
            (truth ``calibration_s``), as carts print it. (Drawn in each stored lead, it
            does not keep Einthoven's relation.)
    """

    rsa_fraction: float = 0.0
    beat_amplitude_sd: float = 0.0
    t_tail: float = 2.0
    artefact_bursts: int = 0
    artefact_mv: float = 0.8
    leads_off: tuple[str, ...] = ()
    calibration_pulse: str | None = None

    def __post_init__(self) -> None:
        problems = []
        if not 0.0 <= self.rsa_fraction <= 0.2:
            problems.append(f"rsa_fraction={self.rsa_fraction} (0 to 0.2)")
        if not 0.0 <= self.beat_amplitude_sd <= 0.3:
            problems.append(f"beat_amplitude_sd={self.beat_amplitude_sd} (0 to 0.3)")
        if not 1.0 <= self.t_tail <= 8.0:
            problems.append(f"t_tail={self.t_tail} (1 to 8)")
        if self.artefact_bursts < 0 or self.artefact_mv < 0:
            problems.append("artefact_bursts and artefact_mv must be >= 0")
        unknown = [lead for lead in self.leads_off if lead not in LEADS]
        if unknown:
            problems.append(f"leads_off: unknown lead(s) {', '.join(unknown)}")
        if self.calibration_pulse not in (None, "start", "end"):
            problems.append(f"calibration_pulse={self.calibration_pulse!r} (None, 'start' or 'end')")
        if problems:
            raise ValueError("invalid RealismOptions: " + "; ".join(problems))


@dataclass
class _Wave:
    """One wave: ``vector_mv * shape((t - on) / (off - on))`` on [on, off], 0 elsewhere.

    Shapes over u in [0, 1], all with peak 1:
      "hann": 0.5 - 0.5 cos(2 pi u);
      "beta": u^a (1 - u)^b, scaled to peak 1 at u = a / (a + b);
      "plateau": raised-cosine rise on [0, a], 1 on [a, b], raised-cosine fall on [b, 1].
    """

    on_ms: float
    off_ms: float
    vector_mv: np.ndarray
    shape: str = "hann"
    a: float = 2.0
    b: float = 2.0
    rotatable: bool = False  # follows the QRS-axis rotation

    def values(self, u: np.ndarray) -> np.ndarray:
        if self.shape == "hann":
            return 0.5 - 0.5 * np.cos(2.0 * np.pi * u)
        if self.shape == "beta":
            peak = self.a / (self.a + self.b)
            return (u**self.a * (1.0 - u) ** self.b) / (peak**self.a * (1.0 - peak) ** self.b)
        rise = 0.5 - 0.5 * np.cos(np.pi * np.clip(u / self.a, 0.0, 1.0))
        fall = 0.5 + 0.5 * np.cos(np.pi * np.clip((u - self.b) / (1.0 - self.b), 0.0, 1.0))
        return rise * fall


def _evaluate(waves: Sequence[_Wave], times_ms: np.ndarray) -> np.ndarray:
    """Heart vector (3, len(times_ms)) of ``waves`` at increasing ``times_ms``."""
    heart = np.zeros((3, times_ms.size))
    for wave in waves:
        lo, hi = np.searchsorted(times_ms, (wave.on_ms, wave.off_ms))
        if hi > lo:
            u = (times_ms[lo:hi] - wave.on_ms) / (wave.off_ms - wave.on_ms)
            heart[:, lo:hi] += np.outer(wave.vector_mv, wave.values(u))
    return heart


def _vector(frontal_mv: float, angle_deg: float, anterior_mv: float) -> np.ndarray:
    """A dipole with frontal magnitude and angle (0° = left, 90° = inferior) and a z part."""
    angle = math.radians(angle_deg)
    return np.array([frontal_mv * math.cos(angle), frontal_mv * math.sin(angle), anterior_mv])


def _rotate_frontal(vector: np.ndarray, delta_deg: float) -> np.ndarray:
    c, s = math.cos(math.radians(delta_deg)), math.sin(math.radians(delta_deg))
    return np.array([c * vector[0] - s * vector[1], s * vector[0] + c * vector[1], vector[2]])


def _lead_matrix(rng: np.random.Generator) -> np.ndarray:
    """(8, 3) projections for I, II, V1..V6; precordial angles and gains vary per body."""
    angles = np.radians(_PRECORDIAL_ANGLE_DEG + rng.uniform(-6.0, 6.0, 6))
    gains = _PRECORDIAL_GAIN * rng.uniform(0.9, 1.1, 6)
    # V4-V6 sit below the heart's centre, so they also see inferior forces.
    tilt = _PRECORDIAL_TILT * rng.uniform(0.8, 1.2)
    matrix = np.zeros((8, 3))
    matrix[0] = (1.0, 0.0, 0.0)
    matrix[1] = (0.5, math.sqrt(3.0) / 2.0, 0.0)
    matrix[2:, 0] = gains * np.cos(angles)
    matrix[2:, 1] = gains * tilt
    matrix[2:, 2] = gains * np.sin(angles)
    return matrix


def _leads_float64(independent: np.ndarray) -> np.ndarray:
    """All 12 leads (rows in LEADS order) from rows I, II, V1..V6 (float64, for truth)."""
    lead_i, lead_ii = independent[0], independent[1]
    return np.vstack([
        lead_i, lead_ii, lead_ii - lead_i, -(lead_i + lead_ii) / 2.0,
        lead_i - lead_ii / 2.0, lead_ii - lead_i / 2.0, independent[2:],
    ])


def _leads_float32(independent: np.ndarray) -> np.ndarray:
    """All 12 leads in float32, the limb leads derived from the float32 I and II so that
    Einthoven's and Goldberger's relations hold exactly in the stored values."""
    independent = independent.astype(np.float32)
    lead_i, lead_ii = independent[0], independent[1]
    half = np.float32(0.5)
    out = np.empty((len(LEADS), independent.shape[1]), dtype=np.float32)
    out[0], out[1] = lead_i, lead_ii
    out[2] = lead_ii - lead_i
    out[3] = -(lead_i + lead_ii) * half
    out[4] = lead_i - lead_ii * half
    out[5] = lead_ii - lead_i * half
    out[6:] = independent[2:]
    return out


# --- beat morphology -------------------------------------------------------------------


def _p_waves(rng: np.random.Generator, pr_ms: float, p_ms: float, scale: float) -> list[_Wave]:
    """Right then left atrial activation: upright in II, biphasic in V1."""
    on = -pr_ms
    right = _vector(0.16 * scale, rng.uniform(60, 80), 0.06 * scale)
    left = _vector(0.13 * scale, rng.uniform(35, 55), -0.07 * scale)
    return [
        _Wave(on, on + 0.65 * p_ms, right),
        _Wave(on + 0.35 * p_ms, on + p_ms, left),
    ]


def _qrs_normal(rng: np.random.Generator, qrs_ms: float, axis_deg: float, scale: float) -> list[_Wave]:
    """Septal q (rightward-anterior), early R (left-anterior), main R (left-posterior), S."""
    q = qrs_ms
    return [
        _Wave(0.0, 0.32 * q, _vector(0.15 * scale, rng.uniform(150, 200), 0.15 * scale)),
        _Wave(0.08 * q, 0.58 * q, _vector(0.45 * scale, axis_deg - 10, 0.3 * scale), rotatable=True),
        _Wave(0.22 * q, 0.78 * q, _vector(1.1 * scale, axis_deg, -0.75 * scale), rotatable=True),
        _Wave(0.55 * q, q, _vector(0.2 * scale, rng.uniform(-150, -100), -0.4 * scale), rotatable=True),
    ]


def _qrs_lbbb(rng: np.random.Generator, qrs_ms: float, axis_deg: float, scale: float) -> list[_Wave]:
    """Septum activated from the left: no septal q in I/V6, QS in V1; two leftward-posterior
    fronts whose overlap leaves a notched broad R in I, aVL, V5, V6."""
    q = qrs_ms
    return [
        _Wave(0.0, 0.45 * q, _vector(0.55 * scale, axis_deg + 10, -0.1 * scale), rotatable=True),
        _Wave(0.12 * q, 0.72 * q, _vector(1.2 * scale, axis_deg - 5, -0.65 * scale), rotatable=True),
        _Wave(0.45 * q, q, _vector(1.25 * scale, axis_deg + 5, -0.9 * scale), rotatable=True),
    ]


def _qrs_rbbb(rng: np.random.Generator, qrs_ms: float, axis_deg: float, scale: float) -> list[_Wave]:
    """Normal left-ventricular activation in the first ~70 ms, then the late, slow right
    ventricle: a rightward-anterior R' (rSR' in V1, broad S in I and V6)."""
    q = qrs_ms
    early = min(75.0, 0.6 * q)
    return [
        _Wave(0.0, 0.3 * early, _vector(0.15 * scale, rng.uniform(150, 200), 0.2 * scale)),
        _Wave(0.1 * early, 0.7 * early, _vector(0.4 * scale, axis_deg - 10, 0.3 * scale), rotatable=True),
        _Wave(0.25 * early, early, _vector(1.0 * scale, axis_deg, -0.7 * scale), rotatable=True),
        _Wave(0.8 * early, q, _vector(0.55 * scale, 180 + rng.uniform(-20, 10), 0.65 * scale),
              rotatable=True),
    ]


def _qrs_ectopic(rng: np.random.Generator, qrs_ms: float) -> list[_Wave]:
    """A ventricular beat: two large, slow fronts from a random ventricular site."""
    angle = rng.uniform(-120, 120)
    anterior = rng.choice([-1.0, 1.0]) * rng.uniform(0.5, 1.0)
    size = rng.uniform(1.2, 1.8)
    return [
        _Wave(0.0, 0.65 * qrs_ms, _vector(0.8 * size, angle, 0.6 * anterior)),
        _Wave(0.3 * qrs_ms, qrs_ms, _vector(size, angle + rng.uniform(-30, 30), anterior)),
    ]


def _frontal_area(waves: Sequence[_Wave], qrs_ms: float) -> np.ndarray:
    """Net area (mV·ms) of the heart vector over the QRS window, x and y."""
    grid = np.arange(0.0, qrs_ms + _TRUTH_STEP_MS / 2, _TRUTH_STEP_MS)
    return np.trapezoid(_evaluate(waves, grid)[:2], grid, axis=1)


def _axis_deg(area_xy: np.ndarray) -> float:
    """Angle of the net frontal QRS vector in (-180, 180]."""
    angle = math.degrees(math.atan2(area_xy[1], area_xy[0]))
    return 180.0 if angle == -180.0 else angle


def _turn_to_axis(waves: list[_Wave], qrs_ms: float, target_deg: float) -> None:
    """Rotate the rotatable QRS waves in the frontal plane until the net QRS area points at
    ``target_deg``; a few fixed-point steps, since the septal wave does not turn."""
    for _ in range(4):
        delta = (target_deg - _axis_deg(_frontal_area(waves, qrs_ms)) + 180.0) % 360.0 - 180.0
        if abs(delta) < 1e-6:
            return
        for wave in waves:
            if wave.rotatable:
                wave.vector_mv = _rotate_frontal(wave.vector_mv, delta)


def _t_wave(qrs_ms: float, qt_ms: float, vector: np.ndarray, st_delay_ms: float,
            tail: float = 2.0) -> _Wave:
    """T from shortly after J to T end: slow rise, faster fall (beta 1.5 ``tail``,
    ``tail``: beta 3, 2 by default; the peak stays at 60% of the span for any tail)."""
    return _Wave(qrs_ms + st_delay_ms, qt_ms, vector, "beta", 1.5 * tail, tail)


def _st_wave(qrs_ms: float, qt_ms: float, vector: np.ndarray) -> _Wave:
    """ST injury current: rises over the 20 ms after J (so the QRS window holds only
    depolarisation), flat to mid ST-T, then falls to zero at T end."""
    return _Wave(qrs_ms, qt_ms, vector, "plateau", 20.0 / (qt_ms - qrs_ms), 0.45)


# --- parameters per condition ------------------------------------------------------------


@dataclass
class _Design:
    """Everything drawn for one record before any sample is computed."""

    hr_bpm: float
    pr_ms: float
    qrs_ms: float
    qtc_target_ms: float
    axis_target_deg: float
    morphology: str  # "normal", "lbbb", "rbbb"
    rhythm: str
    scale: float
    p_ms: float


SETTABLE_FEATURES: tuple[str, ...] = ("hr_bpm", "pr_ms", "qrs_ms", "qtc_ms", "axis_deg", "rhythm")
"""Design values ``synthesize(..., set_features=...)`` can fix: everything else of the record
(morphology, lead placement, amplitudes, noise with ``noise_seed``) stays as drawn."""


def _set_features(design: _Design, features: Mapping[str, Any]) -> _Design:
    """``design`` with the values of ``features`` (keys of ``SETTABLE_FEATURES``) put in.

    "rhythm" "atrial_fibrillation" removes the P wave (PR NaN); "sinus" needs a PR, the
    design's or one given. The P wave is shortened to end 40 ms before a shorter PR.
    """
    unknown = sorted(set(features) - set(SETTABLE_FEATURES))
    if unknown:
        raise ValueError(f"set_features: unknown key(s) {', '.join(unknown)}; known: {', '.join(SETTABLE_FEATURES)}")
    fields = {"hr_bpm": "hr_bpm", "pr_ms": "pr_ms", "qrs_ms": "qrs_ms", "qtc_ms": "qtc_target_ms",
              "axis_deg": "axis_target_deg"}
    changes: dict[str, Any] = {fields[k]: float(v) for k, v in features.items() if k in fields}
    rhythm = features.get("rhythm", design.rhythm)
    if rhythm not in RHYTHMS:
        raise ValueError(f"set_features: rhythm must be one of {', '.join(RHYTHMS)}, got {rhythm!r}")
    changes["rhythm"] = rhythm
    if rhythm == "atrial_fibrillation":
        changes["pr_ms"], changes["p_ms"] = math.nan, math.nan
    else:
        pr = changes.get("pr_ms", design.pr_ms)
        if math.isnan(pr) or pr < 80.0:
            raise ValueError(f"set_features: a sinus rhythm needs a PR of at least 80 ms, got {pr}")
        p_ms = design.p_ms if not math.isnan(design.p_ms) else 90.0
        changes["p_ms"] = min(p_ms, pr - 40.0)
    for key in ("hr_bpm", "qrs_ms", "qtc_target_ms"):
        if key in changes and not changes[key] > 0:
            raise ValueError(f"set_features: {key} must be positive, got {changes[key]}")
    return dataclasses.replace(design, **changes)


def _design(condition: str, rng: np.random.Generator) -> _Design:
    u = rng.uniform
    # Rates keep 2 bpm from the 60 and 100 bpm limits: RR jitter moves the mean a little.
    hr = u(62, 95)
    pr = u(130, 190)
    qrs = u(80, 105)
    qtc = u(380, 435)
    axis = u(-15, 75)
    morphology, rhythm = "normal", "sinus"
    scale = u(0.85, 1.2)
    if condition == "sinus_bradycardia":
        hr = u(40, 55)
    elif condition == "sinus_tachycardia":
        hr, pr, qtc = u(105, 130), u(120, 150), u(370, 420)
    elif condition == "first_degree_av_block":
        hr, pr = u(62, 85), u(225, 320)
    elif condition == "lbbb":
        qrs, qtc, axis, morphology = u(130, 170), u(430, 470), u(-25, 45), "lbbb"
    elif condition == "rbbb":
        qrs, qtc, axis, morphology = u(125, 160), u(420, 465), u(0, 80), "rbbb"
    elif condition == "atrial_fibrillation":
        hr, pr, rhythm = u(70, 115), math.nan, "atrial_fibrillation"
    elif condition == "lvh":
        qrs = u(90, 110)
    elif condition == "long_qt":
        hr, qtc = u(62, 85), u(490, 560)
    elif condition == "left_axis_deviation":
        axis = u(-75, -40)
    elif condition == "right_axis_deviation":
        axis = u(105, 135)
    elif condition == "pvc":
        hr = u(62, 85)
    p_ms = math.nan if math.isnan(pr) else min(u(80, 110), pr - 40.0)
    return _Design(hr, pr, qrs, qtc, axis, morphology, rhythm, scale, p_ms)


# --- the record ------------------------------------------------------------------------


def _condition_key(condition: str) -> int:
    return zlib.crc32(condition.encode("utf-8"))


def _schedule(
    design: _Design, qt_ms: float, rng: np.random.Generator, fs_hz: float, n_samples: int
) -> list[tuple[int, str]]:
    """(QRS-onset sample, kind) of every beat touching the record; kind "N" or "V".

    Beats start before sample 0 and run past the end so the record begins and ends
    mid-cycle. Sinus RR varies by about 1% (normal respiratory variation); AF draws each
    RR log-normally (sd 0.2), keeps it at least QT + 100 ms so T never hits the next QRS,
    and redraws (up to 20 times) a sequence whose RR spread inside the record is below 10%.
    """
    rr_ms = 60_000.0 / design.hr_bpm
    end_ms = n_samples / fs_hz * 1000.0 + rr_ms
    for _ in range(20):
        t_ms = -rng.uniform(0.0, rr_ms)
        onsets_ms = []
        while t_ms < end_ms:
            onsets_ms.append(t_ms)
            if design.rhythm == "atrial_fibrillation":
                step = rr_ms * math.exp(rng.normal(0.0, 0.2))
                step = min(max(step, 0.6 * rr_ms, qt_ms + 100.0), 1.8 * rr_ms)
            else:
                step = rr_ms * (1.0 + rng.normal(0.0, 0.01))
            t_ms += step
        inside = np.diff([t for t in onsets_ms if 0.0 <= t < end_ms - rr_ms])
        # An AF record must look irregular within its own length; redraw the rare calm one.
        if design.rhythm != "atrial_fibrillation" or inside.size < 3 or inside.std() > 0.1 * inside.mean():
            break
    return [(int(round(t * fs_hz / 1000.0)), "N") for t in onsets_ms]


def _place(heart: np.ndarray, template: np.ndarray, start: int) -> None:
    """Add ``template`` (3, L) into ``heart`` (3, n) from sample ``start``, clipped."""
    n = heart.shape[1]
    lo, hi = max(start, 0), min(start + template.shape[1], n)
    if hi > lo:
        heart[:, lo:hi] += template[:, lo - start:hi - start]


def _template(waves: Sequence[_Wave], fs_hz: float) -> tuple[np.ndarray, int]:
    """The waves sampled on the record's grid: (3, L) and the sample offset of QRS onset."""
    first_ms = min(w.on_ms for w in waves)
    last_ms = max(w.off_ms for w in waves)
    offset = int(math.ceil(-first_ms * fs_hz / 1000.0))
    times = (np.arange(-offset, int(last_ms * fs_hz / 1000.0) + 2)) * (1000.0 / fs_hz)
    return _evaluate(waves, times), offset


def _insert_pvcs(
    schedule: list[tuple[int, str]], design: _Design, qt_ms: float, rng: np.random.Generator,
    fs_hz: float, n: int,
) -> tuple[tuple[np.ndarray, int], list[tuple[np.ndarray, int, int]]]:
    """Turn 1-3 non-adjacent sinus beats inside the record into premature ventricular beats.

    Each comes ``coupling`` after the previous beat (55-70% of RR, at least QT + 40 ms so
    it never lands on the T wave); the sinus beat it replaces keeps its P wave, hidden in
    the ectopic beat, and the next sinus beat stays on time (a full compensatory pause).
    Changes ``schedule`` in place; returns the ectopic beat's (template, offset) and the
    hidden P waves as (template, offset, start) placements.
    """
    rr_ms = 60_000.0 / design.hr_bpm
    inside = [i for i, (start, _) in enumerate(schedule) if 0 <= start < n and i > 0]
    candidates = inside[1:-1] if len(inside) > 3 else inside
    wanted = int(rng.integers(1, 4))
    chosen: list[int] = []
    # Not adjacent: each premature beat needs a sinus beat before it to be premature to.
    for index in rng.permutation(candidates):
        if len(chosen) < wanted and all(abs(int(index) - c) > 1 for c in chosen):
            chosen.append(int(index))
    p_template, p_offset = _template(_p_waves(rng, design.pr_ms, design.p_ms, design.scale), fs_hz)
    hidden_p = []
    for index in sorted(chosen):
        coupling_ms = max(rng.uniform(0.55, 0.7) * rr_ms, qt_ms + 40.0)
        hidden_p.append((p_template, p_offset, schedule[index][0]))
        schedule[index] = (schedule[index - 1][0] + int(round(coupling_ms * fs_hz / 1000.0)), "V")

    qrs_ms = rng.uniform(130, 170)
    waves = _qrs_ectopic(rng, qrs_ms)
    area = _frontal_area(waves, qrs_ms)
    # Secondary repolarisation: T points away from the ectopic QRS.
    t_vector = -np.append(area / np.linalg.norm(area), rng.uniform(-0.3, 0.3)) * rng.uniform(0.3, 0.5)
    waves.append(_t_wave(qrs_ms, qrs_ms + rng.uniform(220, 280), t_vector, 0.0))
    return _template(waves, fs_hz), hidden_p


def _fibrillation(rng: np.random.Generator, n: int, fs_hz: float) -> np.ndarray:
    """Fibrillatory atrial activity (3, n): three 4-8 Hz oscillations with slowly drifting
    phase (their beating varies the amplitude), along a mostly anterior-inferior axis."""
    t = np.arange(n) / fs_hz
    direction = _vector(rng.uniform(0.5, 0.8), rng.uniform(60, 110), rng.uniform(0.6, 1.0))
    wave = np.zeros(n)
    for _ in range(3):
        freq = rng.uniform(4.0, 8.0)
        drift = rng.uniform(0.5, 2.0) * np.sin(2 * np.pi * rng.uniform(0.1, 0.4) * t + rng.uniform(0, 2 * np.pi))
        wave += rng.uniform(0.3, 1.0) * np.sin(2 * np.pi * freq * t + drift + rng.uniform(0, 2 * np.pi))
    amplitude_mv = rng.uniform(0.04, 0.09)
    wave *= amplitude_mv / max(np.abs(wave).max(), 1e-12)
    return np.outer(direction / np.linalg.norm(direction), wave)


def _electrode_noise(
    rng: np.random.Generator, noise: NoiseOptions, n: int, fs_hz: float
) -> np.ndarray | None:
    """(9, n) noise at RA, LA, LL, V1..V6, or None when there is none."""
    if noise.white_mv <= 0 and noise.baseline_mv <= 0 and noise.hum_mv <= 0:
        return None
    t = np.arange(n) / fs_hz
    out = np.zeros((_N_ELECTRODES, n))
    if noise.white_mv > 0:
        out += rng.normal(0.0, noise.white_mv / math.sqrt(2.0), (_N_ELECTRODES, n))
    if noise.baseline_mv > 0:
        freqs = np.array([rng.uniform(0.15, 0.35), rng.uniform(0.05, 0.12), rng.uniform(0.3, 0.5)])
        phase = 2 * np.pi * np.outer(freqs, t)
        basis = np.vstack([np.sin(phase), np.cos(phase)])
        weights = rng.normal(0.0, noise.baseline_mv / math.sqrt(3.0), (_N_ELECTRODES, 6))
        out += weights @ basis
    if noise.hum_mv > 0:
        phase = 2 * np.pi * noise.hum_hz * t
        basis = np.vstack([np.sin(phase), np.cos(phase)])
        angle = rng.uniform(0, 2 * np.pi, _N_ELECTRODES)
        size = noise.hum_mv * rng.uniform(0.5, 1.0, _N_ELECTRODES)
        out += np.column_stack([size * np.cos(angle), size * np.sin(angle)]) @ basis
    return out


def _lead_noise(electrodes: np.ndarray) -> np.ndarray:
    """Electrode noise as seen by I, II and V1..V6 (against Wilson's central terminal)."""
    ra, la, ll = electrodes[0], electrodes[1], electrodes[2]
    wilson = (ra + la + ll) / 3.0
    return np.vstack([la - ra, ll - ra, electrodes[3:] - wilson])


def _per_lead(values: np.ndarray) -> dict[str, float]:
    return {lead: float(v) for lead, v in zip(LEADS, values)}


def _amplitudes(
    waves: Sequence[_Wave], matrix: np.ndarray, qrs_ms: float
) -> tuple[np.ndarray, np.ndarray]:
    """R (largest positive QRS value, 0 if none) and S (most negative value after the R
    peak, or anywhere in a QS complex; 0 if none) per lead, on a 0.05 ms grid."""
    grid = np.arange(0.0, qrs_ms + _TRUTH_STEP_MS / 2, _TRUTH_STEP_MS)
    leads = _leads_float64(matrix @ _evaluate(waves, grid))
    # Below a nanovolt is round-off where the waves' windows close, not a deflection.
    leads[np.abs(leads) < 1e-6] = 0.0
    r_mv = np.maximum(leads.max(axis=1), 0.0)
    peak = leads.argmax(axis=1)
    s_mv = np.array([
        min(float(row[(p if r > 0 else 0):].min()), 0.0) for row, p, r in zip(leads, peak, r_mv)
    ])
    return r_mv, s_mv


def _sokolow_lyon(r_mv: np.ndarray, s_mv: np.ndarray) -> float:
    v1, v5, v6 = LEADS.index("V1"), LEADS.index("V5"), LEADS.index("V6")
    return float(-s_mv[v1] + max(r_mv[v5], r_mv[v6]))


def _scale_qrs(waves: Sequence[_Wave], factor: float) -> None:
    for wave in waves:
        wave.vector_mv = wave.vector_mv * factor


def _breathe(schedule: list[tuple[int, str]], fraction: float, rng: np.random.Generator,
             fs_hz: float) -> list[tuple[int, str]]:
    """The schedule with each RR scaled by 1 + fraction x sin(2 pi f t + phase) at a
    breathing rate f of 0.2-0.3 Hz (the first onset, before the record, stays)."""
    freq, phase = rng.uniform(0.2, 0.3), rng.uniform(0.0, 2.0 * np.pi)
    starts = np.array([start for start, _ in schedule], dtype=float)
    steps = np.diff(starts) * (1.0 + fraction * np.sin(2.0 * np.pi * freq * starts[:-1] / fs_hz + phase))
    moved = np.concatenate([[starts[0]], starts[0] + np.cumsum(steps)])
    return [(int(round(t)), kind) for t, (_, kind) in zip(moved, schedule)]


def _beat_factors(schedule: list[tuple[int, str]], realism: RealismOptions | None,
                  rng: np.random.Generator | None, n: int) -> list[float]:
    """Per-beat amplitude factors (see RealismOptions.beat_amplitude_sd); 1.0 without."""
    if realism is None or realism.beat_amplitude_sd <= 0 or rng is None:
        return [1.0] * len(schedule)
    factors = np.clip(1.0 + rng.normal(0.0, realism.beat_amplitude_sd, len(schedule)), 0.5, 1.5)
    inside = [i for i, (start, kind) in enumerate(schedule) if 0 <= start < n and kind == "N"]
    if inside:
        factors /= float(np.median(factors[inside]))
    return [float(f) for f in factors]


def _artefact_bursts(realism: RealismOptions, rng: np.random.Generator, n: int,
                     fs_hz: float) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """(9, n) motion-artefact noise at the electrodes and the bursts' spans in s."""
    from scipy.signal import butter, sosfiltfilt

    out = np.zeros((_N_ELECTRODES, n))
    spans = []
    sos = butter(2, (1.0, min(15.0, 0.45 * fs_hz)), btype="bandpass", fs=fs_hz, output="sos")
    for _ in range(realism.artefact_bursts):
        length = int(rng.uniform(0.2, 0.6) * fs_hz)
        if length >= n or length < 30:
            continue
        start = int(rng.integers(0, n - length))
        burst = sosfiltfilt(sos, rng.normal(0.0, 1.0, length + 200))[100:100 + length]
        burst *= np.hanning(length) * realism.artefact_mv / max(float(np.abs(burst).max()), 1e-12)
        for electrode in rng.choice(_N_ELECTRODES, size=int(rng.integers(1, 4)), replace=False):
            out[electrode, start:start + length] += burst * rng.choice([-1.0, 1.0])
        spans.append((start / fs_hz, (start + length) / fs_hz))
    return out, sorted(spans)


def _realism_after(signal: np.ndarray, truth: dict[str, Any], realism: RealismOptions,
                   artefacts: list[tuple[float, float]], fs_hz: float) -> np.ndarray:
    """Leads off and the calibration pulse on the stored signal; their truth entries."""
    signal = signal.copy()
    truth["realism"] = asdict(realism)
    truth["artefact_spans_s"] = [list(span) for span in artefacts]
    truth["leads_off"] = list(realism.leads_off)
    for lead in realism.leads_off:
        signal[LEADS.index(lead)] = 0.0
        for key in ("st_mv", "r_mv", "s_mv"):
            truth[key][lead] = math.nan
    truth["calibration_s"] = None
    if realism.calibration_pulse is not None:
        n = signal.shape[1]
        width, margin = int(round(0.2 * fs_hz)), int(round(0.1 * fs_hz))
        start = margin if realism.calibration_pulse == "start" else n - margin - width
        on = [i for i, lead in enumerate(LEADS) if lead not in realism.leads_off]
        # the cart draws the pulse instead of the signal: 1 mV above the level before it
        signal[on, start:start + width] = signal[on, start - 1: start] + np.float32(1.0)
        truth["calibration_s"] = [start / fs_hz, (start + width) / fs_hz]
    return signal


def synthesize(
    condition: str,
    seed: int,
    *,
    fs_hz: float = 500.0,
    duration_s: float = 10.0,
    noise: NoiseOptions = NoiseOptions(),
    record_id: str | None = None,
    set_features: Mapping[str, Any] | None = None,
    st_injury_mv: Sequence[float] | None = None,
    noise_seed: int | None = None,
    realism: RealismOptions | None = None,
) -> tuple[Record, dict[str, Any]]:
    """One synthetic 12-lead record of ``condition`` and its truth.

    The same (condition, seed, fs_hz, duration_s, noise) gives the same record: all
    randomness comes from one numpy PCG64 generator seeded by the seed and a CRC-32 of
    the condition name.

    Truth keys (``gemeval.ecg.values.TRUTH_KEYS`` plus construction details). Intervals and
    amplitudes describe the dominant (sinus or AF-conducted) beat, exactly as constructed:

    * ``rr_ms``: mean interval between consecutive QRS onsets inside the record, all beats
      (ectopic ones too); ``hr_bpm`` = 60000 / ``rr_ms``.
    * ``pr_ms`` (P onset to QRS onset; NaN in AF), ``qrs_ms``, ``qt_ms`` (QRS onset to T
      end): the window boundaries put into the construction.
    * ``qtc_ms`` = qt / sqrt(rr / 1000 ms) (Bazett); ``qtc_fridericia_ms`` = qt /
      cbrt(rr / 1000 ms), with ``rr_ms`` above.
    * ``axis_deg``: direction of the net frontal QRS area, atan2(2·A(aVF)/sqrt(3), A(I))
      with A the area of the noise-free lead over [QRS onset, QRS end] (the sqrt(3)/2 is
      aVF's length in Einthoven's triangle), in (-180, 180].
    * ``st_mv``: the noise-free lead at J + 60 ms minus baseline (0: the PR segment of the
      construction is flat). ``r_mv``, ``s_mv``: see ``_amplitudes``.
    * ``rhythm`` in ``RHYTHMS``; ``rr_regular``: whether the dominant rhythm is regular
      (False only in AF; premature beats do not make it irregular).
    * ``id``, ``condition``, ``labels`` (PTB-XL SCP codes), ``superclasses``,
      ``snomed_codes``, ``fs_hz``, ``n_samples``, and construction details: ``seed``,
      ``p_ms`` (P duration), ``pvc_count``, ``qrs_onsets_s`` and ``beat_kinds`` (one
      "N"/"V" per QRS inside the record), ``sokolow_lyon_mv``, ``noise``.

    Controlled variants (all optional; without them the record is the one above):

    * ``set_features`` fixes design values (``SETTABLE_FEATURES``: hr_bpm, pr_ms, qrs_ms,
      qtc_ms, axis_deg, rhythm) after they are drawn; every other draw is unchanged, so
      the record keeps its morphology, lead placement and amplitudes.
    * ``st_injury_mv`` adds an ST injury current (x, y, z in mV, the body axes above),
      flat from 20 ms after J to mid ST-T, so ST at J + 60 ms moves by its projection.
    * ``noise_seed`` draws the noise from its own generator, so records that differ in
      one feature (and so in how many beats were drawn) carry exactly the same noise.

    ``realism`` (:class:`RealismOptions`) adds breathing RR variation, beat-to-beat
    amplitude variation, gradual T ends, artefact bursts, leads off and a calibration
    pulse, and the truth keys ``realism``, ``artefact_spans_s``, ``leads_off`` and
    ``calibration_s``; without it the record and truth are exactly as before.

    Raises:
        ValueError: unknown condition, non-positive duration, a rate below 50 Hz, or a
            ``set_features`` key or value that cannot be built.
    """
    if condition not in CONDITIONS:
        raise ValueError(f"unknown condition {condition!r}; known: {', '.join(CONDITIONS)}")
    if duration_s <= 0:
        raise ValueError(f"duration_s must be positive, got {duration_s}")
    if fs_hz < 50:
        raise ValueError(f"fs_hz must be at least 50 Hz to draw a QRS, got {fs_hz}")
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), _condition_key(condition)]))
    n = int(round(duration_s * fs_hz))
    design = _design(condition, rng)
    if set_features:
        design = _set_features(design, set_features)
    matrix = _lead_matrix(rng)
    rr_design_ms = 60_000.0 / design.hr_bpm
    qt_ms = design.qtc_target_ms * math.sqrt(rr_design_ms / 1000.0)
    qrs_ms = design.qrs_ms

    builder = {"normal": _qrs_normal, "lbbb": _qrs_lbbb, "rbbb": _qrs_rbbb}[design.morphology]
    qrs_waves = builder(rng, qrs_ms, design.axis_target_deg, design.scale)
    _turn_to_axis(qrs_waves, qrs_ms, design.axis_target_deg)
    r_mv, s_mv = _amplitudes(qrs_waves, matrix, qrs_ms)
    voltage = _sokolow_lyon(r_mv, s_mv)
    # LVH is defined by voltage, so the other narrow-QRS conditions stay clearly below it;
    # bundle-branch blocks keep their voltage (the criterion does not apply to them).
    if condition == "lvh":
        _scale_qrs(qrs_waves, rng.uniform(3.9, 5.0) / voltage)
    elif design.morphology == "normal":
        _scale_qrs(qrs_waves, min(voltage, rng.uniform(2.0, 3.2)) / voltage)

    axis = design.axis_target_deg
    t_size = rng.uniform(0.25, 0.45) * design.scale
    if design.morphology == "lbbb" or (condition == "lvh" and rng.uniform() < 0.5):
        t_vector = _vector(t_size * 1.2, axis + 180 + rng.uniform(-20, 20), 0.35 * t_size)
    elif design.morphology == "rbbb":
        t_vector = _vector(t_size, axis + rng.uniform(-20, 20), -0.5 * t_size)
    else:
        t_vector = _vector(t_size, axis + rng.uniform(-30, 25), rng.uniform(0.2, 0.5) * t_size)
    # A normal ST segment is flat for the first quarter to two fifths of the ST-T span.
    st_delay = 0.0 if design.morphology != "normal" else rng.uniform(0.25, 0.4) * (qt_ms - qrs_ms)
    tail = realism.t_tail if realism is not None else 2.0
    ventricular = list(qrs_waves) + [_t_wave(qrs_ms, qt_ms, t_vector, st_delay, tail)]
    if design.morphology == "lbbb":
        ventricular.append(_st_wave(qrs_ms, qt_ms, _vector(0.1, axis + 180, 0.18) * design.scale))
    if condition == "inferior_stemi":
        st = _vector(rng.uniform(0.2, 0.4), rng.uniform(95, 115), rng.uniform(-0.03, 0.05))
        ventricular += [_st_wave(qrs_ms, qt_ms, st), _t_wave(qrs_ms, qt_ms, 0.8 * st, 20.0)]
    elif condition == "anterior_stemi":
        st = _vector(rng.uniform(0.08, 0.15), rng.uniform(-40, 0), rng.uniform(0.25, 0.4))
        ventricular += [_st_wave(qrs_ms, qt_ms, st), _t_wave(qrs_ms, qt_ms, 0.8 * st, 20.0)]
    if st_injury_mv is not None:
        ventricular.append(_st_wave(qrs_ms, qt_ms, np.asarray(st_injury_mv, dtype=np.float64).reshape(3)))

    beat_waves = ventricular if design.rhythm == "atrial_fibrillation" else (
        _p_waves(rng, design.pr_ms, design.p_ms, design.scale) + ventricular
    )
    beat, beat_offset = _template(beat_waves, fs_hz)

    schedule = _schedule(design, qt_ms, rng, fs_hz, n)
    # the realism draws have their own stream, so the default record is unchanged by them
    real_rng = np.random.default_rng(np.random.SeedSequence([int(seed), _condition_key(condition), 1]))
    if realism is not None and realism.rsa_fraction > 0 and design.rhythm != "atrial_fibrillation":
        schedule = _breathe(schedule, realism.rsa_fraction, real_rng, fs_hz)
    templates = {"N": (beat, beat_offset)}
    extra_waves: list[tuple[np.ndarray, int, int]] = []
    if condition == "pvc":
        templates["V"], extra_waves = _insert_pvcs(schedule, design, qt_ms, rng, fs_hz, n)

    heart = np.zeros((3, n))
    factors = _beat_factors(schedule, realism, real_rng, n)
    for (start, kind), factor in zip(schedule, factors):
        template, offset = templates[kind]
        _place(heart, template if factor == 1.0 else template * factor, start - offset)
    for template, offset, start in extra_waves:
        _place(heart, template, start - offset)
    if design.rhythm == "atrial_fibrillation":
        heart += _fibrillation(rng, n, fs_hz)

    independent = matrix @ heart
    noise_rng = rng if noise_seed is None else np.random.default_rng(int(noise_seed))
    electrode_noise = _electrode_noise(noise_rng, noise, n, fs_hz)
    if electrode_noise is not None:
        independent += _lead_noise(electrode_noise)
    artefacts: list[tuple[float, float]] = []
    if realism is not None and realism.artefact_bursts > 0:
        bursts, artefacts = _artefact_bursts(realism, real_rng, n, fs_hz)
        independent += _lead_noise(bursts)
    signal = _leads_float32(independent)

    onsets = [s for s, _ in schedule if 0 <= s < n]
    kinds = [k for s, k in schedule if 0 <= s < n]
    rr_ms = float(np.mean(np.diff(onsets)) * 1000.0 / fs_hz) if len(onsets) > 1 else rr_design_ms
    area_xy = _frontal_area(ventricular, qrs_ms)
    st_time = np.array([qrs_ms + _ST_OFFSET_MS])
    st_mv = _leads_float64(matrix @ _evaluate(ventricular, st_time))[:, 0]
    r_mv, s_mv = _amplitudes(ventricular, matrix, qrs_ms)
    labels = condition_labels(condition)
    record_id = record_id or f"syn-{condition}-{seed}"
    truth: dict[str, Any] = {
        "id": record_id,
        "condition": condition,
        "hr_bpm": 60_000.0 / rr_ms,
        "rr_ms": rr_ms,
        "pr_ms": design.pr_ms,
        "qrs_ms": qrs_ms,
        "qt_ms": qt_ms,
        "qtc_ms": qt_ms / math.sqrt(rr_ms / 1000.0),
        "qtc_fridericia_ms": qt_ms / (rr_ms / 1000.0) ** (1.0 / 3.0),
        "axis_deg": _axis_deg(area_xy),
        "st_mv": _per_lead(st_mv),
        "r_mv": _per_lead(r_mv),
        "s_mv": _per_lead(s_mv),
        "rhythm": design.rhythm,
        "rr_regular": design.rhythm != "atrial_fibrillation",
        "labels": list(labels.scp_codes),
        "superclasses": superclasses(labels.scp_codes),
        "snomed_codes": list(labels.snomed_codes),
        "fs_hz": float(fs_hz),
        "n_samples": n,
        "seed": int(seed),
        "p_ms": design.p_ms,
        "pvc_count": kinds.count("V"),
        "qrs_onsets_s": [s / fs_hz for s in onsets],
        "beat_kinds": "".join(kinds),
        "sokolow_lyon_mv": _sokolow_lyon(r_mv, s_mv),
        "noise": asdict(noise),
    }
    if realism is not None:
        signal = _realism_after(signal, truth, realism, artefacts, fs_hz)
    record = Record(
        signal_mv=signal,
        fs_hz=float(fs_hz),
        record_id=record_id,
        age_years=float(rng.integers(25, 86)),
        sex=str(rng.choice(["M", "F"])),
        labels=list(labels.scp_codes),
        snomed_codes=list(labels.snomed_codes),
        source="synthetic",
        meta={"condition": condition, "seed": int(seed)},
    )
    return record, truth


def synthesize_set(
    n: int,
    seed: int,
    conditions: Sequence[str] | None = None,
    *,
    fs_hz: float = 500.0,
    duration_s: float = 10.0,
    noise: NoiseOptions = NoiseOptions(),
    realism: RealismOptions | None = None,
) -> Iterator[tuple[Record, dict[str, Any]]]:
    """``n`` records ``syn-00001`` ... cycling through ``conditions`` (default: all), each
    with ``realism`` when given.

    Record i (from 0) has condition ``conditions[i % len(conditions)]`` and its own seed,
    the first 32-bit word of ``SeedSequence([seed, i])``, stored in its truth, so
    ``synthesize(condition, truth["seed"], record_id=truth["id"])`` rebuilds it alone.
    """
    chosen = tuple(conditions) if conditions else CONDITIONS
    unknown = [c for c in chosen if c not in CONDITIONS]
    if unknown:
        raise ValueError(f"unknown condition(s) {', '.join(unknown)}; known: {', '.join(CONDITIONS)}")
    for i in range(n):
        record_seed = int(np.random.SeedSequence([int(seed), i]).generate_state(1)[0])
        yield synthesize(
            chosen[i % len(chosen)], record_seed, fs_hz=fs_hz, duration_s=duration_s,
            noise=noise, record_id=f"syn-{i + 1:05d}", realism=realism,
        )
