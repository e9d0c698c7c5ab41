"""Time scoring a full-size ECG-Bench predictions set in both scoring modes (target < 10 s).

Generates model answers for every ECG-Bench subset at its published size (PTB-XL 2,082,
CODE-15% 1,400, CPSC 2,061, CSN 1,611, G12EC 2,026, MMMU-ECG 200, ECG-QA 1,317, PTB-XL report
500: 11,197 items) in the forms models write (label lists, "Answer: C", free text,
distractors), then scores them with the gemeval scorers in ``gemeval`` and
``ecgbench-compat`` modes, 1,000 bootstrap resamples per metric. The report subset uses the
real PTB-XL clinician reports of ../shared/data when present (else generated ones); its
BERTScore (packaged MiniLM model) is timed apart, with its one-off model load, and the total
is printed with and without it.

The anchor, measured in the same run: the published procedure on the same answers (substring
labels, letter extraction, scikit-learn metrics, one pass, no CI, no report metrics).

    python benchmarks/score_ecgbench.py
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score

from gemeval.metrics.classification import MultilabelScorer
from gemeval.metrics.compat import extract_choice, qa_candidates, qa_predicted
from gemeval.metrics.mcq import MCQScorer
from gemeval.metrics.qa import QAScorer
from gemeval.metrics.text import TextScorer, bertscore
from gemeval.sample import Prediction, Sample
from gemeval.tasks import load_task
from score_multilabel import published_multilabel  # the benchmark beside this one

TARGET_S = 10.0
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
MULTILABEL = {  # subset: (n, label space, {code: answer form})
    "ptb-test": (2082, "ptbxl-super", {
        "NORM": "NORM(normal ECG)", "MI": "MI(myocardial infarction)", "STTC": "STTC(ST/T change)",
        "CD": "CD(conduction disturbance)", "HYP": "HYP(hypertrophy)"}),
    "code15-test": (1400, "code15", {
        "1dAVb": "1dAVb(1st degree AV block)", "RBBB": "RBBB(right bundle branch block)",
        "LBBB": "LBBB(left bundle branch block)", "SB": "SB(sinus bradycardia)", "ST": "ST(sinus tachycardia)",
        "AF": "AF(atrial fibrillation)"}),
    "cpsc-test": (2061, "cpsc2018", {
        "NORM": "NORM(normal ECG)", "AF": "AF(atrial fibrillation)",
        "I-AVB": "I-AVB(first degree atrioventricular block)", "LBBB": "LBBB(left bundle branch block)",
        "RBBB": "RBBB(right bundle branch block)", "PAC": "PAC(premature atrial contraction)",
        "PVC": "PVC(premature ventricular contraction)", "STD": "STD(ST-segment depression)",
        "STE": "STE(ST-segment elevation)"}),
}
MCQ = {"csn-test-no-cot": (1611, 8), "g12-test-no-cot": (2026, 8), "mmmu-ecg": (200, 4)}
N_QA, N_REPORT = 1317, 500
OPTIONS = ["Sinus rhythm", "Atrial fibrillation", "Sinus bradycardia", "Sinus tachycardia",
           "Left bundle branch block", "Right bundle branch block", "1st degree AV block", "Atrial flutter"]
MCQ_FORMS = ["{L}", "Answer: {L}", "The correct option is {L}.", "{L}. {opt}", "{opt}", "I think the ECG shows {opt}",
             "Answer: ECG suggests {opt}", "({L})"]
QA_SETS = [["yes", "no", "not sure"], ["lead I", "lead II", "lead III", "lead aVF", "none"],
           ["sinus rhythm", "atrial fibrillation", "sinus bradycardia"]]
DISTRACTORS = ["no ST elevation", "ABNORMAL", "sinus rhythm", "STEMI", "otherwise normal ECG", "Answer:"]


def _task(folder: Path, name: str, kind: str, **meta) -> object:
    path = folder / f"{name}.yaml"
    lines = [f"task: {name}", "metadata:", f"  kind: {kind}"] + [f"  {k}: {v}" for k, v in meta.items()]
    path.write_text("\n".join(lines) + "\n")
    return load_task(str(path))


def multilabel_items(subset, n, forms, rng):
    codes = list(forms)
    samples, preds = [], []
    for i in range(n):
        gold = rng.sample(codes, rng.choice((1, 1, 1, 2)))
        gold_text = ", ".join(forms[c] for c in gold)
        if subset == "code15-test" and rng.random() < 0.3:
            gold, gold_text = ([], "NORM") if rng.random() < 0.5 else ([], "ABNORMAL")
        said = [c for c in codes if (c in gold) == (rng.random() < 0.85)]
        parts = [forms[c] for c in said] + rng.sample(DISTRACTORS, rng.randint(0, 1))
        labels = gold or (["NORM"] if gold_text == "NORM" else ["ABNORMAL"] if gold_text == "ABNORMAL" else [])
        samples.append(Sample(id=f"{subset}-{i:05d}", task=subset, prompt="",
                              reference={"labels": labels, "text": gold_text}))
        preds.append(Prediction(samples[-1].id, ", ".join(parts) or "NORM"))
    return samples, preds


def mcq_items(subset, n, n_options, rng):
    samples, preds = [], []
    for i in range(n):
        gold = "ABCDEFGH"[rng.randrange(n_options)]
        said = gold if rng.random() < 0.7 else "ABCDEFGH"[rng.randrange(n_options)]
        text = rng.choice(MCQ_FORMS).format(L=said, opt=OPTIONS["ABCDEFGH".index(said)])
        samples.append(Sample(id=f"{subset}-{i:05d}", task=subset, prompt="Which diagnosis?",
                              reference={"answer": gold, "options": OPTIONS[:n_options]}))
        preds.append(Prediction(samples[-1].id, text))
    return samples, preds


def qa_items(n, rng):
    samples, preds = [], []
    for i in range(n):
        options = rng.choice(QA_SETS)
        answers = rng.sample(options, 1)
        said = answers if rng.random() < 0.7 else rng.sample(options, rng.randint(1, 2))
        prompt = f"Question {i}? Options: {', '.join(options)}. Only answer based on the given Options without any explanation."
        samples.append(Sample(id=f"ecgqa-{i:05d}", task="ecgqa-test", prompt=prompt,
                              reference={"answers": answers, "options": options}))
        preds.append(Prediction(samples[-1].id, ", ".join(said)))
    return samples, preds


def report_items(n, rng):
    fixture = SHARED / "ecgbench" / "ptb_report_generation_test.json"
    if fixture.is_file():
        refs = [item["conversation"][1]["value"] for item in json.loads(fixture.read_text())][:n]
    else:
        refs = [f"Sinus rhythm. {rng.choice(['Normal ECG.', 'Left ventricular hypertrophy.', 'Old inferior MI.'])}"
                for _ in range(n)]
    samples, preds = [], []
    for i, ref in enumerate(refs):
        sentences = ref.split(". ")
        rng.shuffle(sentences)
        text = ". ".join(sentences) if rng.random() < 0.5 else refs[rng.randrange(len(refs))]
        samples.append(Sample(id=f"report-{i:04d}", task="ptb-test-report", prompt="", reference={"text": ref}))
        preds.append(Prediction(samples[-1].id, text))
    return samples, preds


def anchor(sets) -> float:
    """The published procedure over the same answers (no CI, no report metrics)."""
    start = time.perf_counter()
    for kind, meta, samples, preds in sets:
        if kind == "multilabel":
            published_multilabel([s.reference["text"] for s in samples], [p.text for p in preds], list(meta[2]))
        elif kind == "mcq":
            rng = random.Random(42)
            letters = list("ABCDEFGH"[:meta[1]])
            accuracy_score([s.reference["answer"] for s in samples],
                           [extract_choice(p.text) or rng.choice(letters) for p in preds])
        elif kind == "qa":
            np.mean([set(qa_predicted(p.text, qa_candidates(s.prompt))) == set(s.reference["answers"])
                     for s, p in zip(samples, preds)])
    return time.perf_counter() - start


def main() -> None:
    rng = random.Random(0)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sets = []
        for subset, (n, space, forms) in MULTILABEL.items():
            sets.append(("multilabel", (n, space, forms), *multilabel_items(subset, n, forms, rng)))
        for subset, (n, k) in MCQ.items():
            sets.append(("mcq", (n, k), *mcq_items(subset, n, k, rng)))
        sets.append(("qa", (N_QA,), *qa_items(N_QA, rng)))
        sets.append(("text", (N_REPORT,), *report_items(N_REPORT, rng)))
        tasks = []
        for kind, meta, samples, _ in sets:
            name = samples[0].task
            if kind == "multilabel":
                tasks.append(_task(folder, name, "multilabel", label_space=meta[1]))
            elif kind == "mcq":
                tasks.append(_task(folder, name, "mcq", n_options=meta[1]))
            elif kind == "qa":
                tasks.append(_task(folder, name, "qa"))
            else:
                tasks.append(_task(folder, name, "report", label_space="scp-findings"))
        n_items = sum(len(s[2]) for s in sets)
        anchor_s = anchor(sets)
        print(f"{n_items} ECG-Bench items; anchor (published procedure, no CI, no report metrics): {anchor_s:.3f} s")

        scorer_of = {"multilabel": MultilabelScorer, "mcq": MCQScorer, "qa": QAScorer, "text": TextScorer}
        scoring_s = 0.0
        for mode in ("gemeval", "ecgbench-compat"):
            mode_start = time.perf_counter()
            lines = []
            for (kind, _, samples, preds), task in zip(sets, tasks):
                begin = time.perf_counter()
                scorer = scorer_of[kind](task=task, mode=mode, compat_random_fallback=mode != "gemeval",
                                         bertscore=False)
                if hasattr(scorer, "score_batch"):
                    rows = [row for i in range(0, len(samples), 64)
                            for row in scorer.score_batch(samples[i:i + 64], preds[i:i + 64])]
                else:
                    rows = [scorer.score(s, p) for s, p in zip(samples, preds)]
                agg = scorer.aggregate(rows, [s.group for s in samples], seed=0, n_resamples=1000)
                key, entry = next(iter(agg.items()))
                lines.append(f"  {task.name:16s} {len(samples):5d} items {time.perf_counter() - begin:6.3f} s  "
                             f"{key} {entry['value']:.3f}")
            mode_s = time.perf_counter() - mode_start
            scoring_s += mode_s
            print(f"{mode}: {mode_s:.3f} s (BERTScore apart)")
            print("\n".join(lines))

        _, _, report_samples, report_preds = sets[-1]
        start = time.perf_counter()
        bertscore(["warm up"], ["warm up"])
        load_s = time.perf_counter() - start
        start = time.perf_counter()
        bertscore([p.text for p in report_preds], [s.reference["text"] for s in report_samples])
        bert_s = time.perf_counter() - start
        start = time.perf_counter()
        bertscore([p.text for p in report_preds], [s.reference["text"] for s in report_samples])
        again_s = time.perf_counter() - start
        print(f"BERTScore of the {len(report_samples)} reports: model load {load_s:.2f} s, first mode {bert_s:.3f} s "
              f"({1000 * bert_s / len(report_samples):.0f} ms per pair), second mode {again_s:.3f} s (remembered)")
        total = scoring_s + load_s + bert_s + again_s
        for label, value in (("all modes, every metric", total), ("all modes without BERTScore", scoring_s)):
            verdict = "PASS" if value < TARGET_S else "FAIL"
            print(f"{label}: {value:.3f} s, {value / anchor_s:.0f}x anchor, target < {TARGET_S:.0f} s: {verdict}")


if __name__ == "__main__":
    main()
