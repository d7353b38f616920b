"""Cohorts pooled from a samplesheet: filtered as one matrix, in two streamed passes."""

import gzip

import numpy as np
import pandas as pd
import pytest

from tdimpute.cohort import read_cohort
from tdimpute.errors import TdimputeError
from tdimpute.io.clinical import read_clinical
from tdimpute.preprocess import PreprocessOptions, preprocess
from tdimpute.samplesheet import preprocess_pool, read_samplesheet


def _xena(path, frame):
    with gzip.open(path, "wt") as out:
        frame.T.to_csv(out, sep="\t", index_label="sample", na_rep="NA")


def _cohorts(tmp_path):
    """Two cohorts; the second lacks one CpG of the first and has one of its own, and its
    CpGs come in another order."""
    rng = np.random.default_rng(2)
    cpgs = [f"cg{i:08d}" for i in range(80)]
    frames = {}
    for name, n, shift in (("LUAD", 20, 0.0), ("BRCA", 14, 0.15)):
        spread = np.where(np.arange(80) % 4 == 0, 0.3, 0.05)
        values = np.clip(0.4 + shift + rng.normal(size=(n, 80)) * spread, 0, 1)
        frame = pd.DataFrame(values, index=[f"TCGA-{name[:2]}-{i:04d}-01" for i in range(n)], columns=cpgs)
        frame.iloc[1, 5] = np.nan
        frames[name] = frame
    frames["BRCA"] = frames["BRCA"].drop(columns=[cpgs[8]]).assign(cg99999999=0.5).iloc[:, ::-1]
    expression = {
        name: pd.DataFrame(rng.random((len(f) - 2, 3)) * 8, index=f.index[:-2], columns=["A", "B", "C"])
        for name, f in frames.items()
    }
    lines = ["cohort,methylation,expression,clinical"]
    for name in frames:
        _xena(tmp_path / f"{name}.methylation.tsv.gz", frames[name])
        _xena(tmp_path / f"{name}.expression.tsv.gz", expression[name])
        lines.append(f"{name},{name}.methylation.tsv.gz,{name}.expression.tsv.gz,")
    (tmp_path / "LUAD.clinical.tsv").write_text(
        "sample\tOS.time\tOS\n" + "".join(f"{s}\t{100 + i}\t{i % 2}\n" for i, s in enumerate(frames["LUAD"].index))
    )
    lines[1] += "LUAD.clinical.tsv"
    (tmp_path / "samplesheet.csv").write_text("\n".join(lines) + "\n")
    return frames, expression


@pytest.mark.parametrize("options", [PreprocessOptions(), PreprocessOptions(max_na_fraction=0.05, top_cpgs=12)])
def test_the_pool_is_filtered_as_one_concatenated_matrix(tmp_path, options):
    frames, expression = _cohorts(tmp_path)
    pooled = preprocess_pool(read_samplesheet(tmp_path / "samplesheet.csv"), options)
    common = [c for c in frames["LUAD"].columns if c in frames["BRCA"].columns]
    whole = preprocess(
        pd.concat([f.loc[:, common] for f in frames.values()]),
        pd.concat(expression.values()),
        cancer_type="X",
        options=options,
    )
    assert 0 < len(pooled.cpgs) < len(common) and list(pooled.cpgs) == list(whole.cpgs)
    np.testing.assert_allclose(pooled.methylation, whole.methylation, rtol=1e-6)
    np.testing.assert_array_equal(pooled.expression, whole.expression)
    assert pooled.clinical["cancer_type"].tolist() == ["LUAD"] * 20 + ["BRCA"] * 14
    assert pooled.clinical["os_time"].iloc[:20].tolist() == list(range(100, 120))
    assert pooled.clinical["os_event"].iloc[20:].isna().all()  # BRCA has no clinical table
    assert (~pooled.has_expression).sum() == 4


