"""The terminal streams every gemeval command writes to, and how an error is printed."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

out_console = Console()
err_console = Console(stderr=True)


def print_error(message: str) -> None:
    """``error: <message>`` on stderr, the message printed as it is (never read as rich
    markup, so ``pip install 'gemeval[text]'`` keeps its brackets) and not wrapped."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
