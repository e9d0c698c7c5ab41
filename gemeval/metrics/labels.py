"""Finding labels read from free text: the vocabulary of each label space and the extractor.

A *label space* is an ordered tuple of label codes (``LABEL_SPACES``):

* ``ptbxl-super``: NORM, MI, STTC, CD, HYP, PTB-XL's diagnostic super-classes. Findings map
  to their super-class (``gemeval.ecg.labels.SCP_STATEMENTS``): "inferior myocardial
  infarction", "STEMI" or "NSTEMI" -> MI; "ST depression", "T wave inversion", "long QT",
  "ischemia" -> STTC; any bundle branch, fascicular or AV block -> CD; "left ventricular
  hypertrophy", "left atrial enlargement" -> HYP; "normal ECG" -> NORM. Like PTB-XL, whose
  ``STE_`` statement has no super-class, a plain "ST elevation" maps to none of the five.
* ``code15``: 1dAVb, RBBB, LBBB, SB, ST, AF of the CODE-15% set, plus NORM ("normal ECG")
  and ABNORMAL ("abnormal ECG", the ECG-Bench answer for an abnormal record outside the six).
* ``cpsc2018``: NORM, AF, I-AVB, LBBB, RBBB, PAC, PVC, STD, STE of CPSC 2018.
* ``scp-findings``: the PTB-XL SCP statements gemeval's synthetic conditions use
  (``gemeval.ecg.labels.CONDITION_LABELS``) and the common findings beside them.

Matching rules:

* Full names and their variants are case-insensitive whole-word phrases; hyphens and spaces
  are interchangeable ("right bundle-branch block"), plurals match ("PVCs", "T-wave
  inversions"), and the ECG-Bench answer form "RBBB(right bundle branch block)" matches.
* Abbreviations match as whole words: "NORM" does not match inside "ABNORMAL", "MI" not
  inside "STEMI". Abbreviations of one or two letters (MI, CD, AF, SB, ST, SR) and those that
  are English words (NORM, ABNORMAL) are case-sensitive; longer ones are not. "ST" for sinus
  tachycardia never matches the ST segment ("ST elevation", "ST-T changes").
* Synonyms carry meaning: in ``ptbxl-super`` "STEMI" *is* an MI (an infarction), through its
  own synonym, not because the letters "MI" occur in it. With a label space given as a plain
  sequence of codes (``extract_labels(text, ["MI", "NORM"])``) only the codes themselves match,
  as whole words, case-sensitively: there "STEMI" is not MI.
* A more specific finding hides the general one it contains: "incomplete right bundle branch
  block" is not RBBB; "non-ST-elevation MI" is not ST elevation.
* Negation, NegEx-style. A cue before the finding ("no", "not", "without", "absence of",
  "negative for", "free of", "rule out", "neither"/"nor", ...) negates findings up to the
  end of its clause, which ends at ". ; ! ? :", a line break or a contrast word ("but",
  "however", "although", "except", "whereas", ...), and at the first comma, unless an "or"/
  "nor" follows within the clause, which makes a list ("no MI, LVH or AF" negates all three;
  "no AF, RBBB" negates AF only). A cue right after the finding ("ST elevation is absent",
  "AF: no", "MI ruled out", "... not seen", "... unlikely") negates it too. Uncertainty is not
  negation: "cannot rule out MI" and "MI cannot be excluded" keep MI.
  "otherwise normal ECG" is not NORM. "non-specific" is no negation cue.
* A label is extracted when at least one mention is not negated.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence
from gemeval.errors import InputError

try:  # the regular-expression parser, to file concepts by their first character
    from re import _constants as _sre, _parser as _sre_parse  # type: ignore[attr-defined]  # private, not in typeshed
except ImportError:  # Python 3.10
    import sre_constants as _sre
    import sre_parse as _sre_parse

S = r"[\s\-]+"  # a word gap: spaces or hyphens
O = r"[\s\-]*"  # noqa: E741 - an optional word gap, as short as S in the patterns below
_LEFT = r"(?<![A-Za-z0-9_])"
_RIGHT = r"(?![A-Za-z0-9_])"
_CASE_SENSITIVE_WORDS = frozenset({"NORM", "ABNORMAL"})


@dataclass(frozen=True)
class Concept:
    """One finding: how it is written, and which more general mentions inside it it hides."""

    name: str
    phrases: tuple[str, ...] = ()  # regular expressions, case-insensitive
    abbreviations: tuple[str, ...] = ()  # literal strings; an "s" plural is allowed
    hides: tuple[str, ...] = ()  # concept names whose matches inside this one's are dropped


def _mi_words(territory: str) -> tuple[str, ...]:
    """Phrases for a myocardial infarction of a territory ("inferior STEMI", "old inferior
    wall MI", "myocardial infarction of the inferior wall")."""
    qualifier = rf"(?:acute|old|prior|recent|age{S}undetermined|possible|probable|Q{O}wave|ST{O}(?:segment{S})?elevation)"
    qualifiers = rf"(?:{qualifier}{S})*"
    infarct = rf"(?:myocardial{S}(?:infarct(?:ion)?s?|damage)|infarct(?:ion)?s?|MIs?|N?STEMIs?)"
    return (
        rf"{qualifiers}{territory}(?:{S}wall)?{S}{qualifiers}{infarct}",
        rf"{infarct}{S}(?:of|in|involving){S}(?:the{S})?{territory}(?:{S}(?:wall|leads))?",
    )


_DEGREE = rf"(?:{O}-?degree|°)"
_AV = rf"(?:AV|A{O}V|atrio{O}ventricular)"
_ST = rf"ST{O}(?:segments?{S})?"
_BE = rf"(?:(?:is|are|was|were){S})?"

CONCEPTS: dict[str, Concept] = {c.name: c for c in (
    Concept("normal_ecg", (
        rf"(?<!otherwise )(?<!otherwise-)normal{S}(?:12{O}lead{S})?(?:ECG|EKG|electrocardiogram|tracing|study)s?",
        rf"within{S}normal{S}limits",
        r"^\W*normal\W*$",
    ), ("NORM",)),
    Concept("abnormal_ecg", (rf"abnormal{S}(?:ECG|EKG|electrocardiogram|tracing)s?",), ("ABNORMAL",)),
    Concept("sinus_rhythm", (rf"(?:normal{S})?sinus{S}rhythm",), ("SR", "NSR")),
    Concept("sinus_bradycardia", (rf"sinus{S}brady(?:cardia|cardic)?",), ("SB", "SBRAD")),
    Concept("sinus_tachycardia", (
        rf"sinus{S}tachy(?:cardia|cardic)?",
        # "ST" alone, as the CODE-15% answers write sinus tachycardia, but not the ST segment.
        rf"(?-i:ST)(?![\s\-/]*(?:segment|elevat|depress|chang|abnorm|wave|interval|level|deviat|shift|morpholog"
        rf"|(?:(?:and|&|is|are|was|were|in|on){S})?T{_RIGHT}|(?:is|are|was|were|in|on){_RIGHT}))",
    ), ("STACH",)),
    Concept("sinus_arrhythmia", (rf"sinus{S}arrh?ythmia",), ("SARRH",)),
    Concept("atrial_fibrillation", (rf"atrial{S}fibrillation", rf"a{O}\.?{O}fib"), ("AF", "AFIB")),
    Concept("atrial_flutter", (rf"atrial{S}flutter",), ("AFL", "AFLT")),
    Concept("av_block_1", (
        rf"(?:first|1st|1|one|I){_DEGREE}{S}(?:{_AV}|heart){S}(?:block|(?:conduction{S})?delay)s?",
        rf"{_AV}{S}block{S}(?:of{S})?(?:first|1st|1|I){_DEGREE}",
        rf"first{_DEGREE}{S}block",
        rf"{_AV}{S}block{S}(?:I|1)",
        rf"(?:1|I)°{O}AVB",
    ), ("1dAVb", "1AVB", "IAVB", "I-AVB", "1-AVB", "AVB1")),
    Concept("av_block_2", (
        rf"(?:second|2nd|2|II){_DEGREE}{S}(?:{_AV}|heart){S}block",
        rf"{_AV}{S}block{S}(?:II|2)",
        rf"mobitz(?:{S}type)?{S}(?:II|I|1|2)",
        r"wenckebach",
    ), ("2AVB",)),
    Concept("av_block_3", (
        rf"(?:third|3rd|3|III){_DEGREE}{S}(?:{_AV}|heart){S}block",
        rf"complete{S}(?:{_AV}|heart){S}block",
        rf"{_AV}{S}block{S}(?:III|3)",
    ), ("3AVB", "CHB")),
    Concept("av_block", (rf"{_AV}{S}(?:block|dissociation)s?", rf"heart{S}block"), ("AVB",)),
    Concept("prolonged_pr", (
        rf"(?:long|prolonged|lengthened){S}PR(?:{S}interval)?",
        rf"PR(?:{S}interval)?{S}prolongation",
        rf"PR(?:{S}interval)?{S}{_BE}prolonged",
    ), ("LPR",)),
    Concept("rbbb", (rf"(?:complete{S})?right{S}bundle{S}branch{S}blocks?", rf"complete{S}RBBB"), ("RBBB", "CRBBB")),
    Concept("incomplete_rbbb", (
        rf"(?:incomplete|partial){S}(?:right{S}bundle{S}branch{S}blocks?|RBBB)",
    ), ("IRBBB",), hides=("rbbb",)),
    Concept("lbbb", (rf"(?:complete{S})?left{S}bundle{S}branch{S}blocks?", rf"complete{S}LBBB"), ("LBBB", "CLBBB")),
    Concept("incomplete_lbbb", (
        rf"(?:incomplete|partial){S}(?:left{S}bundle{S}branch{S}blocks?|LBBB)",
    ), ("ILBBB",), hides=("lbbb",)),
    Concept("bundle_branch_block", (rf"bundle{S}branch{S}blocks?",), ("BBB",)),
    Concept("lafb", (rf"left{S}anterior{S}(?:fascicular{S}block|hemi{O}block)s?",), ("LAFB", "LAHB")),
    Concept("lpfb", (rf"left{S}posterior{S}(?:fascicular{S}block|hemi{O}block)s?",), ("LPFB", "LPHB")),
    Concept("ivcd", (
        rf"(?:non{O}specific{S})?intra{O}ventricular{S}conduction{S}(?:delay|defect|disturbance|abnormality|block)s?",
    ), ("IVCD",)),
    Concept("wpw", (
        rf"wolff?{S}parkinson{S}white(?:{S}(?:syndrome|pattern))?", rf"(?:ventricular{S})?pre{O}excitation",
    ), ("WPW",)),
    Concept("conduction_disturbance", (
        rf"conduction{S}(?:disturbance|abnormality|defect|delay|disorder)s?",
    ), ("CD",)),
    Concept("lvh_voltage", (
        rf"voltage{S}criteria{S}(?:for{S})?(?:LVH|left{S}ventricular{S}hypertrophy)",
        rf"(?:LVH|left{S}ventricular{S}hypertrophy){S}(?:by|on|per){S}voltage(?:{S}criteria)?",
    ), ("VCLVH",)),
    Concept("lvh", (rf"left{S}ventricular{S}(?:hypertrophy|enlargement)",), ("LVH",)),
    Concept("rvh", (rf"right{S}ventricular{S}(?:hypertrophy|enlargement)",), ("RVH",)),
    Concept("left_atrial_enlargement", (
        rf"left{S}atri(?:al|um){S}(?:enlargement|overload|abnormality|hypertrophy)", rf"P{S}mitrale",
    ), ("LAE", "LAO", "LAO/LAE")),
    Concept("right_atrial_enlargement", (
        rf"right{S}atri(?:al|um){S}(?:enlargement|overload|abnormality|hypertrophy)", rf"P{S}pulmonale",
    ), ("RAE", "RAO", "RAO/RAE")),
    Concept("septal_hypertrophy", (rf"septal{S}hypertrophy",), ("SEHYP",)),
    Concept("hypertrophy", (rf"(?:bi{O}ventricular{S})?hypertroph(?:y|ies|ic)",), ("HYP",)),
    Concept("stemi", (rf"ST{O}(?:segment{S})?elevation{S}(?:myocardial{S}infarctions?|MIs?)",), ("STEMI",)),
    Concept("nstemi", (
        rf"non{O}ST{O}(?:segment{S})?elevation(?:{S}(?:myocardial{S}infarctions?|MIs?))?", rf"non{O}STEMI",
    ), ("NSTEMI", "NSTE-MI"), hides=("stemi", "st_elevation")),
    Concept("inferior_mi", _mi_words(rf"(?:inferior|infero{O}(?:posterolateral|posterior|lateral))"),
            ("IMI", "ILMI", "IPMI", "IPLMI"), hides=("lateral_mi", "posterior_mi")),
    Concept("anterior_mi", _mi_words("anterior"), ("AMI",)),
    Concept("anteroseptal_mi", _mi_words(rf"(?:antero{O}septal|(?<!-)septal)"), ("ASMI",)),
    Concept("anterolateral_mi", _mi_words(rf"antero{O}lateral"), ("ALMI",), hides=("lateral_mi",)),
    Concept("lateral_mi", _mi_words(rf"(?:high{S})?(?<!-)lateral"), ("LMI",)),
    Concept("posterior_mi", _mi_words(r"(?<!-)posterior"), ("PMI",)),
    Concept("myocardial_infarction", (
        rf"myocardial{S}(?:infarct(?:ion)?s?|damage)", r"infarct(?:ion)?s?", rf"heart{S}attacks?",
    ), ("MI",)),
    Concept("myocardial_injury", (
        rf"(?:sub{O}endocardial|sub{O}epicardial|myocardial|acute|current{S}of){S}injury",
    ), ()),
    Concept("st_elevation", (
        rf"(?<!non-)(?<!non ){_ST}elevations?",
        rf"elevat(?:ed|ion{S}of){S}(?:the{S})?ST(?:{S}segments?)?",
        rf"{_ST}{_BE}elevated",
    ), ("STE", "STE_")),
    Concept("st_depression", (
        rf"{_ST}depressions?",
        rf"depress(?:ed|ion{S}of){S}(?:the{S})?ST(?:{S}segments?)?",
        rf"{_ST}{_BE}depressed",
    ), ("STD", "STD_")),
    Concept("t_inversion", (
        rf"T{O}waves?{S}inversions?",
        rf"inver(?:ted|sion{S}of){S}(?:the{S})?T(?:{O}waves?)?",
        rf"T{O}waves?{S}{_BE}inverted",
        rf"negative{S}T{O}waves?",
    ), ("TWI", "INVT")),
    Concept("st_t_change", (
        rf"ST{O}[-/]?{O}T{O}(?:waves?{S})?(?:changes?|abnormalit(?:y|ies))",
        rf"{_ST}(?:changes?|abnormalit(?:y|ies)|deviations?)",
        rf"T{O}waves?{S}(?:changes?|abnormalit(?:y|ies)|flattening)",
        rf"(?:flat|flattened|low{O}amplitude){S}T{O}waves?",
        rf"(?:ST{O}(?:&|and){O})?T{O}(?:waves?{S})?{_BE}(?:abnormal|flat|flattened)",
        rf"abnormal{S}(?:ST{O}(?:&|and){O})?T(?:{O}waves?)?",
        rf"repolari[sz]ation{S}(?:abnormalit(?:y|ies)|changes?|disturbances?)",
    ), ("STTC",)),
    Concept("nonspecific_st", (
        rf"non{O}specific{S}ST(?:{O}[-/]?{O}T)?(?:{S}(?:segments?|waves?))?{S}(?:changes?|abnormalit(?:y|ies))",
    ), ("NST_",)),
    Concept("ischemia", (rf"isch(?:a)?emi(?:a|c)(?:{S}changes?)?",), ("ISC_",)),
    Concept("long_qt", (
        rf"(?:long|prolonged|lengthened){S}QTc?(?:{S}interval)?",
        rf"QTc?(?:{S}interval)?{S}prolongation",
        rf"QTc?(?:{S}interval)?{S}{_BE}(?:prolonged|long)",
    ), ("LQTS", "LNGQT", "LQT")),
    Concept("pvc", (
        rf"premature{S}ventricular{S}(?:contractions?|complex(?:es)?|beats?|depolari[sz]ations?|ectopics?)",
        rf"ventricular{S}(?:premature{S}(?:contractions?|complex(?:es)?|beats?)|extra{O}systoles?|ectopic{S}beats?|ectopy|ectopics)",
    ), ("PVC", "VPB", "VPC", "VEB")),
    Concept("pac", (
        rf"premature{S}(?:atrial|supraventricular){S}(?:contractions?|complex(?:es)?|beats?|depolari[sz]ations?)",
        rf"(?:atrial|supraventricular){S}(?:premature{S}(?:contractions?|complex(?:es)?|beats?)|extra{O}systoles?|ectopic{S}beats?|ectopics)",
    ), ("PAC", "APC", "APB", "SVPB", "SVPC")),
    Concept("paced_rhythm", (
        rf"(?:artificial{S})?pacemaker(?:{S}rhythm)?",
        rf"(?:(?:ventricular|atrial|dual{O}chamber|AV){S})?paced{S}rhythm",
    ), ("PACE",)),
)}

_MI = ("myocardial_infarction", "stemi", "nstemi", "inferior_mi", "anterior_mi", "anteroseptal_mi",
       "anterolateral_mi", "lateral_mi", "posterior_mi", "myocardial_injury")

# Each space: code -> the concepts that assert it, in the space's order.
_SPACE_CONCEPTS: dict[str, dict[str, tuple[str, ...]]] = {
    "ptbxl-super": {
        "NORM": ("normal_ecg",),
        "MI": _MI,
        "STTC": ("st_depression", "t_inversion", "st_t_change", "nonspecific_st", "ischemia", "long_qt"),
        "CD": ("rbbb", "incomplete_rbbb", "lbbb", "incomplete_lbbb", "bundle_branch_block", "lafb", "lpfb",
               "ivcd", "wpw", "conduction_disturbance", "av_block_1", "av_block_2", "av_block_3", "av_block",
               "prolonged_pr"),
        "HYP": ("lvh", "lvh_voltage", "rvh", "left_atrial_enlargement", "right_atrial_enlargement",
                "septal_hypertrophy", "hypertrophy"),
    },
    "code15": {
        "1dAVb": ("av_block_1", "prolonged_pr"),
        "RBBB": ("rbbb",),
        "LBBB": ("lbbb",),
        "SB": ("sinus_bradycardia",),
        "ST": ("sinus_tachycardia",),
        "AF": ("atrial_fibrillation",),
        "NORM": ("normal_ecg",),
        "ABNORMAL": ("abnormal_ecg",),
    },
    "cpsc2018": {
        "NORM": ("normal_ecg",),
        "AF": ("atrial_fibrillation",),
        "I-AVB": ("av_block_1", "prolonged_pr"),
        "LBBB": ("lbbb",),
        "RBBB": ("rbbb",),
        "PAC": ("pac",),
        "PVC": ("pvc",),
        "STD": ("st_depression",),
        "STE": ("st_elevation", "stemi"),
    },
    "scp-findings": {
        "NORM": ("normal_ecg",),
        "SR": ("sinus_rhythm",),
        "SBRAD": ("sinus_bradycardia",),
        "STACH": ("sinus_tachycardia",),
        "SARRH": ("sinus_arrhythmia",),
        "AFIB": ("atrial_fibrillation",),
        "AFLT": ("atrial_flutter",),
        "1AVB": ("av_block_1", "prolonged_pr"),
        "2AVB": ("av_block_2",),
        "3AVB": ("av_block_3",),
        "CLBBB": ("lbbb",),
        "CRBBB": ("rbbb",),
        "ILBBB": ("incomplete_lbbb",),
        "IRBBB": ("incomplete_rbbb",),
        "LAFB": ("lafb",),
        "LPFB": ("lpfb",),
        "IVCD": ("ivcd",),
        "WPW": ("wpw",),
        "LVH": ("lvh", "lvh_voltage"),
        "VCLVH": ("lvh_voltage",),
        "RVH": ("rvh",),
        "LAO/LAE": ("left_atrial_enlargement",),
        "RAO/RAE": ("right_atrial_enlargement",),
        "IMI": ("inferior_mi",),
        "AMI": ("anterior_mi",),
        "ASMI": ("anteroseptal_mi",),
        "ALMI": ("anterolateral_mi",),
        "LMI": ("lateral_mi",),
        "PMI": ("posterior_mi",),
        "STE_": ("st_elevation", "stemi"),
        "STD_": ("st_depression",),
        "INVT": ("t_inversion",),
        "NST_": ("nonspecific_st",),
        "ISC_": ("ischemia",),
        "LNGQT": ("long_qt",),
        "PVC": ("pvc",),
        "PAC": ("pac",),
        "PACE": ("paced_rhythm",),
    },
}

LABEL_SPACES: dict[str, tuple[str, ...]] = {name: tuple(codes) for name, codes in _SPACE_CONCEPTS.items()}
"""Every named label space: its codes in their canonical order."""

# Where a clause ends: sentence punctuation (not the point of "0.2 mV"), a colon, a line
# break, or a word that turns the sentence ("no ST elevation but T wave inversion").
_CLAUSE_END = re.compile(
    r"[.;!?](?=\s|$)|:(?=\s)|\n|\b(?:but|however|although|though|yet|except|whereas|while|"
    r"apart\s+from|aside\s+from|other\s+than)\b",
    re.IGNORECASE,
)
# Before a finding. Uncertainty phrases come first so that "cannot rule out" is read whole
# and never as the negation "rule out".
_PRE_CUE = re.compile(
    r"(?P<pseudo>\b(?:cannot|can't|can\s+not|could\s+not|couldn't)\s+(?:be\s+)?(?:rule[sd]?\s+out|exclude[sd]?)\b"
    r"|\bnot\s+(?:be\s+)?excluded\b|\bnot\s+only\b|\bno\s+(?:significant\s+)?change\b)"
    r"|(?P<cue>\b(?:no|not|without|absence\s+of|absent|negative\s+for|free\s+of|rule[sd]?\s+out|r/o|"
    r"denies|neither|nor|never)\b)",
    re.IGNORECASE,
)
_LIST_JOIN = re.compile(r"\b(?:or|nor)\b", re.IGNORECASE)
# Right after a finding: "ST elevation is absent", "AF: no", "MI ruled out".
_POST_CUE = re.compile(
    r"[\s)\]]*(?:[:=]\s*(?:no|none|absent|negative)\b"
    r"|(?:(?:is|are|was|were|has\s+been|have\s+been|appears|seems)\s+)?"
    r"(?:absent|not\s+(?:present|seen|observed|identified|evident|noted|detected|found|shown|apparent)|"
    r"ruled\s+out|excluded|unlikely)\b)",
    re.IGNORECASE,
)
# Where a mention may start: not inside a word, not on a space (the start of the text too).
_POSITIONS = re.compile(r"(?<![A-Za-z0-9_])(?=\S)|^")
_SENTENCE_END = re.compile(r"[.;!?](?=\s|$)|\n")
# Any word some cue above starts with: texts without one skip the negation pass.
_ANY_CUE = re.compile(
    r"\b(?:no|not|without|absen\w*|negative|free|rule[sd]?|r/o|denies|neither|nor|never|excluded|unlikely|none)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class LabelMatch:
    """One mention of a finding in a text.

    ``codes`` are the label-space codes the mention asserts (several for, e.g., "inferior
    STEMI" in a space with both territory and ST codes); ``negated`` says a negation cue
    applies and ``cue`` is that cue's text.
    """

    codes: tuple[str, ...]
    concept: str
    start: int
    end: int
    text: str
    negated: bool
    cue: str | None = None


@dataclass(frozen=True)
class _CompiledSpace:
    """A space's codes and its scanner.

    At every position not inside a word, the scanner tries each concept in ``CONCEPTS``
    order, so mentions that overlap are all found ("inferior STEMI" gives both the territory
    and the STEMI); of two concepts that match at the same start, the one listed first (the
    more specific) wins. For speed the concepts are filed by the characters they can start
    with (``dispatch``), so a position only tries the concepts that can begin there;
    ``fallback`` holds those whose first character could not be worked out, tried everywhere.
    """

    codes: tuple[str, ...]
    dispatch: dict[str, re.Pattern[str]]
    fallback: re.Pattern[str] | None
    groups: dict[str, tuple[str, tuple[str, ...], frozenset[str]]]  # group -> concept, codes, hides


def _first_chars(items: list) -> tuple[set[str] | None, bool]:
    """(lower-cased characters a parsed pattern can start with, whether it can be empty);
    None when unknown."""
    chars: set[str] = set()
    for op, arg in items:
        if op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
            continue
        if op is _sre.LITERAL:
            return chars | {chr(arg).lower()}, False
        if op is _sre.IN:
            for kind, value in arg:
                if kind is _sre.LITERAL:
                    chars.add(chr(value).lower())
                elif kind is _sre.RANGE:
                    chars.update(chr(c).lower() for c in range(value[0], value[1] + 1))
                else:
                    return None, False
            return chars, False
        if op is _sre.BRANCH:
            parts = [_first_chars(list(sub)) for sub in arg[1]]
        elif op is _sre.SUBPATTERN:
            parts = [_first_chars(list(arg[-1]))]
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
            first, empty = _first_chars(list(arg[2]))
            parts = [(first, empty or arg[0] == 0)]
        else:
            return None, False
        if any(first is None for first, _ in parts):
            return None, False
        for first, _ in parts:
            chars |= first or set()
        if not any(empty for _, empty in parts):
            return chars, False
    return chars, True


def _alternative(index: int, concept: Concept, literal: bool) -> str:
    parts = list(concept.phrases) + [_abbreviation(a, force_case=literal) for a in concept.abbreviations]
    return f"(?P<c{index}>(?:{'|'.join(parts)}){_RIGHT})"


def _abbreviation(abbrev: str, force_case: bool = False) -> str:
    body = re.escape(abbrev) + "(?:s|'s)?"
    if force_case or len(abbrev) <= 2 or abbrev in _CASE_SENSITIVE_WORDS:
        return f"(?-i:{body})"
    return body


def _compile_space(
    codes: tuple[str, ...], concepts: Sequence[Concept], groups: dict, literal: bool = False
) -> _CompiledSpace:
    alternatives = [_alternative(i, c, literal) for i, c in enumerate(concepts)]
    firsts = []
    for alternative in alternatives:
        first, empty = _first_chars(list(_sre_parse.parse(alternative, re.IGNORECASE)))
        firsts.append(None if first is None or empty or first & set(" \t\n\r\f\v") else first)
    wildcard = [a for a, f in zip(alternatives, firsts) if f is None]
    dispatch = {
        char: re.compile("|".join(a for a, f in zip(alternatives, firsts) if f is None or char in f), re.IGNORECASE)
        for char in set().union(*(f for f in firsts if f))
    }
    fallback = re.compile("|".join(wildcard), re.IGNORECASE) if wildcard else None
    return _CompiledSpace(codes, dispatch, fallback, groups)


@lru_cache(maxsize=None)
def _named_space(name: str) -> _CompiledSpace:
    concept_codes: dict[str, list[str]] = {}
    for code, concepts in _SPACE_CONCEPTS[name].items():
        for concept in concepts:
            concept_codes.setdefault(concept, []).append(code)
    # A concept that hides a mapped one is scanned even if it asserts nothing here.
    scanned = [
        c for c in CONCEPTS.values() if c.name in concept_codes or set(c.hides) & set(concept_codes)
    ]
    groups = {
        f"c{i}": (c.name, tuple(concept_codes.get(c.name, ())), frozenset(c.hides)) for i, c in enumerate(scanned)
    }
    return _compile_space(LABEL_SPACES[name], scanned, groups)


@lru_cache(maxsize=256)
def _literal_space(codes: tuple[str, ...]) -> _CompiledSpace:
    # Longest first, so "STE_" is tried before "STE" at the same start.
    ordered = sorted(dict.fromkeys(codes), key=len, reverse=True)
    concepts = [Concept(code, abbreviations=(code,)) for code in ordered]
    groups: dict[str, tuple[str, tuple[str, ...], frozenset[str]]] = {
        f"c{i}": (code, (code,), frozenset()) for i, code in enumerate(ordered)}
    return _compile_space(codes, concepts, groups, literal=True)


def _space(label_space: str | Sequence[str]) -> _CompiledSpace:
    if isinstance(label_space, str):
        if label_space not in _SPACE_CONCEPTS:
            raise InputError(
                f"unknown label space {label_space!r}; known: {', '.join(LABEL_SPACES)} "
                "(or pass the codes themselves as a list)"
            )
        return _named_space(label_space)
    codes = tuple(label_space)
    if not codes or not all(isinstance(c, str) and c for c in codes):
        raise InputError(f"a label space given as codes must be non-empty strings, got {label_space!r}")
    return _literal_space(codes)


def label_space_codes(label_space: str | Sequence[str]) -> tuple[str, ...]:
    """The codes of a label space, in order (a named space's, or the given codes)."""
    return _space(label_space).codes


def _negation(text: str, start: int, end: int, clause_ends: list[int]) -> str | None:
    """The negation cue that applies to text[start:end], or None."""
    i = bisect.bisect_right(clause_ends, start)
    clause_start = clause_ends[i - 1] if i else 0
    clause_end = clause_ends[i] if i < len(clause_ends) else len(text)
    for cue in reversed(list(_PRE_CUE.finditer(text, clause_start, start))):
        if cue.group("pseudo"):
            return None
        join = _LIST_JOIN.search(text, cue.end(), clause_end)
        comma = text.find(",", join.start() if join else cue.end(), clause_end)
        if start < (clause_end if comma < 0 else comma):
            return cue.group("cue")
    sentence = _SENTENCE_END.search(text, end)
    post = _POST_CUE.match(text, end, sentence.start() if sentence else len(text))
    return post.group(0).strip(" )]:=") if post else None


def _mentions(text: str, space: _CompiledSpace) -> list[tuple[int, int, str, tuple[str, ...], str | None]]:
    """(start, end, concept, codes, negation cue) of each mention, hidden ones left out."""
    groups, dispatch, fallback = space.groups, space.dispatch, space.fallback
    found = []
    hiders = []
    for position in _POSITIONS.finditer(text):
        pos = position.start()
        scanner = dispatch.get(text[pos].lower(), fallback) if pos < len(text) else fallback
        m = scanner.match(text, pos) if scanner is not None else None
        if m is None:
            continue
        group = m.lastgroup
        assert group is not None, "every alternative of a scanner is a named group"
        name, codes, hides = groups[group]
        start, end = m.span(group)
        found.append((start, end, name, codes))
        if hides:
            hiders.append((start, end, hides))
    if hiders:
        found = [f for f in found if not any(f[2] in h and s <= f[0] and f[1] <= e for s, e, h in hiders)]
    kept = [f for f in found if f[3]]
    if not kept or not _ANY_CUE.search(text):
        return [(s, e, n, c, None) for s, e, n, c in kept]
    clause_ends = sorted({p for m in _CLAUSE_END.finditer(text) for p in m.span()})
    return [(s, e, n, c, _negation(text, s, e, clause_ends)) for s, e, n, c in kept]


def extract_labels_detailed(text: str | None, label_space: str | Sequence[str]) -> list[LabelMatch]:
    """Every mention of a finding of the label space in ``text``, negated ones included,
    for traceability. Mentions hidden by a more specific finding around them are left out.
    Sorted by position."""
    if not text:
        return []
    return [
        LabelMatch(codes, name, start, end, text[start:end], cue is not None, cue)
        for start, end, name, codes, cue in _mentions(text, _space(label_space))
    ]


def extract_labels(text: str | None, label_space: str | Sequence[str]) -> list[str]:
    """The codes of ``label_space`` that ``text`` asserts, in the space's order.

    ``label_space`` is a name in ``LABEL_SPACES`` (synonyms, full names, negation) or a
    sequence of codes (the codes alone as case-sensitive whole words, with negation). A code
    is asserted when at least one of its mentions is not negated. An empty or None text
    asserts nothing.
    """
    if not text:
        return []
    space = _space(label_space)
    asserted = {code for _, _, _, codes, cue in _mentions(text, space) if cue is None for code in codes}
    return [code for code in space.codes if code in asserted]


def labels_to_vector(labels: Sequence[str], label_space: str | Sequence[str]) -> list[int]:
    """0/1 per code of the space, in its order; codes outside the space are ignored."""
    wanted = set(labels)
    return [int(code in wanted) for code in label_space_codes(label_space)]