def test_the_command_line_pools_a_samplesheet(tmp_path, cli):
    _cohorts(tmp_path)
    cli(
        "preprocess",
        "--samplesheet",
        tmp_path / "samplesheet.csv",
        "--out",
        tmp_path / "pool.h5",
        "--per-cancer",
        tmp_path / "each",
    )
    cohort = read_cohort(tmp_path / "pool.h5")
    assert cohort.cancer_types == ["BRCA", "LUAD"] and len(cohort.samples) == 34
    for cancer, n in (("BRCA", 14), ("LUAD", 20)):
        single = read_cohort(tmp_path / "each" / f"{cancer}.h5")
        assert single.cancer_types == [cancer] and len(single.samples) == n
        assert list(single.cpgs) == list(cohort.cpgs)
        np.testing.assert_array_equal(single.methylation, cohort.select_cancer(cancer).methylation)


def _bad_sheet(tmp_path, name):
    frames, _ = _cohorts(tmp_path)
    sheet = (tmp_path / "samplesheet.csv").read_text().splitlines()
    if name == "no_column":
        sheet[0] = "name,methylation,expression,clinical"
    elif name == "missing_file":
        sheet[2] = sheet[2].replace("BRCA.expression", "nowhere")
    elif name == "same_cohort_twice":
        sheet[2] = sheet[2].replace("BRCA,", "LUAD,", 1)
    elif name == "sample_in_two_cohorts":
        sheet.append("COPY,LUAD.methylation.tsv.gz,,")
    elif name == "beta_out_of_range":
        frame = frames["BRCA"].copy()
        frame.iloc[0, 0] = 4.2
        _xena(tmp_path / "BRCA.methylation.tsv.gz", frame)
    (tmp_path / "samplesheet.csv").write_text("\n".join(sheet) + "\n")


@pytest.mark.parametrize(
    "name, message",
    [
        ("no_column", "has no column 'cohort'"),
        ("missing_file", "line 3: expression file not found"),
        ("same_cohort_twice", "names cohort 'LUAD' twice"),
        ("sample_in_two_cohorts", "is in more than one cohort's methylation"),
        ("beta_out_of_range", "expected beta values in [0, 1], found 4.2"),
    ],
)
def test_bad_samplesheets_give_one_error_line_and_no_output(tmp_path, cli, name, message):
    _bad_sheet(tmp_path, name)
    result = cli(
        "preprocess", "--samplesheet", tmp_path / "samplesheet.csv", "--out", tmp_path / "pool.h5", check=False
    )
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert result.returncode == 1 and len(errors) == 1 and message in errors[0], result.stderr
    assert not (tmp_path / "pool.h5").exists()


def test_a_disease_name_does_not_replace_the_cohort_code(tmp_path):
    frames, _ = _cohorts(tmp_path)
    (tmp_path / "LUAD.clinical.tsv").write_text(
        "sampleID\t_primary_disease\n" + "".join(f"{s}\tlung adenocarcinoma\n" for s in frames["LUAD"].index)
    )
    pooled = preprocess_pool(read_samplesheet(tmp_path / "samplesheet.csv"))
    assert set(pooled.clinical["cancer_type"]) == {"LUAD", "BRCA"}


def test_an_external_samplesheet_takes_the_reference_features_and_distributions(tmp_path):
    from tdimpute.preprocess import quantile_normalise, quantile_target

    frames, _ = _cohorts(tmp_path)
    shared = frames["LUAD"].iloc[:, :30].drop(columns=["cg00000008"]).dropna(axis=1)  # BRCA lacks cg00000008
    reference = preprocess(
        shared,
        pd.DataFrame(
            np.random.default_rng(0).random((20, 3)) * 12, index=frames["LUAD"].index, columns=["C", "A", "B"]
        ),
        cancer_type="LUAD",
        options=PreprocessOptions(min_variance=0),
    )
    sheet = tmp_path / "samplesheet.csv"
    sheet.write_text("\n".join(sheet.read_text().splitlines()[:1] + sheet.read_text().splitlines()[2:]) + "\n")
    external = preprocess_pool(
        read_samplesheet(sheet), PreprocessOptions(quantile_normalise=True), reference=reference
    )  # BRCA only
    assert list(external.cpgs) == list(reference.cpgs) and list(external.genes) == ["C", "A", "B"]
    brca = frames["BRCA"].loc[:, list(reference.cpgs)]
    expected = quantile_normalise(brca.to_numpy(np.float64), quantile_target(reference.methylation))
    np.testing.assert_allclose(external.methylation, expected, rtol=1e-5)
    missing_cpg = frames["LUAD"].columns[8]  # BRCA has no values for it
    wider = preprocess(
        frames["LUAD"].loc[:, [missing_cpg]],
        frames["LUAD"].iloc[:, :3].set_axis(["A", "B", "C"], axis=1),
        cancer_type="LUAD",
        options=PreprocessOptions(min_variance=0),
    )
    with pytest.raises(Exception, match=r"1 of the reference's 1 CpGs \(100.0%\) are absent .*--max-missing-cpgs"):
        preprocess_pool(read_samplesheet(sheet), reference=wider)
    # Among the reference's 29 others, it is filled from them.
    wider = preprocess(
        frames["LUAD"].iloc[:, :30].dropna(axis=1),
        frames["LUAD"].iloc[:, :3].set_axis(["A", "B", "C"], axis=1),
        cancer_type="LUAD",
        options=PreprocessOptions(min_variance=0),
    )
    filled = preprocess_pool(read_samplesheet(sheet), reference=wider)
    assert list(filled.cpgs) == list(wider.cpgs) and filled.summary()["n_cpgs_filled"] == 1


