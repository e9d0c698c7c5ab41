"""The run schema: what a run writes matches it, docs/run-schema.json is generated from it,
and runs of an older or newer layout are read or refused with the reason."""

from __future__ import annotations

import json

import pytest

from conftest import SMALL_SYNTHETIC_N
from run_schema import DOC, published_schema_checks, untyped_fields
from gemeval import store
from gemeval.run import evaluate
from gemeval.schema import SCHEMA_VERSION, json_schema, json_schema_text


def test_the_published_json_schema_is_generated_from_the_types():
    assert DOC.read_text() == json_schema_text(), "regenerate it: python -m gemeval.schema > docs/run-schema.json"


def test_every_field_of_the_schema_has_a_description():
    for name, definition in json_schema()["$defs"].items():
        assert definition.get("description"), name
        for field, spec in definition["properties"].items():
            assert spec.get("description"), f"{name}.{field}"


# the probe tasks build variants of each base record: 2 bases, the size their own tests build
@pytest.mark.parametrize(("task", "n"), [("grounded", SMALL_SYNTHETIC_N), ("grounded-cf", 2), ("grounded-robust", 2),
                                         ("csn", SMALL_SYNTHETIC_N)])
def test_a_run_validates_against_the_published_json_schema_which_types_every_field(task, n, tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    result = evaluate("measure", task, out_dir=tmp_path, limit=3, synthetic_n=n)
    for _file, record, schema in published_schema_checks(result.run_dir):
        jsonschema.validate(record, schema)
    assert untyped_fields(result.run_dir) == [], "add the fields to gemeval/schema.py"
    assert result.config["format_version"] == SCHEMA_VERSION == result.results["format_version"]
    assert result.config["claims"] == {"extractor": "rules"} == result.results["claims"]


def test_a_run_of_a_newer_schema_is_refused_with_the_fix(tmp_path):
    result = evaluate("measure", "grounded", out_dir=tmp_path, limit=2, synthetic_n=SMALL_SYNTHETIC_N)
    config = json.loads((result.run_dir / store.CONFIG).read_text())
    store.write_json(result.run_dir / store.CONFIG, config | {"format_version": SCHEMA_VERSION + 1})
    with pytest.raises(store.RunStoreError, match=f"schema version {SCHEMA_VERSION + 1}.*upgrade gemeval"):
        store.read_config(result.run_dir)


def test_an_unversioned_run_is_read_when_it_fits_and_refused_with_the_field_when_not(tmp_path):
    result = evaluate("measure", "grounded", out_dir=tmp_path, limit=2, synthetic_n=SMALL_SYNTHETIC_N)
    results = json.loads((result.run_dir / store.RESULTS).read_text())
    del results["format_version"]
    store.write_json(result.run_dir / store.RESULTS, results)
    assert store.read_results(result.run_dir)["metrics"] == results["metrics"]

    del results["metrics"]
    store.write_json(result.run_dir / store.RESULTS, results)
    with pytest.raises(store.RunStoreError, match=r"results.json.*no format_version.*metrics: Field required"):
        store.read_results(result.run_dir)


def test_a_sample_line_that_breaks_the_schema_names_its_line(tmp_path):
    result = evaluate("measure", "grounded", out_dir=tmp_path, limit=2, synthetic_n=SMALL_SYNTHETIC_N)
    with (result.run_dir / store.SAMPLES).open("a") as fh:
        fh.write(json.dumps({"id": 7, "prediction": {"text": "x"}}) + "\n")
    with pytest.raises(store.RunStoreError, match=r"samples.jsonl:3 .*id: Input should be a valid string"):
        store.read_samples(result.run_dir)
