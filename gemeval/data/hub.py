"""Downloading the published benchmarks from the Hugging Face Hub.

``download("ecgbench", out)`` puts ``PULSE-ECG/ECGBench`` under ``out/ECGBench/`` and
``download("grounding", out)`` puts ``LANSG/ECG-Grounding`` under ``out/ECG-Grounding/``,
in the hub's own layout, which is what the loaders read. ``huggingface_hub``'s
``snapshot_download`` does the transfer into a local folder: files already complete at the
same commit are skipped and interrupted ones resume, so re-running the command continues a
download. The revision is resolved to a commit first and printed, so a run can say exactly
which data it used.

Offline (``HF_HUB_OFFLINE=1``) or with the Hub unreachable, it fails at once with a
``DataError`` saying what to do, instead of returning a half-filled folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from gemeval.data.base import DataError

CONNECT_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class HubDataset:
    name: str
    repo_id: str
    folder: str
    patterns: tuple[str, ...]
    """Files fetched by default: the test sets, not the training data."""
    image_patterns: tuple[str, ...] = ()
    """Added by ``with_images``: image folders published beside the JSON files."""
    subset_patterns: tuple[str, ...] = ()
    """Patterns of one subset's files, ``{subset}`` replaced (``--subset``)."""


HUB_DATASETS: dict[str, HubDataset] = {
    "ecgbench": HubDataset(
        name="ecgbench",
        repo_id="PULSE-ECG/ECGBench",
        folder="ECGBench",
        # test-00000-of-00001.parquet on main; test/0000.parquet on refs/convert/parquet
        patterns=("*/test-*.parquet", "*/test/*.parquet", "README.md"),
        subset_patterns=("{subset}/test-*.parquet", "{subset}/test/*.parquet"),
    ),
    "grounding": HubDataset(
        name="grounding",
        repo_id="LANSG/ECG-Grounding",
        folder="ECG-Grounding",
        patterns=("ecg_jsons/ecg-grounding-test-*.json", "ecg_bench/*.json", "README.md"),
        image_patterns=("ecg_images/**",),
    ),
}


def _offline() -> bool:
    from huggingface_hub import constants

    flag = os.environ.get("HF_HUB_OFFLINE") or os.environ.get("TRANSFORMERS_OFFLINE") or ""
    return flag.strip().lower() in ("1", "true", "yes", "on") or constants.HF_HUB_OFFLINE


def patterns_for(dataset: HubDataset, subsets: Sequence[str] = (), with_images: bool = False) -> list[str]:
    """The allow-patterns of a download: the default files, or only the named subsets."""
    if subsets:
        if not dataset.subset_patterns:
            raise DataError(f"{dataset.name} has no subsets; drop --subset")
        chosen = [pattern.format(subset=s) for s in subsets for pattern in dataset.subset_patterns]
    else:
        chosen = list(dataset.patterns)
    if with_images:
        chosen.extend(dataset.image_patterns)
    return chosen


def resolve_revision(dataset: HubDataset, revision: str | None, endpoint: str | None) -> str:
    """The commit sha of ``revision`` (default: the main branch).

    Raises:
        DataError: offline, unreachable, or no such repository/revision; says what to do.
    """
    from huggingface_hub import HfApi
    from huggingface_hub.errors import HfHubHTTPError, OfflineModeIsEnabled, RepositoryNotFoundError, RevisionNotFoundError

    where = endpoint or os.environ.get("HF_ENDPOINT") or "https://huggingface.co"
    if _offline():
        raise DataError(
            f"cannot download {dataset.repo_id}: offline mode (HF_HUB_OFFLINE is set). Unset it on a machine "
            f"with network access, or copy an existing {dataset.folder}/ folder into your data directory"
        )
    api = HfApi(endpoint=endpoint)
    try:
        info = api.repo_info(dataset.repo_id, repo_type="dataset", revision=revision, timeout=CONNECT_TIMEOUT_S)
    except RevisionNotFoundError:
        raise DataError(f"{dataset.repo_id} has no revision {revision!r} on {where}; give a branch, tag or commit sha") from None
    except RepositoryNotFoundError:
        raise DataError(f"{dataset.repo_id} not found on {where}; check --endpoint / HF_ENDPOINT") from None
    except OfflineModeIsEnabled:
        raise DataError(f"cannot download {dataset.repo_id}: offline mode is enabled (HF_HUB_OFFLINE)") from None
    except HfHubHTTPError as error:
        raise DataError(f"{where} refused {dataset.repo_id} ({error}); if the dataset is gated, run `hf auth login`") from None
    except OSError as error:
        raise DataError(
            f"cannot reach {where} to download {dataset.repo_id} ({type(error).__name__}: {error}); "
            "check the network or proxy, or download on another machine and copy the folder"
        ) from None
    except Exception as error:  # httpx's connect/timeout errors are not OSError subclasses
        if type(error).__module__.split(".")[0] in ("httpx", "httpx2", "httpcore"):
            raise DataError(
                f"cannot reach {where} to download {dataset.repo_id} ({type(error).__name__}: {error}); "
                "check the network or proxy, or download on another machine and copy the folder"
            ) from None
        raise
    if not info.sha:
        raise DataError(f"{where} gave no commit for {dataset.repo_id}@{revision or 'main'}; retry later")
    return info.sha


def download(
    name: str,
    out_dir: Path,
    *,
    revision: str | None = None,
    endpoint: str | None = None,
    subsets: Sequence[str] = (),
    with_images: bool = False,
    max_workers: int = 4,
) -> tuple[Path, str]:
    """Download dataset ``name`` ("ecgbench" or "grounding") into ``out_dir/<folder>``.

    Returns the folder and the commit sha downloaded. Resumable: run it again after an
    interruption and only the missing bytes are fetched.

    Raises:
        DataError: unknown name, offline, Hub unreachable, unknown revision.
    """
    from huggingface_hub import snapshot_download
    from huggingface_hub.utils import disable_progress_bars, enable_progress_bars

    from gemeval.console import err_console

    if name not in HUB_DATASETS:
        raise DataError(f"unknown dataset {name!r}; choose one of {', '.join(HUB_DATASETS)}")
    dataset = HUB_DATASETS[name]
    sha = resolve_revision(dataset, revision, endpoint)
    target = Path(out_dir) / dataset.folder
    target.mkdir(parents=True, exist_ok=True)
    if not err_console.is_terminal:
        disable_progress_bars()  # the hub's bars on a terminal; nothing in a pipe or a log file
    try:
        snapshot_download(
            dataset.repo_id,
            repo_type="dataset",
            revision=sha,
            local_dir=target,
            allow_patterns=patterns_for(dataset, subsets, with_images),
            endpoint=endpoint,
            max_workers=max_workers,
        )
    finally:
        if not err_console.is_terminal:
            enable_progress_bars()
    return target, sha
