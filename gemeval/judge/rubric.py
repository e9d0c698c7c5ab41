"""Rubrics as data: a ``judges/<name>.yaml`` file holds the criteria and their scales, the
prompt (jinja2), the JSON schema of the verdict, the aggregation rules by name, and a
version. Its SHA-256 goes into every result, so a number can be traced to the exact rubric.

A verdict gives each criterion a list of entries ``{"Score": s, "Explanation": e}`` (one
entry for criteria graded as a whole). A *rule* turns one sample's entry scores into that
sample's value for the criterion; the metric is the mean of those values over the samples
whose verdict parsed for the criterion, with a clustered bootstrap CI. Because runs store
the parsed entries, a stored run can be re-aggregated under any rule without new calls.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import jinja2
import yaml

from gemeval.metrics.stats import DEFAULT_RESAMPLES
from gemeval.resources import resource_dir
from gemeval.scoring import aggregate_means
from gemeval.errors import InputError

ENTRY_KINDS = ("list", "one")
REDUCTION_OPS = ("share_positive", "sum", "mean_nonzero")
OVERALL_OPS = ("mean",)
METRIC_PREFIX = "judge."
RESPONSE_FORMATS = ("json_schema", "json_object", "text")


class RubricError(InputError):
    """A rubric file that cannot be used, naming the file and what to fix."""


def normalise_key(key: str) -> str:
    """Case, spaces, underscores and hyphens do not matter in criterion names."""
    return re.sub(r"[^0-9a-z]", "", str(key).lower())


def escape_data(text: Any) -> str:
    """Untrusted text for a tagged block: ``& < >`` become entities, so the text cannot
    open or close a tag; None becomes the empty string."""
    return "" if text is None else html.escape(str(text), quote=False)


@dataclass(frozen=True)
class Criterion:
    name: str
    entries: str
    scores: tuple[int, ...]
    description: str
    unit: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reduction:
    """One sample's entry scores s -> ``(min(op(s), cap) / per) * times``.

    ``share_positive``: count(s > 0) / len(s), 0 for no entries. ``sum``: sum(s), 0 for no
    entries. ``mean_nonzero``: mean of the non-zero s, 0 when there is none.
    """

    op: str
    cap: float | None = None
    per: float = 1.0
    times: float = 1.0

    def apply(self, scores: Sequence[float]) -> float:
        if self.op == "share_positive":
            value = sum(s > 0 for s in scores) / len(scores) if scores else 0.0
        elif self.op == "sum":
            value = float(sum(scores))
        else:
            nonzero = [s for s in scores if s != 0]
            value = sum(nonzero) / len(nonzero) if nonzero else 0.0
        if self.cap is not None:
            value = min(value, self.cap)
        return value / self.per * self.times


@dataclass(frozen=True)
class Overall:
    """A per-sample summary over all criteria: ``op`` of the criterion values x ``times``;
    missing when any criterion is missing."""

    name: str
    op: str = "mean"
    times: float = 1.0


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    reductions: Mapping[str, Reduction]
    overall: Overall | None = None


@dataclass(frozen=True)
class PairwiseForm:
    system: jinja2.Template
    user: jinja2.Template
    schema: dict[str, Any]


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=False, autoescape=False)
    env.filters["data"] = escape_data
    return env


def response_format_field(kind: str, name: str, schema: dict[str, Any]) -> dict[str, Any] | None:
    """The ``response_format`` request field of a response format (one of
    ``RESPONSE_FORMATS``): a strict JSON schema named ``name``, JSON mode, or None (text)."""
    if kind == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": name, "strict": True, "schema": schema}}
    if kind == "json_object":
        return {"type": "json_object"}
    return None


def block_tag(*texts: Any) -> str:
    """The suffix of this request's block tags: a hash of the texts in the blocks.

    It is stable (so prompts and cache keys are) and the untrusted text cannot know it in
    advance: to write a matching closing tag it would have to contain its own hash.
    """
    digest = hashlib.sha256(json.dumps([None if t is None else str(t) for t in texts]).encode()).hexdigest()
    return digest[:12]


@dataclass
class Rubric:
    name: str
    version: str
    sha256: str
    path: Path
    description: str
    criteria: tuple[Criterion, ...]
    rules: dict[str, Rule]
    default_rule: str
    schema: dict[str, Any]
    system_template: jinja2.Template
    user_template: jinja2.Template
    pairwise: PairwiseForm | None = None
    _by_key: dict[str, str] = field(default_factory=dict, repr=False)

    # -- names -------------------------------------------------------------------------
    @property
    def criterion_names(self) -> list[str]:
        return [c.name for c in self.criteria]

    def criterion(self, name: str) -> Criterion:
        for c in self.criteria:
            if c.name == name:
                return c
        raise KeyError(f"rubric {self.name!r} has no criterion {name!r}; it has {', '.join(self.criterion_names)}")

    def canonical(self, key: str) -> str | None:
        """The criterion a verdict key stands for (its name or an alias), or None."""
        return self._by_key.get(normalise_key(key))

    def resolve_rule(self, rule: str | None = None) -> Rule:
        name = rule or self.default_rule
        if name not in self.rules:
            raise RubricError(
                f"rubric {self.name!r} ({self.path}) has no aggregation rule {name!r}; "
                f"choose one of {', '.join(self.rules)}"
            )
        return self.rules[name]

    def metric_names(self, rule: str | None = None) -> list[str]:
        chosen = self.resolve_rule(rule)
        names = [METRIC_PREFIX + c.name for c in self.criteria]
        if chosen.overall is not None:
            names.append(METRIC_PREFIX + chosen.overall.name)
        return names

    # -- prompts -----------------------------------------------------------------------
    def render(self, question: str | None, reference: str | None, candidate: str) -> list[dict[str, str]]:
        """The chat messages that ask the judge to grade ``candidate``.

        All three texts are untrusted data: each sits in its own tagged block, escaped so
        it cannot close the block, and the system message declares the blocks as data.
        """
        values = dict(
            criteria=self.criteria, question=question, reference=reference, candidate=candidate,
            tag=block_tag(self.version, question, reference, candidate),
        )
        return [
            {"role": "system", "content": self.system_template.render(**values)},
            {"role": "user", "content": self.user_template.render(**values)},
        ]

    def render_pair(self, question: str | None, answer1: str, answer2: str, reference: str | None = None) -> list[dict[str, str]]:
        """Messages for the pairwise form: which of answer 1 and answer 2 is better."""
        if self.pairwise is None:
            raise RubricError(f"rubric {self.name!r} ({self.path}) has no pairwise form; use the arena rubric")
        values = dict(
            question=question, reference=reference, answer1=answer1, answer2=answer2,
            tag=block_tag(self.version, "pair", question, reference, answer1, answer2),
        )
        return [
            {"role": "system", "content": self.pairwise.system.render(**values)},
            {"role": "user", "content": self.pairwise.user.render(**values)},
        ]

    def response_format(self, kind: str, pairwise: bool = False) -> dict[str, Any] | None:
        """The ``response_format`` request field: strict JSON schema, JSON mode, or None
        (plain text; the parser is tolerant either way)."""
        schema = self.pairwise.schema if pairwise and self.pairwise else self.schema
        return response_format_field(kind, f"{self.name}_{'pair' if pairwise else 'verdict'}", schema)

    # -- scores ------------------------------------------------------------------------
    def sample_scores(self, parsed: Mapping[str, Any] | None, rule: str | None = None) -> dict[str, float | None]:
        """Per-sample values under ``rule`` from parsed entries ``{criterion: [{"Score": s,
        ...}] or None}``; a criterion that is None or absent stays None."""
        chosen = self.resolve_rule(rule)
        parsed = parsed or {}
        out: dict[str, float | None] = {}
        for c in self.criteria:
            entries = parsed.get(c.name)
            out[c.name] = None if entries is None else chosen.reductions[c.name].apply([float(e["Score"]) for e in entries])
        if chosen.overall is not None:
            values = [v for v in (out[c.name] for c in self.criteria) if v is not None]
            out[chosen.overall.name] = (
                None if len(values) < len(self.criteria) else sum(values) / len(values) * chosen.overall.times
            )
        return out

    def record_scores(self, record: Mapping[str, Any] | None, rule: str | None = None) -> dict[str, float | None]:
        """Per-sample values of a stored judge record (``JudgeOutcome.to_record()``): with
        repeats, the mean over the repeats that parsed; None where none did."""
        if not record:
            return self.sample_scores(None, rule)
        repeats = record.get("repeats")
        if not repeats:
            return self.sample_scores(record.get("parsed"), rule)
        per_repeat = [self.sample_scores(r.get("parsed"), rule) for r in repeats]
        out: dict[str, float | None] = {}
        for key in per_repeat[0]:
            values = [v for v in (s[key] for s in per_repeat) if v is not None]
            out[key] = sum(values) / len(values) if values else None
        return out

    def aggregate(
        self,
        rows: Sequence[Mapping[str, Any] | None],
        groups: Sequence[str],
        rule: str | None = None,
        seed: int = 0,
        n_resamples: int = DEFAULT_RESAMPLES,
    ) -> dict[str, dict[str, Any]]:
        """``{"judge.<criterion>": {value, ci_low, ci_high, n, n_failed, higher_is_better,
        rule, rubric, rubric_version, rubric_sha256}}`` from stored judge records.

        A sample whose record is missing, failed, or did not parse for a criterion is left
        out of that criterion's mean and counted in its ``n_failed``.
        """
        chosen = self.resolve_rule(rule)
        score_rows = [
            {METRIC_PREFIX + k: v for k, v in self.record_scores(row, chosen.name).items()} for row in rows
        ]
        keys = {name: True for name in self.metric_names(chosen.name)}
        out = aggregate_means(score_rows, groups, keys, seed=seed, n_resamples=n_resamples)
        for entry in out.values():
            entry.update(rule=chosen.name, rubric=self.name, rubric_version=self.version, rubric_sha256=self.sha256)
        return out

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name, "version": self.version, "sha256": self.sha256, "path": str(self.path),
            "criteria": self.criterion_names, "rules": list(self.rules), "default_rule": self.default_rule,
            "pairwise": self.pairwise is not None,
        }


# -- loading -------------------------------------------------------------------------------
def rubric_path(name_or_path: str | Path) -> Path:
    """A rubric's file: an existing path, or ``<name>.yaml`` in gemeval's judges folder."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        return path
    folder = resource_dir("judges")
    candidate = folder / f"{name_or_path}.yaml"
    if not candidate.is_file():
        raise RubricError(
            f"no rubric {str(name_or_path)!r} in {folder}; choose one of {', '.join(list_rubrics())} "
            "or give the path of a rubric YAML file"
        )
    return candidate


