"""The HTML leaderboard: self-contained, and rendered by headless Chromium without errors.

The Chromium tests need Debian's chromium package (`apt-get install -y chromium`) and skip
cleanly without it."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from gemeval.report.html import to_html
from gemeval.report.leaderboard import build_leaderboard
from gemeval.report.reference import load_reference
from runs_for_tests import JUDGE, records, write_run

CRITERIA = ("DiagnosisAccuracy", "AnalysisCompleteness", "LeadAssessmentCoverage", "ECGFeatureGrounding")
WINDOW = (1400, 1800)


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("html")
    rng = np.random.default_rng(0)
    for model, quality in (("measure", 0.9), ("tiny", 0.5), ("gem", 0.75)):
        n = 50
        scores = {c: (rng.random(n) * (5 if c == "AnalysisCompleteness" else 100) * quality).tolist() for c in CRITERIA}
        write_run(root / "runs" / "grounded" / model, records({"grounding.claim_precision": rng.random(n) * quality},
                                                             judge_scores=scores),
                  model=model, judge=JUDGE, headline=["grounding.claim_precision", "judge.DiagnosisAccuracy"])
        write_run(root / "runs" / "csn" / model, records({"mcq.correct": (rng.random(80) < quality).astype(float)}),
                  model=model, task="csn", headline=["mcq.correct"])
    board = build_leaderboard([root / "runs"], load_reference())
    path = root / "index.html"
    path.write_text(to_html(board), encoding="utf-8")
    return path


def test_page_is_self_contained_with_tables_and_charts(page):
    html = page.read_text()
    assert not re.search(r'(src|href)="(?!data:|#)', html), "the page must not load anything from outside"
    assert html.count('<table class="board"') >= 2
    assert html.count("data:image/png;base64,") >= 3  # a chart per measured task + the grounded judge profile
    assert 'class="chart profile"' in html
    assert '<tr class="reported">' in html and '<tr class="measured">' in html


def _chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.skip("chromium not installed (apt-get install -y chromium)")
    return exe


def _run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=3000", *args],
        capture_output=True, text=True, timeout=120,
    )


def test_chromium_runs_the_page_script_without_errors(page, tmp_path):
    dom = _run_chromium(tmp_path, "--dump-dom", page.as_uri()).stdout
    assert 'data-ready="1"' in dom, "the sorting script did not finish"
    assert "data-js-error" not in dom
    assert dom.count("sorted-desc") >= 2, "each table is sorted best-first on its first metric"


def test_chromium_screenshot_shows_tables_and_charts(page, tmp_path):
    shot = tmp_path / "leaderboard.png"
    result = _run_chromium(tmp_path, f"--screenshot={shot}", f"--window-size={WINDOW[0]},{WINDOW[1]}", page.as_uri())
    assert shot.is_file(), result.stderr[-2000:]
    image = Image.open(shot).convert("RGB")
    assert image.size == WINDOW
    pixels = np.asarray(image).reshape(-1, 3)
    bar_blue = np.all(np.abs(pixels.astype(int) - (0x2B, 0x6C, 0xB0)) < 12, axis=1).mean()
    assert bar_blue > 0.002, "no measured bar of a chart is visible"
    assert len(np.unique(pixels[::7], axis=0)) > 50, "the screenshot is nearly blank"
