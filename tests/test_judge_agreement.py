"""Judge reliability: agreement statistics and the `gemeval judge agreement|spread` commands
on run directories written from real judge outcomes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from openai_server import Reply, chat_completion, openai_server  # noqa: F401
from typer.testing import CliRunner

from gemeval.cli import app as gemeval_app
from gemeval.judge import Judge, JudgeConfig, JudgeItem, load_rubric
from gemeval.judge.agreement import criterion_agreement
from gemeval.judge.cli import app as judge_app
from gemeval.store import SampleWriter, write_json

REPORT = load_rubric("report")
runner = CliRunner()


def verdict(d, w, r) -> str:
    return json.dumps({"Diagnosis": {"Explanation": "", "Score": d}, "Waveform": {"Explanation": "", "Score": w},
                       "Rhythm": {"Explanation": "", "Score": r}})


def judged_run(server, root: Path, name: str, scores: list[tuple[int, int, int] | None], repeats: int = 1) -> Path:
    """Judge len(scores) outputs with a server scripted to give ``scores`` (None: an
    unparsable reply) and store them as a run directory."""
    replies = iter(scores)

    def next_verdict(request):
        s = next(replies)
        return Reply(body=chat_completion("no verdict" if s is None else verdict(*s)))

    server.handler = next_verdict
    judge = Judge(JudgeConfig(model=f"judge-{name}", base_url=server.url, cache_mode="off", concurrency=1,
                              repeats=repeats), REPORT)
    n = len(scores) // repeats
    outcomes = judge.judge_many([JudgeItem(f"id{i}", "Report.", f"Reference {i}.", f"Output {i}.") for i in range(n)])
    run = root / name
    run.mkdir(parents=True)
    write_json(run / "config.json", {"judge": judge.describe()})
    with SampleWriter(run) as writer:
        writer.write_many({"id": o.sample_id, "prediction": {"text": f"Output {i}."}, "judge": o.to_record()}
                          for i, o in enumerate(outcomes))
    return run


def agreement_json(*args: str) -> dict:
    result = runner.invoke(judge_app, ["agreement", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_identical_judgements_agree_perfectly(openai_server, tmp_path):  # noqa: F811
    scores = [(d, d // 2, 10 - d) for d in range(10)]
    a = judged_run(openai_server, tmp_path, "a", scores)
    b = judged_run(openai_server, tmp_path, "b", scores)
    result = agreement_json(str(a), str(b))
    assert result["n_paired"] == 10 and result["rubric"] == "report" and result["rule"] == "pulse"
    assert result["judge_a"] == ["judge-a"] and result["judge_b"] == ["judge-b"]
    for name in ("Diagnosis", "Waveform", "Rhythm", "score"):
        row = result["criteria"][name]
        assert row["spearman"] == pytest.approx(1.0) and row["kappa_quadratic"] == pytest.approx(1.0)
        assert row["mad"] == 0 and row["n"] == 10 and row["n_missing"] == 0


def test_a_shifted_and_a_reversed_judge(openai_server, tmp_path):  # noqa: F811
    base = [(d, 5, 5) for d in range(9)]
    a = judged_run(openai_server, tmp_path, "a", base)
    shifted = judged_run(openai_server, tmp_path, "shifted", [(d + 1, 5, 5) for d, _, _ in base])
    reversed_ = judged_run(openai_server, tmp_path, "reversed", [(8 - d, 5, 5) for d, _, _ in base])
    row = agreement_json(str(a), str(shifted))["criteria"]["Diagnosis"]
    assert row["spearman"] == pytest.approx(1.0) and row["mad"] == pytest.approx(1.0)
    assert 0 < row["kappa_quadratic"] < 1
    assert row["mean_b"] - row["mean_a"] == pytest.approx(1.0)
    row = agreement_json(str(a), str(reversed_))["criteria"]["Diagnosis"]
    assert row["spearman"] == pytest.approx(-1.0) and row["kappa_quadratic"] < 0
    assert agreement_json(str(a), str(reversed_))["criteria"]["Waveform"]["spearman"] is None  # constant


def test_failed_verdicts_are_counted_not_paired(openai_server, tmp_path):  # noqa: F811
    a = judged_run(openai_server, tmp_path, "a", [(i, i, i) for i in range(6)])
    b = judged_run(openai_server, tmp_path, "b", [(i, i, i) for i in range(4)] + [None, None])
    row = agreement_json(str(a), str(b))["criteria"]["Rhythm"]
    assert row["n"] == 4 and row["n_missing"] == 2


def test_the_table_through_the_gemeval_command(openai_server, tmp_path):  # noqa: F811
    a = judged_run(openai_server, tmp_path, "a", [(i, 3, 3) for i in range(5)])
    b = judged_run(openai_server, tmp_path, "b", [(i, 4, 3) for i in range(5)])
    result = runner.invoke(gemeval_app, ["judge", "agreement", str(a), str(b)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Diagnosis" in result.output and "Spearman" in result.output and "paired 5 samples" in result.output


def test_runs_that_cannot_be_compared_exit_2(openai_server, tmp_path):  # noqa: F811
    a = judged_run(openai_server, tmp_path, "a", [(1, 1, 1)])
    empty = tmp_path / "empty"
    empty.mkdir()
    write_json(empty / "config.json", {})
    with SampleWriter(empty) as writer:
        writer.write({"id": "id0", "prediction": {"text": "x"}})
    result = runner.invoke(judge_app, ["agreement", str(a), str(empty)])
    assert result.exit_code == 2 and "no sample has a judge record" in result.output
    result = runner.invoke(judge_app, ["agreement", str(a), str(tmp_path / "missing")])
    assert result.exit_code == 2 and "has no samples.jsonl" in result.output
    other = tmp_path / "other"
    other.mkdir()
    with SampleWriter(other) as writer:
        record = json.loads((a / "samples.jsonl").read_text().splitlines()[0])
        record["judge"]["rubric"] = "grounding"
        writer.write(record)
    result = runner.invoke(judge_app, ["agreement", str(a), str(other)])
    assert result.exit_code == 2 and "same rubric" in result.output


def test_spread_of_repeats(openai_server, tmp_path):  # noqa: F811
    draws = [(7, 5, 5), (8, 5, 5), (6, 5, 5), (2, 5, 5), (2, 5, 5), (5, 5, 5)]
    run = judged_run(openai_server, tmp_path, "rep", draws, repeats=3)
    result = runner.invoke(judge_app, ["spread", str(run), "--json"])
    assert result.exit_code == 0, result.output
    spread = json.loads(result.output)
    grid = np.array([d for d, _, _ in draws], dtype=float).reshape(2, 3)
    row = spread["criteria"]["Diagnosis"]
    assert spread["repeats"] == 3 and spread["n_samples"] == 2
    assert row["mean_sd"] == pytest.approx(grid.std(axis=1).mean())
    assert row["max_range"] == pytest.approx(3.0)
    assert row["repeat_means"] == pytest.approx(grid.mean(axis=0).tolist())
    assert row["sd_of_repeat_means"] == pytest.approx(np.std(grid.mean(axis=0), ddof=1))
    assert spread["criteria"]["Waveform"]["mean_sd"] == 0
    single = judged_run(openai_server, tmp_path, "single", [(1, 1, 1)])
    result = runner.invoke(judge_app, ["spread", str(single)])
    assert result.exit_code == 2 and "--judge-repeats" in result.output


def test_quadratic_kappa_weighs_disagreements_by_their_size_in_score_units():
    # categories are every integer from 0 to 10, so confusing 0 and 1 costs (1/10)^2:
    # observed 2 x 0.01 / 3, expected (1/9) x 2 x (1 + 100 + 81) / 100
    row = criterion_agreement([0, 1, 10], [1, 0, 10])
    assert row["kappa_quadratic"] == pytest.approx(1 - (0.02 / 3) / (3.64 / 9))
    # the worked example a = [0, 1, 2], b = [0, 2, 2]: 1 - (1/12) / (5/12)
    assert criterion_agreement([0, 1, 2], [0, 2, 2])["kappa_quadratic"] == pytest.approx(0.8)


def test_agreement_with_nothing_paired():
    row = criterion_agreement([None, 1.0], [2.0, None])
    assert row["n"] == 0 and row["n_missing"] == 2 and row["spearman"] is None and row["mad"] is None
    with pytest.raises(ValueError):
        criterion_agreement([1.0], [1.0, 2.0])


def test_rubrics_command_lists_versions_and_hashes():
    result = runner.invoke(judge_app, ["rubrics"], env={"COLUMNS": "240"})
    assert result.exit_code == 0
    assert "grounding" in result.output and "gem-notebook-current *" in result.output
    assert load_rubric("grounding").sha256[:12] in result.output
