"""Orchestration: data -> samples -> model -> predictions -> scorers (+ judge) -> run store.

``evaluate`` is the Python API the CLI wraps. A run directory is determined by everything
that determines its results (task file hash, model and args with the bytes of any input file
they name, modality, scoring mode, the bytes of the data files, images and records, limit,
shard, judge and rubric hash), so re-running the same command finds the same directory
and continues: ids already in samples.jsonl are skipped, nothing is lost or duplicated.
Each sample's record is written after its batch is predicted, scored and judged; one bad
item is recorded with its error and the run goes on. Results are recomputed from the
stored records in dataset order, so a resumed run's results equal an uninterrupted run's.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any, Callable, Sequence, cast

from gemeval import __version__
from gemeval import store
from gemeval.redact import redact_urls
from gemeval.data import DataOptions, load_dataset
from gemeval.metrics.registry import build_scorers
from gemeval.metrics.stats import DEFAULT_RESAMPLES
from gemeval.models.base import ADAPTERS, Model, load_model, parse_model_args
from gemeval.sample import Prediction, Sample
from gemeval.errors import InputError
from gemeval.judge.engine import JudgeConfig
from gemeval.schema import (ClaimsResults, ItemError, JudgeInfo, MetricEntry, Results, RunConfig, SampleRecord,
                            TokenCount)
from gemeval.tasks import TaskSpec, load_task

SECRET_ARG_WORDS = ("key", "token", "secret", "password")
JUDGE_CHUNK = 256
RECORDED_PACKAGES = ("numpy", "scipy", "scikit-learn", "pandas", "wfdb", "neurokit2", "torch",
                     "transformers", "openai", "lm-eval", "rouge-score", "bert-score")


class RunError(InputError):
    """A run that cannot start or continue; the message says what to do."""


@dataclass
class RunResult:
    run_dir: Path
    results: Results
    config: RunConfig
    resumed: int = 0
    computed: int = 0
    rescored: int = 0
    """Stored predictions scored again because the scoring code changed since they were scored."""

    @property
    def metrics(self) -> dict[str, MetricEntry]:
        return self.results["metrics"]


JudgeOptions = JudgeConfig
"""How to judge (the engine's own configuration; ``JudgeOptions`` is its name in the run API)."""


@dataclass
class Progress:
    """Callbacks for a progress display: ``start(total, done)`` and ``advance(n)`` for the
    samples, ``judging(total)`` when the judge phase begins (``advance`` then counts
    verdicts)."""

    start: Callable[[int, int], None] = lambda total, done: None
    advance: Callable[[int], None] = lambda n: None
    judging: Callable[[int], None] = lambda total: None


def redact_args(args: dict[str, Any]) -> dict[str, Any]:
    """Secret-named arguments hidden, and credentials inside any URL value."""
    return {k: ("<redacted>" if any(w in k.lower() for w in SECRET_ARG_WORDS) else redact_urls(v)) for k, v in args.items()}


def _git_sha() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5,
                             cwd=Path(__file__).resolve().parent)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def _versions() -> dict[str, str]:
    found = {"gemeval": __version__, "python": platform.python_version()}
    for name in RECORDED_PACKAGES:
        try:
            found[name] = importlib_metadata.version(name)
        except importlib_metadata.PackageNotFoundError:
            continue
    return found


def _slug(text: str) -> str:
    keep = "".join(c if c.isalnum() or c in "-_." else "-" for c in text)
    return keep.strip("-")[:80] or "model"


def parse_shard(text: str | None) -> tuple[int, int] | None:
    """``"2/8"`` -> (2, 8): the second of eight deterministic, disjoint parts."""
    if not text:
        return None
    try:
        index, count = (int(x) for x in text.split("/"))
    except ValueError:
        raise RunError(f"--shard must look like I/N (e.g. 2/8), got {text!r}") from None
    if not (1 <= index <= count):
        raise RunError(f"--shard {text}: I must be between 1 and N")
    return index, count


MIN_RESAMPLES = 100
"""Fewer bootstrap resamples give an interval that is not a 95% CI (zero resamples or one:
zero width); they are refused rather than written over a run's results."""


def check_counts(limit: int | None, n_resamples: int) -> None:
    """Refuse a ``--limit`` below 1 and a ``--resamples`` below :data:`MIN_RESAMPLES`, before
    anything is loaded or written."""
    if limit is not None and (isinstance(limit, bool) or int(limit) < 1):
        raise RunError(f"--limit {limit}: give a number of samples of at least 1, or leave --limit out to run all")
    if isinstance(n_resamples, bool) or int(n_resamples) < MIN_RESAMPLES:
        raise RunError(f"--resamples {n_resamples}: a bootstrap CI needs at least {MIN_RESAMPLES} resamples "
                       f"(default {DEFAULT_RESAMPLES})")