def list_rubrics() -> list[str]:
    return sorted(p.stem for p in resource_dir("judges").glob("*.yaml"))


def load_rubric(name_or_path: str | Path) -> Rubric:
    """Load and check a rubric: criteria, rules, schema and prompt must agree, or
    RubricError names the file and the mismatch."""
    path = rubric_path(name_or_path)
    data = path.read_bytes()
    try:
        doc = yaml.safe_load(data)
    except yaml.YAMLError as exc:
        raise RubricError(f"{path} is not valid YAML ({exc}); fix the file") from None
    if not isinstance(doc, dict):
        raise RubricError(f"{path}: expected a mapping at the top level")
    return _build(path, doc, hashlib.sha256(data).hexdigest())


def _need(doc: Mapping[str, Any], key: str, path: Path, where: str = "") -> Any:
    if key not in doc:
        raise RubricError(f"{path}: {where}missing key {key!r}")
    return doc[key]


def _build(path: Path, doc: Mapping[str, Any], sha256: str) -> Rubric:
    criteria = tuple(_criterion(path, c) for c in _need(doc, "criteria", path))
    if not criteria:
        raise RubricError(f"{path}: no criteria")
    by_key: dict[str, str] = {}
    for c in criteria:
        for key in (c.name, *c.aliases):
            norm = normalise_key(key)
            if by_key.get(norm, c.name) != c.name:
                raise RubricError(f"{path}: the name {key!r} of {c.name} clashes with criterion {by_key[norm]}")
            by_key[norm] = c.name
    names = [c.name for c in criteria]
    rules = {name: _rule(path, name, spec, names) for name, spec in _need(doc, "rules", path).items()}
    default_rule = str(_need(doc, "default_rule", path))
    if default_rule not in rules:
        raise RubricError(f"{path}: default_rule {default_rule!r} is not one of the rules ({', '.join(rules)})")
    schema = _need(doc, "schema", path)
    _check_schema(path, schema, criteria)
    env = _environment()
    prompt = _need(doc, "prompt", path)
    pairwise = None
    if "pairwise" in doc:
        pair_prompt = _need(doc["pairwise"], "prompt", path, "pairwise: ")
        pairwise = PairwiseForm(
            system=_template(env, path, _need(pair_prompt, "system", path, "pairwise.prompt: ")),
            user=_template(env, path, _need(pair_prompt, "user", path, "pairwise.prompt: ")),
            schema=_need(doc["pairwise"], "schema", path, "pairwise: "),
        )
        _check_strict(path, pairwise.schema, "pairwise.schema")
    rubric = Rubric(
        name=str(_need(doc, "name", path)),
        version=str(_need(doc, "version", path)),
        sha256=sha256,
        path=path,
        description=str(doc.get("description", "")).strip(),
        criteria=criteria,
        rules=rules,
        default_rule=default_rule,
        schema=schema,
        system_template=_template(env, path, _need(prompt, "system", path, "prompt: ")),
        user_template=_template(env, path, _need(prompt, "user", path, "prompt: ")),
        pairwise=pairwise,
        _by_key=by_key,
    )
    try:
        rubric.render("q", "r", "c")
        if pairwise is not None:
            rubric.render_pair("q", "a", "b", "r")
    except jinja2.TemplateError as exc:
        raise RubricError(f"{path}: the prompt template does not render ({exc}); fix the template") from None
    return rubric


