"""Time multi-label scoring: 10,000 predictions with a 1,000-resample bootstrap (target < 2 s).

Prints the time of gemeval scoring (label extraction for every answer, then macro F1, macro
AUC, Hamming loss and exact match with clustered bootstrap CIs) in both scoring modes, and
the anchor measured in the same run: the published ECG-Bench procedure on the same answers
(substring matching, MultiLabelBinarizer, scikit-learn F1/AUC/Hamming, one pass, no CI).

    python benchmarks/score_multilabel.py [--n 10000] [--resamples 1000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score, hamming_loss, roc_auc_score
from sklearn.preprocessing import MultiLabelBinarizer

from gemeval.metrics.classification import MultilabelScorer
from gemeval.sample import Prediction, Sample
from gemeval.tasks import load_task

TARGET_S = 2.0
CODES = ["NORM", "MI", "STTC", "CD", "HYP"]
ANSWER_FORMS = {
    "NORM": ["NORM(normal ECG)", "normal ECG", "NORM", "Normal sinus rhythm, normal ECG"],
    "MI": ["MI(myocardial infarction)", "old inferior myocardial infarction", "anteroseptal MI", "inferior STEMI"],
    "STTC": ["STTC(ST/T change)", "T wave inversion in V1-V3", "nonspecific ST-T changes", "ST depression in V5"],
    "CD": ["CD(conduction disturbance)", "right bundle branch block", "1st degree AV block", "LAFB"],
    "HYP": ["HYP(hypertrophy)", "left ventricular hypertrophy", "left atrial enlargement", "LVH by voltage"],
}
NEGATED = ["no ST elevation", "without atrial fibrillation", "no signs of infarction", "rule out LVH"]


def make_items(n: int, seed: int = 0) -> tuple[list[Sample], list[Prediction]]:
    rng = random.Random(seed)
    samples, preds = [], []
    for i in range(n):
        gold = rng.sample(CODES, rng.choice((1, 1, 2, 3)))
        said = [c for c in CODES if (c in gold) == (rng.random() < 0.8)]
        parts = [rng.choice(ANSWER_FORMS[c]) for c in said] + rng.sample(NEGATED, rng.randint(0, 1))
        rng.shuffle(parts)
        text = rng.choice([", ", ". ", "; "]).join(parts) or "No abnormality detected"
        gold_text = ", ".join(ANSWER_FORMS[c][0] for c in gold)
        samples.append(Sample(id=f"ptb-{i:05d}", task="ptbxl-super", prompt="",
                              reference={"labels": gold, "text": gold_text}))
        preds.append(Prediction(f"ptb-{i:05d}", text))
    return samples, preds


def published_multilabel(gold_texts: list[str], answers: list[str], codes: list[str]) -> None:
    """The published multi-label procedure: substring label matching, a binarizer fitted
    on the gold labels, macro F1, AUC from the binary predictions and Hamming loss."""
    golds = [[c for c in codes if c in text] for text in gold_texts]
    guesses = [[c for c in codes if c in text] for text in answers]
    mlb = MultiLabelBinarizer()
    truth = mlb.fit_transform(golds)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        guess = mlb.transform(guesses)
        np.mean(f1_score(truth, guess, average=None))
        np.mean([roc_auc_score(truth[:, j], guess[:, j]) for j in range(truth.shape[1])])
    hamming_loss(truth, guess)


def anchor(samples: list[Sample], preds: list[Prediction]) -> float:
    """The published procedure, for scale."""
    start = time.perf_counter()
    published_multilabel([s.reference["text"] for s in samples], [p.text for p in preds], CODES)
    return time.perf_counter() - start


def gemeval_scoring(task, mode: str, samples, preds, resamples: int) -> tuple[float, float, dict]:
    scorer = MultilabelScorer(task=task, mode=mode)
    start = time.perf_counter()
    rows = [scorer.score(s, p) for s, p in zip(samples, preds)]
    scored = time.perf_counter()
    agg = scorer.aggregate(rows, [s.group for s in samples], seed=0, n_resamples=resamples)
    return scored - start, time.perf_counter() - scored, agg


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--resamples", type=int, default=1000)
    args = parser.parse_args()
    samples, preds = make_items(args.n)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ptbxl-super.yaml"
        path.write_text("task: ptbxl-super-bench\nmetadata:\n  kind: multilabel\n  label_space: ptbxl-super\n")
        task = load_task(str(path))
        gemeval_scoring(task, "gemeval", samples[:200], preds[:200], 10)  # warm: regex compilation
        anchor_s = min(anchor(samples, preds) for _ in range(3))
        print(f"{args.n} multi-label answers ({len({p.text for p in preds})} distinct), "
              f"{args.resamples} bootstrap resamples")
        print(f"anchor (published procedure, no CI): {anchor_s:.3f} s")
        for mode in ("gemeval", "ecgbench-compat"):
            runs = [gemeval_scoring(task, mode, samples, preds, args.resamples) for _ in range(3)]
            extract_s, aggregate_s, agg = min(runs, key=lambda r: r[0] + r[1])
            total = extract_s + aggregate_s
            verdict = "PASS" if total < TARGET_S else "FAIL"
            print(f"{mode:16s} total {total:.3f} s (score {extract_s:.3f} s + aggregate {aggregate_s:.3f} s), "
                  f"{total / anchor_s:.1f}x anchor, target < {TARGET_S} s: {verdict}; "
                  f"macro F1 {agg['multilabel.macro_f1']['value']:.3f} "
                  f"[{agg['multilabel.macro_f1']['ci_low']:.3f}, {agg['multilabel.macro_f1']['ci_high']:.3f}]")


if __name__ == "__main__":
    main()
