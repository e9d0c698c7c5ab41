"""The names of the values measured on an ECG, shared by the synthesiser's truth, the
measurement, the grounded interpretation and the claim verifier.

Scalars are floats (NaN, stored as null, where the value does not exist, e.g. PR in atrial
fibrillation); per-lead values are dicts keyed by the names in ``gemeval.ecg.record.LEADS``.
"""

GLOBAL_KEYS: tuple[str, ...] = (
    "hr_bpm",            # mean ventricular rate
    "rr_ms",             # mean RR interval
    "pr_ms",             # P onset to QRS onset
    "qrs_ms",            # QRS onset to offset
    "qt_ms",             # QRS onset to T end
    "qtc_ms",            # Bazett: QT / sqrt(RR in s)
    "qtc_fridericia_ms", # Fridericia: QT / cbrt(RR in s)
    "axis_deg",          # frontal QRS axis, (-180, 180]
)
PER_LEAD_KEYS: tuple[str, ...] = (
    "st_mv",  # ST level at J + 60 ms relative to the PR-segment baseline
    "r_mv",   # R-wave amplitude (largest positive QRS deflection)
    "s_mv",   # S-wave depth (largest negative deflection after R), as a negative number
)
TRUTH_KEYS: tuple[str, ...] = GLOBAL_KEYS + PER_LEAD_KEYS + ("rhythm", "rr_regular")
