"""WFDB records on disk: finding them under a data root, reading their labels cheaply, the
lazily measured truth of grounded samples, and the native CinC 2020/2021 and
Chapman-Shaoxing-Ningbo (PhysioNet ``ecg-arrhythmia``) loader.

Every loader of real data builds on this module:

* :class:`RecordResolver` turns the record paths that datasets write (``files/p1000/...``
  for MIMIC-IV-ECG, ``records500/06000/06000_hr`` for PTB-XL) into files under whatever
  folder the user downloaded them to (``--data-dir``, a ``physionet.org/files/...`` wget
  tree, a folder renamed by hand).
* :class:`MeasuredSample` is a Sample whose ``truth`` is gemeval's own measurement of its
  signal, computed on first use: building 2,000 samples costs nothing, and a run that
  resumes with every id done never reads a record.
* :func:`load` reads CinC-style folders: ``.hea`` + ``.mat`` pairs whose header carries the
  diagnoses as SNOMED-CT codes (``# Dx: 164889003,59118001``), named through the CinC
  ``dx_mapping_scored.csv`` / ``dx_mapping_unscored.csv`` tables.
"""

from __future__ import annotations

import os
import re
from collections import deque
from pathlib import Path
from typing import Any, Iterable, Sequence

from gemeval.data.base import DataError, DataOptions, Dataset, ItemProblem, confine, inside_roots, usable_name
from gemeval.sample import Sample
from gemeval.tasks import TaskSpec

SEARCH_DEPTH = 6
"""How deep below a data root a dataset's top folder may sit (``physionet.org/files/
mimic-iv-ecg/1.0/files`` is five levels down)."""
SEARCH_MAX_DIRS = 20_000
"""Folders visited at most when looking for a dataset root, so a huge tree costs a bounded
time (MIMIC-IV-ECG alone has about 800,000 files)."""

_BUCKET_DIR = re.compile(r"^(p\d+|s\d+|g\d+|\d+)$")
"""Record bucket folders (``p1000``, ``s40689238``, ``g1``, ``06000``): they hold records,
never a dataset root, so the search does not descend into them."""

_OTHER_DATASETS = frozenset({"files", "records100", "records500", ".cache", ".git"})
"""Folders of PTB-XL and MIMIC-IV-ECG (and hub caches) that a CinC scan skips."""

CPSC2018_SNOMED: dict[str, str] = {
    "426783006": "NORM",   # sinus rhythm: the CinC 2020 coding of CPSC 2018's "Normal"
    "164889003": "AF",
    "270492004": "I-AVB",
    "164909002": "LBBB",
    "733534002": "LBBB",   # complete LBBB, scored with 164909002 by the challenge
    "59118001": "RBBB",
    "713427006": "RBBB",   # complete RBBB, scored with 59118001
    "284470004": "PAC",
    "63593006": "PAC",     # supraventricular premature beats, scored with PAC
    "427172004": "PVC",
    "17338001": "PVC",     # ventricular premature beats, scored with PVC
    "429622005": "STD",
    "164931005": "STE",
}
"""SNOMED-CT code -> CPSC 2018 class (ECG-Bench's ``cpsc-test`` label space)."""

SNOMED_TO_SCP: dict[str, str] = {
    "164889003": "AFIB",
    "164890007": "AFLT",
    "426177001": "SBRAD",
    "427084000": "STACH",
    "426783006": "SR",
    "270492004": "1AVB",
    "164947007": "1AVB",   # prolonged PR interval
    "164909002": "CLBBB",
    "733534002": "CLBBB",
    "59118001": "CRBBB",
    "713427006": "CRBBB",
    "713426002": "IRBBB",
    "445118002": "LAFB",
    "164873001": "LVH",
    "111975006": "LNGQT",
    "427172004": "PVC",
    "17338001": "PVC",
    "284470004": "PAC",
    "63593006": "PAC",
    "164931005": "STE_",
    "429622005": "STD_",
    "251146004": "LVOLT",
    "10370003": "PACE",
    "427393009": "SARRH",
    "195042002": "2AVB",
    "54016002": "2AVB",    # Mobitz I
    "27885002": "3AVB",
    "251120003": "ILBBB",
    "445211001": "LPFB",
    "698252002": "IVCD",
    "74390002": "WPW",
    "55827005": "VCLVH",   # left ventricular high voltage: the voltage criterion only
    "89792004": "RVH",
    "67741000119109": "LAO/LAE",
    "54329005": "AMI",
    "59931005": "INVT",
}
"""SNOMED-CT code -> PTB-XL SCP code, for the diagnoses with one unambiguous SCP statement
(axis deviations, T-wave abnormality and the like have none and are left out)."""


