"""`gemeval gate`: its statistical properties, seeded, and its exit codes and reports."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from gemeval.cli import app
from gemeval.report.compare import load_run, paired_draws
from gemeval.report.gate import (
    DEFAULT_MARGIN_RELATIVE,
    DEFAULT_MARGIN_UNIT,
    GatePolicy,
    MetricPolicy,
    PolicyError,
    assess_difference,
    default_policy,
    load_policy,
    parse_policy,
    run_gate,
    to_junit,
    to_markdown,
)
from runs_for_tests import JUDGE, records, write_run

runner = CliRunner()

# The simulated benchmark: 600 ECGs x 4 questions each (2,400 items), accuracy-type scores.
N_ECGS, ITEMS_PER_ECG = 600, 4
MARGIN = 0.01          # 1 accuracy point
ALPHA = 0.05
REPEATS = 200
RESAMPLES = 500


def simulate(rng: np.random.Generator, drop: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Baseline and candidate correctness on the same items.

    Each ECG has a difficulty p ~ U(0.5, 0.9); the candidate's chance on that ECG moves by
    -drop +/- 0.1 (half the ECGs get easier, half harder: no true difference when drop = 0,
    a true drop of ``drop`` otherwise). The questions of one ECG mostly share one random draw
    (70%), so their outcomes, and the two models' differences, are correlated within an ECG.
    """
    p = rng.uniform(0.5, 0.9, N_ECGS)
    shift = -drop + 0.1 * rng.choice([-1.0, 1.0], N_ECGS)
    shared = rng.random(N_ECGS)[:, None]
    u = np.where(rng.random((N_ECGS, ITEMS_PER_ECG)) < 0.7, shared, rng.random((N_ECGS, ITEMS_PER_ECG)))
    baseline = (u < p[:, None]).astype(float).ravel()
    candidate = (u < (p + shift)[:, None]).astype(float).ravel()
    groups = np.repeat([f"ecg-{i}" for i in range(N_ECGS)], ITEMS_PER_ECG)
    return baseline, candidate, groups


def regression_rate(drop: float, margin: float, clustered: bool = True, seed: int = 0) -> float:
    """Share of REPEATS simulated baseline/candidate pairs the gate (rule `regression`) fails."""
    rng = np.random.default_rng(seed)
    failures = 0
    for repeat in range(REPEATS):
        a, b, groups = simulate(rng, drop)
        if not clustered:
            groups = np.array([str(i) for i in range(a.size)])
        draws = paired_draws({"acc": a}, {"acc": b}, list(groups), n_resamples=RESAMPLES, seed=repeat)
        failures += assess_difference(draws.diff["acc"], draws.draws["acc"], margin, ALPHA).regression
    return failures / REPEATS


def test_false_alarm_rate_with_no_true_difference_stays_at_or_under_6_percent():
    assert regression_rate(drop=0.0, margin=MARGIN) <= 0.06


def test_false_alarm_rate_is_calibrated_at_margin_zero():
    """At margin 0, the boundary of the null, the rate should be alpha; 200 repeats allow
    2.5 binomial standard errors above it."""
    assert regression_rate(drop=0.0, margin=0.0) <= ALPHA + 2.5 * np.sqrt(ALPHA * (1 - ALPHA) / REPEATS)


def test_true_five_point_drop_is_caught_in_at_least_95_percent_of_repeats():
    assert regression_rate(drop=0.05, margin=MARGIN) >= 0.95


def test_ignoring_that_items_share_an_ecg_inflates_false_alarms():
    """The same null data, resampled item by item instead of ECG by ECG, fails far more often
    than alpha (by over 2.5 binomial standard errors): the clustered bootstrap is what keeps
    the gate honest."""
    assert regression_rate(drop=0.0, margin=0.0, clustered=False) > ALPHA + 2.5 * np.sqrt(ALPHA * (1 - ALPHA) / REPEATS)


