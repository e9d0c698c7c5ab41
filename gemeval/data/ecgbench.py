"""ECG-Bench (PULSE, Hugging Face ``PULSE-ECG/ECGBench``) in every published form.

Accepted files, for the subset a task names (``metadata.ecgbench_subset``):

* the hub's parquet: ``<subset>/test-00000-of-00001.parquet`` (columns ``id``,
  ``image_path``, ``image`` = {bytes, path}, ``conversations``), or the parquet-converter
  layout ``<subset>/test/0000.parquet``; images stay in the file and are read one row group
  at a time when a model asks for them;
* the published JSON files (``metadata.ecgbench_files``: ``cpsc-test.json``, ...,
  ``ptb_report_generation_test.json``), images found under the JSON's folder or the data
  root by their ``image`` path;
* GEM's copies (``ECG-Grounding/ecg_bench/*.json``), whose ``ecg`` field names the WFDB
  record: the signal is then available too. When both a parquet and GEM's copy are
  present, the parquet is read and the copy's ``ecg`` paths are attached by id.

Items: ``conversations`` or ``conversation``; roles ``human``/``gpt`` or ``user``/
``assistant``; answers that are strings or lists of strings; the arena's two-turn
``{question, answer}`` lists. The prompt is the first human turn with ``<image>`` removed;
the reference is the first answer, in the task's terms (see :func:`reference_for`).
"""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from gemeval.data.base import (DataError, DataOptions, Dataset, ItemProblem, OutsideDataRoot, collect_files, confine,
                               inside_roots, item_id_of, media_roots, usable_name)
from gemeval.data.physionet import RecordResolver, find_dirs, find_files
from gemeval.metrics.mcq import LETTERS, parse_options
from gemeval.sample import Sample
from gemeval.tasks import TaskSpec

ANSWER_CODES: dict[str, tuple[str, ...]] = {
    "ptbxl-super": ("NORM", "MI", "STTC", "CD", "HYP"),
    "code15": ("1dAVb", "RBBB", "LBBB", "SB", "ST", "AF", "NORM", "ABNORMAL"),
    "cpsc2018": ("NORM", "AF", "I-AVB", "LBBB", "RBBB", "PAC", "PVC", "STD", "STE"),
}
"""The label codes the published answers use, per label space. CODE-15%'s answers are
either "NORM", "ABNORMAL" or a list of its six abnormalities."""

HUMAN_ROLES = frozenset({"human", "user"})
ANSWER_ROLES = frozenset({"gpt", "assistant"})
IMAGE_TOKEN = "<image>"

_ANSWER_LETTER = re.compile(r"^\s*(?:the\s+answer\s+is\s*:?\s*)?\(?([A-H])(?:[.):]|\s|$)", re.IGNORECASE)
_AUGMENTATION_SUFFIX = re.compile(r"-\d+$")
_PTBXL_NAME = re.compile(r"(?<!\d)(\d{5})_hr(?!\w)")


# -- conversations --------------------------------------------------------------------


def _text(value: Any) -> str:
    """A turn's value as text; list-valued turns are joined by ", "."""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def turns_of(item: dict[str, Any]) -> list[dict[str, Any]]:
    """The item's conversation as a list of dicts (``conversations`` or ``conversation``)."""
    turns = item.get("conversations")
    if turns is None:
        turns = item.get("conversation")
    if not isinstance(turns, (list, tuple)):
        return []  # missing, or not a list of turns: the item has no question (reported)
    return [dict(t) for t in turns if isinstance(t, dict)]


def strip_image_token(text: str) -> str:
    """The text without ``<image>`` placeholders and surrounding blank lines."""
    return text.replace(IMAGE_TOKEN, "").strip()


def prompt_and_answer(item: dict[str, Any]) -> tuple[str | None, Any]:
    """The first human turn (``<image>`` removed) and the first answer turn after it.

    Roles may be ``from``/``role`` keyed, ``human``/``user`` and ``gpt``/``assistant``; the
    answer keeps its type (a string, or a list for ECG-QA). Arena turns
    (``{question, answer}``) give the first question and answer. Missing parts are None.
    """
    turns = turns_of(item)
    if turns and "question" in turns[0]:
        return strip_image_token(_text(turns[0].get("question"))) or None, turns[0].get("answer")
    prompt: str | None = None
    for turn in turns:
        role = str(turn.get("from", turn.get("role", ""))).lower()
        value = turn.get("value", turn.get("content"))
        if prompt is None and role in HUMAN_ROLES:
            prompt = strip_image_token(_text(value)) or None
        elif prompt is not None and role in ANSWER_ROLES:
            return prompt, value
    return prompt, None


