"""Two runs of one task on the same data, metric by metric: `gemeval compare`.

Every number is recomputed from the runs' per-sample records (samples.jsonl), following the
contract of results.json:

- a metric with ``per_sample_key`` is the mean over samples of that per-sample value
  (``metrics[key]``, or ``judge.scores[<criterion>]`` for keys ``judge.<criterion>``), with
  None left out of the mean;
- a metric with ``corpus: "module:function"`` is ``function(rows, weights)``, where ``rows``
  are the samples' ``metrics`` dicts and ``weights`` an (n_resamples, n_rows) array of
  bootstrap counts (a row of ones gives the point value);
- any other metric cannot be recomputed: it is shown with the runs' own values, no CI.

Samples are paired by ``id`` (the intersection of both runs). The difference is
``candidate - baseline`` = run B minus run A, each side's statistic computed exactly as the
run computed it (so the difference equals the difference of the two runs' numbers when both
runs hold the same ids). Its CI is a paired bootstrap: each resample draws whole groups
(``group``: one ECG with several items) and gives both runs the same weights, so the
correlation between the two runs on the same ECG narrows the CI as it should, and items of
one ECG never count as independent evidence.

Accuracy-type metrics (every per-sample value in {0, 1}) also get McNemar's exact test:
under "no difference" the discordant pairs split 50/50, so the two-sided binomial p-value of
``gained`` out of ``gained + lost`` tests it (p = 1 with no discordant pair). McNemar treats
pairs as independent; where ECGs carry several items, trust the clustered CI over the p-value.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from gemeval.metrics.stats import DEFAULT_RESAMPLES, group_sums, percentile_ci, resample_group_counts
from gemeval.registry import RegistryError, resolve
from gemeval.schema import MetricEntry, Results, RunConfig, SampleRecord
from gemeval.store import RunStoreError, find_run_dirs, is_run_dir, read_config, read_results, read_samples
from gemeval.errors import InputError

JUDGE_PREFIX = "judge."

# What must be equal for two runs to be comparable: the same items, the same prompts, the
# same task version, the same scoring, the same judge and the same reader of claims. The
# model and its arguments may differ (that is what is compared).
IDENTITY_FIELDS: tuple[tuple[str, ...], ...] = (
    ("task", "name"),
    ("task", "version"),
    ("task", "sha256"),
    ("data", "source"),
    ("data", "fingerprint"),
    ("data", "n"),
    ("data", "n_selected"),
    ("data", "prompt_sha256"),
    ("scoring",),
    ("judge", "model"),
    ("judge", "rubric"),
    ("judge", "rubric_version"),
    ("judge", "rubric_sha256"),
    ("judge", "rule"),
    ("claims", "extractor"),
    ("claims", "model"),
    ("claims", "prompt_sha256"),
)


class RunMismatchError(InputError):
    """Two runs that differ in what they were run on; ``differences`` says how."""

    def __init__(self, differences: list[str]):
        self.differences = differences
        super().__init__(
            "the runs differ in " + "; ".join(differences)
            + ". Compare runs of the same task version on the same data, prompts and judge, "
            "or pass --allow-mismatch to compare anyway"
        )


class MetricError(InputError):
    """A metric that cannot be recomputed from the per-sample records as results.json says."""


@dataclass
class Run:
    """A run directory read whole: config, results and per-sample records."""

    path: Path
    config: RunConfig
    results: Results
    samples: list[SampleRecord]

    @property
    def label(self) -> str:
        return self.config["model"]["label"] or self.config["model"]["name"]

    @property
    def run_id(self) -> str:
        return self.config["run_id"]


def load_run(path: Path) -> Run:
    """Read a finished run directory, or the only run directory below ``path`` (what
    ``gemeval run --out PATH`` makes); RunStoreError names what is missing and what to do."""
    path = Path(path)
    if not path.exists():
        raise RunStoreError(f"{path} not found; give the run directory `gemeval run` printed")
    if not is_run_dir(path):
        found = find_run_dirs([path]) if path.is_dir() else []
        if len(found) != 1:
            listed = "".join(f"\n  {p}" for p in found[:10])
            raise RunStoreError(
                f"{path} is not a run directory (no config.json) and holds {len(found)} runs; "
                f"give one run directory (the folder `gemeval run` printed){listed}"
            )
        path = found[0]
    results_path = path / "results.json"
    if not results_path.is_file():
        raise RunStoreError(f"{results_path} not found: the run has not finished; rerun the same `gemeval run` command to complete it")
    run = Run(path=path, config=read_config(path), results=read_results(path), samples=read_samples(path))
    infer_per_sample_keys(run.results, run.samples)
    return run


def infer_per_sample_keys(results: Results, samples: Sequence[SampleRecord]) -> None:
    """Give ``per_sample_key`` = the metric's own name to entries of results.json that have
    neither ``per_sample_key`` nor ``corpus``, where the samples carry a number under that
    name and its mean is the stored value (the convention of ``gemeval.scoring.aggregate_means``).
    Such entries are marked ``per_sample_key_inferred``; others stay unavailable."""
    for name, entry in results["metrics"].items():
        if metric_kind(entry) != "unavailable" or entry["value"] is None:
            continue
        try:
            values = per_sample_values(samples, name)
        except MetricError:
            continue
        present = values[np.isfinite(values)]
        if present.size and math.isclose(float(present.mean()), float(entry["value"]), rel_tol=1e-9, abs_tol=1e-12):
            entry["per_sample_key"] = name
            entry["per_sample_key_inferred"] = True


def _field(config: Mapping[str, object], keys: tuple[str, ...]) -> Any:
    value: Any = config
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def config_differences(config_a: Mapping[str, object], config_b: Mapping[str, object]) -> list[str]:
    """What differs between two runs' configs among ``IDENTITY_FIELDS``, as readable lines
    ``"data.fingerprint: 3f2a... vs 9b1c..."``; an empty list when they are comparable."""
    out = []
    # a run made before the claims reader was an option read them with the rules
    config_a, config_b = ({**c, "claims": c.get("claims") or {"extractor": "rules"}} for c in (config_a, config_b))
    for keys in IDENTITY_FIELDS:
        a, b = _field(config_a, keys), _field(config_b, keys)
        if a != b:
            out.append(f"{'.'.join(keys)}: {_short(a)} vs {_short(b)}")
    return out


def _short(value: Any) -> str:
    text = "none" if value is None else str(value)
    return text[:12] + "..." if len(text) > 15 and all(c in "0123456789abcdef" for c in text) else text


def metric_kind(entry: MetricEntry) -> str:
    """"mean", "corpus" or "unavailable": how a results.json metric entry is recomputed."""
    if entry.get("per_sample_key"):
        return "mean"
    if entry.get("corpus"):
        return "corpus"
    return "unavailable"


def per_sample_columns(samples: Sequence[SampleRecord], keys: Sequence[str]) -> dict[str, np.ndarray]:
    """The per-sample values of each of ``keys`` as float64 arrays, NaN where missing or None.

    ``judge.<criterion>`` reads ``judge.scores[<criterion>]``; other keys read ``metrics[key]``.
    Booleans count as 0/1. A value that is not a number raises MetricError naming the item.
    One pass over the samples serves all keys.
    """
    metric_keys = [k for k in keys if not k.startswith(JUDGE_PREFIX)]
    judge_keys = [(k, k[len(JUDGE_PREFIX):]) for k in keys if k.startswith(JUDGE_PREFIX)]
    raw: dict[str, list[Any]] = {k: [] for k in keys}
    for sample in samples:
        metrics = sample.get("metrics") or {}
        for key in metric_keys:
            raw[key].append(metrics.get(key))
        if judge_keys:
            scores = (sample.get("judge") or {}).get("scores") or {}
            for key, criterion in judge_keys:
                raw[key].append(scores.get(criterion))
    return {key: _as_floats(samples, key, values) for key, values in raw.items()}


def _as_floats(samples: Sequence[SampleRecord], key: str, values: list[Any]) -> np.ndarray:
    try:
        return np.array([np.nan if v is None else v for v in values], dtype=np.float64).reshape(len(values))
    except (TypeError, ValueError):
        for sample, value in zip(samples, values):
            if value is not None and not isinstance(value, (bool, int, float)):
                raise MetricError(f"sample {sample['id']!r}: {key} is {type(value).__name__}, not a number") from None
        raise


def per_sample_values(samples: Sequence[SampleRecord], key: str) -> np.ndarray:
    """``per_sample_columns`` for one key."""
    return per_sample_columns(samples, [key])[key]


def load_corpus_function(spec: str) -> Callable[[list[dict[str, Any]], np.ndarray], np.ndarray]:
    """Import ``"module:function"``; MetricError says which module is missing."""
    try:
        function: Callable[[list[dict[str, Any]], np.ndarray], np.ndarray] = resolve(spec, f"corpus metric {spec!r}")
    except RegistryError as exc:
        raise MetricError(f"{exc}; install the gemeval version that wrote the run") from None
    return function


@dataclass
class PairedDraws:
    """Point differences and their bootstrap draws for several metrics, from one set of
    resamples shared by all metrics.

    ``value_a``/``value_b``: each run's statistic on the paired items; ``diff`` = b - a;
    ``draws``: (n_resamples,) bootstrap draws of b - a (NaN where a resample left a metric
    with no value).
    """

    ids: list[str]
    groups: list[str]
    value_a: dict[str, float]
    value_b: dict[str, float]
    diff: dict[str, float]
    draws: dict[str, np.ndarray]


def _columns(block: np.ndarray, columns: np.ndarray) -> np.ndarray:
    return block[:, columns]


def paired_draws(
    means_a: dict[str, np.ndarray],
    means_b: dict[str, np.ndarray],
    groups: Sequence[str],
    corpus: dict[str, tuple[Callable, list[dict[str, Any]], list[dict[str, Any]]]] | None = None,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    ids: Sequence[str] | None = None,
) -> PairedDraws:
    """Paired, clustered bootstrap of b - a for many metrics at once.

    ``means_a[m]``/``means_b[m]``: per-item values (NaN = missing) of the same items in the
    same order. The statistic of each side is the weighted mean over its non-missing items,
    ``sum(w * x * present) / sum(w * present)``, evaluated for every resample with one matrix
    product over all metrics. ``corpus[m] = (function, rows_a, rows_b)`` adds corpus metrics,
    evaluated on the same weights. ``groups`` gives each item's cluster; whole clusters are
    drawn (``gemeval.metrics.stats.resample_group_counts``, the draws of ``resample_weights``).
    """
    corpus = corpus or {}
    names = list(means_a)
    n_items = len(groups)
    k = len(names)
    if k:
        values = np.column_stack([means_a[m] for m in names] + [means_b[m] for m in names])
    else:
        values = np.empty((n_items, 0))
    present = np.isfinite(values)
    # Metrics missing on the same items (usually none) share one denominator column.
    masks, mask_of = np.unique(present, axis=1, return_inverse=True) if values.shape[1] else (present, np.empty(0, int))
    stacked = np.hstack([np.where(present, values, 0.0), masks.astype(np.float64)])
    den = 2 * k + mask_of.reshape(-1)
    item_group, counts = resample_group_counts(n_items, max(n_resamples, 0), seed, list(groups))
    # Weights are equal within a group, so the weighted sums can run over per-group sums:
    # fewer columns in the matrix product and no spreading of counts over items.
    per_group = group_sums(stacked, item_group, int(item_group.max()) + 1 if n_items else 0)

    def statistics(sums: np.ndarray, weights: Callable[[], np.ndarray]) -> tuple[dict, dict, dict]:
        with np.errstate(invalid="ignore", divide="ignore"):
            means = sums[:, : 2 * k] / sums[:, den]
        a = {m: means[:, i] for i, m in enumerate(names)}
        b = {m: means[:, k + i] for i, m in enumerate(names)}
        if corpus:
            item_weights = weights()
            for m, (func, rows_a, rows_b) in corpus.items():
                a[m] = np.asarray(func(rows_a, item_weights), dtype=np.float64)
                b[m] = np.asarray(func(rows_b, item_weights), dtype=np.float64)
        return a, b, {m: b[m] - a[m] for m in a}

    point_a, point_b, point_diff = statistics(stacked.sum(axis=0, keepdims=True), lambda: np.ones((1, n_items)))
    blocks: dict[str, list[np.ndarray]] = {m: [] for m in point_diff}
    if n_items and n_resamples > 0:
        for block in counts:
            diffs = statistics(block @ per_group, functools.partial(_columns, block, item_group))[2]
            for m, d in diffs.items():
                blocks[m].append(d)
    return PairedDraws(
        ids=list(ids) if ids is not None else [str(i) for i in range(n_items)],
        groups=list(groups),
        value_a={m: float(v[0]) for m, v in point_a.items()},
        value_b={m: float(v[0]) for m, v in point_b.items()},
        diff={m: float(v[0]) for m, v in point_diff.items()},
        draws={m: np.concatenate(parts) if parts else np.empty(0) for m, parts in blocks.items()},
    )


@dataclass
class McNemar:
    """Discordant pairs of an accuracy-type metric and McNemar's exact two-sided p-value."""

    lost: int      # right in A, wrong in B
    gained: int    # wrong in A, right in B
    p_value: float


