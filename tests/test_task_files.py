"""Task files are checked like gate policies: a key gemeval does not know is refused with the
closest valid one, at the top level and under metadata."""

from __future__ import annotations

from pathlib import Path

import pytest

from gemeval.tasks import TaskError, list_tasks, load_task

GOOD = """\
task: tiny
metadata:
  version: 1
  kind: qa
  sources: []
  scorers: [qa]
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(text)
    return path


def test_every_shipped_task_file_uses_known_keys_only():
    assert {t.name for t in list_tasks()} >= {"grounded", "csn", "ptbxl-report"}


def test_a_misspelt_metadata_key_is_refused_with_the_closest_one(tmp_path):
    assert load_task(str(_write(tmp_path, GOOD))).scorers == ("qa",)
    path = _write(tmp_path, GOOD.replace("scorers:", "scorer:"))
    with pytest.raises(TaskError, match=r"tiny.yaml: unknown key `metadata.scorer`; did you mean `scorers`\?"):
        load_task(str(path))


def test_a_misspelt_top_level_key_is_refused_with_the_closest_one(tmp_path):
    path = _write(tmp_path, GOOD + "generation_kwarg:\n  temperature: 0\n")
    with pytest.raises(TaskError, match=r"unknown key `generation_kwarg`; did you mean `generation_kwargs`\?"):
        load_task(str(path))


def test_a_plugin_setting_goes_under_extra(tmp_path):
    spec = load_task(str(_write(tmp_path, GOOD + "  extra:\n    my_threshold: 3\n")))
    assert spec.options["extra"] == {"my_threshold": 3}
