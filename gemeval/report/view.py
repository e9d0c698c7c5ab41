"""`gemeval view`: one self-contained HTML page to browse what a model wrote.

The page holds the run's config and results table, a sample list with filters and sorting,
and for one sample: the ECG page, the prompt, the model's text with every grounding claim
marked by its character span (verified / contradicted / unverifiable / not checked; the
tooltip gives the truth value and the band it had to fall in), the reference, the judge's
score and explanation per criterion, the per-sample metrics, latency and tokens. With two
runs the same samples are paired by id (as `gemeval compare` pairs them) and shown side by
side, changed items first.

Everything from the run is untrusted text. It travels to the page as JSON inside a
``<script type="application/json">`` element with ``<``, ``>`` and ``&`` written as
``\\u003c``/``\\u003e``/``\\u0026`` (so no ``</script>`` can end the element), and the page's
script only ever puts it into the DOM with ``textContent``, ``title`` and ``value``, never as
HTML. ECG pages are 16-colour PNGs kept as base64 strings in their own JSON element and
turned into an image only when a sample is opened; ``max_images`` bounds how many are
embedded, so a 5,000-sample run stays a file a browser opens at once.

The view is built from plain dicts (one per sample, see ``sample_view``) and the page draws
each part of a sample with its own function (``SECTIONS`` in the page script), so a new kind
of sample (a group of probe variants, say) adds a field here and a section there.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from gemeval import __version__
from gemeval.report.compare import JUDGE_PREFIX, Run, changed_mask, pair_samples, per_sample_columns
from gemeval.report.probe_view import add_strips

TEMPLATE = Path(__file__).resolve().parent / "templates" / "view.html"
THUMB_WIDTH = 1100
THUMB_COLORS = 16
DEFAULT_MAX_IMAGES = 300
STATUSES = ("verified", "contradicted", "unverifiable", "not_checked")
# the per-sample numbers stored under "metrics" that are not metric values
_NOT_A_METRIC = ("multilabel.",)


@dataclass
class EcgPages:
    """Where the ECG pages and prompts of a run's samples come from: the run's data, loaded
    again as its config describes. ``note`` says what could not be found."""

    prompts: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    images: dict[str, str] = field(default_factory=dict)   # group -> base64 JPEG
    image_of: dict[str, str] = field(default_factory=dict)  # sample id -> group with an image
    note: str = ""


def _json_for_script(obj: Any) -> str:
    """JSON that cannot end the <script> element it sits in, whatever the strings hold."""
    text = json.dumps(obj, ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=str)
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _finite(x: Any) -> float | None:
    if isinstance(x, bool):
        return float(x)
    if isinstance(x, (int, float)) and math.isfinite(x):
        return float(x)
    return None


def _utf16_offsets(text: str) -> Callable[[int], int]:
    """Maps a Python (code point) offset to the UTF-16 offset JavaScript strings use."""
    if text.isascii() or all(ord(c) < 0x10000 for c in text):
        return lambda i: i
    cumulative = np.concatenate([[0], np.cumsum([2 if ord(c) >= 0x10000 else 1 for c in text])])
    return lambda i: int(cumulative[max(0, min(i, len(text)))])


def claim_marks(text: str, claims: Any) -> list[list[Any]]:
    """The grounding claims of a text as compact rows for the page:
    ``[start, end, status, truth, band_low, band_high, tolerance, quantity, lead, reason, assertion]``
    with UTF-16 offsets. Keys a run did not store are None; a claim whose span does not lie
    inside the text is left out (it cannot be marked)."""
    if not isinstance(claims, list):
        return []
    to16 = _utf16_offsets(text)
    out = []
    for c in claims:
        if not isinstance(c, dict):
            continue
        span = c.get("span")
        if not (isinstance(span, (list, tuple)) and len(span) == 2 and all(isinstance(v, int) for v in span)):
            continue
        start, end = span
        if not 0 <= start < end <= len(text):
            continue
        band = c.get("band")
        band = band if isinstance(band, (list, tuple)) and len(band) == 2 else (None, None)
        truth = c.get("truth")
        status = str(c.get("status") or "unverifiable")
        out.append([
            to16(start), to16(end), status if status in STATUSES else "unverifiable",
            truth if isinstance(truth, (str, bool)) or truth is None else _finite(truth),
            _finite(band[0]), _finite(band[1]), _finite(c.get("tolerance")),
            str(c.get("quantity") or ""), str(c.get("lead") or ""), str(c.get("reason") or ""),
            str(c.get("assertion") or ""),
        ])
    return out


def metric_columns(runs: Sequence[Run]) -> list[str]:
    """Per-sample metric names the list can show and sort by: the runs' headline metrics
    first, then every other scalar per-sample value, then the judge criteria."""
    names: dict[str, None] = {}
    for run in runs:
        for name in run.results.get("headline") or []:
            names.setdefault(name, None)
    scalar: dict[str, None] = {}
    judge: dict[str, None] = {}
    for run in runs:
        for s in run.samples:
            for k, v in (s.get("metrics") or {}).items():
                if not k.startswith(_NOT_A_METRIC) and (v is None or isinstance(v, (int, float))):
                    scalar.setdefault(k, None)
            for k in ((s.get("judge") or {}).get("scores") or {}):
                judge.setdefault(JUDGE_PREFIX + str(k), None)
    present = scalar.keys() | judge.keys()
    ordered = [n for n in names if n in present]
    return ordered + [n for n in scalar if n not in ordered] + [n for n in judge if n not in ordered]


def _judge_view(judge: Any) -> dict[str, Any] | None:
    if not isinstance(judge, dict):
        return None
    parsed = judge.get("parsed") or {}
    criteria = []
    for name, score in (judge.get("scores") or {}).items():
        entries = parsed.get(name) if isinstance(parsed, dict) else None
        explanations = [
            [e.get("Score"), str(e.get("Explanation") or "")] for e in entries or [] if isinstance(e, dict)
        ]
        criteria.append([str(name), _finite(score), explanations, str((judge.get("failures") or {}).get(name) or "")])
    usage = judge.get("usage") or {}
    return {"criteria": criteria, "error": str(judge.get("error") or ""),
            "tokens": [usage.get("prompt_tokens"), usage.get("completion_tokens")]}


def _reference_text(reference: Any) -> str:
    if not isinstance(reference, dict):
        return "" if reference is None else str(reference)
    if reference.get("text"):
        return str(reference["text"])
    parts = []
    for key in ("answer", "answers", "labels", "options"):
        if reference.get(key) not in (None, [], ""):
            value = reference[key]
            parts.append(f"{key}: {', '.join(map(str, value)) if isinstance(value, list) else value}")
    return "\n".join(parts)


def _label(record: Mapping[str, Any], pages: EcgPages) -> str:
    if record.get("id") in pages.labels:
        return pages.labels[record["id"]]
    reference = record.get("reference") or {}
    if isinstance(reference, dict):
        labels = reference.get("labels")
        if isinstance(labels, list) and labels:
            return ", ".join(map(str, labels))
        if reference.get("answer") is not None:
            return str(reference["answer"])
    return ""


def side_view(record: Mapping[str, Any] | None, columns: Sequence[str],
              values: dict[str, float | None]) -> dict[str, Any] | None:
    """One run's side of a sample: text with claim marks, error, judge, metrics, cost."""
    if record is None:
        return None
    prediction = record.get("prediction") or {}
    text = prediction.get("text")
    text = "" if text is None else str(text)
    metrics = record.get("metrics") or {}
    usage = prediction.get("usage") or {}
    return {
        "text": text,
        "error": str(record.get("error") or prediction.get("error") or ""),
        "claims": claim_marks(text, metrics.get("grounding.claims")),
        "m": [values.get(c) for c in columns],
        "judge": _judge_view(record.get("judge")),
        "latency": _finite(prediction.get("latency_s")),
        "tokens": [usage.get("prompt_tokens"), usage.get("completion_tokens")],
        "contradicted": int(_finite(metrics.get("grounding.n_contradicted")) or 0),
        "truth_source": str(record.get("truth_source") or ""),
    }


