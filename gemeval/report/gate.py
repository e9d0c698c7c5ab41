"""The release gate: may a candidate run ship, given a baseline run and a policy file.

The rule, per metric listed in the policy (d = candidate - baseline, oriented so that
positive is better: for a lower-is-better metric d = baseline - candidate):

- the paired, clustered bootstrap of d (``gemeval.report.compare``: both runs resampled with
  the same draws of whole ECGs) gives a one-sided (1 - a) upper bound U and lower bound L,
  where a = alpha, or alpha / k with ``correction: bonferroni`` over the k gated metrics;
- rule ``regression`` (the default): the metric fails when U < -margin, i.e. the candidate
  is worse than the baseline by more than the margin with (1 - a) confidence. With no true
  difference this happens with probability at most a (exactly a at margin 0, far less at a
  positive margin), whatever the sample size. A drop D > margin is caught with high
  probability once the standard error of d is below about (D - margin) / 3.3. When
  L <= -margin < U the result is marked *inconclusive*: a drop larger than the margin is
  neither shown nor ruled out (too few items);
- rule ``non-inferiority``: the metric fails unless L > -margin, i.e. the candidate must
  show it is at most ``margin`` worse. The burden of proof is on the candidate: small runs
  fail.
- ``min`` / ``max``: the candidate's value must be at least ``min`` / at most ``max``;
  ``max_failed_rate``: at most this share of the candidate's paired samples may have no
  value for the metric (an unparsable answer, a judge failure).

The gate passes when every gated metric passes. It only reads the two runs: judge verdicts
for outputs the baseline already had are reused by the judge cache when the candidate run
is made, not here.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from gemeval.report.compare import (
    ItemChange,
    Run,
    RunMismatchError,
    changed_items,
    changed_mask,
    config_differences,
    metric_kind,
    paired_run_draws,
)
from gemeval.console import fmt_number
from gemeval.errors import InputError

RULES = ("regression", "non-inferiority")
CORRECTIONS = ("bonferroni", "none")
METRIC_KEYS = ("margin", "min", "max", "max_failed_rate", "if_present")
# Without a policy the task's headline metrics are gated with these margins: a drop of 0.02
# for a metric whose values lie in [0, 1] (accuracy, F1, precision, a rate), and of 2% of the
# baseline's value for any other (a judge score on 0-100: 2 points at 100, 1.6 at 80).
DEFAULT_MARGIN_UNIT = 0.02
DEFAULT_MARGIN_RELATIVE = 0.02
POLICY_KEYS = ("alpha", "correction", "rule", "n_resamples", "seed", "metrics")
CHANGED_ITEMS_SHOWN = 10


class PolicyError(InputError):
    """A policy file that cannot be used, with the file, the key and the fix."""


@dataclass(frozen=True)
class MetricPolicy:
    margin: float
    min: float | None = None
    max: float | None = None
    max_failed_rate: float | None = None
    if_present: bool = False  # skipped (with a note) when neither run has the metric


@dataclass(frozen=True)
class GatePolicy:
    metrics: dict[str, MetricPolicy]
    alpha: float = 0.05
    correction: str = "bonferroni"
    rule: str = "regression"
    n_resamples: int = 10_000
    seed: int = 0

    @property
    def alpha_per_metric(self) -> float:
        if self.correction == "bonferroni":
            return self.alpha / max(len(self.metrics), 1)
        return self.alpha


def _number(path: Path, where: str, value: Any, low: float | None = None, high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PolicyError(f"{path}: {where} must be a number, got {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise PolicyError(f"{path}: {where} = {value} is outside [{low}, {high}]")
    return float(value)


def _flag(path: Path, where: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise PolicyError(f"{path}: {where} must be true or false, got {value!r}")
    return value


def parse_policy(data: Any, path: Path = Path("<policy>")) -> GatePolicy:
    """A GatePolicy from the parsed YAML mapping; PolicyError names the key and the fix."""
    if not isinstance(data, dict):
        raise PolicyError(f"{path}: expected a mapping with a `metrics:` section, see gate.example.yaml")
    unknown = sorted(set(data) - set(POLICY_KEYS))
    if unknown:
        raise PolicyError(f"{path}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(POLICY_KEYS)}")
    metrics_raw = data.get("metrics")
    if not isinstance(metrics_raw, dict) or not metrics_raw:
        raise PolicyError(f"{path}: `metrics:` must map metric names (as in results.json) to {{margin: ...}}")
    metrics = {}
    for name, spec in metrics_raw.items():
        if not isinstance(spec, dict) or "margin" not in spec:
            raise PolicyError(f"{path}: metrics.{name} needs a `margin` (0 for none), e.g. {{margin: 0.02}}")
        bad = sorted(set(spec) - set(METRIC_KEYS))
        if bad:
            raise PolicyError(f"{path}: metrics.{name} has unknown key(s) {', '.join(bad)}; allowed: {', '.join(METRIC_KEYS)}")
        metrics[str(name)] = MetricPolicy(
            margin=_number(path, f"metrics.{name}.margin", spec["margin"], low=0.0),
            min=None if spec.get("min") is None else _number(path, f"metrics.{name}.min", spec["min"]),
            max=None if spec.get("max") is None else _number(path, f"metrics.{name}.max", spec["max"]),
            max_failed_rate=None if spec.get("max_failed_rate") is None
            else _number(path, f"metrics.{name}.max_failed_rate", spec["max_failed_rate"], 0.0, 1.0),
            if_present=_flag(path, f"metrics.{name}.if_present", spec.get("if_present", False)),
        )
    rule = data.get("rule", "regression")
    if rule not in RULES:
        raise PolicyError(f"{path}: rule must be one of {', '.join(RULES)}, got {rule!r}")
    correction = data.get("correction", "bonferroni")
    if correction not in CORRECTIONS:
        raise PolicyError(f"{path}: correction must be one of {', '.join(CORRECTIONS)}, got {correction!r}")
    n_resamples = data.get("n_resamples", 10_000)
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int) or n_resamples < 100:
        raise PolicyError(f"{path}: n_resamples must be an integer >= 100, got {n_resamples!r}")
    seed = data.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise PolicyError(f"{path}: seed must be an integer, got {seed!r}")
    return GatePolicy(
        metrics=metrics,
        alpha=_number(path, "alpha", data.get("alpha", 0.05), 1e-6, 0.5),
        correction=correction, rule=rule, n_resamples=n_resamples, seed=seed,
    )


def load_policy(path: Path) -> GatePolicy:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise PolicyError(f"{path} not found; copy gate.example.yaml and list the metrics to gate") from None
    except yaml.YAMLError as exc:
        raise PolicyError(f"{path} is not valid YAML ({exc})") from None
    return parse_policy(data, path)


@dataclass
class DifferenceTest:
    """The statistical part of a metric's verdict, on the oriented difference d."""

    diff: float          # candidate - baseline, in the metric's own direction
    lower: float         # one-sided (1 - alpha) lower bound of the oriented d
    upper: float         # one-sided (1 - alpha) upper bound of the oriented d
    regression: bool     # worse by more than the margin, with confidence (U < -margin)
    non_inferior: bool   # shown to be no worse than the margin (L > -margin)


