"""The viewer's probe strip: a probe group shown as a strip of its variants, with what the
model claimed under each.

A ``grounded-cf`` sample belongs to the group of its base record and varied feature: the
strip holds the group's variants in level order, each with its page (where embedded), the
level, the exact truth of the feature, the model's reading of it and the claims about that
quantity with their verdicts (for ST, those about the base's territory, its leads or no lead). A ``grounded-robust`` sample belongs to its record: the strip
holds the clean page and every distorted one, with the claim precision and evidence recall
of each. Built from the stored records only.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from gemeval.data.counterfactual import FEATURES, TERRITORY_LEADS


def _cf_item(record: Mapping[str, Any], image_of: dict[str, str]) -> dict[str, Any]:
    metrics = record.get("metrics") or {}
    feature = FEATURES[str(metrics["cf.feature"])]
    index = int(metrics.get("cf.level_index") or 0)
    level = feature.levels[index] if index < len(feature.levels) else index
    readings = metrics.get("cf.readings") or {}
    reading = (readings.get(feature.name) or {}).get("value") if readings else None
    places = {None, metrics.get("cf.st_lead"), metrics.get("cf.territory"),
              *TERRITORY_LEADS.get(str(metrics.get("cf.territory")), ())}
    claims = [[str(c.get("phrase") or ""), str(c.get("status") or "")]
              for c in metrics.get("grounding.claims") or []
              if c.get("quantity") == feature.quantity and (feature.name != "st" or c.get("lead") in places)]
    shown = f"{level:g}" if isinstance(level, (int, float)) else str(level).replace("_", " ")
    return {"id": record["id"], "label": f"{feature.name} {shown}{' ' + feature.unit if feature.unit else ''}",
            "truth": metrics.get("cf.truth_value"), "reading": reading, "claims": claims,
            "image": image_of.get(str(record["id"])), "failed": readings is None}


def _robust_item(record: Mapping[str, Any], image_of: dict[str, str]) -> dict[str, Any]:
    metrics = record.get("metrics") or {}
    name, level = metrics.get("robust.distortion"), metrics.get("robust.level")
    return {"id": record["id"], "label": "clean" if name == "clean" else f"{name} {level}",
            "precision": metrics.get("robust.claim_precision"), "recall": metrics.get("robust.evidence_recall"),
            "claims": [], "image": image_of.get(str(record["id"])), "failed": metrics.get("robust.evidence_recall") is None}


def strip_key(record: Mapping[str, Any]) -> tuple[str, ...] | None:
    metrics = record.get("metrics") or {}
    if metrics.get("cf.feature") in FEATURES:
        return ("cf", str(metrics.get("cf.base")), str(metrics["cf.feature"]))
    if metrics.get("robust.distortion") is not None:
        return ("robust", str(metrics.get("robust.record")))
    return None


def add_strips(samples: Sequence[dict[str, Any]], records: Mapping[str, Mapping[str, Any]],
               image_of: dict[str, str]) -> None:
    """Give each sample view of a probe group a ``strip``: {"title", "items"}; ``records``
    are the stored records by id (the first run's where several runs are shown)."""
    groups: dict[tuple[str, ...], list[Mapping[str, Any]]] = {}
    for record in records.values():
        key = strip_key(record)
        if key is not None:
            groups.setdefault(key, []).append(record)
    strips: dict[tuple[str, ...], dict[str, Any]] = {}
    for key, members in groups.items():
        if key[0] == "cf":
            members.sort(key=lambda r: int((r.get("metrics") or {}).get("cf.level_index") or 0))
            strips[key] = {"title": f"probe group {key[1]} · {key[2]}: the ECG at each level, with the claims about it",
                           "items": [_cf_item(r, image_of) for r in members]}
        else:
            members.sort(key=lambda r: (str((r.get("metrics") or {}).get("robust.distortion")) != "clean", str(r["id"])))
            strips[key] = {"title": f"record {key[1]}: the page clean and distorted",
                           "items": [_robust_item(r, image_of) for r in members]}
    for sample in samples:
        stored = records.get(sample["id"])
        key = strip_key(stored) if stored is not None else None
        if key is not None:
            sample["strip"] = strips[key]
