"""The LLM judge: rubrics as data, an async engine with a response cache, a tolerant and
injection-aware verdict parser, cost accounting, and judge-reliability statistics.

    rubric = load_rubric("grounding")
    judge = Judge(JudgeConfig(model="gpt-4o"), rubric)
    outcomes = judge.judge_many([JudgeItem(sample_id, question, reference, candidate)])
    metrics = rubric.aggregate([o.to_record() for o in outcomes], groups)
"""

from gemeval.judge.engine import (
    Judge,
    JudgeConfig,
    JudgeConnectionError,
    JudgeError,
    JudgeItem,
    JudgeOutcome,
    JudgeStrictError,
    PairOutcome,
    not_configured_notice,
)
from gemeval.judge.rubric import Rubric, RubricError, list_rubrics, load_rubric

__all__ = [
    "Judge", "JudgeConfig", "JudgeConnectionError", "JudgeError", "JudgeItem", "JudgeOutcome", "JudgeStrictError", "PairOutcome",
    "Rubric", "RubricError", "list_rubrics", "load_rubric", "not_configured_notice",
]