def select_samples(samples: Sequence[Sample], limit: int | None, shard: tuple[int, int] | None) -> list[Sample]:
    """``limit`` first (the first N items in dataset order), then every N-th item for a shard,
    so the union of all shards of a limited run is exactly the limited run."""
    chosen = list(samples[:limit] if limit else samples)
    seen: set[str] = set()
    for s in chosen:
        if s.id in seen:
            raise RunError(f"sample id {s.id!r} appears twice in task {s.task!r}; ids must be unique")
        seen.add(s.id)
    if shard:
        index, count = shard
        chosen = chosen[index - 1 :: count]
    return chosen


CLAIM_EXTRACTORS = ("rules", "llm")
"""How grounding reads the claims of a text: the rule-based extractor (offline, the
default) or the judge connection (``gemeval.judge.claims``)."""

CLAIMS_IDENTITY_KEYS = ("extractor", "model", "base_url", "prompt_sha256", "temperature", "seed")

IDENTITY_KEYS = ("task", "model", "modality", "scoring", "seed", "limit", "shard", "data", "judge", "claims")
"""What makes two runs the same run (the parts of :func:`identity_parts`): the run id hashes
them, and the shards of one run agree on all of them but ``shard``."""


SCORING_CODE = ("metrics", "ecg/measure.py", "ecg/io.py", "ecg/record.py", "ecg/values.py")
"""What scores a stored prediction, relative to the ``gemeval`` package: every module of
``gemeval.metrics``, and the measurement that gives the truth of records without a cart's own
measurements (``gemeval.ecg.measure`` and the helpers it reads the signal with)."""


def scoring_code_files() -> list[Path]:
    """The files of :data:`SCORING_CODE`, in a fixed order."""
    package = Path(__file__).resolve().parent
    files: list[Path] = []
    for part in SCORING_CODE:
        path = package / part
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return files


