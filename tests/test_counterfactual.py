"""The counterfactual probe: groups of ECGs that differ in one feature, and the metrics that
say whether a model's claims follow the change."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gemeval.data import counterfactual as cf
from gemeval.ecg.io import read_record
from gemeval.ecg.measure import measure
from gemeval.ecg.synth import NoiseOptions, synthesize
from gemeval.metrics.counterfactual import (
    CounterfactualScorer,
    corpus_entries,
    group_values,
)
from gemeval.report.leaderboard import build_leaderboard, to_markdown, verify_run
from gemeval.run import evaluate
from gemeval.sample import Prediction, Sample

N_BASES = 2


@pytest.fixture(scope="module")
def probe_set():
    return cf.ensure_built(N_BASES)


def test_the_set_holds_every_feature_at_every_level_with_exact_truth(probe_set):
    items = probe_set.items
    assert len(items) == N_BASES * sum(len(f.levels) for f in cf.FEATURES.values())
    exact = {"pr": 1e-9, "qrs": 1e-9, "axis": 1e-3, "st": 1e-9, "rhythm": 0.0}
    for item in items:
        level = item["level"]
        want = float(level == "atrial_fibrillation") if isinstance(level, str) else float(level)
        got = item["truth_value"]
        if item["feature"] in exact:
            assert abs(got - want) <= exact[item["feature"]], item["id"]
        else:  # the rate varies beat to beat by 1%, and QTc with it
            assert abs(got - want) <= 0.02 * abs(want), item["id"]
    # the page does not say which feature was varied
    assert all(item["record_id"].startswith("ecg-") and item["feature"] not in item["record_id"] for item in items)


def test_each_variant_differs_from_its_group_only_in_its_feature(probe_set):
    items = probe_set.items
    assert cf.check_groups(items, lambda item: item["truth"]) == []
    measured = {item["id"]: measure(read_record(probe_set.record_path(item["record_id"]))).to_dict() for item in items}
    assert cf.check_groups(items, lambda item: measured[item["id"]]) == []


def test_check_groups_catches_a_variant_that_changed_two_things(probe_set):
    items = [dict(item, truth=dict(item["truth"])) for item in probe_set.items]
    bad = next(item for item in items if item["feature"] == "pr" and item["level_index"] == 2)
    bad["truth"]["qrs_ms"] += 30.0
    problems = cf.check_groups(items, lambda item: item["truth"])
    assert len(problems) == 1 and "/pr: qrs moves by 30" in problems[0]


def test_variants_of_one_base_carry_the_same_noise():
    seed, noise_seed = 7, 99
    noise = []
    for hr in (50.0, 110.0):
        noisy, _ = synthesize("normal", seed, noise_seed=noise_seed, set_features={"hr_bpm": hr})
        clean, _ = synthesize("normal", seed, noise=NoiseOptions.none(), set_features={"hr_bpm": hr})
        noise.append(noisy.signal_mv.astype(np.float64) - clean.signal_mv)
    assert np.abs(noise[0]).max() > 0.01
    np.testing.assert_allclose(noise[0], noise[1], atol=2e-6)


def test_set_features_rejects_what_it_cannot_build():
    with pytest.raises(ValueError, match="unknown key"):
        synthesize("normal", 1, set_features={"p_ms": 100})
    with pytest.raises(ValueError, match="rhythm must be"):
        synthesize("normal", 1, set_features={"rhythm": "flutter"})


@pytest.fixture(scope="module")
def cf_runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("cf-runs")
    return out, {name: evaluate(model=model, task="grounded-cf", synthetic_n=N_BASES, out_dir=out)
                 for name, model in (("measure", "measure"), ("constant", "adapters_for_tests:ConstantModel"))}


def test_the_measure_baseline_scores_as_an_oracle(cf_runs):
    result = cf_runs[1]["measure"]
    m = result.metrics
    assert m["cf.sensitivity"]["value"] >= 0.95
    assert m["cf.spearman"]["value"] >= 0.95
    assert m["cf.prior_following"]["value"] == 0.0
    assert m["cf.invariance"]["value"] >= 0.95
    for name in ("pr", "qrs", "qtc"):
        assert m[f"cf.flip.{name}"]["value"] == 1.0
    assert m["cf.sensitivity"]["n"] == N_BASES * len(cf.FEATURES)
    assert verify_run(result.run_dir, result.results) == []


def test_a_constant_text_model_is_caught_following_its_prior(cf_runs):
    result = cf_runs[1]["constant"]
    m = result.metrics
    assert m["cf.sensitivity"]["value"] == 0.0
    assert m["cf.spearman"]["value"] == 0.0
    assert m["cf.prior_following"]["value"] == 1.0
    assert m["cf.invariance"]["value"] == 1.0  # nothing moves: read beside sensitivity
    for name in ("pr", "qrs", "qtc"):
        assert m[f"cf.flip.{name}"]["value"] == 0.0
    assert verify_run(result.run_dir, result.results) == []


def test_the_leaderboard_spreads_the_probe_out_per_feature(cf_runs):
    board = build_leaderboard([cf_runs[0]], verify=True)
    assert board.errors == []
    text = to_markdown(board)
    section = text[text.index(": per feature"):]
    rows = {line.split(" | ")[0].strip("| "): line for line in section.splitlines() if line.startswith("| ")}
    assert "hr sens / prior" in rows["model"]
    assert rows["measure"].count("1.00 / 0.00") >= 6 and "1.00 / 1.00 / 1.00" in rows["measure"]
    assert rows["constant"].count("0.00 / 1.00") == len(cf.FEATURES) and "0.00 / 0.00 / 0.00" in rows["constant"]


def _group(feature: str, texts: list[str], truths: list[float], base: str = "b1") -> list[dict]:
    scorer = CounterfactualScorer()
    rows = []
    for i, (text, truth) in enumerate(zip(texts, truths)):
        sample = Sample(id=f"{base}-{feature}-{i}", task="t", prompt="p", group=base, meta={"cf": {
            "base": base, "feature": feature, "level_index": i, "truth_value": truth,
            "territory": "inferior", "st_lead": "II"}})
        rows.append(scorer.score(sample, Prediction(sample.id, text, error=None if text else "timeout")))
    return rows


def test_spearman_sees_the_order_sensitivity_also_the_size():
    # the claimed PR moves the right way, but by a fifth of the change
    rows = _group("pr", ["PR interval 150 ms.", "PR interval 170 ms.", "PR interval 190 ms."], [150.0, 240.0, 300.0])
    values = group_values(rows)
    assert values["spearman"] == pytest.approx(1.0)
    assert values["sensitivity"] == 0.0
    assert values["prior_following"] == 0.0
    assert values["flip.pr"] == 0.0  # no first-degree AV block stated above 200 ms


def test_categories_are_read_as_their_typical_values():
    rows = _group("pr", ["Normal PR interval.", "First-degree AV block.", "First-degree AV block."],
                  [150.0, 240.0, 300.0])
    values = group_values(rows)
    assert values["flip.pr"] == 1.0
    # 150 -> 240 and 150 -> 300 are tracked by normal -> prolonged; 240 -> 300 is not
    assert values["sensitivity"] == pytest.approx(2 / 3)
    st = group_values(_group("st", ["No ST deviation; ST isoelectric.", "ST elevation in II, III and aVF.",
                                     "ST depression of 1.5 mm in lead II."], [0.0, 0.2, -0.15]))
    assert st["sensitivity"] == 1.0 and st["coverage"] == 1.0


def test_claims_about_untouched_features_that_move_lower_invariance():
    rows = _group("hr", ["Rate 50 bpm, QRS 90 ms, axis 30 degrees.", "Rate 75 bpm, QRS 90 ms, axis 30 degrees.",
                         "Rate 110 bpm, QRS 140 ms, axis 30 degrees."], [50.0, 75.0, 110.0])
    values = group_values(rows)
    assert values["sensitivity"] == 1.0
    assert values["invariance"] == 0.5  # QRS moved, axis stayed


def test_a_failed_variant_leaves_its_group_out_and_is_counted():
    good = _group("hr", ["Rate 50 bpm.", "Rate 75 bpm.", "Rate 110 bpm."], [50.0, 75.0, 110.0], base="b1")
    failed = _group("hr", ["Rate 50 bpm.", "", "Rate 110 bpm."], [50.0, 75.0, 110.0], base="b2")
    rows = good + failed
    out = corpus_entries(rows, [r["cf.base"] for r in rows], seed=0, n_resamples=50)
    entry = out["cf.hr.sensitivity"]
    assert entry["value"] == 1.0 and entry["n"] == 1 and entry["n_failed"] == 1
    assert math.isnan(out["cf.pr.sensitivity"]["value"])