def arena_turns(item: dict[str, Any]) -> list[dict[str, str]]:
    """All question/answer pairs of a multi-turn item, ``<image>`` removed."""
    turns = turns_of(item)
    if turns and "question" in turns[0]:
        return [{"question": strip_image_token(_text(t.get("question"))), "answer": _text(t.get("answer"))} for t in turns]
    pairs: list[dict[str, str]] = []
    for turn in turns:
        role = str(turn.get("from", turn.get("role", ""))).lower()
        value = _text(turn.get("value", turn.get("content")))
        if role in HUMAN_ROLES:
            pairs.append({"question": strip_image_token(value), "answer": ""})
        elif role in ANSWER_ROLES and pairs:
            pairs[-1]["answer"] = value
    return pairs


# -- answers in the task's terms --------------------------------------------------------


def parse_list_options(question: str) -> list[str]:
    """The comma-separated options of an ECG-QA question ("Options: a, b, none").

    Takes the text after the last "Options:", up to the end of its line or paragraph and
    before a following sentence ("... lead II. Provide ..."), split at commas.
    """
    _, sep, tail = question.rpartition("Options:")
    if not sep:
        return []
    segment = tail.strip().split("\n", 1)[0]
    segment = re.split(r"\.\s+(?=[A-Z])", segment, maxsplit=1)[0].strip().rstrip(".")
    return [part.strip() for part in segment.split(",") if part.strip()]


def answer_letter(answer: str, options: Sequence[str]) -> str | None:
    """The letter of a gold multiple-choice answer ("C", "C. Inferior wall", "D) x", "(B)"),
    or the letter of the option whose text the answer is; None otherwise."""
    match = _ANSWER_LETTER.match(answer)
    if match:
        return match.group(1).upper()
    wanted = answer.strip().rstrip(".").lower()
    for letter, option in zip(LETTERS, options):
        if option.strip().rstrip(".").lower() == wanted:
            return letter
    return None


def answer_labels(answer: str, label_space: str) -> list[str]:
    """The label codes a gold multi-label answer names, in the label space's order.

    Whole codes only: "ABNORMAL" does not name NORM, "STE" does not name ST. Codes are
    matched as written ("RBBB(right bundle branch block)"), and case-insensitively when the
    answer names none as written.
    """
    codes = ANSWER_CODES.get(label_space)
    if codes is None:
        raise DataError(f"label space {label_space!r} has no ECG-Bench answer codes; known: {', '.join(ANSWER_CODES)}")
    for flags in (0, re.IGNORECASE):
        found = [code for code in codes
                 if re.search(rf"(?<![A-Za-z0-9]){re.escape(code)}(?![A-Za-z0-9])", answer, flags)]
        if found:
            return found
    return []


def reference_for(task: TaskSpec, prompt: str, answer: Any) -> tuple[dict[str, Any] | None, str | None]:
    """``(reference, None)`` for an item of ``task``, or ``(None, why)`` when the gold answer
    cannot be read in the task's terms.

    multilabel: ``{"labels": codes, "text": raw}``; mcq: ``{"answer": letter, "options":
    texts, "text": raw}`` (options parsed from the question, [] if it has none); qa:
    ``{"answers": [...], "options": [...], "text": raw}``; report and arena: ``{"text": raw}``.
    """
    if answer is None or (isinstance(answer, (str, list, tuple)) and not answer):
        return None, "no answer turn (gpt/assistant) after the question"
    raw = _text(answer).strip()
    if task.kind == "multilabel":
        labels = answer_labels(raw, task.label_space or "")
        if not labels:
            return None, f"answer {raw[:80]!r} names no {task.label_space} label"
        return {"labels": labels, "text": raw}, None
    if task.kind == "mcq":
        options = parse_options(prompt)
        letter = answer_letter(raw, options)
        if letter is None:
            return None, f"answer {raw[:80]!r} is not an option letter"
        if options and LETTERS.index(letter) >= len(options):
            return None, f"answer {letter} but the question has {len(options)} options"
        return {"answer": letter, "options": options, "text": raw}, None
    if task.kind == "qa":
        answers = [str(a).strip() for a in answer] if isinstance(answer, (list, tuple)) else [raw]
        # raw_answer keeps the published value as it is (list or string): compat scoring
        # compares against it exactly as the published script does
        return {"answers": answers, "options": parse_list_options(prompt), "text": raw,
                "raw_answer": list(answer) if isinstance(answer, (list, tuple)) else answer}, None
    return {"text": raw}, None


