"""The top-level API: what `gemeval` declares public, imported on first use."""

from __future__ import annotations

import subprocess
import sys

import gemeval


def test_the_public_names_resolve():
    assert {"Sample", "Prediction", "Model", "evaluate", "GemevalError"} <= set(gemeval.__all__)
    for name in gemeval.__all__:
        assert getattr(gemeval, name) is not None, name
    from gemeval.run import evaluate
    from gemeval.sample import Sample

    assert gemeval.evaluate is evaluate and gemeval.Sample is Sample


def test_importing_gemeval_does_not_import_the_pipeline():
    code = "import sys, gemeval; gemeval.__version__; print(sorted(m for m in sys.modules if m.startswith('gemeval')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['gemeval']"
