"""The image robustness probe (photo and scan distortions of the page) and the agreement
of claims across input modalities."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from gemeval.data.robust import ensure_built
from gemeval.ecg.distort import DISTORTIONS, LEVELS, distort
from gemeval.report.compare import load_run
from gemeval.report.leaderboard import verify_run
from gemeval.report.modality import ModalityError, modality_agreement
from gemeval.run import evaluate

TESTS_DIR = Path(__file__).resolve().parent
N_RECORDS = 2


@pytest.fixture(scope="module")
def clean_page() -> Image.Image:
    from gemeval.ecg.render import render_png
    from gemeval.ecg.synth import synthesize

    record, _ = synthesize("normal", 3)
    return Image.open(io.BytesIO(render_png(record, dpi=100))).convert("RGB")


@pytest.mark.parametrize("name", sorted(DISTORTIONS))
def test_each_distortion_is_seeded_and_stronger_at_level_two(clean_page, name):
    clean = np.asarray(clean_page, dtype=np.float64)
    change = []
    for level in LEVELS:
        first, params = distort(clean_page, name, level, seed=11)
        again, same_params = distort(clean_page, name, level, seed=11)
        assert params == same_params and params["distortion"] == name and params["level"] == level
        assert np.array_equal(np.asarray(first), np.asarray(again))
        assert first.size == clean_page.size and first.mode == "RGB"
        change.append(np.abs(np.asarray(first, dtype=np.float64) - clean).mean())
    assert 0 < change[0] < change[1]


def test_a_distortion_needs_a_known_name_and_level(clean_page):
    with pytest.raises(ValueError, match="unknown distortion"):
        distort(clean_page, "coffee", 1, 0)
    with pytest.raises(ValueError, match="level must be 1 or 2"):
        distort(clean_page, "blur", 3, 0)


def test_the_set_has_every_page_of_every_record_with_its_parameters():
    bench, pages = ensure_built(synthetic_n=N_RECORDS)
    assert len(pages) == N_RECORDS * (1 + len(DISTORTIONS) * len(LEVELS))
    for page in pages:
        assert Path(page["image_path"]).is_file()
        assert page["params"]["distortion"] == page["distortion"]
    clean = next(p for p in pages if p["distortion"] == "clean")
    # the clean page is the embedded set's page itself
    assert np.array_equal(np.asarray(Image.open(clean["image_path"]).convert("RGB")),
                          np.asarray(Image.open(bench.image_path(clean["record"])).convert("RGB")))


def test_a_model_that_reads_the_signal_loses_nothing(tmp_path):
    result = evaluate(model="measure", task="grounded-robust", synthetic_n=N_RECORDS, out_dir=tmp_path)
    m = result.metrics
    assert m["robust.clean_precision"]["value"] > 0.95 and m["robust.clean_recall"]["value"] > 0.9
    for name, entry in m.items():
        if name.endswith("_delta"):
            assert entry["value"] == 0.0, name
    assert verify_run(result.run_dir, result.results) == []


def test_a_model_that_reads_only_the_clean_page_is_caught(tmp_path):
    result = evaluate(model="adapters_for_tests:PageReader", task="grounded-robust", modality="image",
                      synthetic_n=N_RECORDS, out_dir=tmp_path)
    m = result.metrics
    assert m["robust.clean_recall"]["value"] > 0.9
    assert m["robust.recall_delta"]["value"] < -0.1 and m["robust.precision_delta"]["value"] < -0.1
    for name in DISTORTIONS:
        for level in LEVELS:
            entry = m[f"robust.{name}{level}.recall_delta"]
            assert entry["value"] < 0 and entry["n"] == N_RECORDS and entry["n_failed"] == 0
    assert verify_run(result.run_dir, result.results) == []


@pytest.fixture(scope="module")
def modality_runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("modality-runs")
    return {m: evaluate(model="adapters_for_tests:ModalitySplitModel", task="grounded-cf", modality=m,
                        synthetic_n=1, out_dir=out).run_dir for m in ("image", "signal", "both")}


def test_modality_agreement_per_feature(modality_runs):
    report = modality_agreement([load_run(p) for p in modality_runs.values()], n_resamples=100)
    rows = {(r.modality_a, r.modality_b, r.feature): r for r in report.rows}
    for feature in ("hr", "pr", "qrs", "qtc", "axis", "st", "rhythm"):
        same = rows[("both", "signal", feature)]
        # the AF variant has no PR to state
        assert same.agreement == 1.0 and same.n_both == (19 if feature == "pr" else 20)
    # with the image only this model writes its prior: it disagrees where the ECG moved away
    # from it (the base's own values are close to the prior), and only the AF variant's rhythm
    for feature in ("hr", "pr", "qrs", "qtc", "axis", "st"):
        assert rows[("image", "signal", feature)].agreement < 1.0
        assert rows[("both", "image", feature)].agreement == rows[("image", "signal", feature)].agreement
    assert rows[("image", "signal", "rhythm")].agreement == pytest.approx(19 / 20)


def test_the_modality_command_prints_and_refuses_runs_of_one_modality(modality_runs, tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS_DIR.parent), str(TESTS_DIR)]), "COLUMNS": "200"}
    out = tmp_path / "agreement.json"
    proc = subprocess.run([sys.executable, "-m", "gemeval", "modality", str(modality_runs["image"]),
                           str(modality_runs["signal"]), "--json", str(out)], capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "image vs signal" in proc.stdout
    assert {r["feature"] for r in json.loads(out.read_text())["rows"]} >= {"hr", "rhythm"}
    proc = subprocess.run([sys.executable, "-m", "gemeval", "modality", str(modality_runs["signal"]),
                           str(modality_runs["both"]), "--format", "json"], capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)["rows"]
    assert len(rows) == 7 and all(r["agreement"] == 1.0 for r in rows)
    proc = subprocess.run([sys.executable, "-m", "gemeval", "modality", str(modality_runs["image"]),
                           str(modality_runs["image"])], capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 2 and "one run per modality" in proc.stderr
    with pytest.raises(ModalityError):
        modality_agreement([load_run(modality_runs["image"])])
