"""The standard ECG page: size per dpi, a valid PNG, grid and trace where they belong."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from gemeval.ecg import render
from gemeval.ecg.record import LEAD_INDEX, Record
from gemeval.ecg.render import render_png

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def spike_record(fs_hz: float = 500.0, duration_s: float = 10.0, spike_mv: float = 1.5,
                 spike_at_s: tuple[float, ...] = (0.5, 1.5, 3.0, 5.5, 8.0)) -> Record:
    """Flat leads with 40 ms triangular spikes of ``spike_mv`` at the given times."""
    n = int(round(fs_hz * duration_s))
    t = np.arange(n) / fs_hz
    trace = np.zeros(n)
    for at in spike_at_s:
        trace += np.clip(1.0 - np.abs(t - at) / 0.02, 0.0, None) * spike_mv
    return Record(np.tile(trace, (12, 1)), fs_hz, "spikes", age_years=61, sex="F")


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def to_pixel(x_mm: float, y_mm: float, dpi: int) -> tuple[int, int]:
    """(row, column) of a paper point (mm from the bottom-left corner)."""
    scale = dpi / render.MM_PER_INCH
    return (int(round((render.PAGE_HEIGHT_MM - y_mm) * scale)), int(round(x_mm * scale)))


def dark(rgb: np.ndarray) -> np.ndarray:
    return np.all(rgb < 90, axis=-1)


def near(rgb: np.ndarray, hex_colour: str, tolerance: int = 40) -> np.ndarray:
    target = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)])
    return np.all(np.abs(rgb - target) <= tolerance, axis=-1)


@pytest.mark.parametrize(("dpi", "size"), [(100, (1100, 850)), (150, (1650, 1275)),
                                          (72, (792, 612))])
def test_png_has_the_page_size_for_the_dpi(dpi: int, size: tuple[int, int]) -> None:
    png = render_png(spike_record(), dpi=dpi)
    assert png.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(png))
    image.verify()
    assert image.size == size


def test_path_receives_the_same_bytes(tmp_path: Path) -> None:
    target = tmp_path / "page.png"
    png = render_png(spike_record(), path=target)
    assert target.read_bytes() == png


def test_grid_covers_the_paper_and_traces_are_dark() -> None:
    rgb = pixels(render_png(spike_record()))
    grid_area = rgb[60:830, 30:1070]
    major = near(grid_area, render.MAJOR_GRID_COLOUR).mean()
    # At 100 dpi the 1 mm lines are thinner than a pixel: antialiased to a pale pink tint.
    pale_pink = ((grid_area[..., 0] > 235) & (grid_area[..., 0] - grid_area[..., 1] >= 8)
                 & (grid_area[..., 1] == grid_area[..., 2])).mean()
    assert 0.05 < major < 0.5
    assert pale_pink > 0.3
    assert dark(grid_area).mean() < 0.05
    assert dark(grid_area).sum() > 3000


def test_spike_is_drawn_at_its_time_and_height() -> None:
    """A 1.5 mV spike at 0.5 s in lead I sits 15 mm above row 1's baseline, 12.5 mm
    right of the trace start; the same height at 3.3 s (no spike) is blank paper."""
    dpi = 100
    record = spike_record()
    rgb = pixels(render_png(record, dpi=dpi))
    baseline = render._baseline_mm(0)
    x_spike = render.TRACE_LEFT_MM + 0.5 * render.SPEED_MM_PER_S
    row, column = to_pixel(x_spike, baseline + 14.0, dpi)
    assert dark(rgb[row - 2: row + 3, column - 2: column + 3]).any()
    x_quiet = render.TRACE_LEFT_MM + 3.3 * render.SPEED_MM_PER_S
    row, column = to_pixel(x_quiet, baseline + 14.0, dpi)
    assert not dark(rgb[row - 2: row + 3, column - 2: column + 3]).any()


def test_rhythm_strip_shows_lead_ii_over_ten_seconds() -> None:
    dpi = 100
    record = spike_record()
    record.signal_mv[LEAD_INDEX["II"]] *= -1.0
    rgb = pixels(render_png(record, dpi=dpi))
    baseline = render._baseline_mm(3)
    x = render.TRACE_LEFT_MM + 8.0 * render.SPEED_MM_PER_S
    row, column = to_pixel(x, baseline - 14.0, dpi)
    assert dark(rgb[row - 2: row + 3, column - 2: column + 3]).any()
    row, column = to_pixel(x, baseline + 14.0, dpi)
    assert not dark(rgb[row - 2: row + 3, column - 2: column + 3]).any()


def test_calibration_pulse_is_one_millivolt_high() -> None:
    dpi = 200
    rgb = pixels(render_png(spike_record(), dpi=dpi))
    baseline = render._baseline_mm(1)
    x_mid = render.GRID_LEFT_MM + 2.5 + 2.5
    top_row, column = to_pixel(x_mid, baseline + render.GAIN_MM_PER_MV, dpi)
    assert dark(rgb[top_row - 2: top_row + 3, column]).any()
    above, _ = to_pixel(x_mid, baseline + render.GAIN_MM_PER_MV + 2.0, dpi)
    assert not dark(rgb[above - 2: above + 3, column]).any()


@pytest.mark.parametrize("fs_hz", [100.0, 250.0, 1000.0])
def test_any_sampling_rate_draws_on_the_same_time_axis(fs_hz: float) -> None:
    dpi = 100
    rgb = pixels(render_png(spike_record(fs_hz=fs_hz), dpi=dpi))
    baseline = render._baseline_mm(0)
    row, column = to_pixel(render.TRACE_LEFT_MM + 0.5 * render.SPEED_MM_PER_S,
                           baseline + 12.0, dpi)
    assert dark(rgb[row - 2: row + 3, column - 2: column + 3]).any()


def test_short_record_with_gaps_renders() -> None:
    record = spike_record(duration_s=4.0, spike_at_s=(0.5, 3.0))
    record.signal_mv[:, 100:300] = np.nan
    rgb = pixels(render_png(record))
    baseline = render._baseline_mm(0)
    row, column = to_pixel(render.TRACE_LEFT_MM + 9.0 * render.SPEED_MM_PER_S, baseline, 100)
    assert not dark(rgb[row - 3: row + 4, column - 3: column + 4]).any()


def test_start_outside_the_record_is_refused() -> None:
    with pytest.raises(ValueError, match="start_s"):
        render_png(spike_record(), start_s=10.0)
    with pytest.raises(ValueError, match="dpi"):
        render_png(spike_record(), dpi=0)


def test_real_record_renders(shared_data: Path) -> None:
    from gemeval.ecg.io import read_record

    record = read_record(shared_data / "cinc2021" / "HR06000")
    rgb = pixels(render_png(record))
    assert rgb.shape == (850, 1100, 3)
    assert dark(rgb[60:830, 30:1070]).sum() > 3000


def test_start_shifts_the_window() -> None:
    """From start_s = 2.5 s the spike at 3.0 s is drawn 0.5 s into the first column."""
    dpi = 100
    rgb = pixels(render_png(spike_record(), dpi=dpi, start_s=2.5))
    row, column = to_pixel(render.TRACE_LEFT_MM + 0.5 * render.SPEED_MM_PER_S,
                           render._baseline_mm(0) + 14.0, dpi)
    assert dark(rgb[row - 2: row + 3, column - 2: column + 3]).any()


def test_rate_is_printed_only_when_given() -> None:
    plain = pixels(render_png(spike_record()))
    with_rate = pixels(render_png(spike_record(), rate_bpm=72.0))
    header_rows = slice(0, 40)
    assert (plain[header_rows] != with_rate[header_rows]).any()
    assert (plain[60:] == with_rate[60:]).all()