class RecordResolver:
    """Finds WFDB records (``<path>.hea``) that a dataset names relative to its own root.

    ``resolve("files/p1000/p10000032/s40689238/40689238")`` tries, in order: the path as
    given (absolute or relative to the working directory), each folder in ``roots``, and
    the folders below ``search_roots`` (default: ``roots``) that contain the path's first
    component (``files``), found by a bounded breadth-first search (:data:`SEARCH_DEPTH`,
    :data:`SEARCH_MAX_DIRS`). A root that resolved a path once is tried first afterwards,
    so 2,000 items cost 2,000 ``stat`` calls once the root is known.
    """

    def __init__(self, roots: Iterable[Path | None], search_roots: Iterable[Path | None] | None = None,
                 confine_to: Sequence[Path] | None = None):
        self.confine_to = list(confine_to) if confine_to is not None else None
        self.roots = _folders(roots)
        self.search_roots = self.roots if search_roots is None else _folders(search_roots)
        if self.confine_to is not None:
            self.roots = [r for r in self.roots if inside_roots(r, self.confine_to)]
            self.search_roots = [r for r in self.search_roots if inside_roots(r, self.confine_to)]
        self._found: list[Path] = []
        self._searched: set[str] = set()

    def resolve(self, record: str | None) -> Path | None:
        """The record path without extension whose ``.hea`` exists, or None.

        Raises:
            OutsideDataRoot: with ``confine_to`` set, a record that is absolute or leads
                (through ``..`` or a symlink) outside those folders; or a name no file can have.
        """
        found = self._resolve(usable_name(str(record), "record") if record else record)
        if found is not None and self.confine_to is not None:
            confine(found.with_name(found.name + ".hea"), self.confine_to, "record", str(record))
        elif record and self.confine_to is not None:
            relative = Path(str(record).strip())
            if relative.is_absolute():
                confine(relative, self.confine_to, "record", str(record))
            elif ".." in relative.parts:
                for root in self.roots:
                    confine(root / relative, self.confine_to, "record", str(record))
        return found

    def _resolve(self, record: str | None) -> Path | None:
        if not record:
            return None
        relative = Path(str(record).strip())
        if relative.suffix.lower() in (".hea", ".dat", ".mat"):
            relative = relative.with_suffix("")
        if self.confine_to is None or relative.is_absolute():
            if _has_header(relative):
                return relative
        if relative.is_absolute():
            return None
        for root in self._found + self.roots:
            if _has_header(root / relative):
                self._remember(root)
                return root / relative
        first = relative.parts[0]
        if first not in self._searched:
            self._searched.add(first)
            for folder in find_dirs(self.search_roots, first):
                root = folder.parent
                if _has_header(root / relative):
                    self._remember(root)
                    return root / relative
        for root in self._found:
            if _has_header(root / relative):
                return root / relative
        return None

    def _remember(self, root: Path) -> None:
        if root in self._found:
            self._found.remove(root)
        self._found.insert(0, root)


def _folders(paths: Iterable[Path | None]) -> list[Path]:
    """The existing folders among ``paths``, in order, without repeats."""
    out: list[Path] = []
    for path in paths:
        if path is not None and Path(path).is_dir() and Path(path) not in out:
            out.append(Path(path))
    return out


def _has_header(base: Path) -> bool:
    return base.with_name(base.name + ".hea").is_file()


def find_dirs(roots: Sequence[Path], name: str, depth: int = SEARCH_DEPTH) -> list[Path]:
    """Folders called ``name`` at or below ``roots``, shallowest first (bounded search)."""
    found: list[Path] = []
    queue: deque[tuple[Path, int]] = deque((Path(r), 0) for r in roots)
    visited = 0
    while queue and visited < SEARCH_MAX_DIRS:
        folder, level = queue.popleft()
        visited += 1
        try:
            children = sorted((entry for entry in os.scandir(folder) if entry.is_dir()), key=lambda e: e.name)
        except OSError:
            continue
        for child in children:
            path = Path(child.path)
            if child.name == name:
                found.append(path)
            elif level + 1 < depth and not _BUCKET_DIR.match(child.name):
                queue.append((path, level + 1))
    return found


def find_files(roots: Sequence[Path], names: Sequence[str], depth: int = SEARCH_DEPTH) -> list[Path]:
    """Files with one of ``names`` at or below ``roots``, shallowest first (bounded search)."""
    wanted = set(names)
    found: list[Path] = []
    queue: deque[tuple[Path, int]] = deque((Path(r), 0) for r in roots if Path(r).is_dir())
    visited = 0
    while queue and visited < SEARCH_MAX_DIRS:
        folder, level = queue.popleft()
        visited += 1
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.is_file() and entry.name in wanted:
                found.append(Path(entry.path))
            elif entry.is_dir() and level + 1 < depth and not _BUCKET_DIR.match(entry.name):
                queue.append((Path(entry.path), level + 1))
    return found


