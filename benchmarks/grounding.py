"""Claim extraction: precision and recall on an annotated corpus, and speed.

Accuracy: ``extract_claims`` is run on every text of a claim corpus (default: the
development corpus ``tests/data/grounding_dev/``; ``--corpus`` takes any file or folder in
the same format, e.g. a held-out one) and its claims are matched with the hand-annotated
ones by the rule of ``gemeval.metrics.grounding.corpus``. Precision and recall are printed
overall, per style, kind, assertion status and quantity, and for the verifiable claims
(affirmed + negated) alone. Targets on the development corpus: precision >= 0.95, recall
>= 0.90 (held-out goal: 0.90 / 0.85).

Speed: two sets of texts of about 1,500 characters, each cycled to ``--n`` texts: gemeval's
own grounded interpretations of synthetic records ("dense", about 45 claims each: three
values in each lead, the worst case) and a GEM-style prose answer ("prose"). The anchor,
timed on the same texts in the same run, is one regular-expression pass that finds every
number (the least any claim reader must do). Times are CPU seconds of this process (the
wall time, printed beside them, grows with other load on the machine). Target: 10,000 dense
texts in 10 s.

    python benchmarks/grounding.py [--corpus PATH] [--n 10000] [--json] [--misses] [--no-speed]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

from gemeval.ecg.interpret import write_interpretation
from gemeval.ecg.synth import CONDITIONS, NoiseOptions, synthesize
from gemeval.metrics.grounding import extract_claims
from gemeval.metrics.grounding.corpus import (
    CorpusError,
    CorpusScore,
    load_corpus,
    score_corpus,
)

DEV_CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "grounding_dev"
TARGET_PRECISION, TARGET_RECALL = 0.95, 0.90
TARGET_S = 10.0
PROSE = (
    "The ECG shows sinus rhythm at approximately 78 bpm with a regular rhythm. The PR interval is "
    "0.16 s and the QRS duration is about 96 ms, which is within normal limits. QT/QTc 380/434 ms. "
    "The frontal axis is approximately +60 degrees, a normal axis. There is ST elevation of 2 mm in "
    "leads II, III and aVF with reciprocal ST depression of 1 mm in I and aVL, consistent with an "
    "acute inferior ST-elevation myocardial infarction. T waves are upright in V2-V6 and inverted in "
    "III. The R wave progression across the precordial leads is normal, with R wave amplitude of "
    "1.5 mV in V5 and S wave of 0.8 mV in V1. No left ventricular hypertrophy by voltage criteria "
    "(Sokolow-Lyon 2.3 mV). No pathological Q waves in the lateral leads. Lead aVR shows a negative "
    "QRS complex with no ST elevation. Overall: acute inferior STEMI; recommend urgent cardiology "
    "review and comparison with prior ECGs. The patient is a 65-year-old man; the tracing was "
    "recorded at 25 mm/s and 10 mm/mV. Heart rate 78 beats per minute, RR interval 770 ms. The "
    "QTc is normal and there is no evidence of pre-excitation or a bundle branch block pattern."
)


def _cut(text: str, size: int = 1500) -> str:
    end = text.rfind(".", 0, size)
    return text[: end + 1] if end > 0 else text[:size]


def speed_corpora(n: int) -> dict[str, list[str]]:
    """n dense texts (gemeval's interpretations: rate, intervals, axis and three values in
    each of the 12 leads, the worst case) and n GEM-style prose answers."""
    dense = [_cut(write_interpretation(synthesize(c, i, noise=NoiseOptions.none())[1]))
             for i, c in enumerate(CONDITIONS)]
    prose = [_cut(PROSE)]
    return {name: [pool[i % len(pool)] for i in range(n)] for name, pool in (("dense", dense), ("prose", prose))}


def measure_speed(n: int) -> dict[str, dict[str, float]]:
    number = re.compile(r"\d+(?:\.\d+)?")
    out = {}
    for name, texts in speed_corpora(n).items():
        start = time.process_time()
        for text in texts:
            number.findall(text)
        anchor = time.process_time() - start
        start, wall = time.process_time(), time.perf_counter()
        claims = sum(len(extract_claims(text)) for text in texts)
        took, wall = time.process_time() - start, time.perf_counter() - wall
        out[name] = {"texts": n, "chars_per_text": sum(map(len, texts)) / n, "claims_per_text": claims / n,
                     "seconds": took, "wall_seconds": wall, "anchor_seconds": anchor,
                     "target_seconds": TARGET_S * n / 10_000}
    return out


def _figure(value: float | None) -> str:
    return "  -  " if value is None else f"{value:5.3f}"


def _table(title: str, rows: dict[str, dict[str, Any]]) -> list[str]:
    lines = [f"{title:<22} precision recall  matched/extracted/expected"]
    for name, row in rows.items():
        lines.append(f"  {name:<20} {_figure(row['precision'])}     {_figure(row['recall'])}   "
                     f"{row['matched']:5d} / {row['extracted']:5d} / {row['expected']:5d}")
    return lines


def _describe(claim: dict[str, Any]) -> str:
    what = claim["category"] if claim["category"] is not None else (
        "?" if claim["value"] is None else
        f"{claim['comparator'] or ''}{claim['value']:g}" if claim["comparator"] != "range"
        else f"{claim['low']:g}..{claim['high']:g}")
    lead = f"@{claim['lead']}" if claim["lead"] else ""
    return f"{claim['quantity']}{lead} {what} [{claim['assertion']}]"


def misses(score: CorpusScore) -> list[str]:
    lines = []
    for result in score.items:
        if result.missed or result.spurious:
            lines.append(f"{result.item.id}: {result.item.text[:160]!r}")
            lines += [f"    missed   {_describe(c)}" for c in result.missed]
            lines += [f"    spurious {_describe(c)}" for c in result.spurious]
    return lines


def report(score: CorpusScore, corpus: str, speed: dict[str, dict[str, float]] | None) -> list[str]:
    data = score.to_dict()
    overall = data["overall"]
    lines = [f"corpus {corpus}: {data['texts']} texts, {overall['expected']} expected claims",
             *_table("overall", {"all claims": overall, "verifiable": data["verifiable"]}),
             f"  target (development corpus): precision >= {TARGET_PRECISION}, recall >= {TARGET_RECALL}"]
    for key in ("by_style", "by_kind", "by_assertion", "by_quantity"):
        lines += _table(key.replace("_", " "), data[key])
    for name, row in (speed or {}).items():
        lines.append(f"speed, {name}: extract_claims on {row['texts']:.0f} texts of {row['chars_per_text']:.0f} "
                     f"characters ({row['claims_per_text']:.0f} claims each)")
        lines.append(f"  gemeval: {row['seconds']:6.2f} CPU s ({row['seconds'] / row['texts'] * 1e3:.3f} ms per text; "
                     f"{row['wall_seconds']:.2f} s wall)   "
                     f"target {row['target_seconds']:.1f} s   ratio target/measured "
                     f"{row['target_seconds'] / row['seconds']:4.2f}x   "
                     f"anchor (one number regex pass) {row['anchor_seconds']:.3f} s, "
                     f"gemeval / anchor {row['seconds'] / row['anchor_seconds']:5.1f}x")
        if name == "dense":
            verdict = "meets" if row["seconds"] <= row["target_seconds"] else "MISSES"
            lines.append(f"  target: {row['target_seconds']:.1f} CPU s for {row['texts']:.0f} dense texts: {verdict} it "
                         f"({row['seconds']:.2f} s; timings grow under other load, the anchor ratio does not)")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(DEV_CORPUS), help="a corpus JSONL file or a folder of them")
    parser.add_argument("--n", type=int, default=10_000, help="texts per speed set")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--misses", action="store_true", help="list each text's missed and spurious claims")
    parser.add_argument("--no-speed", action="store_true", help="skip the speed measurement")
    args = parser.parse_args()
    try:
        items = load_corpus(args.corpus)
    except CorpusError as error:
        sys.exit(f"error: {error}")
    score = score_corpus(items, extract_claims)
    speed = None if args.no_speed else measure_speed(args.n)
    if args.json:
        print(json.dumps({"corpus": args.corpus, **score.to_dict(), "speed": speed}, indent=1))
    else:
        print("\n".join(report(score, args.corpus, speed)))
    if args.misses:
        print("\n".join(misses(score)))


if __name__ == "__main__":
    main()
