"""The label vocabularies of ECG records, and how they map onto each other.

Three vocabularies meet in gemeval:

* **PTB-XL SCP-ECG statements** (``NORM``, ``CLBBB``, ``AFIB``, ...), with the real
  ``diagnostic_class`` of PTB-XL's ``scp_statements.csv`` giving the five super-classes
  NORM, MI, STTC, CD, HYP (form and rhythm statements have none);
* **SNOMED-CT codes** of the PhysioNet/CinC 2020-2021 headers (``# Dx: 164889003``), with
  names and abbreviations from the challenge's ``dx_mapping_scored.csv`` and
  ``dx_mapping_unscored.csv`` (BSD-2-Clause, held in ``gemeval/ecg/snomed.py``);
* the **synthetic conditions** of :mod:`gemeval.ecg.synth`, each mapped to both.

The vocabularies reuse abbreviations with other meanings (SNOMED ``AMI`` is *acute* MI,
SCP ``AMI`` is *anterior* MI; SNOMED ``CD`` is cardiac dysrhythmia, PTB-XL ``CD`` the
conduction-disturbance super-class), so every lookup names its vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, NamedTuple

from gemeval.ecg import snomed
from gemeval.errors import UsageError

SUPERCLASSES: tuple[str, ...] = ("NORM", "MI", "STTC", "CD", "HYP")
"""PTB-XL's diagnostic super-classes, in the order of the PTB-XL benchmark papers."""


class ScpStatement(NamedTuple):
    """One row of PTB-XL's ``scp_statements.csv``."""

    code: str
    description: str
    kinds: tuple[str, ...]  # of "diagnostic", "form", "rhythm"
    superclass: str | None  # diagnostic_class
    subclass: str | None  # diagnostic_subclass


_D, _F, _R, _DF = ("diagnostic",), ("form",), ("rhythm",), ("diagnostic", "form")

