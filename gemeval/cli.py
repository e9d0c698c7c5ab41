"""The `gemeval` command. Thin: parses arguments, calls the library, prints with rich.

Exit codes: 0 ok, 1 gate failed (or --strict found judge failures), 2 usage or input error
(any :class:`gemeval.errors.GemevalError`, including an unreachable judge server: one line, no
traceback), 130 interrupted; README.md lists the cases. Any other exception is a bug: its
traceback is kept, with a line saying how to report it.
"""

from __future__ import annotations

from typing import Any, Optional

import typer
from typer.core import TyperGroup

from gemeval import __version__
from gemeval.data import cli as data_cli
from gemeval.ecg import cli as ecg_cli
from gemeval.judge import cli as judge_cli
from gemeval.report import cli as report_cli
from gemeval.report import probes_cli
from gemeval import run_cli
from gemeval.console import print_error
from gemeval.errors import EXIT_USER_ERROR, GemevalError, report_hint

_CONTROL_FLOW_CLASSES = frozenset({"Exit", "Abort", "ClickException"})


def _is_control_flow(exc: Exception) -> bool:
    """An exit, an abort or a usage error of the command-line layer (click's, or the copy of
    click that recent typer versions carry): the layer prints those itself."""
    return any(cls.__name__ in _CONTROL_FLOW_CLASSES for cls in type(exc).__mro__)


class _Commands(TyperGroup):
    """The top-level command group: the one place where errors become exit codes."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except GemevalError as exc:
            print_error(str(exc))
            raise typer.Exit(EXIT_USER_ERROR) from exc
        except Exception as exc:
            if not _is_control_flow(exc):
                exc.add_note(report_hint())
            raise


app = typer.Typer(
    cls=_Commands,
    name="gemeval",
    help="Evaluate multimodal models on grounded ECG understanding.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"gemeval {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Optional[bool] = typer.Option(
        None, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Evaluate multimodal models on grounded ECG understanding."""


run_cli.register(app)
report_cli.register(app)
probes_cli.register(app)
app.add_typer(ecg_cli.app, name="ecg")
app.add_typer(data_cli.app, name="data")
app.add_typer(judge_cli.app, name="judge")
