"""`gemeval view`: the run viewer, built from real runs and opened in a real headless Chromium.

Two runs of the grounded task on the small synthetic set score answer files through the real
pipeline (claim extraction and verification included); their texts, ids' labels and judge
explanations carry hostile strings that must show as text and never run. The Chromium tests
need Debian's chromium package (`apt-get install -y chromium`) and skip cleanly without it.
Screenshots are kept under ``GEMEVAL_SCREENSHOTS`` when that is set.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from chromium import Chromium, find_chromium
from conftest import SMALL_SYNTHETIC_N
from gemeval.cli import app
from gemeval.data.synthetic import ensure_built
from gemeval.report.compare import load_run
from gemeval.report.view import build_view, claim_marks, ecg_pages
from gemeval.run import evaluate

runner = CliRunner()
N = 12
HOSTILE = [
    "<script>window.__pwned = 1</script>",
    "\"><img src=x onerror=\"window.__pwned = 2\">",
    "</script><script>window.__pwned = 3</script>",
    "' onmouseover='window.__pwned = 4' x='",
    "<!-- </script --> \u2028 \U0001F600 &amp; &lt;b&gt;",
]


def _answers(bench, shift: float) -> dict[str, str]:
    """Answers for the first N synthetic records: a true heart rate (plus ``shift`` bpm),
    a wrong QRS duration on every third record, and hostile markup."""
    out = {}
    for i, item in enumerate(bench.items[:N]):
        hr = item["truth"]["hr_bpm"] + shift
        qrs = 200 if i % 3 == 0 else item["truth"]["qrs_ms"]
        out[item["id"]] = (
            f"{HOSTILE[i % len(HOSTILE)]} \U0001F600 Sinus rhythm at a rate of {hr:.0f} bpm. "
            f"The QRS duration is {qrs:.0f} ms. {HOSTILE[(i + 1) % len(HOSTILE)]}"
        )
    return out


def _run(root: Path, name: str, answers: dict[str, str]) -> Path:
    path = root / f"{name}.jsonl"
    path.write_text("".join(json.dumps({"id": k, "text": v}) + "\n" for k, v in answers.items()))
    result = evaluate(model="predictions", task="grounded", model_args={"path": str(path), "label": name},
                      synthetic_n=SMALL_SYNTHETIC_N, limit=N, out_dir=root / "runs", n_resamples=100)
    return result.run_dir


def _add_judge(run_dir: Path) -> None:
    """Append judged records (the later line wins), with hostile explanations."""
    lines = [json.loads(x) for x in (run_dir / "samples.jsonl").read_text().split("\n") if x]
    with (run_dir / "samples.jsonl").open("a") as fh:
        for i, rec in enumerate(lines):
            score = float(10 * i)
            rec["judge"] = {"scores": {"DiagnosisAccuracy": score},
                            "parsed": {"DiagnosisAccuracy": [{"Score": 2, "Explanation": HOSTILE[i % len(HOSTILE)]}]},
                            "failures": {}, "usage": {"prompt_tokens": 10, "completion_tokens": 5}, "raw": "{}"}
            fh.write(json.dumps(rec) + "\n")


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("view")
    bench = ensure_built(SMALL_SYNTHETIC_N)
    run_a = _run(root, "model-a", _answers(bench, 0))
    answers_b = _answers(bench, 0)
    first = bench.items[1]["id"]
    answers_b[first] = answers_b[first].replace("Sinus rhythm", "Atrial flutter")
    run_b = _run(root, "model-b", answers_b)
    _add_judge(run_a)
    _add_judge(run_b)
    return run_a, run_b


@pytest.fixture(scope="module")
def page(runs, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("page") / "view.html"
    result = runner.invoke(app, ["view", str(runs[0]), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def page2(runs, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("page2") / "view.html"
    result = runner.invoke(app, ["view", str(runs[0]), str(runs[1]), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_page_is_self_contained_and_holds_no_raw_markup(page):
    html = page.read_text()
    assert not re.search(r'(src|href)="(?!data:|#)', html), "the page must not load anything from outside"
    assert "default-src 'none'" in html
    assert html.count("<script") == 3 and html.count("</script>") == 3, "data must not open or close a script element"
    for hostile in HOSTILE[:3]:
        assert hostile not in html


def test_claim_marks_use_utf16_offsets_and_keep_missing_keys_unknown():
    text = "\U0001F600 rate of 60 bpm"
    old = {"span": [2, 16], "status": "verified", "truth": 61.0, "quantity": "hr_bpm"}  # no band/tolerance
    [mark] = claim_marks(text, [old, {"span": [5, 99], "status": "verified"}, {"status": "x"}, "junk"])
    assert mark[:3] == [3, 17, "verified"] and mark[3] == 61.0 and mark[4:7] == [None, None, None]
    assert claim_marks(text, None) == []


def test_prompts_and_pages_come_from_the_runs_data(runs):
    run = load_run(runs[0])
    pages = ecg_pages(run, [s["id"] for s in run.samples], None, max_images=3)
    assert len(pages.prompts) == N and len(pages.images) == 3 and len(pages.image_of) == 3
    assert "9 samples without a page" in pages.note
    html = build_view([run], [pages])
    assert html.count("iVBORw0KGgo") == 3  # three embedded PNG pages


def _chromium() -> None:
    if find_chromium() is None:
        pytest.skip("chromium not installed (apt-get install -y chromium)")


def _shots_dir(tmp_path: Path) -> Path:
    where = os.environ.get("GEMEVAL_SCREENSHOTS")
    path = Path(where) if where else tmp_path
    path.mkdir(parents=True, exist_ok=True)
    return path


def _not_blank(path: Path) -> np.ndarray:
    pixels = np.asarray(Image.open(path).convert("RGB")).reshape(-1, 3)
    assert len(np.unique(pixels[::5], axis=0)) > 30, f"{path} is nearly blank"
    return pixels


def test_hostile_texts_render_as_text_in_chromium(page, runs):
    _chromium()
    run = load_run(runs[0])
    with Chromium() as browser:
        browser.open(page.as_uri())
        assert browser.evaluate("window.__pwned === undefined")
        assert browser.evaluate("document.body.dataset.jsError === undefined")
        shown = []
        for sample in sorted(run.samples, key=lambda s: s["id"]):
            browser.click(f'#list tr[data-id="{sample["id"]}"]')
            browser.wait_for(f"document.querySelector('#detail h1').textContent.startsWith({json.dumps(sample['id'])})")
            shown.append(browser.evaluate("document.querySelector('.model-text').textContent"))
            # the judge's explanation, hostile or not, is on the page as text
            explanation = sample["judge"]["parsed"]["DiagnosisAccuracy"][0]["Explanation"]
            assert explanation in browser.evaluate("document.querySelector('.judge').textContent")
            browser.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": 900, "y": 400})
        assert shown == [s["prediction"]["text"] for s in sorted(run.samples, key=lambda s: s["id"])]
        assert browser.evaluate("window.__pwned === undefined"), "a hostile text ran as script"
        assert browser.evaluate("document.querySelectorAll('#detail img:not([alt^=\"ECG page\"])').length") == 0
        assert browser.evaluate("document.querySelectorAll('script').length") == 3
        assert not browser.console_errors


def test_claims_are_marked_by_span_with_truth_and_band(page, runs):
    _chromium()
    run = load_run(runs[0])
    sample = min(run.samples, key=lambda s: s["id"])
    claims = sample["metrics"]["grounding.claims"]
    contradicted = [c for c in claims if c["status"] == "contradicted"]
    assert contradicted, "the wrong QRS duration of the first record is contradicted"
    with Chromium() as browser:
        browser.open(page.as_uri() + "#sample=" + sample["id"])
        browser.wait_for("document.querySelector('.model-text')")
        # [UTF-16 offset, length, status, tooltip] of every piece of the rendered text
        pieces = browser.evaluate(
            "(() => { let at = 0; return [...document.querySelector('.model-text').childNodes].map(n => {"
            " const r = [at, n.textContent.length, n.nodeName === 'MARK' ? n.dataset.status : null, n.title || ''];"
            " at += n.textContent.length; return r; }); })()")
    text = sample["prediction"]["text"]
    marks = {}
    for start, length, status, title in pieces:
        for k in range(start, start + length):
            marks[k] = (status, title)
    for claim in claims:
        start, end = claim_marks(text, [claim])[0][:2]
        covered = [marks[k][0] for k in range(start, end)]
        assert None not in covered, f"claim {claim['phrase']!r} is not marked"
        if claim["status"] == "contradicted":
            assert set(covered) == {"contradicted"}
            assert "truth: " in marks[start][1] and "band: " in marks[start][1]
    assert {m[0] for m in marks.values()} >= {"verified", "contradicted", None}


def test_list_and_sample_screenshots_and_a_filter_click(page, tmp_path):
    _chromium()
    shots = _shots_dir(tmp_path)
    with Chromium(1400, 1000) as browser:
        browser.open(page.as_uri())
        assert browser.evaluate("document.querySelectorAll('#list tbody tr').length") == N
        browser.screenshot(shots / "view-list.png")
        _not_blank(shots / "view-list.png")
        # a real click on the "contradictions" filter keeps the samples with a contradicted claim
        browser.click("#f-contra")
        browser.wait_for("document.querySelectorAll('#list tbody tr').length < 12")
        kept = browser.evaluate("[...document.querySelectorAll('#list tbody tr')].map(r => r.dataset.id)")
        assert kept and len(kept) == len(range(0, N, 3))
        assert browser.evaluate("document.getElementById('count').textContent") == f"{len(kept)} of {N} samples"
        browser.screenshot(shots / "view-filtered.png")
        browser.click(f'#list tr[data-id="{kept[0]}"]')
        browser.wait_for("document.querySelector('#detail .ecg img')")
        browser.wait_for("document.querySelector('#detail .ecg img').complete")
        assert browser.evaluate("document.querySelector('#detail .ecg img').naturalWidth") > 500
        browser.screenshot(shots / "view-sample.png")
        pixels = _not_blank(shots / "view-sample.png")
        red = np.all(np.abs(pixels.astype(int) - (0xFE, 0xB2, 0xB2)) < 10, axis=1).mean()
        assert red > 0.0002, "no contradicted claim is marked in the sample screenshot"
        # the judge score range filter and the text search
        browser.click("#f-contra")
        browser.type_text("#f-min", "50")
        browser.wait_for(f"document.querySelectorAll('#list tbody tr').length === {N - 5}")
        browser.type_text("#q", "atrial flutter")
        browser.wait_for("document.querySelectorAll('#list tbody tr').length === 0")


def test_two_runs_side_by_side_changed_first(page2, runs, tmp_path):
    _chromium()
    shots = _shots_dir(tmp_path)
    changed_id = sorted(s["id"] for s in load_run(runs[0]).samples)[1]
    with Chromium(1600, 1000) as browser:
        browser.open(page2.as_uri())
        rows = browser.evaluate("[...document.querySelectorAll('#list tbody tr')].map(r => r.dataset.id)")
        assert rows[0] == changed_id, "the item whose text changed comes first"
        assert browser.evaluate("document.querySelectorAll('.flag.chg').length") == 1
        browser.click(f'#list tr[data-id="{changed_id}"]')
        browser.wait_for("document.querySelectorAll('.model-text').length === 2")
        texts = browser.evaluate("[...document.querySelectorAll('.model-text')].map(e => e.textContent)")
        assert "Atrial flutter" not in texts[0] and "Atrial flutter" in texts[1]
        browser.screenshot(shots / "view-two-runs.png")
        _not_blank(shots / "view-two-runs.png")


def test_view_of_a_missing_run_is_a_usage_error(tmp_path):
    result = runner.invoke(app, ["view", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "not found" in result.output
