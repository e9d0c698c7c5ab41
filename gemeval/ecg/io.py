"""Read, check, write and reshape WFDB ECG records.

Every reader returns a :class:`~gemeval.ecg.record.Record`: float32 millivolts, shape
(12, n), leads in ``LEADS`` order, whatever the file's lead order, lead-name case or unit.
WFDB does the file work (``.hea`` + ``.dat`` and ``.hea`` + ``.mat`` alike); this module
normalises what the sources disagree on:

* lead names, case-insensitively (``AVR``, ``avr``, ``aVR`` are all aVR);
* units: ``mV``/``mv`` are kept, ``uV``/``µV`` are divided by 1000, ``V`` multiplied by 1000;
* header comments ``#Age: 85`` and ``# Age: 85`` alike, with ``Dx`` read as SNOMED-CT codes.
"""

from __future__ import annotations

import dataclasses
import math
import re
from fractions import Fraction
from pathlib import Path
from typing import Literal

import numpy as np
import wfdb
from scipy.signal import resample_poly

from gemeval.ecg import labels as ecg_labels
from gemeval.ecg.record import LEADS, Record, RecordError
from gemeval.errors import UsageError

MIN_FS_HZ = 50.0
"""Below this no QRS complex (about 80 ms) spans enough samples to be read."""
MAX_FS_HZ = 20_000.0
"""Above this a 12-lead diagnostic ECG file is almost surely a header error."""
FLAT_PEAK_TO_PEAK_MV = 0.01
"""A lead whose whole trace spans less than 10 µV carries no ECG (lead off or zero-filled)."""

NanPolicy = Literal["raise", "zero"]

_LEAD_BY_KEY: dict[str, str] = {name.lower(): name for name in LEADS}
_MV_PER_UNIT: dict[str, float] = {
    "mv": 1.0,
    "uv": 1e-3,
    "µv": 1e-3,
    "μv": 1e-3,  # GREEK SMALL LETTER MU, which some writers use instead of MICRO SIGN
    "v": 1e3,
}
_COMMENT = re.compile(r"^\s*#?\s*([A-Za-z][A-Za-z _-]*?)\s*:\s*(.*?)\s*$")
_SIGNAL_SUFFIXES = (".hea", ".dat", ".mat")
_WFDB_WRITE_GAIN = 1000.0  # ADC units per mV: 1 µV resolution, as PTB-XL and the CinC files
_WFDB_BITS = {"8": 8, "80": 8, "16": 16, "61": 16, "160": 16, "212": 12, "310": 10, "311": 10,
              "24": 24, "32": 32}


def normalise_lead_name(name: str | None) -> str | None:
    """The canonical name in ``LEADS`` of a lead label (case and surrounding blanks ignored).

    Returns None for labels that are not one of the twelve standard leads (or no label).
    """
    return _LEAD_BY_KEY.get(name.strip().lower()) if isinstance(name, str) else None


def mv_per_unit(unit: str | None) -> float | None:
    """Millivolts per unit of ``unit`` (``mV``, ``mv``: 1; ``uV``, ``µV``: 0.001; ``V``: 1000).

    Returns None for units that are not voltages (or no unit).
    """
    return _MV_PER_UNIT.get(unit.strip().lower()) if isinstance(unit, str) else None


def header_problem(header: Path) -> str | None:
    """What makes a single-segment WFDB header unreadable, in words, before WFDB reads it:
    fewer signal lines than the record line declares, or a record of 0 samples. None when
    neither (WFDB then reports anything else)."""
    try:
        text = header.read_text(encoding="latin-1")
    except OSError as error:
        return f"cannot read the header ({error.strerror or error})"
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        return "the header is empty (no record line)"
    fields = lines[0].split()
    if "/" in fields[0]:
        return None  # a multi-segment record: WFDB checks it
    try:
        declared = int(fields[1]) if len(fields) > 1 else 0
    except ValueError:
        return f"the record line {lines[0]!r} does not give the number of signals as its second field"
    if declared and len(lines) - 1 < declared:
        return (f"the record line declares {declared} signals but the header lists {len(lines) - 1} signal "
                f"line(s); the header is truncated or a lead's line is missing")
    if len(fields) > 3:
        try:
            n_samples = int(fields[3])
        except ValueError:
            return None
        if n_samples == 0:
            return "the header says the record has 0 samples (4th field of the record line); the record is empty"
    return None


def record_base(path: str | Path) -> Path:
    """The WFDB record path without extension (``x/HR06000.hea`` -> ``x/HR06000``)."""
    path = Path(path)
    return path.with_suffix("") if path.suffix.lower() in _SIGNAL_SUFFIXES else path


