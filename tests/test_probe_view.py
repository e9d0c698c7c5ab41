"""The viewer's probe strip: a counterfactual group shown as its variants side by side, with
the claims under each, from a real run and in a real headless Chromium (skipped without it)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from chromium import Chromium, find_chromium
from typer.testing import CliRunner

from gemeval.cli import app
from gemeval.report.compare import load_run
from gemeval.report.view import build_view, ecg_pages
from gemeval.run import evaluate

runner = CliRunner()


@pytest.fixture(scope="module")
def cf_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cf-view")
    return evaluate(model="measure", task="grounded-cf", synthetic_n=1, out_dir=out, n_resamples=100).run_dir


def test_each_probe_sample_carries_its_groups_strip(cf_run):
    run = load_run(cf_run)
    pages = ecg_pages(run, sorted(s["id"] for s in run.samples), None, max_images=100)
    assert len(pages.images) == 20, "every variant has its own page, though the group is the base record"
    html = build_view([run], [pages])
    data = json.loads(re.search(r'<script type="application/json" id="view-data">(.*?)</script>', html, re.DOTALL).group(1))
    sample = next(s for s in data["samples"] if s["id"] == "cf-b01-pr-1")
    items = sample["strip"]["items"]
    assert [i["id"] for i in items] == ["cf-b01-pr-0", "cf-b01-pr-1", "cf-b01-pr-2"]
    assert [i["label"] for i in items] == ["pr 150 ms", "pr 240 ms", "pr 300 ms"]
    assert [round(i["truth"]) for i in items] == [150, 240, 300]
    assert all(i["image"] for i in items) and len({i["image"] for i in items}) == 3
    assert any("prolonged" in phrase and status == "verified" for phrase, status in items[2]["claims"])


def test_the_strip_in_chromium(cf_run, tmp_path):
    if find_chromium() is None:
        pytest.skip("chromium not installed (apt-get install -y chromium)")
    out = tmp_path / "view.html"
    result = runner.invoke(app, ["view", str(cf_run), "--out", str(out)])
    assert result.exit_code == 0, result.output
    with Chromium(1500, 1100) as browser:
        browser.open(out.as_uri() + "#sample=cf-b01-qrs-0")
        browser.wait_for("document.querySelectorAll('#detail .strip .variant').length === 3")
        labels = browser.evaluate("[...document.querySelectorAll('.strip .variant b')].map(e => e.textContent)")
        assert labels == ["qrs 90 ms", "qrs 130 ms", "qrs 160 ms"]
        browser.wait_for("[...document.querySelectorAll('.strip .variant img')].every(i => i.complete && i.naturalWidth > 500)")
        assert browser.evaluate("document.querySelectorAll('.strip .variant mark.verified').length") >= 3
        # a click on a variant opens it
        browser.click('.strip .variant[data-id="cf-b01-qrs-2"]')
        browser.wait_for("document.querySelector('#detail h1').textContent.startsWith('cf-b01-qrs-2')")
        assert browser.evaluate("document.querySelector('.strip .variant.current').dataset.id") == "cf-b01-qrs-2"
        browser.screenshot(tmp_path / "strip.png")
        assert (tmp_path / "strip.png").stat().st_size > 10_000
