"""Compat scoring reproduces what the published ECG-Bench script computes on the files users
have: answer files in their own order, with error-object lines, MMMU items with a fifth
option, a folder of answer files, and GEM's own ECG-QA rule (``--scoring gem-compat``).

The script's procedure is restated here independently (read, not copied): walk the answer
lines in file order, read a letter, draw ``random.choice`` from a generator seeded once with
42 for each line without one (among A-H, A-D for MMMU-ECG), compare with the gold's first
character; ECG-QA compares candidate sets."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from gemeval.run import evaluate

LETTERS = "ABCDEFGH"


def published_letter(text: str) -> str | None:
    if text in LETTERS and len(text) == 1:
        return text
    for letter in LETTERS:
        if letter + "." in text:
            return letter
    if "Answer:" in text:
        rest = text.rsplit("Answer:", 1)[1]
        found = [c for c in LETTERS if c in rest]
        return found[0] if found else None
    return None


def published_accuracy(lines: list[dict], gold: dict[str, str], letters: str) -> float:
    rng = random.Random(42)
    hits = 0
    for line in lines:
        text = line.get("text", "") if "error" not in line else ""
        letter = published_letter(text)
        if letter is None:
            letter = rng.choice(list(letters))
        hits += letter == gold[str(line["id"])]
    return hits / len(lines)


def mcq_question(n: int) -> str:
    names = ["Sinus rhythm", "Atrial fibrillation", "Sinus bradycardia", "RBBB", "LBBB", "PVC", "AV block", "LVH"]
    return "Which rhythm? Options: " + " ".join(f"{LETTERS[i]}. {names[i]}" for i in range(n))


def write_bench(folder: Path, name: str, golds: dict[str, str], n_options: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    items = [{"id": i, "image": f"{i}.png", "conversations": [
        {"from": "human", "value": f"<image>\n{mcq_question(n_options)}"}, {"from": "gpt", "value": g}]}
        for i, g in golds.items()]
    path = folder / name
    path.write_text(json.dumps(items))
    return path


def answers_file(path: Path, lines: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def compat_run(tmp_path: Path, task: str, answers: Path, data: Path, scoring: str = "ecgbench-compat", out: str = "runs"):
    return evaluate("predictions", task, model_args={"path": str(answers)}, data_dir=data, out_dir=tmp_path / out,
                    scoring=scoring, scorer_options={"compat_random_fallback": True, "compat_seed": 42})


@pytest.fixture
def csn(tmp_path):
    rng = random.Random(5)
    golds = {f"csn-{i:03d}": rng.choice(LETTERS) for i in range(120)}
    data = tmp_path / "data"
    write_bench(data, "csn-test-no-cot.json", golds, 8)
    texts = ["B", "Answer: E", "I cannot tell", "The rhythm is irregular", "H."]
    lines = [{"id": i, "text": rng.choice(texts)} for i in golds]
    return golds, data, lines


def test_random_letters_are_drawn_in_answer_file_order(tmp_path, csn):
    golds, data, lines = csn
    shuffled = list(lines)
    random.Random(9).shuffle(shuffled)
    answers = answers_file(tmp_path / "answers.jsonl", shuffled)
    result = compat_run(tmp_path, "csn", answers, data)
    expected = published_accuracy(shuffled, golds, LETTERS)
    assert result.metrics["mcq.accuracy"]["value"] == pytest.approx(expected)
    # the same answers in dataset order draw differently, as the script does
    in_order = answers_file(tmp_path / "in_order" / "answers.jsonl", lines)
    other = compat_run(tmp_path, "csn", in_order, data, out="runs2")
    assert other.metrics["mcq.accuracy"]["value"] == pytest.approx(published_accuracy(lines, golds, LETTERS))


def test_a_resumed_run_draws_the_same_letters(tmp_path, csn):
    golds, data, lines = csn
    answers = answers_file(tmp_path / "answers.jsonl", lines)
    first = compat_run(tmp_path, "csn", answers, data)
    samples = first.run_dir / "samples.jsonl"
    kept = samples.read_text().splitlines()[:45]  # as if killed after 45 samples
    samples.write_text("\n".join(kept) + "\n")
    resumed = compat_run(tmp_path, "csn", answers, data)
    assert resumed.resumed == 45
    expected = published_accuracy(lines, golds, LETTERS)
    assert first.metrics["mcq.accuracy"]["value"] == pytest.approx(expected)
    assert resumed.metrics["mcq.accuracy"]["value"] == pytest.approx(expected)


def test_error_object_lines_are_scored_as_the_script_does(tmp_path, csn):
    golds, data, lines = csn
    with_errors = [({"id": line["id"], "error": "Request failed: 502"} if k % 7 == 0 else line)
                   for k, line in enumerate(lines)]
    answers = answers_file(tmp_path / "answers.jsonl", with_errors)
    result = compat_run(tmp_path, "csn", answers, data)
    accuracy = result.metrics["mcq.accuracy"]
    assert accuracy["n"] == len(golds) and accuracy["n_failed"] == 0
    assert accuracy["value"] == pytest.approx(published_accuracy(with_errors, golds, LETTERS))
    # gemeval's own scoring keeps them as failed predictions, counted apart
    own = evaluate("predictions", "csn", model_args={"path": str(answers)}, data_dir=data, out_dir=tmp_path / "own")
    assert own.metrics["mcq.accuracy"]["n_failed"] == sum(1 for line in with_errors if "error" in line)


def test_mmmu_draws_from_a_to_d_even_with_a_fifth_option(tmp_path):
    rng = random.Random(3)
    golds = {f"mmmu-{i}": rng.choice("ABCDE") for i in range(80)}
    data = tmp_path / "data"
    write_bench(data, "mmmu-ecg.json", golds, 5)
    lines = [{"id": i, "text": "not sure"} for i in golds]
    answers = answers_file(tmp_path / "answers.jsonl", lines)
    result = compat_run(tmp_path, "mmmu-ecg", answers, data)
    assert result.metrics["mcq.accuracy"]["value"] == pytest.approx(published_accuracy(lines, golds, "ABCD"))


def test_a_folder_of_answer_files_is_read_like_the_script_walks_it(tmp_path, csn):
    golds, data, lines = csn
    folder = tmp_path / "answers"
    answers_file(folder / "a-first.jsonl", lines[:50])
    answers_file(folder / "b-second.jsonl", lines[50:])
    result = compat_run(tmp_path, "csn", folder, data)
    assert result.metrics["mcq.accuracy"]["value"] == pytest.approx(published_accuracy(lines, golds, LETTERS))
    assert result.config["model"]["describe"]["n_matched"] == len(golds)


def test_duplicated_answer_lines_count_once_per_line_as_in_the_script(tmp_path, csn):
    golds, data, lines = csn
    rng = random.Random(11)
    texts = ["C", "Answer: A", "no idea", "D."]
    # 30 ids answered a second (and 5 a third) time, with other texts, further down the file
    repeats = [{"id": line["id"], "text": rng.choice(texts)} for line in lines[:30]]
    repeats += [{"id": line["id"], "text": rng.choice(texts)} for line in lines[10:15]]
    with_repeats = list(lines[:60]) + repeats[:20] + list(lines[60:]) + repeats[20:]
    answers = answers_file(tmp_path / "answers.jsonl", with_repeats)
    result = compat_run(tmp_path, "csn", answers, data)
    accuracy = result.metrics["mcq.accuracy"]
    assert accuracy["value"] == pytest.approx(published_accuracy(with_repeats, golds, LETTERS))
    assert accuracy["n"] == len(with_repeats) and accuracy["n_repeated_lines"] == 35
    # the record of a repeated id keeps its last line's score and each earlier line's
    record = {r["id"]: r for r in _records(result.run_dir)}[lines[12]["id"]]
    assert len(record["metrics"]["mcq.lines"]) == 2
    # gemeval's own scoring scores each id once, from its last line
    own = evaluate("predictions", "csn", model_args={"path": str(answers)}, data_dir=data, out_dir=tmp_path / "own")
    assert own.metrics["mcq.accuracy"]["n"] == len(golds)
    assert "n_repeated_lines" not in own.metrics["mcq.accuracy"]


def test_duplicated_answer_lines_in_ecgqa_compat(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    golds = {f"q{i}": ["inferior"] if i % 2 else ["anterior", "lateral"] for i in range(12)}
    items = [{"id": i, "image": "x.png", "conversations": [{"from": "human", "value": "<image>\n" + QA_QUESTION},
                                                          {"from": "gpt", "value": g}]} for i, g in golds.items()]
    (data / "ecgqa-test.json").write_text(json.dumps(items))
    lines = [{"id": i, "text": "inferior"} for i in golds] + [{"id": f"q{i}", "text": "anterior, lateral"} for i in range(4)]
    answers = answers_file(tmp_path / "answers.jsonl", lines)
    result = compat_run(tmp_path, "ecgqa", answers, data)

    def published_qa(line: dict) -> int:
        candidates = [c.strip() for c in QA_QUESTION.split("Options:")[-1].replace(
            "Only answer based on the given Options without any explanation.", "").split(",")]
        return int({c for c in candidates if c in line["text"].lower()} == set(golds[line["id"]]))

    expected = sum(published_qa(line) for line in lines) / len(lines)
    assert result.metrics["qa.accuracy"]["value"] == pytest.approx(expected)
    assert result.metrics["qa.accuracy"]["n"] == len(lines)


QA_QUESTION = ("Which wall shows ST elevation? Options: anterior, inferior, lateral, none. "
               "Only answer based on the given Options without any explanation.")


def test_gem_compat_uses_gems_set_of_characters_rule(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    items = [
        {"id": "q-list", "image": "x.png", "conversations": [{"from": "human", "value": "<image>\n" + QA_QUESTION},
                                                           {"from": "gpt", "value": ["inferior"]}]},
        {"id": "q-str", "image": "x.png", "conversations": [{"from": "human", "value": "<image>\n" + QA_QUESTION},
                                                          {"from": "gpt", "value": "inferior"}]},
    ]
    (data / "ecgqa-test.json").write_text(json.dumps(items))
    answers = answers_file(tmp_path / "answers.jsonl", [{"id": "q-list", "text": "Inferior"},
                                                        {"id": "q-str", "text": "inferior"}])
    pulse = compat_run(tmp_path, "ecgqa", answers, data)
    gem = compat_run(tmp_path, "ecgqa", answers, data, scoring="gem-compat", out="gem")
    pulse_rows = {r["id"]: r["metrics"]["qa.correct"] for r in _records(pulse.run_dir)}
    gem_rows = {r["id"]: r["metrics"]["qa.correct"] for r in _records(gem.run_dir)}
    # PULSE: list gold compared as a set of options; string gold as a set of characters
    assert pulse_rows == {"q-list": 1, "q-str": 0}
    # GEM: the joined prediction's characters; a list gold never matches, a string gold does
    assert gem_rows == {"q-list": 0, "q-str": 1}
    assert gem.config["scoring"] == "gem-compat"


def _records(run_dir: Path) -> list[dict]:
    from gemeval.store import read_samples

    return read_samples(run_dir)