@functools.lru_cache(maxsize=1)
def scoring_code_sha256() -> str:
    """A hash of the scoring code (:data:`SCORING_CODE`, by path and bytes).

    Stored in ``config.json`` as ``scoring_code``. A run resumed by a gemeval whose scoring
    code differs scores its stored predictions again (:func:`_rescore_stored`): the model's
    work is reused, no per-sample number from older scoring code (or from a truth measured by
    older measurement code) is kept."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in scoring_code_files():
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def run_identity(config: RunConfig) -> str:
    """The run id: a hash of what determines the results (:func:`identity_parts`)."""
    return hashlib.sha256(json.dumps(identity_parts(config), sort_keys=True, default=str).encode()).hexdigest()[:12]


def identity_parts(config: RunConfig) -> dict[str, Any]:
    """What determines a run's results, by :data:`IDENTITY_KEYS`: inputs by their bytes, the
    model by its name, arguments and weights, the judge and the claims reader by what
    changes their replies. ``claims`` is present only when it is not the default rules (so
    runs made before it was an option keep their id)."""
    ident: dict[str, Any] = {k: config.get(k) for k in IDENTITY_KEYS if k != "claims"}
    claims = config.get("claims") or {"extractor": "rules"}
    if claims.get("extractor", "rules") != "rules":
        ident["claims"] = {k: claims.get(k) for k in CLAIMS_IDENTITY_KEYS}
    # an argument naming an input file stands for the file's bytes, not its path: a
    # rewritten answers file is a new run, the same file moved is the same run
    inputs = (config["model"].get("describe") or {}).get("input_sha256") or {}
    args = {k: ({"sha256": inputs[k]} if k in inputs else v) for k, v in config["model"]["args"].items()}
    ident["model"] = {"name": config["model"]["name"], "args": args, "weights": _weights_of(config["model"].get("describe") or {})}
    ident["data"] = {"fingerprint": config["data"]["fingerprint"], "content_sha256": config["data"].get("content_sha256")}
    ident["task"] = {"name": config["task"]["name"], "sha256": config["task"]["sha256"]}
    judge = config.get("judge")
    ident["judge"] = None if not judge else {
        k: judge.get(k) for k in ("model", "base_url", "rubric_sha256", "rule", "repeats", "temperature", "seed")
    }
    return ident


def _weights_of(describe: dict[str, Any]) -> dict[str, Any] | None:
    """The fingerprints of the weights an adapter loaded (local checkpoint folder, hub
    commit, ECG tower), when it reports them: retrained weights at the same path are a
    new run."""
    checkpoint = describe.get("checkpoint")
    if not isinstance(checkpoint, dict):
        checkpoint = {}
    found = {k: v for k, v in (("checkpoint", checkpoint.get("fingerprint") or checkpoint.get("commit")),
                               ("ecg_tower", describe.get("ecg_tower_fingerprint"))) if v}
    return found or None


def evaluate(
    model: str | Model = "measure",
    task: str | TaskSpec = "grounded",
    *,
    model_args: dict[str, Any] | str | None = None,
    modality: str | None = None,
    limit: int | None = None,
    out_dir: Path | str = "runs",
    run_dir: Path | str | None = None,
    seed: int = 0,
    scoring: str = "gemeval",
    data_dir: Path | str | None = None,
    data_file: Path | str | None = None,
    synthetic_n: int | None = None,
    shard: str | tuple[int, int] | None = None,
    batch_size: int | None = None,
    judge: JudgeOptions | None = None,
    scorer_options: dict[str, Any] | None = None,
    n_resamples: int = DEFAULT_RESAMPLES,
    progress: Progress | None = None,
    command: str | None = None,
    claims: str = "rules",
) -> RunResult:
    """Evaluate ``model`` on ``task`` and write (or continue) a run directory.

    Returns the results and the run directory. Usable from notebooks:
    ``gemeval.evaluate(model="measure", task="grounded", limit=20)``. ``claims="llm"``
    has the judge connection (``judge``) list the claims that grounding verifies.
    """
    check_counts(limit, n_resamples)
    if claims not in CLAIM_EXTRACTORS:
        raise RunError(f"--claims must be one of {', '.join(CLAIM_EXTRACTORS)}, not {claims!r}")
    spec = task if isinstance(task, TaskSpec) else load_task(task)
    if isinstance(model_args, str):
        model_args = parse_model_args(model_args)
    model_args = dict(model_args or {})
    if batch_size is not None:
        model_args["batch_size"] = batch_size
    shard_t = parse_shard(shard) if isinstance(shard, str) or shard is None else (int(shard[0]), int(shard[1]))
    if isinstance(model, str):
        check_adapter_name(model)
    parallel = data_parallel_rank()
    if parallel is not None:
        if shard_t is not None:
            raise RunError("--shard and a multi-process launch (accelerate launch, torchrun) both split the samples; "
                           "use one of them")
        _pin_local_gpu()

    options = DataOptions.from_env(
        data_dir=Path(data_dir) if data_dir else None,
        data_file=Path(data_file) if data_file else None,
        seed=seed, synthetic_n=synthetic_n,
    )
    dataset = load_dataset(spec, options)
    samples = select_samples(dataset.samples, limit, shard_t)
    if not samples:
        raise RunError(f"task {spec.name!r}: no samples to run (source {dataset.source}); check --limit and --data-dir")

    if isinstance(model, str):
        model_name = model
        if modality is None:
            modality = _default_modality(model_name)
        model_obj = load_model(model_name, model_args, modality=modality)
    else:
        model_obj, model_name = model, model.name
        modality = modality or getattr(model, "modality", "both")

    if hasattr(model_obj, "prepare"):
        # adapters that match samples to files (predictions) report their coverage in the config
        model_obj.prepare(samples)
    scorers = build_scorers(spec, scoring, **(scorer_options or {}))
    judge_engine, judge_conf = _build_judge(spec, judge)
    claim_reader = _build_claim_reader(spec, scorers, claims, judge)

    describe = model_obj.describe()
    config: RunConfig = {
        "format_version": store.FORMAT_VERSION,
        "run_id": "",  # set below: the hash of the rest
        "created_at": "",
        "command": command or "gemeval.evaluate()",
        "task": {"name": spec.name, "version": spec.version, "sha256": spec.sha256, "kind": spec.kind,
                 "headline": list(spec.headline)},
        "model": {"name": model_name, "label": str(describe.get("label", model_name)),
                  "args": redact_args(model_args), "describe": describe},
        "modality": modality,
        "scoring": scoring,
        "scorer_options": scorer_options or {},
        "seed": seed,
        "limit": limit,
        "shard": list(shard_t) if shard_t else None,
        "data": dataset.describe() | {"n_selected": len(samples), "skipped_items": [p.to_dict() for p in dataset.problems]},  # type: ignore[typeddict-item]
        "judge": judge_conf,
        "claims": claim_reader.describe() if claim_reader else {"extractor": "rules"},
        "versions": _versions(),
        "git_sha": _git_sha(),
        "scoring_code": scoring_code_sha256(),
    }
    config = redact_urls(config)  # adapters' descriptions and the command line included
    config["run_id"] = run_identity(config)
    target = Path(run_dir) if run_dir else Path(out_dir) / spec.name / _slug(config["model"]["label"]) / config["run_id"]
    config["created_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    target.mkdir(parents=True, exist_ok=True)
    if parallel is not None:
        return _run_data_parallel(target, config, samples, parallel, model_obj, scorers, judge_engine, progress,
                                  n_resamples)
    with store.run_lock(target):
        return _continue_run(target, config, samples, model_obj, scorers, judge_engine, progress, n_resamples,
                             claim_reader)


def data_parallel_rank() -> tuple[int, int] | None:
    """(rank, world size) when this process is one of several started by ``accelerate
    launch`` or ``torchrun`` (``RANK``/``WORLD_SIZE``), else None."""
    try:
        world = int(os.environ.get("WORLD_SIZE", "1"))
        rank = int(os.environ.get("RANK", "0"))
    except ValueError:
        return None
    return (rank, world) if world > 1 else None


def _pin_local_gpu() -> None:
    """Give each process of a node its own GPU: the ``LOCAL_RANK``-th of the visible ones,
    so ``device=cuda`` in any adapter means that GPU (set before CUDA starts)."""
    local = os.environ.get("LOCAL_RANK")
    if local is None or ("torch" in sys.modules and _cuda_started()):
        return
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        devices = [d for d in visible.split(",") if d.strip()]
        if int(local) < len(devices):
            os.environ["CUDA_VISIBLE_DEVICES"] = devices[int(local)]
    else:
        os.environ["CUDA_VISIBLE_DEVICES"] = local


def _cuda_started() -> bool:
    import torch

    return bool(torch.cuda.is_initialized())


PART_DONE = "done.json"


def _run_data_parallel(target: Path, config: RunConfig, samples: list[Sample], parallel: tuple[int, int],
                       model_obj: Model, scorers: list, judge_engine, progress: Progress | None,
                       n_resamples: int) -> RunResult:
    """One process of a data-parallel run: predict and score every ``world``-th sample into
    ``target/ranks/R-of-W`` (resumable like any run), then rank 0 waits for every part and
    writes them into ``target``, judges and computes the results: the same run directory,
    run id and records as one process would write. Other ranks return their part."""
    rank, world = parallel
    part_dir = target / "ranks" / f"{rank + 1}-of-{world}"
    part_config: RunConfig = {**config, "shard": [rank + 1, world]}
    part_config["run_id"] = run_identity(part_config)
    part_dir.mkdir(parents=True, exist_ok=True)
    with store.run_lock(part_dir):
        part = _continue_run(part_dir, part_config, samples[rank::world], model_obj, scorers, None, progress,
                             n_resamples)
    store.write_json(part_dir / PART_DONE, {"rank": rank, "world": world, "n": len(samples[rank::world])})
    if rank != 0:
        return part
    parts = [target / "ranks" / f"{r + 1}-of-{world}" for r in range(world)]
    poll_s = float(os.environ.get("GEMEVAL_RANK_POLL_S", "1"))
    while not all((d / PART_DONE).is_file() for d in parts):
        time.sleep(poll_s)  # a rank that dies takes the launcher, and so this process, down with it
    with store.run_lock(target):
        if (target / store.CONFIG).exists() and store.read_config(target).get("run_id") != config["run_id"]:
            raise RunError(f"{target} holds a different run; choose another --out/--run-dir or delete it")
        store.write_json(target / store.CONFIG, config)
        have = {rec["id"] for rec in store.iter_samples(target)}
        with store.SampleWriter(target) as writer:
            for d in parts:
                writer.write_many([rec for rec in store.read_samples(d) if rec["id"] not in have])
        # nothing is left to predict; this judges (once, here) and computes the results
        return _continue_run(target, config, samples, model_obj, scorers, judge_engine, None, n_resamples)


def _continue_run(target: Path, config: RunConfig, samples: list[Sample], model_obj: Model, scorers: list,
                  judge_engine, progress: Progress | None, n_resamples: int, claim_reader=None) -> RunResult:
    """Write the config, then predict, score and judge the samples not yet in the store."""
    config_path = target / store.CONFIG
    stale_scores = False
    if config_path.exists():
        previous = store.read_config(target)
        if previous.get("run_id") != config["run_id"]:
            raise RunError(
                f"{target} holds run {previous.get('run_id')} with a different configuration; "
                "choose another --out/--run-dir or delete it"
            )
        config["created_at"] = previous.get("created_at", config["created_at"])
        stale_scores = previous.get("scoring_code") != config.get("scoring_code")
    store.write_json(config_path, config)

    done_ids = {rec["id"] for rec in store.iter_samples(target)}
    todo = [s for s in samples if s.id not in done_ids]
    progress = progress or Progress()
    progress.start(len(samples), len(samples) - len(todo))

    timing = {"model_s": 0.0, "score_s": 0.0, "judge_s": 0.0}
    if claim_reader is not None:
        timing["claims_s"] = 0.0
    wall_start = time.perf_counter()
    step = max(1, int(getattr(model_obj, "batch_size", 1) or 1))
    rescored = 0
    with store.SampleWriter(target) as writer:
        if stale_scores and done_ids:
            start = time.perf_counter()
            rescored = _rescore_stored(target, [s for s in samples if s.id in done_ids], scorers, claim_reader, writer)
            timing["score_s"] += time.perf_counter() - start
        # predictions are stored as soon as their batch is scored, so a model's work is
        # never lost to a judge failure; the judge phase follows over the whole run
        for begin in range(0, len(todo), step):
            batch = todo[begin : begin + step]
            writer.write_many(_run_batch(batch, model_obj, scorers, timing))
            progress.advance(len(batch))
        if claim_reader is not None:
            start = time.perf_counter()
            _claims_phase(target, samples, claim_reader, scorers, writer)
            timing["claims_s"] += time.perf_counter() - start
        if judge_engine is not None:
            start = time.perf_counter()
            _judge_phase(target, samples, judge_engine, writer, progress)
            timing["judge_s"] += time.perf_counter() - start
    timing["wall_s"] = time.perf_counter() - wall_start

    results = finalize(target, timing=timing, n_resamples=n_resamples,
                       judge_summary=judge_engine.summary() if judge_engine else None,
                       claims_summary=claim_reader.summary() if claim_reader else None)
    if claim_reader is not None:
        claim_reader.judge.close()
    if judge_engine is not None:
        judge_engine.close()
        if judge_engine.stopped:
            from gemeval.judge import JudgeConnectionError

            unjudged = sum(1 for r in store.read_samples(target) if _needs_judging(r))
            raise JudgeConnectionError(
                f"{judge_engine.stopped}. The judge phase stopped with {unjudged} items not judged; every "
                f"prediction is saved in {target}: start the judge server or fix --judge-base-url, then rerun "
                "the same command to judge the rest")
        judge_engine.check_strict()
    return RunResult(target, results, config, resumed=len(samples) - len(todo), computed=len(todo), rescored=rescored)


def _rescore_stored(target: Path, samples: list[Sample], scorers: list, claim_reader,
                    writer: store.SampleWriter) -> int:
    """Score the stored predictions of ``samples`` again with the current scorers and append
    the updated records (a later line wins on reading); predictions, judge verdicts and LLM
    claim readings are kept. With LLM claims the grounding numbers come from the claims
    phase, which reads the records again, so those samples' readings are redone there."""
    stored = {rec["id"]: rec for rec in store.read_samples(target)}
    samples = [s for s in samples if s.id in stored]
    predictions = []
    for sample in samples:
        info = stored[sample.id].get("prediction") or {"text": None}
        predictions.append(Prediction(sample.id, info.get("text"), error=info.get("error"), latency_s=info.get("latency_s"),
                                      usage=dict(info.get("usage") or {}), meta=dict(info.get("meta") or {})))
    per_sample, errors = _score(samples, predictions, scorers)
    updated: list[SampleRecord] = []
    for sample, prediction, metrics, errs in zip(samples, predictions, per_sample, errors):
        record: SampleRecord = dict(stored[sample.id])  # type: ignore[assignment]
        record["metrics"] = metrics
        record["reference"] = sample.reference
        record["error"] = "; ".join(filter(None, [prediction.error, *errs])) or None
        if claim_reader is not None:
            record.pop("claims_llm", None)
        updated.append(record)
    writer.write_many(updated)
    return len(updated)