def sample_view(
    sid: str, records: Sequence[Mapping[str, Any] | None], columns: Sequence[str],
    values: Sequence[dict[str, float | None]], pages: EcgPages, changed: bool,
) -> dict[str, Any]:
    """Everything the page knows about one sample id (one side per run)."""
    first = next(r for r in records if r is not None)
    return {
        "id": sid,
        "group": str(first.get("group") or sid),
        "label": _label(first, pages),
        "prompt": pages.prompts.get(sid, ""),
        "reference": _reference_text(first.get("reference")),
        "image": pages.image_of.get(sid),
        "changed": changed,
        "sides": [side_view(r, columns, v) for r, v in zip(records, values)],
    }


def _values_by_id(run: Run, columns: Sequence[str]) -> dict[str, dict[str, float | None]]:
    arrays = per_sample_columns(run.samples, list(columns))
    out: dict[str, dict[str, float | None]] = {}
    for i, s in enumerate(run.samples):
        out[str(s["id"])] = {c: (None if not np.isfinite(arrays[c][i]) else float(arrays[c][i])) for c in columns}
    return out


def _changed_ids(run_a: Run, run_b: Run, columns: Sequence[str]) -> set[str]:
    """Paired ids whose prediction text or any per-sample value differs (compare's rule)."""
    paired_a, paired_b, _, _, _ = pair_samples(run_a, run_b)
    ids = [str(s["id"]) for s in paired_a]
    changed = np.zeros(len(ids), dtype=bool)
    if columns and ids:
        cols_a = per_sample_columns(paired_a, list(columns))
        cols_b = per_sample_columns(paired_b, list(columns))
        for c in columns:
            changed |= changed_mask(cols_a[c], cols_b[c])
    for i, (a, b) in enumerate(zip(paired_a, paired_b)):
        if (a.get("prediction") or {}).get("text") != (b.get("prediction") or {}).get("text"):
            changed[i] = True
    return {sid for sid, c in zip(ids, changed) if c}


