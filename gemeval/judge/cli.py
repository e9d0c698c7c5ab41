"""`gemeval judge` commands."""

import typer

app = typer.Typer(help="judge commands.", no_args_is_help=True)
