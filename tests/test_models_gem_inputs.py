"""GEM's and PULSE's input preparation (gemeval.models.gem_inputs), without the llava package,
on WFDB files written by wfdb and on the real PTB-XL record beside the project; and the
gem/pulse adapters' errors where llava is not installed."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
import wfdb

from gemeval.ecg.record import LEADS
from gemeval.ecg.synth import synthesize
from gemeval.models import load_model
from gemeval.models.base import ModelError
from gemeval.models.gem_inputs import MIMIC_LEAD_ORDER, fit_length, gem_question, gem_signal
from gemeval.models.llava import GEMModel, PULSEModel
from gemeval.sample import Sample

HAS_LLAVA = importlib.util.find_spec("llava") is not None


def _write(directory, name, leads, n_samples, fs=500, nan_at=None, seed=0):
    """A WFDB record in the given lead order; lead k carries k mV plus noise, so rows can
    be recognised after any reordering."""
    rng = np.random.default_rng(seed)
    values = np.column_stack([np.full(n_samples, float(k + 1)) + 0.01 * rng.standard_normal(n_samples)
                              for k in range(len(leads))])
    if nan_at is not None:
        values[nan_at] = np.nan
    wfdb.wrsamp(name, fs=fs, units=["mV"] * len(leads), sig_name=list(leads), p_signal=values,
                fmt=["16"] * len(leads), adc_gain=[1000.0] * len(leads), baseline=[0] * len(leads),
                write_dir=str(directory))
    return directory / name, values


def test_the_question_has_one_image_token_in_front():
    assert gem_question("Interpret this ECG.") == "<image>\nInterpret this ECG."
    assert gem_question("<image>\nInterpret this ECG.") == "<image>\nInterpret this ECG."
    assert gem_question("Interpret <image> this.") == "<image>\nInterpret  this."
    assert gem_question("Q", mm_use_im_start_end=True) == "<im_start><image><im_end>\nQ"


def test_fit_length_crops_pads_and_zeroes_non_finite_values():
    signal = np.arange(24, dtype=np.float64).reshape(2, 12)
    signal[0, 1], signal[1, 2] = np.nan, np.inf
    cropped = fit_length(signal, 5)
    assert cropped.dtype == np.float32 and cropped.shape == (2, 5)
    assert cropped[0].tolist() == [0, 0, 2, 3, 4] and cropped[1].tolist() == [12, 13, 0, 15, 16]
    padded = fit_length(signal, 20)
    assert padded.shape == (2, 20) and not padded[:, 12:].any()
    assert padded[1, :12].tolist() == [12, 13, 0, *range(15, 24)]


def test_a_wfdb_record_is_read_in_file_order_cleaned_and_cut_to_5000(tmp_path):
    path, values = _write(tmp_path, "mimic1", MIMIC_LEAD_ORDER, 5500, nan_at=(10, 3))
    sample = Sample(id="m1", task="t", prompt="q", record_path=str(path))

    signal, info = gem_signal(sample)

    assert signal.shape == (12, 5000) and signal.dtype == np.float32
    expected = np.nan_to_num(values.T[:, :5000], nan=0.0)
    np.testing.assert_allclose(signal, expected, atol=1e-3)
    assert signal[3, 10] == 0.0  # the missing sample wfdb reads back as NaN
    assert info == {"signal_source": "wfdb", "leads": list(MIMIC_LEAD_ORDER), "fs_hz": 500.0, "n_samples_read": 5500}


def test_lead_orders_reorder_by_name_whatever_the_case(tmp_path):
    ptbxl_case = [name.upper() if name.startswith("aV") else name for name in LEADS]  # AVR, AVL, AVF
    path, _ = _write(tmp_path, "ptb1", ptbxl_case, 5000)
    sample = Sample(id="p1", task="t", prompt="q", record_path=str(path))

    in_file, _ = gem_signal(sample, "file")
    mimic, mimic_info = gem_signal(sample, "mimic")
    canonical, _ = gem_signal(sample, "canonical")

    level = lambda s: np.rint(s.mean(axis=1)).astype(int).tolist()  # noqa: E731 (lead k is k+1 mV)
    assert level(in_file) == list(range(1, 13)) == level(canonical)
    assert level(mimic) == [1, 2, 3, 4, 6, 5, 7, 8, 9, 10, 11, 12]  # aVF before aVL
    assert mimic_info["leads"] == list(MIMIC_LEAD_ORDER)


def test_the_real_ptbxl_record_is_zero_padded_without_resampling(shared_data):
    base = shared_data / "ptbxl-native" / "records100" / "00000" / "00001_lr"
    values, fields = wfdb.rdsamp(str(base))
    signal, info = gem_signal(Sample(id="ptb", task="t", prompt="q", record_path=str(base) + ".hea"))
    assert info["fs_hz"] == 100.0 and info["n_samples_read"] == 1000
    assert info["leads"] == fields["sig_name"] and info["leads"][3:6] == ["AVR", "AVL", "AVF"]
    np.testing.assert_allclose(signal[:, :1000], values.T.astype(np.float32))
    assert not signal[:, 1000:].any()


def test_a_record_in_memory_goes_in_gemeval_lead_order():
    record, _ = synthesize("normal", 4, record_id="syn-4")
    signal, info = gem_signal(Sample(id="syn", task="t", prompt="q", record=record))
    assert info["signal_source"] == "memory" and info["leads"] == list(LEADS)
    n = min(record.n_samples, 5000)
    np.testing.assert_array_equal(signal[:, :n], record.signal_mv[:, :n])


def test_records_gem_cannot_read_are_refused_with_the_reason(tmp_path):
    with pytest.raises(ValueError, match="has no ECG signal"):
        gem_signal(Sample(id="none", task="t", prompt="q"))
    path, _ = _write(tmp_path, "six", LEADS[:6], 5000)
    with pytest.raises(ValueError, match="GEM reads 12 leads, the record has 6"):
        gem_signal(Sample(id="six", task="t", prompt="q", record_path=str(path)))
    path, _ = _write(tmp_path, "ok", LEADS, 5000)
    with pytest.raises(ValueError, match="lead_order must be one of"):
        gem_signal(Sample(id="ok", task="t", prompt="q", record_path=str(path)), "alphabetical")


def test_arguments_are_checked_before_anything_is_loaded():
    with pytest.raises(ModelError, match="--modality signal is not possible"):
        load_model("pulse", {"pretrained": "/models/PULSE-7B"}, modality="signal")
    with pytest.raises(ModelError, match="does not take --model-args ecg_tower"):
        PULSEModel(pretrained="/models/PULSE-7B", ecg_tower="/x.pt")
    with pytest.raises(ModelError, match="needs --model-args pretrained="):
        GEMModel()


@pytest.mark.skipif(HAS_LLAVA, reason="the llava package is installed here")
def test_without_llava_the_error_says_how_to_install_it():
    with pytest.raises(ModelError, match=r"`llava` package of the GEM repository.*github.com/lanxiang1017/GEM"):
        load_model("gem", {"pretrained": "/models/GEM"}, modality="both")
    with pytest.raises(ModelError, match=r"PULSE repository.*github.com/AIMedLab/PULSE"):
        PULSEModel(pretrained="/models/PULSE-7B")