def _results_view(run: Run) -> list[list[Any]]:
    metrics = run.results.get("metrics") or {}
    headline = [m for m in run.results.get("headline") or [] if m in metrics]
    order = headline + sorted(m for m in metrics if m not in headline)
    return [
        [name, _finite(metrics[name].get("value")), _finite(metrics[name].get("ci_low")),
         _finite(metrics[name].get("ci_high")), metrics[name].get("n"), metrics[name].get("n_failed"),
         bool(metrics[name].get("higher_is_better", True)), name in headline]
        for name in order
    ]


def run_header(run: Run, pages: EcgPages) -> dict[str, Any]:
    """The config facts and the results table of one run."""
    config, results = run.config, run.results
    task = config.get("task") or {}
    data = config.get("data") or results.get("data") or {}
    judge = results.get("judge") or config.get("judge") or {}
    if judge.get("skipped"):
        judge_text = "not run (judge metrics skipped)"
    elif judge:
        judge_text = f"{judge.get('model', '?')} · rubric {judge.get('rubric', '?')} v{judge.get('rubric_version', '?')} · {judge.get('rule', '')}"
    else:
        judge_text = "none"
    versions = config.get("versions") or {}
    facts = [
        ["model", f"{run.label} ({(config.get('model') or {}).get('name', '?')})"],
        ["task", f"{task.get('name', results.get('task', '?'))} v{task.get('version', '?')}"],
        ["modality", str(config.get("modality") or results.get("modality") or "")],
        ["data", f"{data.get('source', '?')}: {data.get('n_selected', data.get('n', '?'))} of {data.get('n', '?')} items"
         + (" (synthetic fallback)" if data.get("synthetic_fallback") else "")],
        ["scoring", str(config.get("scoring") or results.get("scoring") or "")],
        ["judge", judge_text],
        ["samples", f"{results.get('n_samples', len(run.samples))}, {results.get('n_errors', 0)} with errors"],
        ["versions", " · ".join(f"{k} {v}" for k, v in versions.items() if k in ("gemeval", "python", "torch", "transformers", "openai"))],
        ["git", str(config.get("git_sha") or "")[:12]],
        ["created", str(results.get("created_at") or config.get("created_at") or "")],
        ["command", str(config.get("command") or "")],
        ["run directory", str(run.path)],
    ]
    if data.get("note"):
        facts.append(["data note", str(data["note"])])
    if pages.note:
        facts.append(["ECG pages", pages.note])
    return {"label": run.label, "facts": facts, "results": _results_view(run)}