def test_lower_is_better_metrics_are_oriented():
    rng = np.random.default_rng(1)
    loss = rng.random(500) * 0.2
    draws = paired_draws({"loss": loss}, {"loss": loss + 0.05}, [str(i) for i in range(500)], n_resamples=500)
    worse = assess_difference(draws.diff["loss"], draws.draws["loss"], 0.01, 0.05, higher_is_better=False)
    assert worse.diff == pytest.approx(-0.05) and worse.regression
    better = assess_difference(draws.diff["loss"], draws.draws["loss"], 0.01, 0.05, higher_is_better=True)
    assert not better.regression and better.non_inferior


def _pair(tmp_path, drop_items: int, n: int = 400, **kwargs):
    rng = np.random.default_rng(7)
    base = (rng.random(n) < 0.8).astype(float)
    cand = base.copy()
    cand[np.flatnonzero(base == 1)[:drop_items]] = 0.0
    claims = rng.uniform(0.8, 1.0, n)
    a = write_run(tmp_path / "base", records({"mcq.correct": base, "grounding.claim_precision": claims},
                                             judge_scores={"DiagnosisAccuracy": base * 100}), model="base", judge=JUDGE)
    b = write_run(tmp_path / "cand", records({"mcq.correct": cand, "grounding.claim_precision": claims},
                                             judge_scores={"DiagnosisAccuracy": cand * 100}), model="cand", judge=JUDGE, **kwargs)
    return a, b


def _policy(tmp_path, metrics: dict, **top) -> str:
    path = tmp_path / "gate.yaml"
    path.write_text(yaml.safe_dump({"metrics": metrics, "n_resamples": 1000, **top}))
    return str(path)


def test_cli_gate_exit_codes_and_reports(tmp_path):
    a, b = _pair(tmp_path, drop_items=40)
    md, xml = tmp_path / "gate.md", tmp_path / "gate.xml"
    policy = _policy(tmp_path, {"mcq.correct": {"margin": 0.02}, "grounding.claim_precision": {"margin": 0.02, "min": 0.8}})
    result = runner.invoke(app, ["gate", "--baseline", str(a), "--candidate", str(b), "--policy", policy,
                                 "--markdown", str(md), "--junit", str(xml)])
    assert result.exit_code == 1, result.output
    text = md.read_text()
    assert "regression" in text and "| `mcq.correct` |" in text and "**FAIL**" in text and "Items that changed" in text
    suite = ET.fromstring(xml.read_text()).find("testsuite")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert suite.get("failures") == "1" and cases["mcq.correct"].find("failure") is not None
    assert cases["grounding.claim_precision"].find("failure") is None

    result = runner.invoke(app, ["gate", "--baseline", str(a), "--candidate", str(a), "--policy", policy])
    assert result.exit_code == 0, result.output
    assert "PASS" in result.output


def test_cli_gate_misuse_exits_2(tmp_path):
    a, b = _pair(tmp_path, drop_items=0, fingerprint="other-data")
    good = _policy(tmp_path, {"mcq.correct": {"margin": 0.02}})
    result = runner.invoke(app, ["gate", "--baseline", str(a), "--candidate", str(b), "--policy", good])
    assert result.exit_code == 2 and "data.fingerprint" in result.output
    result = runner.invoke(app, ["gate", "--baseline", str(a), "--candidate", str(b), "--policy", good, "--allow-mismatch"])
    assert result.exit_code == 0, result.output
    missing = _policy(tmp_path, {"no.such.metric": {"margin": 0.02}})
    result = runner.invoke(app, ["gate", "--baseline", str(a), "--candidate", str(a), "--policy", missing])
    assert result.exit_code == 2 and "no.such.metric" in result.output and "results.json" in result.output
    result = runner.invoke(app, ["gate", "--baseline", str(a), "--candidate", str(a), "--policy", str(tmp_path / "none.yaml")])
    assert result.exit_code == 2 and "none.yaml" in result.output
    result = runner.invoke(app, ["gate", "--candidate", str(a), "--policy", good])
    assert result.exit_code == 2


