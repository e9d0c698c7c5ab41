"""Plug-ins through entry points: a package that ships a model adapter, a scorer, a data
source and a task folder is installed (offline, into a folder of its own) and run with
`gemeval run`; a name taken twice and a target without the interface are refused."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gemeval.registry import Registry, RegistryError, resolve

TESTS_DIR = Path(__file__).resolve().parent
ROOT = TESTS_DIR.parent
PLUGIN = TESTS_DIR / "data" / "plugin"


@pytest.fixture(scope="module")
def plugin_site(tmp_path_factory) -> Path:
    """The demo plug-in installed with pip into a folder of its own (no index, no network)."""
    pytest.importorskip("setuptools")
    work = tmp_path_factory.mktemp("plugin")
    source, site = work / "src", work / "site"
    shutil.copytree(PLUGIN, source)
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-index", "--no-build-isolation", "--no-deps", "--quiet",
         "--target", str(site), str(source)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert any(site.glob("gemeval_plugin_demo-*.dist-info"))
    return site


def _gemeval(site: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(site)]), "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "gemeval", *args], capture_output=True, text=True, env=env,
                          timeout=300)


def test_an_installed_plugin_is_listed_and_runs_end_to_end(plugin_site, tmp_path):
    listed = _gemeval(plugin_site, "models")
    assert listed.returncode == 0 and "echo-demo" in listed.stdout and "gemeval-plugin-demo" in listed.stdout
    tasks = _gemeval(plugin_site, "tasks")
    assert tasks.returncode == 0 and "demo-words" in tasks.stdout

    proc = _gemeval(plugin_site, "run", "--model", "echo-demo", "--model-args", "suffix=!", "--task",
                    "demo-words", "--out", str(tmp_path), "-q")
    assert proc.returncode == 0, proc.stderr
    run_dir = next(tmp_path.rglob("results.json")).parent
    results = json.loads((run_dir / "results.json").read_text())
    assert results["data"]["source"] == "demo-data" and results["n_samples"] == 3
    assert results["metrics"]["demo.words"]["value"] == 1.0
    lines = [json.loads(line) for line in (run_dir / "samples.jsonl").read_text().splitlines()]
    assert sorted(r["prediction"]["text"] for r in lines) == ["block!", "flutter!", "sinus!"]


def test_without_the_plugin_its_names_are_unknown(tmp_path):
    proc = _gemeval(tmp_path, "run", "--model", "echo-demo", "--task", "grounded", "--out", str(tmp_path))
    assert proc.returncode == 2 and "unknown model adapter 'echo-demo'" in proc.stderr


def test_a_name_registered_twice_is_refused_naming_both():
    reg: Registry[str] = Registry("widget", "gemeval.tests-none", None, lambda name, value, dist: value)
    reg.add("a", "json:dumps")
    with pytest.raises(RegistryError, match="widget 'a' is registered twice: by gemeval and by plug-in x"):
        reg.add("a", "json:loads", origin="plug-in x")


def test_a_target_without_the_interface_is_refused_when_loaded():
    def needs_call(entry: str, obj: object) -> str | None:
        return None if callable(obj) else "is not callable"

    reg: Registry[str] = Registry("widget", "gemeval.tests-none", None, lambda name, value, dist: value, needs_call)
    reg.add("pi", "math:pi")
    with pytest.raises(RegistryError, match=r"widget 'pi' \(math:pi, from gemeval\): is not callable"):
        reg.load("pi", reg["pi"])
    assert resolve("os.path:join", "x") is os.path.join
    with pytest.raises(RegistryError, match="no attribute 'nope'"):
        resolve("os.path:nope", "widget 'w'")
    with pytest.raises(RegistryError, match="not of the form"):
        resolve("os.path", "widget 'w'")