def mcnemar_exact(a: np.ndarray, b: np.ndarray) -> McNemar | None:
    """McNemar's exact test over pairs where both values are present; None unless every
    present value is 0 or 1."""
    both = np.isfinite(a) & np.isfinite(b)
    a, b = a[both], b[both]
    if a.size == 0 or not (np.isin(a, (0.0, 1.0)).all() and np.isin(b, (0.0, 1.0)).all()):
        return None
    from scipy.stats import binomtest  # 0.4 s to import: only when a test is made, not at every CLI start

    lost = int(np.sum((a == 1) & (b == 0)))
    gained = int(np.sum((a == 0) & (b == 1)))
    p = 1.0 if lost + gained == 0 else float(binomtest(gained, lost + gained, 0.5).pvalue)
    return McNemar(lost=lost, gained=gained, p_value=p)


@dataclass
class ItemChange:
    id: str
    group: str
    value_a: float | None
    value_b: float | None

    @property
    def change(self) -> float | None:
        if self.value_a is None or self.value_b is None:
            return None
        return self.value_b - self.value_a


@dataclass
class MetricComparison:
    """One metric of a comparison. ``diff`` = B - A with its two-sided (1 - alpha) CI."""

    metric: str
    kind: str
    higher_is_better: bool
    value_a: float
    value_b: float
    diff: float | None
    ci_low: float | None
    ci_high: float | None
    n_pairs: int
    n_failed_a: int
    n_failed_b: int
    mcnemar: McNemar | None = None
    n_changed: int = 0
    changed: list[ItemChange] = field(default_factory=list)
    note: str = ""

    @property
    def significant(self) -> bool:
        return self.ci_low is not None and self.ci_high is not None and (self.ci_low > 0 or self.ci_high < 0)


