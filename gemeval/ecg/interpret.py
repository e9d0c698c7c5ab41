"""Diagnoses from measured ECG values by explicit rules, and the grounded interpretation text.

``diagnose(values)`` reads a dict with the keys of ``gemeval.ecg.values`` (the exact truth
of a synthetic record, or gemeval's measurement of a signal) and returns the findings the
rules below support, each with its PTB-XL SCP codes (as ``gemeval.ecg.labels`` uses them)
and the measured evidence. ``write_interpretation`` turns the values and findings into the
text that serves twice: as the embedded benchmark's reference interpretation (values = the
synthetic truth) and as the ``measure`` baseline's answer (values = the measurement).

The rules (thresholds are module constants):

* Rhythm: ``rhythm`` "atrial_fibrillation" -> AFIB. A sinus rhythm (``rhythm`` "sinus",
  "sinus_bradycardia", "sinus_tachycardia", or "irregular", which the measurement uses for
  P waves with irregular RR) -> SBRAD below 60 bpm, STACH above 100 bpm, else SR.
* First-degree AV block (1AVB): sinus rhythm and PR > 200 ms.
* QRS >= 120 ms: complete RBBB (CRBBB) when V1 has a dominant terminal R (R >= 0.3 mV and
  larger than its S) with a broad S in I or V6 (deeper than 0.1 mV); complete LBBB (CLBBB)
  when V1 has no dominant R (R < 0.3 mV or smaller than its S) and I and V6 show a broad R
  without S (R > 0.3 mV in V6, S shallower than 0.1 mV in both); otherwise a non-specific
  intraventricular conduction delay (IVCD).
* LVH by voltage (LVH, VCLVH): Sokolow-Lyon |S V1| + max(R V5, R V6) >= 3.5 mV, or Cornell
  R aVL + |S V3| > 2.8 mV (2.0 mV in women, when the values say ``sex`` "F"). Not applied
  with a QRS of 120 ms or more, where voltage criteria do not hold.
* ST-elevation infarction by territory (ST measured at J+60 ms):
  inferior (IMI, STE_) when ST >= 0.1 mV in at least two of II, III, aVF with reciprocal
  ST depression of at least 0.05 mV in aVL; anterior (AMI, STE_) when ST >= 0.2 mV in both
  V2 and V3, the contiguous anterior pair for which the universal definition of MI sets its
  0.2 mV limit. The reciprocal change and the V2-V3 pair keep the T-wave upstroke that
  reaches J+60 ms at fast rates (0.1-0.2 mV inferiorly and in V3-V5 on some synthetic sinus
  tachycardias) from reading as an infarction. Not applied with a QRS of 120 ms or more,
  whose ST deviation is secondary to the conduction delay.
* Long QT (LNGQT): QTc (Bazett) > 460 ms, or > 450 ms when ``sex`` is "M"; with QRS >= 120
  ms the QTc is first reduced by the QRS widening (QTc - (QRS - 100 ms)), so a bundle branch
  block does not count as a long QT.
* Axis, narrow QRS: axis < -30 degrees (down to -90) -> left axis deviation with the left
  anterior fascicular block pattern (LAFB); axis > +90 degrees -> right axis deviation with
  the left posterior fascicular block pattern (LPFB). With a wide QRS the deviation is
  described, without a code.
* Premature ventricular complexes (PVC): ``pvc_count`` > 0 (the synthetic truth says how
  many; a measurement without that key never calls PVCs).
* Normal ECG (NORM): a sinus rhythm (at any rate, as PTB-XL codes sinus brady- and
  tachycardia) with none of the findings above.

Values may be NaN or None where they do not exist (PR in AF); a rule that needs a missing
value does not fire.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

from gemeval.ecg.record import LEADS

BRADYCARDIA_BPM = 60.0
TACHYCARDIA_BPM = 100.0
FIRST_DEGREE_AVB_PR_MS = 200.0
WIDE_QRS_MS = 120.0
DOMINANT_R_V1_MV = 0.3
BROAD_S_MV = 0.1
LBBB_R_V6_MV = 0.3
SOKOLOW_LYON_MV = 3.5
CORNELL_MALE_MV = 2.8
CORNELL_FEMALE_MV = 2.0
STE_LIMB_MV = 0.1
STE_PRECORDIAL_MV = 0.2
RECIPROCAL_AVL_MV = 0.05
LONG_QTC_FEMALE_MS = 460.0
LONG_QTC_MALE_MS = 450.0
QRS_ADJUST_BASE_MS = 100.0
LEFT_AXIS_DEG = -30.0
RIGHT_AXIS_DEG = 90.0
NORTHWEST_AXIS_DEG = -90.0
ISOELECTRIC_MV = 0.05
"""|ST| below this is described as isoelectric in the per-lead findings."""

INFERIOR_LEADS: tuple[str, ...] = ("II", "III", "aVF")
ANTERIOR_LEADS: tuple[str, ...] = ("V1", "V2", "V3", "V4")
ANTERIOR_KEY_LEADS: tuple[str, ...] = ("V2", "V3")
SINUS_RHYTHMS: frozenset[str] = frozenset({"sinus", "sinus_bradycardia", "sinus_tachycardia", "irregular"})


@dataclass(frozen=True)
class Finding:
    """One diagnosis and what supports it.

    Attributes:
        codes: PTB-XL SCP codes it asserts, the specific one first (empty for a
            descriptive finding such as an axis deviation with a wide QRS).
        name: the clinical name, as written in the conclusion.
        evidence: the measured values that support it, as a phrase citing the numbers.
    """

    codes: tuple[str, ...]
    name: str
    evidence: str

    @property
    def code(self) -> str | None:
        return self.codes[0] if self.codes else None


def finding_labels(findings: Sequence[Finding]) -> list[str]:
    """The SCP codes of some findings, each once, in finding order."""
    return list(dict.fromkeys(code for f in findings for code in f.codes))


def _num(values: dict[str, Any], key: str) -> float | None:
    value = values.get(key)
    if value is None or isinstance(value, (bool, str)):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _lead(values: dict[str, Any], key: str, lead: str) -> float | None:
    table = values.get(key)
    if not isinstance(table, dict):
        return None
    value = table.get(lead)
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _mv(value: float) -> str:
    return f"{value:.2f} mV"


def _signed_mv(value: float) -> str:
    return f"{round(value, 2) + 0.0:+.2f} mV"  # + 0.0: no "-0.00"


def _deg(value: float) -> str:
    return f"{value:+.0f} degrees" if round(value) != 0 else "0 degrees"


def _list(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _is_sinus(values: dict[str, Any]) -> bool:
    return values.get("rhythm") in SINUS_RHYTHMS


# ---------------------------------------------------------------------------------------
# The rules
# ---------------------------------------------------------------------------------------


def _rhythm_finding(values: dict[str, Any]) -> Finding | None:
    rhythm = values.get("rhythm")
    hr = _num(values, "hr_bpm")
    rate = f"ventricular rate {hr:.0f} bpm" if hr is not None else "rate not measurable"
    if rhythm == "atrial_fibrillation":
        return Finding(("AFIB",), "Atrial fibrillation",
                       f"irregularly irregular RR intervals without discernible P waves, mean {rate}")
    if not _is_sinus(values) or hr is None:
        return None
    irregular = " with irregular RR intervals" if rhythm == "irregular" else ""
    if hr < BRADYCARDIA_BPM:
        return Finding(("SBRAD",), "Sinus bradycardia",
                       f"P waves before every QRS{irregular} at a rate of {hr:.0f} bpm, below 60 bpm")
    if hr > TACHYCARDIA_BPM:
        return Finding(("STACH",), "Sinus tachycardia",
                       f"P waves before every QRS{irregular} at a rate of {hr:.0f} bpm, above 100 bpm")
    return Finding(("SR",), "Sinus rhythm",
                   f"P waves before every QRS{irregular} at a rate of {hr:.0f} bpm")


def _av_block(values: dict[str, Any]) -> Finding | None:
    pr = _num(values, "pr_ms")
    if pr is None or not _is_sinus(values) or pr <= FIRST_DEGREE_AVB_PR_MS:
        return None
    return Finding(("1AVB",), "First-degree AV block",
                   f"PR interval {pr:.0f} ms, above 200 ms, with every P wave conducted")


def _bundle_branch_block(values: dict[str, Any]) -> Finding | None:
    qrs = _num(values, "qrs_ms")
    if qrs is None or qrs < WIDE_QRS_MS:
        return None
    r_v1, s_v1 = _lead(values, "r_mv", "V1"), _lead(values, "s_mv", "V1")
    s_i, s_v6 = _lead(values, "s_mv", "I"), _lead(values, "s_mv", "V6")
    r_i, r_v6 = _lead(values, "r_mv", "I"), _lead(values, "r_mv", "V6")
    wide = f"QRS duration {qrs:.0f} ms (at least 120 ms)"
    if r_v1 is not None and s_v1 is not None and s_i is not None and s_v6 is not None:
        dominant_v1 = r_v1 >= DOMINANT_R_V1_MV and r_v1 > abs(s_v1)
        lateral_s = [(lead, s) for lead, s in (("I", s_i), ("V6", s_v6)) if s <= -BROAD_S_MV]
        if dominant_v1 and lateral_s:
            s_text = _list([f"{lead} ({abs(s):.2f} mV deep)" for lead, s in lateral_s])
            return Finding(("CRBBB",), "Complete right bundle branch block",
                           f"{wide} with a dominant terminal R wave in V1 ({_mv(r_v1)}) "
                           f"and a broad S wave in {s_text}")
        if (not dominant_v1 and r_i is not None and r_v6 is not None and r_v6 > LBBB_R_V6_MV
                and abs(s_i) < BROAD_S_MV and abs(s_v6) < BROAD_S_MV):
            return Finding(("CLBBB",), "Complete left bundle branch block",
                           f"{wide} with broad R waves in I ({_mv(r_i)}) and V6 ({_mv(r_v6)}) "
                           f"without a lateral S wave and only a small R wave in V1 ({_mv(r_v1)})")
    return Finding(("IVCD",), "Non-specific intraventricular conduction delay",
                   f"{wide} without the lead pattern of a right or left bundle branch block")


def _lvh(values: dict[str, Any]) -> Finding | None:
    s_v1, r_v5, r_v6 = (_lead(values, "s_mv", "V1"), _lead(values, "r_mv", "V5"),
                        _lead(values, "r_mv", "V6"))
    r_avl, s_v3 = _lead(values, "r_mv", "aVL"), _lead(values, "s_mv", "V3")
    evidence = []
    if s_v1 is not None and r_v5 is not None and r_v6 is not None:
        sokolow = abs(s_v1) + max(r_v5, r_v6)
        if sokolow >= SOKOLOW_LYON_MV:
            evidence.append(f"Sokolow-Lyon index (S V1 + R V5/V6) {_mv(sokolow)}, at least 3.5 mV")
    if r_avl is not None and s_v3 is not None:
        cornell = r_avl + abs(s_v3)
        limit = CORNELL_FEMALE_MV if values.get("sex") == "F" else CORNELL_MALE_MV
        if cornell > limit:
            evidence.append(f"Cornell voltage (R aVL + S V3) {_mv(cornell)}, above {limit:.1f} mV")
    if not evidence:
        return None
    return Finding(("LVH", "VCLVH"), "Left ventricular hypertrophy by voltage criteria",
                   "; ".join(evidence))


def _st_elevation(values: dict[str, Any]) -> list[Finding]:
    st = {lead: _lead(values, "st_mv", lead) for lead in LEADS}
    findings = []
    inferior = [(lead, v) for lead in INFERIOR_LEADS if (v := st[lead]) is not None and v >= STE_LIMB_MV]
    avl = st["aVL"]
    if len(inferior) >= 2 and avl is not None and avl <= -RECIPROCAL_AVL_MV:
        cited = _list([f"{lead} ({_mv(v)})" for lead, v in inferior])
        findings.append(Finding(
            ("IMI", "STE_"), "Inferior ST-elevation myocardial infarction",
            f"ST elevation in {cited}, at least 0.1 mV in two contiguous inferior leads, "
            f"and a reciprocal ST level of {_signed_mv(avl)} in aVL"))
    if all((st[lead] or 0.0) >= STE_PRECORDIAL_MV for lead in ANTERIOR_KEY_LEADS):
        anterior = [(lead, v) for lead in ANTERIOR_LEADS if (v := st[lead]) is not None and v >= STE_LIMB_MV]
        cited = _list([f"{lead} ({_mv(v)})" for lead, v in anterior])
        findings.append(Finding(
            ("AMI", "STE_"), "Anterior ST-elevation myocardial infarction",
            f"ST elevation in {cited}, at least 0.2 mV in V2 and V3"))
    return findings


def _long_qt(values: dict[str, Any]) -> Finding | None:
    qtc, qrs = _num(values, "qtc_ms"), _num(values, "qrs_ms")
    if qtc is None:
        return None
    limit = LONG_QTC_MALE_MS if values.get("sex") == "M" else LONG_QTC_FEMALE_MS
    adjusted = qtc - (qrs - QRS_ADJUST_BASE_MS) if qrs is not None and qrs >= WIDE_QRS_MS else qtc
    if adjusted <= limit:
        return None
    return Finding(("LNGQT",), "Long QT interval", f"QTc (Bazett) {qtc:.0f} ms, above {limit:.0f} ms")


def _axis(values: dict[str, Any]) -> Finding | None:
    axis, qrs = _num(values, "axis_deg"), _num(values, "qrs_ms")
    if axis is None:
        return None
    narrow = qrs is not None and qrs < WIDE_QRS_MS
    if NORTHWEST_AXIS_DEG <= axis < LEFT_AXIS_DEG:
        evidence = f"frontal QRS axis {_deg(axis)}, below -30 degrees"
        s_iii, r_avl = _lead(values, "s_mv", "III"), _lead(values, "r_mv", "aVL")
        if not narrow:
            return Finding((), "Left axis deviation", evidence)
        if s_iii is not None and r_avl is not None:
            evidence += f", with an rS pattern inferiorly (S wave in III {abs(s_iii):.2f} mV deep) and an R wave in aVL ({_mv(r_avl)})"
        return Finding(("LAFB",), "Left axis deviation with a left anterior fascicular block pattern", evidence)
    if axis > RIGHT_AXIS_DEG:
        evidence = f"frontal QRS axis {_deg(axis)}, above +90 degrees"
        s_i, r_iii = _lead(values, "s_mv", "I"), _lead(values, "r_mv", "III")
        if not narrow:
            return Finding((), "Right axis deviation", evidence)
        if s_i is not None and r_iii is not None:
            evidence += f", with an S wave in I ({abs(s_i):.2f} mV deep) and a tall R wave in III ({_mv(r_iii)})"
        return Finding(("LPFB",), "Right axis deviation with a left posterior fascicular block pattern", evidence)
    return None


def _pvc(values: dict[str, Any]) -> Finding | None:
    count = values.get("pvc_count")
    if not isinstance(count, (int, float)) or isinstance(count, bool) or count <= 0:
        return None
    beats = "beat" if count == 1 else "beats"
    return Finding(("PVC",), "Premature ventricular complexes",
                   f"{int(count)} premature wide {beats} of different morphology without a preceding P wave")


def diagnose(values: dict[str, Any]) -> list[Finding]:
    """The findings that the rules of the module docstring support, rhythm first.

    ``values`` has the keys of ``gemeval.ecg.values`` (plus ``pvc_count`` and ``sex``
    when known); missing or NaN values make the rules that need them silent.
    """
    rhythm = _rhythm_finding(values)
    findings = [rhythm] if rhythm else []
    bbb = _bundle_branch_block(values)
    abnormal: list[Finding | None] = [_av_block(values), bbb]
    if bbb is None:
        abnormal.append(_lvh(values))
        abnormal.extend(_st_elevation(values))
    abnormal.extend([_long_qt(values), _axis(values), _pvc(values)])
    present = [f for f in abnormal if f is not None]
    if rhythm is not None and rhythm.code != "AFIB" and not present:
        findings.append(Finding(("NORM",), "Normal ECG",
                                "no abnormality of rhythm, conduction, axis, voltage or repolarisation"))
    return findings + present


# ---------------------------------------------------------------------------------------
# The text
# ---------------------------------------------------------------------------------------


def _rhythm_section(values: dict[str, Any], findings: Sequence[Finding]) -> str:
    hr, rr = _num(values, "hr_bpm"), _num(values, "rr_ms")
    rhythm = values.get("rhythm")
    rate = f"a ventricular rate of {hr:.0f} bpm" if hr is not None else "a rate that could not be measured"
    rr_text = f" (mean RR interval {rr:.0f} ms)" if rr is not None else ""
    codes = {f.code for f in findings}
    if rhythm == "atrial_fibrillation":
        return (f"Rhythm and rate: atrial fibrillation, with irregularly irregular RR intervals, no "
                f"discernible P waves and {rate}{rr_text}.")
    if _is_sinus(values):
        name = ("sinus bradycardia" if "SBRAD" in codes else
                "sinus tachycardia" if "STACH" in codes else "sinus rhythm")
        regular = "with irregular RR intervals" if rhythm == "irregular" else "regular"
        return (f"Rhythm and rate: {name}, {regular}, at {rate}{rr_text}; a P wave precedes "
                "every QRS complex.")
    return f"Rhythm and rate: the rhythm could not be determined; {rate}{rr_text}."


def _intervals_section(values: dict[str, Any], findings: Sequence[Finding]) -> str:
    pr, qrs = _num(values, "pr_ms"), _num(values, "qrs_ms")
    qt, qtc, qtcf = _num(values, "qt_ms"), _num(values, "qtc_ms"), _num(values, "qtc_fridericia_ms")
    parts = []
    if pr is None:
        parts.append("The PR interval cannot be measured because no P wave precedes the QRS.")
    elif pr > FIRST_DEGREE_AVB_PR_MS:
        parts.append(f"The PR interval is prolonged at {pr:.0f} ms (above 200 ms).")
    elif pr < 120.0:
        parts.append(f"The PR interval is short at {pr:.0f} ms (below 120 ms).")
    else:
        parts.append(f"The PR interval is normal at {pr:.0f} ms.")
    if qrs is None:
        parts.append("The QRS duration could not be measured.")
    elif qrs >= WIDE_QRS_MS:
        parts.append(f"The QRS duration is prolonged at {qrs:.0f} ms (at least 120 ms).")
    elif qrs >= 110.0:
        parts.append(f"The QRS duration is {qrs:.0f} ms, at the upper limit of normal (below 120 ms).")
    else:
        parts.append(f"The QRS duration is normal at {qrs:.0f} ms.")
    if qt is None:
        parts.append("The QT interval could not be measured.")
    else:
        corrected = []
        if qtc is not None:
            corrected.append(f"QTc (Bazett) {qtc:.0f} ms")
        if qtcf is not None:
            corrected.append(f"QTc (Fridericia) {qtcf:.0f} ms")
        corrected_text = f", {_list(corrected)}" if corrected else ""
        parts.append(f"The QT interval is {qt:.0f} ms{corrected_text}.")
        if any(f.code == "LNGQT" for f in findings):
            parts.append("The QTc is prolonged.")
        elif qtc is not None and qrs is not None and qrs >= WIDE_QRS_MS:
            parts.append("The QTc includes the widened depolarisation of the conduction delay and is "
                         "not called long on its own.")
        elif qtc is not None and qtc <= LONG_QTC_MALE_MS:
            parts.append("The QTc is normal.")
        elif qtc is not None:
            parts.append("The QTc is borderline, between the male and female upper limits.")
    return "Intervals: " + " ".join(parts)


def _axis_section(values: dict[str, Any]) -> str:
    axis = _num(values, "axis_deg")
    if axis is None:
        return "Axis: the frontal QRS axis could not be determined."
    if axis < NORTHWEST_AXIS_DEG:
        verdict = "an extreme (north-west) axis"
    elif axis < LEFT_AXIS_DEG:
        verdict = "left axis deviation"
    elif axis > RIGHT_AXIS_DEG:
        verdict = "right axis deviation"
    else:
        verdict = "normal axis"
    return f"Axis: the frontal QRS axis is {_deg(axis)}: {verdict}."


def _lead_line(values: dict[str, Any], lead: str) -> str:
    r, s, st = _lead(values, "r_mv", lead), _lead(values, "s_mv", lead), _lead(values, "st_mv", lead)
    parts = []
    if r is not None:
        parts.append(f"R wave {_mv(r)}" if round(r, 2) > 0 else "no R wave")
    if s is not None:
        parts.append(f"S wave {abs(s):.2f} mV deep" if round(s, 2) < 0 else "no S wave")
    if st is not None:
        note = "isoelectric" if abs(st) < ISOELECTRIC_MV else f"{abs(st) * 10:.1f} mm " + (
            "above" if st > 0 else "below") + " baseline"
        parts.append(f"ST level {_signed_mv(st)} ({note})")
    if not parts:
        return f"Lead {lead}: not measurable."
    return f"Lead {lead}: " + ", ".join(parts) + "."


def write_interpretation(values: dict[str, Any], findings: Sequence[Finding] | None = None, *,
                         record_id: str | None = None) -> str:
    """A grounded interpretation of the ECG whose values are ``values``.

    Sections: rhythm and rate; intervals (PR, QRS, QT and QTc by Bazett and Fridericia);
    frontal axis; per-lead findings (R and S amplitudes and the ST level at J+60 ms of each
    of the 12 leads, in mV with the ST in mm); a conclusion listing each finding with its
    SCP codes and the measured evidence. ``findings`` defaults to ``diagnose(values)``. The
    same values give the same text. Words that name a diagnosis ("ST elevation", "within
    normal limits", "QTc is prolonged") appear only with the finding they name, so that the
    labels a reader extracts from the text are the findings' labels.
    """
    findings = diagnose(values) if findings is None else list(findings)
    title = f"ECG interpretation of record {record_id}." if record_id else "ECG interpretation."
    lines = [
        title,
        "",
        _rhythm_section(values, findings),
        "",
        _intervals_section(values, findings),
        "",
        _axis_section(values),
        "",
        "Per-lead findings (R and S amplitudes; ST level at J+60 ms against the PR segment):",
        *[_lead_line(values, lead) for lead in LEADS],
        "",
        "Conclusion:",
    ]
    if not findings:
        lines.append("No diagnosis can be supported by the measured values.")
    for i, finding in enumerate(findings, start=1):
        codes = f" ({', '.join(finding.codes)})" if finding.codes else ""
        lines.append(f"{i}) {finding.name}{codes}: {finding.evidence}.")
    return "\n".join(lines) + "\n"
