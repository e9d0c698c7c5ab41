"""Native PhysioNet layouts: CinC 2021 / Chapman-Shaoxing-Ningbo and PTB-XL on the real files
in ../shared/data, MIMIC-IV-ECG on a tree written here in its published layout."""

from __future__ import annotations

import csv
import math
import shutil
from pathlib import Path

import pytest

from gemeval.data import DataError, DataOptions, load_dataset
from gemeval.data.mimic import machine_report, machine_truth, study_record_path
from gemeval.data.physionet import MeasuredSample, RecordResolver, read_dx
from gemeval.data.ptbxl import parse_scp_codes, read_database, read_statements, record_path_for, superclasses_of
from gemeval.ecg.io import write_record
from gemeval.ecg.synth import synthesize
from gemeval.tasks import load_task


def dx_table(folder: Path) -> dict[str, str]:
    """SNOMED-CT code -> abbreviation, read straight from the CinC mapping CSVs."""
    table: dict[str, str] = {}
    for name in ("dx_mapping_scored.csv", "dx_mapping_unscored.csv"):
        with (folder / name).open() as fh:
            for row in csv.DictReader(fh):
                table[row["SNOMEDCTCode"]] = row["Abbreviation"]
    return table


# -- CinC 2021 and Chapman-Shaoxing-Ningbo ---------------------------------------------------


def test_all_50_cinc_records_load_with_their_dx_labels(shared_data):
    folder = shared_data / "cinc2021"
    dataset = load_dataset(load_task("grounded"), DataOptions(data_dir=folder))
    assert dataset.source == "physionet" and not dataset.problems
    assert len(dataset.samples) == 50
    names = {h.stem for h in folder.glob("*.hea")}
    assert {s.id for s in dataset.samples} == names
    table = dx_table(folder)
    off: dict[str, list[str]] = {}
    for sample in dataset.samples:
        header_text = (folder / f"{sample.id}.hea").read_text()
        dx_line = next(line for line in header_text.splitlines() if line.replace(" ", "").startswith("#Dx:"))
        codes = dx_line.split(":", 1)[1].strip().split(",")
        assert sample.meta["snomed_codes"] == codes
        assert sample.meta["dx_abbrevs"] == [table[c] for c in codes]
        record = sample.load_record()  # zero-filled leads exist in the real data: listed, not refused
        if record.meta.get("leads_off"):
            off[sample.id] = list(record.meta["leads_off"])
        assert record.signal_mv.shape == (12, 5000) and record.fs_hz == 500
    assert off == {"JS20004": ["V2", "V4", "V6"], "JS20008": ["V2", "V4", "V6"]}
    truth = next(s for s in dataset.samples if s.id == "JS20004")
    assert truth.truth_source == "gemeval-measure" and truth.truth is not None
    assert math.isnan(truth.truth["st_mv"]["V2"]) and math.isfinite(truth.truth["st_mv"]["V3"])
    assert list(truth.meta["leads_off"]) == ["V2", "V4", "V6"]
    by_id = {s.id: s for s in dataset.samples}
    assert by_id["HR06000"].reference["labels"] == ["SR"]          # TAb has no SCP statement
    assert by_id["E07500"].reference["labels"] == ["LAO/LAE", "SBRAD"]
    assert by_id["JS20000"].reference["labels"] == ["PAC", "STACH", "IVCD"]


def test_chapman_record_js00001_and_cpsc_label_space(shared_data):
    header = shared_data / "csn-native" / "JS00001.hea"
    codes, fields = read_dx(header)
    assert codes == ["164889003", "59118001", "164934002"] and fields["age"] == "85"
    grounded = load_dataset(load_task("grounded"), DataOptions(data_file=header))
    sample = grounded.samples[0]
    assert sample.id == "JS00001" and sample.reference["labels"] == ["AFIB", "CRBBB"]
    assert sample.meta["dx_abbrevs"] == ["AF", "RBBB", "TAb"]
    cpsc = load_dataset(load_task("cpsc2018"), DataOptions(data_file=header))
    assert cpsc.samples[0].reference["labels"] == ["AF", "RBBB"]
    record = sample.load_record()
    assert record.signal_mv.shape == (12, 5000) and record.age_years == 85