def parse_header_comments(comments: list[str]) -> dict[str, str]:
    """``Key: value`` pairs of WFDB header comments, keys lower-cased, first occurrence kept.

    Accepts the comment text with or without its leading ``#`` and blanks, so ``#Age: 85``,
    ``# Age: 85`` and ``Age: 85`` all give ``{"age": "85"}``. Lines without a colon are skipped.
    """
    fields: dict[str, str] = {}
    for line in comments:
        match = _COMMENT.match(line)
        if match:
            fields.setdefault(match.group(1).strip().lower(), match.group(2))
    return fields


def _parse_age(text: str | None) -> float | None:
    """Age in years from a header value; None for ``Unknown``, ``NaN``, empty or negative."""
    if not text:
        return None
    match = re.match(r"^\s*(\d+(?:\.\d+)?)", text)
    return float(match.group(1)) if match else None


def _parse_sex(text: str | None) -> str | None:
    if not text:
        return None
    key = text.strip().lower()
    if key in ("m", "male"):
        return "M"
    if key in ("f", "female"):
        return "F"
    return None


def _parse_codes(text: str | None) -> list[str]:
    if not text:
        return []
    return [code.strip() for code in re.split(r"[,;\s]+", text) if code.strip()]


def read_record(
    path: str | Path,
    *,
    validate: bool = True,
    nan_policy: NanPolicy = "raise",
    source: str = "wfdb",
) -> Record:
    """Read a WFDB record (``.hea`` with ``.dat`` or ``.mat``) as a canonical ``Record``.

    Args:
        path: the record path, with or without ``.hea``/``.dat``/``.mat``.
        validate: check the record with :func:`validate_record` (missing values, sampling
            rate, every lead flat; leads that are off are listed in ``meta["leads_off"]``).
            A missing lead is always an error: a ``Record`` has 12.
        nan_policy: what validation does with NaN/inf samples: ``"raise"`` or ``"zero"``
            (set them to 0, as GEM's own input preparation does).
        source: the ``Record.source`` to set ("ptbxl", "cinc2021", ...).

    Returns:
        The record: physical units converted to mV, leads reordered to ``LEADS``. Age, sex
        and ``Dx`` SNOMED-CT codes come from the header comments; ``labels`` are the
        ``Labels`` comment's codes when present (files written by :func:`write_record`),
        otherwise the Dx codes' abbreviations from ``dx_mapping_*.csv`` (unknown codes are
        kept in ``snomed_codes`` and listed in ``meta["unmapped_snomed"]``). ``meta`` keeps
        the raw comments, the file's lead names, units and storage formats.

    Raises:
        RecordError: the file is missing or unreadable, a lead is missing or repeated, a
            unit is not a voltage, or (with ``validate``) the signal is unusable.
    """
    base = record_base(path)
    header = base.with_name(base.name + ".hea")
    if not header.is_file():
        raise RecordError(f"{header}: no such WFDB header file; check the record path")
    problem = header_problem(header)
    if problem:
        raise RecordError(f"{header}: {problem}")
    try:
        raw = wfdb.rdrecord(str(base), physical=True)
    except Exception as error:  # wfdb raises bare ValueError/IndexError/OSError on bad files
        raise RecordError(
            f"{base}: WFDB could not read the record ({type(error).__name__}: {error}); "
            "check that the .hea and its signal file are complete"
        ) from error

    names = list(raw.sig_name or [])
    units = list(raw.units or [])
    signal = raw.p_signal
    if signal is None or signal.ndim != 2 or signal.shape[1] != len(names):
        raise RecordError(f"{base}: header and signal disagree on the number of leads")

    rows: dict[str, int] = {}
    for column, name in enumerate(names):
        lead = normalise_lead_name(name)
        if lead is None:
            continue
        if lead in rows:
            raise RecordError(
                f"{base}: lead {lead} appears twice (as {names[rows[lead]]!r} and {name!r}); "
                "fix the header's signal names"
            )
        rows[lead] = column
    missing = [lead for lead in LEADS if lead not in rows]
    if missing:
        raise RecordError(
            f"{base}: missing lead(s) {', '.join(missing)} (file has {', '.join(map(str, names))}); "
            "gemeval needs all 12 standard leads"
        )

    signal_mv = np.empty((len(LEADS), signal.shape[0]), dtype=np.float32)
    for row, lead in enumerate(LEADS):
        column = rows[lead]
        unit = units[column] if column < len(units) else ""
        scale = mv_per_unit(unit)
        if scale is None:
            raise RecordError(
                f"{base}: lead {lead} has unit {unit!r}, not a voltage; "
                "expected mV, uV or V in the header"
            )
        signal_mv[row] = signal[:, column] * scale

    comments = list(raw.comments or [])
    fields = parse_header_comments(comments)
    snomed_codes = _parse_codes(fields.get("dx"))
    explicit_labels = _parse_codes(fields.get("labels"))
    mapped = {code: ecg_labels.snomed_to_abbrev(code) for code in snomed_codes}
    record = Record(
        signal_mv=signal_mv,
        fs_hz=float(raw.fs),
        record_id=str(raw.record_name or base.name),
        age_years=_parse_age(fields.get("age")),
        sex=_parse_sex(fields.get("sex")),
        labels=explicit_labels or [abbrev for abbrev in mapped.values() if abbrev],
        snomed_codes=snomed_codes,
        source=fields.get("source") or source,
        path=str(base),
        meta={
            "comments": comments,
            "lead_names": names,
            "units": units,
            "fmt": list(raw.fmt or []),
            "unmapped_snomed": [code for code, abbrev in mapped.items() if not abbrev],
        },
    )
    if validate:
        record = validate_record(record, base, nan_policy=nan_policy)
    return record


