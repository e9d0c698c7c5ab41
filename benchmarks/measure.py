"""Accuracy and speed of gemeval.ecg.measure against neurokit2 on synthetic records.

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
NaN. Speed is the mean wall time per record of each method, measured in the same run.

    python benchmarks/measure.py [--n 500] [--seed 0] [--skip-neurokit] [--by-condition]
"""

from __future__ import annotations

import argparse
import math
import time
from collections import defaultdict
from typing import Any

import numpy as np

from gemeval.ecg.measure import measure
from gemeval.ecg.measure_neurokit import measure_neurokit2
from gemeval.ecg.record import LEADS
from gemeval.ecg.synth import synthesize_set

TARGET_MAE = {"hr_bpm": 2.0, "pr_ms": 15.0, "qrs_ms": 12.0, "qt_ms": 20.0, "axis_deg": 10.0}
TARGET_SPEEDUP = 5.0
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
                f"{mae:7.2f} {bias:+7.2f} {n:5d} {miss:4d} {verdict:4s}")
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500, help="number of synthetic records")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-neurokit", action="store_true",
                        help="measure with gemeval only (no accuracy or speed comparison)")
    parser.add_argument("--by-condition", action="store_true",
                        help="also print gemeval's table per synthetic condition")
    args = parser.parse_args()

    ours, anchor = Tally(), Tally()
    by_condition: dict[str, Tally] = defaultdict(Tally)
    ours_s = anchor_s = 0.0
    anchor_failed_records = anchor_failed_leads = 0
    for record, truth in synthesize_set(args.n, args.seed):
        start = time.perf_counter()
        values = measure(record).to_dict()
        ours_s += time.perf_counter() - start
        ours.add(values, truth)
        by_condition[truth["condition"]].add(values, truth)
        if not args.skip_neurokit:
            start = time.perf_counter()
            nk_measured, failed = measure_neurokit2(record)
            nk_values = nk_measured.to_dict()
            anchor_s += time.perf_counter() - start
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
    print(f"\ngemeval: {1000 * ours_s / args.n:.1f} ms per record")
    if not args.skip_neurokit:
        print(f"neurokit2 ecg_process x 12: {1000 * anchor_s / args.n:.1f} ms per record; "
              f"{anchor_failed_leads} lead runs raised, {anchor_failed_records} records failed "
              "on every lead")
        speedup = anchor_s / ours_s
        print(f"speed ratio: gemeval is {speedup:.1f}x faster (target >= {TARGET_SPEEDUP:g}x: "
              f"{'met' if speedup >= TARGET_SPEEDUP else 'NOT met'})")


if __name__ == "__main__":
    main()
