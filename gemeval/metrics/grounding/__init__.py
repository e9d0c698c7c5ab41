"""Grounding verification: every number a text claims about an ECG, checked against the signal.

A model that writes fluent text with wrong numbers must score low, so the text is read for
*claims* and each claim is compared with the truth of the record: the exact construction
values of a synthetic ECG ("synthetic-truth"), the machine measurements shipped with a real
record ("machine-measurements"), or gemeval's own measurement of the signal
("gemeval-measure"). The keys of the truth are those of ``gemeval.ecg.values``.

What is extracted (``extract_claims``)
--------------------------------------
Numeric claims, each a keyword followed in the same sentence by a number with a unit:

================== ============================================== ===========================
quantity           keywords                                       units (-> canonical)
================== ============================================== ===========================
hr_bpm             heart/ventricular rate, rate, HR; or any       bpm, beats per minute,
                   number in bpm not claimed by another keyword   /min (-> bpm)
rr_ms              RR, R-R interval                               ms, s (-> ms)
pr_ms              PR, P-R, PQ interval                           ms, s
qrs_ms             QRS, QRS duration/width                        ms, s
qt_ms              QT                                             ms, s
qtc_ms             QTc, QTcB, corrected QT, "QTc (Bazett)"        ms, s
qtc_fridericia_ms  QTcF, "QTc (Fridericia)"                       ms, s
axis_deg           (frontal/QRS/electrical) axis                  degrees, deg, ° (-> deg)
st_mv              ST, ST segment, ST elevation/depression        mV, mm, µV (-> mV at
                                                                  10 mm/mV)
r_mv, s_mv         R wave, S wave, "R in V5"                      mV, mm, µV
sokolow_lyon_mv    Sokolow-Lyon, "SV1 + RV5"                      mV, mm, µV
cornell_mv         Cornell voltage, "RaVL + SV3"                  mV, mm, µV
================== ============================================== ===========================

* A number without a unit counts only right after its keyword ("HR 72", "PR: 160",
  "axis -30", a patient's "my QTc came back at 462", "the QT fell all the way down to
  446"); intervals below 3 are then read as seconds.
* "~", "approximately", "about" mark a claim as approximate; it is checked the same way.
* Ranges ("PR 180-200 ms", "160 to 180 ms") are claims that the value lies in the range;
  comparisons ("QRS >= 120 ms", "at least 120 ms", "below 60 bpm") are one-sided bounds;
  a bound after a first value of the same keyword is a second claim ("QRS 140 ms (at least
  120 ms)"). A parenthesised conversion right after a value ("0.2 mV (2 mm)") is the same
  claim, not a second one.
* ST values are signed: "ST depression of 1 mm in V5" is st_mv = -0.1 in V5; an explicit
  sign wins; without sign or direction the value is taken as positive. S waves are
  negative amplitudes (``gemeval.ecg.values``), so an S depth of 1.5 mV is s_mv = -1.5.
* Per-lead claims are made once per lead: "ST elevation of 2 mm in leads II, III and aVF"
  is three claims. Leads are taken after the keyword, else before it in the sentence,
  else from a lead heading that opens the sentence ("Lead V5: R wave 2.6 mV, ..."). With
  several values and leads in one phrase, a value goes with the lead list right before it
  when it is written as "V2 (0.3 mV)" or "V2: 0.3 mV", else with the list after it
  ("0.3 mV in V2"), else with the nearest list before it. Territory names ("inferior
  leads") stay one claim about the territory (see ``TERRITORIES``).
* Not claims: numbers without a quantity keyword (ages, dates, "12-lead"), lead names
  ("V1"), paper speed and gain ("25 mm/s", "10 mm/mV"), and numbers after keywords that
  gemeval does not check (P wave, T wave, Q wave, atrial rate, PR segment, P/T axis, R',
  QRS voltage), which also end the scope of the keyword before them. A keyword's scope
  ends at the next keyword, the sentence end or ``SCOPE_CHARS`` after it.
* Worked calculations claim their result only: the numbers left of "=" or "≈" in "300/4 =
  75 bpm", "8 small squares x 40 ms = 320 ms" or "QTc = QT/sqrt(RR) = 400/sqrt(0.81) = 444
  ms" are operands. Grid counts ("5 small squares") claim nothing unless converted. A rate
  below 15/min with no keyword is a count ("extrasystoles > 5/min"), not the heart rate.
  "96 +/- 4 ms" is 96 ms; "within +/-0.05 mV" is the range -0.05 to 0.05 mV; "500+ ms" is
  a bound (>= 500 ms). A category after a number may follow the lead it was measured in
  ("0.21 s in lead II, which is prolonged").
* Layouts of model answers and reports: markdown label lines ("**QRS Duration:**
  Prolonged, around 140 ms" is a wide QRS and 140 ms); a category set off after a number by
  a comma, dash, parenthesis or table bar ("PR 0.22 s - prolonged", "QTc 480 ms
  (prolonged; ...)"); markdown tables, where the cells of a column headed "Normal range",
  "Reference", "Typical ..." hold reference values (status reference; their words are no
  findings) and a comment column's words are findings of the row; a list closed by "all
  normal", "all within normal limits" or "all WNL" (the category of every quantity listed)
  and "the PR and QRS intervals are normal" (the intervals named); chest-lead shorthand
  ("V4-6", "V5,6"); machine and clinician abbreviations (QRSd, QRS dur, PQ time, WNL).
  Items under a heading that names one quantity ("### ST Segments" / "- Elevated in II,
  III and aVF (2 mm)", "**QRS complex:**" / "- Duration: 90 ms") are read as mentions of
  it; a table with a lead per row ("| Lead | R (mV) | ST (mV) | T wave |") claims each
  cell for its row's lead; a unit in a column header is the unit of that column's bare
  numbers.
* Words that point back: "in the same leads", "in these leads" (the last lead list named
  before); "yours is 438 ms" (the interval, rate or axis named just before); "Both are
  normal" (the two quantities of the sentence before); "It's a bit long" / "that's on the
  slow side" after a number (a category of it); names and numbers paired by
  "respectively" ("The PR, QRS and QTc are 160, 90 and 420 ms, respectively"; "1 and 1.5
  mm in V5 and V6, respectively"); "reciprocal changes in I and aVL" (the opposite of the
  finding's direction). A formula's name is the keyword of the number after it ("by
  Bazett 462 ms", "Fridericia: 436 ms"). A clinician's query mark ("?AF") hedges the
  finding after it.
* How language models write about the ECG in front of them: "..., characterized by an
  irregular rhythm", "the findings support a diagnosis of ...", "several key features",
  "a hallmark of RBBB" (the condition after it is generic, the finding before it this
  ECG's) and "shows the classic features of RBBB"; a conclusion that restates a finding
  ("the QRS is prolonged, which is consistent with a bundle branch block") is a claim
  again; "the lateral leads, particularly I, aVL, V5 and V6" are the listed leads; a
  sentence opening "In the precordial leads V1 through V6," gives its leads to the
  sentence; "the ST segment and T waves exhibit abnormalities" is an ST-T finding; chat
  wording for ranges and values ("within the usual resting range", "all of which are
  within normal limits", "wider than usual", "67 bpm. That's within the normal range",
  "was not available", "I cannot give you the PR interval") and labels quoted from a tool
  ("'AFIB'", "'SR'").

Categorical claims, in words: sinus rhythm, atrial fibrillation, regular / irregular
rhythm; bradycardia, tachycardia, normal rate; prolonged / short / normal PR (first-degree
AV block implies a prolonged PR); wide / normal QRS (complete bundle branch block implies
a wide QRS); prolonged / normal QT(c), about the corrected QT; normal axis, left / right
axis deviation; ST elevation / depression / isoelectric / normal ST, per lead, per
territory, or without a lead ("no ST elevation" is a claim about every lead). Category
words are read with their keyword ("prolonged PR", "the QRS duration is wide", "QT
prolongation") or as named findings ("first-degree AV block"). A negation in the same
clause ("no", "not", "without", "absence of", ...) makes the claim negated.

How claims are checked (``verify_claims``)
------------------------------------------
Each claim gets "verified", "contradicted" or "unverifiable" with a reason:

* numeric: the truth must lie in the claimed value or range widened by the tolerance of
  ``Tolerances`` (``max(absolute, relative x |truth|)``); a bound must hold up to the
  tolerance. Axis differences wrap around 360 degrees. A QTc without a formula is verified
  when it matches Bazett or Fridericia (reports use both). A range wider than
  ``MAX_RANGE_TOLERANCES`` tolerances says too little to check: unverifiable.
* categorical: the truth must lie in the category's band (``CATEGORY_BANDS``); within the
  tolerance's ``margin`` of a band edge the claim is unverifiable (indeterminate zone), and
  so is a QTc between the female and male thresholds. A negated claim is verified exactly
  when the plain claim would be contradicted, and the reverse.
* per territory (or any lead, when no lead is named) the truth is the extreme in the
  claim's direction: the largest ST for an elevation, the smallest for a depression,
  the largest |ST| for an isoelectric ST, the largest R, the deepest S; a "normal" ST
  holds when no lead is elevated or depressed.
* unverifiable: no truth for that quantity or lead, truth NaN, indeterminate zone, no lead
  named for a per-lead number, or a range too wide.

Scores (``grounding_scores``)
-----------------------------
claim_precision = verified / (verified + contradicted); contradiction_rate = contradicted /
checkable, where a claim is checkable when the truth has a value for it (decided claims
plus those in an indeterminate zone or too vague to decide). Coverage and diagnosis F1 are
described in ``grounding_scores``.

Modules
-------
``claims`` (what a claim and a verdict are), ``text``, ``numbers`` and ``leads`` (reading
sentences, numbers with units, lead lists and territories), ``vocabulary`` (the keywords
and finding words), ``assertion`` (negation), ``extraction`` (text -> claims),
``tolerances`` (bands), ``verification`` (claims -> verdicts), ``scoring`` (per-text
scores and the run scorer), ``corpus`` (hand-annotated claim corpora: loading, the
matching rule, extraction precision and recall). Everything below is importable from this
package.
"""