def _thumbnail(png: bytes) -> str:
    """The page as a 16-colour PNG, at most ``THUMB_WIDTH`` wide: an ECG page is a few inks on
    a grid, so this keeps it sharp at about 30 kB (a rendered 1100 x 850 page)."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    if image.width > THUMB_WIDTH:
        image = image.resize((THUMB_WIDTH, round(image.height * THUMB_WIDTH / image.width)), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    image.quantize(THUMB_COLORS).save(buf, format="PNG", optimize=True)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _synthetic_n(data: Mapping[str, Any]) -> int | None:
    """The size the run's generated set was built with (older runs: the synthetic set's n)."""
    if data.get("synthetic_n"):
        return int(data["synthetic_n"])
    return int(data["n"]) if str(data.get("source", "")).startswith("synthetic") and data.get("n") else None


def ecg_pages(run: Run, ids: Sequence[str], data_dir: Path | None, max_images: int) -> EcgPages:
    """Prompts, labels and ECG pages of ``ids`` (in that order; pages for the first
    ``max_images`` distinct ECGs), from the run's data loaded again as its config says. A
    sample whose prompt hash differs from the one the run stored gets neither (the data
    changed since the run). Data that cannot be loaded leaves a note, never an error."""
    from gemeval.data import DataError
    from gemeval.data.base import DataOptions, load_dataset
    from gemeval.tasks import TaskError, load_task
    import hashlib

    pages = EcgPages()
    config = run.config
    data = config.get("data") or {}
    try:
        task = load_task(str((config.get("task") or {}).get("name") or run.results.get("task")))
        options = DataOptions.from_env(data_dir=data_dir, seed=int(config.get("seed") or 0),
                                       synthetic_n=_synthetic_n(data))
        dataset = load_dataset(task, options)
    except (DataError, TaskError, OSError, ValueError, KeyError) as exc:
        pages.note = f"the run's data could not be loaded ({exc}); pass --data-dir to show prompts and ECG pages"
        return pages
    by_id = {s.id: s for s in dataset.samples}
    stored = {str(s["id"]): s.get("prompt_sha256") for s in run.samples}
    missing = mismatched = 0
    failed: list[str] = []
    for sid in ids:
        sample = by_id.get(sid)
        if sample is None:
            missing += 1
            continue
        if stored.get(sid) and hashlib.sha256(sample.prompt.encode()).hexdigest() != stored[sid]:
            mismatched += 1
            continue
        pages.prompts[sid] = sample.prompt
        condition = sample.meta.get("condition")
        if condition:
            pages.labels[sid] = str(condition)
        group = str(sample.image_path or sample.group or sid)  # one page per image (probe variants share a group)
        if group not in pages.images and len(pages.images) < max_images and sample.has_image:
            try:
                pages.images[group] = _thumbnail(sample.load_image_png(dpi=100))
            except Exception as exc:  # one unreadable page never stops the view
                failed.append(f"{sid}: {type(exc).__name__}: {exc}")
                continue
        if group in pages.images:
            pages.image_of[sid] = group
    notes = [f"from {dataset.source}"]
    n_without = sum(1 for sid in ids if sid not in pages.image_of)
    if n_without:
        notes.append(f"{n_without} samples without a page (at most {max_images} distinct ECGs are embedded; "
                     "raise --max-images to embed more)" if not failed else f"{n_without} samples without a page")
    if missing:
        notes.append(f"{missing} samples not in the data found now")
    if mismatched:
        notes.append(f"{mismatched} samples whose prompt differs from the run's (data changed since); not shown")
    if failed:
        notes.append(f"{len(failed)} pages could not be read, e.g. {failed[0]}")
    pages.note = "; ".join(notes)
    return pages


def build_view(runs: Sequence[Run], pages: Sequence[EcgPages] | None = None) -> str:
    """The page for one run, or two runs side by side (B against A, paired by id)."""
    if not 1 <= len(runs) <= 2:
        raise ValueError("the viewer shows one run or two")
    pages = list(pages) if pages is not None else [EcgPages() for _ in runs]
    merged = EcgPages()
    for p in reversed(pages):  # run A's data wins where both have it
        merged.prompts.update(p.prompts)
        merged.labels.update(p.labels)
        merged.images.update(p.images)
        merged.image_of.update(p.image_of)
    columns = metric_columns(runs)
    values = [_values_by_id(run, columns) for run in runs]
    by_id = [{str(s["id"]): s for s in run.samples} for run in runs]
    ids = list(dict.fromkeys(sid for b in by_id for sid in sorted(b)))
    changed = _changed_ids(runs[0], runs[1], columns) if len(runs) == 2 else set()
    samples = []
    for sid in ids:
        records = [b.get(sid) for b in by_id]
        paired = all(r is not None for r in records)
        samples.append(sample_view(sid, records, columns, [v.get(sid, {}) for v in values], merged,
                                   changed=sid in changed or (len(runs) == 2 and not paired)))
    add_strips(samples, {sid: next(b[sid] for b in by_id if sid in b) for sid in ids}, merged.image_of)
    if len(runs) == 2:
        samples.sort(key=lambda s: not s["changed"])  # stable: id order within each part
    higher: dict[str, bool] = {}
    for run in runs:
        for name, entry in (run.results.get("metrics") or {}).items():
            higher.setdefault(name, bool(entry.get("higher_is_better", True)))
    payload = {
        "runs": [run_header(run, p) for run, p in zip(runs, pages)],
        "columns": [[c, higher.get(c, not c.endswith(("_rate", "loss")))] for c in columns],
        "samples": samples,
        "statuses": list(STATUSES),
        "generated": f"gemeval {__version__}",
    }
    title = " vs ".join(run.label for run in runs) + " · " + str((runs[0].config.get("task") or {}).get("name", ""))
    fills = {
        "__TITLE__": html.escape(f"gemeval view: {title}"),
        "__DATA__": _json_for_script(payload),
        "__IMAGES__": _json_for_script(merged.images),
    }
    # one pass, so nothing a fill holds is ever read as another placeholder
    return re.sub("__TITLE__|__DATA__|__IMAGES__", lambda m: fills[m.group(0)], TEMPLATE.read_text(encoding="utf-8"))


def serve(path: Path, port: int = 0) -> None:
    """Serve the page (and only it) on 127.0.0.1 until interrupted."""
    import http.server

    body = Path(path).read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
            if self.path.split("?")[0] not in ("/", "/index.html"):
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print(f"serving {path} on http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