# -- images and files ------------------------------------------------------------------


class ParquetImages:
    """The ``image`` column of a parquet file, read one row group at a time on demand.

    Keeps one row group in memory, so a 3 GB file costs one group's images, and models that
    read samples in order read each group once. Thread-safe.
    """

    def __init__(self, path: Path):
        import pyarrow.parquet as pq

        self.path = path
        meta = pq.ParquetFile(path).metadata
        self._starts: list[int] = []
        total = 0
        for i in range(meta.num_row_groups):
            self._starts.append(total)
            total += meta.row_group(i).num_rows
        self._cache: tuple[int, list[Any]] | None = None
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path, "_starts": self._starts}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, _cache=None, _lock=threading.Lock())

    def png(self, row: int, item_id: str) -> bytes:
        """The image bytes of ``row``.

        Raises:
            FileNotFoundError: the row has no image bytes (names the file and the item).
        """
        import bisect

        import pyarrow.parquet as pq

        group = bisect.bisect_right(self._starts, row) - 1
        with self._lock:
            if self._cache is None or self._cache[0] != group:
                table = pq.ParquetFile(self.path).read_row_group(group, columns=["image"])
                self._cache = (group, table.column("image").to_pylist())
            cell = self._cache[1][row - self._starts[group]]
        data = cell.get("bytes") if isinstance(cell, dict) else cell
        if not data:
            raise FileNotFoundError(f"{self.path}: item {item_id!r} has no image bytes; re-download the file")
        return bytes(data)


class ParquetSample(Sample):
    """A Sample whose embedded image is read from its parquet file when a model asks.

    Without ``images`` (e.g. rebuilt by ``dataclasses.replace``, which passes the bytes it
    read) it is a plain Sample holding its image.
    """

    def __init__(self, *args: Any, images: ParquetImages | None = None, row: int = -1, **kwargs: Any):
        self._images = images
        self._row = row
        super().__init__(*args, **kwargs)

    @property
    def image_png(self) -> bytes | None:
        stored = self.__dict__.get("_image_png")
        if stored is not None or self._images is None:
            return stored
        return self._images.png(self._row, self.id)

    @image_png.setter
    def image_png(self, value: bytes | None) -> None:
        self.__dict__["_image_png"] = value

    @property
    def has_image(self) -> bool:
        return self._images is not None or super().has_image

    def __repr__(self) -> str:
        where = f"{self._images.path} row {self._row}" if self._images is not None else "held"
        return f"ParquetSample(id={self.id!r}, task={self.task!r}, image={where})"


class FileResolver:
    """Finds files a dataset names relative to an unknown root (images, mostly).

    Tries the path as given, then each root; a root that worked is tried first after.
    """

    def __init__(self, roots: Sequence[Path | None], confine_to: Sequence[Path] | None = None):
        self.confine_to = list(confine_to) if confine_to is not None else None
        self.roots = [Path(r) for r in dict.fromkeys(roots) if r is not None and Path(r).is_dir()]
        if self.confine_to is not None:
            self.roots = [r for r in self.roots if inside_roots(r, self.confine_to)]

    def resolve(self, relative: str | None) -> Path | None:
        """The file, or None when no root has it.

        Raises:
            OutsideDataRoot: with ``confine_to`` set, the name is absolute or leads (through
                ``..`` or a symlink) outside those folders; or no file can have the name.
        """
        if not relative:
            return None
        path = Path(usable_name(relative, "image"))
        if path.is_absolute() or ".." in path.parts:
            for candidate in ([path] if path.is_absolute() else [root / path for root in self.roots]):
                confine(candidate, self.confine_to, "image", relative)
        if path.is_absolute():
            return path if path.is_file() else None
        for i, root in enumerate(self.roots):
            if (root / path).is_file():
                confine(root / path, self.confine_to, "image", relative)
                if i:
                    self.roots.insert(0, self.roots.pop(i))
                return root / path
        return None


