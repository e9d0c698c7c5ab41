"""Annotated claim corpora: load, validate, and score a claim extractor against them.

A corpus is one JSONL file or a folder of them (``tests/data/grounding_dev/`` is the
development corpus; its README states the format). Each line is one text with the claims a
careful reader finds in it::

    {"id": "gem-s001", "style": "gem", "kind": "sentence", "text": "...",
     "claims": [{"quantity": "pr_ms", "lead": null, "value": 212.0, "low": 212.0,
                 "high": 212.0, "comparator": null, "category": null,
                 "assertion": "affirmed", "phrase": "PR interval measures 212 ms"}]}

``score_corpus`` matches the claims an extractor returns with the expected ones, one to one
and greedily: quantity, lead, assertion and comparator equal, and then the category equal
(categorical claims) or value, low and high each within ``max(1% of |expected|, 0.5)`` for
ms, bpm and degrees, ``max(1%, 0.005)`` for mV (nulls equal nulls). Precision is matched /
extracted and recall matched / expected, overall and per style, kind, assertion status and
quantity; the "verifiable" figure keeps only affirmed and negated claims on both sides.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from gemeval.errors import InputError

NUMERIC_QUANTITIES: dict[str, str] = {
    "hr_bpm": "bpm", "rr_ms": "ms", "pr_ms": "ms", "qrs_ms": "ms", "qt_ms": "ms", "qtc_ms": "ms",
    "qtc_fridericia_ms": "ms", "axis_deg": "deg", "st_mv": "mV", "r_mv": "mV", "s_mv": "mV",
    "sokolow_lyon_mv": "mV", "cornell_mv": "mV",
}
"""Quantities that take a number, with their canonical unit."""

CATEGORIES: dict[str, tuple[str, ...]] = {
    "rhythm": ("sinus", "atrial_fibrillation", "atrial_flutter", "paced", "junctional", "regular", "irregular"),
    "hr_bpm": ("slow", "normal", "fast"),
    "pr_ms": ("prolonged", "short", "normal"),
    "qrs_ms": ("wide", "normal"),
    "qtc_ms": ("prolonged", "normal", "short"),
    "axis_deg": ("normal", "left", "right", "extreme"),
    "st_mv": ("elevated", "depressed", "isoelectric", "normal"),
    "t_wave": ("inverted", "flat", "peaked", "biphasic", "normal"),
    "q_wave": ("pathological",),
    "conduction": ("lafb", "lpfb"),
    "voltage": ("lvh", "low"),
}
"""The categories each quantity may take in a categorical claim."""

QUANTITIES: tuple[str, ...] = tuple(dict.fromkeys([*NUMERIC_QUANTITIES, *CATEGORIES]))
PER_LEAD_QUANTITIES = frozenset({"st_mv", "r_mv", "s_mv", "t_wave", "q_wave"})
LEAD_NAMES: tuple[str, ...] = ("I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6")
TERRITORY_NAMES: tuple[str, ...] = (
    "inferior", "lateral", "high_lateral", "inferolateral", "septal", "anterior", "anteroseptal",
    "anterolateral", "right_precordial", "left_precordial", "precordial", "chest", "limb",
)
ASSERTIONS: tuple[str, ...] = ("affirmed", "negated", "hypothetical", "reference", "uncertain", "not_assessable")
VERIFIABLE = frozenset({"affirmed", "negated"})
KINDS: tuple[str, ...] = ("sentence", "interpretation")
COMPARATORS = (None, "range", "<", "<=", ">", ">=")
CLAIM_KEYS = ("quantity", "lead", "value", "low", "high", "comparator", "category", "assertion")
ITEM_KEYS = ("id", "style", "kind", "text", "claims")


class CorpusError(InputError):
    """A corpus line that breaks the format; the message names the file, line and item."""


@dataclass(frozen=True)
class CorpusItem:
    id: str
    style: str
    kind: str
    text: str
    claims: tuple[dict[str, Any], ...]
    source: str = ""


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


def claim_problems(claim: Any) -> list[str]:
    """What is wrong with one claim record (empty when it follows the format)."""
    if not isinstance(claim, Mapping):
        return ["a claim must be a JSON object"]
    problems = [f"missing key {key!r}" for key in CLAIM_KEYS if key not in claim]
    extra = set(claim) - set(CLAIM_KEYS) - {"phrase"}
    problems += [f"unknown key {key!r}" for key in sorted(extra)]
    if problems:
        return problems
    quantity, lead, category, assertion = claim["quantity"], claim["lead"], claim["category"], claim["assertion"]
    value, low, high, comparator = claim["value"], claim["low"], claim["high"], claim["comparator"]
    if quantity not in QUANTITIES:
        return [f"quantity {quantity!r} is not one of {', '.join(QUANTITIES)}"]
    if assertion not in ASSERTIONS:
        problems.append(f"assertion {assertion!r} is not one of {', '.join(ASSERTIONS)}")
    if lead is not None:
        if lead not in LEAD_NAMES and lead not in TERRITORY_NAMES:
            problems.append(f"lead {lead!r} is neither a lead ({', '.join(LEAD_NAMES)}) nor a territory")
        elif quantity not in PER_LEAD_QUANTITIES:
            problems.append(f"{quantity} is not a per-lead quantity: lead must be null")
    if comparator not in COMPARATORS:
        problems.append(f"comparator {comparator!r} is not one of null, range, <, <=, >, >=")
    numbers = (value, low, high)
    if any(n is not None and (isinstance(n, bool) or not isinstance(n, (int, float)) or not math.isfinite(n))
           for n in numbers):
        problems.append("value, low and high must be finite numbers or null")
        return problems
    if assertion == "not_assessable":
        if category is not None or any(n is not None for n in numbers) or comparator is not None:
            problems.append("a not_assessable claim has null category, value, low, high and comparator")
        return problems
    if category is not None:
        if category not in CATEGORIES.get(quantity, ()):
            allowed = ", ".join(CATEGORIES.get(quantity, ())) or "none (numeric only)"
            problems.append(f"category {category!r} is not one of {quantity}'s: {allowed}")
        if any(n is not None for n in numbers) or comparator is not None:
            problems.append("a categorical claim has null value, low, high and comparator")
        return problems
    if quantity not in NUMERIC_QUANTITIES:
        return problems + [f"{quantity} takes a category, not a number"]
    if value is None:
        return problems + ["a numeric claim needs a value (or a category, or assertion not_assessable)"]
    if comparator is None and not (low is not None and high is not None and _close(low, value) and _close(high, value)):
        problems.append("a plain number has low == high == value")
    elif comparator == "range" and not (low is not None and high is not None and low < high
                                        and _close(value, (low + high) / 2)):
        problems.append("a range has low < high and value = their midpoint")
    elif comparator in ("<", "<=") and not (low is None and high is not None and _close(high, value)):
        problems.append(f"a bound {comparator} has low null and high == value")
    elif comparator in (">", ">=") and not (high is None and low is not None and _close(low, value)):
        problems.append(f"a bound {comparator} has high null and low == value")
    return problems


def _item(record: Any, where: str) -> CorpusItem:
    if not isinstance(record, dict):
        raise CorpusError(f"{where}: each line must be a JSON object")
    missing = [key for key in ITEM_KEYS if key not in record]
    if missing:
        raise CorpusError(f"{where}: missing {', '.join(missing)}; a line needs {', '.join(ITEM_KEYS)}")
    where = f"{where} (id {record['id']!r})"
    if not isinstance(record["id"], str) or not record["id"]:
        raise CorpusError(f"{where}: id must be a non-empty string")
    if not isinstance(record["style"], str) or not record["style"]:
        raise CorpusError(f"{where}: style must be a non-empty string")
    if record["kind"] not in KINDS:
        raise CorpusError(f"{where}: kind {record['kind']!r} must be one of {', '.join(KINDS)}")
    if not isinstance(record["text"], str) or not record["text"].strip():
        raise CorpusError(f"{where}: text must be a non-empty string")
    if not isinstance(record["claims"], list):
        raise CorpusError(f"{where}: claims must be a list (empty when the text claims nothing)")
    for number, claim in enumerate(record["claims"], 1):
        problems = claim_problems(claim)
        if problems:
            raise CorpusError(f"{where}, claim {number}: {'; '.join(problems)}")
    return CorpusItem(record["id"], record["style"], record["kind"], record["text"],
                      tuple(dict(claim) for claim in record["claims"]), where.split(" (id")[0])


def corpus_files(path: str | Path) -> list[Path]:
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.jsonl"))
        if not files:
            raise CorpusError(f"{path}: no *.jsonl corpus files in this folder")
        return files
    if not path.is_file():
        raise CorpusError(f"{path}: no such corpus file or folder")
    return [path]


def load_corpus(path: str | Path) -> list[CorpusItem]:
    """Every item of a corpus file or folder, validated; ids must be unique across files."""
    items: list[CorpusItem] = []
    seen: dict[str, str] = {}
    for file in corpus_files(path):
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{file}:{number}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise CorpusError(f"{where}: not valid JSON ({error.msg} at column {error.colno})") from None
            item = _item(record, where)
            if item.id in seen:
                raise CorpusError(f"{where}: id {item.id!r} is already used at {seen[item.id]}; ids must be unique")
            seen[item.id] = where
            items.append(item)
    return items


# ---------------------------------------------------------------------------------------
# Matching and scores
# ---------------------------------------------------------------------------------------


def claim_record(claim: Any) -> dict[str, Any]:
    """A claim of ``gemeval.metrics.grounding`` (or a mapping) as a corpus claim record:
    infinite bounds become null, and a claim without an assertion status is affirmed, or
    negated when it says so."""
    get = claim.get if isinstance(claim, Mapping) else lambda key, default=None: getattr(claim, key, default)
    record = {key: get(key) for key in CLAIM_KEYS}
    if record["assertion"] is None:
        record["assertion"] = "negated" if get("negated", False) else "affirmed"
    for key in ("value", "low", "high"):
        number = record[key]
        if number is not None and not math.isfinite(number):
            record[key] = None
    record["phrase"] = get("phrase")
    return record


def _number_tolerance(quantity: str, expected: float) -> float:
    floor = 0.005 if NUMERIC_QUANTITIES.get(quantity) == "mV" else 0.5
    return max(0.01 * abs(expected), floor)


def claims_match(extracted: Mapping[str, Any], expected: Mapping[str, Any]) -> bool:
    """The matching rule: the same claim, numbers within the corpus tolerance."""
    if any(extracted.get(key) != expected.get(key) for key in ("quantity", "lead", "assertion", "comparator")):
        return False
    if expected.get("category") is not None or extracted.get("category") is not None:
        return bool(extracted.get("category") == expected.get("category"))
    for key in ("value", "low", "high"):
        want, got = expected.get(key), extracted.get(key)
        if want is None or got is None:
            if want is not got:
                return False
        elif abs(got - want) > _number_tolerance(str(expected["quantity"]), want):
            return False
    return True


def match_claims(extracted: Sequence[Mapping[str, Any]], expected: Sequence[Mapping[str, Any]]
                 ) -> list[tuple[int, int]]:
    """One-to-one greedy matching: each expected claim, in order, takes the first unused
    extracted claim that matches it. Returns (extracted index, expected index) pairs."""
    used: set[int] = set()
    pairs = []
    for j, want in enumerate(expected):
        for i, got in enumerate(extracted):
            if i not in used and claims_match(got, want):
                used.add(i)
                pairs.append((i, j))
                break
    return pairs


@dataclass
class Tally:
    extracted: int = 0
    expected: int = 0
    matched_extracted: int = 0
    matched_expected: int = 0

    @property
    def precision(self) -> float | None:
        return self.matched_extracted / self.extracted if self.extracted else None

    @property
    def recall(self) -> float | None:
        return self.matched_expected / self.expected if self.expected else None

    def to_dict(self) -> dict[str, Any]:
        return {"precision": self.precision, "recall": self.recall, "extracted": self.extracted,
                "expected": self.expected, "matched": self.matched_expected}


@dataclass
class ItemResult:
    item: CorpusItem
    extracted: list[dict[str, Any]]
    pairs: list[tuple[int, int]]

    @property
    def spurious(self) -> list[dict[str, Any]]:
        hit = {i for i, _ in self.pairs}
        return [claim for i, claim in enumerate(self.extracted) if i not in hit]

    @property
    def missed(self) -> list[dict[str, Any]]:
        hit = {j for _, j in self.pairs}
        return [claim for j, claim in enumerate(self.item.claims) if j not in hit]


@dataclass
class CorpusScore:
    overall: Tally = field(default_factory=Tally)
    verifiable: Tally = field(default_factory=Tally)
    by_style: dict[str, Tally] = field(default_factory=dict)
    by_kind: dict[str, Tally] = field(default_factory=dict)
    by_assertion: dict[str, Tally] = field(default_factory=dict)
    by_quantity: dict[str, Tally] = field(default_factory=dict)
    items: list[ItemResult] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        def table(tallies: dict[str, Tally]) -> dict[str, Any]:
            return {name: tallies[name].to_dict() for name in sorted(tallies)}
        return {
            "texts": len(self.items), "overall": self.overall.to_dict(), "verifiable": self.verifiable.to_dict(),
            "by_style": table(self.by_style), "by_kind": table(self.by_kind),
            "by_assertion": table(self.by_assertion), "by_quantity": table(self.by_quantity),
        }


def _add(tallies: Iterable[Tally], extracted: Sequence[Mapping[str, Any]], expected: Sequence[Mapping[str, Any]],
         pairs: Sequence[tuple[int, int]]) -> None:
    for tally in tallies:
        tally.extracted += len(extracted)
        tally.expected += len(expected)
        tally.matched_extracted += len(pairs)
        tally.matched_expected += len(pairs)


def _split(claims: Sequence[Mapping[str, Any]], key: str) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for index, claim in enumerate(claims):
        groups.setdefault(str(claim[key]), []).append(index)
    return groups


def score_item(item: CorpusItem, extracted: Sequence[Mapping[str, Any]], score: CorpusScore) -> ItemResult:
    records = [dict(claim) for claim in extracted]
    pairs = match_claims(records, item.claims)
    result = ItemResult(item, records, pairs)
    score.items.append(result)
    _add((score.overall, score.by_style.setdefault(item.style, Tally()), score.by_kind.setdefault(item.kind, Tally())),
         records, item.claims, pairs)
    # Matching needs equal assertion and quantity, so a pair never crosses these groups.
    for key, tallies in (("assertion", score.by_assertion), ("quantity", score.by_quantity)):
        got, want = _split(records, key), _split(item.claims, key)
        for name in set(got) | set(want):
            tally = tallies.setdefault(name, Tally())
            got_ix, want_ix = set(got.get(name, ())), set(want.get(name, ()))
            tally.extracted += len(got_ix)
            tally.expected += len(want_ix)
            matched = sum(1 for i, _ in pairs if i in got_ix)
            tally.matched_extracted += matched
            tally.matched_expected += matched
    keep_got = [claim for claim in records if claim["assertion"] in VERIFIABLE]
    keep_want = [claim for claim in item.claims if claim["assertion"] in VERIFIABLE]
    _add((score.verifiable,), keep_got, keep_want, match_claims(keep_got, keep_want))
    return result


def score_corpus(items: Iterable[CorpusItem], extract: Callable[[str], Iterable[Any]]) -> CorpusScore:
    """Run ``extract`` (text -> claims) on every item and tally the matches."""
    score = CorpusScore()
    for item in items:
        score_item(item, [claim_record(claim) for claim in extract(item.text)], score)
    return score


def corpus_counts(items: Iterable[CorpusItem]) -> dict[str, dict[str, int]]:
    """Texts per style and kind, and claims per assertion and quantity."""
    counts: dict[str, dict[str, int]] = {"style": {}, "kind": {}, "assertion": {}, "quantity": {}}
    for item in items:
        counts["style"][item.style] = counts["style"].get(item.style, 0) + 1
        counts["kind"][item.kind] = counts["kind"].get(item.kind, 0) + 1
        for claim in item.claims:
            for key in ("assertion", "quantity"):
                counts[key][claim[key]] = counts[key].get(claim[key], 0) + 1
    return counts
