"""The terminal streams every gemeval command writes to, how an error is printed, and tables
that fit the terminal (or a pipe, 80 columns) without cutting a word."""

from __future__ import annotations

import contextlib
import json
import math
import sys
from enum import Enum
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence, TypeVar

from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

T = TypeVar("T")

MISSING = "-"
"""How every table shows a value that is not there: None, NaN or infinite."""

out_console = Console()
err_console = Console(stderr=True)


def fmt_number(value: Any, digits: int = 3, spec: str | None = None) -> str:
    """A value for a table: a float with ``digits`` decimals (or the format ``spec``), an
    integer as it is, ``MISSING`` for None, NaN and infinities, anything else as text."""
    if value is None:
        return MISSING
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(number):
        return MISSING
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return format(number, spec or f".{digits}f")


def print_error(message: str) -> None:
    """``error: <message>`` on stderr, the message printed as it is (never read as rich
    markup, so ``pip install 'gemeval[text]'`` keeps its brackets) and not wrapped."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)



def _plain(cell: "str | Text") -> str:
    return cell.plain if isinstance(cell, Text) else str(cell)


def _min_width(cells: Sequence["str | Text"], no_wrap: bool) -> int:
    """The narrowest a column can be without cutting a word (a whole cell when ``no_wrap``)."""
    widest = 0
    for cell in cells:
        for line in _plain(cell).splitlines() or [""]:
            parts = [line] if no_wrap else line.split()
            widest = max(widest, *(cell_len(p) for p in parts or [""]))
    return widest


def print_table(
    columns: Sequence[tuple[str, str]],
    rows: Sequence[Sequence["str | Text"]],
    title: str = "",
    console: Console | None = None,
    keys: int = 1,
    row_styles: Sequence[str | None] | None = None,
) -> None:
    """A table that never cuts a word: as a grid when every column fits at its narrowest
    (the first ``keys`` columns, names and ids, kept whole on one line; other cells wrapped
    at spaces), else as one block per row, ``key`` then ``column: value`` pairs wrapped at
    spaces. ``columns`` are ``(header, justify)``; a ``str`` cell is plain text (never markup),
    a ``Text`` cell keeps its styles."""
    console = console or out_console
    styles = list(row_styles or [None] * len(rows))
    mins = []
    for i, (header, _) in enumerate(columns):
        cells = [r[i] for r in rows]
        mins.append(max(_min_width([header], False), _min_width(cells, i < keys)))
    needed = sum(mins) + 3 * len(columns) + 1
    if needed <= console.width:
        table = Table(title=title or None, title_justify="left")
        for i, ((header, justify), width) in enumerate(zip(columns, mins)):
            table.add_column(header, justify=justify, min_width=width, no_wrap=i < keys, overflow="fold")  # type: ignore[arg-type]
        for row, style in zip(rows, styles):
            table.add_row(*(c if isinstance(c, Text) else Text(str(c)) for c in row), style=style)
        console.print(table)
        return
    if title:
        console.print(Text(title, style="italic"))
    width = max(console.width, 40)
    for row, style in zip(rows, styles):
        head = Text(" · ").join(c if isinstance(c, Text) else Text(str(c)) for c in row[:keys] if _plain(c))
        head.stylize("bold")
        if style:
            head.stylize(style)
        console.print(head, soft_wrap=False, overflow="fold")
        pairs = [
            Text.assemble((f"{header}: ", "dim"), c if isinstance(c, Text) else Text(" / ".join(str(c).splitlines())))
            for (header, _), c in zip(columns[keys:], row[keys:]) if _plain(c).strip()
        ]
        line = Text("  ")
        for pair in pairs:
            if cell_len(line.plain) > 2 and cell_len(line.plain) + 3 + cell_len(pair.plain) > width:
                _print_indented(console, line, width)
                line = Text("  ")
            elif cell_len(line.plain) > 2:
                line.append(" · ")
            line.append_text(pair)
        if cell_len(line.plain) > 2:
            _print_indented(console, line, width)


def _print_indented(console: Console, line: Text, width: int) -> None:
    """``line`` wrapped at spaces to ``width``, continuation lines indented by four."""
    for i, part in enumerate(line.wrap(console, width - 4 if cell_len(line.plain) > width else width, overflow="fold")):
        part.rstrip()
        if i:
            part = Text("    ") + part
        console.print(part, soft_wrap=True)


class OutputFormat(str, Enum):
    """``--format`` of the listing commands: a table for people, JSON for scripts."""

    table = "table"
    json = "json"


FORMAT_HELP = "table (for a terminal) or json (for scripts)."


def json_safe(value: Any) -> Any:
    """``value`` with NaN and infinities as None and paths as strings: valid JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


def print_json(obj: Any) -> None:
    """``obj`` as indented JSON on standard output, NaN and infinities as null (valid JSON)."""
    sys.stdout.write(json.dumps(json_safe(obj), indent=2, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


_active_progress: list[Progress] = []


def new_progress(console: Console | None = None, disable: bool = False) -> Progress:
    """The progress display of a long step: a rich bar with count, elapsed and remaining time
    on a terminal; disabled (nothing written) when stderr is a pipe or a file."""
    console = console or err_console
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TimeRemainingColumn(), console=console, disable=disable or not console.is_terminal, transient=False,
    )


@contextlib.contextmanager
def progress_display(progress: Progress) -> Iterator[Progress]:
    """Show ``progress`` while the block runs; ``track`` inside it adds its bars there (rich
    allows one live display at a time)."""
    with progress:
        _active_progress.append(progress)
        try:
            yield progress
        finally:
            _active_progress.remove(progress)


def track(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    """Iterate over ``items`` with a progress bar on a terminal (inside the display of the
    running command where there is one) and no output at all in a pipe."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    if _active_progress:
        progress = _active_progress[-1]
        task = progress.add_task(description, total=total)
        try:
            for item in items:
                yield item
                progress.advance(task)
        finally:
            progress.remove_task(task)
        return
    progress = new_progress()
    if progress.disable:
        yield from items
        return
    with progress_display(progress):
        task = progress.add_task(description, total=total)
        for item in items:
            yield item
            progress.advance(task)