def _needs_judging(record: SampleRecord) -> bool:
    if not (record.get("prediction") or {}).get("text"):
        return False
    verdict = record.get("judge")
    return verdict is None or bool(verdict.get("pending")) or bool(verdict.get("error"))


def _judge_items(samples: Sequence[Sample], texts: Sequence[str]):
    from gemeval.judge import JudgeItem

    return [JudgeItem(s.id, s.prompt, str(s.reference.get("text", "")), text) for s, text in zip(samples, texts)]


def _judge_phase(target: Path, samples: Sequence[Sample], judge, writer: store.SampleWriter,
                 progress: Progress) -> None:
    """Judge every stored prediction without a final verdict (new, pending in a provider
    batch, or failed last time; finished ones come from the cache) and append the judged
    record, which wins over the earlier line on reading. Online, chunks of
    ``JUDGE_CHUNK`` keep the progress moving and bound what an interruption costs; in batch
    mode the whole phase is one provider batch."""
    stored = {rec["id"]: rec for rec in store.iter_samples(target)}
    wanted = [s for s in samples if s.id in stored and _needs_judging(stored[s.id])]
    if not wanted:
        return
    progress.judging(len(wanted))
    chunk = len(wanted) if judge.config.mode == "batch" else JUDGE_CHUNK
    for begin in range(0, len(wanted), chunk):
        part = wanted[begin : begin + chunk]
        records = [stored[s.id] for s in part]
        outcomes = judge.judge_many(_judge_items(part, [r["prediction"]["text"] or "" for r in records]))
        writer.write_many([{**record, "judge": outcome.to_record()} for record, outcome in zip(records, outcomes)])
        progress.advance(len(part))
        if judge.stopped:
            break  # the server cannot be reached: stop here, the rest is judged on a rerun


