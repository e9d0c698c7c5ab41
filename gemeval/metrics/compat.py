"""``--scoring ecgbench-compat``: the published ECG-Bench scoring rules, stated and reproduced.

These are the rules of the PULSE / GEM evaluation script (``evaluate_ecgbench.py``), restated
here so a gemeval run can reproduce the published numbers from the same model outputs. They
have known defects (docs/scoring.md lists each next to the rule gemeval uses by default);
this module keeps them on purpose and only here.

Multiple choice (CSN, G12EC: 8 options; MMMU-ECG: 4):

1. the whole answer equal to one of the letters A-H -> that letter;
2. else the first of "A." "B." ... "H." (in that order) found anywhere in the text -> its
   letter ("ECG." contains "G.");
3. else, if the text contains "The correct option is ", the first character after its last
   occurrence, when it is one of A-H; otherwise no answer (also when nothing follows; the
   published script then crashes);
4. else, if the text contains "Answer:", the first of A, B, ... H (in that order) found
   anywhere in what follows its last occurrence ("Answer: ECG" gives C);
5. else no answer. The published script then draws a letter with ``random.choice`` among the
   task's letters (A-D for MMMU-ECG) from a generator seeded once with 42; here that happens
   only with ``compat_random_fallback=True``, from ``random.Random(compat_seed)``, one draw
   per unparsed answer in the order answers are scored. Without it an unparsed answer is
   wrong. The letters A-H are searched even for 4-option tasks.

Gold letter: the first character of the reference answer.

Multi-label (PTB-XL super-classes, CPSC 2018; CODE-15%):

* labels are the codes of the task's list that occur in the text as case-sensitive
  substrings ("NORM" in "ABNORMAL", "MI" in "STEMI", "AF" in "AFL"), for the gold answer
  and the prediction alike;
* CODE-15%: a gold answer equal to "NORM" or "ABNORMAL" is that label alone, else the six
  codes by substring. A prediction is first cut to what follows its last "Answer:"; it is
  NORM if it contains "NORM" but not "ABNORMAL", ABNORMAL if it contains "ABNORMAL", plus
  the six codes by substring;
* the classes are those present in the gold labels (scikit-learn's MultiLabelBinarizer
  fitted on the gold lists): predicted codes outside them are ignored;
* macro F1 = mean over those classes of F1 (0 for a class never predicted); AUC per class
  from the 0/1 predictions, NaN for a class whose gold column has one value, and the
  macro AUC is the plain mean, so one such class makes it NaN; Hamming loss over those
  classes.

ECG-QA: candidate answers are the prompt's text after its last "Options:", with the sentence
"Only answer based on the given Options without any explanation." removed, split at commas
and stripped; the predicted set is the candidates that occur in the lower-cased answer (the
candidates themselves are not lower-cased); correct when it equals the set of the reference
answers (a reference given as one string is a set of characters, as in the script).

What is not reproduced: the script skips a whole MCQ file unless it has exactly 1,611 /
2,026 / 200 rows and its RNG state carries over from one subset to the next; gemeval scores
whatever it is given and reports ``n``.

What is reproduced from the files users have: the random letters are drawn in the order of
the answers file (``meta["answer_order"]`` of ``--model predictions``), among A-D for
MMMU-ECG even when an item shows a fifth option (the task's ``n_options``); an answer line
holding an error object is scored as the empty answer the script reads from it (no labels,
unparsed); a duplicated answer line is counted once per line, as the script counts it: the
sample's record keeps the last line's scores and, under ``<scorer>.lines``, one row per
earlier line of the same id (:func:`line_texts`, :func:`expand_lines`), and the aggregate
counts every line (``n`` is then the number of lines; ``n_repeated_lines`` says how many
are repeats; the bootstrap resamples the item with all its lines). gemeval's own scoring
scores the last line once and says on screen which ids repeat. ``--scoring gem-compat`` is
the same with GEM's ECG-QA rule (:func:`qa_correct_gem`).
"""