class MeasuredSample(Sample):
    """A Sample whose ``truth`` is ``gemeval.ecg.measure.measure`` of its record, computed
    on first access and kept.

    ``truth_source`` reads "gemeval-measure"; leads that are off (flat or zero-filled, the
    rule of ``gemeval.ecg.io.leads_off`` that reading the record applies too) have NaN
    per-lead truth and are listed in ``meta["leads_off"]``. If the record cannot be read or measured,
    ``truth`` is None, ``truth_source`` None and ``meta["truth_error"]`` says why, so the
    grounding scorer counts the sample's claims as unverifiable instead of failing the run.
    """

    def __init__(self, *args: Any, **kwargs: Any):
        self._measured = False
        super().__init__(*args, **kwargs)

    @property
    def truth(self) -> dict[str, Any] | None:
        if not self._measured:
            self._measure()
        return self.__dict__.get("_truth")

    @truth.setter
    def truth(self, value: dict[str, Any] | None) -> None:
        self.__dict__["_truth"] = value
        self._measured = value is not None

    @property
    def truth_source(self) -> str | None:
        if not self._measured:
            self._measure()
        return self.__dict__.get("_truth_source")

    @truth_source.setter
    def truth_source(self, value: str | None) -> None:
        self.__dict__["_truth_source"] = value

    def __repr__(self) -> str:
        state = "measured" if self._measured else "not measured yet"
        return f"MeasuredSample(id={self.id!r}, task={self.task!r}, record_path={self.record_path!r}, truth {state})"

    def _measure(self) -> None:
        from gemeval.ecg.measure import measure
        from gemeval.ecg.values import TRUTH_KEYS

        self._measured = True
        try:
            values = measure(self.load_record()).to_dict()
        except Exception as error:  # any unreadable record: the sample stays, unverifiable
            self.__dict__["_truth"] = None
            self.__dict__["_truth_source"] = None
            self.meta["truth_error"] = f"{type(error).__name__}: {error}"
            return
        self.__dict__["_truth"] = {key: values[key] for key in TRUTH_KEYS if key in values}
        self.__dict__["_truth_source"] = "gemeval-measure"
        self.meta["measure_reasons"] = values.get("reasons", {})
        if values.get("leads_off"):
            self.meta["leads_off"] = values["leads_off"]


def measured_sample(**fields: Any) -> MeasuredSample:
    """A grounded sample whose truth is measured from ``record_path`` when first needed."""
    return MeasuredSample(truth=None, truth_source="gemeval-measure", **fields)


def read_dx(header: Path) -> tuple[list[str], dict[str, str]]:
    """The ``Dx`` SNOMED-CT codes and all ``Key: value`` comments of a ``.hea`` file.

    Reads the header text only (no signal), accepting ``#Dx:`` and ``# Dx:`` alike.
    """
    from gemeval.ecg.io import parse_header_comments

    comments = [line for line in header.read_text(errors="replace").splitlines() if line.startswith("#")]
    fields = parse_header_comments(comments)
    codes = [c.strip() for c in re.split(r"[,;\s]+", fields.get("dx", "")) if c.strip()]
    return codes, fields


def in_label_space(labels: Sequence[str], label_space: str | None) -> list[str]:
    """``labels`` that belong to the named label space (``gemeval.metrics.labels``), in
    their order; all of them when the space is not a named one."""
    from gemeval.metrics.labels import LABEL_SPACES

    vocabulary = LABEL_SPACES.get(label_space or "")
    return list(labels) if vocabulary is None else [label for label in labels if label in vocabulary]


def snomed_labels(codes: Sequence[str], label_space: str | None) -> list[str]:
    """Labels of SNOMED-CT codes in a task's label space.

    ``cpsc2018`` uses :data:`CPSC2018_SNOMED`; ``ptbxl-super`` maps through
    :data:`SNOMED_TO_SCP` and PTB-XL's diagnostic classes; any other space (the grounded
    tasks' ``scp-findings``) gets the SCP codes of :data:`SNOMED_TO_SCP` that are in it.
    Codes without a counterpart are dropped here; they stay in ``meta["snomed_codes"]``.
    """
    from gemeval.ecg import labels as ecg_labels

    if label_space == "cpsc2018":
        mapped = [CPSC2018_SNOMED[c] for c in codes if c in CPSC2018_SNOMED]
        order = ("NORM", "AF", "I-AVB", "LBBB", "RBBB", "PAC", "PVC", "STD", "STE")
        return [label for label in order if label in mapped]
    scp = list(dict.fromkeys(SNOMED_TO_SCP[c] for c in codes if c in SNOMED_TO_SCP))
    if label_space == "ptbxl-super":
        return ecg_labels.superclasses(scp)
    return in_label_space(scp, label_space)


