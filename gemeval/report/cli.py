"""`gemeval leaderboard`, `compare` and `gate`."""

import typer


def register(app: typer.Typer) -> None:
    """Add the report commands to the top-level app."""