from __future__ import annotations

import random
import warnings
from typing import Any, Sequence

import numpy as np
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import f1_score, hamming_loss, roc_auc_score

from gemeval.metrics.mcq import LETTERS
from gemeval.metrics.classification import (
    binary_auc_per_class,
    bootstrap_sums,
    confusion_counts,
    f1_per_class,
    hamming,
    indicators,
    multilabel_entries,
    rows_to_arrays,
    weighted_sums,
)
from gemeval.metrics.classification import gold_labels as reference_labels
from gemeval.metrics.labels import label_space_codes
from gemeval.metrics.stats import DEFAULT_RESAMPLES
from gemeval.sample import Sample
from gemeval.errors import InputError

MCQ_LETTERS = tuple(LETTERS)
CORRECT_OPTION = "The correct option is "
ANSWER = "Answer:"
QA_OPTIONS = "Options:"
QA_INSTRUCTION = "Only answer based on the given Options without any explanation."
DEFAULT_SEED = 42
CODE15_FINDINGS = ("1dAVb", "RBBB", "LBBB", "SB", "ST", "AF")


# ---- multiple choice --------------------------------------------------------------------

def extract_choice(text: str | None) -> str | None:
    """The letter the published rules read from ``text`` (steps 1-4 above), or None."""
    if not text:
        return None
    if text in MCQ_LETTERS:
        return text
    for letter in MCQ_LETTERS:
        if letter + "." in text:
            return letter
    if CORRECT_OPTION in text:
        tail = text.split(CORRECT_OPTION)[-1]
        return tail[0] if tail and tail[0] in MCQ_LETTERS else None
    if ANSWER in text:
        tail = text.split(ANSWER)[-1].strip()
        return next((letter for letter in MCQ_LETTERS if letter in tail), None)
    return None


def gold_letter(sample: Sample) -> str:
    """The first character of ``reference["answer"]``."""
    answer = sample.reference.get("answer")
    if not isinstance(answer, str) or not answer:
        raise InputError(
            f"sample {sample.id!r} of task {sample.task!r}: reference has no 'answer' letter; "
            "check the data loader"
        )
    return answer[0]


class RandomFallback:
    """The published fallback: a seeded letter for each unparsed answer, in answer order."""

    def __init__(self, seed: int = DEFAULT_SEED):
        self.seed = seed
        self._rng = random.Random(seed)

    def draw(self, n_options: int) -> str:
        return self._rng.choice(list(MCQ_LETTERS[:n_options]))


def answer_text(prediction: Any) -> str | None:
    """The text the published script scores for a prediction: its text, or, for an answer
    line that held an error object, the empty answer the script reads from it; None for a
    prediction the script never saw (no line for the item)."""
    if prediction.ok:
        return prediction.text
    text = (prediction.meta or {}).get("compat_text")
    return text if isinstance(text, str) else None


def line_texts(prediction: Any) -> list[tuple[str, int | None]]:
    """(text, place in the answers file) of each EARLIER answer line with the prediction's
    id (``meta["earlier_lines"]`` of ``--model predictions``), in file order; a line the
    script would not read (no text) is left out."""
    lines = (prediction.meta or {}).get("earlier_lines")
    if not isinstance(lines, list):
        return []
    out: list[tuple[str, int | None]] = []
    for line in lines:
        text = line.get("text") if isinstance(line, dict) else None
        if isinstance(text, str):
            order = line.get("answer_order")
            out.append((text, order if isinstance(order, int) and not isinstance(order, bool) else None))
    return out


