"""Every data source gemeval knows. Modules are imported only when a source is used."""

from gemeval.data.base import SourceInfo, register_source

register_source(SourceInfo(
    name="synthetic",
    target="gemeval.data.synthetic:load",
    summary="the embedded synthetic benchmark: 12-lead ECGs with exact truth, built on first use",
    needs="nothing (generated and cached under ~/.cache/gemeval)",
    get="built automatically",
))
register_source(SourceInfo(
    name="counterfactual",
    target="gemeval.data.counterfactual:load",
    summary="counterfactual probe groups: synthetic ECGs that differ in one controlled feature",
    needs="nothing (generated and cached under ~/.cache/gemeval)",
    get="built automatically",
))
register_source(SourceInfo(
    name="robust",
    target="gemeval.data.robust:load",
    summary="the embedded set's pages with photo and scan distortions (rotation, perspective, blur, JPEG, light, grid, header)",
    needs="nothing (generated and cached under ~/.cache/gemeval)",
    get="built automatically",
))

# `needs` and `get` may name task metadata keys in braces ({ecgbench_subset}); `gemeval data
# list` and `check` fill them in from each task file.
register_source(SourceInfo(
    name="ecgbench",
    target="gemeval.data.ecgbench:load",
    summary="ECG-Bench (PULSE): the hub's parquet, the published JSON files or GEM's copies with `ecg` paths",
    needs="ECGBench/{ecgbench_subset}/test-00000-of-00001.parquet, or one of {ecgbench_files} (+ its images)",
    get="gemeval data download ecgbench --subset {ecgbench_subset}",
    published_test_set=True,
))
register_source(SourceInfo(
    name="grounding",
    target="gemeval.data.grounding:load",
    summary="ECG-Grounding (GEM): both test sets, MIMIC-IV-ECG and PTB-XL",
    needs="ECG-Grounding/ecg_jsons/ecg-grounding-test-mimiciv.json and/or ecg-grounding-test-ptbxl.json, "
          "with ECG-Grounding/ecg_images/ or the MIMIC-IV-ECG / PTB-XL records",
    get="gemeval data download grounding --with-images",
    published_test_set=True,
))
register_source(SourceInfo(
    name="grounding-mimic",
    target="gemeval.data.grounding:load_mimic",
    summary="ECG-Grounding's in-domain test set (MIMIC-IV-ECG, 2,381 items)",
    needs="ECG-Grounding/ecg_jsons/ecg-grounding-test-mimiciv.json, with ecg_images/ or MIMIC-IV-ECG files/",
    get="gemeval data download grounding --with-images",
    published_test_set=True,
))
register_source(SourceInfo(
    name="grounding-ptbxl",
    target="gemeval.data.grounding:load_ptbxl",
    summary="ECG-Grounding's out-of-domain test set (PTB-XL, 2,041 items)",
    needs="ECG-Grounding/ecg_jsons/ecg-grounding-test-ptbxl.json, with ecg_images/ or PTB-XL records500/",
    get="gemeval data download grounding --with-images",
    published_test_set=True,
))
register_source(SourceInfo(
    name="ptbxl",
    target="gemeval.data.ptbxl:load",
    summary="PTB-XL native: ptbxl_database.csv + scp_statements.csv + records500/ (or records100/), fold 10",
    needs="ptb-xl/ptbxl_database.csv, scp_statements.csv and records500/ (or records100/)",
    get="wget -r -N -c -np https://physionet.org/files/ptb-xl/1.0.3/",
))
register_source(SourceInfo(
    name="physionet",
    target="gemeval.data.physionet:load",
    summary="CinC 2020/2021 or Chapman-Shaoxing-Ningbo WFDB records (.hea + .mat, SNOMED-CT # Dx)",
    needs="a folder of .hea + .mat records with `# Dx:` header comments",
    get="wget -r -N -c -np https://physionet.org/files/challenge-2021/1.0.3/training/ "
        "(or https://physionet.org/files/ecg-arrhythmia/1.0.0/)",
))
register_source(SourceInfo(
    name="mimic",
    target="gemeval.data.mimic:load",
    summary="MIMIC-IV-ECG records with the cart's machine_measurements.csv (open access on PhysioNet)",
    needs="mimic-iv-ecg/machine_measurements.csv and files/p.../s.../<study>.hea|.dat",
    get="wget -r -N -c -np https://physionet.org/files/mimic-iv-ecg/1.0/",
))
