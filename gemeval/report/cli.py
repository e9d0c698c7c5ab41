"""`gemeval leaderboard`, `compare` and `gate`.

Exit codes: 0 ok / gate passed, 1 gate found a regression, 2 misuse: unreadable or
unfinished runs, runs that differ in data, prompts, task version or judge, a bad policy,
a metric that is not there.
"""

from __future__ import annotations

import io
import json
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from gemeval.console import FORMAT_HELP, OutputFormat, err_console, json_safe, out_console, print_error, print_json, print_table
from gemeval.report import compare as compare_mod
from gemeval.report import gate as gate_mod
from gemeval.report import leaderboard as board_mod
from gemeval.report import view as view_mod
from gemeval.report.reference import ReferenceFileError, load_reference
from gemeval.store import RunStoreError, write_json

EXIT_OK, EXIT_REGRESSION, EXIT_MISUSE = 0, 1, 2
USAGE_ERRORS = (
    RunStoreError, compare_mod.RunMismatchError, compare_mod.MetricError, gate_mod.PolicyError, ReferenceFileError,
)



class Format(str, Enum):
    table = "table"
    md = "md"
    csv = "csv"
    html = "html"
    json = "json"


def _fail(exc: Exception) -> typer.Exit:
    if isinstance(exc, compare_mod.RunMismatchError):
        err_console.print("[bold red]error:[/] the runs are not comparable; they differ in:", highlight=False)
        for line in exc.differences:
            err_console.print(f"  - {line}", highlight=False, markup=False)
        err_console.print(
            "Compare runs of the same task version on the same data, prompts and judge, or pass --allow-mismatch.",
            highlight=False,
        )
    else:
        print_error(str(exc))
    return typer.Exit(EXIT_MISUSE)


def _emit(text: str, out: Optional[Path]) -> None:
    if out is None:
        typer.echo(text, nl=False)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    err_console.print(f"wrote {out}", highlight=False)


def leaderboard(
    run_dirs: List[Path] = typer.Argument(..., help="Run directories, or folders to search for them (e.g. runs/)."),
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="table (terminal), md, csv (tidy: one line per metric), html (one self-contained page) or json."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write to this file instead of standard output."),
    reference_dir: Optional[Path] = typer.Option(None, "--reference-dir", help="Folder of reported-number CSVs (default: leaderboards/reference)."),
    no_reference: bool = typer.Option(False, "--no-reference", help="Leave out the published (reported) rows."),
    all_metrics: bool = typer.Option(False, "--all-metrics", help="Show every metric, not only each task's headline metrics."),
    verify: bool = typer.Option(False, "--verify", help="Recompute every point value from samples.jsonl and fail (exit 2) on any disagreement."),
) -> None:
    """Tabulate runs: one row per model and task, beside published numbers.

    Headline metrics with 95% bootstrap CI and n, judge and rubric version, judge parse
    failures, cost, date, gemeval version and the run directory behind each number.
    Published numbers (leaderboards/reference) appear as rows marked "reported".
    """
    try:
        reference = [] if no_reference else load_reference(reference_dir)
        board = board_mod.build_leaderboard(run_dirs, reference, all_metrics=all_metrics, verify=verify)
    except USAGE_ERRORS as exc:
        raise _fail(exc) from None
    for warning in board.warnings:
        err_console.print(f"[yellow]note:[/] {warning}", highlight=False)
    if board.errors:
        for line in board.errors:
            print_error(line)
        err_console.print("results.json disagrees with samples.jsonl; rerun `gemeval run` on those runs to rebuild them.")
        raise typer.Exit(EXIT_MISUSE)
    if board.n_measured == 0:
        err_console.print(
            "[bold red]error:[/] no finished run found under "
            + ", ".join(str(p) for p in run_dirs) + "; run `gemeval run` first (a run is finished when it has results.json)",
            highlight=False,
        )
        raise typer.Exit(EXIT_MISUSE)
    if fmt is Format.table and out is None:
        _print_tables(board)
    elif fmt is Format.table:
        console = Console(record=True, width=240, file=io.StringIO())
        _print_tables(board, console)
        _emit(console.export_text(), out)
    elif fmt is Format.md:
        _emit(board_mod.to_markdown(board), out)
    elif fmt is Format.csv:
        _emit(board_mod.to_csv(board), out)
    elif fmt is Format.json:
        _emit(json.dumps(json_safe(board_mod.to_dict(board)), indent=2, ensure_ascii=False) + "\n", out)
    else:
        from gemeval.report.html import to_html  # matplotlib is only loaded for HTML

        _emit(to_html(board), out)


