"""Property-based tests of the parsers that take outside input: WFDB headers, ECG-Bench and
ECG-Grounding items (JSON and parquet), predictions files, judge replies, task and gate YAML.

Each must end in a result or in its own one-line error naming the file or item, never in
another exception (a traceback for the user) and never in a silently wrong value. The runs
are bounded (``max_examples`` modest, no deadline) so the suite stays fast."""

from __future__ import annotations

import json
import string
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

BOUNDED = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                          HealthCheck.too_slow])

# JSON values with the shapes a hand-edited or truncated file takes
scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 10**6), st.floats(allow_nan=False, allow_infinity=False),
                    st.text(max_size=30))
json_values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                           st.dictionaries(st.text(max_size=12), inner, max_size=4)),
                           max_leaves=12)
roles = st.sampled_from(["human", "gpt", "user", "assistant", "system", "", "HUMAN"])
turns = st.lists(st.one_of(
    st.fixed_dictionaries({"from": roles, "value": st.one_of(st.text(max_size=200), st.lists(st.text(max_size=20), max_size=3),
                                                            st.none(), st.integers())}),
    st.fixed_dictionaries({"question": st.text(max_size=50), "answer": st.text(max_size=50)}),
    json_values), max_size=4)
QUESTION = "<image>\nWhich rhythm? Options: A. Sinus B. AF C. Flutter D. SVT E. VT F. PVC G. LBBB H. RBBB"
items = st.lists(st.one_of(
    st.fixed_dictionaries({
        "id": st.one_of(st.integers(0, 50), st.text(max_size=8), st.none(), st.floats(allow_nan=True)),
        "image": st.one_of(st.none(), st.text(max_size=20), st.just("../../etc/passwd"), st.just("/etc/passwd"),
                           st.integers()),
        "conversations": st.one_of(turns, st.just([{"from": "human", "value": QUESTION},
                                                   {"from": "gpt", "value": "C"}]), json_values),
    }, optional={"ecg": st.one_of(st.text(max_size=20), st.just("../../../x"), st.integers(), st.none()),
                 "No": st.integers(0, 5)}),
    json_values), max_size=6)


def _one_line(message: str) -> None:
    assert message and "\n" not in message.strip() and "Traceback" not in message


# -- ECG-Bench / ECG-Grounding items ------------------------------------------------------------


@BOUNDED
@given(items=items, task=st.sampled_from(["csn", "mmmu-ecg", "ptbxl-super", "ecgqa", "ptbxl-report", "arena"]))
def test_ecgbench_json_items_give_samples_or_a_data_error(items, task):
    from gemeval.data import DataError, DataOptions, load_dataset
    from gemeval.tasks import load_task

    with tempfile.TemporaryDirectory() as folder:
        spec = load_task(task)
        path = Path(folder) / spec.options["ecgbench_files"][0]
        path.write_text(json.dumps(items))
        try:
            dataset = load_dataset(spec, DataOptions(data_file=path))
        except DataError as error:
            _one_line(str(error))
            assert str(path) in str(error)
            return
        ids = [s.id for s in dataset.samples]
        assert len(ids) == len(set(ids))
        for sample in dataset.samples:
            assert sample.prompt and "<image>" not in sample.prompt
            assert sample.image_path is None or Path(sample.image_path).resolve().is_relative_to(Path(folder).resolve())
            assert sample.record_path is None or Path(sample.record_path).resolve().is_relative_to(Path(folder).resolve())
        for problem in dataset.problems:
            _one_line(problem.problem)


@BOUNDED
@given(items=items)
def test_grounding_json_items_give_samples_or_a_data_error(items):
    from gemeval.data import DataError, DataOptions, load_dataset
    from gemeval.tasks import load_task

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "ecg_jsons"
        root.mkdir()
        path = root / "ecg-grounding-test-mimiciv.json"
        path.write_text(json.dumps([dict(i, ecg=i.get("ecg", "files/p1/x")) if isinstance(i, dict) else i for i in items]))
        try:
            dataset = load_dataset(load_task("grounded"), DataOptions(data_file=path))
        except DataError as error:
            _one_line(str(error))
            return
        for sample in dataset.samples:
            assert sample.reference["text"].strip()