def test_a_clinical_table_shared_by_every_cohort_is_read_once(tmp_path, monkeypatch):
    from tdimpute import samplesheet

    _cohorts(tmp_path)
    sheet = tmp_path / "samplesheet.csv"
    lines = sheet.read_text().splitlines()
    lines[2] += "LUAD.clinical.tsv"  # BRCA's samples are absent from it: their survival stays unknown
    sheet.write_text("\n".join(lines) + "\n")
    calls = []
    monkeypatch.setattr(samplesheet, "read_clinical", lambda path: calls.append(path) or read_clinical(path))
    pooled = preprocess_pool(read_samplesheet(sheet))
    assert len(calls) == 1
    assert pooled.clinical["os_time"].iloc[:20].tolist() == list(range(100, 120))
    assert pooled.clinical["cancer_type"].tolist() == ["LUAD"] * 20 + ["BRCA"] * 14


def test_staged_files_are_found_by_their_place_in_the_sheet(tmp_path):
    """A pipeline task stages the k-th file the sheet names as STAGED/k/<name>; the sheet's
    own paths are then never read."""
    (tmp_path / "sheet").mkdir()
    _cohorts(tmp_path / "sheet")
    named = [
        "LUAD.methylation.tsv.gz",
        "LUAD.expression.tsv.gz",
        "LUAD.clinical.tsv",
        "BRCA.methylation.tsv.gz",
        "BRCA.expression.tsv.gz",
    ]
    for k, name in enumerate(named, start=1):
        (tmp_path / "inputs" / str(k)).mkdir(parents=True)
        (tmp_path / "sheet" / name).rename(tmp_path / "inputs" / str(k) / name)
    rows = read_samplesheet(tmp_path / "sheet" / "samplesheet.csv", staged=tmp_path / "inputs")
    assert [(r.cohort, r.methylation, r.expression, r.clinical) for r in rows] == [
        ("LUAD", *(tmp_path / "inputs" / str(k) / named[k - 1] for k in (1, 2, 3))),
        ("BRCA", tmp_path / "inputs/4" / named[3], tmp_path / "inputs/5" / named[4], None),
    ]
    (tmp_path / "inputs/2" / named[1]).rename(tmp_path / "inputs/2/other.tsv.gz")
    with pytest.raises(TdimputeError, match="line 2: expression file LUAD.expression.tsv.gz was not staged as"):
        read_samplesheet(tmp_path / "sheet" / "samplesheet.csv", staged=tmp_path / "inputs")


def test_a_samplesheet_with_an_unknown_column_is_refused(tmp_path):
    _cohorts(tmp_path)
    sheet = (tmp_path / "samplesheet.csv").read_text().replace("clinical\n", "clinical,notes\n", 1)
    (tmp_path / "samplesheet.csv").write_text(sheet)
    with pytest.raises(TdimputeError, match="unknown column 'notes'"):
        read_samplesheet(tmp_path / "samplesheet.csv")


