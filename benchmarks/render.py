"""Seconds per standard ECG page (PNG, 100 dpi): gemeval.ecg.render vs the ecg-plot package.

Both draw the same record as a 3 x 4 page with a lead II rhythm strip. ecg-plot 0.3 is
SVG-first: its own PNG export goes through cairosvg, and without cairosvg its PNG path
is ``ECGChart.to_matplotlib()`` then ``Figure.savefig``; the script times whichever of the
two this environment can run (both when it can). Each figure is the median of
``--repeats`` timed runs after one warm-up run.

    python benchmarks/render.py [--repeats 10] [--dpi 100] [--record PATH]
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from gemeval.ecg.record import LEADS, Record
from gemeval.ecg.render import render_png

TARGET_S_PER_PAGE = 0.15


def seconds_per_call(draw: Callable[[], object], repeats: int) -> float:
    draw()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        draw()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def ecg_plot_chart(record: Record):
    import ecg_plot

    return ecg_plot.plot(record.signal_mv, sample_rate=record.fs_hz, lead_names=list(LEADS),
                         layout="12lead", rhythm_lead="II", time_mode="sequential",
                         title=record.record_id)


def ecg_plot_matplotlib_png(record: Record, dpi: int) -> bytes:
    figure, _ = ecg_plot_chart(record).to_matplotlib()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def ecg_plot_cairo_png(record: Record, dpi: int, path: Path) -> Path:
    return ecg_plot_chart(record).save(path, dpi=dpi)


def cairosvg_available() -> bool:
    try:
        import cairosvg  # noqa: F401
    except (ImportError, OSError):
        return False
    return True


def load(record_path: str | None) -> Record:
    if record_path:
        from gemeval.ecg.io import read_record

        return read_record(record_path)
    from gemeval.ecg.synth import synthesize

    record, _ = synthesize("normal", seed=0)
    return record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--dpi", type=int, default=100)
    parser.add_argument("--record", help="a WFDB record path instead of a synthetic record")
    args = parser.parse_args()
    record = load(args.record)
    print(f"record {record.record_id}: {record.fs_hz:g} Hz, {record.duration_s:g} s; "
          f"{args.dpi} dpi, median of {args.repeats} runs")

    ours = seconds_per_call(lambda: render_png(record, dpi=args.dpi), args.repeats)
    print(f"{'gemeval render_png':40s} {ours:7.3f} s/page  (target <= {TARGET_S_PER_PAGE} s "
          f"at 100 dpi: {'met' if ours <= TARGET_S_PER_PAGE else 'NOT met'})")
    anchors = {"ecg-plot to_matplotlib + savefig":
               lambda: ecg_plot_matplotlib_png(record, args.dpi)}
    if cairosvg_available():
        import tempfile

        target = Path(tempfile.mkdtemp()) / "page.png"
        anchors["ecg-plot save (cairosvg)"] = lambda: ecg_plot_cairo_png(record, args.dpi, target)
    else:
        print("(ecg-plot's own PNG export needs cairosvg, not installed: timing its "
              "matplotlib path)")
    for name, draw in anchors.items():
        seconds = seconds_per_call(draw, args.repeats)
        print(f"{name:40s} {seconds:7.3f} s/page  ratio {seconds / ours:5.1f}x slower than ours")


if __name__ == "__main__":
    main()
