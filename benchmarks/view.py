"""Seconds to open the `gemeval view` page of a 5,000-sample run in headless Chromium, and
the page's size.

A real run is made first: the `measure` baseline on the embedded synthetic set (200 ECGs,
texts of about 2 KB with about 50 grounding claims each, every claim with its span and
verdict), with a judge verdict (eight criteria, an explanation each) added to every record.
Its records are repeated under new ids up to ``--samples``; the repeats share the ECG of the
record they copy (``group``), so the page embeds the 200 distinct ECG pages, as a 5,000-item
run over 200 ECGs would. Open time = from navigation until the page's script has drawn the
header and the first page of the list (``data-ready``), over ``--repeats`` loads, median.

Anchor, in the same browser: the page of the 200-record run itself.

    python benchmarks/view.py [--samples 5000] [--repeats 3]

Needs Debian's chromium package (apt-get install -y chromium).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from chromium import Chromium, find_chromium  # noqa: E402
from gemeval.report.compare import load_run  # noqa: E402
from gemeval.report.view import build_view, ecg_pages  # noqa: E402
from gemeval.run import evaluate  # noqa: E402
from gemeval.store import SampleWriter, read_samples  # noqa: E402

TARGET_S = 3.0
CRITERIA = ("DiagnosisAccuracy", "AnalysisCompleteness", "AnalysisRelevance", "LeadAssessmentCoverage",
            "LeadAssessmentAccuracy", "ECGFeatureGrounding", "EvidenceBasedReasoning", "ClinicalDiagnosticFidelity")


def _judged(record: dict, i: int) -> dict:
    explanation = "The interpretation names the rhythm and cites the PR, QRS and QT values of the reference. " * 2
    record = dict(record)
    record["judge"] = {
        "scores": {c: float((i * 7 + k * 13) % 101) for k, c in enumerate(CRITERIA)},
        "parsed": {c: [{"Score": 1, "Explanation": explanation}] for c in CRITERIA},
        "failures": {}, "usage": {"prompt_tokens": 1800, "completion_tokens": 400}, "raw": "{}",
    }
    return record


def make_runs(root: Path, n: int) -> tuple[Path, Path]:
    base = evaluate(model="measure", task="grounded", out_dir=root / "runs", n_resamples=100).run_dir
    records = [_judged(r, i) for i, r in enumerate(sorted(read_samples(base), key=lambda r: r["id"]))]
    big = root / "big"
    big.mkdir()
    for name in ("config.json", "results.json"):
        shutil.copy(base / name, big / name)
    with SampleWriter(big) as writer:
        writer.write_many(
            dict(records[i % len(records)], id=f"{records[i % len(records)]['id']}-q{i // len(records):03d}")
            for i in range(n)
        )
    return base, big


def page_for(run_dir: Path, out: Path) -> Path:
    run = load_run(run_dir)
    groups = list(dict.fromkeys(str(s["group"]) for s in run.samples))
    pages = ecg_pages(run, groups, None, max_images=len(groups))  # the ECGs by their original ids
    for s in run.samples:
        original = str(s["group"])
        if original in pages.image_of:
            pages.image_of[str(s["id"])] = pages.image_of[original]
            pages.prompts[str(s["id"])] = pages.prompts.get(original, "")
    out.write_text(build_view([run], [pages]), encoding="utf-8")
    return out


def open_times(browser: Chromium, page: Path, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        browser.open("about:blank", ready="true")
        times.append(browser.open(page.as_uri(), timeout=120))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if find_chromium() is None:
        sys.exit("chromium not installed (apt-get install -y chromium)")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        start = time.perf_counter()
        base, big = make_runs(root, args.samples)
        small_page = page_for(base, root / "small.html")
        t_build = time.perf_counter()
        big_page = page_for(big, root / "big.html")
        build_s = time.perf_counter() - t_build
        print(f"runs made in {t_build - start:.1f} s; page of {args.samples} samples built in {build_s:.1f} s")
        with Chromium(1400, 1000) as browser:
            small = open_times(browser, small_page, args.repeats)
            big_t = open_times(browser, big_page, args.repeats)
            rows = browser.evaluate("document.querySelectorAll('#list tbody tr').length")
            drawn_ms = browser.evaluate("document.body.dataset.readyMs")
            browser.click("#list tbody tr")
            t0 = time.perf_counter()
            browser.wait_for("document.querySelector('#detail .ecg img') && document.querySelector('#detail .ecg img').complete")
            detail_s = time.perf_counter() - t0
            browser.click("#f-contra")
            t0 = time.perf_counter()
            browser.wait_for("document.getElementById('count').textContent.includes(' of ')")
            filter_s = time.perf_counter() - t0
        n_images = len(json.loads(big_page.read_text().split('id="view-images">')[1].split("</script>")[0]))
        size_mb = big_page.stat().st_size / 1e6
    print(f"anchor: {base.name} page, 200 samples: open {statistics.median(small):.2f} s (median of {args.repeats})")
    print(f"{args.samples} samples, {n_images} ECG pages embedded: file {size_mb:.1f} MB, "
          f"open {statistics.median(big_t):.2f} s (median of {args.repeats}; loads {', '.join(f'{t:.2f}' for t in big_t)}), "
          f"script {drawn_ms} ms, {rows} rows drawn")
    print(f"open a sample with its ECG page: {detail_s:.2f} s; a filter click over all samples: {filter_s:.2f} s")
    print(f"ratio to the 200-sample anchor: {statistics.median(big_t) / statistics.median(small):.1f}x; "
          f"target < {TARGET_S:.0f} s: {'met' if statistics.median(big_t) < TARGET_S else 'NOT met'}")


if __name__ == "__main__":
    main()