def assess_difference(
    diff: float, draws: np.ndarray, margin: float, alpha: float, higher_is_better: bool = True
) -> DifferenceTest:
    """One-sided bootstrap bounds of d = candidate - baseline (flipped for lower-is-better
    metrics) and the two decisions the rules use. NaN draws (a resample with no value) are
    left out; with no finite draw both bounds are NaN and neither decision is made."""
    sign = 1.0 if higher_is_better else -1.0
    oriented = sign * np.asarray(draws, dtype=np.float64)
    oriented = oriented[np.isfinite(oriented)]
    if oriented.size == 0:
        return DifferenceTest(sign * diff, float("nan"), float("nan"), False, False)
    lower, upper = np.percentile(oriented, [100 * alpha, 100 * (1 - alpha)])
    return DifferenceTest(
        diff=sign * diff, lower=float(lower), upper=float(upper),
        regression=bool(upper < -margin), non_inferior=bool(lower > -margin),
    )


@dataclass
class MetricVerdict:
    metric: str
    policy: MetricPolicy
    higher_is_better: bool
    baseline: float
    candidate: float
    test: DifferenceTest
    failed_rate: float
    passed: bool
    inconclusive: bool
    reasons: list[str]
    n_changed: int = 0
    changed: list[ItemChange] = field(default_factory=list)


