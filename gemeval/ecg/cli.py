"""`gemeval ecg synth | measure | render`: synthetic records, measurements, ECG pages.

Exit codes: 0 ok, 2 an input could not be used (the message names the file and the
problem). ``measure`` goes on past a bad record and exits 2 at the end.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, List, Optional

import typer
from rich.table import Table

from gemeval.console import fmt_number, out_console, print_error, track
from gemeval.ecg.record import RecordError
from gemeval.ecg.synth import CONDITIONS

EXIT_INPUT_ERROR = 2

app = typer.Typer(
    help="Synthesise, measure and render 12-lead ECG records (WFDB).",
    no_args_is_help=True,
)


def _jsonable(value: Any) -> Any:
    """NaN and inf become null (JSON has no NaN); containers are converted recursively."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    return value


def _json_line(value: Any) -> str:
    return json.dumps(_jsonable(value), allow_nan=False, ensure_ascii=False)



@app.command()
def synth(
    out: Path = typer.Option(..., "--out", help="Folder for the WFDB records and truth.jsonl."),
    n: int = typer.Option(50, "--n", min=1, help="Number of records."),
    seed: int = typer.Option(1, "--seed", help="Seed: the same seed gives the same records."),
    condition: Optional[List[str]] = typer.Option(
        None, "--condition",
        help=f"Condition to draw (repeatable), cycled; default: all of {', '.join(CONDITIONS)}.",
    ),
    fs_hz: float = typer.Option(500.0, "--fs", help="Sampling rate in Hz."),
    duration_s: float = typer.Option(10.0, "--duration", help="Record length in seconds."),
    clean: bool = typer.Option(False, "--clean", help="No noise, baseline wander or mains hum."),
) -> None:
    """Write N synthetic 12-lead records (syn-00001.hea/.dat ...) and their exact truth.

    truth.jsonl has one JSON object per record: id, condition, labels, hr_bpm, rr_ms,
    pr_ms, qrs_ms, qt_ms, qtc_ms, qtc_fridericia_ms, axis_deg, st_mv/r_mv/s_mv per lead,
    rhythm, rr_regular and construction details; values that do not exist are null.
    """
    from gemeval.ecg.io import write_record
    from gemeval.ecg.synth import NoiseOptions, synthesize_set

    unknown = [name for name in condition or [] if name not in CONDITIONS]
    if unknown:
        print_error(f"unknown condition(s) {', '.join(unknown)}; choose from {', '.join(CONDITIONS)}")
        raise typer.Exit(EXIT_INPUT_ERROR)
    if duration_s <= 0 or fs_hz < 50:
        print_error(f"--duration must be positive and --fs at least 50 Hz (got {duration_s} s, {fs_hz} Hz)")
        raise typer.Exit(EXIT_INPUT_ERROR)
    noise = NoiseOptions.none() if clean else NoiseOptions()
    if out.exists() and not out.is_dir():
        print_error(f"--out {out} exists and is not a folder; give a folder for the records")
        raise typer.Exit(EXIT_INPUT_ERROR)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        print_error(f"--out {out}: cannot create the folder ({error.strerror or error})")
        raise typer.Exit(EXIT_INPUT_ERROR) from None
    truth_path = out / "truth.jsonl"
    with truth_path.open("w", encoding="utf-8") as truth_file:
        records = synthesize_set(n, seed, condition or None, fs_hz=fs_hz, duration_s=duration_s, noise=noise)
        for record, truth in track(records, "synthesising", n):
            write_record(record, out)
            truth_file.write(_json_line(truth) + "\n")
    out_console.print(f"wrote {n} records and {truth_path}", highlight=False)


def _record_paths(paths: List[Path]) -> List[Path]:
    """Each PATH as given, or every ``*.hea`` record inside it when it is a folder."""
    found: List[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(header.with_suffix("") for header in path.glob("*.hea")))
        else:
            found.append(path)
    return found


def _fmt(value: float | None, digits: int = 0) -> str:
    return fmt_number(value, digits)


@app.command()
def measure(
    paths: List[Path] = typer.Argument(..., help="WFDB records (with or without .hea) or folders of them."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per record instead of a table."),
    method: str = typer.Option("gemeval", "--method",
                               help="gemeval (all-lead median beats) or neurokit2 (ecg_process per lead, for comparison)."),
) -> None:
    """Measure rate, intervals, axis, ST and R/S of WFDB records from their signal.

    With --json each line has the keys of truth.jsonl (id, hr_bpm, pr_ms, qrs_ms, qt_ms,
    qtc_ms, axis_deg, st_mv per lead, rhythm, ...), null where a value could not be
    measured, plus the record's path, ``leads_off`` (leads left out, each with the reason:
    flat or zero-filled) and ``excluded_s`` (calibration pulses cut off).
    """
    from gemeval.ecg.io import read_record
    from gemeval.ecg.measure import measure
    from gemeval.ecg.measure_neurokit import measure_neurokit2

    methods = {"gemeval": measure, "neurokit2": lambda record: measure_neurokit2(record)[0]}
    if method not in methods:
        print_error(f"--method must be one of {', '.join(methods)}, got {method!r}")
        raise typer.Exit(EXIT_INPUT_ERROR)
    measure_record = methods[method]

    records = _record_paths(paths)
    if not records:
        print_error(f"no WFDB records (*.hea) found in {', '.join(map(str, paths))}")
        raise typer.Exit(EXIT_INPUT_ERROR)
    table = Table("id", "HR bpm", "PR ms", "QRS ms", "QT ms", "QTc ms", "axis deg", "rhythm", "leads off")
    failed = 0
    for path in track(records, f"measuring {len(records)} records ({method})"):
        try:
            values = measure_record(read_record(path)).to_dict()
        except (RecordError, OSError) as error:
            failed += 1
            print_error(str(error))
            continue
        if as_json:
            typer.echo(_json_line({**values, "path": str(path)}))
        else:
            table.add_row(
                str(values["id"]), _fmt(values["hr_bpm"]), _fmt(values["pr_ms"]),
                _fmt(values["qrs_ms"]), _fmt(values["qt_ms"]), _fmt(values["qtc_ms"]),
                _fmt(values["axis_deg"]), str(values["rhythm"]),
                ", ".join(values.get("leads_off") or {}) or "-",
            )
    if not as_json and table.row_count:
        out_console.print(table)
    if failed:
        print_error(f"{failed} of {len(records)} record(s) could not be measured")
        raise typer.Exit(EXIT_INPUT_ERROR)


@app.command()
def render(
    path: Path = typer.Argument(..., help="A WFDB record (with or without .hea)."),
    out: Path = typer.Option(..., "--out", help="The PNG file to write."),
    dpi: int = typer.Option(100, "--dpi", min=1, help="Resolution: 100 dpi gives 1100 x 850 pixels (at most 600)."),
) -> None:
    """Draw the standard 12-lead page (3 x 4 leads and a lead II rhythm strip) as a PNG."""
    from gemeval.ecg.io import read_record
    from gemeval.ecg.render import MAX_DPI, render_png

    if dpi > MAX_DPI:
        print_error(f"--dpi {dpi}: at most {MAX_DPI} (100 dpi gives 1100 x 850 pixels)")
        raise typer.Exit(EXIT_INPUT_ERROR)
    try:
        record = read_record(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        render_png(record, dpi=dpi, path=out)
    except OSError as error:  # the PNG cannot be written (bad records and options: gemeval.errors)
        print_error(str(error))
        raise typer.Exit(EXIT_INPUT_ERROR) from None
    out_console.print(f"wrote {out}", highlight=False)