def _print_tables(board: board_mod.Leaderboard, console: Console = out_console) -> None:
    """Compact per-task tables for a terminal; the run directory (or published source) behind
    each row is listed under its table instead of in a wide column."""
    for task in board.tasks:
        rows, sources, styles = [], [], []
        for i, row in enumerate(task.rows, start=1):
            reported = row.status != board_mod.MEASURED
            info = board_mod.info_values(row)
            rows.append([
                str(i), board_mod.row_model(row) + (" (reported)" if reported else ""), row.modality,
                *[board_mod.format_cell(row.cells.get(m)) for m in task.metrics], *info[:4],
            ])
            styles.append("italic dim" if reported else None)
            sources.append(f"  {i}: {row.source + ' (' + row.run_dir + ')' if reported else row.run_dir}")
        columns = [("#", "right"), ("model", "left"), ("input", "left"), *[(m, "right") for m in task.metrics],
                   ("judge", "left"), ("parse fail.", "right"), ("cost $", "right"), ("date", "left")]
        print_table(columns, rows, title=task.title, console=console, keys=2, row_styles=styles)
        console.print("\n".join(sources), highlight=False, markup=False, soft_wrap=True)


def compare(
    run_a: Path = typer.Argument(..., help="The reference run (A)."),
    run_b: Path = typer.Argument(..., help="The run compared with it (B); differences are B - A."),
    metric: Optional[List[str]] = typer.Option(None, "--metric", "-m", help="Only this metric (repeatable; default: every metric both runs report)."),
    resamples: int = typer.Option(10_000, "--resamples", min=100, help="Bootstrap resamples."),
    seed: int = typer.Option(0, "--seed", help="Seed of the bootstrap draws."),
    alpha: float = typer.Option(0.05, "--alpha", min=1e-6, max=0.5, help="CIs are two-sided (1 - alpha)."),
    allow_mismatch: bool = typer.Option(False, "--allow-mismatch", help="Compare even when data, prompts, task version or judge differ."),
    show: int = typer.Option(10, "--show", min=0, help="Changed items listed per metric."),
    json_out: Optional[Path] = typer.Option(None, "--json", help="Write the whole comparison, every changed item included, as JSON."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help="table (for a terminal) or json (the whole comparison, every changed item included, on standard output)."),
) -> None:
    """Compare two runs metric by metric: B - A with a paired CI and the items that changed.

    The CI is a paired bootstrap that resamples whole ECGs (the same draws for both runs);
    accuracy-type (0/1) metrics also get McNemar's exact test. Runs on different data,
    prompts, task versions or judges are refused (exit 2) unless --allow-mismatch.
    """
    try:
        a, b = compare_mod.load_run(run_a), compare_mod.load_run(run_b)
        result = compare_mod.compare_runs(a, b, metric, resamples, seed, alpha, allow_mismatch,
                                          max_changed=None if json_out is not None or fmt is OutputFormat.json else show)
    except USAGE_ERRORS as exc:
        raise _fail(exc) from None
    if fmt is OutputFormat.json:
        print_json(compare_mod.comparison_to_dict(result))
        if json_out is not None:
            write_json(json_out, compare_mod.comparison_to_dict(result))
        return
    console = out_console
    console.print(
        f"A = {a.label} ({a.path}), B = {b.label} ({b.path}); {len(result.draws.ids)} paired samples, "
        f"{result.n_prediction_changed} with a different prediction text",
        highlight=False,
    )
    for line in result.mismatches:
        err_console.print(f"[yellow]warning:[/] runs differ in {line} (--allow-mismatch)", highlight=False)
    if result.only_in_a or result.only_in_b:
        err_console.print(
            f"[yellow]note:[/] {len(result.only_in_a)} samples only in A, {len(result.only_in_b)} only in B; compared on the shared ones",
            highlight=False,
        )
    if result.skipped:
        err_console.print(f"[yellow]note:[/] metrics in one run only, not compared: {', '.join(result.skipped)}", highlight=False)
    ci = f"{100 * (1 - alpha):g}% CI"
    rows: list[list[str | Text]] = []
    for m in result.metrics:
        diff = Text("n/a")
        if m.diff is not None:
            diff = Text(f"{m.diff:+.4g}")
            if m.significant:
                better = (m.diff > 0) == m.higher_is_better
                diff.append(" better" if better else " worse", style="green" if better else "red")
        mc = "" if m.mcnemar is None else f"{m.mcnemar.lost}/{m.mcnemar.gained}, p={m.mcnemar.p_value:.3g}"
        rows.append([
            m.metric + ("" if m.higher_is_better else " (lower is better)"),
            board_mod.format_value(m.value_a), board_mod.format_value(m.value_b), diff,
            "n/a" if m.ci_low is None else f"[{m.ci_low:+.4g}, {m.ci_high:+.4g}]",
            str(m.n_pairs), f"{m.n_failed_a}/{m.n_failed_b}", mc,
            str(m.n_changed) if m.kind == "mean" else m.note or "",
        ])
    print_table(
        [("metric", "left"), ("A", "right"), ("B", "right"), ("B - A", "right"), (ci, "right"), ("n", "right"),
         ("failed A/B", "right"), ("McNemar lost/gained, p", "right"), ("changed", "right")],
        rows, title=f"B - A, paired bootstrap over whole ECGs ({resamples} resamples, seed {seed})", console=console,
    )
    for m in result.metrics:
        if not m.changed or show == 0:
            continue
        print_table(
            [("id", "left"), ("group", "left"), ("A", "right"), ("B", "right")],
            [[c.id, c.group, board_mod.format_value(c.value_a), board_mod.format_value(c.value_b)] for c in m.changed[:show]],
            title=f"{m.metric}: {m.n_changed} items changed (largest first)", console=console,
        )
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        write_json(json_out, compare_mod.comparison_to_dict(result))
        err_console.print(f"wrote {json_out}", highlight=False)