def read_items(path: Path) -> list[dict[str, Any]]:
    """The items of an ECG-Bench/ECG-Grounding JSON or parquet file, without images.

    Parquet rows get ``_row`` (their index, for the lazy image reader). JSON may be a list,
    one object per line (``.jsonl``), or an object holding the list under one key.

    Raises:
        DataError: unreadable file, naming it.
    """
    try:
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq

            parquet = pq.ParquetFile(path)
            columns = [c for c in parquet.schema_arrow.names if c != "image"]
            rows = parquet.read(columns=columns).to_pylist()
            for i, row in enumerate(rows):
                row["_row"] = i
            return rows
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".jsonl":
            return [json.loads(line) for line in text.splitlines() if line.strip()]
        data = json.loads(text)
    except (OSError, ValueError) as error:
        raise DataError(f"{path}: cannot read it ({type(error).__name__}: {error}); re-download the file") from None
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        data = lists[0] if len(lists) == 1 else None
    if not isinstance(data, list):
        raise DataError(f"{path}: expected a JSON list of items; is this an ECG-Bench or ECG-Grounding file?")
    return data


def _looks_like_items(items: list[Any]) -> bool:
    return bool(items) and isinstance(items[0], dict) and (
        "conversations" in items[0] or "conversation" in items[0]
    )


def locate(task: TaskSpec, data_dir: Path) -> dict[str, list[Path]]:
    """The ECG-Bench files of ``task`` under ``data_dir``: ``{"parquet": [...], "json": [...]}``.

    Parquet: every ``*.parquet`` in a folder named after the subset (any depth up to six).
    JSON: files with the task's published names, PULSE's before GEM's copies.
    """
    subset = str(task.options.get("ecgbench_subset", ""))
    parquet: list[Path] = []
    for folder in find_dirs([data_dir], subset) if subset else []:
        parquet.extend(sorted(folder.rglob("*.parquet")))
        if parquet:
            break
    names = list(task.options.get("ecgbench_files") or [])
    found = find_files([data_dir], names) if names else []
    found.sort(key=lambda p: ("ecg_bench" in p.parts, names.index(p.name), len(p.parts)))
    return {"parquet": parquet, "json": found}


def _group_of(item: dict[str, Any], fallback: str) -> str:
    """The ECG an item is about: its record, else its image without the augmentation
    suffix (``x/07190_hr-0.png`` -> ``x/07190_hr``), else its id."""
    if item.get("ecg"):
        return str(item["ecg"])
    image = item.get("image_path") or (item.get("image") if isinstance(item.get("image"), str) else None)
    if image:
        stem = Path(str(image)).with_suffix("")
        return str(stem.with_name(_AUGMENTATION_SUFFIX.sub("", stem.name)))
    return fallback


def _ptbxl_record(item: dict[str, Any], item_id: str) -> str | None:
    """The PTB-XL 500 Hz record an item of a PTB-XL-derived subset shows, from its image
    name or id (``ptb-report-07190_hr-0`` -> ``records500/07000/07190_hr``)."""
    from gemeval.data.ptbxl import record_path_for

    for text in (item.get("image_path"), item.get("image") if isinstance(item.get("image"), str) else None, item_id):
        match = _PTBXL_NAME.search(str(text or ""))
        if match:
            return record_path_for(int(match.group(1)), 500)
    return None


IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")
"""PNG and JPEG file signatures: the formats of the published ECG images."""


def image_problem(path: Path) -> str | None:
    """Why an image file cannot be used (unreadable, not a PNG or JPEG), or None if it can.

    Reads the first bytes only: a cheap check at load time. A file that starts right but
    is truncated still fails later, as that item's error in the run.
    """
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as error:
        return f"image {path} unreadable ({error})"
    if not head.startswith(IMAGE_SIGNATURES):
        return f"image {path} is not a PNG or JPEG file; re-download the images"
    return None


def place_media(fields: dict[str, Any], image_name: str | None, image_path: Path | None, fallback_dir: Path,
                media_present: bool, missing: Callable[[], str]) -> str | None:
    """Give a sample its image: the file found (if it is a usable image), else a page
    rendered from its record, else (when no item of the file has media on disk) the named
    path under ``fallback_dir``. Returns why the item must be skipped: an unusable image, or
    ``missing()`` when other items' files are there but not this one's."""
    if image_path is not None:
        why = image_problem(image_path)
        if why:
            return why
        fields["image_path"] = str(image_path)
    elif fields["record_path"]:
        fields["meta"]["image"] = "rendered"
    elif media_present:
        return missing()
    else:
        fields["image_path"] = str(fallback_dir / image_name) if image_name else None
    return None