def validate_record(
    record: Record, path: str | Path | None = None, *, nan_policy: NanPolicy = "raise"
) -> Record:
    """Check that a record is usable, and return it (a copy with NaN/inf zeroed under "zero").

    Checks, in order: the sampling rate is finite and within [MIN_FS_HZ, MAX_FS_HZ]; the
    record has samples; no NaN/inf (``nan_policy="raise"``) or they are set to 0
    (``"zero"``); not every lead is off. Leads that are off (:func:`leads_off`: flat, e.g.
    zero-filled or electrode off, including a lead that was all NaN and was zeroed) do not
    make the record unusable: the returned copy lists them, with the reason, in
    ``meta["leads_off"]``, and the measurement works from the other leads.

    Raises:
        RecordError: naming the file (``path``, else ``record.path``, else the record id),
            the lead and the problem, with what to do about it.
    """
    where = str(path or record.path or f"record {record.record_id}")
    fs_hz = float(record.fs_hz)
    if not math.isfinite(fs_hz) or not MIN_FS_HZ <= fs_hz <= MAX_FS_HZ:
        raise RecordError(
            f"{where}: impossible sampling rate {record.fs_hz} Hz (expected {MIN_FS_HZ:g} to "
            f"{MAX_FS_HZ:g} Hz); check the rate on the header's first line"
        )
    if record.n_samples == 0:
        raise RecordError(f"{where}: the record has no samples; check the signal file")

    signal = record.signal_mv
    finite = np.isfinite(signal)
    if not finite.all():
        if nan_policy == "zero":
            signal = np.where(finite, signal, np.float32(0.0))
            record = dataclasses.replace(
                record,
                signal_mv=signal,
                meta={**record.meta, "nan_zeroed": int((~finite).sum())},
            )
        elif nan_policy == "raise":
            bad = [
                f"{lead} ({int((~finite[row]).sum())} samples)"
                for row, lead in enumerate(LEADS)
                if not finite[row].all()
            ]
            raise RecordError(
                f"{where}: NaN or infinite values in lead(s) {', '.join(bad)}; repair the "
                "file or read it with nan_policy='zero' to set them to 0"
            )
        else:
            raise UsageError(f"nan_policy must be 'raise' or 'zero', got {nan_policy!r}")

    off = leads_off(record if signal is record.signal_mv else dataclasses.replace(record, signal_mv=signal))
    if len(off) == len(LEADS):
        raise RecordError(
            f"{where}: flat lead(s) {', '.join(off)} (peak-to-peak below "
            f"{FLAT_PEAK_TO_PEAK_MV} mV): no lead carries an ECG; check the file's gains and "
            "signal, or drop this record"
        )
    if off:
        record = dataclasses.replace(record, meta={**record.meta, "leads_off": off})
    return record


def leads_off(record: Record) -> dict[str, str]:
    """The leads that carry no ECG, each with the reason: ``{lead: why}`` in ``LEADS`` order.

    A lead is off when its finite samples span less than ``FLAT_PEAK_TO_PEAK_MV`` (an
    electrode that was off, or a lead the file stores as zeros) or when it has no finite
    sample at all. This is the one rule of the project: :func:`validate_record` records it in
    ``meta["leads_off"]``, and ``gemeval.ecg.measure`` leaves these leads out of every
    global value and reports their per-lead values as NaN with this reason.
    """
    off: dict[str, str] = {}
    for row, lead in enumerate(LEADS):
        trace = record.signal_mv[row]
        finite = trace[np.isfinite(trace)]
        if finite.size == 0:
            off[lead] = "lead off: no finite sample"
            continue
        span = float(np.ptp(finite))
        if span < FLAT_PEAK_TO_PEAK_MV:
            what = "all zeros" if not finite.any() else f"peak-to-peak {1000 * span:.1f} µV"
            off[lead] = f"lead off: flat ({what}, below {FLAT_PEAK_TO_PEAK_MV} mV)"
    return off


