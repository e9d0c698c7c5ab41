"""`gemeval modality`: agreement of a model's claims across input modalities.

Exit codes: 0 ok, 2 unreadable or unfinished runs, or runs that are not one model on one
task and the same data with distinct modalities.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.table import Table

from gemeval.console import FORMAT_HELP, OutputFormat, err_console, out_console, print_error, print_json
from gemeval.store import RunStoreError, write_json


def modality(
    runs: List[Path] = typer.Argument(..., help="Two or three finished runs of one model and task: --modality image, signal and/or both."),
    resamples: int = typer.Option(1000, "--resamples", min=0, help="Bootstrap resamples for the CIs."),
    seed: int = typer.Option(0, "--seed", help="Seed of the bootstrap draws."),
    json_out: Optional[Path] = typer.Option(None, "--json", help="Also write the table as JSON."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help=FORMAT_HELP),
) -> None:
    """Do the claims agree when the same ECG is read as an image, a signal, or both?

    Per feature (rhythm, rate, PR, QRS, QTc, axis, ST) and pair of runs: the share of
    samples whose two readings agree, of those where both texts state the feature (95% CI
    over whole ECGs), and how many state it in one modality only.
    """
    from gemeval.report import modality as modality_mod
    from gemeval.report.compare import load_run

    try:
        loaded = [load_run(path) for path in runs]
        report = modality_mod.modality_agreement(loaded, n_resamples=resamples, seed=seed)
    except (RunStoreError, modality_mod.ModalityError) as exc:
        print_error(str(exc))
        raise typer.Exit(2) from None
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        write_json(json_out, report.to_dict())
        err_console.print(f"wrote {json_out}", highlight=False)
    if fmt is OutputFormat.json:
        print_json(report.to_dict())
        return
    pairs = sorted({(r.modality_a, r.modality_b) for r in report.rows})
    table = Table(title=f"{report.model} on {report.task}: agreement of claims across modalities", title_justify="left")
    table.add_column("feature")
    for a, b in pairs:
        table.add_column(f"{a} vs {b}: agree [95% CI]")
        table.add_column("n both / one only")
    for feature in dict.fromkeys(r.feature for r in report.rows):
        cells = [feature]
        for pair in pairs:
            row = next(r for r in report.rows if (r.modality_a, r.modality_b) == pair and r.feature == feature)
            cells.append("n/a" if not row.n_both else f"{row.agreement:.3f} [{row.ci_low:.3f}, {row.ci_high:.3f}]")
            cells.append(f"{row.n_both} / {row.n_one_sided}")
        table.add_row(*cells)
    out_console.print(table)
    for (a, b), value in modality_mod.summary(report).items():
        out_console.print(f"{a} vs {b}: mean agreement over features {value:.3f}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("modality")(modality)