def media_note(n_items: int, n_images: int, n_records: int) -> str:
    """What the models of a dataset can read, for ``Dataset.note``."""
    if n_images == 0 and n_records == 0:
        return ("no image and no WFDB record of these items was found: models that read the ECG will fail "
                "per item (predictions import and text scoring work); download the images or records "
                "(see `gemeval data check`)")
    return f"{n_images} of {n_items} items with their image, {n_records} with their WFDB record"


_Candidate = tuple[dict[str, Any], str | None, Path | None, int]
"""An item's Sample fields, its image name, the image file found (None: not on disk) and its row."""


@dataclass(frozen=True)
class _MediaLookup:
    """Where the items of one file find their images and records."""

    images: ParquetImages | None
    image_files: FileResolver
    records: RecordResolver
    ecg_by_id: dict[str, str]
    derive_ptbxl: bool


def _candidate(task: TaskSpec, item: Any, index: int, path: Path, seen: set[str],
               lookup: _MediaLookup) -> tuple[_Candidate | None, ItemProblem | None]:
    """One item as Sample fields with its media looked up, or the problem that skips it."""
    if not isinstance(item, dict):
        return None, ItemProblem(f"row {index}", str(path), "not a JSON object")
    item_id = item_id_of(item, "id", "No", fallback=f"{task.name}-{index}")
    if item_id in seen:
        return None, ItemProblem(item_id, str(path), "id repeats an earlier item; kept the first")
    prompt, answer = prompt_and_answer(item)
    if not prompt:
        return None, ItemProblem(item_id, str(path), "no question (human/user turn) in its conversation")
    reference, why = reference_for(task, prompt, answer)
    if reference is None:
        return None, ItemProblem(item_id, str(path), why or "unreadable answer")
    seen.add(item_id)
    if task.kind == "arena":
        reference["turns"] = arena_turns(item)
    meta: dict[str, Any] = {"source": "ecgbench", "file": str(path), "original_id": item.get("id")}
    ecg = item.get("ecg") or lookup.ecg_by_id.get(item_id)
    if not ecg and lookup.derive_ptbxl:
        ecg = _ptbxl_record(item, item_id)
    image_name = item.get("image_path") if lookup.images is not None else item.get("image")
    image_name = str(image_name) if isinstance(image_name, str) and image_name else None
    try:
        record = lookup.records.resolve(str(ecg)) if ecg else None
        image_path = None if lookup.images is not None else lookup.image_files.resolve(image_name)
    except OutsideDataRoot as refused:
        return None, ItemProblem(item_id, str(path), str(refused))
    if ecg and record is None:
        meta["record_missing"] = str(ecg)
    fields: dict[str, Any] = dict(
        id=item_id, task=task.name, prompt=prompt, reference=reference,
        record_path=str(record) if record else None,
        group=_group_of({**item, "ecg": item.get("ecg") or lookup.ecg_by_id.get(item_id)}, item_id),
        meta=meta,
    )
    if lookup.images is not None:
        meta["image_path"] = image_name
        fields["image_path"] = None
    return (fields, image_name, image_path, int(item.get("_row", index))), None