def _needs_llm_claims(record: SampleRecord) -> bool:
    if not (record.get("prediction") or {}).get("text"):
        return False
    reading = record.get("claims_llm")
    return reading is None or bool(reading.get("error"))


def _claims_phase(target: Path, samples: Sequence[Sample], reader, scorers: list,
                  writer: store.SampleWriter) -> None:
    """Have the LLM list the claims of every stored prediction not yet read (or whose
    reading failed last time), verify them with the grounding scorer and append the record
    with its grounding fields replaced. A failed or malformed reply leaves the grounding
    fields empty with the reason: never the rule-based claims in their place. Online, in
    chunks of ``JUDGE_CHUNK``; in batch mode the whole phase is one provider batch."""
    from gemeval.metrics.grounding import GroundingScorer

    grounding = next(s for s in scorers if isinstance(s, GroundingScorer))
    stored = {rec["id"]: rec for rec in store.iter_samples(target)}
    wanted = [s for s in samples if s.id in stored and _needs_llm_claims(stored[s.id])]
    chunk = len(wanted) if reader.judge.config.mode == "batch" else JUDGE_CHUNK
    for begin in range(0, len(wanted), max(1, chunk)):
        part = wanted[begin: begin + chunk]
        records = [stored[s.id] for s in part]
        texts = [r["prediction"]["text"] or "" for r in records]
        out: list[SampleRecord] = []
        for sample, record, text, reading in zip(part, records, texts, reader.read_many(texts)):
            metrics = {k: v for k, v in (record.get("metrics") or {}).items() if not k.startswith(grounding.name + ".")}
            if reading.error is None:
                metrics.update(grounding.score(sample, Prediction(sample.id, text), claims=reading.claims))
            else:
                metrics.update(grounding.score(sample, Prediction(sample.id, None, error=reading.error)))
            metrics[grounding.name + ".extractor"] = "llm"
            out.append({**record, "metrics": metrics, "claims_llm": reading.to_record()})
        writer.write_many(out)


