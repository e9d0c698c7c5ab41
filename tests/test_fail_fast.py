"""Wrong usage and unreachable services end in one clear line and a documented exit code,
never in a traceback, a silent fallback or results that look right."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from openai_server import Reply, chat_completion, openai_server  # noqa: F401

from conftest import SMALL_SYNTHETIC_N
from gemeval import store

TESTS_DIR = Path(__file__).resolve().parent


def cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    full = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS_DIR.parent), str(TESTS_DIR)]), "COLUMNS": "200",
            **(env or {})}
    return subprocess.run([sys.executable, "-m", "gemeval", *args], capture_output=True, text=True, env=full,
                          timeout=300, cwd=cwd)


def one_line_error(proc: subprocess.CompletedProcess, code: int = 2) -> str:
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert lines and lines[-1].startswith("error:"), proc.stderr
    return lines[-1]


def run_args(tmp_path: Path, *extra: str) -> list[str]:
    return ["run", "--task", "csn", "--synthetic-n", str(SMALL_SYNTHETIC_N), "--out", str(tmp_path / "runs"), "-q",
            *extra]


# -- --limit and --resamples ----------------------------------------------------------------


@pytest.mark.parametrize("limit", ["0", "-5"])
def test_a_limit_below_one_is_refused(tmp_path, limit):
    line = one_line_error(cli(*run_args(tmp_path, "--limit", limit)))
    assert "--limit" in line and limit in line
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize("resamples", ["0", "1", "-3"])
def test_degenerate_resamples_are_refused_and_keep_the_earlier_results(tmp_path, resamples):
    ok = cli(*run_args(tmp_path, "--limit", "3"))
    assert ok.returncode == 0, ok.stderr
    (run_dir,) = store.find_run_dirs([tmp_path / "runs"])
    before = (run_dir / store.RESULTS).read_bytes()
    line = one_line_error(cli(*run_args(tmp_path, "--limit", "3", "--resamples", resamples)))
    assert "--resamples" in line
    assert (run_dir / store.RESULTS).read_bytes() == before


def test_the_python_api_refuses_them_too(tmp_path):
    from gemeval.run import RunError, evaluate

    with pytest.raises(RunError, match="--limit"):
        evaluate("measure", "csn", limit=0, out_dir=tmp_path, synthetic_n=SMALL_SYNTHETIC_N)
    with pytest.raises(RunError, match="resamples"):
        evaluate("measure", "csn", limit=2, out_dir=tmp_path, synthetic_n=SMALL_SYNTHETIC_N, n_resamples=1)


# -- a named data folder that cannot serve ----------------------------------------------------


def test_a_data_dir_that_does_not_exist_is_an_error(tmp_path):
    line = one_line_error(cli(*run_args(tmp_path, "--limit", "2", "--data-dir", str(tmp_path / "nowhere"))))
    assert str(tmp_path / "nowhere") in line and "does not exist" in line
    assert not (tmp_path / "runs").exists()


def test_a_data_dir_that_is_a_file_is_an_error(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x")
    line = one_line_error(cli(*run_args(tmp_path, "--limit", "2", "--data-dir", str(afile))))
    assert str(afile) in line and "not a folder" in line


def test_gemeval_data_pointing_nowhere_is_an_error(tmp_path):
    line = one_line_error(cli(*run_args(tmp_path, "--limit", "2"), env={"GEMEVAL_DATA": str(tmp_path / "gone")}))
    assert "GEMEVAL_DATA" in line and str(tmp_path / "gone") in line


def test_an_existing_data_dir_without_the_task_still_falls_back_and_says_so(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = cli(*run_args(tmp_path, "--limit", "2", "--data-dir", str(empty)))
    assert proc.returncode == 0, proc.stderr
    assert "synthetic" in proc.stdout


# -- the judge -------------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_judge_stops_soon_says_so_and_exits_non_zero(tmp_path):
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    args = ["run", "--model", "measure", "--task", "ptbxl-report", "--limit", "12", "--synthetic-n",
            str(SMALL_SYNTHETIC_N), "--out", str(tmp_path / "runs"), "-q", "--judge", "local-judge",
            "--judge-base-url", url, "--judge-cache-path", str(tmp_path / "judge.sqlite"), "--judge-concurrency", "4"]
    proc = cli(*args)
    line = one_line_error(proc)
    assert "cannot reach the judge" in line and f"127.0.0.1:{url.split(':')[2].split('/')[0]}" in line
    assert "rerun the same command" in line
    assert "parse failures" not in proc.stdout
    (run_dir,) = store.find_run_dirs([tmp_path / "runs"])
    records = store.read_samples(run_dir)
    assert len(records) == 12 and all(r["prediction"]["text"] for r in records)
    # the phase stopped after a short run of failures instead of trying every item
    stopped = [r for r in records if (r.get("judge") or {}).get("error", "").startswith("judge phase stopped")]
    assert stopped and all(r["judge"]["connection_error"] for r in stopped)
    results = store.read_results(run_dir)
    assert results["judge"]["connection_failures"] >= 1
    assert sum(results["judge"]["parse_failures"].values()) == 0


def test_connection_failures_are_counted_apart_and_a_rerun_resumes(openai_server, tmp_path):  # noqa: F811
    from gemeval.judge import JudgeConnectionError
    from gemeval.run import JudgeOptions, evaluate

    url = f"http://127.0.0.1:{_closed_port()}/v1"
    opts = dict(model="local-judge", cache_path=tmp_path / "judge.sqlite", max_retries=0, concurrency=1)
    with pytest.raises(JudgeConnectionError, match="cannot reach the judge"):
        evaluate("measure", "ptbxl-report", limit=6, out_dir=tmp_path / "runs", synthetic_n=SMALL_SYNTHETIC_N,
                 judge=JudgeOptions(base_url=url, **opts), scorer_options={"bertscore": False})
    (run_dir,) = store.find_run_dirs([tmp_path / "runs"])
    assert len(store.read_samples(run_dir)) == 6

    # the same run against a server that answers: the predictions are kept, the judge resumes
    verdict = json.dumps({"Diagnosis": {"Explanation": "d", "Score": 7}, "Waveform": {"Explanation": "w", "Score": 7},
                          "Rhythm": {"Explanation": "r", "Score": 7}})
    openai_server.handler = lambda request: Reply(body=chat_completion(verdict))
    healed = evaluate("measure", "ptbxl-report", limit=6, out_dir=tmp_path / "runs2", synthetic_n=SMALL_SYNTHETIC_N,
                      judge=JudgeOptions(base_url=openai_server.url, **opts), scorer_options={"bertscore": False})
    assert healed.metrics["judge.score"]["n"] == 6


def test_a_judge_without_a_price_prints_cost_unknown_and_show_works(openai_server, tmp_path):  # noqa: F811
    verdict = json.dumps({"Diagnosis": {"Explanation": "d", "Score": 5}, "Waveform": {"Explanation": "w", "Score": 5},
                          "Rhythm": {"Explanation": "r", "Score": 5}})
    openai_server.handler = lambda request: Reply(body=chat_completion(verdict))
    proc = cli("run", "--model", "measure", "--task", "ptbxl-report", "--limit", "3", "--synthetic-n",
               str(SMALL_SYNTHETIC_N), "--out", str(tmp_path / "runs"), "-q", "--judge", "my-vllm-judge",
               "--judge-base-url", openai_server.url, "--judge-cache-path", str(tmp_path / "judge.sqlite"))
    assert proc.returncode == 0, proc.stderr
    assert "cost unknown" in proc.stdout
    (run_dir,) = store.find_run_dirs([tmp_path / "runs"])
    shown = cli("show", str(run_dir))
    assert shown.returncode == 0, shown.stderr
    assert "cost unknown" in shown.stdout


# -- tracebacks that became errors -------------------------------------------------------------


@pytest.mark.parametrize("bad, expected", [
    ("=x", "no key"),
    ("modality=", "--modality"),
    ("foo=1", "foo"),
])
def test_bad_model_args_are_one_line_errors(tmp_path, bad, expected):
    line = one_line_error(cli(*run_args(tmp_path, "--limit", "2", "--model-args", bad)))
    assert expected in line


def test_show_of_a_file_is_an_error(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x")
    line = one_line_error(cli("show", str(afile)))
    assert str(afile) in line


def test_synth_onto_an_existing_file_is_an_error(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x")
    line = one_line_error(cli("ecg", "synth", "--n", "1", "--out", str(afile)))
    assert str(afile) in line and "not a folder" in line


def test_render_dpi_has_an_upper_bound(tmp_path):
    from gemeval.ecg.io import write_record
    from gemeval.ecg.synth import synthesize

    record, _ = synthesize("normal", seed=0, record_id="r0")
    write_record(record, tmp_path)
    proc = cli("ecg", "render", str(tmp_path / "r0"), "--out", str(tmp_path / "p.png"), "--dpi", "5000")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "--dpi" in proc.stderr and not (tmp_path / "p.png").exists()


def _record_with_header(tmp_path: Path, edit) -> Path:
    from gemeval.ecg.io import write_record
    from gemeval.ecg.synth import synthesize

    record, _ = synthesize("normal", seed=0, record_id="r0")
    write_record(record, tmp_path)
    header = tmp_path / "r0.hea"
    header.write_text("\n".join(edit(header.read_text().splitlines())) + "\n")
    return tmp_path / "r0"


def test_a_header_missing_a_signal_line_says_so(tmp_path):
    path = _record_with_header(tmp_path, lambda lines: lines[:12])  # record line + 11 signal lines
    proc = cli("ecg", "measure", str(path))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "declares 12 signals but the header lists 11" in proc.stderr


def test_a_zero_length_record_says_so(tmp_path):
    def zero(lines):
        fields = lines[0].split()
        fields[3] = "0"
        return [" ".join(fields), *lines[1:]]

    path = _record_with_header(tmp_path, zero)
    proc = cli("ecg", "measure", str(path))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "0 samples" in proc.stderr