def build_samples(
    task: TaskSpec,
    items: list[dict[str, Any]],
    path: Path,
    data_dir: Path | None,
    *,
    ecg_by_id: dict[str, str] | None = None,
) -> tuple[list[Sample], list[ItemProblem], str]:
    """Samples of ``task`` from the items of one file, the items that were skipped, and a
    note on what the samples carry.

    Skipped and reported: no question, no readable gold answer, a repeated id, an image
    file that is not a PNG/JPEG, and, when the dataset's images or records are present at
    all, an item with neither its image nor its record. When none of a file's images and
    records is on disk (images not downloaded), items are kept: a model that reads the ECG
    then fails per item, naming the missing file, while predictions import still scores.
    An item whose image is missing but whose record is present gets its page rendered from
    the signal (``meta["image"] = "rendered"``).
    """
    images = ParquetImages(path) if path.suffix == ".parquet" and items and "_row" in items[0] else None
    allowed = media_roots(data_dir, path)
    image_files = FileResolver([path.parent, path.parent / "images", data_dir,
                                *([data_dir / "ECGBench", data_dir / "ECGBench" / "images", data_dir / "images"] if data_dir else []),
                                *list(path.parents)[:3]], confine_to=allowed)
    lookup = _MediaLookup(
        images=images, image_files=image_files, ecg_by_id=ecg_by_id or {},
        records=RecordResolver([data_dir, path.parent, *list(path.parents)[:3]], search_roots=[data_dir or path.parent],
                               confine_to=allowed),
        derive_ptbxl=task.options.get("ecgbench_records") == "ptbxl",
    )
    problems: list[ItemProblem] = []
    candidates: list[_Candidate] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        candidate, problem = _candidate(task, item, index, path, seen, lookup)
        if problem is not None:
            problems.append(problem)
        if candidate is not None:
            candidates.append(candidate)

    n_images = sum(1 for _, _, found, _ in candidates if found is not None)
    n_records = sum(1 for fields, _, _, _ in candidates if fields["record_path"])
    media_present = images is not None or n_images > 0 or n_records > 0
    samples: list[Sample] = []
    for fields, image_name, image_path, row in candidates:
        if images is not None:
            samples.append(ParquetSample(images=images, row=row, **fields))
            continue
        def missing(fields: dict[str, Any] = fields, image_name: str | None = image_name) -> str:
            return (f"image {image_name!r} not found under {', '.join(map(str, image_files.roots))}"
                    f"{' and record ' + fields['meta']['record_missing'] + ' not found' if 'record_missing' in fields['meta'] else ''}; "
                    "other items' files are there, so this one is missing or misnamed")

        why = place_media(fields, image_name, image_path, path.parent, media_present, missing)
        if why:
            problems.append(ItemProblem(fields["id"], str(path), why))
            continue
        samples.append(Sample(**fields))
    return samples, problems, media_note(len(samples), n_images if images is None else len(samples), n_records)


def _ecg_paths(files: Sequence[Path]) -> dict[str, str]:
    """id -> ``ecg`` record path from GEM's copies among ``files`` (empty if none)."""
    out: dict[str, str] = {}
    for file in files:
        for item in read_items(file):
            if isinstance(item, dict) and item.get("ecg") and item.get("id") is not None:
                out.setdefault(str(item["id"]), str(item["ecg"]))
    return out


def load(task: TaskSpec, options: DataOptions) -> Dataset | None:
    """The task's ECG-Bench subset from ``--data-file`` or under ``--data-dir``; None when
    neither holds it. Raises DataError when the file is there but no item is usable."""
    subset = task.options.get("ecgbench_subset")
    if not subset:
        raise DataError(f"task {task.name!r} ({task.path}) uses source `ecgbench` but sets no metadata.ecgbench_subset")
    ecg_by_id: dict[str, str] = {}
    if options.data_file is not None:
        if options.data_file.suffix not in (".json", ".jsonl", ".parquet"):
            return None
        items = read_items(options.data_file)
        if not _looks_like_items(items):
            return None
        batches = [(options.data_file, items)]
    elif options.data_dir is not None:
        found = locate(task, options.data_dir)
        if found["parquet"]:
            chosen = found["parquet"]
            ecg_by_id = _ecg_paths([p for p in found["json"] if "ecg_bench" in p.parts])
        elif found["json"]:
            chosen = found["json"][:1]
        else:
            return None
        batches = [(file, read_items(file)) for file in chosen]
    else:
        return None

    samples, problems, notes = collect_files(
        batches,
        lambda file, file_items: build_samples(task, file_items, file, options.data_dir, ecg_by_id=ecg_by_id),
        "id repeats an item of an earlier file; kept the first",
    )
    files = [file for file, _ in batches]
    if not samples:
        first = f" (first: {problems[0].item_id}: {problems[0].problem})" if problems else ""
        raise DataError(f"{', '.join(map(str, files))}: no usable ECG-Bench item for task {task.name!r}{first}")
    kind = "parquet, images embedded" if files[0].suffix == ".parquet" else "JSON"
    note = (f"ECG-Bench {subset}: {len(samples)} items from {files[0]}{' and more' if len(files) > 1 else ''} "
            f"({kind}); {'; '.join(dict.fromkeys(notes))}")
    if problems:
        note += f"; {len(problems)} items skipped (see skipped_items)"
    return Dataset(samples=samples, source=f"ecgbench:{subset}", files=[str(f) for f in files], note=note, problems=problems)