def _cohort(name, cpgs, genes, n=8, seed=0):
    """A cohort's methylation (n samples) and expression (all but its last two samples)."""
    rng = np.random.default_rng(seed)
    samples = [f"TCGA-{name[:2]}-{i:04d}-01" for i in range(n)]
    methylation = pd.DataFrame(rng.uniform(size=(n, len(cpgs))), index=samples, columns=cpgs)
    expression = pd.DataFrame(rng.random((n - 2, len(genes))) * 8, index=samples[:-2], columns=genes)
    return methylation, expression


def _sheet(tmp_path, cohorts):
    """A samplesheet of {cohort: (methylation, expression)}, each written as Xena files."""
    lines = ["cohort,methylation,expression,clinical"]
    for name, (methylation, expression) in cohorts.items():
        _xena(tmp_path / f"{name}.methylation.tsv.gz", methylation)
        _xena(tmp_path / f"{name}.expression.tsv.gz", expression)
        lines.append(f"{name},{name}.methylation.tsv.gz,{name}.expression.tsv.gz,")
    (tmp_path / "samplesheet.csv").write_text("\n".join(lines) + "\n")
    return tmp_path / "samplesheet.csv"


def test_five_cohorts_with_the_same_features_pool_without_a_warning(tmp_path, cli):
    cpgs, genes = [f"cg{i:08d}" for i in range(30)], ["A", "B", "C", "D"]
    names = ["LUAD", "BRCA", "KIRC", "COAD", "PAAD"]
    sheet = _sheet(tmp_path, {name: _cohort(name, cpgs, genes, seed=k) for k, name in enumerate(names)})
    result = cli("preprocess", "--samplesheet", sheet, "--min-variance", "0", "--out", tmp_path / "pool.h5")
    assert "warning" not in result.stderr, result.stderr
    cohort = read_cohort(tmp_path / "pool.h5")
    assert cohort.cancer_types == sorted(names) and len(cohort.samples) == 40
    assert list(cohort.cpgs) == cpgs and list(cohort.genes) == genes


def test_features_absent_from_some_of_three_cohorts_are_counted_once(tmp_path, caplog):
    cpgs = [f"cg{i:08d}" for i in range(10)]
    sheet = _sheet(
        tmp_path,
        {
            "LUAD": _cohort("LUAD", cpgs, ["G1", "G2", "G3", "G4", "G5"], seed=1),
            "BRCA": _cohort("BRCA", cpgs[1:] + ["cg99999999"], ["G1", "G2", "G3", "G4", "X"], seed=2),
            "KIRC": _cohort("KIRC", cpgs[:-1], ["G2", "G3", "G4", "G5", "Y"], seed=3),
        },
    )
    pooled = preprocess_pool(read_samplesheet(sheet), PreprocessOptions(min_variance=0))
    assert list(pooled.genes) == ["G2", "G3", "G4"] and list(pooled.cpgs) == cpgs[1:-1]
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == [
        "3 of 11 CpGs are absent from some methylation file of LUAD, BRCA, KIRC and are left out, e.g. 'cg00000000'",
        "4 of 7 genes are absent from some expression file and are left out, e.g. 'G1'",
    ]


def test_replicate_aliquots_in_a_pooled_file_are_warned_of_once(tmp_path, caplog):
    cpgs, genes = [f"cg{i:08d}" for i in range(10)], ["A", "B", "C"]
    methylation, expression = _cohort("LUAD", cpgs, genes)
    methylation.index = ["TCGA-LU-0000-01A", "TCGA-LU-0000-01B", *methylation.index[2:]]
    sheet = _sheet(tmp_path, {"LUAD": (methylation, expression), "BRCA": _cohort("BRCA", cpgs, genes, seed=1)})
    pooled = preprocess_pool(read_samplesheet(sheet), PreprocessOptions(min_variance=0, duplicate_samples="mean"))
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "replicate aliquots of 1 sample, e.g. 'TCGA-LU-0000-01'" in warnings[0]
    assert pooled.provenance["samples_with_replicates"] == 1 and len(pooled.samples) == 15
    np.testing.assert_allclose(pooled.methylation[0], methylation.iloc[:2].mean(), rtol=1e-6)
