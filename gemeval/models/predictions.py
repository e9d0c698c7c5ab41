"""Outputs that already exist, scored as if a model had just written them.

``--model predictions --model-args path=FILE`` reads one file of answers and gives each
sample the answer stored under its id. Accepted records (one per JSONL line, or a JSON
list, or a JSON object holding such a list):

* GEM / LLaVA answer files: ``{"question_id", "text", "model_id", ...}``;
* PULSE answer files: ``{"id", "response"}`` (the arena's ``response`` is a list of
  ``{"response"}`` turns, its ``predict_convs`` a list of ``{"answer"}`` turns: the first
  turn answers the sample's question, all turns are kept in the prediction's meta);
* GEM's merged results: ``{"id", "GEM_generated"}``;
* gemeval's own ``samples.jsonl``: ``{"id", "prediction": {"text", "error"}}`` (a stored
  error stays an error);
* a JSON object mapping ids to answer strings;
* anything else with ``id_key=...,text_key=...`` in the model args.

Nothing is dropped silently: a sample whose id is not in the file gets a Prediction with
``error="no prediction for id X in FILE"``; ids in the file that match no sample, lines
that are not JSON and records without an id or a text are counted and listed (first 20)
in :meth:`PredictionsModel.describe`, together with the file's sha256.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Sequence

from gemeval.models.base import ModelError
from gemeval.sample import Prediction, Sample

LISTED = 20
"""How many ids each list in ``describe()`` shows; the counts cover all of them."""
ID_KEYS = ("question_id", "id", "sample_id")
TEXT_KEYS = ("text", "response", "GEM_generated", "prediction", "predict_convs", "output", "answer")


def _turn_text(turn: Any) -> str | None:
    if isinstance(turn, str):
        return turn
    if isinstance(turn, dict):
        for key in ("response", "answer", "text", "value"):
            if isinstance(turn.get(key), str):
                return turn[key]
    return None


class _Unreadable:
    """A line of the answers file that could not be read, and why."""

    def __init__(self, why: str):
        self.why = why


class PredictionsModel:
    """An adapter over a file of answers; see the module docstring for the formats."""

    name = "predictions"

    def __init__(
        self,
        modality: str = "both",
        path: str | Path | None = None,
        batch_size: int = 256,
        id_key: str | None = None,
        text_key: str | None = None,
        label: str | None = None,
    ):
        if path is None:
            raise ModelError("--model predictions needs the answers file: --model-args path=FILE")
        self.modality = modality
        self.path = Path(path)
        self.batch_size = int(batch_size)
        self.id_key = id_key
        self.text_key = text_key
        if self.path.is_dir():
            # a folder of answer files, as the published scoring script walks: every .jsonl
            # and .json file in it, in name order
            files = sorted(p for p in self.path.iterdir() if p.is_file() and p.suffix in (".jsonl", ".json"))
            if not files:
                raise ModelError(f"predictions folder {self.path} holds no .jsonl or .json answer file")
        elif self.path.is_file():
            files = [self.path]
        else:
            raise ModelError(f"predictions file {self.path} not found; give --model-args path=FILE (or a folder of them)")
        digest = hashlib.sha256()
        contents: list[tuple[Path, bytes]] = []
        for file in files:
            data = file.read_bytes()
            contents.append((file, data))
            if len(files) > 1:
                digest.update(f"{file.name}\0{len(data)}\0".encode())
            digest.update(data)
        self.files = files
        self.sha256 = digest.hexdigest()
        self.answers: dict[str, tuple[str | None, str | None, dict[str, Any]]] = {}
        self.duplicate_ids: list[str] = []
        self.unreadable: list[str] = []
        self._why: dict[str, str] = {}
        self.formats: set[str] = set()
        model_ids: set[str] = set()
        records = [(f"{file.name} {where}" if len(files) > 1 else where, record, file)
                   for file, data in contents for where, record in self._records(data, file)]
        for order, (where, record, file) in enumerate(records):
            parsed = self._parse(record, file) if not isinstance(record, _Unreadable) else None
            if parsed is None:
                self.unreadable.append(where)
                self._why[where] = record.why if isinstance(record, _Unreadable) else "no id or no answer"
                continue
            item_id, text, error, meta = parsed
            meta["answer_order"] = order  # the line's place in the file(s): compat scoring draws in it
            if item_id in self.answers:
                self.duplicate_ids.append(item_id)
                # gemeval scores the last line; compat scoring counts every line, as the
                # published script does, so the earlier ones travel with it
                earlier_text, earlier_error, earlier_meta = self.answers[item_id]
                meta["earlier_lines"] = [*earlier_meta.get("earlier_lines", []), {
                    "text": earlier_meta.get("compat_text") if earlier_error else earlier_text,
                    "answer_order": earlier_meta["answer_order"]}]
            self.answers[item_id] = (text, error, meta)
            if isinstance(record, dict) and isinstance(record.get("model_id"), str):
                model_ids.add(record["model_id"])
        if not self.answers:
            raise ModelError(
                f"{self.path}: no record with an id and an answer "
                f"({len(self.unreadable)} unreadable, e.g. {', '.join(self.unreadable[:3]) or 'empty file'}); "
                "expected GEM/PULSE answer files or a gemeval samples.jsonl, or pass id_key=...,text_key=..."
            )
        self.label = label or (model_ids.pop() if len(model_ids) == 1 else f"predictions-{self.path.stem}")
        self._expected: list[str] | None = None
        self._seen: dict[str, bool] = {}

    # -- reading ------------------------------------------------------------------

    def _records(self, data: bytes, path: Path) -> list[tuple[str, Any]]:
        """(where, record) pairs: ``line N`` for JSONL, ``item N`` for a JSON document. A
        line that is not UTF-8 or not JSON gives an :class:`_Unreadable` saying so (never a
        record read with replaced characters)."""
        stripped = data.strip()
        if not stripped:
            return []
        if path.suffix != ".jsonl" and stripped[:1] in (b"[", b"{"):
            try:
                document = json.loads(stripped.decode("utf-8"))
            except UnicodeDecodeError as error:
                raise ModelError(f"{path}: not UTF-8 text (byte {error.start}); save the answers as UTF-8") from None
            except json.JSONDecodeError:
                document = None
            if isinstance(document, list):
                return [(f"item {i}", r) for i, r in enumerate(document)]
            if isinstance(document, dict):
                lists = [v for v in document.values() if isinstance(v, list)]
                if len(lists) == 1:
                    return [(f"item {i}", r) for i, r in enumerate(lists[0])]
                if document and all(isinstance(v, str) for v in document.values()):
                    return [(f"key {k!r}", {"id": k, "text": v}) for k, v in document.items()]
        out: list[tuple[str, Any]] = []
        for number, raw in enumerate(data.split(b"\n"), start=1):
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                out.append((f"line {number}", _Unreadable(f"not UTF-8 (byte {error.start})")))
                continue
            try:
                out.append((f"line {number}", json.loads(line)))
            except json.JSONDecodeError as error:
                out.append((f"line {number}", _Unreadable(f"not JSON ({error.msg})")))
        return out

    def _parse(self, record: Any, path: Path) -> tuple[str, str | None, str | None, dict[str, Any]] | None:
        """(id, text, error, meta) of one record, or None when it has no id or no answer."""
        if not isinstance(record, dict):
            return None
        id_keys = (self.id_key,) if self.id_key else ID_KEYS
        item_id = next((record[k] for k in id_keys if record.get(k) is not None), None)
        if item_id is None:
            return None
        keys = (self.text_key,) if self.text_key else TEXT_KEYS
        key = next((k for k in keys if k in record), None)
        meta: dict[str, Any] = {"source_file": str(path), "source_id": item_id}
        if key is None and isinstance(record.get("error"), (str, dict)):
            # an answer line holding an error object ({"id", "error": "Request failed..."}, as
            # earlier PULSE API scripts wrote): a failed prediction here; the published script
            # scores it as an empty answer, which compat scoring reproduces (compat_text)
            self.formats.add("error objects")
            meta["compat_text"] = ""
            return str(item_id), None, f"recorded error in {path}: {record['error']}", meta
        if key is None:
            return None
        value = record[key]
        if isinstance(value, dict) and ("text" in value or "error" in value):
            self.formats.add("gemeval samples.jsonl")
            text, error = value.get("text"), value.get("error")
            if text is None and not error:
                return None
            return str(item_id), text, (f"recorded error in {path}: {error}" if error and text is None else None), meta
        if isinstance(value, list):
            turns = [_turn_text(t) for t in value]
            if not turns or turns[0] is None:
                return None
            self.formats.add(f"multi-turn {key}")
            meta["turns"] = turns
            return str(item_id), turns[0], None, meta
        if not isinstance(value, str):
            return None
        self.formats.add({"text": "GEM/LLaVA answers" if "question_id" in record else "id + text",
                          "response": "PULSE answers", "GEM_generated": "GEM merged results"}.get(key, f"id + {key}"))
        return str(item_id), value, None, meta

    # -- the model protocol ----------------------------------------------------------

    def prepare(self, samples: Sequence[Sample]) -> None:
        """Tell the adapter which samples the run will ask for, so :meth:`describe` can count
        matched, missing and unmatched ids before any is generated."""
        self._expected = [s.id for s in samples]

    def generate(self, samples: Sequence[Sample]) -> list[Prediction]:
        out: list[Prediction] = []
        for sample in samples:
            found = self.answers.get(sample.id)
            self._seen[sample.id] = found is not None
            if found is None:
                out.append(Prediction(sample.id, None, error=f"no prediction for id {sample.id} in {self.path}"))
                continue
            text, error, meta = found
            out.append(Prediction(sample.id, None if error else text, error=error, meta=dict(meta)))
        return out

    def describe(self) -> dict[str, Any]:
        """The file (path, sha256, formats read) and the id bookkeeping.

        Matched / missing / unmatched counts are over the samples given to :meth:`prepare`
        (``"counted_over": "prepared samples"``), else over those generate has seen so far.
        Unmatched ids are ids in the file that no such sample has.
        """
        if self._expected is not None:
            expected, basis = self._expected, "prepared samples"
        else:
            expected, basis = list(self._seen), "samples generated so far"
        wanted = set(expected)
        missing = [i for i in expected if i not in self.answers]
        unmatched = [i for i in self.answers if i not in wanted]
        return {
            "adapter": "predictions",
            "label": self.label,
            "path": str(self.path),
            "sha256": self.sha256,
            "input_sha256": {"path": self.sha256},
            "formats": sorted(self.formats),
            "n_in_file": len(self.answers),
            "n_duplicate_ids": len(self.duplicate_ids),
            "duplicate_ids": self.duplicate_ids[:LISTED],
            "n_unreadable": len(self.unreadable),
            "unreadable": self.unreadable[:LISTED],
            "counted_over": basis,
            "n_matched": len(expected) - len(missing),
            "n_missing": len(missing),
            "missing_ids": missing[:LISTED],
            "n_unmatched": len(unmatched),
            "unmatched_ids": unmatched[:LISTED],
            "warnings": self._warnings(len(missing), missing),
        }

    def _warnings(self, n_missing: int, missing: list[str]) -> list[str]:
        """What is odd about the file, for the terminal (the lists are in config.json)."""
        out = []
        if self.duplicate_ids:
            n = len(self.duplicate_ids)
            out.append(f"{self.path}: {n} duplicate id{'s' if n > 1 else ''} "
                       f"({', '.join(self.duplicate_ids[:5])}{', ...' if n > 5 else ''}); the last line of each is scored "
                       "(compat scoring counts every line, as the published script does)")
        if self.unreadable:
            n = len(self.unreadable)
            out.append(f"{self.path}: {n} unreadable line{'s' if n > 1 else ''} or item{'s' if n > 1 else ''} "
                       f"({'; '.join(f'{w}: {self._why[w]}' for w in self.unreadable[:5])}{'; ...' if n > 5 else ''}), not scored")
        if n_missing:
            out.append(f"{n_missing} sample{' has' if n_missing == 1 else 's have'} no answer in {self.path} "
                       f"({', '.join(missing[:5])}{', ...' if n_missing > 5 else ''}); each is counted as a failed item")
        return out
