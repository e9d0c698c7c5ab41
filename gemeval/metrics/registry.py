"""Scorers by the name a task file uses. A scorer is built as ``cls(task=TaskSpec,
mode="gemeval"|"ecgbench-compat", **options)`` and follows gemeval.scoring.Scorer."""

from __future__ import annotations

from gemeval.errors import InputError, UsageError

import importlib
from typing import Any

from gemeval.tasks import TaskSpec

SCORERS: dict[str, str] = {
    "grounding": "gemeval.metrics.grounding:GroundingScorer",
    "multilabel": "gemeval.metrics.classification:MultilabelScorer",
    "mcq": "gemeval.metrics.mcq:MCQScorer",
    "qa": "gemeval.metrics.qa:QAScorer",
    "text": "gemeval.metrics.text:TextScorer",
    "counterfactual": "gemeval.metrics.counterfactual:CounterfactualScorer",
    "robust": "gemeval.metrics.robust:RobustScorer",
}
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
        module, cls = SCORERS[name].split(":")
        kind_mode, extra = (("ecgbench-compat", {"compat_variant": "gem"}) if mode == "gem-compat" else (mode, {}))
        scorers.append(getattr(importlib.import_module(module), cls)(task=task, mode=kind_mode, **options, **extra))
    return scorers