@dataclass
class Comparison:
    run_a: Run
    run_b: Run
    mismatches: list[str]
    only_in_a: list[str]
    only_in_b: list[str]
    metrics: list[MetricComparison]
    n_prediction_changed: int
    n_resamples: int
    seed: int
    alpha: float
    draws: PairedDraws
    skipped: list[str] = field(default_factory=list)


def pair_samples(run_a: Run, run_b: Run) -> tuple[list[SampleRecord], list[SampleRecord], list[str], list[str], list[str]]:
    """The samples of both runs paired by id (in run A's order), the ids only in A, only in
    B, and each pair's group."""
    by_id_b = {s["id"]: s for s in run_b.samples}
    ids_a = {s["id"] for s in run_a.samples}
    paired_a = [s for s in run_a.samples if s["id"] in by_id_b]
    paired_b = [by_id_b[s["id"]] for s in paired_a]
    only_a = sorted(ids_a - by_id_b.keys())
    only_b = sorted(by_id_b.keys() - ids_a)
    return paired_a, paired_b, only_a, only_b, [str(s.get("group") or s["id"]) for s in paired_a]


def _value(entry: MetricEntry) -> float:
    """The entry's value, NaN where it has none."""
    value = entry.get("value")
    return np.nan if value is None else float(value)