# All 71 statements of PTB-XL 1.0.x scp_statements.csv (CC BY 4.0): code, description,
# kinds, diagnostic_class, diagnostic_subclass. tests/test_ecg_synth.py checks them
# against the real file.
SCP_STATEMENTS: dict[str, ScpStatement] = {
    row[0]: ScpStatement(*row)
    for row in (
        ("NDT", "non-diagnostic T abnormalities", _DF, "STTC", "STTC"),
        ("NST_", "non-specific ST changes", _DF, "STTC", "NST_"),
        ("DIG", "digitalis-effect", _DF, "STTC", "STTC"),
        ("LNGQT", "long QT-interval", _DF, "STTC", "STTC"),
        ("NORM", "normal ECG", _D, "NORM", "NORM"),
        ("IMI", "inferior myocardial infarction", _D, "MI", "IMI"),
        ("ASMI", "anteroseptal myocardial infarction", _D, "MI", "AMI"),
        ("LVH", "left ventricular hypertrophy", _D, "HYP", "LVH"),
        ("LAFB", "left anterior fascicular block", _D, "CD", "LAFB/LPFB"),
        ("ISC_", "non-specific ischemic", _D, "STTC", "ISC_"),
        ("IRBBB", "incomplete right bundle branch block", _D, "CD", "IRBBB"),
        ("1AVB", "first degree AV block", _D, "CD", "_AVB"),
        ("IVCD", "non-specific intraventricular conduction disturbance (block)", _D, "CD", "IVCD"),
        ("ISCAL", "ischemic in anterolateral leads", _D, "STTC", "ISCA"),
        ("CRBBB", "complete right bundle branch block", _D, "CD", "CRBBB"),
        ("CLBBB", "complete left bundle branch block", _D, "CD", "CLBBB"),
        ("ILMI", "inferolateral myocardial infarction", _D, "MI", "IMI"),
        ("LAO/LAE", "left atrial overload/enlargement", _D, "HYP", "LAO/LAE"),
        ("AMI", "anterior myocardial infarction", _D, "MI", "AMI"),
        ("ALMI", "anterolateral myocardial infarction", _D, "MI", "AMI"),
        ("ISCIN", "ischemic in inferior leads", _D, "STTC", "ISCI"),
        ("INJAS", "subendocardial injury in anteroseptal leads", _D, "MI", "AMI"),
        ("LMI", "lateral myocardial infarction", _D, "MI", "LMI"),
        ("ISCIL", "ischemic in inferolateral leads", _D, "STTC", "ISCI"),
        ("LPFB", "left posterior fascicular block", _D, "CD", "LAFB/LPFB"),
        ("ISCAS", "ischemic in anteroseptal leads", _D, "STTC", "ISCA"),
        ("INJAL", "subendocardial injury in anterolateral leads", _D, "MI", "AMI"),
        ("ISCLA", "ischemic in lateral leads", _D, "STTC", "ISCA"),
        ("RVH", "right ventricular hypertrophy", _D, "HYP", "RVH"),
        ("ANEUR", "ST-T changes compatible with ventricular aneurysm", _D, "STTC", "STTC"),
        ("RAO/RAE", "right atrial overload/enlargement", _D, "HYP", "RAO/RAE"),
        ("EL", "electrolytic disturbance or drug (former EDIS)", _D, "STTC", "STTC"),
        ("WPW", "Wolf-Parkinson-White syndrome", _D, "CD", "WPW"),
        ("ILBBB", "incomplete left bundle branch block", _D, "CD", "ILBBB"),
        ("IPLMI", "inferoposterolateral myocardial infarction", _D, "MI", "IMI"),
        ("ISCAN", "ischemic in anterior leads", _D, "STTC", "ISCA"),
        ("IPMI", "inferoposterior myocardial infarction", _D, "MI", "IMI"),
        ("SEHYP", "septal hypertrophy", _D, "HYP", "SEHYP"),
        ("INJIN", "subendocardial injury in inferior leads", _D, "MI", "IMI"),
        ("INJLA", "subendocardial injury in lateral leads", _D, "MI", "AMI"),
        ("PMI", "posterior myocardial infarction", _D, "MI", "PMI"),
        ("3AVB", "third degree AV block", _D, "CD", "_AVB"),
        ("INJIL", "subendocardial injury in inferolateral leads", _D, "MI", "IMI"),
        ("2AVB", "second degree AV block", _D, "CD", "_AVB"),
        ("ABQRS", "abnormal QRS", _F, None, None),
        ("PVC", "ventricular premature complex", _F, None, None),
        ("STD_", "non-specific ST depression", _F, None, None),
        ("VCLVH", "voltage criteria (QRS) for left ventricular hypertrophy", _F, None, None),
        ("QWAVE", "Q waves present", _F, None, None),
        ("LOWT", "low amplitude T-waves", _F, None, None),
        ("NT_", "non-specific T-wave changes", _F, None, None),
        ("PAC", "atrial premature complex", _F, None, None),
        ("LPR", "prolonged PR interval", _F, None, None),
        ("INVT", "inverted T-waves", _F, None, None),
        ("LVOLT", "low QRS voltages in the frontal and horizontal leads", _F, None, None),
        ("HVOLT", "high QRS voltage", _F, None, None),
        ("TAB_", "T-wave abnormality", _F, None, None),
        ("STE_", "non-specific ST elevation", _F, None, None),
        ("PRC(S)", "premature complex(es)", _F, None, None),
        ("SR", "sinus rhythm", _R, None, None),
        ("AFIB", "atrial fibrillation", _R, None, None),
        ("STACH", "sinus tachycardia", _R, None, None),
        ("SARRH", "sinus arrhythmia", _R, None, None),
        ("SBRAD", "sinus bradycardia", _R, None, None),
        ("PACE", "normal functioning artificial pacemaker", _R, None, None),
        ("SVARR", "supraventricular arrhythmia", _R, None, None),
        ("BIGU", "bigeminal pattern (unknown origin, SV or Ventricular)", _R, None, None),
        ("AFLT", "atrial flutter", _R, None, None),
        ("SVTAC", "supraventricular tachycardia", _R, None, None),
        ("PSVT", "paroxysmal supraventricular tachycardia", _R, None, None),
        ("TRIGU", "trigeminal pattern (unknown origin, SV or Ventricular)", _R, None, None),
    )
}


@dataclass(frozen=True)
class ConditionLabels:
    """The labels a synthetic condition carries in each vocabulary."""

    scp_codes: tuple[str, ...]
    snomed_codes: tuple[str, ...]


_SINUS_RHYTHM = "426783006"
CONDITION_LABELS: dict[str, ConditionLabels] = {
    "normal": ConditionLabels(("NORM", "SR"), (_SINUS_RHYTHM,)),
    "sinus_bradycardia": ConditionLabels(("NORM", "SBRAD"), ("426177001",)),
    "sinus_tachycardia": ConditionLabels(("NORM", "STACH"), ("427084000",)),
    "first_degree_av_block": ConditionLabels(("1AVB", "SR"), ("270492004", _SINUS_RHYTHM)),
    "lbbb": ConditionLabels(("CLBBB", "SR"), ("733534002", _SINUS_RHYTHM)),
    "rbbb": ConditionLabels(("CRBBB", "SR"), ("713427006", _SINUS_RHYTHM)),
    "atrial_fibrillation": ConditionLabels(("AFIB",), ("164889003",)),
    "lvh": ConditionLabels(("LVH", "VCLVH", "SR"), ("164873001", _SINUS_RHYTHM)),
    # Acute ST-elevation infarction: PTB-XL codes the territory, CinC the acute MI and STE.
    "inferior_stemi": ConditionLabels(("IMI", "STE_", "SR"), ("57054005", "164931005", _SINUS_RHYTHM)),
    "anterior_stemi": ConditionLabels(("AMI", "STE_", "SR"), ("54329005", "57054005", "164931005", _SINUS_RHYTHM)),
    "long_qt": ConditionLabels(("LNGQT", "SR"), ("111975006", _SINUS_RHYTHM)),
    # PTB-XL has no axis statements; the synthesiser builds these axes as fascicular blocks
    # (narrow QRS, qR/rS pattern), which is what the SCP codes say.
    "left_axis_deviation": ConditionLabels(("LAFB", "SR"), ("39732003", "445118002", _SINUS_RHYTHM)),
    "right_axis_deviation": ConditionLabels(("LPFB", "SR"), ("47665007", "445211001", _SINUS_RHYTHM)),
    "pvc": ConditionLabels(("PVC", "SR"), ("427172004", _SINUS_RHYTHM)),
}


