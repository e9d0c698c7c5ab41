"""GE MUSE and CardioSoft XML: the reader on the real exports that PyPI packages ship
(skipped where their archives are not in gemeval.ecg.vendor_samples.samples_dir()), and
its refusals on files that are not such exports."""

from __future__ import annotations


import numpy as np
import pytest

from gemeval.ecg.measure import measure
from gemeval.ecg.muse import read_ge_xml
from gemeval.ecg.record import LEADS, RecordError
from gemeval.ecg.vendor_samples import find_samples


@pytest.fixture(scope="module")
def samples() -> dict:
    found = find_samples()
    if not found:
        pytest.skip("no real GE XML samples; see gemeval/ecg/vendor_samples.py to fetch them")
    return found


def _sample(samples: dict, name: str):
    if name not in samples:
        pytest.skip(f"sample {name} not present")
    return read_ge_xml(samples[name])


def test_muse_export_reads_strip_median_and_measurements(samples) -> None:
    ecg = _sample(samples, "guangxi-sinus")
    record = ecg.record
    assert record.fs_hz == 500.0 and record.signal_mv.shape == (12, 5000)
    assert ecg.median is not None and ecg.median.signal_mv.shape == (12, 600)
    signal = record.signal_mv.astype(np.float64)
    i, ii, iii = (signal[LEADS.index(lead)] for lead in ("I", "II", "III"))
    np.testing.assert_allclose(iii, ii - i, atol=1e-5)  # derived by Einthoven
    # a real 12-lead strip: QRS complexes of about 1-3 mV, no lead flat
    assert 0.5 < float(np.ptp(signal[LEADS.index("V2")])) < 6.0
    assert ecg.measurements["hr_bpm"] == 97 and ecg.measurements["qt_ms"] == 328
    assert ecg.measurements["pr_ms"] == 122 and ecg.measurements["qrs_ms"] == 74
    assert ecg.measurements["qtc_ms"] == 417 and ecg.measurements["axis_deg"] == 63
    assert ecg.fiducials == {"p_onset": 158, "qrs_onset": 219, "qrs_offset": 256, "t_offset": 383}
    assert ecg.measurements["st_mv"]["V2"] == pytest.approx(0.366)
    assert "12SL" in ecg.device
    # the cart's QRS width is what its fiducials on the median beat say
    assert (ecg.fiducials["qrs_offset"] - ecg.fiducials["qrs_onset"]) * 2 == ecg.measurements["qrs_ms"]


def test_cardiosoft_export_reads_strip_and_measurements(samples) -> None:
    ecg = _sample(samples, "cardiosoft-example")
    assert ecg.record.signal_mv.shape == (12, 5000) and ecg.record.fs_hz == 500.0
    assert ecg.measurements["hr_bpm"] == 50 and ecg.measurements["pr_ms"] == 174
    assert ecg.measurements["rr_ms"] == 1202 and ecg.median is not None
    assert "st_mv" not in ecg.measurements  # CardioSoft's J+X level does not say its X
    assert ecg.fiducials["qrs_onset"] == round(432 * 500 / 1000)


def test_gemeval_meets_the_cart_within_the_cse_bounds_on_the_real_exports(samples) -> None:
    """The IEC 60601-2-25 bounds on the mean difference from the reference, applied to each
    real record (a single record is a stricter test than the mean)."""
    bounds = {"hr_bpm": 2.0, "pr_ms": 10.0, "qrs_ms": 8.0, "qt_ms": 12.0, "axis_deg": 10.0}
    for name in samples:
        ecg = read_ge_xml(samples[name])
        values = measure(ecg.record).to_dict()
        for key, bound in bounds.items():
            assert abs(values[key] - ecg.measurements[key]) <= bound, (name, key, values[key])
        for lead, level in ecg.measurements.get("st_mv", {}).items():
            assert abs(values["st_mv"][lead] - level) <= 0.05, (name, lead)


def test_files_that_are_not_ge_exports_are_refused_by_name(tmp_path) -> None:
    other = tmp_path / "other.xml"
    other.write_text("<AnnotatedECG/>")
    with pytest.raises(RecordError, match=r"other.xml.*neither GE MUSE"):
        read_ge_xml(other)
    broken = tmp_path / "broken.xml"
    broken.write_text("<RestingECG><Waveform>")
    with pytest.raises(RecordError, match="broken.xml: not a readable XML file"):
        read_ge_xml(broken)
    empty = tmp_path / "empty.xml"
    empty.write_text("<RestingECG></RestingECG>")
    with pytest.raises(RecordError, match="no <Waveform> of type Rhythm"):
        read_ge_xml(empty)