def locate(roots: Sequence[Path], prefixes: Sequence[str] | None = None) -> list[Path]:
    """``.hea`` files under ``roots`` (names starting with one of ``prefixes``, if given),
    sorted by record name.

    PTB-XL's ``records100``/``records500`` and MIMIC's ``files`` trees are not scanned: those
    datasets have loaders of their own.
    """
    headers: list[Path] = []
    for root in roots:
        for folder, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d not in _OTHER_DATASETS)
            for name in filenames:
                if not name.endswith(".hea"):
                    continue
                if prefixes and not name.startswith(tuple(prefixes)):
                    continue
                headers.append(Path(folder) / name)
    return sorted(set(headers), key=lambda p: (p.name, str(p)))


def load(task: TaskSpec, options: DataOptions) -> Dataset | None:
    """CinC 2020/2021 or Chapman-Shaoxing-Ningbo records as samples of ``task``.

    Reads every ``.hea`` whose header has a ``Dx`` comment under ``--data-dir`` (or the one
    record ``--data-file x.hea``); ``metadata.physionet_prefixes`` in the task file keeps
    only records whose name starts with one of them (``[A]`` for CPSC 2018's records).
    Multi-label tasks get ``reference["labels"]`` in the task's label space
    (:func:`snomed_labels`); grounded tasks also get the SCP codes as labels and a truth
    measured from the signal (:class:`MeasuredSample`). Headers without a ``Dx`` comment are
    not CinC records and are passed over; a record without its signal file, or whose name
    repeats, is skipped and reported.

    Returns None when no such record is present.
    """
    from gemeval.ecg import labels as ecg_labels

    if options.data_file is not None:
        if options.data_file.suffix != ".hea":
            return None
        headers = [options.data_file] if options.data_file.is_file() else []
    elif options.data_dir is not None:
        headers = locate([options.data_dir], task.options.get("physionet_prefixes"))
    else:
        return None
    samples: list[Sample] = []
    problems: list[ItemProblem] = []
    seen: set[str] = set()
    for header in headers:
        base = header.with_suffix("")
        try:
            codes, fields = read_dx(header)
        except OSError as error:
            problems.append(ItemProblem(base.name, str(header), f"header unreadable ({error}); re-download it"))
            continue
        if "dx" not in fields:
            continue
        if not any(base.with_suffix(ext).is_file() for ext in (".mat", ".dat")):
            problems.append(ItemProblem(base.name, str(header), "no .mat or .dat signal file beside the header; re-download the record"))
            continue
        if base.name in seen:
            problems.append(ItemProblem(base.name, str(header), "a record of the same name was already loaded; kept the first"))
            continue
        seen.add(base.name)
        abbrevs = [ecg_labels.snomed_to_abbrev(code) or code for code in codes]
        meta = {"source": "physionet", "file": str(header), "snomed_codes": codes, "dx_abbrevs": abbrevs,
                "age": fields.get("age"), "sex": fields.get("sex")}
        fields_common: dict[str, Any] = dict(
            id=base.name, task=task.name, prompt=(task.prompt or "").strip(), record_path=str(base),
            group=base.name, meta=meta,
        )
        labels = snomed_labels(codes, task.label_space)
        if task.kind == "grounded":
            samples.append(measured_sample(reference={"labels": labels}, **fields_common))
        elif task.kind == "multilabel":
            samples.append(Sample(reference={"labels": labels, "text": ", ".join(abbrevs)}, **fields_common))
        else:
            raise DataError(
                f"task {task.name!r} ({task.path}) is a {task.kind} task; CinC/CSN records only make "
                "multilabel and grounded samples: remove `physionet` from its sources"
            )
    if not samples and not problems:
        return None
    if not samples:
        raise DataError(
            f"CinC/CSN headers found under {options.data_file or options.data_dir}, but no record could be "
            f"used: {problems[0].file}: {problems[0].problem}"
        )
    where = options.data_file or options.data_dir
    return Dataset(
        samples=samples,
        source="physionet",
        files=[str(where)],
        note=f"{len(samples)} CinC/CSN WFDB records under {where} (labels from the headers' SNOMED-CT Dx codes)",
        problems=problems,
    )