class SnomedConcept(NamedTuple):
    """One row of the CinC ``dx_mapping_*.csv`` tables."""

    code: str
    name: str
    abbrev: str
    scored: bool


@lru_cache(maxsize=1)
def snomed_table() -> dict[str, SnomedConcept]:
    """All SNOMED-CT codes of the CinC 2021 mapping tables, scored and unscored, by code."""
    return {code: SnomedConcept(code, name, abbrev, scored) for code, abbrev, name, scored in snomed.CONCEPTS}


@lru_cache(maxsize=1)
def _snomed_by_abbrev() -> dict[str, str]:
    return {concept.abbrev.lower(): code for code, concept in snomed_table().items()}


def snomed_equivalents() -> dict[str, str]:
    """Codes the CinC challenge scores as one diagnosis, each mapped to its representative:
    LBBB/CLBBB, RBBB/CRBBB, PAC/SVPB, PVC/VPB (the scored table's notes). The representative
    is the first code of the note; codes without a note are absent."""
    return dict(snomed.EQUIVALENT)


def _code(code: str | int) -> str:
    return str(code).strip()


def snomed_to_abbrev(code: str | int) -> str | None:
    """The CinC abbreviation of a SNOMED-CT code (``164889003`` -> ``AF``); None if unknown."""
    concept = snomed_table().get(_code(code))
    return concept.abbrev if concept else None


def snomed_name(code: str | int) -> str | None:
    """The diagnosis name of a SNOMED-CT code (``164889003`` -> ``atrial fibrillation``)."""
    concept = snomed_table().get(_code(code))
    return concept.name if concept else None


def abbrev_to_snomed(abbrev: str) -> str | None:
    """The SNOMED-CT code of a CinC abbreviation, case-insensitively (``af`` -> ``164889003``)."""
    return _snomed_by_abbrev().get(abbrev.strip().lower())


def scp_to_superclass(code: str) -> str | None:
    """The PTB-XL super-class of an SCP code (``CLBBB`` -> ``CD``); None for form and rhythm
    statements (``SR``, ``PVC``) and unknown codes."""
    statement = SCP_STATEMENTS.get(code.strip())
    return statement.superclass if statement else None


def scp_description(code: str) -> str | None:
    """PTB-XL's description of an SCP code (``1AVB`` -> ``first degree AV block``)."""
    statement = SCP_STATEMENTS.get(code.strip())
    return statement.description if statement else None


def superclasses(scp_codes: Iterable[str]) -> list[str]:
    """The distinct super-classes of some SCP codes, in ``SUPERCLASSES`` order."""
    found = {scp_to_superclass(code) for code in scp_codes}
    return [name for name in SUPERCLASSES if name in found]


def condition_labels(condition: str) -> ConditionLabels:
    """The SCP and SNOMED-CT labels of a synthetic condition.

    Raises:
        KeyError: naming the condition and the known ones.
    """
    try:
        return CONDITION_LABELS[condition]
    except KeyError:
        raise KeyError(
            f"unknown condition {condition!r}; known: {', '.join(CONDITION_LABELS)}"
        ) from None


def label_name(code: str, vocabulary: str = "scp") -> str | None:
    """The human-readable name of a label, for prompts and reports.

    Args:
        code: an SCP code (``vocabulary="scp"``), a SNOMED-CT code or CinC abbreviation
            (``"snomed"``), or a super-class (``"superclass"``).
        vocabulary: which of the three the code belongs to.
    """
    if vocabulary == "scp":
        return scp_description(code)
    if vocabulary == "superclass":
        return SUPERCLASS_NAMES.get(code.strip())
    if vocabulary == "snomed":
        return snomed_name(code) or snomed_name(abbrev_to_snomed(code) or "")
    raise UsageError(f"vocabulary must be 'scp', 'snomed' or 'superclass', got {vocabulary!r}")


SUPERCLASS_NAMES: dict[str, str] = {
    "NORM": "normal ECG",
    "MI": "myocardial infarction",
    "STTC": "ST/T change",
    "CD": "conduction disturbance",
    "HYP": "hypertrophy",
}