@dataclass
class GateResult:
    baseline: Run
    candidate: Run
    policy: GatePolicy
    verdicts: list[MetricVerdict]
    mismatches: list[str]
    n_pairs: int
    skipped: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(v.passed for v in self.verdicts)


def run_gate(baseline: Run, candidate: Run, policy: GatePolicy, allow_mismatch: bool = False) -> GateResult:
    """Apply ``policy`` to candidate vs baseline (see the module docstring for the rule).

    Raises RunMismatchError (runs not comparable), PolicyError (a gated metric missing from
    a run or not recomputable) or gemeval.report.compare.MetricError.
    """
    mismatches = config_differences(baseline.config, candidate.config)
    if mismatches and not allow_mismatch:
        raise RunMismatchError(mismatches)
    entries = baseline.results["metrics"]
    skipped = []
    for name, rule in list(policy.metrics.items()):
        if rule.if_present and all(name not in run.results["metrics"] for run in (baseline, candidate)):
            skipped.append(f"{name}: in neither run (if_present)")
    if skipped:
        kept = {n: r for n, r in policy.metrics.items() if not any(line.startswith(n + ":") for line in skipped)}
        if not kept:
            raise PolicyError("no metric of the policy is in the runs: " + "; ".join(skipped))
        policy = replace(policy, metrics=kept)
    for name in policy.metrics:
        for run in (baseline, candidate):
            if name not in run.results["metrics"]:
                available = ", ".join(sorted(run.results["metrics"])) or "none"
                raise PolicyError(f"{run.path / 'results.json'} has no metric {name!r} named in the policy; it has: {available}")
        if metric_kind(entries[name]) == "unavailable":
            raise PolicyError(
                f"{baseline.path / 'results.json'}: metric {name!r} has no per_sample_key or corpus, so it cannot be "
                "recomputed from the samples for a paired test; gate on another metric"
            )
    draws, values, _, _ = paired_run_draws(baseline, candidate, list(policy.metrics), policy.n_resamples, policy.seed)
    alpha = policy.alpha_per_metric
    verdicts = []
    for name, rule in policy.metrics.items():
        higher = bool(entries[name].get("higher_is_better", True))
        test = assess_difference(draws.diff[name], draws.draws[name], rule.margin, alpha, higher)
        reasons = []
        if policy.rule == "regression" and test.regression:
            reasons.append(f"worse than baseline by more than the margin {rule.margin:g} (upper bound {test.upper:+.4g})")
        if policy.rule == "non-inferiority" and not test.non_inferior:
            reasons.append(f"not shown within the margin {rule.margin:g} of baseline (lower bound {test.lower:+.4g})")
        value = draws.value_b[name]
        if rule.min is not None and not value >= rule.min:
            reasons.append(f"{value:.4g} is below the minimum {rule.min:g}")
        if rule.max is not None and not value <= rule.max:
            reasons.append(f"{value:.4g} is above the maximum {rule.max:g}")
        failed_rate = 0.0
        n_changed = 0
        changed: list[ItemChange] = []
        if name in values:
            a, b = values[name]
            failed_rate = float(np.mean(~np.isfinite(b))) if b.size else 0.0
            n_changed = int(changed_mask(a, b).sum())
            changed = changed_items(draws.ids, draws.groups, a, b, CHANGED_ITEMS_SHOWN)
        if rule.max_failed_rate is not None and failed_rate > rule.max_failed_rate:
            reasons.append(f"{failed_rate:.1%} of samples failed, above {rule.max_failed_rate:.1%}")
        verdicts.append(MetricVerdict(
            metric=name, policy=rule, higher_is_better=higher,
            baseline=draws.value_a[name], candidate=value, test=test, failed_rate=failed_rate,
            passed=not reasons, inconclusive=not reasons and not test.non_inferior and not test.regression,
            reasons=reasons, n_changed=n_changed, changed=changed,
        ))
    return GateResult(baseline, candidate, policy, verdicts, mismatches, n_pairs=len(draws.ids), skipped=skipped)


