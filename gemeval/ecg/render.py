"""Render a 12-lead record as the standard clinical ECG page (PNG).

The page is US-letter landscape (279.4 x 215.9 mm, so 1100 x 850 px at the default
100 dpi, a size vision-language models take whole). It holds a 3 x 4 panel of 2.5 s
segments, laid out as printed by clinical carts::

    I    aVR  V1  V4        columns show 0-2.5, 2.5-5, 5-7.5 and 7.5-10 s
    II   aVL  V2  V5
    III  aVF  V3  V6
    II (rhythm strip, 10 s)

at 25 mm/s and 10 mm/mV on a 1 mm / 5 mm red grid, with a 1 mV x 200 ms calibration pulse
at the start of each row, lead labels, and a header line with the record id, age and sex
where known, the time shown, sampling rate, speed and gain. A ventricular rate is printed
only when the caller passes one (``rate_bpm``): the page is usually a model's input, and
the rate is one of the values the model is asked for.

Geometry is in millimetres (axes coordinates = paper millimetres, y up), so any dpi gives
the same page at a different resolution. Each trace is drawn against its own time axis
(sample k at k / fs_hz), so records at any sampling rate render without resampling.
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from PIL import Image

from gemeval.ecg.record import LEAD_INDEX, Record
from gemeval.errors import UsageError

PAGE_WIDTH_MM = 279.4
PAGE_HEIGHT_MM = 215.9
MM_PER_INCH = 25.4
SPEED_MM_PER_S = 25.0
GAIN_MM_PER_MV = 10.0
MAX_DPI = 600
"""The highest resolution rendered: 6,600 x 5,100 pixels, well past any model's input
size; more only costs memory (5000 dpi would be a 1.4 GB image)."""

GRID_LEFT_MM = 7.2
GRID_BOTTOM_MM = 5.0
GRID_WIDTH_MM = 265.0
GRID_HEIGHT_MM = 200.0
ROW_PITCH_MM = 50.0
BASELINE_ABOVE_ROW_BOTTOM_MM = 20.0
TRACE_LEFT_MM = GRID_LEFT_MM + 10.0
PANEL_SECONDS = 2.5
STRIP_SECONDS = 10.0

PANEL_LEADS: tuple[tuple[str, ...], ...] = (
    ("I", "aVR", "V1", "V4"),
    ("II", "aVL", "V2", "V5"),
    ("III", "aVF", "V3", "V6"),
)
RHYTHM_LEAD = "II"

MINOR_GRID_COLOUR = "#f0a0a0"
MAJOR_GRID_COLOUR = "#e06666"
TRACE_COLOUR = "#000000"
TEXT_COLOUR = "#000000"


def _baseline_mm(row: int) -> float:
    """Baseline height of row 0 (top) .. 3 (rhythm strip), on a major grid line."""
    row_bottom = GRID_BOTTOM_MM + GRID_HEIGHT_MM - ROW_PITCH_MM * (row + 1)
    return row_bottom + BASELINE_ABOVE_ROW_BOTTOM_MM


def _grid_segments(step_mm: float) -> np.ndarray:
    xs = GRID_LEFT_MM + np.arange(0.0, GRID_WIDTH_MM + 1e-6, step_mm)
    ys = GRID_BOTTOM_MM + np.arange(0.0, GRID_HEIGHT_MM + 1e-6, step_mm)
    top, right = GRID_BOTTOM_MM + GRID_HEIGHT_MM, GRID_LEFT_MM + GRID_WIDTH_MM
    vertical = np.stack(
        [np.column_stack([xs, np.full_like(xs, GRID_BOTTOM_MM)]),
         np.column_stack([xs, np.full_like(xs, top)])], axis=1)
    horizontal = np.stack(
        [np.column_stack([np.full_like(ys, GRID_LEFT_MM), ys]),
         np.column_stack([np.full_like(ys, right), ys])], axis=1)
    return np.concatenate([vertical, horizontal])


def _minor_only_segments() -> np.ndarray:
    """1 mm lines that do not coincide with a 5 mm line (drawing both wastes time)."""
    segments = _grid_segments(1.0)
    coordinate = np.where(segments[:, 0, 0] == segments[:, 1, 0],
                          segments[:, 0, 0] - GRID_LEFT_MM, segments[:, 0, 1] - GRID_BOTTOM_MM)
    on_major = np.isclose(np.round(coordinate / 5.0) * 5.0, coordinate, atol=1e-6)
    return segments[~on_major]


_MINOR_SEGMENTS = _minor_only_segments()
_MAJOR_SEGMENTS = _grid_segments(5.0)


def _trace(signal_mv: np.ndarray, fs_hz: float, start_s: float, stop_s: float,
           left_mm: float, baseline_mm: float) -> np.ndarray | None:
    """(n, 2) paper coordinates of ``signal_mv`` over [start_s, stop_s), or None if empty.

    The segment's median is subtracted so that a DC offset or slow drift in the file
    does not push the trace off its row, as a cart's baseline filter would.
    """
    first = int(np.ceil(start_s * fs_hz - 1e-9))
    last = min(int(np.ceil(stop_s * fs_hz - 1e-9)), signal_mv.shape[0])
    if last - first < 2:
        return None
    values = signal_mv[first:last].astype(np.float64)
    finite = np.isfinite(values)
    if not finite.any():
        return None
    offset = float(np.median(values[finite]))
    time_s = np.arange(first, last) / fs_hz - start_s
    return np.column_stack([left_mm + time_s * SPEED_MM_PER_S,
                            baseline_mm + (values - offset) * GAIN_MM_PER_MV])


def _calibration_pulse(baseline_mm: float) -> np.ndarray:
    """1 mV x 200 ms square pulse in the 10 mm before the traces of a row."""
    left = GRID_LEFT_MM + 2.5
    right = left + 0.2 * SPEED_MM_PER_S
    top = baseline_mm + GAIN_MM_PER_MV
    return np.array([[GRID_LEFT_MM + 1.0, baseline_mm], [left, baseline_mm], [left, top],
                     [right, top], [right, baseline_mm], [TRACE_LEFT_MM - 1.0, baseline_mm]])


def _header(record: Record, start_s: float, rate_bpm: float | None) -> str:
    parts = [str(record.record_id)]
    if record.sex:
        parts.append(str(record.sex))
    if record.age_years is not None and np.isfinite(record.age_years):
        parts.append(f"{record.age_years:g} y")
    window_s = min(STRIP_SECONDS, max(0.0, record.duration_s - start_s))
    parts.append(f"{start_s:g}-{start_s + window_s:g} s of {record.duration_s:g} s")
    parts.append(f"{record.fs_hz:g} Hz")
    if rate_bpm is not None and np.isfinite(rate_bpm):
        parts.append(f"Vent. rate {rate_bpm:.0f} bpm")
    return "   ".join(parts)


def render_figure(record: Record, *, start_s: float = 0.0,
                  rate_bpm: float | None = None) -> Figure:
    """Draw the standard page for ``record`` on a new Agg-backed matplotlib Figure.

    Shows 10 s from ``start_s``; a shorter record leaves the missing time blank, and NaN
    samples leave gaps in the trace. Traces are not clipped to their row: large
    deflections overlap the neighbouring row, as on paper.

    Raises:
        ValueError: ``start_s`` is negative or not before the end of the record.
    """
    if not 0.0 <= start_s < record.duration_s:
        raise UsageError(
            f"record {record.record_id!r}: start_s={start_s} must lie in "
            f"[0, {record.duration_s:g}) s, the record's duration"
        )
    figure = Figure(figsize=(PAGE_WIDTH_MM / MM_PER_INCH, PAGE_HEIGHT_MM / MM_PER_INCH),
                    facecolor="white")
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0.0, 0.0, 1.0, 1.0))
    axes.set_xlim(0.0, PAGE_WIDTH_MM)
    axes.set_ylim(0.0, PAGE_HEIGHT_MM)
    axes.set_axis_off()

    axes.add_collection(LineCollection(list(_MINOR_SEGMENTS), colors=MINOR_GRID_COLOUR,
                                       linewidths=0.35, zorder=1))
    axes.add_collection(LineCollection(list(_MAJOR_SEGMENTS), colors=MAJOR_GRID_COLOUR,
                                       linewidths=0.7, zorder=2))

    signal_mv, fs_hz = record.signal_mv, float(record.fs_hz)
    traces: list[np.ndarray] = []
    separators: list[np.ndarray] = []
    label_size_pt = 9.0
    for row, leads in enumerate(PANEL_LEADS):
        baseline = _baseline_mm(row)
        for column, lead in enumerate(leads):
            left = TRACE_LEFT_MM + column * PANEL_SECONDS * SPEED_MM_PER_S
            segment_start = start_s + column * PANEL_SECONDS
            trace = _trace(signal_mv[LEAD_INDEX[lead]], fs_hz, segment_start,
                           segment_start + PANEL_SECONDS, left, baseline)
            if trace is not None:
                traces.append(trace)
            if column:
                separators.append(np.array([[left, baseline - 3.0], [left, baseline + 3.0]]))
            axes.text(left + 1.0, baseline + 7.0, lead, fontsize=label_size_pt,
                      color=TEXT_COLOUR, fontweight="bold", zorder=4)
    strip_baseline = _baseline_mm(len(PANEL_LEADS))
    strip = _trace(signal_mv[LEAD_INDEX[RHYTHM_LEAD]], fs_hz, start_s, start_s + STRIP_SECONDS,
                   TRACE_LEFT_MM, strip_baseline)
    if strip is not None:
        traces.append(strip)
    axes.text(TRACE_LEFT_MM + 1.0, strip_baseline + 7.0, RHYTHM_LEAD, fontsize=label_size_pt,
              color=TEXT_COLOUR, fontweight="bold", zorder=4)
    pulses = [_calibration_pulse(_baseline_mm(row)) for row in range(len(PANEL_LEADS) + 1)]

    axes.add_collection(LineCollection(traces + pulses, colors=TRACE_COLOUR,
                                       linewidths=0.75, zorder=3, capstyle="round",
                                       joinstyle="round"))
    axes.add_collection(LineCollection(separators, colors=TRACE_COLOUR, linewidths=0.9,
                                       zorder=3))

    header_y = GRID_BOTTOM_MM + GRID_HEIGHT_MM + 4.0
    axes.text(GRID_LEFT_MM, header_y, _header(record, start_s, rate_bpm), fontsize=9.0,
              color=TEXT_COLOUR, va="baseline")
    axes.text(GRID_LEFT_MM + GRID_WIDTH_MM, header_y,
              f"{SPEED_MM_PER_S:g} mm/s   {GAIN_MM_PER_MV:g} mm/mV", fontsize=9.0,
              color=TEXT_COLOUR, ha="right", va="baseline")
    return figure


def render_png(record: Record, dpi: int = 100, path: Path | None = None, *,
               start_s: float = 0.0, rate_bpm: float | None = None) -> bytes:
    """PNG bytes of the standard page (see the module docstring), written to ``path`` too
    when given.

    The image is int(11 * dpi) x int(8.5 * dpi) pixels, RGB, white background; 100 dpi
    gives 1100 x 850.

    Raises:
        ValueError: ``dpi`` is not positive, or ``start_s`` is outside the record.
    """
    if not 0 < dpi <= MAX_DPI:
        raise UsageError(f"record {record.record_id!r}: dpi must be between 1 and {MAX_DPI}, got {dpi}")
    figure = render_figure(record, start_s=start_s, rate_bpm=rate_bpm)
    figure.set_dpi(dpi)
    canvas = figure.canvas
    assert isinstance(canvas, FigureCanvasAgg), "render_figure draws on an Agg canvas"
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())[:, :, :3]
    buffer = io.BytesIO()
    # Level 1 deflate saves about a quarter of the encode time for a file ~25% larger.
    Image.fromarray(pixels).save(buffer, format="PNG", compress_level=1,
                                 dpi=(dpi, dpi))
    data = buffer.getvalue()
    if path is not None:
        Path(path).write_bytes(data)
    return data