def _header_comments(record: Record) -> list[str]:
    comments = []
    if record.age_years is not None:
        comments.append(f"Age: {record.age_years:g}")
    if record.sex is not None:
        comments.append(f"Sex: {'Male' if record.sex == 'M' else 'Female'}")
    if record.snomed_codes:
        comments.append(f"Dx: {','.join(record.snomed_codes)}")
    if record.labels:
        comments.append(f"Labels: {','.join(record.labels)}")
    comments.append(f"Source: {record.source}")
    return comments


def write_record(record: Record, directory: str | Path, fmt: str = "16") -> Path:
    """Write ``record`` as WFDB (``<record_id>.hea`` + ``.dat``) into ``directory``.

    Each lead is stored with baseline 0 at 1000 ADC units per mV (1 µV resolution) when it
    fits the format's range (±32.766 mV for format 16), otherwise at the largest gain (a
    multiple of 0.001) that fits; reading the file back gives the signal within half an
    ADC unit, 1 / (2 gain) mV. NaN samples are written as WFDB's missing-value marker and
    read back as NaN. Age, sex, SNOMED codes, labels and source go into header comments
    that :func:`read_record` parses.

    Returns:
        The record path without extension (what :func:`read_record` takes).

    Raises:
        RecordError: the record id is not a valid WFDB record name (letters, digits, ``_``,
            ``-``).
    """
    if not re.fullmatch(r"[-\w]+", record.record_id):
        raise RecordError(
            f"record {record.record_id!r}: not a valid WFDB record name; use letters, digits, "
            "'_' and '-' only"
        )
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    signal = record.signal_mv.astype(np.float64).T
    n_leads = len(LEADS)
    if fmt not in _WFDB_BITS:
        raise UsageError(f"unknown WFDB format {fmt!r}; use one of {', '.join(_WFDB_BITS)}")
    # The most negative code is WFDB's missing-value marker, so the usable range is one short.
    largest_code = 2 ** (_WFDB_BITS[fmt] - 1) - 2
    largest_mv = np.nan_to_num(np.nanmax(np.abs(signal), axis=0, initial=0.0), nan=0.0)
    fitting = np.floor(largest_code / np.maximum(largest_mv, 1e-12) * 1000.0) / 1000.0
    gains = np.minimum(_WFDB_WRITE_GAIN, fitting)
    wfdb.wrsamp(
        record.record_id,
        fs=float(record.fs_hz),
        units=["mV"] * n_leads,
        sig_name=list(LEADS),
        p_signal=signal,
        fmt=[fmt] * n_leads,
        adc_gain=[float(g) for g in gains],
        baseline=[0] * n_leads,
        comments=_header_comments(record),
        write_dir=str(directory),
    )
    return directory / record.record_id


def resample(record: Record, fs_hz: float) -> Record:
    """The record at ``fs_hz``, by polyphase filtering (scipy.signal.resample_poly).

    The ratio ``fs_hz / record.fs_hz`` is taken as the fraction up/down with the smallest
    denominator up to 1000 (exact for all common ECG rates: 100, 125, 250, 257, 360, 500,
    1000 Hz...); the returned rate is ``record.fs_hz * up / down``, which equals ``fs_hz``
    whenever the ratio is exact. The length becomes ``ceil(n * up / down)``. resample_poly's
    default Kaiser-windowed low-pass removes content above the new Nyquist frequency.
    A record already at ``fs_hz`` is returned as a copy.
    """
    if not math.isfinite(fs_hz) or fs_hz <= 0:
        raise UsageError(f"target rate must be a positive number of Hz, got {fs_hz}")
    ratio = (Fraction(str(float(fs_hz))) / Fraction(str(float(record.fs_hz)))).limit_denominator(1000)
    up, down = ratio.numerator, ratio.denominator
    if up == down:
        return dataclasses.replace(record, signal_mv=record.signal_mv.copy(), meta=dict(record.meta))
    signal = resample_poly(record.signal_mv.astype(np.float64), up, down, axis=1)
    return dataclasses.replace(
        record,
        signal_mv=signal.astype(np.float32),
        fs_hz=float(record.fs_hz) * up / down,
        meta={**record.meta, "resampled_from_hz": float(record.fs_hz)},
    )


def pad_or_crop(record: Record, n_samples: int) -> Record:
    """The record cut to its first ``n_samples`` samples, or zero-padded at the end to them.

    This is what GEM does to every signal before its encoder (5000 samples); the padding
    is 0 mV, i.e. baseline, not a repeat of the signal.
    """
    if n_samples < 0:
        raise UsageError(f"n_samples must be >= 0, got {n_samples}")
    signal = record.signal_mv[:, :n_samples]
    if signal.shape[1] < n_samples:
        signal = np.pad(signal, ((0, 0), (0, n_samples - signal.shape[1])))
    return dataclasses.replace(record, signal_mv=np.ascontiguousarray(signal), meta=dict(record.meta))