def default_policy(baseline: Run, candidate: Run) -> tuple[GatePolicy, list[str]]:
    """The policy used when none is given: every headline metric of the task that both runs
    report and that can be recomputed from the samples, with the default margins
    (``DEFAULT_MARGIN_UNIT`` for a metric whose values lie in [0, 1], else
    ``DEFAULT_MARGIN_RELATIVE`` of the baseline's value), rule ``regression``, Bonferroni.
    Also returns one line per headline metric left out and why."""
    metrics_a = baseline.results.get("metrics") or {}
    metrics_b = candidate.results.get("metrics") or {}
    headline = list(dict.fromkeys([*(baseline.results.get("headline") or []), *(candidate.results.get("headline") or [])]))
    chosen: dict[str, MetricPolicy] = {}
    left_out = []
    for name in headline:
        if name not in metrics_a or name not in metrics_b:
            left_out.append(f"{name}: not in {'either run' if name not in metrics_a and name not in metrics_b else 'both runs'}")
            continue
        if metric_kind(metrics_a[name]) == "unavailable":
            left_out.append(f"{name}: cannot be recomputed from the samples")
            continue
        values = [metrics_a[name].get(k) for k in ("value", "ci_low", "ci_high")] + [metrics_b[name].get("value")]
        numbers = [float(v) for v in values if isinstance(v, (int, float)) and np.isfinite(v)]
        if not numbers:
            left_out.append(f"{name}: no value in the runs")
            continue
        unit = all(0.0 <= v <= 1.0 for v in numbers)
        base = metrics_a[name].get("value")
        margin = DEFAULT_MARGIN_UNIT if unit else DEFAULT_MARGIN_RELATIVE * abs(float(base if base is not None else numbers[0]))
        chosen[name] = MetricPolicy(margin=round(margin, 6))
    if not chosen:
        raise PolicyError(
            "no headline metric of the task is in both runs (" + "; ".join(left_out or ["no headline metrics"])
            + "); pass --policy with the metrics to gate (see gate.example.yaml)"
        )
    return GatePolicy(metrics=chosen), left_out


def _fmt(x: float | None) -> str:
    return fmt_number(x, spec=".4g")


def rule_text(policy: GatePolicy) -> str:
    level = f"one-sided {1 - policy.alpha_per_metric:.4g}"
    correction = f" (alpha {policy.alpha:g}, Bonferroni over {len(policy.metrics)} metrics)" if policy.correction == "bonferroni" else f" (alpha {policy.alpha:g})"
    if policy.rule == "regression":
        what = "a metric fails when the upper bound of the difference (candidate - baseline, better = positive) is below -margin"
    else:
        what = "a metric fails unless the lower bound of the difference (candidate - baseline, better = positive) is above -margin"
    return (
        f"Rule `{policy.rule}`: {what}; {level} bounds{correction}, paired bootstrap over whole ECGs, "
        f"{policy.n_resamples} resamples, seed {policy.seed}."
    )