def expand_lines(rows: Sequence[dict[str, Any]], groups: Sequence[str], key: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows and groups with each sample's earlier answer lines (``row[key]``, a list of rows)
    as rows of their own after it, in the sample's group: the published script counts every
    line. Rows without earlier lines are returned as they are."""
    out_rows: list[dict[str, Any]] = []
    out_groups: list[str] = []
    for row, group in zip(rows, groups):
        out_rows.append(row)
        out_groups.append(group)
        for line in row.get(key) or ():
            out_rows.append(line)
            out_groups.append(group)
    return out_rows, out_groups


def answer_order(prediction: Any) -> int | None:
    """The prediction's place in its answers file (``meta["answer_order"]``), if known."""
    order = (prediction.meta or {}).get("answer_order")
    return order if isinstance(order, int) and not isinstance(order, bool) else None


def draw_fallbacks(rows: Sequence[dict[str, Any]], seed: int, letters: int) -> list[str | None]:
    """The published random letters for ``rows`` (MCQ compat rows): one draw per unparsed
    answer, from ``random.Random(seed)``, among the first ``letters`` letters, taken in the
    order of the answers file (``mcq.order``; rows without one follow, in row order)."""
    rng = random.Random(seed)
    order = sorted(range(len(rows)), key=lambda i: (rows[i].get("mcq.order") is None, rows[i].get("mcq.order") or 0, i))
    drawn: list[str | None] = [None] * len(rows)
    for i in order:
        if rows[i].get("mcq.unparsed") == 1:
            drawn[i] = rng.choice(list(MCQ_LETTERS[:letters]))
    return drawn


# ---- multi-label ------------------------------------------------------------------------

def _codes(label_space: str | Sequence[str]) -> tuple[str, ...]:
    return CODE15_FINDINGS if label_space == "code15" else label_space_codes(label_space)


def extract_labels(text: str | None, label_space: str | Sequence[str]) -> list[str]:
    """The published substring rule on a prediction (CODE-15% rule for ``code15``)."""
    if not text:
        return []
    codes = _codes(label_space)
    if label_space != "code15":
        return [code for code in codes if code in text]
    if ANSWER in text:
        text = text.split(ANSWER)[-1]
    found = [code for code in codes if code in text]
    if "NORM" in text and "ABNORMAL" not in text:
        return ["NORM"] + found
    if "ABNORMAL" in text:
        return ["ABNORMAL"] + found
    return found


def gold_labels(sample: Sample, label_space: str | Sequence[str]) -> list[str]:
    """The published gold rule on ``reference["text"]`` (the raw gold answer); a sample
    without one falls back to ``reference["labels"]``."""
    raw = sample.reference.get("text")
    if not isinstance(raw, str):
        return reference_labels(sample)
    if label_space == "code15" and raw in ("NORM", "ABNORMAL"):
        return [raw]
    return [code for code in _codes(label_space) if code in raw]


def multilabel_scores(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float | list[int]]:
    """Published macro F1, macro AUC and Hamming loss of 0/1 matrices over a label space.

    Only the columns with at least one gold 1 count (``classes``, their indices).
    """
    yt = np.asarray(y_true, dtype=int)
    yp = np.asarray(y_pred, dtype=int)
    classes = [j for j in range(yt.shape[1]) if yt[:, j].any()] if yt.ndim == 2 else []
    if not classes:
        nan = float("nan")
        return {"macro_f1": nan, "macro_auc": nan, "hamming_loss": nan, "classes": []}
    t, p = yt[:, classes], yp[:, classes]
    f1 = f1_score(t, p, average=None, zero_division=0)
    aucs = []
    for j in range(len(classes)):
        try:
            with warnings.catch_warnings():
                # scikit-learn warns and (>= 1.6) returns NaN where older releases raised:
                # both are the published NaN.
                warnings.simplefilter("ignore", UndefinedMetricWarning)
                aucs.append(roc_auc_score(t[:, j], p[:, j]))
        except ValueError:
            aucs.append(np.nan)
    return {
        "macro_f1": float(np.mean(f1)),
        "macro_auc": float(np.mean(aucs)),
        "hamming_loss": float(hamming_loss(t, p)),
        "classes": classes,
    }


def _stats(sums: np.ndarray, k: int) -> np.ndarray:
    """(B, 3) published macro F1, macro AUC and Hamming loss from weighted sums of
    ``indicators``; each resample's classes are the ones with gold weight in it."""
    tp, fp, fn, tn, total = confusion_counts(sums, k)
    present = (tp + fn) > 0
    n_present = present.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(present, np.nan_to_num(f1_per_class(tp, fp, fn)), 0.0).sum(axis=1) / n_present
        auc_cls = binary_auc_per_class(tp, fp, fn, tn)
        auc = np.where(present, auc_cls, 0.0).sum(axis=1) / n_present
    auc = np.where((present & np.isnan(auc_cls)).any(axis=1), np.nan, auc)
    return np.stack([f1, auc, hamming(np.where(present, fp, 0.0), np.where(present, fn, 0.0), total, n_present)], axis=1)


def compat_macro_f1_weighted(rows: Sequence[dict[str, Any]], weights: np.ndarray) -> np.ndarray:
    """Published macro F1 under each row of ``weights`` (B, n) -> (B,)."""
    return _stats(*weighted_sums(rows, weights)[:2])[:, 0]


def compat_macro_auc_weighted(rows: Sequence[dict[str, Any]], weights: np.ndarray) -> np.ndarray:
    """Published macro AUC (from 0/1 predictions) under each row of ``weights`` -> (B,)."""
    return _stats(*weighted_sums(rows, weights)[:2])[:, 1]


def compat_hamming_loss_weighted(rows: Sequence[dict[str, Any]], weights: np.ndarray) -> np.ndarray:
    """Published Hamming loss under each row of ``weights`` -> (B,)."""
    return _stats(*weighted_sums(rows, weights)[:2])[:, 2]


def aggregate_multilabel(
    rows: Sequence[dict[str, Any]], groups: Sequence[str], codes: Sequence[str], seed: int = 0,
    n_resamples: int = DEFAULT_RESAMPLES,
) -> dict[str, dict[str, Any]]:
    """The multilabel metrics under the published rules, with bootstrap CIs."""
    mask, yt, yp, _ = rows_to_arrays(rows)
    n = int(mask.sum())
    yt, yp = yt.reshape(n, len(codes)), yp.reshape(n, len(codes))
    point = multilabel_scores(yt, yp)
    classes = point["classes"]
    assert isinstance(classes, list), "multilabel_scores lists the scored columns"
    boot = None
    if n > 1 and n_resamples > 0:
        sums = bootstrap_sums(indicators(yt, yp), mask, groups, n_resamples, seed)
        boot = np.concatenate([_stats(block, len(codes)) for block in sums])
    return multilabel_entries(
        rows, groups, mask, point, boot,
        {key: f"gemeval.metrics.compat:compat_{key}_weighted" for key in ("macro_f1", "macro_auc", "hamming_loss")},
        seed, n_resamples, labels=[codes[j] for j in classes], mode="ecgbench-compat",
    )


# ---- ECG-QA -----------------------------------------------------------------------------

def qa_candidates(prompt: str) -> list[str]:
    """The published candidate answers read from a prompt."""
    tail = prompt.split(QA_OPTIONS)[-1].replace(QA_INSTRUCTION, "")
    return [part.strip() for part in tail.split(",")]


def qa_predicted(text: str, candidates: Sequence[str]) -> list[str]:
    """Candidates found in the lower-cased answer (candidates kept as written)."""
    lowered = text.lower()
    return [c for c in candidates if c in lowered]


def qa_correct(predicted: Sequence[str], gold: str | Sequence[str]) -> int:
    """1 when the predicted set equals the gold set (a string gold is its set of characters)."""
    return int(set(predicted) == set(gold))


def qa_correct_gem(predicted: Sequence[str], gold: str | Sequence[str]) -> int:
    """GEM's own ECG-QA rule (``--scoring gem-compat``): the predicted candidates are joined
    into one string and its set of characters is compared with the set of the gold, so a
    gold given as a list of option texts never matches (unless its options are single
    characters) and a gold given as a string matches any answer made of the same letters."""
    return int(set("".join(predicted)) == set(gold))
