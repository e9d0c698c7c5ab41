"""The dipole synthesiser (gemeval.ecg.synth) and the label tables (gemeval.ecg.labels)."""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pytest

from gemeval.ecg import labels
from gemeval.ecg.record import LEADS
from gemeval.ecg.synth import (
    CONDITIONS,
    RHYTHMS,
    SOKOLOW_LYON_LVH_MV,
    NoiseOptions,
    RealismOptions,
    synthesize,
    synthesize_set,
)
from gemeval.ecg.values import PER_LEAD_KEYS, TRUTH_KEYS

SEEDS = range(8)
CLEAN = NoiseOptions.none()


def _lead(signal: np.ndarray, name: str) -> np.ndarray:
    return signal[LEADS.index(name)]


def _runs(active: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index of each run of True."""
    padded = np.concatenate([[False], active, [False]]).astype(int)
    starts = np.nonzero(np.diff(padded) == 1)[0]
    ends = np.nonzero(np.diff(padded) == -1)[0] - 1
    return list(zip(starts, ends))


def _onset_samples(truth: dict) -> list[int]:
    return [round(s * truth["fs_hz"]) for s in truth["qrs_onsets_s"]]


# --- lead relations, determinism ------------------------------------------------------------


@pytest.mark.parametrize("condition", CONDITIONS)
def test_einthoven_and_goldberger_hold_exactly_in_float32(condition):
    record, _ = synthesize(condition, 11)
    s = record.signal_mv
    assert s.dtype == np.float32 and s.shape == (12, 5000)
    lead_i, lead_ii = _lead(s, "I"), _lead(s, "II")
    np.testing.assert_array_equal(_lead(s, "III"), lead_ii - lead_i)
    np.testing.assert_array_equal(_lead(s, "aVR"), -(lead_i + lead_ii) / np.float32(2))
    np.testing.assert_array_equal(_lead(s, "aVL"), lead_i - lead_ii / np.float32(2))
    np.testing.assert_array_equal(_lead(s, "aVF"), lead_ii - lead_i / np.float32(2))
    np.testing.assert_allclose(_lead(s, "aVR") + _lead(s, "aVL") + _lead(s, "aVF"), 0.0, atol=1e-6)


def test_same_seed_same_record_other_seed_other_record():
    first, truth = synthesize("pvc", 5)
    again, truth_again = synthesize("pvc", 5)
    np.testing.assert_array_equal(first.signal_mv, again.signal_mv)
    assert json.dumps(truth, sort_keys=True) == json.dumps(truth_again, sort_keys=True)
    assert (first.age_years, first.sex) == (again.age_years, again.sex)
    other, _ = synthesize("pvc", 6)
    assert not np.array_equal(first.signal_mv, other.signal_mv)
    normal, _ = synthesize("normal", 5)
    assert not np.array_equal(first.signal_mv, normal.signal_mv)


def test_set_cycles_conditions_and_each_record_rebuilds_from_its_truth():
    items = list(synthesize_set(5, 9, ["lbbb", "atrial_fibrillation"], duration_s=4.0))
    assert [t["id"] for _, t in items] == [f"syn-{i:05d}" for i in range(1, 6)]
    assert [t["condition"] for _, t in items] == ["lbbb", "atrial_fibrillation"] * 2 + ["lbbb"]
    assert [r.record_id for r, _ in items] == [t["id"] for _, t in items]
    record, truth = items[3]
    alone, _ = synthesize(truth["condition"], truth["seed"], duration_s=4.0, record_id=truth["id"])
    np.testing.assert_array_equal(alone.signal_mv, record.signal_mv)
    again = list(synthesize_set(5, 9, ["lbbb", "atrial_fibrillation"], duration_s=4.0))
    assert all(np.array_equal(a.signal_mv, b.signal_mv) for (a, _), (b, _) in zip(items, again))
    default = [t["condition"] for _, t in synthesize_set(len(CONDITIONS), 1, duration_s=2.0)]
    assert default == list(CONDITIONS)


def test_rate_and_length_follow_the_arguments():
    record, truth = synthesize("normal", 2, fs_hz=250.0, duration_s=2.5)
    assert (record.fs_hz, record.n_samples, truth["fs_hz"], truth["n_samples"]) == (250.0, 625, 250.0, 625)


@pytest.mark.parametrize("kwargs, message", [
    ({"condition": "brugada"}, "unknown condition 'brugada'; known: normal"),
    ({"duration_s": 0.0}, "duration_s must be positive"),
    ({"fs_hz": 20.0}, "at least 50 Hz"),
])
def test_bad_arguments_are_refused(kwargs, message):
    arguments = {"condition": "normal", **kwargs}
    with pytest.raises(ValueError, match=message):
        synthesize(arguments.pop("condition"), 1, **arguments)
    with pytest.raises(ValueError, match="unknown condition"):
        list(synthesize_set(2, 1, ["normal", "nope"]))


# --- truth: keys and exactness -----------------------------------------------------------------


@pytest.mark.parametrize("condition", CONDITIONS)
def test_truth_has_every_value_key_and_consistent_formulas(condition):
    record, truth = synthesize(condition, 1)
    assert set(TRUTH_KEYS) <= set(truth)
    for key in PER_LEAD_KEYS:
        assert list(truth[key]) == list(LEADS)
    assert truth["rhythm"] in RHYTHMS
    assert truth["hr_bpm"] == pytest.approx(60_000.0 / truth["rr_ms"])
    assert truth["qtc_ms"] == pytest.approx(truth["qt_ms"] / math.sqrt(truth["rr_ms"] / 1000.0))
    assert truth["qtc_fridericia_ms"] == pytest.approx(truth["qt_ms"] / (truth["rr_ms"] / 1000.0) ** (1 / 3))
    assert -180.0 < truth["axis_deg"] <= 180.0
    onsets = _onset_samples(truth)
    assert truth["rr_ms"] == pytest.approx(np.mean(np.diff(onsets)) * 1000.0 / truth["fs_hz"])
    assert len(truth["beat_kinds"]) == len(onsets)
    assert truth["labels"] == record.labels == list(labels.condition_labels(condition).scp_codes)
    assert truth["snomed_codes"] == record.snomed_codes
    assert truth["superclasses"] == labels.superclasses(truth["labels"])
    assert record.source == "synthetic" and truth["id"] == record.record_id


@pytest.mark.parametrize("condition", ["normal", "first_degree_av_block", "long_qt", "sinus_tachycardia"])
def test_intervals_are_the_boundaries_of_the_clean_signal(condition):
    """Every wave is exactly zero outside its window, so the support of the clean signal
    shows P onset, P end, QRS onset, QRS end and T end to within one sample."""
    for seed in range(3):
        record, truth = synthesize(condition, seed, noise=CLEAN)
        fs = record.fs_hz
        active = np.abs(record.signal_mv).sum(axis=0) > 0
        ms = 1000.0 / fs
        for onset in _onset_samples(truth)[1:-1]:
            lo, hi = onset - round(truth["pr_ms"] / ms) - 5, onset + round(truth["qt_ms"] / ms) + 5
            runs = [(a + lo, b + lo) for a, b in _runs(active[lo:hi])]
            p_wave, qrs, t_wave = runs
            assert abs(p_wave[0] - (onset - truth["pr_ms"] / ms)) <= 1
            assert abs(p_wave[1] - (onset - truth["pr_ms"] / ms + truth["p_ms"] / ms)) <= 1
            assert qrs[0] == onset + 1 and not active[onset]
            assert abs(qrs[1] - (onset + truth["qrs_ms"] / ms)) <= 1
            assert abs(t_wave[1] - (onset + truth["qt_ms"] / ms)) <= 1
            # T ends before the next P starts: intervals never overlap.
            assert t_wave[1] < onset + truth["rr_ms"] / ms * 0.98 - truth["pr_ms"] / ms


@pytest.mark.parametrize("condition", CONDITIONS)
def test_axis_st_and_amplitudes_match_the_sampled_clean_signal(condition):
    """At 2 kHz, the sampled clean beat reproduces the analytic truth."""
    record, truth = synthesize(condition, 4, fs_hz=2000.0, duration_s=4.0, noise=CLEAN)
    fs = record.fs_hz
    kinds = truth["beat_kinds"]
    onset = next(o for o, k in zip(_onset_samples(truth), kinds) if k == "N" and o > 0.6 * fs)
    qrs_end = onset + truth["qrs_ms"] * fs / 1000.0
    window = record.signal_mv[:, onset:int(qrs_end) + 1].astype(np.float64)
    if condition != "atrial_fibrillation":  # fibrillatory waves ride on the AF beat
        area_i = window[LEADS.index("I")].sum()
        area_avf = window[LEADS.index("aVF")].sum()
        axis = math.degrees(math.atan2(2.0 * area_avf / math.sqrt(3.0), area_i))
        assert axis == pytest.approx(truth["axis_deg"], abs=1.0)
        np.testing.assert_allclose(window.max(axis=1).clip(min=0), list(truth["r_mv"].values()), atol=0.01)
        time_ms = np.arange(record.n_samples) * 1000.0 / fs
        st_time = time_ms[onset] + truth["qrs_ms"] + 60.0
        st = [np.interp(st_time, time_ms, lead) for lead in record.signal_mv]
        np.testing.assert_allclose(st, list(truth["st_mv"].values()), atol=2e-3)


# --- each condition looks like what its labels say ----------------------------------------------


def _truths(condition):
    return [synthesize(condition, seed, duration_s=10.0)[1] for seed in SEEDS]


def _rr_cv(truth):
    rr = np.diff(truth["qrs_onsets_s"])
    return float(rr.std() / rr.mean())


@pytest.mark.parametrize("condition", CONDITIONS)
def test_condition_truth_falls_in_its_clinical_ranges(condition):
    for t in _truths(condition):
        hr, pr, qrs, qtc, axis = t["hr_bpm"], t["pr_ms"], t["qrs_ms"], t["qtc_ms"], t["axis_deg"]
        if condition == "sinus_bradycardia":
            assert hr < 60
        elif condition == "sinus_tachycardia":
            assert hr > 100
        elif condition in ("atrial_fibrillation", "pvc"):
            assert 50 <= hr <= 130
        else:
            assert 60 <= hr <= 100
        if condition == "atrial_fibrillation":
            assert math.isnan(pr) and math.isnan(t["p_ms"]) and t["rhythm"] == "atrial_fibrillation"
            assert not t["rr_regular"] and _rr_cv(t) > 0.08
        else:
            assert t["rhythm"] == "sinus" and t["rr_regular"]
            assert (pr > 200) if condition == "first_degree_av_block" else (120 <= pr <= 200)
        if condition != "pvc" and t["rhythm"] == "sinus":
            assert _rr_cv(t) < 0.04
        assert (qrs >= 120) if condition in ("lbbb", "rbbb") else (qrs < 120)
        assert (qtc >= 480) if condition == "long_qt" else (qtc < 480)
        if condition == "left_axis_deviation":
            assert axis < -30
        elif condition == "right_axis_deviation":
            assert axis > 90
        else:
            assert -30 <= axis <= 90
        if condition == "lvh":
            assert t["sokolow_lyon_mv"] >= SOKOLOW_LYON_LVH_MV
        elif condition not in ("lbbb", "rbbb"):
            assert t["sokolow_lyon_mv"] < SOKOLOW_LYON_LVH_MV
        st = t["st_mv"]
        if condition == "inferior_stemi":
            assert min(st["II"], st["III"], st["aVF"]) >= 0.1 and st["aVL"] < 0
        elif condition == "anterior_stemi":
            assert min(st["V2"], st["V3"], st["V4"]) >= 0.2
        elif condition not in ("lbbb", "rbbb"):
            assert max(abs(v) for v in st.values()) < 0.1
        assert (t["pvc_count"] >= 1 and "V" in t["beat_kinds"]) if condition == "pvc" else t["pvc_count"] == 0


def _qrs_of(condition, seed, lead):
    record, truth = synthesize(condition, seed, fs_hz=1000.0, duration_s=3.0, noise=CLEAN)
    onset = _onset_samples(truth)[1]
    return _lead(record.signal_mv, lead)[onset:onset + int(truth["qrs_ms"]) + 1], truth


def _positive_peaks(x, floor):
    inner = x[1:-1]
    return int(np.sum((inner > x[:-2]) & (inner >= x[2:]) & (inner > floor)))


def test_rbbb_has_rsr_prime_in_v1_and_a_broad_s_in_i():
    for seed in SEEDS:
        v1, _truth = _qrs_of("rbbb", seed, "V1")
        assert _positive_peaks(v1, 0.03) == 2 and v1.min() < -0.1  # r, S, R'
        lead_i, _ = _qrs_of("rbbb", seed, "I")
        assert np.sum(lead_i < -0.05) >= 25  # an S wave lasting at least 25 ms


def test_lbbb_has_a_broad_notched_r_in_i_and_v6_and_no_septal_q():
    for seed in SEEDS:
        for lead in ("I", "V6"):
            qrs, truth = _qrs_of("lbbb", seed, lead)
            assert _positive_peaks(qrs, 0.2) == 2, (seed, lead)
            assert qrs[:20].min() > -0.02  # no septal q
            assert np.sum(qrs > 0.5 * qrs.max()) >= 50  # broad
        _v1, truth = _qrs_of("lbbb", seed, "V1")
        assert truth["r_mv"]["V1"] < 0.15 and truth["s_mv"]["V1"] < -0.5


def test_precordial_r_waves_grow_from_v1_towards_v5_in_a_normal_ecg():
    for seed in SEEDS:
        _, truth = synthesize("normal", seed)
        r, s = truth["r_mv"], truth["s_mv"]
        assert r["V1"] < r["V2"] < max(r["V4"], r["V5"], r["V6"])
        assert r["V1"] < 0.4 < -s["V1"]  # rS in V1
        assert r["V6"] > -s["V6"]  # qR or Rs in V6


def test_atrial_fibrillation_has_a_fibrillatory_baseline_and_no_p_waves():
    record, truth = synthesize("atrial_fibrillation", 3, noise=CLEAN)
    onsets = _onset_samples(truth)
    t_end = onsets[1] + int(truth["qt_ms"] * record.fs_hz / 1000.0) + 2
    baseline = _lead(record.signal_mv, "V1")[t_end:onsets[2]]
    assert baseline.std() > 0.01
    spectrum = np.abs(np.fft.rfft(_lead(record.signal_mv, "V1") - _lead(record.signal_mv, "V1").mean()))
    freqs = np.fft.rfftfreq(record.n_samples, 1.0 / record.fs_hz)
    band = (freqs >= 4.0) & (freqs <= 8.0)
    assert spectrum[band].max() > spectrum[(freqs > 8.5) & (freqs < 12.0)].max()


def test_premature_beats_come_early_and_are_wide():
    for seed in SEEDS:
        _record, truth = synthesize("pvc", seed, noise=CLEAN)
        onsets = np.array(truth["qrs_onsets_s"])
        kinds = truth["beat_kinds"]
        sinus_rr = np.median(np.diff(onsets))
        for i, kind in enumerate(kinds):
            if kind == "V" and i > 0:
                assert onsets[i] - onsets[i - 1] < 0.75 * sinus_rr


# --- noise ---------------------------------------------------------------------------------------


def test_noise_is_added_on_top_of_the_same_construction():
    clean, _ = synthesize("normal", 8, noise=CLEAN)
    hum, _ = synthesize("normal", 8, noise=NoiseOptions(white_mv=0.0, baseline_mv=0.0, hum_mv=0.05, hum_hz=60.0))
    difference = (hum.signal_mv - clean.signal_mv)[0].astype(np.float64)
    spectrum = np.abs(np.fft.rfft(difference))
    freqs = np.fft.rfftfreq(difference.size, 1.0 / clean.fs_hz)
    assert freqs[spectrum.argmax()] == pytest.approx(60.0)

    white, _ = synthesize("normal", 8, noise=NoiseOptions(white_mv=0.02, baseline_mv=0.0, hum_mv=0.0))
    assert (white.signal_mv - clean.signal_mv)[0].std() == pytest.approx(0.02, rel=0.1)

    wander, _ = synthesize("normal", 8, noise=NoiseOptions(white_mv=0.0, baseline_mv=0.2, hum_mv=0.0))
    drift = (wander.signal_mv - clean.signal_mv)[1].astype(np.float64)
    spectrum = np.abs(np.fft.rfft(drift))
    freqs = np.fft.rfftfreq(drift.size, 1.0 / clean.fs_hz)
    assert freqs[spectrum.argmax()] < 0.6 and np.ptp(drift) > 0.05


def test_default_noise_is_moderate():
    clean, _ = synthesize("normal", 8, noise=CLEAN)
    noisy, _ = synthesize("normal", 8)
    residual = noisy.signal_mv - clean.signal_mv
    assert 0.005 < residual.std() < 0.1


# --- label tables ---------------------------------------------------------------------------------


def test_every_condition_has_labels_that_exist_in_both_vocabularies():
    assert tuple(labels.CONDITION_LABELS) == CONDITIONS
    for condition in CONDITIONS:
        entry = labels.condition_labels(condition)
        assert all(code in labels.SCP_STATEMENTS for code in entry.scp_codes), condition
        assert all(labels.snomed_name(code) for code in entry.snomed_codes), condition
    with pytest.raises(KeyError, match="unknown condition 'x'"):
        labels.condition_labels("x")


def test_label_lookups():
    assert labels.snomed_to_abbrev("164889003") == "AF" and labels.snomed_to_abbrev(164889003) == "AF"
    assert labels.snomed_name("59118001") == "right bundle branch block"
    assert labels.abbrev_to_snomed("af") == "164889003" and labels.snomed_to_abbrev("1") is None
    assert labels.snomed_equivalents()["164909002"] == labels.snomed_equivalents()["733534002"]
    assert labels.snomed_equivalents()["17338001"] == "427172004"
    assert labels.scp_to_superclass("CLBBB") == "CD" and labels.scp_to_superclass("SR") is None
    assert labels.superclasses(["SR", "LVH", "IMI", "NORM", "STE_"]) == ["NORM", "MI", "HYP"]
    assert labels.label_name("1AVB") == "first degree AV block"
    assert labels.label_name("AF", "snomed") == "atrial fibrillation"
    assert labels.label_name("STTC", "superclass") == "ST/T change"
    # the vocabularies disagree on AMI, so a lookup always names its vocabulary
    assert labels.label_name("AMI") == "anterior myocardial infarction"
    assert labels.label_name("AMI", "snomed") == "acute myocardial infarction"


def test_scp_table_matches_ptbxl_scp_statements(shared_data):
    with open(shared_data / "ptbxl-native" / "scp_statements.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(labels.SCP_STATEMENTS) == 71
    for row in rows:
        statement = labels.SCP_STATEMENTS[row[""]]
        kinds = tuple(kind for kind in ("diagnostic", "form", "rhythm") if row[kind].strip())
        assert statement.description == row["description"]
        assert statement.kinds == kinds
        assert statement.superclass == (row["diagnostic_class"] or None)
        assert statement.subclass == (row["diagnostic_subclass"] or None)


def test_realism_options_leave_the_default_record_unchanged_and_keep_truth_exact():
    plain, plain_truth = synthesize("normal", 4)
    again, _ = synthesize("normal", 4, realism=None)
    np.testing.assert_array_equal(plain.signal_mv, again.signal_mv)
    assert "realism" not in plain_truth
    _record, truth = synthesize("normal", 4, realism=RealismOptions(
        rsa_fraction=0.08, beat_amplitude_sd=0.1, t_tail=4.0))
    for key in ("pr_ms", "qrs_ms", "qt_ms"):
        assert truth[key] == plain_truth[key]
    rr = np.diff(truth["qrs_onsets_s"]) * 1000.0
    assert rr.std() > 2.0 * np.diff(plain_truth["qrs_onsets_s"]).std() * 1000.0  # breathing
    assert truth["rr_ms"] == pytest.approx(rr.mean())
    clean, clean_truth = synthesize("normal", 4, noise=NoiseOptions.none(),
                                    realism=RealismOptions(t_tail=4.0))
    # the gradual T wave still ends at exactly QT, at zero
    onset = int(round(clean_truth["qrs_onsets_s"][2] * clean.fs_hz))
    end = onset + int(clean_truth["qt_ms"] * clean.fs_hz / 1000.0)
    ii = clean.lead("II")
    assert abs(ii[end - 5]) > 0 and np.all(np.abs(ii[end + 2: end + 20]) < 1e-6)


def test_realism_leads_off_calibration_pulse_and_artefacts_are_in_the_truth():
    record, truth = synthesize("normal", 5, realism=RealismOptions(
        leads_off=("V2", "V4"), calibration_pulse="end", artefact_bursts=2))
    assert truth["leads_off"] == ["V2", "V4"]
    assert not record.lead("V2").any() and math.isnan(truth["st_mv"]["V2"])
    assert math.isfinite(truth["st_mv"]["V3"])
    start, stop = (int(round(t * record.fs_hz)) for t in truth["calibration_s"])
    assert stop - start == 100 and stop == record.n_samples - 50
    pulse = record.lead("V1")[start:stop]
    assert np.ptp(pulse) < 1e-6 and pulse[0] - record.lead("V1")[start - 1] == pytest.approx(1.0)
    assert len(truth["artefact_spans_s"]) == 2
    with pytest.raises(ValueError, match="leads_off: unknown lead"):
        RealismOptions(leads_off=("V7",))
    with pytest.raises(ValueError, match="calibration_pulse"):
        RealismOptions(calibration_pulse="middle")