from __future__ import annotations

from gemeval.metrics.grounding.claims import (
    NUMERIC_QUANTITIES,
    PER_LEAD_QUANTITIES,
    QUANTITIES,
    STATUSES,
    Claim,
    ClaimVerdict,
)
from gemeval.metrics.grounding.extraction import (
    ParsedText,
    extract_claims,
)
from gemeval.metrics.grounding.leads import (
    TERRITORIES,
    TERRITORY_BEFORE_RE,
)
from gemeval.metrics.grounding.numbers import (
    VALUE_TAIL_RE,
)
from gemeval.metrics.grounding.scoring import (
    MEAN_METRICS,
    PREFIX,
    GroundingScorer,
    addressed_features,
    diagnosis_f1,
    grounding_scores,
    leads_with_findings,
)
from gemeval.metrics.grounding.tolerances import (
    CATEGORY_BANDS,
    DEFAULT_TOLERANCES,
    EXACT_TRUTH_SOURCES,
    EXACT_TRUTH_TOLERANCES,
    MAX_RANGE_TOLERANCES,
    MEASURED_TOLERANCES,
    NORTHWEST_AXIS_DEG,
    RHYTHM_KINDS,
    Band,
    Tolerances,
    tolerances_for,
)
from gemeval.metrics.grounding.verification import (
    derived_truth,
    verify_claims,
)
from gemeval.metrics.grounding.vocabulary import (
    CATEGORICAL_PATTERNS,
    FEATURE_PATTERNS,
    FEATURES,
    KEYWORD_CATEGORIES,
    KEYWORD_PATTERNS,
    SCOPE_CHARS,
)

__all__ = [
    "Band",
    "CATEGORICAL_PATTERNS",
    "CATEGORY_BANDS",
    "Claim",
    "ClaimVerdict",
    "DEFAULT_TOLERANCES",
    "EXACT_TRUTH_SOURCES",
    "EXACT_TRUTH_TOLERANCES",
    "FEATURES",
    "FEATURE_PATTERNS",
    "GroundingScorer",
    "KEYWORD_CATEGORIES",
    "KEYWORD_PATTERNS",
    "MAX_RANGE_TOLERANCES",
    "MEAN_METRICS",
    "MEASURED_TOLERANCES",
    "NORTHWEST_AXIS_DEG",
    "NUMERIC_QUANTITIES",
    "PER_LEAD_QUANTITIES",
    "PREFIX",
    "ParsedText",
    "QUANTITIES",
    "RHYTHM_KINDS",
    "SCOPE_CHARS",
    "STATUSES",
    "TERRITORIES",
    "TERRITORY_BEFORE_RE",
    "Tolerances",
    "VALUE_TAIL_RE",
    "addressed_features",
    "derived_truth",
    "diagnosis_f1",
    "extract_claims",
    "grounding_scores",
    "leads_with_findings",
    "tolerances_for",
    "verify_claims",
]