def _prediction_text(sample: SampleRecord) -> str | None:
    return sample["prediction"]["text"]


def select_metrics(run_a: Run, run_b: Run, wanted: Sequence[str] | None) -> tuple[list[str], list[str]]:
    """The metrics both runs report (in run A's order), or ``wanted``; and the names left
    out because only one run has them. A wanted name missing from a run raises MetricError."""
    metrics_a = run_a.results["metrics"]
    metrics_b = run_b.results["metrics"]
    if wanted:
        for name in wanted:
            for run, metrics in ((run_a, metrics_a), (run_b, metrics_b)):
                if name not in metrics:
                    raise MetricError(
                        f"{run.path / 'results.json'} has no metric {name!r}; it has: {', '.join(sorted(metrics)) or 'none'}"
                    )
        return list(wanted), []
    both = [m for m in metrics_a if m in metrics_b]
    only = sorted(set(metrics_a).symmetric_difference(metrics_b))
    return both, only


def paired_run_draws(
    run_a: Run, run_b: Run, metric_names: Sequence[str], n_resamples: int, seed: int
) -> tuple[PairedDraws, dict[str, tuple[np.ndarray, np.ndarray]], list[SampleRecord], list[SampleRecord]]:
    """Bootstrap draws of B - A for ``metric_names`` over the paired samples of two runs.

    Returns the draws, the per-sample values of the mean-type metrics (A, B) and the paired
    sample records of each run, aligned."""
    paired_a, paired_b, _, _, groups = pair_samples(run_a, run_b)
    metrics_a = run_a.results["metrics"]
    means_a: dict[str, np.ndarray] = {}
    means_b: dict[str, np.ndarray] = {}
    corpus: dict[str, tuple[Callable, list, list]] = {}
    keys = {name: metrics_a[name]["per_sample_key"] for name in metric_names if metric_kind(metrics_a[name]) == "mean"}
    columns_a = per_sample_columns(paired_a, list(set(keys.values())))
    columns_b = per_sample_columns(paired_b, list(set(keys.values())))
    for name in metric_names:
        entry = metrics_a[name]
        kind = metric_kind(entry)
        if kind == "mean":
            means_a[name] = columns_a[keys[name]]
            means_b[name] = columns_b[keys[name]]
        elif kind == "corpus":
            func = load_corpus_function(entry["corpus"])
            corpus[name] = (func, [s.get("metrics") or {} for s in paired_a], [s.get("metrics") or {} for s in paired_b])
    draws = paired_draws(means_a, means_b, groups, corpus, n_resamples, seed, ids=[s["id"] for s in paired_a])
    values = {m: (means_a[m], means_b[m]) for m in means_a}
    return draws, values, paired_a, paired_b


