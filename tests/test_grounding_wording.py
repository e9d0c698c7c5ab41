"""Everyday and report wordings of findings: each read as the finding it names."""

from __future__ import annotations

from gemeval.metrics.grounding import extract_claims


def test_an_axis_said_to_lie_to_one_side() -> None:
    texts = {"Your heart's electrical axis is a little to the left.": "left",
             "The axis is to the right.": "right",
             "There is a deviation of the heart's electrical axis to the left.": "left",
             "Axis shifted left.": "left"}
    got = {text: [(c.quantity, c.category) for c in extract_claims(text)] for text in texts}
    assert got == {text: [("axis_deg", category)] for text, category in texts.items()}


def test_a_decade_is_a_range_not_seconds() -> None:
    texts = {"Heart rate in the 50s.": ("hr_bpm", 50.0, 59.0),
             "The rate is in the low 80s.": ("hr_bpm", 80.0, 83.0),
             "QTc in the 450s.": ("qtc_ms", 450.0, 459.0)}
    got = {text: [(c.quantity, c.low, c.high) for c in extract_claims(text)] for text in texts}
    assert got == {text: [claim] for text, claim in texts.items()}
    # seconds written onto the number stay seconds
    assert [(c.quantity, c.value) for c in extract_claims("QRS 0.10s.")] == [("qrs_ms", 100.0)]


def test_a_slash_list_after_a_dash() -> None:
    claims = extract_claims("PR/QRS/QTc - 162/92/431 ms; QT/QTcB — 384/428 ms.")
    assert [(c.quantity, c.value) for c in claims] == [
        ("pr_ms", 162.0), ("qrs_ms", 92.0), ("qtc_ms", 431.0), ("qt_ms", 384.0), ("qtc_ms", 428.0)]


def test_a_value_now_after_an_earlier_one_is_this_ecgs() -> None:
    def read(text: str) -> list[tuple]:
        return [(c.quantity, c.value, c.assertion) for c in extract_claims(text)]
    assert read("The QT corrected was 482 ms last month and is now 446 ms.") == [
        ("qtc_ms", 482.0, "hypothetical"), ("qtc_ms", 446.0, "affirmed")]
    assert read("Ventricular rate 124 at triage, now 86 after rate control.") == [
        ("hr_bpm", 124.0, "hypothetical"), ("hr_bpm", 86.0, "affirmed")]
    assert read("His heart rate was 58 bpm yesterday and is 66 bpm now.") == [
        ("hr_bpm", 58.0, "hypothetical"), ("hr_bpm", 66.0, "affirmed")]
    # "now" opening another quantity's clause changes nothing
    assert read("The QRS is 88 ms, and now the QT: 396 ms.") == [("qrs_ms", 88.0, "affirmed"),
                                                                ("qt_ms", 396.0, "affirmed")]
