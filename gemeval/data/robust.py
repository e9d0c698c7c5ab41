"""Image robustness probe: the embedded set's pages as photos and scans would show them.

The first ``RECORDS`` records of the embedded synthetic set (exact truth), each as its clean
page and with every distortion of ``gemeval.ecg.distort`` at both levels (7 x 2 + 1 = 15
pages per record). The distorted pages are seeded by the record and the distortion, built on
first use and cached under ``gemeval.paths.cache_dir()/robust``; each sample records the
distortion, its level and the parameters drawn. The reference, truth and prompt are those of
the clean record, so claim precision and evidence recall can be compared page by page with
the clean one (``gemeval.metrics.robust``). The signal is attached too, so signal-reading
baselines run, but the probe is about the page: run it with ``--modality image``.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Any

from gemeval.data.base import DataOptions, Dataset
from gemeval.data.synthetic import DEFAULT_N, SyntheticBenchmark, build_atomically
from gemeval.data.synthetic import VERSION as SYNTHETIC_VERSION
from gemeval.data.synthetic import ensure_built as ensure_synthetic
from gemeval.paths import cache_dir
from gemeval.sample import Sample
from gemeval.tasks import TaskSpec

VERSION = 1
RECORDS = 24
CLEAN = "clean"


def robust_dir(n_records: int, synthetic_n: int) -> Path:
    return cache_dir() / "robust" / f"v{VERSION}-synthetic-v{SYNTHETIC_VERSION}-n{synthetic_n}-r{n_records}"


def page_id(record_id: str, distortion: str, level: int) -> str:
    return f"{record_id}-{CLEAN}" if distortion == CLEAN else f"{record_id}-{distortion}{level}"


def ensure_built(synthetic_n: int = DEFAULT_N, n_records: int = RECORDS) -> tuple[SyntheticBenchmark, list[dict[str, Any]]]:
    """The embedded set and the robustness pages of its first ``n_records`` records."""
    bench = ensure_synthetic(synthetic_n)
    n_records = min(n_records, len(bench.items))
    target = robust_dir(n_records, synthetic_n)
    if not (target / "build.json").is_file():
        build(target, bench, n_records)
    pages = [json.loads(line) for line in (target / "items.jsonl").read_text().splitlines() if line]
    return bench, [dict(p, image_path=str(target / "images" / p["image"])) for p in pages]


def build(target: Path, bench: SyntheticBenchmark, n_records: int) -> None:
    from PIL import Image

    from gemeval.console import track
    from gemeval.ecg.distort import DISTORTIONS, LEVELS, distort

    def fill(tmp: Path) -> dict[str, Any]:
        with (tmp / "items.jsonl").open("w") as fh:
            for item in track(bench.items[:n_records], f"distorting the pages of {n_records} records", n_records):
                record_id = item["id"]
                clean = Image.open(bench.image_path(record_id)).convert("RGB")
                seed = zlib.crc32(record_id.encode())
                pages = [(CLEAN, 0, clean, {"distortion": CLEAN, "level": 0})]
                for name in DISTORTIONS:
                    for level in LEVELS:
                        page, params = distort(clean, name, level, seed)
                        pages.append((name, level, page, params))
                for name, level, page, params in pages:
                    pid = page_id(record_id, name, level)
                    page.save(tmp / "images" / f"{pid}.png", optimize=False)
                    fh.write(json.dumps({"id": pid, "record": record_id, "distortion": name, "level": level,
                                         "params": params, "image": f"{pid}.png"}) + "\n")
        return {"version": VERSION, "records": n_records, "synthetic": str(bench.root)}

    build_atomically(target, fill)


def load(task: TaskSpec, options: DataOptions) -> Dataset:
    synthetic_n = options.synthetic_n or DEFAULT_N
    bench, pages = ensure_built(synthetic_n)
    items = {item["id"]: item for item in bench.items}
    prompt = (task.prompt or "").strip()
    samples = []
    for page in pages:
        item = items[page["record"]]
        samples.append(Sample(
            id=page["id"], task=task.name, prompt=prompt,
            reference={"text": item["reference_interpretation"], "labels": item["truth"]["labels"]},
            record_path=bench.record_path(item["id"]), image_path=page["image_path"],
            truth=item["truth"], truth_source="synthetic-truth", group=item["id"],
            meta={"source": "robust", "robust": {"record": item["id"], "distortion": page["distortion"],
                                                 "level": page["level"], "params": page["params"]}},
        ))
    n_records = len({p["record"] for p in pages})
    return Dataset(
        samples=samples, source=f"robust-v{VERSION}", files=[str(bench.root)],
        note=(f"image robustness probe v{VERSION}: {n_records} records of the embedded synthetic set v"
              f"{SYNTHETIC_VERSION}, each clean and under 7 distortions at 2 levels ({len(samples)} pages)"),
        synthetic_n=synthetic_n,
    )
