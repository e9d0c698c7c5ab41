"""GEM's and PULSE's inputs, prepared as their own evaluation prepares them, without ``llava``.

Their evaluation script (``llava/eval/model_ecg_resume.py`` in the GEM repository) does,
per item:

* **Prompt**: the dataset's first human turn with ``<image>\\n`` removed, then the image
  token and a newline put back in front (wrapped in ``<im_start>``/``<im_end>`` when the
  model config sets ``mm_use_im_start_end``), as the user turn of the ``llava_v1``
  conversation template; :func:`gem_question` builds that turn. gemeval prompts carry no
  image token; any stray ``<image>`` is removed so the model sees exactly one.
* **Signal** (GEM only): ``wfdb.rdsamp`` of the record in physical units, NaN and inf set to
  0, transposed to leads x samples, zero-padded at the end or cropped to 5,000 samples.
  No resampling, and the leads go in the order the file stores them: MIMIC-IV-ECG, on which
  GEM was trained, stores I, II, III, aVR, aVF, aVL, V1-V6; PTB-XL stores aVL before aVF.
  :func:`gem_signal` does this for ``lead_order="file"`` (the default, GEM's behaviour).
  ``lead_order="mimic"`` puts any file's leads in MIMIC-IV-ECG's order (the training order)
  and ``"canonical"`` in gemeval's ``LEADS`` order. A record held in memory (the synthetic
  set) has no file order: "file" then means ``LEADS`` order.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from gemeval.ecg.record import LEADS
from gemeval.sample import Sample
from gemeval.errors import InputError, UsageError

GEM_SIGNAL_SAMPLES = 5000
GEM_TRAINING_FS_HZ = 500.0
MIMIC_LEAD_ORDER: tuple[str, ...] = ("I", "II", "III", "aVR", "aVF", "aVL", "V1", "V2", "V3", "V4", "V5", "V6")
LEAD_ORDERS = ("file", "mimic", "canonical")
IMAGE_TOKEN = "<image>"
IM_START_TOKEN = "<im_start>"
IM_END_TOKEN = "<im_end>"


def gem_question(prompt: str, mm_use_im_start_end: bool = False) -> str:
    """The user turn: the image token (wrapped when ``mm_use_im_start_end``), a newline, the
    prompt without any image token of its own."""
    text = prompt.replace(IMAGE_TOKEN + "\n", "").replace(IMAGE_TOKEN, "")
    token = IM_START_TOKEN + IMAGE_TOKEN + IM_END_TOKEN if mm_use_im_start_end else IMAGE_TOKEN
    return f"{token}\n{text}"


def fit_length(signal: np.ndarray, n_samples: int = GEM_SIGNAL_SAMPLES) -> np.ndarray:
    """``signal`` (leads x samples) as float32 with NaN/inf set to 0, cropped to its first
    ``n_samples`` samples or zero-padded at the end to them."""
    out = np.zeros((signal.shape[0], n_samples), dtype=np.float32)
    kept = np.asarray(signal[:, :n_samples], dtype=np.float32)
    out[:, : kept.shape[1]] = np.where(np.isfinite(kept), kept, 0.0)
    return out


def _lead_key(name: str) -> str:
    return name.strip().lower()


def reorder_leads(signal: np.ndarray, names: list[str], order: tuple[str, ...]) -> np.ndarray:
    """Rows of ``signal`` (named ``names``, any case) in ``order``; a missing lead is an error."""
    index = {_lead_key(n): i for i, n in enumerate(names)}
    missing = [lead for lead in order if _lead_key(lead) not in index]
    if missing:
        raise InputError(f"leads {', '.join(missing)} not found among {', '.join(names)}")
    return signal[[index[_lead_key(lead)] for lead in order]]


def read_wfdb(record_path: str | Path) -> tuple[np.ndarray, list[str], float]:
    """(leads x samples in the file's physical units and lead order, lead names, fs_hz)."""
    import wfdb

    path = Path(record_path)
    base = path.with_suffix("") if path.suffix in (".hea", ".dat", ".mat") else path
    values, fields = wfdb.rdsamp(str(base))
    return np.asarray(values).T, list(fields["sig_name"]), float(fields["fs"])


def gem_signal(sample: Sample, lead_order: str = "file",
               n_samples: int = GEM_SIGNAL_SAMPLES) -> tuple[np.ndarray, dict[str, Any]]:
    """The (12, n_samples) float32 signal GEM's encoder gets for ``sample``, and how it was
    made (source, lead order, fs_hz, original length) for the prediction's meta.

    Raises:
        ValueError: the sample has no signal, ``lead_order`` is unknown, or the record does not
            have exactly 12 leads.
    """
    if lead_order not in LEAD_ORDERS:
        raise UsageError(f"lead_order must be one of {', '.join(LEAD_ORDERS)}, got {lead_order!r}")
    if sample.record_path is not None:
        signal, names, fs_hz = read_wfdb(sample.record_path)
        source = "wfdb"
    else:
        record = sample.load_record()
        signal, names, fs_hz = record.signal_mv, list(LEADS), float(record.fs_hz)
        source = "memory"
    if signal.shape[0] != len(LEADS):
        raise InputError(
            f"sample {sample.id!r}: GEM reads 12 leads, the record has {signal.shape[0]} ({', '.join(names)})"
        )
    if lead_order == "mimic":
        signal, names = reorder_leads(signal, names, MIMIC_LEAD_ORDER), list(MIMIC_LEAD_ORDER)
    elif lead_order == "canonical":
        signal, names = reorder_leads(signal, names, LEADS), list(LEADS)
    info = {"signal_source": source, "leads": names, "fs_hz": fs_hz, "n_samples_read": int(signal.shape[1])}
    return fit_length(signal, n_samples), info