def gate(
    baseline: Path = typer.Option(..., "--baseline", help="Run directory of the released model (A)."),
    candidate: Path = typer.Option(..., "--candidate", help="Run directory of the candidate (B)."),
    policy: Optional[Path] = typer.Option(None, "--policy", help="Policy YAML: alpha, rule, correction and per metric margin / min / max / max_failed_rate / if_present (see gate.example.yaml). Default: the task's headline metrics with the default margins."),
    markdown: Optional[Path] = typer.Option(None, "--markdown", help="Write a markdown summary for a pull-request comment here."),
    junit: Optional[Path] = typer.Option(None, "--junit", help="Write a JUnit XML report (one test case per metric) here."),
    allow_mismatch: bool = typer.Option(False, "--allow-mismatch", help="Gate even when data, prompts, task version or judge differ."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help=FORMAT_HELP),
) -> None:
    """Release gate for a candidate run against a baseline: exit 0 pass, 1 regression, 2 misuse.

    Per metric of the policy, d = candidate - baseline (positive = better; flipped for
    lower-is-better metrics) is bootstrapped with the same draws of whole ECGs for both runs.
    Rule `regression` (default): the metric fails when the one-sided (1 - a) upper bound of
    d is below -margin, i.e. the candidate is worse by more than the margin with confidence;
    with no true difference that happens at most a of the time. Rule `non-inferiority`: the
    metric fails unless the one-sided (1 - a) lower bound of d is above -margin. a = alpha,
    divided by the number of gated metrics with `correction: bonferroni` (the default).
    `min`/`max` bound the candidate's value; `max_failed_rate` bounds the share of its
    samples with no value. Cached judge verdicts are reused when the candidate run is made;
    the gate only reads the two run directories.

    Without --policy the task's headline metrics that both runs report are gated, rule
    `regression`, alpha 0.05 with Bonferroni, margin 0.02 for a metric on a 0-1 scale and 2%
    of the baseline's value for any other (a judge score of 80: 1.6).
    """
    left_out: list[str] = []
    try:
        base, cand = compare_mod.load_run(baseline), compare_mod.load_run(candidate)
        if policy is None:
            rules, left_out = gate_mod.default_policy(base, cand)
        else:
            rules = gate_mod.load_policy(policy)
        result = gate_mod.run_gate(base, cand, rules, allow_mismatch)
    except USAGE_ERRORS as exc:
        raise _fail(exc) from None
    if policy is None:
        err_console.print("no --policy: gating the task's headline metrics with the default margins", highlight=False)
    result.skipped.extend(left_out)
    if markdown is not None:
        _emit(gate_mod.to_markdown(result), markdown)
    if junit is not None:
        _emit(gate_mod.to_junit(result), junit)
    if fmt is OutputFormat.json:
        print_json(gate_mod.gate_to_dict(result))
        raise typer.Exit(EXIT_OK if result.passed else EXIT_REGRESSION)
    rows: list[list[str | Text]] = []
    for v in result.verdicts:
        verdict = Text("pass", style="green") if v.passed else Text.assemble(("FAIL", "red"), ": " + "; ".join(v.reasons))
        if v.inconclusive:
            verdict = Text("pass (inconclusive)", style="yellow")
        rows.append([
            v.metric, board_mod.format_value(v.baseline), board_mod.format_value(v.candidate), f"{v.test.diff:+.4g}",
            f"[{board_mod.format_value(v.test.lower)}, {board_mod.format_value(v.test.upper)}]", f"{v.policy.margin:g}", verdict,
        ])
    print_table(
        [("metric", "left"), ("baseline", "right"), ("candidate", "right"), ("difference", "right"), ("bounds", "right"),
         ("margin", "right"), ("verdict", "left")],
        rows, title=f"gemeval gate: {'PASS' if result.passed else 'REGRESSION'}",
    )
    out_console.print(gate_mod.rule_text(result.policy), highlight=False)
    for line in result.skipped:
        err_console.print(f"[yellow]not gated:[/] {escape(line)}", highlight=False)
    for line in result.mismatches:
        err_console.print(f"[yellow]warning:[/] runs differ in {line} (--allow-mismatch)", highlight=False)
    raise typer.Exit(EXIT_OK if result.passed else EXIT_REGRESSION)