def test_minimums_and_failure_rate_fail_the_gate(tmp_path):
    a, _ = _pair(tmp_path, drop_items=0)
    run = load_run(a)
    value = run.results["metrics"]["mcq.correct"]["value"]
    result = run_gate(run, run, GatePolicy({"mcq.correct": MetricPolicy(margin=0.0, min=value + 0.01)}, n_resamples=200))
    assert not result.passed and "below the minimum" in result.verdicts[0].reasons[0]

    values = [1.0] * 90 + [None] * 10
    c = write_run(tmp_path / "c", records({"mcq.correct": [1.0] * 100}), model="c")
    d = write_run(tmp_path / "d", records({"mcq.correct": values}), model="d")
    policy = GatePolicy({"mcq.correct": MetricPolicy(margin=0.05, max_failed_rate=0.05)}, n_resamples=200)
    result = run_gate(load_run(c), load_run(d), policy)
    assert not result.passed and "10.0% of samples failed" in result.verdicts[0].reasons[0]


def test_non_inferiority_rule_puts_the_burden_on_the_candidate(tmp_path):
    rng = np.random.default_rng(2)
    base = (rng.random(40) < 0.8).astype(float)
    a = write_run(tmp_path / "a", records({"mcq.correct": base}), model="a")
    run = load_run(a)
    metrics = {"mcq.correct": MetricPolicy(margin=0.02)}
    assert run_gate(run, run, GatePolicy(metrics, rule="regression", n_resamples=500)).passed
    different = base.copy()
    different[:6] = 1 - different[:6]
    b = write_run(tmp_path / "b", records({"mcq.correct": different}), model="b")
    regression = run_gate(run, load_run(b), GatePolicy(metrics, rule="regression", n_resamples=500))
    strict = run_gate(run, load_run(b), GatePolicy(metrics, rule="non-inferiority", n_resamples=500))
    assert regression.passed and regression.verdicts[0].inconclusive
    assert not strict.passed and "not shown within the margin" in strict.verdicts[0].reasons[0]


def test_bonferroni_splits_alpha_over_the_gated_metrics():
    metrics = {m: MetricPolicy(margin=0.0) for m in ("a", "b", "c", "d")}
    assert GatePolicy(metrics, alpha=0.05).alpha_per_metric == pytest.approx(0.0125)
    assert GatePolicy(metrics, alpha=0.05, correction="none").alpha_per_metric == pytest.approx(0.05)


@pytest.mark.parametrize("data, message", [
    ({"metrics": {}}, "`metrics:` must map"),
    ({"metrics": {"m": {"min": 0.5}}}, "needs a `margin`"),
    ({"metrics": {"m": {"margin": -1}}}, "outside"),
    ({"metrics": {"m": {"margin": 0.1, "mni": 0.5}}}, "unknown key(s) mni"),
    ({"metrics": {"m": {"margin": 0.1}}, "rule": "strict"}, "rule must be one of"),
    ({"metrics": {"m": {"margin": 0.1}}, "alpha": 2}, "alpha = 2"),
    ({"metrics": {"m": {"margin": "big"}}}, "must be a number"),
    ({"metric": {"m": {"margin": 0.1}}}, "unknown key(s) metric"),
])
def test_bad_policies_name_the_key(data, message):
    with pytest.raises(PolicyError) as info:
        parse_policy(data)
    assert message in str(info.value)


def test_example_policy_parses():
    policy = load_policy(Path(__file__).parents[1] / "gate.example.yaml")
    assert policy.rule == "regression" and "grounding.claim_precision" in policy.metrics


def test_markdown_and_junit_of_a_pass(tmp_path):
    a, b = _pair(tmp_path, drop_items=0)
    result = run_gate(load_run(a), load_run(b), GatePolicy({"judge.DiagnosisAccuracy": MetricPolicy(margin=3.0)}, n_resamples=300))
    assert result.passed
    md = to_markdown(result)
    assert "pass" in md and "Judge (candidate): gpt-4o" in md and "cache hits" in md
    root = ET.fromstring(to_junit(result))
    assert root.get("failures") == "0" and root.find("testsuite/testcase").get("name") == "judge.DiagnosisAccuracy"


