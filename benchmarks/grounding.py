"""Claim extraction speed: 10,000 interpretation texts of about 1,500 characters.

Two corpora, each cut to about 1,500 characters at a sentence end and cycled to ``--n``
texts: a GEM-style prose answer (~20 claims) and gemeval's own grounded interpretations of
synthetic records (~45 claims: three values in each lead, the worst case). The anchor, timed on the same texts in the same run, is one
regular-expression pass that finds every number (the least any claim reader must do).
Target (issue 3): 10,000 texts in a few seconds (3 s).

    python benchmarks/grounding.py [--n 10000]
"""

from __future__ import annotations

import argparse
import re
import time

from gemeval.ecg.interpret import write_interpretation
from gemeval.ecg.synth import CONDITIONS, NoiseOptions, synthesize
from gemeval.metrics.grounding import extract_claims

TARGET_S = 3.0
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


def corpora(n: int) -> dict[str, list[str]]:
    """Two corpora of n texts: GEM-style prose answers, and gemeval's dense interpretations
    (rate, intervals, axis and three values in each of the 12 leads: the worst case)."""
    dense = [_cut(write_interpretation(synthesize(c, i, noise=NoiseOptions.none())[1]))
             for i, c in enumerate(CONDITIONS)]
    prose = [_cut(PROSE)]
    return {name: [pool[i % len(pool)] for i in range(n)] for name, pool in (("prose", prose), ("dense", dense))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    args = parser.parse_args()
    number = re.compile(r"\d+(?:\.\d+)?")
    for name, corpus in corpora(args.n).items():
        chars = sum(map(len, corpus)) / len(corpus)
        start = time.perf_counter()
        for text in corpus:
            number.findall(text)
        anchor = time.perf_counter() - start
        start = time.perf_counter()
        claims = sum(len(extract_claims(text)) for text in corpus)
        took = time.perf_counter() - start
        print(f"{name}: extract_claims on {args.n} texts of {chars:.0f} characters ({claims / args.n:.0f} claims each)")
        print(f"  gemeval: {took:6.2f} s ({took / args.n * 1e3:.3f} ms per text)   target {TARGET_S:.1f} s   "
              f"ratio target/measured {TARGET_S / took:4.2f}x")
        print(f"  anchor (one number regex pass): {anchor:6.3f} s   gemeval / anchor {took / anchor:5.1f}x")


if __name__ == "__main__":
    main()
