"""`gemeval run`, `tasks`, `models`, `show`, `merge`, `doctor`."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer
from rich.markup import escape

from gemeval.console import FORMAT_HELP, OutputFormat, err_console, new_progress, progress_display, out_console as console, print_error, print_json, print_table
from gemeval.console import fmt_number as _fmt
from gemeval.schema import Results


def _fail(message: str, code: int = 2) -> None:
    print_error(message)
    raise typer.Exit(code)


def print_results(results: Results, title: str | None = None) -> None:
    """The metrics of one run: value, 95% CI, n, failures; headline metrics first (bold)."""
    metrics = results["metrics"]
    headline = [m for m in results.get("headline", []) if m in metrics]
    rest = sorted(m for m in metrics if m not in headline)
    rows, styles = [], []
    for name in headline + rest:
        m = metrics[name]
        arrow = "" if m.get("higher_is_better", True) else " (lower is better)"
        rows.append([f"{name}{arrow}", _fmt(m.get("value")), f"[{_fmt(m.get('ci_low'))}, {_fmt(m.get('ci_high'))}]",
                     str(m.get("n", "")), str(m.get("n_failed", ""))])
        styles.append("bold" if name in headline else None)
    print_table(
        [("metric", "left"), ("value", "right"), ("95% CI", "right"), ("n", "right"), ("failed", "right")], rows,
        title=title or f"{results['task']} · {results.get('model_label', results['model'])} · {results.get('modality')}",
        console=console, row_styles=styles,
    )


def print_run_summary(results: Results, run_dir: Path) -> None:
    print_results(results)
    data = results.get("data", {})
    console.print(f"samples: {results['n_samples']}  errors: {results['n_errors']}  data: {data.get('source')}")
    note = data.get("note")
    if note:
        style = "yellow" if data.get("synthetic_fallback") else "dim"
        console.print(f"[{style}]{escape(note)}[/]")
    if data.get("n_skipped"):
        console.print(f"[yellow]{data['n_skipped']} malformed items skipped; listed in config.json under data.skipped_items[/]")
    claims = results.get("claims")
    if claims and claims["extractor"] == "llm":
        console.print(f"claims: listed by {claims.get('model')} · {claims.get('claims', 0)} claims from "
                      f"{claims.get('read', 0)} texts · failed {claims.get('failed', 0)} (malformed "
                      f"{claims.get('malformed_replies', 0)}) · invalid claims {claims.get('invalid_claims', 0)}")
    judge = results.get("judge")
    if judge and judge.get("skipped"):
        console.print(f"[yellow]{escape(judge['how'])}[/]")
    elif judge:
        failures = judge.get("parse_failures") or {}
        cost = judge.get("cost_usd")
        # a judge without a price-table entry (vLLM, Ollama, a custom name) has no estimate
        cost_text = "cost unknown (no price for this model)" if cost is None else f"cost ${float(cost):.4f}"
        unreached = ""
        if judge.get("connection_failures") or judge.get("call_failures"):
            unreached = (f" · call failures {judge.get('call_failures', 0)}"
                         f" · connection failures {judge.get('connection_failures', 0)}")
        console.print(escape(f"judge: {judge.get('model')} · rubric {judge.get('rubric')} v{judge.get('rubric_version')} · rule {judge.get('rule')}"
                             f" · parse failures {sum(failures.values())}{unreached} · calls {judge.get('calls', 0)} · {cost_text}"))
    for err in results.get("errors", [])[:5]:
        console.print(f"[red]item {err['id']}:[/] {err['error']}")
    console.print(f"run directory: {run_dir}")


def run(
    model: str = typer.Option("measure", "--model", "-m", help="Adapter name (see `gemeval models`)."),
    task: str = typer.Option("grounded", "--task", "-t", help="Task name or YAML path (see `gemeval tasks`)."),
    model_args: Optional[str] = typer.Option(None, "--model-args", help="k=v,k=v passed to the adapter."),
    modality: Optional[str] = typer.Option(None, "--modality", help="both | image | signal (default: both where the adapter takes it)."),
    limit: Optional[int] = typer.Option(None, "--limit", help="Only the first N samples."),
    out: Path = typer.Option(Path("runs"), "--out", help="Root folder of run directories."),
    run_dir: Optional[Path] = typer.Option(None, "--run-dir", help="Exact run directory (overrides --out)."),
    seed: int = typer.Option(0, "--seed", help="Seed for bootstrap CIs and any sampling."),
    scoring: str = typer.Option("gemeval", "--scoring", help="gemeval (fixed rules) | ecgbench-compat (PULSE's published rules) | gem-compat (the same with GEM's ECG-QA rule)."),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", help="Root of the published datasets (or set GEMEVAL_DATA)."),
    data_file: Optional[Path] = typer.Option(None, "--data-file", help="One file in a published format."),
    shard: Optional[str] = typer.Option(None, "--shard", help="I/N: run the I-th of N disjoint parts (join with `gemeval merge`)."),
    batch_size: Optional[int] = typer.Option(None, "--batch-size", help="Samples per adapter call."),
    judge: Optional[str] = typer.Option(None, "--judge", help="Judge model name; no judge: judge metrics are skipped."),
    judge_base_url: Optional[str] = typer.Option(None, "--judge-base-url", help="OpenAI-compatible server URL for the judge."),
    judge_concurrency: int = typer.Option(16, "--judge-concurrency", help="Judge requests in flight."),
    judge_cache: str = typer.Option("readwrite", "--judge-cache", help="readwrite | read | off."),
    judge_mode: str = typer.Option("online", "--judge-mode", help="online | batch (provider Batch API)."),
    judge_batch_wait: bool = typer.Option(True, "--judge-batch-wait/--judge-batch-no-wait", help="Batch mode: wait for the provider's batch, or return and collect it on a rerun."),
    judge_repeats: int = typer.Option(1, "--judge-repeats", help="Judge each item K times and report the spread."),
    judge_rule: Optional[str] = typer.Option(None, "--judge-rule", help="Aggregation rule of the rubric (default: the rubric's)."),
    judge_timeout: float = typer.Option(60.0, "--judge-timeout", help="Seconds per judge call."),
    judge_cache_path: Optional[Path] = typer.Option(None, "--judge-cache-path", help="SQLite file of the judge cache (default: in the gemeval cache dir)."),
    strict: bool = typer.Option(False, "--strict", help="Exit 1 if any judge verdict failed to parse."),
    claims: str = typer.Option("rules", "--claims", help="How grounding reads the claims of a text: rules (offline) | llm (listed by the --judge connection, then verified the same way)."),
    bertscore_model: Optional[str] = typer.Option(None, "--bertscore-model", help="BERTScore model path or name (default: bundled MiniLM)."),
    compat_random_fallback: bool = typer.Option(False, "--compat-random-fallback", help="ecgbench-compat only: published random letter for unparsed MCQ answers."),
    compat_seed: int = typer.Option(42, "--compat-seed", help="Seed of the compat random fallback (42, as published)."),
    synthetic_n: Optional[int] = typer.Option(None, "--synthetic-n", help="Size of the synthetic set (default 200)."),
    resamples: int = typer.Option(1000, "--resamples", help="Bootstrap resamples for the CIs."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Evaluate a model on a task and write a run directory (rerun the same command to resume)."""
    from gemeval.judge import JudgeStrictError
    from gemeval.run import JudgeOptions, Progress, command_line, evaluate

    scorer_options: dict[str, Any] = {}
    if bertscore_model:
        scorer_options["bertscore_model"] = bertscore_model
    if compat_random_fallback:
        if scoring not in ("ecgbench-compat", "gem-compat"):
            _fail("--compat-random-fallback only applies with --scoring ecgbench-compat or gem-compat")
        scorer_options.update(compat_random_fallback=True, compat_seed=compat_seed)
    judge_opts = None
    if judge:
        judge_opts = JudgeOptions(model=judge, base_url=judge_base_url, concurrency=judge_concurrency,
                                  cache_mode=judge_cache, mode=judge_mode, repeats=judge_repeats,
                                  rule=judge_rule, timeout_s=judge_timeout, strict=strict,
                                  cache_path=judge_cache_path, batch_wait=judge_batch_wait)

    bar = new_progress(err_console, disable=quiet)  # nothing at all in a pipe
    state: dict[str, Any] = {}

    def start(total: int, done: int) -> None:
        if done:
            err_console.print(f"resuming: {done} of {total} samples already done")
        state["id"] = bar.add_task(f"{task} · {model}", total=total, completed=done)

    def advance(n: int) -> None:
        bar.advance(state["id"], n)

    def judging(total: int) -> None:
        state["id"] = bar.add_task(f"judge · {judge}", total=total)

    try:
        with progress_display(bar):
            result = evaluate(
                model=model, task=task, model_args=model_args, modality=modality, limit=limit,
                out_dir=out, run_dir=run_dir, seed=seed, scoring=scoring, data_dir=data_dir,
                data_file=data_file, synthetic_n=synthetic_n, shard=shard, batch_size=batch_size,
                judge=judge_opts, scorer_options=scorer_options, n_resamples=resamples,
                progress=Progress(start, advance, judging), command=command_line(), claims=claims,
            )
    except JudgeStrictError as exc:
        _fail(str(exc), code=1)
    except FileNotFoundError as exc:  # a path given on the command line (other user errors: gemeval.errors)
        _fail(str(exc))
    except KeyboardInterrupt:
        _fail("interrupted; every sample finished so far is saved: rerun the same command to continue", code=130)
    for warning in (result.config.get("model", {}).get("describe") or {}).get("warnings") or []:
        err_console.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False, soft_wrap=True)
    if result.rescored:
        err_console.print(f"[yellow]note:[/] the scoring code changed since this run was scored: its {result.rescored} "
                          "stored predictions were scored again (the model was not called)", highlight=False, soft_wrap=True)
    print_run_summary(result.results, result.run_dir)