def test_measured_truth_is_lazy_and_says_its_source(shared_data):
    dataset = load_dataset(load_task("grounded"), DataOptions(data_dir=shared_data / "csn-native"))
    sample = dataset.samples[0]
    assert isinstance(sample, MeasuredSample) and "not measured yet" in repr(sample)
    assert sample.__dict__["_truth"] is None
    assert sample.truth_source == "gemeval-measure"
    assert 40 < sample.truth["hr_bpm"] < 200 and set(sample.truth["st_mv"]) >= {"I", "V6"}


def test_unreadable_record_leaves_truth_empty_with_the_reason(tmp_path):
    (tmp_path / "X1.hea").write_text("X1 12 500 5000\n# Dx: 164889003\n")
    (tmp_path / "X1.mat").write_bytes(b"garbage")
    sample = load_dataset(load_task("grounded"), DataOptions(data_dir=tmp_path)).samples[0]
    assert sample.truth is None and sample.truth_source is None
    assert "X1" in sample.meta["truth_error"]


def test_cinc_record_without_signal_is_reported(tmp_path, shared_data):
    shutil.copy(shared_data / "cinc2021" / "E07500.hea", tmp_path)
    shutil.copy(shared_data / "cinc2021" / "E07500.mat", tmp_path)
    shutil.copy(shared_data / "cinc2021" / "E07501.hea", tmp_path)
    dataset = load_dataset(load_task("grounded"), DataOptions(data_dir=tmp_path))
    assert [s.id for s in dataset.samples] == ["E07500"]
    assert [(p.item_id, "no .mat or .dat" in p.problem) for p in dataset.problems] == [("E07501", True)]


# -- PTB-XL ------------------------------------------------------------------------------------


def test_ptbxl_rows_map_to_their_superclasses(shared_data):
    folder = shared_data / "ptbxl-native"
    classes = read_statements(folder / "scp_statements.csv")
    frame = read_database(folder / "ptbxl_database.csv")
    got = {int(i): superclasses_of(parse_scp_codes(row["scp_codes"]), classes) for i, row in frame.iterrows()}
    assert got == {1: ["NORM"], 6000: ["NORM"], 6001: ["STTC"], 6002: ["NORM", "CD"], 6003: ["NORM"],
                   6004: ["NORM"], 6005: ["NORM"], 6006: ["NORM"], 6007: ["NORM"], 6008: ["NORM"], 6009: ["NORM"]}
    assert read_statements(None) == classes  # the embedded table is the published one
    assert record_path_for(6000) == "records500/06000/06000_hr"
    assert record_path_for(1, 100) == "records100/00000/00001_lr"


def test_ptbxl_record_00001_lr_loads_as_a_fold_10_sample(tmp_path, shared_data):
    """The one PTB-XL record in the fixtures is in fold 3; a copy of its database row moved
    to fold 10 makes it a test-fold sample, found through the wget layout's folders."""
    source = shared_data / "ptbxl-native"
    root = tmp_path / "physionet.org" / "files" / "ptb-xl" / "1.0.3"
    root.mkdir(parents=True)
    text = (source / "ptbxl_database.csv").read_text().splitlines()
    header, rows = text[0], [line for line in text[1:] if line.startswith("1,")]
    fold = header.split(",").index("strat_fold")
    fields = next(csv.reader(rows))
    fields[fold] = "10"
    with (root / "ptbxl_database.csv").open("w", newline="") as fh:
        csv.writer(fh).writerows([header.split(","), fields])
    shutil.copy(source / "scp_statements.csv", root)
    shutil.copytree(source / "records100", root / "records100")

    dataset = load_dataset(load_task("ptbxl-super"), DataOptions(data_dir=tmp_path))
    sample = dataset.samples[0]
    assert dataset.source == "ptbxl" and sample.id == "ptbxl-1"
    assert sample.reference["labels"] == ["NORM"] and sample.meta["scp_codes"] == {"NORM": 100.0, "LVOLT": 0.0, "SR": 0.0}
    record = sample.load_record()
    assert record.fs_hz == 100 and record.signal_mv.shape == (12, 1000)

    grounded = load_dataset(load_task("grounded-ptbxl"), DataOptions(data_dir=tmp_path)).samples[0]
    assert grounded.reference == {"text": "sinusrhythmus periphere niederspannung", "labels": ["NORM", "SR"]}
    assert grounded.truth_source == "gemeval-measure"


def test_ptbxl_without_test_fold_records_names_what_to_download(shared_data):
    with pytest.raises(DataError, match="ptbxl-6000.*records500/06000/06000_hr"):
        load_dataset(load_task("ptbxl-super"), DataOptions(data_dir=shared_data / "ptbxl-native"))