def check_adapter_name(name: str) -> None:
    """Fail before any data is loaded when the adapter name is unknown."""
    from gemeval.models.base import ModelError

    if name not in ADAPTERS and ":" not in name:
        raise ModelError(f"unknown model adapter {name!r}; known adapters: {', '.join(sorted(ADAPTERS))} "
                         "(see `gemeval models`), or give your own as package.module:Class")


def _default_modality(name: str) -> str:
    """"both" where the adapter takes both, else the first it takes."""
    info = ADAPTERS.get(name)
    if info is None:
        return "both"
    return "both" if "both" in info.modalities else info.modalities[0]


def _build_claim_reader(spec: TaskSpec, scorers: list, claims: str, judge: JudgeOptions | None):
    if claims == "rules":
        return None
    from gemeval.judge import Judge
    from gemeval.judge.claims import LLMClaimReader
    from gemeval.metrics.grounding import GroundingScorer

    if not any(isinstance(s, GroundingScorer) for s in scorers):
        raise RunError(f"--claims llm: task {spec.name!r} has no grounding metrics to read claims for")
    if judge is None or not judge.model:
        raise RunError("--claims llm asks the judge connection to list the claims: pass --judge MODEL "
                       "(an OpenAI model, key from $OPENAI_API_KEY) or --judge MODEL --judge-base-url URL")
    return LLMClaimReader(Judge(judge))


def _build_judge(spec: TaskSpec, judge: JudgeOptions | None):
    if not spec.judge or judge is None or not judge.model:
        return None, None
    from gemeval.judge import Judge, load_rubric

    rubric = load_rubric(spec.judge)
    engine = Judge(judge, rubric)
    return engine, engine.describe()


def _score(batch: Sequence[Sample], predictions: Sequence[Prediction], scorers: list
           ) -> tuple[list[dict[str, Any]], list[list[str]]]:
    """Per-sample metrics of ``predictions`` from every scorer (batched where a scorer can),
    and each sample's scorer errors: one scorer failing never loses the others' values."""
    per_sample: list[dict[str, Any]] = [{} for _ in batch]
    errors: list[list[str]] = [[] for _ in batch]
    for scorer in scorers:
        if hasattr(scorer, "score_batch"):
            try:
                values = scorer.score_batch(batch, predictions)
            except Exception as exc:
                values = [None] * len(batch)
                for e in errors:
                    e.append(f"scorer {scorer.name}: {type(exc).__name__}: {exc}")
            for i, v in enumerate(values):
                if v is not None:
                    per_sample[i].update(v)
            continue
        for i, (sample, pred) in enumerate(zip(batch, predictions)):
            try:
                per_sample[i].update(scorer.score(sample, pred))
            except Exception as exc:
                errors[i].append(f"scorer {scorer.name}: {type(exc).__name__}: {exc}")
    return per_sample, errors


def _run_batch(batch: list[Sample], model: Model, scorers: list, timing: dict[str, float]) -> list[SampleRecord]:
    start = time.perf_counter()
    try:
        predictions = model.generate(batch)
        if len(predictions) != len(batch):
            raise RunError(f"adapter {model.name!r} returned {len(predictions)} predictions for {len(batch)} samples")
    except Exception as exc:  # the whole batch failed: record it per item and go on
        message = f"{type(exc).__name__}: {exc}"
        predictions = [Prediction(s.id, None, error=f"batch failed: {message}") for s in batch]
    timing["model_s"] += time.perf_counter() - start

    start = time.perf_counter()
    per_sample, errors = _score(batch, predictions, scorers)
    timing["score_s"] += time.perf_counter() - start

    records: list[SampleRecord] = []
    for i, (sample, pred) in enumerate(zip(batch, predictions)):
        records.append({
            "id": sample.id,
            "group": sample.group,
            "prompt_sha256": hashlib.sha256(sample.prompt.encode()).hexdigest(),
            "prediction": {"text": pred.text, "error": pred.error, "latency_s": pred.latency_s,
                           "usage": pred.usage, "meta": pred.meta},
            "reference": sample.reference,
            "truth_source": sample.truth_source,
            "metrics": per_sample[i],
            "judge": None,
            "error": "; ".join(filter(None, [pred.error, *errors[i]])) or None,
        })
    return records


