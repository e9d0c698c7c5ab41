"""`gemeval ecg` commands."""

import typer

app = typer.Typer(help="ecg commands.", no_args_is_help=True)