def test_ci_workflow_in_docs_parses_and_uses_real_options():
    """docs/ci.md's workflow is valid YAML and every gemeval flag it passes exists."""
    text = (Path(__file__).parents[1] / "docs" / "ci.md").read_text()
    (block,) = [b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if "jobs:" in b]
    workflow = yaml.safe_load(block)
    steps = workflow["jobs"]["evaluate"]["steps"]
    commands = [s["run"] for s in steps if "gemeval " in s.get("run", "")]
    assert any("gemeval run " in c for c in commands) and any("gemeval gate " in c for c in commands)
    for command in commands:
        for line in command.replace("\\\n", " ").splitlines():
            match = re.search(r"gemeval (\w+)(.*)", line)
            if not match:
                continue
            help_text = runner.invoke(app, [match.group(1), "--help"], terminal_width=200).output
            for flag in re.findall(r"(--[a-z][a-z-]+)", match.group(2)):
                assert flag in help_text, f"`gemeval {match.group(1)}` has no option {flag}"


def test_gate_without_a_policy_gates_the_headline_metrics_with_default_margins(tmp_path):
    """No --policy: the task's headline metrics both runs have, margin 0.02 on a 0-1 scale
    and 2% of the baseline's value otherwise; a headline metric one run lacks is named."""
    rng = np.random.default_rng(3)
    n = 400
    base = (rng.random(n) < 0.8).astype(float)
    worse = base.copy()
    worse[np.flatnonzero(base == 1)[:60]] = 0.0
    headline = ["mcq.correct", "judge.DiagnosisAccuracy", "grounding.diagnosis_f1"]
    a = write_run(tmp_path / "a", records({"mcq.correct": base}, judge_scores={"DiagnosisAccuracy": base * 80}),
                  judge=JUDGE, headline=headline)
    b = write_run(tmp_path / "b", records({"mcq.correct": worse}, judge_scores={"DiagnosisAccuracy": worse * 80}),
                  judge=JUDGE, headline=headline, model="cand")
    policy, left_out = default_policy(load_run(a), load_run(b))
    assert set(policy.metrics) == {"mcq.correct", "judge.DiagnosisAccuracy"}
    assert policy.metrics["mcq.correct"].margin == DEFAULT_MARGIN_UNIT
    judge_value = load_run(a).results["metrics"]["judge.DiagnosisAccuracy"]["value"]
    assert policy.metrics["judge.DiagnosisAccuracy"].margin == pytest.approx(DEFAULT_MARGIN_RELATIVE * judge_value, rel=1e-5)
    assert left_out == ["grounding.diagnosis_f1: not in either run"]
    result = runner.invoke(app, ["gate", "--baseline", str(a), "--candidate", str(b)])
    assert result.exit_code == 1, result.output
    assert "default margins" in result.output and "grounding.diagnosis_f1" in result.output
    result = runner.invoke(app, ["gate", "--baseline", str(a), "--candidate", str(a)])
    assert result.exit_code == 0, result.output


def test_the_example_policy_works_on_the_quickstart_runs(tmp_path):
    """gate.example.yaml as shipped, on two quickstart runs (measure, grounded, no judge):
    the judge metric it names is skipped with a note instead of failing the gate."""
    from conftest import SMALL_SYNTHETIC_N
    from gemeval.run import evaluate

    runs = [evaluate(model="measure", task="grounded", synthetic_n=SMALL_SYNTHETIC_N, out_dir=tmp_path / name,
                     n_resamples=100).run_dir for name in ("a", "b")]
    example = Path(__file__).parents[1] / "gate.example.yaml"
    md = tmp_path / "gate.md"
    result = runner.invoke(app, ["gate", "--baseline", str(runs[0]), "--candidate", str(runs[1]), "--policy", str(example),
                                 "--markdown", str(md)])
    assert result.exit_code == 0, result.output
    assert "judge.DiagnosisAccuracy" in result.output and "if_present" in result.output
    assert "Not gated: judge.DiagnosisAccuracy" in md.read_text()
    # a policy metric that is not optional still has to be there
    strict = tmp_path / "strict.yaml"
    strict.write_text(example.read_text().replace(", if_present: true", ""))
    result = runner.invoke(app, ["gate", "--baseline", str(runs[0]), "--candidate", str(runs[1]), "--policy", str(strict)])
    assert result.exit_code == 2 and "judge.DiagnosisAccuracy" in result.output
