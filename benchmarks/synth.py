"""Seconds per synthetic 12-lead record (10 s at 500 Hz, default noise) against the 10 ms
target, with neurokit2's own 12-lead simulator timed in the same run as an anchor.

gemeval's figure is the wall time of ``synthesize_set(--n, ...)`` divided by ``--n``
(all conditions, cycled). The anchor is the median of ``--anchor-repeats`` calls of
``neurokit2.ecg_simulate(duration=10, sampling_rate=500, method="multileads")``, which
draws 12 leads without truth.

    python benchmarks/synth.py [--n 500] [--anchor-repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

from gemeval.ecg.synth import synthesize_set

TARGET_S_PER_RECORD = 0.010


def gemeval_seconds_per_record(n: int) -> float:
    start = time.perf_counter()
    for _ in synthesize_set(n, seed=1):
        pass
    return (time.perf_counter() - start) / n


def neurokit2_seconds_per_record(repeats: int) -> float:
    import neurokit2 as nk

    times = []
    for seed in range(repeats):
        start = time.perf_counter()
        nk.ecg_simulate(duration=10, sampling_rate=500, method="multileads", random_state=seed)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500, help="records to synthesise")
    parser.add_argument("--anchor-repeats", type=int, default=5, help="neurokit2 calls to time")
    args = parser.parse_args()

    list(synthesize_set(14, seed=0))  # warm-up: imports, label tables
    ours = gemeval_seconds_per_record(args.n)
    print(f"gemeval synthesize: {ours * 1000:.2f} ms per record ({args.n} records, 10 s, 500 Hz, 12 leads)")
    print(f"target {TARGET_S_PER_RECORD * 1000:.0f} ms: ratio {ours / TARGET_S_PER_RECORD:.2f} "
          f"({'within' if ours <= TARGET_S_PER_RECORD else 'OVER'} target)")
    anchor = neurokit2_seconds_per_record(args.anchor_repeats)
    print(f"neurokit2 ecg_simulate(method='multileads'): {anchor * 1000:.1f} ms per record; "
          f"gemeval is {anchor / ours:.0f}x faster")


if __name__ == "__main__":
    main()