# -- MIMIC-IV-ECG ------------------------------------------------------------------------------


MEASUREMENT_HEADER = ("subject_id,study_id,cart_id,ecg_time," + ",".join(f"report_{i}" for i in range(18))
                      + ",bandwidth,filtering,rr_interval,p_onset,p_end,qrs_onset,qrs_end,t_end,p_axis,qrs_axis,t_axis")


def write_mimic(root: Path) -> None:
    """Two studies with records in MIMIC-IV-ECG's tree, one study whose record is absent."""
    rows = [
        (10000032, 40689238, "Sinus rhythm", "Normal ECG", "1000", "124", "160", "238", "332", "640", "60", "-30", "45"),
        (10000032, 44458630, "Atrial fibrillation", "", "750", "29999", "29999", "40", "136", "430", "29999", "200", "29999"),
        (10001725, 41420867, "Sinus bradycardia", "", "1200", "100", "150", "260", "350", "700", "50", "10", "40"),
    ]
    lines = [MEASUREMENT_HEADER]
    for subject, study, r0, r1, rr, p_on, p_end, qrs_on, qrs_end, t_end, p_ax, qrs_ax, t_ax in rows:
        reports = [r0, r1] + [""] * 16
        lines.append(",".join([str(subject), str(study), "1", "2180-07-23 08:44:00", *reports, "0.005-150 Hz",
                               "60 Hz notch", rr, p_on, p_end, qrs_on, qrs_end, t_end, p_ax, qrs_ax, t_ax]))
    (root / "machine_measurements.csv").write_text("\n".join(lines) + "\n")
    for subject, study, condition in ((10000032, 40689238, "normal"), (10000032, 44458630, "atrial_fibrillation")):
        folder = root / Path(study_record_path(subject, study)).parent
        record, _ = synthesize(condition, seed=1, record_id=str(study))
        write_record(record, folder)


def test_machine_measurements_become_truth_with_missing_codes_as_nan():
    truth = machine_truth({"rr_interval": 1000, "p_onset": 124, "qrs_onset": 238, "qrs_end": 332, "t_end": 640, "qrs_axis": -30})
    assert truth["hr_bpm"] == 60.0 and truth["pr_ms"] == 114 and truth["qrs_ms"] == 94 and truth["qt_ms"] == 402
    assert truth["qtc_ms"] == pytest.approx(402.0) and truth["axis_deg"] == -30
    af = machine_truth({"rr_interval": "750", "p_onset": "29999", "qrs_onset": "40", "qrs_end": "136", "t_end": "430", "qrs_axis": "200"})
    assert math.isnan(af["pr_ms"]) and af["axis_deg"] == -160 and af["hr_bpm"] == 80
    assert af["qtc_fridericia_ms"] == pytest.approx(390 / 0.75 ** (1 / 3))
    assert math.isnan(machine_truth({"rr_interval": "n/a"})["rr_ms"])
    assert machine_report({"report_0": "Sinus rhythm.", "report_1": "Normal ECG", "report_2": float("nan")}) == "Sinus rhythm. Normal ECG."


def test_mimic_studies_load_with_machine_truth(tmp_path):
    root = tmp_path / "mimic-iv-ecg"
    root.mkdir()
    write_mimic(root)
    dataset = load_dataset(load_task("grounded-mimic"), DataOptions(data_dir=tmp_path))
    assert dataset.source == "mimic-iv-ecg"
    assert [s.id for s in dataset.samples] == ["40689238", "44458630"]
    first = dataset.samples[0]
    assert first.truth_source == "machine-measurements" and first.truth["hr_bpm"] == 60.0
    assert first.reference["text"] == "Sinus rhythm. Normal ECG."
    assert first.load_record().record_id == "40689238"
    assert [(p.item_id, "files/p1000/p10001725/s41420867/41420867" in p.problem) for p in dataset.problems] == [("41420867", True)]


def test_record_resolver_finds_roots_below_the_data_dir(tmp_path):
    record, _ = synthesize("normal", seed=3, record_id="06000_hr")
    write_record(record, tmp_path / "downloads" / "ptb-xl" / "records500" / "06000")
    resolver = RecordResolver([tmp_path])
    found = resolver.resolve("records500/06000/06000_hr")
    assert found == tmp_path / "downloads" / "ptb-xl" / "records500" / "06000" / "06000_hr"
    assert resolver.resolve("records500/06000/06001_hr") is None
    assert resolver.resolve(str(found) + ".hea") == found