@settings(max_examples=15, deadline=None)
@given(rows=st.lists(st.fixed_dictionaries({
    "id": st.one_of(st.text(max_size=6), st.none()),
    "image_path": st.one_of(st.text(max_size=10), st.none()),
    "image": st.one_of(st.none(), st.fixed_dictionaries({"bytes": st.one_of(st.none(), st.binary(max_size=20)),
                                                         "path": st.none()})),
    "conversations": st.lists(st.fixed_dictionaries({"from": roles, "value": st.one_of(st.none(), st.text(max_size=80))}),
                              max_size=3),
}), max_size=5))
def test_parquet_rows_give_samples_or_a_data_error(rows):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from gemeval.data import DataError, DataOptions, load_dataset
    from gemeval.tasks import load_task

    schema = pa.schema([("id", pa.string()), ("image_path", pa.string()),
                        ("image", pa.struct([("bytes", pa.binary()), ("path", pa.string())])),
                        ("conversations", pa.list_(pa.struct([("from", pa.string()), ("value", pa.string())])))])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "csn-test-no-cot" / "test-00000-of-00001.parquet"
        path.parent.mkdir()
        pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)
        try:
            dataset = load_dataset(load_task("csn"), DataOptions(data_file=path))
        except DataError as error:
            _one_line(str(error))
            return
        for sample in dataset.samples:
            try:
                data = sample.load_image_png()
            except FileNotFoundError as error:
                _one_line(str(error))
                assert repr(sample.id) in str(error)  # (as the message writes it: "item '\x1f'", not the raw control)
            else:
                assert data


# -- predictions files --------------------------------------------------------------------------


answer_lines = st.lists(st.one_of(
    st.builds(lambda i, t: json.dumps({"id": i, "text": t}).encode(), st.one_of(st.integers(0, 5), st.text(max_size=4)),
              st.one_of(st.text(max_size=20), st.none(), st.integers())),
    st.builds(lambda v: json.dumps(v).encode(), json_values),
    st.binary(max_size=30),
), max_size=8)


@BOUNDED
@given(lines=answer_lines, suffix=st.sampled_from([".jsonl", ".json"]))
def test_predictions_files_load_or_say_why(lines, suffix):
    from gemeval.models.base import ModelError
    from gemeval.models.predictions import PredictionsModel
    from gemeval.sample import Sample

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"answers{suffix}"
        path.write_bytes(b"\n".join(lines))
        try:
            model = PredictionsModel(path=path)
        except ModelError as error:
            _one_line(str(error))
            assert str(path) in str(error)
            return
        samples = [Sample(id=str(i), task="t", prompt="q") for i in range(6)]
        model.prepare(samples)
        described = model.describe()
        out = model.generate(samples)
        assert len(out) == 6
        for prediction in out:
            # an answer is text exactly when it is not an error, and never a replaced byte
            assert (prediction.text is None) == (prediction.error is not None)
            assert prediction.text is None or "\ufffd" not in prediction.text or any(
                "\ufffd" in line.decode("utf-8", "ignore") for line in lines)
        assert described["n_matched"] + described["n_missing"] == 6


# -- judge replies ------------------------------------------------------------------------------


reply_texts = st.one_of(
    st.text(max_size=300),
    st.builds(json.dumps, json_values),
    st.builds(lambda d, w, r: json.dumps({"Diagnosis": {"Score": d, "Explanation": "x"},
                                          "Waveform": {"Score": w, "Explanation": "x"},
                                          "Rhythm": {"Score": r, "Explanation": "x"}}),
              *(st.one_of(st.integers(-5, 20), st.text(max_size=3), st.none(), st.floats(allow_nan=True)) for _ in range(3))),
)


