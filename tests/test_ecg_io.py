"""Reading, checking, writing and reshaping WFDB records (gemeval.ecg.io)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pytest
import scipy.io
import wfdb

from gemeval.ecg import labels
from gemeval.ecg.io import (
    leads_off,
    mv_per_unit,
    normalise_lead_name,
    pad_or_crop,
    parse_header_comments,
    read_record,
    resample,
    validate_record,
    write_record,
)
from gemeval.ecg.record import LEADS, Record, RecordError
from gemeval.ecg.synth import synthesize


def _record(record_id: str = "rec-1", seed: int = 3, **changes) -> Record:
    record, _ = synthesize("normal", seed, record_id=record_id)
    for key, value in changes.items():
        setattr(record, key, value)
    return record


def _write_raw(directory: Path, name: str, signal_by_lead: dict[str, np.ndarray], *,
               fs: float = 500.0, unit: str = "mV", comments: list[str] | None = None) -> Path:
    """A WFDB record written by wfdb itself, with the given lead labels, order and unit."""
    names = list(signal_by_lead)
    signal = np.column_stack([signal_by_lead[n] for n in names]).astype(np.float64)
    wfdb.wrsamp(name, fs=fs, units=[unit] * len(names), sig_name=names, p_signal=signal,
                fmt=["16"] * len(names), comments=comments or [], write_dir=str(directory))
    return directory / name


# --- names, units, comments --------------------------------------------------------------


@pytest.mark.parametrize("raw, canonical", [
    ("AVR", "aVR"), ("avr", "aVR"), ("aVR", "aVR"), ("AVL", "aVL"), ("avf", "aVF"),
    ("i", "I"), ("III", "III"), (" v1 ", "V1"), ("V6", "V6"), ("MLII", None), ("V7", None),
])
def test_lead_names_are_normalised_case_insensitively(raw, canonical):
    assert normalise_lead_name(raw) == canonical


@pytest.mark.parametrize("unit, factor", [
    ("mV", 1.0), ("mv", 1.0), ("uV", 1e-3), ("uv", 1e-3), ("µV", 1e-3), ("μV", 1e-3),
    ("V", 1e3), ("mmHg", None), ("", None),
])
def test_units_convert_to_millivolts(unit, factor):
    assert mv_per_unit(unit) == factor


def test_header_comments_parse_with_and_without_space_after_hash():
    fields = parse_header_comments(["#Age: 85", "# Sex: Female", "#Dx: 164889003,59118001", "no colon"])
    assert fields == {"age": "85", "sex": "Female", "dx": "164889003,59118001"}


# --- WFDB round trip ------------------------------------------------------------------------


def test_write_then_read_gives_the_same_record(tmp_path):
    record = _record(age_years=61.0, sex="F")
    path = write_record(record, tmp_path)
    assert path == tmp_path / "rec-1"
    assert (tmp_path / "rec-1.hea").is_file() and (tmp_path / "rec-1.dat").is_file()

    back = read_record(path)
    # 1000 ADC units per mV: the stored value is within half a unit, 0.5 µV.
    np.testing.assert_allclose(back.signal_mv, record.signal_mv, atol=0.5e-3 + 1e-6)
    assert back.fs_hz == 500.0 and back.record_id == "rec-1" and back.path == str(path)
    assert (back.age_years, back.sex) == (61.0, "F")
    assert back.labels == record.labels == ["NORM", "SR"]
    assert back.snomed_codes == record.snomed_codes == ["426783006"]
    assert back.source == "synthetic"
    assert back.meta["lead_names"] == list(LEADS)


def test_read_accepts_the_path_with_any_record_extension(tmp_path):
    write_record(_record(), tmp_path)
    for name in ("rec-1", "rec-1.hea", "rec-1.dat"):
        assert read_record(tmp_path / name).record_id == "rec-1"


def test_write_falls_back_to_a_fitting_gain_when_1uV_overflows(tmp_path):
    record = _record()
    record.signal_mv = record.signal_mv * 3.0  # beyond +-2.047 mV, format 212's range at 1 µV
    path = write_record(record, tmp_path, fmt="212")
    gains = np.array(wfdb.rdheader(str(path)).adc_gain)
    overflowing = np.abs(record.signal_mv).max(axis=1) * 1000.0 > 2046
    assert overflowing.any() and not overflowing.all()
    assert np.all(gains[~overflowing] == 1000.0) and np.all(gains[overflowing] < 1000.0)
    back = read_record(path)
    resolution = 1.0 / gains[:, None]
    assert np.all(np.abs(back.signal_mv - record.signal_mv) <= resolution / 2 + 1e-5)


def test_write_rejects_an_id_that_is_not_a_wfdb_name(tmp_path):
    with pytest.raises(RecordError, match="not a valid WFDB record name"):
        write_record(_record(record_id="bad id/x"), tmp_path)


def test_leads_in_any_order_case_and_microvolts_are_reordered_and_scaled(tmp_path):
    record = _record()
    labels_in_file = ["V6", "avr", "AVL", "i", "V1", "ii", "AVF", "iii", "V2", "V5", "V3", "V4"]
    signal_uv = {name: record.lead(normalise_lead_name(name)) * 1000.0 for name in labels_in_file}
    path = _write_raw(tmp_path, "shuffled", signal_uv, unit="uV")

    back = read_record(path)
    np.testing.assert_allclose(back.signal_mv, record.signal_mv, atol=1e-3)
    assert back.meta["units"] == ["uV"] * 12
    assert back.meta["lead_names"] == labels_in_file


def test_mat_records_are_read_like_the_cinc_files(tmp_path):
    """A MATLAB v4 ``val`` matrix behind a ``16+24`` header: the CinC / CSN layout."""
    rng = np.random.default_rng(0)
    digital = (rng.normal(0.0, 300.0, (12, 5000))).astype(np.int16)
    scipy.io.savemat(tmp_path / "M1.mat", {"val": digital}, format="4")
    names = ["I", "II", "III", "AVR", "avl", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"]
    lines = ["M1 12 500 5000"] + [f"M1.mat 16+24 1000/mv 16 0 0 0 0 {n}" for n in names]
    lines += ["#Age: 85", "#Sex: Male", "#Dx: 164889003,59118001,999999999"]
    (tmp_path / "M1.hea").write_text("\n".join(lines) + "\n")

    record = read_record(tmp_path / "M1.mat")
    np.testing.assert_array_equal(record.signal_mv, (digital / 1000.0).astype(np.float32))
    assert (record.age_years, record.sex) == (85.0, "M")
    assert record.snomed_codes == ["164889003", "59118001", "999999999"]
    assert record.labels == ["AF", "RBBB"]
    assert record.meta["unmapped_snomed"] == ["999999999"]
    assert record.meta["comments"][0] == "Age: 85"


# --- bad input: every case names the file and the problem ---------------------------------


def test_missing_header_names_the_file(tmp_path):
    with pytest.raises(RecordError, match=re.escape(str(tmp_path / "nothing.hea"))):
        read_record(tmp_path / "nothing")


def test_missing_lead_is_named(tmp_path):
    record = _record()
    eleven = {lead: record.lead(lead) for lead in LEADS if lead != "V3"}
    path = _write_raw(tmp_path, "eleven", eleven)
    with pytest.raises(RecordError, match=r"eleven.*missing lead\(s\) V3"):
        read_record(path)


def test_repeated_lead_is_named(tmp_path):
    record = _record()
    signals = {lead: record.lead(lead) for lead in LEADS}
    signals["AVR"] = signals["aVR"]
    with pytest.raises(RecordError, match="lead aVR appears twice"):
        read_record(_write_raw(tmp_path, "twice", signals))


def test_unit_that_is_not_a_voltage_is_named(tmp_path):
    record = _record()
    path = _write_raw(tmp_path, "pressure", {lead: record.lead(lead) for lead in LEADS}, unit="mmHg")
    with pytest.raises(RecordError, match=r"pressure.*lead I has unit 'mmHg'"):
        read_record(path)


def test_nan_samples_are_named_or_zeroed_on_request(tmp_path):
    record = _record()
    record.signal_mv[LEADS.index("V2"), 100:110] = np.nan
    path = write_record(record, tmp_path)

    with pytest.raises(RecordError, match=r"rec-1.*NaN or infinite values in lead\(s\) V2 \(10 samples\).*nan_policy='zero'"):
        read_record(path)
    zeroed = read_record(path, nan_policy="zero")
    assert np.all(zeroed.lead("V2")[100:110] == 0.0)
    assert zeroed.meta["nan_zeroed"] == 10
    assert np.isnan(read_record(path, validate=False).lead("V2")[100:110]).all()


def test_flat_lead_is_listed_as_off_and_the_record_kept(tmp_path):
    record = _record()
    record.signal_mv[LEADS.index("V4")] = 0.25
    path = write_record(record, tmp_path)
    read = read_record(path)
    assert list(read.meta["leads_off"]) == ["V4"]
    assert "flat" in read.meta["leads_off"]["V4"]
    assert read.lead("V4").max() == pytest.approx(0.25)
    assert "leads_off" not in read_record(path, validate=False).meta
    assert leads_off(read) == read.meta["leads_off"]


@pytest.mark.parametrize("fs", [5.0, 100_000.0])
def test_impossible_sampling_rate_is_named(tmp_path, fs):
    record = _record()
    record.fs_hz = fs
    path = write_record(record, tmp_path)
    with pytest.raises(RecordError, match=rf"rec-1.*impossible sampling rate {fs:g}"):
        read_record(path)


def test_truncated_signal_file_is_a_record_error(tmp_path):
    path = write_record(_record(), tmp_path)
    dat = tmp_path / "rec-1.dat"
    dat.write_bytes(dat.read_bytes()[:1000])
    with pytest.raises(RecordError, match="rec-1"):
        read_record(path)


def test_validate_names_the_record_id_when_there_is_no_file():
    record = Record(np.zeros((12, 500), dtype=np.float32), 500.0, "no-file")
    with pytest.raises(RecordError, match=r"record no-file: flat lead\(s\) I, II.*no lead carries an ECG"):
        validate_record(record)


# --- resample, pad or crop ---------------------------------------------------------------------


def test_resample_keeps_a_sinusoid_and_sets_the_rate():
    fs, n = 500.0, 5000
    t = np.arange(n) / fs
    signal = np.tile(np.sin(2 * np.pi * 5.0 * t), (12, 1))
    record = Record(signal, fs, "sine")
    for target, length in ((100.0, 1000), (360.0, 3600), (1000.0, 10000), (257.0, 2570)):
        out = resample(record, target)
        assert out.fs_hz == target and out.n_samples == length
        t_out = np.arange(length) / target
        middle = slice(length // 10, -length // 10)  # resample_poly's edges are filter transients
        np.testing.assert_allclose(out.signal_mv[0, middle], np.sin(2 * np.pi * 5.0 * t_out)[middle], atol=2e-3)
        assert out.meta["resampled_from_hz"] == 500.0
    same = resample(record, 500.0)
    assert same.signal_mv is not record.signal_mv
    np.testing.assert_array_equal(same.signal_mv, record.signal_mv)


def test_resample_removes_content_above_the_new_nyquist():
    fs = 500.0
    t = np.arange(5000) / fs
    record = Record(np.tile(np.sin(2 * np.pi * 80.0 * t), (12, 1)), fs, "hf")
    assert np.abs(resample(record, 100.0).signal_mv[:, 100:-100]).max() < 0.01


def test_pad_or_crop():
    record = _record()
    cropped = pad_or_crop(record, 1200)
    np.testing.assert_array_equal(cropped.signal_mv, record.signal_mv[:, :1200])
    padded = pad_or_crop(record, 6000)
    assert padded.n_samples == 6000
    np.testing.assert_array_equal(padded.signal_mv[:, :5000], record.signal_mv)
    assert not padded.signal_mv[:, 5000:].any()
    assert padded.meta == record.meta and padded.meta is not record.meta


# --- the real files beside the project ---------------------------------------------------------


def _header_dx(header: Path) -> list[str]:
    for line in header.read_text().splitlines():
        match = re.match(r"#\s*Dx:\s*(.*)", line)
        if match:
            return [code.strip() for code in match.group(1).split(",")]
    return []


def test_the_50_cinc_records_load_with_leads_units_rate_and_snomed(shared_data):
    headers = sorted((shared_data / "cinc2021").glob("*.hea"))
    assert len(headers) == 50
    for header in headers:
        record = read_record(header, validate=False)
        raw = wfdb.rdrecord(str(header.with_suffix("")))
        assert record.fs_hz == 500.0 and record.signal_mv.shape == (12, 5000), header
        assert [normalise_lead_name(n) for n in record.meta["lead_names"]] == list(LEADS)
        assert {u.lower() for u in record.meta["units"]} == {"mv"}
        np.testing.assert_allclose(record.signal_mv, raw.p_signal.T, atol=1e-6)
        assert record.snomed_codes == _header_dx(header)
        assert record.labels == [labels.snomed_to_abbrev(c) for c in record.snomed_codes if labels.snomed_to_abbrev(c)]
        assert record.age_years is None or 0 < record.age_years < 110
        assert record.sex in ("M", "F")
    first = read_record(shared_data / "cinc2021" / "HR06000")
    assert (first.age_years, first.sex, first.labels) == (59.0, "F", ["TAb", "NSR"])


def test_cinc_records_with_zero_filled_leads_list_them_as_off(shared_data):
    """Two Ningbo records store V2, V4 and V6 as all zeros (gain line ``0 0 0``): they are
    read, with those leads listed as off; the other 48 have every lead on."""
    off = {}
    for header in sorted((shared_data / "cinc2021").glob("*.hea")):
        record = read_record(header)
        if record.meta.get("leads_off"):
            off[header.stem] = record.meta["leads_off"]
    assert sorted(off) == ["JS20004", "JS20008"]
    for leads in off.values():
        assert list(leads) == ["V2", "V4", "V6"]
        assert all("all zeros" in why for why in leads.values())


def test_the_native_csn_record(shared_data):
    record = read_record(shared_data / "csn-native" / "JS00001")
    assert (record.fs_hz, record.signal_mv.shape) == (500.0, (12, 5000))
    assert (record.age_years, record.sex) == (85.0, "M")
    assert record.snomed_codes == ["164889003", "59118001", "164934002"]
    assert record.labels == ["AF", "RBBB", "TAb"]


def test_the_native_ptbxl_record_has_its_upper_case_augmented_leads_renamed(shared_data):
    path = shared_data / "ptbxl-native" / "records100" / "00000" / "00001_lr"
    record = read_record(path)
    raw = wfdb.rdrecord(str(path))
    assert raw.sig_name[3:6] == ["AVR", "AVL", "AVF"]
    assert (record.fs_hz, record.signal_mv.shape, record.record_id) == (100.0, (12, 1000), "00001_lr")
    for column, name in enumerate(raw.sig_name):
        np.testing.assert_allclose(record.lead(normalise_lead_name(name)), raw.p_signal[:, column], atol=1e-6)
    assert record.snomed_codes == [] and record.labels == []


def test_snomed_vocabulary_is_the_challenge_tables(shared_data):
    rows = 0
    equivalents: dict[str, str] = {}
    for name, scored in (("dx_mapping_scored.csv", True), ("dx_mapping_unscored.csv", False)):
        with open(shared_data / "cinc2021" / name, newline="") as handle:
            for row in csv.DictReader(handle):
                rows += 1
                concept = labels.snomed_table()[row["SNOMEDCTCode"]]
                assert (concept.abbrev, concept.name, concept.scored) == (row["Abbreviation"], row["Dx"], scored)
                codes = re.findall(r"\d{6,}", row.get("Notes") or "")
                for code in codes:
                    equivalents.setdefault(code, codes[0])
    assert rows == len(labels.snomed_table())
    assert labels.snomed_equivalents() == equivalents
