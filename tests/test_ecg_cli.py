"""`gemeval ecg synth | measure | render` through the real CLI app."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from gemeval.cli import app
from gemeval.ecg.io import read_record, write_record
from gemeval.ecg.record import LEADS
from gemeval.ecg.synth import NoiseOptions, synthesize, synthesize_set
from gemeval.ecg.values import TRUTH_KEYS

runner = CliRunner()


def _invoke(*args: str):
    return runner.invoke(app, ["ecg", *args], catch_exceptions=False)


def _lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_synth_writes_records_and_truth(tmp_path):
    out = tmp_path / "syn"
    result = _invoke("synth", "--n", "3", "--seed", "4", "--out", str(out),
                     "--condition", "atrial_fibrillation", "--condition", "rbbb", "--duration", "5")
    assert result.exit_code == 0, result.output
    truths = _lines(out / "truth.jsonl")
    assert [t["id"] for t in truths] == ["syn-00001", "syn-00002", "syn-00003"]
    assert [t["condition"] for t in truths] == ["atrial_fibrillation", "rbbb", "atrial_fibrillation"]
    assert truths[0]["pr_ms"] is None and truths[1]["pr_ms"] > 0  # NaN is written as null
    for truth in truths:
        assert set(TRUTH_KEYS) | {"id", "condition", "labels"} <= set(truth)
        assert list(truth["st_mv"]) == list(LEADS)

    expected = list(synthesize_set(3, 4, ["atrial_fibrillation", "rbbb"], duration_s=5.0))
    for (record, truth), written in zip(expected, truths):
        back = read_record(out / truth["id"])
        np.testing.assert_allclose(back.signal_mv, record.signal_mv, atol=0.5e-3 + 1e-6)
        assert back.labels == truth["labels"] == written["labels"]
        assert written["hr_bpm"] == pytest.approx(truth["hr_bpm"])


def test_synth_is_reproducible_and_clean_on_request(tmp_path):
    for name in ("a", "b"):
        assert _invoke("synth", "--n", "2", "--seed", "7", "--out", str(tmp_path / name), "--clean").exit_code == 0
    assert (tmp_path / "a" / "truth.jsonl").read_text() == (tmp_path / "b" / "truth.jsonl").read_text()
    assert (tmp_path / "a" / "syn-00002.dat").read_bytes() == (tmp_path / "b" / "syn-00002.dat").read_bytes()
    assert _lines(tmp_path / "a" / "truth.jsonl")[0]["noise"]["white_mv"] == 0.0


def test_synth_refuses_an_unknown_condition(tmp_path):
    result = _invoke("synth", "--n", "1", "--out", str(tmp_path), "--condition", "torsades")
    assert result.exit_code == 2
    assert "unknown condition(s) torsades" in result.output
    assert not (tmp_path / "truth.jsonl").exists()


def _clean_records(directory, conditions=("normal", "lbbb", "sinus_tachycardia")):
    truths = {}
    for i, condition in enumerate(conditions):
        record, truth = synthesize(condition, 20 + i, noise=NoiseOptions.none(), record_id=f"r{i}")
        write_record(record, directory)
        truths[record.record_id] = truth
    return truths


def test_measure_prints_json_lines_close_to_the_truth(tmp_path):
    truths = _clean_records(tmp_path)
    result = _invoke("measure", str(tmp_path), "--json")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [row["id"] for row in rows] == sorted(truths)
    for row in rows:
        truth = truths[row["id"]]
        assert set(TRUTH_KEYS) <= set(row)
        assert row["hr_bpm"] == pytest.approx(truth["hr_bpm"], abs=3.0)
        assert row["qrs_ms"] == pytest.approx(truth["qrs_ms"], abs=30.0)
        assert row["path"].endswith(row["id"])
        assert all(value is None or math.isfinite(value) for value in row["st_mv"].values())


def test_measure_with_neurokit2_for_comparison(tmp_path):
    truths = _clean_records(tmp_path, ("normal",))
    result = _invoke("measure", str(tmp_path), "--json", "--method", "neurokit2")
    assert result.exit_code == 0, result.output
    (row,) = [json.loads(line) for line in result.output.splitlines()]
    assert row["hr_bpm"] == pytest.approx(truths[row["id"]]["hr_bpm"], abs=3.0)
    assert row["qrs_ms"] is not None and row["axis_deg"] is None
    assert "neurokit2 does not measure it" in row["reasons"]["axis_deg"]
    assert _invoke("measure", str(tmp_path), "--method", "nope").exit_code == 2


def test_measure_prints_a_table(tmp_path):
    _clean_records(tmp_path, ("normal",))
    result = _invoke("measure", str(tmp_path / "r0.hea"))
    assert result.exit_code == 0, result.output
    assert "QRS ms" in result.output and "r0" in result.output and "sinus" in result.output


def test_measure_goes_on_past_a_bad_record_and_exits_2(tmp_path):
    _clean_records(tmp_path, ("normal",))
    bad, _ = synthesize("normal", 1, record_id="cut")
    write_record(bad, tmp_path)
    dat = tmp_path / "cut.dat"
    dat.write_bytes(dat.read_bytes()[:1000])
    result = _invoke("measure", str(tmp_path / "cut"), str(tmp_path / "r0"), "--json")
    assert result.exit_code == 2
    assert "cut" in result.output and "could not read" in result.output
    assert '"id": "r0"' in result.output
    missing = _invoke("measure", str(tmp_path / "nowhere"))
    assert missing.exit_code == 2 and "nowhere.hea" in missing.output


def test_measure_leaves_out_a_lead_that_is_off(tmp_path):
    _clean_records(tmp_path, ("normal",))
    flat, _ = synthesize("normal", 1, record_id="flat")
    flat.signal_mv[LEADS.index("V5")] = 0.0
    write_record(flat, tmp_path)
    result = _invoke("measure", str(tmp_path / "flat"), "--json")
    assert result.exit_code == 0, result.output
    row = json.loads(result.output.strip().splitlines()[-1])
    assert list(row["leads_off"]) == ["V5"] and "all zeros" in row["leads_off"]["V5"]
    assert row["st_mv"]["V5"] is None and row["st_mv"]["V4"] is not None
    assert "V5" in row["reasons"]["st_mv"]
    assert row["qrs_ms"] is not None


def test_measure_on_the_cinc_folder_exits_0(shared_data):
    result = _invoke("measure", str(shared_data / "cinc2021"), "--json")
    assert result.exit_code == 0, result.output[-2000:]
    rows = {row["id"]: row for row in map(json.loads, result.output.strip().splitlines())}
    assert len(rows) == 50
    for name in ("JS20004", "JS20008"):
        assert sorted(rows[name]["leads_off"]) == ["V2", "V4", "V6"]
        assert rows[name]["hr_bpm"] is not None and rows[name]["st_mv"]["V2"] is None


def test_render_writes_a_png(tmp_path):
    _clean_records(tmp_path, ("rbbb",))
    target = tmp_path / "pages" / "r0.png"
    result = _invoke("render", str(tmp_path / "r0"), "--out", str(target), "--dpi", "50")
    assert result.exit_code == 0, result.output
    with Image.open(target) as image:
        assert image.format == "PNG" and image.size == (550, 425)


def test_render_of_a_missing_record_exits_2(tmp_path):
    result = _invoke("render", str(tmp_path / "none"), "--out", str(tmp_path / "x.png"))
    assert result.exit_code == 2 and "none.hea" in result.output
    assert not (tmp_path / "x.png").exists()
