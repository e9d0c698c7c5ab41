"""A model that echoes the last word of the prompt, a scorer counting answer words, and a
data source of three questions."""

from __future__ import annotations

from typing import Any, Sequence

from gemeval.data.base import Dataset
from gemeval.sample import Prediction, Sample
from gemeval.scoring import aggregate_means


class EchoModel:
    """Answers with the last word of the prompt."""

    name = "echo-demo"

    def __init__(self, modality: str = "both", batch_size: int = 2, suffix: str = ""):
        self.modality = modality
        self.batch_size = int(batch_size)
        self.suffix = suffix

    def generate(self, samples: Sequence[Sample]) -> list[Prediction]:
        return [Prediction(s.id, s.prompt.split()[-1] + self.suffix) for s in samples]

    def describe(self) -> dict[str, Any]:
        return {"label": "echo-demo", "suffix": self.suffix}


class LengthScorer:
    """``demo.words``: words in the answer."""

    name = "length-demo"

    def __init__(self, task: Any, mode: str = "gemeval", **options: Any):
        self.task = task

    def score(self, sample: Sample, prediction: Prediction) -> dict[str, Any]:
        return {"demo.words": None if prediction.text is None else len(prediction.text.split())}

    def aggregate(self, rows: Sequence[dict[str, Any]], groups: Sequence[str], seed: int = 0,
                  n_resamples: int = 200) -> dict[str, dict[str, Any]]:
        return aggregate_means(rows, groups, {"demo.words": True}, seed=seed, n_resamples=n_resamples)


def load(task: Any, options: Any) -> Dataset:
    words = ("sinus", "flutter", "block")
    samples = [Sample(id=f"q{i}", task=task.name, prompt=f"Name a rhythm: {word}", reference={"text": word})
               for i, word in enumerate(words)]
    return Dataset(samples=samples, source="demo-data", note="three demo questions")