def _criterion(path: Path, spec: Mapping[str, Any]) -> Criterion:
    name = str(_need(spec, "name", path, "a criterion: "))
    entries = str(spec.get("entries", "list"))
    if entries not in ENTRY_KINDS:
        raise RubricError(f"{path}: criterion {name}: entries must be one of {ENTRY_KINDS}, not {entries!r}")
    scores = tuple(int(s) for s in _need(spec, "scores", path, f"criterion {name}: "))
    if not scores:
        raise RubricError(f"{path}: criterion {name} has no allowed scores")
    return Criterion(
        name=name, entries=entries, scores=scores,
        description=" ".join(str(_need(spec, "description", path, f"criterion {name}: ")).split()),
        unit=str(spec.get("unit", "")), aliases=tuple(str(a) for a in spec.get("aliases", ())),
    )


def _rule(path: Path, name: str, spec: Mapping[str, Any], criteria: list[str]) -> Rule:
    reductions = {}
    for crit, red in _need(spec, "reductions", path, f"rule {name}: ").items():
        if crit not in criteria:
            raise RubricError(f"{path}: rule {name} reduces {crit!r}, which is not a criterion ({', '.join(criteria)})")
        op = red.get("op")
        if op not in REDUCTION_OPS:
            raise RubricError(f"{path}: rule {name}, {crit}: op must be one of {REDUCTION_OPS}, not {op!r}")
        reductions[crit] = Reduction(
            op=op, cap=None if red.get("cap") is None else float(red["cap"]),
            per=float(red.get("per", 1.0)), times=float(red.get("times", 1.0)),
        )
    missing = [c for c in criteria if c not in reductions]
    if missing:
        raise RubricError(f"{path}: rule {name} has no reduction for {', '.join(missing)}")
    overall = None
    if spec.get("overall"):
        o = spec["overall"]
        if o.get("op", "mean") not in OVERALL_OPS:
            raise RubricError(f"{path}: rule {name}: overall op must be one of {OVERALL_OPS}")
        overall = Overall(name=str(_need(o, "name", path, f"rule {name} overall: ")), op=o.get("op", "mean"),
                          times=float(o.get("times", 1.0)))
        if overall.name in criteria:
            raise RubricError(f"{path}: rule {name}: overall name {overall.name!r} is also a criterion")
    return Rule(name=name, description=" ".join(str(spec.get("description", "")).split()),
                reductions=reductions, overall=overall)