def compare_runs(
    run_a: Run,
    run_b: Run,
    metrics: Sequence[str] | None = None,
    n_resamples: int = 10_000,
    seed: int = 0,
    alpha: float = 0.05,
    allow_mismatch: bool = False,
    max_changed: int | None = None,
) -> Comparison:
    """Compare run B against run A (B - A) on every metric both report, or on ``metrics``;
    each metric lists its first ``max_changed`` changed items (all with None).

    Raises RunMismatchError when the configs differ (see ``IDENTITY_FIELDS``) unless
    ``allow_mismatch``; MetricError when a metric cannot be recomputed as results.json says.
    """
    mismatches = config_differences(run_a.config, run_b.config)
    if mismatches and not allow_mismatch:
        raise RunMismatchError(mismatches)
    names, skipped = select_metrics(run_a, run_b, metrics)
    _, _, only_a, only_b, _ = pair_samples(run_a, run_b)
    draws, values, paired_a, paired_b = paired_run_draws(run_a, run_b, names, n_resamples, seed)
    metrics_a = run_a.results["metrics"]
    metrics_b = run_b.results["metrics"]
    out = []
    for name in names:
        entry_a, entry_b = metrics_a[name], metrics_b[name]
        kind = metric_kind(entry_a)
        higher = bool(entry_a.get("higher_is_better", True))
        if kind == "unavailable":
            out.append(MetricComparison(
                metric=name, kind=kind, higher_is_better=higher,
                value_a=_value(entry_a), value_b=_value(entry_b),
                diff=None, ci_low=None, ci_high=None, n_pairs=0,
                n_failed_a=int(entry_a.get("n_failed", 0)), n_failed_b=int(entry_b.get("n_failed", 0)),
                note="not recomputable from the samples: no CI",
            ))
            continue
        lo, hi = percentile_ci(draws.draws[name], alpha)
        comparison = MetricComparison(
            metric=name, kind=kind, higher_is_better=higher,
            value_a=draws.value_a[name], value_b=draws.value_b[name], diff=draws.diff[name],
            ci_low=lo, ci_high=hi, n_pairs=len(paired_a),
            n_failed_a=int(entry_a.get("n_failed", 0)), n_failed_b=int(entry_b.get("n_failed", 0)),
        )
        if kind == "mean":
            a, b = values[name]
            comparison.n_failed_a = int(np.sum(~np.isfinite(a)))
            comparison.n_failed_b = int(np.sum(~np.isfinite(b)))
            comparison.mcnemar = mcnemar_exact(a, b)
            comparison.n_changed = int(changed_mask(a, b).sum())
            comparison.changed = changed_items(draws.ids, draws.groups, a, b, max_changed)
        out.append(comparison)
    n_text_changed = sum(_prediction_text(x) != _prediction_text(y) for x, y in zip(paired_a, paired_b))
    return Comparison(
        run_a=run_a, run_b=run_b, mismatches=mismatches, only_in_a=only_a, only_in_b=only_b,
        metrics=out, n_prediction_changed=n_text_changed, n_resamples=n_resamples, seed=seed,
        alpha=alpha, draws=draws, skipped=skipped,
    )