def _ordered_records(run_dir: Path) -> list[SampleRecord]:
    """The stored records, one per id, sorted by id: the order never depends on when a
    record was written, so resumed and merged runs aggregate exactly like one pass."""
    return sorted(store.read_samples(run_dir), key=lambda r: r["id"])


def finalize(
    run_dir: Path,
    *,
    timing: dict[str, float] | None = None,
    n_resamples: int = DEFAULT_RESAMPLES,
    judge_summary: dict[str, Any] | None = None,
    claims_summary: dict[str, Any] | None = None,
) -> Results:
    """Recompute results.json from config.json and samples.jsonl alone."""
    run_dir = Path(run_dir)
    config = store.read_config(run_dir)
    spec = _task_for(config)
    records = _ordered_records(run_dir)
    groups = [r.get("group") or r["id"] for r in records]
    seed = int(config.get("seed", 0))
    scorers = build_scorers(spec, config.get("scoring", "gemeval"), **config.get("scorer_options", {}))
    metrics: dict[str, MetricEntry] = {}
    for scorer in scorers:
        rows = [r["metrics"] for r in records]
        metrics.update(scorer.aggregate(rows, groups, seed=seed, n_resamples=n_resamples))
    judge_block = _judge_results(spec, config["judge"], records, groups, seed, metrics, judge_summary)
    results_path = run_dir / store.RESULTS
    previous_timing = store.read_results(run_dir)["timing"] if results_path.exists() else {}
    timing_out = dict(previous_timing)
    for key, value in (timing or {}).items():
        timing_out[key] = round(previous_timing.get(key, 0.0) + value, 3)

    n_errors = sum(1 for r in records if r["error"])
    results: Results = {
        "format_version": store.FORMAT_VERSION,
        "run_id": config["run_id"],
        "task": spec.name,
        "task_version": spec.version,
        "model": config["model"]["name"],
        "model_label": config["model"]["label"],
        "modality": config.get("modality"),
        "scoring": config.get("scoring"),
        "n_samples": len(records),
        "n_expected": config["data"].get("n_selected"),
        "n_errors": n_errors,
        "errors": [ItemError(id=r["id"], error=r["error"]) for r in records if r["error"]][:50],
        "data": config["data"],
        "judge": judge_block,
        "claims": _claims_accounting(config, records, claims_summary),
        "metrics": metrics,
        "headline": [m for m in spec.headline if m in metrics],
        "cost_usd": (judge_block or {}).get("cost_usd", 0.0) if judge_block and not judge_block.get("skipped") else 0.0,
        "tokens": _token_totals(records),
        "timing": timing_out,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "gemeval_version": __version__,
    }
    store.write_json(results_path, results)
    return results


def _judge_results(spec: TaskSpec, judge: JudgeInfo | None, records: list[SampleRecord], groups: list[str],
                   seed: int, metrics: dict[str, MetricEntry], summary: dict[str, Any] | None) -> dict[str, Any] | None:
    """The judge block of results.json; the rubric's metrics are added to ``metrics``."""
    from gemeval.judge import load_rubric, not_configured_notice

    if judge:
        rubric = load_rubric(judge["rubric"])
        rows = [r["judge"] for r in records]
        # the rubric's entries are metric entries with rubric detail added (criteria, rule)
        metrics.update(cast("dict[str, MetricEntry]", rubric.aggregate(rows, groups, rule=judge.get("rule"), seed=seed)))
        return {**judge, **_judge_accounting(records, summary)}
    if spec.judge:
        return {"skipped": True, "rubric": spec.judge, "how": not_configured_notice(load_rubric(spec.judge))}
    return None


def _token_totals(records: list[SampleRecord]) -> TokenCount:
    """Prompt and completion tokens of the model's calls, as the adapters reported them."""
    tokens: TokenCount = {"prompt": 0, "completion": 0}
    for r in records:
        usage = r["prediction"]["usage"] or {}
        tokens["prompt"] += int(usage.get("prompt_tokens", 0) or 0)
        tokens["completion"] += int(usage.get("completion_tokens", 0) or 0)
    return tokens