def view(
    run_a: Path = typer.Argument(..., help="A run directory."),
    run_b: Optional[Path] = typer.Argument(None, help="A second run of the same task: shown side by side, changed items first."),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="The HTML file to write (default: view.html in the run directory)."),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", help="Root of the run's data, for the prompts and ECG pages (default: $GEMEVAL_DATA)."),
    max_images: int = typer.Option(view_mod.DEFAULT_MAX_IMAGES, "--max-images", min=0, help="ECG pages embedded at most (distinct ECGs, in list order)."),
    serve: bool = typer.Option(False, "--serve", help="Also serve the page on http://127.0.0.1 until Ctrl-C."),
    port: int = typer.Option(0, "--port", min=0, max=65535, help="Port for --serve (0: any free port)."),
) -> None:
    """Write one self-contained HTML page to browse a run's samples (no network needed).

    The page shows the run's config and results with CIs, a sample list with filters (errors,
    contradictions, judge score range, label, text search) and sorting by any per-sample
    metric, and for one sample the ECG page, the prompt, the model's text with every
    grounding claim marked (hover for the truth and band), the reference, the judge's
    scores and explanations, metrics, latency and tokens. With two runs the samples are
    paired by id as in `gemeval compare`.
    """
    try:
        runs = [compare_mod.load_run(p) for p in (run_a, run_b) if p is not None]
        if len(runs) == 2:
            differences = compare_mod.config_differences(runs[0].config, runs[1].config)
            task_a, task_b = ((r.config.get("task") or {}).get("name") for r in runs)
            if task_a != task_b:
                raise compare_mod.RunMismatchError(differences)
            for line in differences:
                err_console.print(f"[yellow]note:[/] runs differ in {line}", highlight=False, markup=False)
    except USAGE_ERRORS as exc:
        raise _fail(exc) from None
    ids = [str(s["id"]) for s in runs[0].samples]
    pages = [view_mod.ecg_pages(runs[0], ids, data_dir, max_images)]
    if len(runs) == 2:
        seen = set(ids)
        pages.append(view_mod.ecg_pages(runs[1], [str(s["id"]) for s in runs[1].samples if str(s["id"]) not in seen],
                                        data_dir, max(0, max_images - len(pages[0].images))))
    for p in pages:
        if p.note:
            err_console.print(f"ECG pages: {p.note}", highlight=False, markup=False, soft_wrap=True)
    target = out if out is not None else runs[0].path / "view.html"
    _emit(view_mod.build_view(runs, pages), target)
    if serve:
        view_mod.serve(target, port)


def register(app: typer.Typer) -> None:
    """Add the report commands to the top-level app."""
    app.command("view")(view)
    app.command("leaderboard")(leaderboard)
    app.command("compare")(compare)
    app.command("gate")(gate)
