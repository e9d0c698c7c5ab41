"""Reading a judge's reply: find the verdict object, check it against the rubric.

Strict JSON-schema replies parse directly; JSON-mode and plain-text replies may wrap the
object in prose or a code fence, or break it (a missing brace, a trailing comma), which
json-repair mends. Every criterion is checked on its own: a missing criterion, a score
outside the rubric's scale or a malformed entry fails that criterion (with the reason)
and leaves the others usable.

JSON that appears in the text under judgement is never taken as the verdict: if the judge
echoes an object the model output contains, that object is discarded.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence


from gemeval.judge.rubric import Rubric, normalise_key

_FENCE = re.compile(r"```[a-zA-Z]*\s*(.*?)```", re.S)


@dataclass
class Verdict:
    """``parsed``: criterion -> entries ``[{"Score": int, "Explanation": str}]``, or None
    where it failed; ``failures``: criterion -> reason; ``error``: why no verdict object
    was found at all (then every criterion failed); ``repaired``: json-repair was needed."""

    parsed: dict[str, list[dict[str, Any]] | None]
    failures: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    repaired: bool = False


def json_objects(text: str) -> list[dict[str, Any]]:
    """Every top-level JSON object in ``text``, in order of appearance."""
    decoder = json.JSONDecoder()
    found: list[dict[str, Any]] = []
    pos = text.find("{")
    while pos >= 0:
        try:
            obj, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            pos = text.find("{", pos + 1)
            continue
        found.append(obj)
        pos = text.find("{", end)
    return found


def repaired_objects(text: str) -> list[dict[str, Any]]:
    """Objects json-repair recovers from each code fence, else from the first ``{`` on."""
    import json_repair  # the judge extra; imported here so the core install never needs it

    segments = _FENCE.findall(text) or ([text[text.find("{"):]] if "{" in text else [])
    out: list[dict[str, Any]] = []
    for segment in segments:
        obj = json_repair.repair_json(segment, return_objects=True)
        items = obj if isinstance(obj, list) else [obj]
        out.extend(o for o in items if isinstance(o, dict) and o)
    return out


def _untrusted_objects(texts: Iterable[str | None]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for text in texts:
        if text:
            out.extend(json_objects(text))
            out.extend(repaired_objects(text))
    return out


def find_object(
    text: str | None, recognise: Callable[[str], str | None], expected: Sequence[str],
    untrusted: Iterable[str | None] = (),
) -> tuple[dict[str, Any] | None, bool, str | None]:
    """The object in the reply that is the verdict: (object, repaired, error).

    Candidates are the valid JSON objects, then, if none of them will do, the objects
    json-repair recovers. Objects equal to one in the untrusted texts are dropped; of the
    rest, the one with the most keys ``recognise`` accepts wins, the last one on a tie.
    """
    if text is None or not text.strip():
        return None, False, "the judge returned an empty reply"
    foreign = _untrusted_objects(untrusted)
    copied = False
    for repaired, candidates in ((False, json_objects(text)), (True, repaired_objects(text))):
        own = [c for c in candidates if c not in foreign]
        copied = copied or len(own) < len(candidates)
        scored = [(_count(recognise, _unwrap(c, recognise)), i, _unwrap(c, recognise)) for i, c in enumerate(own)]
        if scored:
            count, _, best = max(scored, key=lambda t: (t[0], t[1]))
            if count:
                return best, repaired, None
    if copied:
        return None, False, "the only verdict in the judge's reply is copied from the text under judgement"
    if "{" not in text:
        return None, False, "no JSON object in the judge's reply"
    return None, False, f"no JSON object in the judge's reply has the expected keys ({', '.join(expected)})"


def _count(recognise: Callable[[str], str | None], obj: Mapping[str, Any]) -> int:
    return sum(recognise(k) is not None for k in obj)


def _unwrap(obj: dict[str, Any], recognise: Callable[[str], str | None]) -> dict[str, Any]:
    """``{"evaluation": {...criteria...}}`` -> the inner object."""
    if _count(recognise, obj) == 0 and len(obj) == 1:
        inner = next(iter(obj.values()))
        if isinstance(inner, dict):
            return inner
    return obj


def parse_verdict(text: str | None, rubric: Rubric, untrusted: Iterable[str | None] = ()) -> Verdict:
    """Parse a judge reply for ``rubric``; ``untrusted`` are the texts that were shown to
    the judge as data (their JSON is never the verdict)."""
    names = {c.name: None for c in rubric.criteria}
    obj, repaired, error = find_object(text, rubric.canonical, list(names), untrusted)
    if obj is None:
        why = error or "no verdict object in the reply"
        return Verdict(parsed=dict(names), failures={n: why for n in names}, error=why, repaired=repaired)
    values: dict[str, Any] = {}
    for key, value in obj.items():
        name = rubric.canonical(key)
        if name is not None and name not in values:
            values[name] = value
    verdict = Verdict(parsed={}, repaired=repaired)
    for c in rubric.criteria:
        if c.name not in values:
            verdict.parsed[c.name] = None
            verdict.failures[c.name] = "missing from the verdict"
            continue
        entries, reason = _entries(values[c.name], c.scores)
        if reason is None and c.entries == "one" and len(entries) != 1:
            reason = f"expected one score, got {len(entries)}"
        verdict.parsed[c.name] = None if reason else entries
        if reason:
            verdict.failures[c.name] = reason
    return verdict


def _score(value: Any, allowed: tuple[int, ...]) -> tuple[int | None, str | None]:
    if isinstance(value, bool):
        return None, f"score {value!r} is not a number"
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None, f"score {value!r} is not a number"
    if not isinstance(value, (int, float)) or value != value:
        return None, f"score {value!r} is not a number"
    if float(value) not in allowed:
        return None, f"score {value:g} is not one of {list(allowed)}"
    return int(value), None


def _entries(value: Any, allowed: tuple[int, ...]) -> tuple[list[dict[str, Any]], str | None]:
    items = value if isinstance(value, list) else [value]
    entries = []
    for item in items:
        if isinstance(item, dict):
            fields = {normalise_key(k): v for k, v in item.items()}
            if "score" not in fields:
                return [], "an entry has no Score"
            raw_score, explanation = fields["score"], fields.get("explanation", "")
        elif isinstance(item, (int, float, str)) and not isinstance(item, bool):
            raw_score, explanation = item, ""
        else:
            return [], "not a {Explanation, Score} object or a list of them"
        score, reason = _score(raw_score, allowed)
        if reason:
            return [], reason
        entries.append({"Score": score, "Explanation": "" if explanation is None else str(explanation)})
    return entries, None


def _winner_key(key: str) -> str | None:
    return "Winner" if normalise_key(key) == "winner" else None


PAIR_WINNERS = {"1": "1", "2": "2", "tie": "tie", "answer1": "1", "answer2": "2", "draw": "tie", "equal": "tie"}


def parse_pair_verdict(text: str | None, untrusted: Iterable[str | None] = ()) -> tuple[str | None, str | None]:
    """The winner of a pairwise reply, "1", "2" or "tie", or (None, why)."""
    obj, _, error = find_object(text, _winner_key, ["Winner"], untrusted)
    if obj is None:
        return None, error
    value = next(v for k, v in obj.items() if _winner_key(k))
    winner = PAIR_WINNERS.get(normalise_key(value))
    if winner is None:
        return None, f"Winner {value!r} is not one of \"1\", \"2\", \"tie\""
    return winner, None
