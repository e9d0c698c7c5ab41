"""`gemeval judge` commands: judge reliability and the rubrics."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from gemeval.console import FORMAT_HELP, OutputFormat, out_console, print_error, print_json, print_table
from gemeval.console import fmt_number as _fmt

app = typer.Typer(help="LLM-judge reliability and rubrics.", no_args_is_help=True)


def _fail(message: str) -> None:
    print_error(message)
    raise typer.Exit(code=2)


@app.command()
def agreement(
    run_a: Path = typer.Argument(..., help="Run directory judged first (or by judge A)."),
    run_b: Path = typer.Argument(..., help="Run directory with the same outputs judged again (or by judge B)."),
    rule: Optional[str] = typer.Option(None, help="Aggregation rule; default: the one the runs used."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON (as --format json)."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help=FORMAT_HELP),
) -> None:
    """Agreement between two judgements of the same outputs, per criterion: Spearman's rho,
    quadratic-weighted kappa and mean absolute difference, paired by sample id."""
    from gemeval.judge.agreement import AgreementError, run_agreement
    from gemeval.judge.rubric import RubricError
    from gemeval.store import RunStoreError

    try:
        result = run_agreement(run_a, run_b, rule)
    except (AgreementError, RubricError, RunStoreError) as exc:
        _fail(str(exc))
    if as_json or fmt is OutputFormat.json:
        print_json(result)
        return
    console = out_console
    print_table(
        [(c, "left" if c == "criterion" else "right")
         for c in ("criterion", "n", "missing", "Spearman", "kappa (quadratic)", "mean |A-B|", "mean A", "mean B")],
        [[name, str(row["n"]), str(row["n_missing"]), _fmt(row["spearman"]), _fmt(row["kappa_quadratic"]),
          _fmt(row["mad"], 2), _fmt(row["mean_a"], 2), _fmt(row["mean_b"], 2)] for name, row in result["criteria"].items()],
        title=f"judge agreement, rubric {result['rubric']} ({result['rule']})", console=console,
    )
    console.print(
        f"paired {result['n_paired']} samples (only in A: {result['only_a']}, only in B: {result['only_b']}); "
        f"judges: A {', '.join(result['judge_a'])}, B {', '.join(result['judge_b'])}"
    )
    if result["outputs_differ"]:
        console.print(f"[yellow]warning:[/yellow] {result['outputs_differ']} paired samples have different model "
                      "outputs; agreement then mixes judge and model differences")
    if result["stale_rubric_sha256"]:
        console.print("[yellow]warning:[/yellow] some records were judged with another version of the rubric file")


@app.command()
def spread(
    run: Path = typer.Argument(..., help="Run directory judged with --judge-repeats K (K >= 2)."),
    rule: Optional[str] = typer.Option(None, help="Aggregation rule; default: the one the run used."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON (as --format json)."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help=FORMAT_HELP),
) -> None:
    """How far the judge moves when it grades the same outputs again (the null control for a
    CI gate): per criterion, the within-sample SD and range across repeats and the SD of the
    repeat means."""
    from gemeval.judge.agreement import AgreementError, run_spread
    from gemeval.judge.rubric import RubricError
    from gemeval.store import RunStoreError

    try:
        result = run_spread(run, rule)
    except (AgreementError, RubricError, RunStoreError) as exc:
        _fail(str(exc))
    if as_json or fmt is OutputFormat.json:
        print_json(result)
        return
    console = out_console
    print_table(
        [(c, "left" if c == "criterion" else "right")
         for c in ("criterion", "n", "mean within-sample SD", "max range", "SD of repeat means", "repeat means")],
        [[name, str(row["n"]), _fmt(row["mean_sd"]), _fmt(row["max_range"], 2), _fmt(row["sd_of_repeat_means"]),
          ", ".join(_fmt(m, 2) for m in row["repeat_means"])] for name, row in result["criteria"].items()],
        title=f"judge spread over {result['repeats']} repeats, {result['n_samples']} samples ({result['rule']})",
        console=console,
    )


@app.command("claims-agreement")
def claims_agreement(
    run: Path = typer.Argument(..., help="Run directory made with --claims llm."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON (as --format json)."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help=FORMAT_HELP),
) -> None:
    """Rules-vs-LLM claim agreement in a --claims llm run: the rule-based extractor reads the
    same texts, and the two claim lists are matched one to one, per quantity and per
    assertion status (agreement = both / (rules + llm - both))."""
    from gemeval.judge.claims import claims_agreement as compute

    result = compute(run)  # a run made with the rules, or no run at all: one line, exit 2
    if as_json or fmt is OutputFormat.json:
        print_json(result)
        return
    console = out_console
    for key in ("by_quantity", "by_assertion"):
        print_table(
            [(c, "left" if c == key[3:] else "right") for c in
             (key[3:], "rules", "llm", "both", "agreement", "LLM claims the rules make", "rule claims the LLM makes")],
            [[name, str(row["rules"]), str(row["llm"]), str(row["both"]), _fmt(row["agreement"]),
              _fmt(row["llm_found_by_rules"]), _fmt(row["rules_found_by_llm"])]
             for name, row in [*result[key].items(), ("all", result["overall"])]],
            title=f"claims, rules vs LLM ({result['claims'].get('model')}), {key.replace('_', ' ')}", console=console,
        )
    console.print(f"compared {result['samples_compared']} samples; LLM reading failed for {result['samples_failed']} "
                  f"(malformed replies {result['malformed_replies']}); invalid LLM claims {result['invalid_llm_claims']}")


@app.command()
def rubrics(fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help=FORMAT_HELP)) -> None:
    """The judge rubrics: version, content hash, criteria and aggregation rules."""
    from gemeval.judge.rubric import list_rubrics, load_rubric

    loaded = [load_rubric(name) for name in list_rubrics()]
    if fmt is OutputFormat.json:
        print_json([{"name": r.name, "version": r.version, "sha256": r.sha256, "criteria": list(r.criterion_names),
                     "rules": list(r.rules), "default_rule": r.default_rule} for r in loaded])
        return
    print_table(
        [("name", "left"), ("version", "left"), ("sha256", "left"), ("criteria", "left"), ("rules (* default)", "left")],
        [[r.name, r.version, r.sha256[:12], ", ".join(r.criterion_names),
          ", ".join(f"{n}{' *' if n == r.default_rule else ''}" for n in r.rules)] for r in loaded],
        title="judge rubrics",
    )