def to_markdown(result: GateResult, max_items: int = CHANGED_ITEMS_SHOWN) -> str:
    """A summary fit for a pull-request comment."""
    status = "✅ **pass**" if result.passed else "❌ **regression**"
    base, cand = result.baseline, result.candidate
    task = base.config["task"]["name"]
    lines = [
        f"## gemeval gate: {status}",
        "",
        f"Task `{task}`, {result.n_pairs} paired samples. Baseline `{base.label}` (run `{base.run_id}`), "
        f"candidate `{cand.label}` (run `{cand.run_id}`).",
        "",
        "| metric | baseline | candidate | difference | bounds | margin | verdict |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for v in result.verdicts:
        verdict = "pass" if v.passed else "**FAIL**: " + "; ".join(v.reasons)
        if v.inconclusive:
            verdict = "pass (inconclusive: a drop beyond the margin is not ruled out)"
        direction = "" if v.higher_is_better else " (lower is better)"
        lines.append(
            f"| `{v.metric}`{direction} | {_fmt(v.baseline)} | {_fmt(v.candidate)} | {v.test.diff:+.4g} | "
            f"[{_fmt(v.test.lower)}, {_fmt(v.test.upper)}] | {v.policy.margin:g} | {verdict} |"
        )
    lines += ["", rule_text(result.policy), "Bounds are of the difference, oriented so that positive is better."]
    if result.skipped:
        lines += ["", "Not gated: " + "; ".join(result.skipped) + "."]
    if result.mismatches:
        lines += ["", "⚠️ Compared despite differing runs (--allow-mismatch): " + "; ".join(result.mismatches) + "."]
    for run, role in ((base, "baseline"), (cand, "candidate")):
        judge = run.results["judge"] or {}
        if judge.get("skipped"):
            lines.append(f"Judge ({role}): not run, judge metrics skipped.")
        elif judge:
            failures = sum((judge.get("parse_failures") or {}).values())
            lines.append(
                f"Judge ({role}): {judge.get('model', '?')}, rubric {judge.get('rubric', '?')} v{judge.get('rubric_version', '?')}, "
                f"{judge.get('calls', 0)} calls, {judge.get('cache_hits', 0)} cache hits, {failures} parse failures."
            )
    for v in result.verdicts:
        if v.passed or not v.changed:
            continue
        lines += ["", f"<details><summary>Items that changed on <code>{v.metric}</code> ({v.n_changed}, largest first)</summary>", "",
                  "| id | baseline | candidate |", "|---|---:|---:|"]
        for c in v.changed[:max_items]:
            lines.append(f"| `{c.id}` | {_fmt(c.value_a)} | {_fmt(c.value_b)} |")
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def gate_to_dict(result: GateResult) -> dict[str, Any]:
    """The verdicts as JSON-ready data (``--format json``)."""
    policy = result.policy
    return {
        "passed": result.passed, "baseline": str(result.baseline.path), "candidate": str(result.candidate.path),
        "n_pairs": result.n_pairs, "mismatches": result.mismatches, "not_gated": result.skipped,
        "rule": policy.rule, "alpha": policy.alpha, "correction": policy.correction, "n_resamples": policy.n_resamples,
        "seed": policy.seed,
        "metrics": [
            {"metric": v.metric, "passed": v.passed, "inconclusive": v.inconclusive, "reasons": v.reasons,
             "higher_is_better": v.higher_is_better, "baseline": v.baseline, "candidate": v.candidate,
             "difference": v.test.diff, "lower": v.test.lower, "upper": v.test.upper, "margin": v.policy.margin,
             "min": v.policy.min, "max": v.policy.max, "max_failed_rate": v.policy.max_failed_rate,
             "failed_rate": v.failed_rate, "n_changed": v.n_changed, "changed": [vars(c) for c in v.changed]}
            for v in result.verdicts
        ],
    }


def to_junit(result: GateResult) -> str:
    """JUnit XML: one test case per gated metric, a <failure> for each failing one."""
    task = result.baseline.config["task"]["name"]
    failures = sum(not v.passed for v in result.verdicts)
    suites = ET.Element("testsuites", name="gemeval gate", tests=str(len(result.verdicts)), failures=str(failures))
    suite = ET.SubElement(
        suites, "testsuite", name=f"gemeval gate {task}", tests=str(len(result.verdicts)),
        failures=str(failures), errors="0", skipped="0",
        timestamp=datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
    )
    props = ET.SubElement(suite, "properties")
    for key, value in (
        ("baseline", str(result.baseline.path)), ("candidate", str(result.candidate.path)),
        ("rule", rule_text(result.policy)), ("mismatches", "; ".join(result.mismatches) or "none"),
    ):
        ET.SubElement(props, "property", name=key, value=value)
    for v in result.verdicts:
        case = ET.SubElement(suite, "testcase", classname=f"gemeval.gate.{task}", name=v.metric, time="0")
        detail = (
            f"baseline {_fmt(v.baseline)}, candidate {_fmt(v.candidate)}, difference {v.test.diff:+.4g} "
            f"[{_fmt(v.test.lower)}, {_fmt(v.test.upper)}], margin {v.policy.margin:g}"
        )
        if v.passed:
            ET.SubElement(case, "system-out").text = detail + (" (inconclusive)" if v.inconclusive else "")
        else:
            failure = ET.SubElement(case, "failure", message="; ".join(v.reasons), type="regression")
            failure.text = detail
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
