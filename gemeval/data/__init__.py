"""Data sources: each turns files on disk (or the embedded synthetic set) into Samples.

A task names its sources in order; ``load_dataset`` uses the first one whose files are
present under ``--data-dir`` / ``GEMEVAL_DATA`` (or the one ``--data-file`` matches) and
otherwise falls back to the embedded synthetic set, saying so in ``Dataset.note`` (which
the run writes into config.json and results.json).
"""

from gemeval.data.base import (
    DataError,
    DataOptions,
    Dataset,
    ItemProblem,
    SOURCES,
    SourceInfo,
    fingerprint_samples,
    load_dataset,
    register_source,
)

__all__ = [
    "DataError", "DataOptions", "Dataset", "ItemProblem", "SOURCES", "SourceInfo",
    "fingerprint_samples", "load_dataset", "register_source",
]
