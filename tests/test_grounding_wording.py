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