@BOUNDED
@given(text=st.one_of(st.none(), reply_texts))
def test_judge_replies_parse_to_scores_in_range_or_named_failures(text):
    from gemeval.judge import load_rubric
    from gemeval.judge.parse import parse_verdict

    rubric = load_rubric("report")
    verdict = parse_verdict(text, rubric)
    names = {c.name for c in rubric.criteria}
    assert set(verdict.parsed) == names
    for criterion in rubric.criteria:
        entries = verdict.parsed[criterion.name]
        if entries is None:
            assert verdict.failures.get(criterion.name)
        else:
            assert criterion.name not in verdict.failures
            assert all(e["Score"] in criterion.scores for e in entries)
    scores = rubric.sample_scores(verdict.parsed, None)
    assert all(scores[n] is None or 0 <= scores[n] <= 10 for n in names)  # each criterion 0-10
    assert all(v is None or 0 <= v <= 100 for v in scores.values())  # the composite is x10


# -- task and gate YAML -------------------------------------------------------------------------


yaml_text = st.one_of(
    st.text(alphabet=string.printable, max_size=200),
    st.builds(lambda d: json.dumps(d), st.dictionaries(st.sampled_from(["task", "metadata", "include", "x"]),
                                                        json_values, max_size=4)),
    st.builds(lambda kind, version, name: f"task: {name}\nmetadata:\n  kind: {kind}\n  version: {version}\n",
              st.sampled_from(["mcq", "qa", "nope", "[1, 2]", "{a: 1}"]),
              st.sampled_from(["1", "two", "[]", "1.5", "null"]), st.sampled_from(["t", "''", "[x]", "123"])),
)


@BOUNDED
@given(text=yaml_text)
def test_task_yaml_gives_a_task_or_a_task_error(text):
    from gemeval.tasks import TaskError, load_task

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.yaml"
        path.write_text(text)
        try:
            spec = load_task(str(path))
        except TaskError as error:
            _one_line(str(error))
            assert str(path) in str(error)
            return
        assert spec.name and spec.kind and isinstance(spec.version, int)


@BOUNDED
@given(text=st.one_of(yaml_text, st.builds(
    lambda margin, extra: json.dumps({"metrics": {"mcq.accuracy": {"margin": margin, **extra}}}),
    json_values, st.dictionaries(st.sampled_from(["min", "max", "max_failed_rate", "foo"]), json_values, max_size=2))))
def test_gate_yaml_gives_a_policy_or_a_policy_error(text):
    from gemeval.report.gate import PolicyError, load_policy

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "gate.yaml"
        path.write_text(text)
        try:
            policy = load_policy(path)
        except PolicyError as error:
            assert str(path) in str(error)
            return
        assert policy.metrics and all(m.margin >= 0 for m in policy.metrics.values())


# -- WFDB headers -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def good_record(tmp_path_factory):
    from gemeval.ecg.io import write_record
    from gemeval.ecg.synth import synthesize

    folder = tmp_path_factory.mktemp("wfdb")
    record, _ = synthesize("normal", seed=0, record_id="r0")
    write_record(record, folder)
    return folder


header_edits = st.lists(st.tuples(st.integers(0, 13), st.sampled_from(["drop", "dup", "garble", "zero", "swap-unit",
                                                                       "text"]), st.text(max_size=15)), max_size=3)


@BOUNDED
@given(edits=header_edits)
def test_wfdb_headers_read_or_give_a_record_error(good_record, edits):
    from gemeval.ecg.io import read_record
    from gemeval.ecg.record import RecordError

    lines = (good_record / "r0.hea").read_text().splitlines()
    for index, action, text in edits:
        if not lines:
            break
        i = index % len(lines)
        if action == "drop":
            lines.pop(i)
        elif action == "dup":
            lines.insert(i, lines[i])
        elif action == "garble":
            lines[i] = lines[i][: len(lines[i]) // 2] + text
        elif action == "zero" and i == 0:
            parts = lines[0].split()
            lines[0] = " ".join(parts[:3] + ["0"] + parts[4:])
        elif action == "swap-unit":
            lines[i] = lines[i].replace("/mV", "/" + (text.strip() or "x").replace(" ", "_"))
        elif action == "text":
            lines.insert(i, text)
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "r0.hea").write_text("\n".join(lines) + "\n")
        (Path(folder) / "r0.dat").write_bytes((good_record / "r0.dat").read_bytes())
        try:
            record = read_record(Path(folder) / "r0")
        except RecordError as error:
            _one_line(str(error))
            assert "r0" in str(error)
            return
        assert record.signal_mv.shape[0] == 12 and record.signal_mv.shape[1] > 0
