"""One root for user errors: those print one line and exit 2; anything else is a bug and
keeps its traceback, with a line saying how to report it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SMALL_SYNTHETIC_N
from gemeval.errors import GemevalError, InputError, MissingFileError, UsageError

TESTS_DIR = Path(__file__).resolve().parent
ROOT = TESTS_DIR.parent


def _cli(*args: str) -> subprocess.CompletedProcess:
    path = os.pathsep.join([str(ROOT), str(TESTS_DIR)])
    env = {**os.environ, "PYTHONPATH": path, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "gemeval", *args], capture_output=True, text=True, env=env,
                          timeout=300)


def test_user_errors_print_one_line_and_exit_2(tmp_path):
    proc = _cli("show", str(tmp_path / "no-such-run"))
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2, proc.stderr
    assert len(lines) == 1 and lines[0].startswith("error: ") and "no-such-run" in lines[0]
    assert "Traceback" not in proc.stderr

    proc = _cli("run", "--model", "measure", "--task", "grounded", "--model-args", "not-a-pair", "--out", str(tmp_path))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "not key=value" in proc.stderr


def test_an_internal_value_error_keeps_its_traceback_and_says_how_to_report_it(tmp_path):
    proc = _cli("run", "--model", "adapters_for_tests:BuggyModel", "--task", "grounded", "--limit", "2",
                "--synthetic-n", str(SMALL_SYNTHETIC_N), "--out", str(tmp_path), "-q")
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" in proc.stderr and "ValueError: simulated bug in describe" in proc.stderr
    assert "please report it" in proc.stderr
    assert not proc.stderr.lstrip().startswith("error:")


def test_user_error_types_keep_their_builtin_bases():
    from gemeval.data import DataError
    from gemeval.judge import JudgeError
    from gemeval.models.base import ModelError
    from gemeval.report.gate import PolicyError
    from gemeval.run import RunError
    from gemeval.store import RunStoreError
    from gemeval.tasks import TaskError
    from gemeval.data.base import OutsideDataRoot
    from gemeval.ecg.record import RecordError
    from gemeval.judge.engine import JudgeConnectionError
    from gemeval.report.modality import ModalityError
    from gemeval.sqlite_cache import CacheError

    for cls in (DataError, JudgeError, ModelError, PolicyError, RunError, RunStoreError, TaskError,
                UsageError, InputError, MissingFileError, OutsideDataRoot, RecordError, JudgeConnectionError,
                ModalityError, CacheError):
        assert issubclass(cls, GemevalError), cls
    assert issubclass(CacheError, RuntimeError) and issubclass(JudgeConnectionError, RuntimeError)
    for cls in (DataError, PolicyError, RunError, RunStoreError, TaskError, UsageError, InputError):
        assert issubclass(cls, ValueError), cls
    assert issubclass(MissingFileError, FileNotFoundError)
    from gemeval.sqlite_cache import check_mode

    with pytest.raises(UsageError, match="not one of readwrite"):
        check_mode("x", "cache")


def test_a_cache_file_that_cannot_be_opened_and_a_bad_measure_config_are_user_errors(tmp_path):
    from gemeval.ecg.measure import MeasureConfig
    from gemeval.judge.cache import JudgeCache

    broken = tmp_path / "judge.sqlite"
    broken.write_bytes(b"this is not a database" * 100)
    with pytest.raises(GemevalError, match=f"{broken}.*delete the file or pass --judge-cache off"):
        JudgeCache(broken)
    with pytest.raises(UsageError, match="t_end_method='nope'"):
        MeasureConfig(t_end_method="nope")