def _template(env: jinja2.Environment, path: Path, text: str) -> jinja2.Template:
    try:
        return env.from_string(str(text))
    except jinja2.TemplateSyntaxError as exc:
        raise RubricError(f"{path}: prompt template syntax error at line {exc.lineno}: {exc.message}") from None


def _check_strict(path: Path, schema: Any, where: str) -> None:
    """Strict structured outputs need every object closed and every property required."""
    if not isinstance(schema, dict):
        return
    if schema.get("type") == "object":
        props = schema.get("properties", {})
        if schema.get("additionalProperties") is not False or sorted(schema.get("required", [])) != sorted(props):
            raise RubricError(
                f"{path}: {where}: strict JSON schema objects need additionalProperties: false and "
                "every property in required"
            )
        for key, sub in props.items():
            _check_strict(path, sub, f"{where}.{key}")
    if schema.get("type") == "array":
        _check_strict(path, schema.get("items"), f"{where}[]")


def _check_schema(path: Path, schema: Any, criteria: Sequence[Criterion]) -> None:
    """The schema must name exactly the criteria, with their entry kind and scores."""
    if not isinstance(schema, dict) or schema.get("type") != "object":
        raise RubricError(f"{path}: schema must be a JSON schema of type object")
    _check_strict(path, schema, "schema")
    props = schema.get("properties", {})
    names = [c.name for c in criteria]
    if sorted(props) != sorted(names):
        raise RubricError(
            f"{path}: the schema's keys ({', '.join(props)}) differ from the criteria ({', '.join(names)}); "
            "make them the same names"
        )
    for c in criteria:
        prop = props[c.name]
        entry = prop.get("items", {}) if c.entries == "list" else prop
        want_type = "array" if c.entries == "list" else "object"
        enum = entry.get("properties", {}).get("Score", {}).get("enum")
        if prop.get("type") != want_type or enum is None or tuple(enum) != c.scores:
            raise RubricError(
                f"{path}: schema of {c.name} must be {'an array of' if c.entries == 'list' else 'an'} "
                f"object with Score enum {list(c.scores)}, as the criterion says"
            )
