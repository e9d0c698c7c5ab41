"""`gemeval data list | check | download`: what each task reads, what is on disk, and
getting the published benchmarks.

Exit codes: 0 ok; 1 ``check`` found a task without its data (it would run on the
synthetic set); 2 a usage or input error (unknown dataset, missing folder, offline).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, List, Mapping, Optional

import typer
from rich.markup import escape

from gemeval.console import FORMAT_HELP, OutputFormat, out_console, print_error, print_json
from gemeval.data.base import SOURCES, DataError, SourceInfo
from gemeval.tasks import TaskError, TaskSpec, list_tasks, load_task

EXIT_MISSING = 1
EXIT_INPUT_ERROR = 2

app = typer.Typer(
    help="What data each task reads, what is present, and downloading the published benchmarks.",
    no_args_is_help=True,
)



def _fill(text: str, task: TaskSpec) -> str:
    """``text`` with ``{key}`` replaced by the task's metadata (lists joined by " / ")."""
    values = {k: " / ".join(map(str, v)) if isinstance(v, list) else str(v) for k, v in task.options.items()}
    try:
        return text.format(**values)
    except (KeyError, IndexError):
        return text


def _sources() -> Mapping[str, SourceInfo]:
    return SOURCES


def _probe_ecgbench(task: TaskSpec, root: Path) -> list[Path]:
    from gemeval.data.ecgbench import locate

    found = locate(task, root)
    return found["parquet"] or found["json"][:1]


def _probe_grounding(which: tuple[str, ...]) -> Callable[[TaskSpec, Path], list[Path]]:
    def probe(task: TaskSpec, root: Path) -> list[Path]:
        from gemeval.data.grounding import locate

        return locate(root, which)

    return probe


def _probe_ptbxl(task: TaskSpec, root: Path) -> list[Path]:
    from gemeval.data.ptbxl import locate

    databases = locate(root)
    if not databases:
        return []
    folders = [databases[0].parent / name for name in ("records500", "records100") if (databases[0].parent / name).is_dir()]
    if not folders:
        raise DataError(f"{databases[0]} found, but no records500/ or records100/ beside it")
    return [databases[0], *folders]


def _probe_physionet(task: TaskSpec, root: Path) -> list[Path]:
    from gemeval.data.physionet import locate

    return locate([root], task.options.get("physionet_prefixes"))


def _probe_mimic(task: TaskSpec, root: Path) -> list[Path]:
    from gemeval.data.mimic import find_measurements

    table = find_measurements([root])
    return [table.path] if table else []


PROBES: dict[str, Callable[[TaskSpec, Path], list[Path]]] = {
    "ecgbench": _probe_ecgbench,
    "grounding": _probe_grounding(("mimic", "ptbxl")),
    "grounding-mimic": _probe_grounding(("mimic",)),
    "grounding-ptbxl": _probe_grounding(("ptbxl",)),
    "ptbxl": _probe_ptbxl,
    "physionet": _probe_physionet,
    "mimic": _probe_mimic,
}
"""Cheap presence checks: the index files a source would read (no item is parsed)."""


def _selected(names: Optional[List[str]]) -> list[TaskSpec]:
    if not names:
        return list_tasks()
    return [load_task(name) for name in names]


@app.command("list")
def list_command(
    task: Optional[List[str]] = typer.Option(None, "--task", help="Only this task (repeatable)."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help=FORMAT_HELP),
) -> None:
    """What each task reads: its data sources in the order tried, the files each needs and
    the command that gets them. A task whose files are absent runs on the synthetic set."""
    try:
        tasks = _selected(task)
    except TaskError as error:
        print_error(str(error))
        raise typer.Exit(EXIT_INPUT_ERROR) from None
    sources = _sources()
    if fmt is OutputFormat.json:
        print_json([{"task": spec.name, "kind": spec.kind, "description": spec.description,
                     "sources": [{"name": name, "summary": sources[name].summary, "needs": _fill(sources[name].needs, spec),
                                  "get": _fill(sources[name].get, spec)} for name in spec.sources],
                     "otherwise": "synthetic"} for spec in tasks])
        return
    for spec in tasks:
        out_console.print(f"[bold]{spec.name}[/] ({spec.kind}): {escape(spec.description)}", highlight=False)
        for i, name in enumerate(spec.sources, start=1):
            info = sources[name]
            out_console.print(f"  {i}. {name}: {escape(info.summary)}", highlight=False)
            out_console.print(f"     needs: {escape(_fill(info.needs, spec))}", highlight=False)
            out_console.print(f"     get:   {escape(_fill(info.get, spec))}", highlight=False)
        out_console.print("  otherwise: the embedded synthetic set (the results say so)", highlight=False)
    out_console.print("Point gemeval at the data with --data-dir DIR or GEMEVAL_DATA=DIR; "
                      "`gemeval data check DIR` shows what is there.", highlight=False)


def _shown(paths: list[Path], root: Path) -> str:
    names = [str(p.relative_to(root)) if p.is_relative_to(root) else str(p) for p in paths[:3]]
    more = f" (+{len(paths) - 3} more)" if len(paths) > 3 else ""
    return ", ".join(names) + more


