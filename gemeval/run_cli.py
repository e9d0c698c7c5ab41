"""`gemeval run`, `tasks`, `models`, `show`, `merge`."""

import typer


def register(app: typer.Typer) -> None:
    """Add the run commands to the top-level app."""
