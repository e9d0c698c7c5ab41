"""Scorers by the name a task file uses. A scorer is built as ``cls(task=TaskSpec,
mode="gemeval"|"ecgbench-compat", **options)`` and follows gemeval.scoring.Scorer; plug-ins
add theirs through the ``gemeval.scorers`` entry point."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gemeval.errors import InputError, UsageError
from gemeval.registry import Registry
from gemeval.tasks import TaskSpec


@dataclass(frozen=True)
class ScorerInfo:
    """A scorer by name; ``target`` ("module:Class") is imported when a task uses it."""

    name: str
    target: str


def _scorer_from_entry_point(name: str, target: str, dist: str) -> ScorerInfo:
    return ScorerInfo(name, target)


def _missing_scorer_methods(info: ScorerInfo | None, cls: Any) -> str | None:
    if not callable(getattr(cls, "aggregate", None)):
        return f"{getattr(cls, '__name__', cls)} lacks aggregate(rows, groups, ...)"
    if not (callable(getattr(cls, "score", None)) or callable(getattr(cls, "score_batch", None))):
        return f"{getattr(cls, '__name__', cls)} lacks score(sample, prediction) or score_batch(...)"
    return None


SCORERS: Registry[ScorerInfo] = Registry(
    "scorer", "gemeval.scorers", None, _scorer_from_entry_point, _missing_scorer_methods,
)
"""Every scorer by name: gemeval's own (below) and the plug-ins'."""

for _name, _target in (
    ("grounding", "gemeval.metrics.grounding:GroundingScorer"),
    ("multilabel", "gemeval.metrics.classification:MultilabelScorer"),
    ("mcq", "gemeval.metrics.mcq:MCQScorer"),
    ("qa", "gemeval.metrics.qa:QAScorer"),
    ("text", "gemeval.metrics.text:TextScorer"),
    ("counterfactual", "gemeval.metrics.counterfactual:CounterfactualScorer"),
    ("robust", "gemeval.metrics.robust:RobustScorer"),
):
    SCORERS.add(_name, ScorerInfo(_name, _target))
SCORING_MODES = ("gemeval", "ecgbench-compat", "gem-compat")
"""``gem-compat`` is ``ecgbench-compat`` with GEM's own ECG-QA rule (its copy of the script
differs from PULSE's there and only there)."""


def build_scorers(task: TaskSpec, mode: str = "gemeval", **options: Any) -> list:
    if mode not in SCORING_MODES:
        raise UsageError(f"--scoring must be one of {', '.join(SCORING_MODES)}, got {mode!r}")
    scorers = []
    for name in task.scorers:
        if name not in SCORERS:
            raise InputError(f"task {task.name!r} ({task.path}) names unknown scorer {name!r}; known: {', '.join(SCORERS)}")
        cls = SCORERS.load(name, SCORERS[name].target)
        kind_mode, extra = (("ecgbench-compat", {"compat_variant": "gem"}) if mode == "gem-compat" else (mode, {}))
        scorers.append(cls(task=task, mode=kind_mode, **options, **extra))
    return scorers