def changed_mask(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Items whose per-sample value differs; a value that appears or disappears counts."""
    present_a, present_b = np.isfinite(a), np.isfinite(b)
    return (present_a != present_b) | (present_a & present_b & (a != b))


def changed_items(
    ids: Sequence[str], groups: Sequence[str], a: np.ndarray, b: np.ndarray, limit: int | None = None
) -> list[ItemChange]:
    """The items of ``changed_mask``, largest absolute change first, then those that gained
    or lost a value, then by id; the first ``limit`` of them (all with None)."""
    idx = np.flatnonzero(changed_mask(a, b))
    if idx.size == 0:
        return []
    size = np.nan_to_num(np.abs(b[idx] - a[idx]), nan=0.0)
    id_keys = np.asarray(ids, dtype=str)[idx]
    idx = idx[np.lexsort((id_keys, -size))][:limit]
    value_a = a[idx].tolist()
    value_b = b[idx].tolist()
    return [
        ItemChange(id=ids[i], group=groups[i], value_a=None if va != va else va, value_b=None if vb != vb else vb)
        for i, va, vb in zip(idx.tolist(), value_a, value_b)
    ]


def comparison_to_dict(comparison: Comparison) -> dict[str, Any]:
    """Everything in a comparison as JSON-ready data (for --json)."""
    return {
        "run_a": str(comparison.run_a.path), "run_b": str(comparison.run_b.path),
        "model_a": comparison.run_a.label, "model_b": comparison.run_b.label,
        "mismatches": comparison.mismatches, "only_in_a": comparison.only_in_a, "only_in_b": comparison.only_in_b,
        "metrics_skipped": comparison.skipped,
        "n_prediction_changed": comparison.n_prediction_changed,
        "n_resamples": comparison.n_resamples, "seed": comparison.seed, "alpha": comparison.alpha,
        "metrics": [
            {
                "metric": m.metric, "kind": m.kind, "higher_is_better": m.higher_is_better,
                "value_a": m.value_a, "value_b": m.value_b, "diff": m.diff,
                "ci_low": m.ci_low, "ci_high": m.ci_high, "n_pairs": m.n_pairs,
                "n_failed_a": m.n_failed_a, "n_failed_b": m.n_failed_b,
                "mcnemar": None if m.mcnemar is None else vars(m.mcnemar), "n_changed": m.n_changed,
                "changed": [vars(c) for c in m.changed], "note": m.note,
            }
            for m in comparison.metrics
        ],
    }