def tasks(
    detail: bool = typer.Option(False, "--detail", help="Also print what each task measures."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help=FORMAT_HELP),
) -> None:
    """List the tasks with their data, modalities, metrics and judge."""
    from gemeval.data.synthetic import DEFAULT_N
    from gemeval.tasks import list_tasks

    specs = list_tasks()
    if fmt is OutputFormat.json:
        print_json([{"task": t.name, "kind": t.kind, "version": t.version, "published_n": t.options.get("published_n"),
                     "synthetic_n": DEFAULT_N, "modalities": list(t.modalities), "sources": list(t.sources),
                     "headline": list(t.headline), "judge": t.judge, "description": t.description, "path": str(t.path)}
                    for t in specs])
        return
    columns = [("task", "left"), ("kind", "left"), ("size", "right"), ("modalities", "left"),
               ("data (else synthetic)", "left"), ("headline metrics", "left"), ("judge", "left")]
    if detail:
        columns.append(("what it measures", "left"))
    rows = []
    for t in specs:
        published = t.options.get("published_n")
        size = f"{published:,} published\n{DEFAULT_N} synthetic" if published else f"{DEFAULT_N} synthetic"
        row = [t.name, t.kind, size, ", ".join(t.modalities), ", ".join(t.sources) or "synthetic",
               "\n".join(t.headline), t.judge or "-"]
        if detail:
            row.append(t.description)
        rows.append(row)
    print_table(columns, rows, title="gemeval tasks", console=console)


