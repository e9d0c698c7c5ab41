"""Time the quickstart job: `gemeval run --model measure --task grounded` on the 200-record
embedded set, from an empty cache (synthetic set built, rendered and measured) and again
warm (set cached), as a fresh subprocess each, exactly as a user runs it.

Target (issue 3): under 60 s on a 2-core machine. Prints both wall times and the ratio
target / measured (>= 1 means the target is met).

    python benchmarks/run_grounded.py [--n 200]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 60.0


def timed_run(cache: Path, out: Path, n: int) -> float:
    env = {**os.environ, "GEMEVAL_CACHE_DIR": str(cache)}
    cmd = [sys.executable, "-m", "gemeval", "run", "--model", "measure", "--task", "grounded",
           "--out", str(out), "-q"]
    if n != 200:
        cmd += ["--synthetic-n", str(n)]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        cold = timed_run(tmp_path / "cache", tmp_path / "runs-cold", args.n)
        warm = timed_run(tmp_path / "cache", tmp_path / "runs-warm", args.n)
        rerun = timed_run(tmp_path / "cache", tmp_path / "runs-warm", args.n)
    print(f"gemeval run --model measure --task grounded, {args.n} records")
    print(f"  cold (builds the synthetic set): {cold:6.1f} s   target {TARGET_S:.0f} s   ratio {TARGET_S / cold:5.2f}x")
    print(f"  warm (set cached):               {warm:6.1f} s   target {TARGET_S:.0f} s   ratio {TARGET_S / warm:5.2f}x")
    print(f"  rerun (all samples done):        {rerun:6.1f} s")


if __name__ == "__main__":
    main()