@app.command()
def check(
    directory: Optional[Path] = typer.Argument(None, help="Data folder (default: $GEMEVAL_DATA)."),
    task: Optional[List[str]] = typer.Option(None, "--task", help="Only this task (repeatable)."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help=FORMAT_HELP),
) -> None:
    """What is present under DIR for each task, what is missing, and how to get it.

    Exits 1 when a checked task has none of its data (it would run on the synthetic set).
    """
    if directory is None and os.environ.get("GEMEVAL_DATA"):
        directory = Path(os.environ["GEMEVAL_DATA"])
    if directory is None:
        print_error("no data folder: give DIR or set GEMEVAL_DATA (see `gemeval data list`)")
        raise typer.Exit(EXIT_INPUT_ERROR)
    if not directory.is_dir():
        print_error(f"{directory} is not a folder; download into it with `gemeval data download ... --out {directory}`")
        raise typer.Exit(EXIT_INPUT_ERROR)
    try:
        tasks = _selected(task)
    except TaskError as error:
        print_error(str(error))
        raise typer.Exit(EXIT_INPUT_ERROR) from None
    sources = _sources()
    missing_tasks: list[str] = []
    report: list[dict] = []
    for spec in tasks:
        lines: list[str] = []
        ready = None
        entry: dict = {"task": spec.name, "ready_from": None, "sources": []}
        report.append(entry)
        for name in spec.sources:
            try:
                found, problem = PROBES[name](spec, directory), ""
            except DataError as error:
                found, problem = [], f" ({error})"
            entry["sources"].append({"name": name, "found": [str(p) for p in found], "problem": problem.strip(" ()") or None,
                                     "needs": _fill(sources[name].needs, spec), "get": _fill(sources[name].get, spec)})
            if found:
                ready = ready or name
                lines.append(f"  [green]found[/]   {name}: {escape(_shown(found, directory))}")
            else:
                lines.append(f"  [yellow]missing[/] {name}: {escape(_fill(sources[name].needs, spec) + problem)}")
                lines.append(f"          get it: {escape(_fill(sources[name].get, spec))}")
        entry["ready_from"] = ready
        if fmt is OutputFormat.json:
            if spec.sources and not ready:
                missing_tasks.append(spec.name)
            continue
        if ready:
            status = f"[green]ready[/] from {ready}"
        elif spec.sources:
            status = "[yellow]no data[/]: would run on the synthetic set"
            missing_tasks.append(spec.name)
        else:
            status = "synthetic set only"
        out_console.print(f"[bold]{spec.name}[/]: {status}", highlight=False)
        for line in lines:
            out_console.print(line, highlight=False, soft_wrap=True)
    if fmt is OutputFormat.json:
        print_json({"directory": str(directory), "tasks": report, "without_data": missing_tasks})
        if missing_tasks:
            raise typer.Exit(EXIT_MISSING)
        return
    if missing_tasks:
        out_console.print(f"{len(missing_tasks)} task(s) without data under {escape(str(directory))}: "
                          f"{', '.join(missing_tasks)}", highlight=False)
        raise typer.Exit(EXIT_MISSING)


@app.command()
def download(
    dataset: str = typer.Argument(..., help="ecgbench (PULSE-ECG/ECGBench) or grounding (LANSG/ECG-Grounding)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Data folder (default: $GEMEVAL_DATA, else ./data)."),
    revision: Optional[str] = typer.Option(None, "--revision", help="Branch, tag or commit (default: main)."),
    subset: Optional[List[str]] = typer.Option(None, "--subset", help="ECG-Bench subset only, e.g. ptb-test (repeatable)."),
    with_images: bool = typer.Option(False, "--with-images", help="ECG-Grounding: also fetch ecg_images/ (large)."),
    endpoint: Optional[str] = typer.Option(None, "--endpoint", help="Hub endpoint or mirror (default: $HF_ENDPOINT or huggingface.co)."),
) -> None:
    """Download a published benchmark from the Hugging Face Hub into the hub's layout.

    Resumable: run the same command again after an interruption and only what is missing
    is fetched. Offline (HF_HUB_OFFLINE=1) or with the Hub unreachable it stops at once.
    """
    from gemeval.data.hub import HUB_DATASETS, download as hub_download

    if dataset not in HUB_DATASETS:
        print_error(f"unknown dataset {dataset!r}; choose one of {', '.join(HUB_DATASETS)}")
        raise typer.Exit(EXIT_INPUT_ERROR)
    if out is None:
        out = Path(os.environ["GEMEVAL_DATA"]) if os.environ.get("GEMEVAL_DATA") else Path("data")
    try:
        folder, sha = hub_download(dataset, out, revision=revision, endpoint=endpoint,
                                   subsets=subset or (), with_images=with_images)
    except DataError as error:
        print_error(str(error))
        raise typer.Exit(EXIT_INPUT_ERROR) from None
    out_console.print(f"{HUB_DATASETS[dataset].repo_id} at commit {sha} -> {escape(str(folder))}")
    out_console.print(f"next: gemeval data check {escape(str(out))}   (and run with --data-dir {escape(str(out))} "
                      f"or export GEMEVAL_DATA={escape(str(out.resolve()))})")