def models(fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help=FORMAT_HELP)) -> None:
    """List the model adapters and what each needs."""
    from gemeval.models.base import ADAPTERS

    if fmt is OutputFormat.json:
        print_json([{"adapter": i.name, "modalities": list(i.modalities), "summary": i.summary, "needs": i.needs}
                    for i in ADAPTERS.values()])
        return
    print_table([("adapter", "left"), ("modalities", "left"), ("what it is", "left"), ("needs", "left")],
                [[i.name, ", ".join(i.modalities), i.summary, i.needs] for i in ADAPTERS.values()],
                title="gemeval model adapters", console=console)


def show(run_dir: Path = typer.Argument(..., help="A run directory written by `gemeval run`."),
         recompute: bool = typer.Option(False, "--recompute", help="Recompute results.json from samples.jsonl first."),
         as_json: bool = typer.Option(False, "--json", help="Print results.json (as --format json)."),
         fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help=FORMAT_HELP)) -> None:
    """Print the results table of a run again."""
    from gemeval import store
    from gemeval.run import finalize

    results = finalize(run_dir) if recompute else store.read_results(run_dir)
    if as_json or fmt is OutputFormat.json:
        print_json(results)
        return
    print_run_summary(results, run_dir)


def merge(shards: list[Path] = typer.Argument(..., help="The shard run directories (all I of N)."),
          out: Path = typer.Option(..., "--out", help="The merged run directory to create.")) -> None:
    """Join the shards of one run into a single run directory."""
    from gemeval.run import merge as merge_runs

    result = merge_runs(shards, out)
    print_run_summary(result.results, result.run_dir)


def doctor(model: str = typer.Option(..., "--model", "-m", help="gem | pulse | hf | openai (or any adapter)."),
           model_args: Optional[str] = typer.Option(None, "--model-args", help="k=v,k=v as for `gemeval run`."),
           output_format: str = typer.Option("text", "--format", help="text | json.")) -> None:
    """Check that this environment can run a model (packages, weights, towers, GPU) before loading it.

    Exit 0 when nothing blocks a run, 2 otherwise; each problem is printed with its fix."""
    import json

    from gemeval.doctor import OK, PROBLEM, diagnose

    if output_format not in ("text", "json"):
        _fail(f"--format must be text or json, got {output_format!r}")
    report = diagnose(model, model_args)
    if output_format == "json":
        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        marks = {OK: "[green]ok[/]", PROBLEM: "[bold red]problem[/]"}
        for check in report.checks:
            console.print(f"{marks.get(check.status, '[yellow]warning[/]')}  {escape(check.name)}: {escape(check.detail)}",
                          highlight=False, soft_wrap=True)
            if check.fix:
                console.print(f"         fix: {escape(check.fix)}", highlight=False, soft_wrap=True)
        n = sum(c.status == PROBLEM for c in report.checks)
        console.print(f"ready to run --model {escape(model)}" if report.ready else
                      f"[bold red]{n} problem{'s' if n != 1 else ''}[/]: not ready to run --model {escape(model)}")
    raise typer.Exit(0 if report.ready else 2)


def register(app: typer.Typer) -> None:
    """Add the run commands to the top-level app."""
    app.command("run")(run)
    app.command("tasks")(tasks)
    app.command("models")(models)
    app.command("show")(show)
    app.command("merge")(merge)
    app.command("doctor")(doctor)
