"""The published run schema (docs/run-schema.json) applied to a run directory: each record
of its three files with the schema it must validate against, and the fields a run writes
that the schema does not declare."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

DOC = Path(__file__).resolve().parents[1] / "docs" / "run-schema.json"

OPEN_BY_DESIGN = {"MetricEntry"}
"""Objects whose extra keys belong to the scorer that wrote them (declared open in gemeval/schema.py)."""


def untyped_keys(value, node, defs, where="") -> list[str]:
    """The keys of ``value`` that the JSON Schema ``node`` does not declare, as dotted paths."""
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[1]
        return [] if name in OPEN_BY_DESIGN else untyped_keys(value, defs[name], defs, where)
    if "anyOf" in node:
        matching = [branch for branch in node["anyOf"] if branch.get("type") != "null"]
        return [k for branch in matching for k in untyped_keys(value, branch, defs, where)]
    found: list[str] = []
    if isinstance(value, dict) and "properties" in node:
        for key, item in value.items():
            if key not in node["properties"]:
                found.append(f"{where}.{key}")
            else:
                found += untyped_keys(item, node["properties"][key], defs, f"{where}.{key}")
    elif isinstance(value, dict) and isinstance(node.get("additionalProperties"), dict):
        for key, item in value.items():
            found += untyped_keys(item, node["additionalProperties"], defs, f"{where}.{key}")
    elif isinstance(value, list) and isinstance(node.get("items"), dict):
        for item in value:
            found += untyped_keys(item, node["items"], defs, f"{where}[]")
    return found


def published_schema_checks(run_dir: Path) -> Iterator[tuple[str, Any, dict[str, Any]]]:
    """(file, record, the JSON Schema it must match) for every record of the run's files."""
    schema = json.loads(DOC.read_text())
    for file, ref in schema["x-files"].items():
        path = Path(run_dir) / file
        records = [json.loads(line) for line in path.read_text().splitlines()] if file.endswith(".jsonl") \
            else [json.loads(path.read_text())]
        for record in records:
            yield file, record, {**schema, "$ref": ref["$ref"]}


def untyped_fields(run_dir: Path) -> list[str]:
    """Every field the run's files hold that the published schema does not declare."""
    found: list[str] = []
    for file, record, schema in published_schema_checks(run_dir):
        found += untyped_keys(record, {"$ref": schema["$ref"]}, schema["$defs"], file)
    return sorted(set(found))