def _judge_accounting(records: list[SampleRecord], summary: dict[str, Any] | None) -> dict[str, Any]:
    """Parse failures per criterion and cost, from the stored verdicts (plus the live summary)."""
    failures: dict[str, int] = {}
    judged = connection = calls = 0
    for r in records:
        verdict = r.get("judge")
        if not verdict:
            continue
        judged += 1
        if verdict.get("raw") is None and verdict.get("error"):
            # no reply to parse: a call that failed, never a parse failure
            if verdict.get("connection_error"):
                connection += 1
            else:
                calls += 1
            continue
        for criterion in verdict.get("failures") or []:
            failures[criterion] = failures.get(criterion, 0) + 1
    out: dict[str, Any] = {"judged": judged, "parse_failures": failures, "connection_failures": connection,
                           "call_failures": calls}
    if summary:
        out.update({k: v for k, v in summary.items()
                    if k in ("calls", "requests_sent", "cache_hits", "retries", "call_errors", "connection_errors",
                             "pending", "stopped", "cost_usd", "tokens", "wall_s", "spread", "prices_as_of")})
    return out


def _claims_accounting(config: RunConfig, records: list[SampleRecord],
                       summary: dict[str, Any] | None) -> ClaimsResults:
    """Which extractor read the claims; for the LLM, the readings, failures, malformed
    replies and invalid claims from the stored records (plus the live call accounting)."""
    block: ClaimsResults = {**(config.get("claims") or {"extractor": "rules"})}
    if block["extractor"] != "llm":
        return block
    readings = [x for x in (r.get("claims_llm") for r in records) if x]
    errors = [str(x["error"]) for x in readings if x["error"]]
    block["read"] = len(readings) - len(errors)
    block["failed"] = len(errors)
    block["malformed_replies"] = sum(1 for e in errors if e.startswith("malformed"))
    block["invalid_claims"] = sum(len(x.get("invalid") or []) for x in readings)
    block["claims"] = sum(int(x["n_claims"] or 0) for x in readings if not x["error"])
    if summary:
        calls = {k: summary[k] for k in ("calls", "requests_sent", "cache_hits", "retries", "cost_usd",
                                         "tokens", "wall_s", "response_format_used") if k in summary}
        block.update(cast(ClaimsResults, calls))
    return block


def _task_for(config: RunConfig) -> TaskSpec:
    spec = load_task(config["task"]["name"])
    if spec.sha256 != config["task"]["sha256"]:
        raise RunError(
            f"task {spec.name!r} changed since this run was made (file hash {spec.sha256[:12]} vs "
            f"{config['task']['sha256'][:12]}); rerun it with the current task file"
        )
    return spec


def merge(shard_dirs: Sequence[Path | str], out_dir: Path | str, n_resamples: int = DEFAULT_RESAMPLES) -> RunResult:
    """Join the shards of one run into a single run directory with recomputed results."""
    dirs = [Path(d) for d in shard_dirs]
    if not dirs:
        raise RunError("gemeval merge needs at least one shard directory")
    configs = [store.read_config(d) for d in dirs]
    _check_shards(dirs, configs)
    base: RunConfig = {**configs[0], "shard": None, "merged_from": [str(d) for d in dirs]}
    base["data"] = {**base["data"], "n_selected": sum(cfg["data"].get("n_selected", 0) for cfg in configs)}
    base["run_id"] = run_identity(base)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if (out / store.SAMPLES).exists():
        raise RunError(f"{out} already holds samples; merge into an empty directory")
    store.write_json(out / store.CONFIG, base)
    seen: set[str] = set()
    with store.SampleWriter(out) as writer:
        for d in dirs:
            for rec in store.iter_samples(d):
                if rec["id"] in seen:
                    raise RunError(f"sample {rec['id']!r} appears in more than one shard ({d})")
                seen.add(rec["id"])
                writer.write(rec)
    timing: dict[str, float] = {}
    for d in dirs:
        for k, v in store.read_results(d)["timing"].items() if (d / store.RESULTS).exists() else []:
            timing[k] = timing.get(k, 0.0) + float(v)
    results = finalize(out, timing=timing, n_resamples=n_resamples)
    return RunResult(out, results, base, computed=len(seen))


def _check_shards(dirs: list[Path], configs: list[RunConfig]) -> None:
    """RunError unless ``configs`` are all the shards 1..N of one run."""
    base = identity_parts(configs[0])
    counts = set()
    shards: list[list[int]] = []
    for d, cfg in zip(dirs, configs):
        parts = identity_parts(cfg)
        differences = [k for k in IDENTITY_KEYS if k != "shard" and _comparable(parts.get(k)) != _comparable(base.get(k))]
        if differences:
            raise RunError(f"{d} is not a shard of the same run as {dirs[0]}: differs in {', '.join(differences)}")
        shard = cfg["shard"]
        if not shard:
            raise RunError(f"{d} is not a shard (made without --shard)")
        counts.add(shard[1])
        shards.append(shard)
    if len(counts) != 1:
        raise RunError(f"shards come from different splits: N = {sorted(counts)}")
    indices = sorted(shard[0] for shard in shards)
    expected = list(range(1, counts.pop() + 1))
    if indices != expected:
        raise RunError(f"shards {indices} given; a complete merge needs {expected}")


def _comparable(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def command_line() -> str:
    return " ".join(["gemeval", *sys.argv[1:]])
