import gzip

import numpy as np
import pandas as pd
import pytest

from tdimpute.cohort import read_cohort
from tdimpute.errors import TdimputeError
from tdimpute.io import normalise_sample_id, read_matrix
from tdimpute.preprocess import PreprocessOptions, preprocess


def test_luad_csvs_become_a_cohort_with_88_samples_lacking_expression(luad_dir, tmp_path, cli):
    out = tmp_path / "luad.h5"
    cli(
        "preprocess",
        "--methylation",
        luad_dir / "DNA_methylation_AD.csv",
        "--expression",
        luad_dir / "RNA_seq_AD.csv",
        "--cancer-type",
        "LUAD",
        "--min-variance",
        "0",
        "--out",
        out,
    )
    summary = read_cohort(out).summary()
    assert summary["n_samples"] == 443
    assert summary["n_without_expression"] == 88
    assert summary["n_cpgs"] == 399 and summary["n_genes"] == 157


def test_sample_ids_are_normalised_to_the_tcga_sample_level():
    assert normalise_sample_id("TCGA.05.4384.01") == "TCGA-05-4384-01"
    assert normalise_sample_id("TCGA-05-4384-01A-01D-1265-05") == "TCGA-05-4384-01"
    assert normalise_sample_id("my_sample_7") == "my_sample_7"


def _write_xena(path, frame):
    """frame: samples x features; written features x samples, gzipped, as Xena does."""
    with gzip.open(path, "wt") as out:
        frame.T.to_csv(out, sep="\t", index_label="sample", na_rep="NA")


def _toy(n=6, raw=False):
    rng = np.random.default_rng(0)
    samples = [f"TCGA-AA-{i:04d}-01" for i in range(n)]
    methylation = pd.DataFrame(rng.uniform(size=(n, 4)), index=samples, columns=[f"cg{i:08d}" for i in range(4)])
    counts = rng.integers(0, 5000, size=(n, 3)).astype(float)
    counts[:, 2] = 0.0  # a gene that is zero everywhere
    expression = pd.DataFrame(counts if raw else np.log2(counts + 1), index=samples, columns=["A", "B", "Z"])
    return methylation, expression


def test_xena_orientation_is_detected_and_raw_counts_are_logged(tmp_path):
    methylation, expression = _toy(raw=True)
    _write_xena(tmp_path / "m.tsv.gz", methylation)
    _write_xena(tmp_path / "e.tsv.gz", expression.iloc[:4])
    read_m = read_matrix(tmp_path / "m.tsv.gz")
    read_e = read_matrix(tmp_path / "e.tsv.gz")
    assert read_m.shape == (6, 4) and read_e.shape == (4, 3)
    cohort = preprocess(read_m, read_e, cancer_type="LUAD", options=PreprocessOptions(min_variance=0))
    assert list(cohort.genes) == ["A", "B"]
    assert (~cohort.has_expression).sum() == 2
    np.testing.assert_allclose(cohort.expression[0], np.log2(expression.iloc[0, :2] + 1), rtol=1e-6)


def test_variance_filter_keeps_exactly_the_cpgs_at_or_above_the_threshold():
    methylation, expression = _toy()
    methylation.iloc[:, 0] = [0, 1, 0, 1, 0, 1]  # variance 0.3
    methylation.iloc[:, 1] = 0.5  # variance 0
    variance = methylation.var(ddof=1)
    threshold = float(variance.iloc[2])
    cohort = preprocess(methylation, expression, cancer_type="X", options=PreprocessOptions(min_variance=threshold))
    assert set(cohort.cpgs) == set(variance.index[variance >= threshold])
    top = preprocess(methylation, expression, cancer_type="X", options=PreprocessOptions(min_variance=0, top_cpgs=1))
    assert list(top.cpgs) == [methylation.columns[0]]


def test_na_cpgs_are_dropped_or_mean_filled_under_the_na_fraction():
    methylation, expression = _toy()
    methylation.iloc[0, 3] = np.nan
    dropped = preprocess(methylation, expression, cancer_type="X", options=PreprocessOptions(min_variance=0))
    assert methylation.columns[3] not in set(dropped.cpgs)
    filled = preprocess(
        methylation, expression, cancer_type="X", options=PreprocessOptions(min_variance=0, max_na_fraction=0.2)
    )
    column = list(filled.cpgs).index(methylation.columns[3])
    assert filled.methylation[0, column] == pytest.approx(methylation.iloc[1:, 3].mean(), rel=1e-6)


def _bad_inputs(tmp_path):
    methylation, expression = _toy()
    cases = {}

    def case(name, m, e, message, extra=()):
        m_path, e_path = tmp_path / f"{name}_m.csv", tmp_path / f"{name}_e.csv"
        m.to_csv(m_path) if isinstance(m, pd.DataFrame) else m_path.write_bytes(m)
        e.to_csv(e_path) if isinstance(e, pd.DataFrame) else e_path.write_bytes(e)
        cases[name] = (m_path, e_path, message, list(extra))

    mismatched = expression.copy()
    mismatched.index = [f"TCGA-BB-{i:04d}-01" for i in range(len(mismatched))]
    case("no_overlap", methylation, mismatched, "no sample has both methylation and expression")
    duplicated = methylation.copy()
    duplicated.index = [methylation.index[0]] * 2 + list(methylation.index[2:])
    case("duplicated", duplicated, expression, "duplicated sample id", ["--duplicate-samples", "error"])
    m_values = methylation.copy()
    m_values.iloc[2, 1] = 3.7
    case("m_values", m_values, expression, "expected beta values in [0, 1], found 3.7")
    nan_expression = expression.copy()
    nan_expression.iloc[1, 0] = np.nan
    case("nan", methylation, nan_expression, "has NA values for some genes only")
    inf_expression = expression.copy()
    inf_expression.iloc[1, 0] = np.inf
    case("inf", methylation, inf_expression, "infinite values")
    negative = expression.copy()
    negative.iloc[1, 0] = -1
    case("negative", methylation, negative, "negative values")
    case("transposed", methylation, expression, "looks transposed", ["--orientation", "features-by-samples"])
    case("ambiguous", methylation, expression * 3.5, "neither clearly log2 scale")
    case("raw_said_log", methylation, expression * 100, "says it is log2 scale", ["--log-transform", "no"])
    case("empty", b"", expression, "is empty")
    truncated = gzip.compress(methylation.to_csv().encode())[:200]
    cases["corrupt_gzip"] = (tmp_path / "corrupt.csv.gz", tmp_path / "corrupt_e.csv", "truncated or corrupt", [])
    (tmp_path / "corrupt.csv.gz").write_bytes(truncated)
    expression.to_csv(tmp_path / "corrupt_e.csv")
    return cases


BAD = [
    "no_overlap",
    "duplicated",
    "m_values",
    "nan",
    "inf",
    "negative",
    "transposed",
    "ambiguous",
    "raw_said_log",
    "empty",
    "corrupt_gzip",
]


@pytest.mark.parametrize("name", BAD)
def test_bad_input_gives_one_error_line_and_no_output(name, tmp_path, cli):
    m_path, e_path, message, extra = _bad_inputs(tmp_path)[name]
    out = tmp_path / "out" / "cohort.h5"
    result = cli(
        "preprocess",
        "--methylation",
        m_path,
        "--expression",
        e_path,
        "--cancer-type",
        "X",
        "--min-variance",
        "0",
        "--out",
        out,
        *extra,
        check=False,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert message in lines[0]
    assert not out.exists()
    assert not list(out.parent.glob("*")) if out.parent.exists() else True


def test_reference_cohort_fixes_the_feature_lists():
    methylation, expression = _toy()
    reference = preprocess(methylation, expression, cancer_type="X", options=PreprocessOptions(min_variance=0))
    reordered = methylation[methylation.columns[::-1]]
    aligned = preprocess(
        reordered, expression, cancer_type="Y", options=PreprocessOptions(min_variance=0), reference=reference
    )
    assert list(aligned.cpgs) == list(reference.cpgs)
    # A quarter of the reference's CpGs absent: more than a limit of a fifth allows to fill.
    with pytest.raises(
        TdimputeError, match=r"1 of the reference's 4 CpGs \(25.0%\) are absent .*--max-missing-cpgs 0.2"
    ):
        preprocess(
            methylation.iloc[:, :3],
            expression,
            cancer_type="Y",
            options=PreprocessOptions(min_variance=0, max_missing_cpgs=0.2),
            reference=reference,
        )


def test_quantile_normalisation_matches_a_hand_computed_example():
    from tdimpute.preprocess import quantile_normalise, quantile_target

    target = quantile_target(np.array([[3.0, 1.0, 2.0], [6.0, 2.0, 4.0]]))  # sorted means: 1.5 3 4.5
    np.testing.assert_allclose(target, [1.5, 3.0, 4.5])
    values = np.array([[5.0, 2.0, 3.0], [2.0, 2.0, 5.0]])
    # Row 1 ranks 3, 1, 2; row 2 has a tie at ranks 1 and 2 (average 1.5 -> quantile 0.25).
    np.testing.assert_allclose(quantile_normalise(values, target), [[4.5, 1.5, 3.0], [2.25, 2.25, 4.5]])
    # A target of another length is interpolated at quantiles (r - 1) / (n - 1).
    np.testing.assert_allclose(quantile_normalise(np.array([[1.0, 9.0]]), np.array([0.0, 5.0, 10.0])), [[0.0, 10.0]])


def test_external_cohort_takes_the_reference_distributions():
    methylation, expression = _toy()
    reference = preprocess(methylation, expression, cancer_type="X", options=PreprocessOptions(min_variance=0))
    shifted = (methylation * 0.5 + 0.2).clip(0, 1)
    external = preprocess(
        shifted,
        expression + 1.0,
        cancer_type="Y",
        reference=reference,
        options=PreprocessOptions(min_variance=0, quantile_normalise=True),
    )
    np.testing.assert_allclose(
        np.sort(external.methylation, axis=1).mean(axis=0),
        np.sort(reference.methylation, axis=1).mean(axis=0),
        rtol=1e-5,
    )
    with pytest.raises(TdimputeError, match="needs a reference cohort"):
        preprocess(
            methylation, expression, cancer_type="Y", options=PreprocessOptions(min_variance=0, quantile_normalise=True)
        )


def _xena_methylation(tmp_path, n_samples=30, n_cpgs=500):
    rng = np.random.default_rng(4)
    spread = np.where(rng.random(n_cpgs) < 0.2, 0.3, 0.05)  # a fifth of the CpGs vary a lot
    values = np.clip(rng.random(n_cpgs) * 0.6 + 0.2 + rng.normal(size=(n_samples, n_cpgs)) * spread, 0, 1)
    frame = pd.DataFrame(
        values, index=[f"TCGA-AA-{i:04d}-01A" for i in range(n_samples)], columns=[f"cg{i:08d}" for i in range(n_cpgs)]
    )
    frame.iloc[3, 10] = np.nan  # one NA: filled under --max-na-fraction, else its CpG dropped
    _write_xena(tmp_path / "methylation.tsv.gz", frame)
    expression = pd.DataFrame(
        rng.random((n_samples - 5, 4)) * 10, index=[s[:-1] for s in frame.index[:-5]], columns=["A", "B", "C", "D"]
    )
    return tmp_path / "methylation.tsv.gz", expression


@pytest.mark.parametrize("options", [PreprocessOptions(), PreprocessOptions(max_na_fraction=0.1, top_cpgs=40)])
def test_streamed_methylation_gives_the_cohort_of_the_whole_matrix(tmp_path, options):
    from tdimpute.io import read_matrix_chunks

    path, expression = _xena_methylation(tmp_path)
    whole = preprocess(read_matrix(path), expression, cancer_type="X", options=options)
    blocks = list(read_matrix_chunks(path, chunk_values=30 * 37))  # 37 CpGs a block: 14 blocks
    assert len(blocks) == 14 and all(b.index.equals(blocks[0].index) for b in blocks)
    streamed = preprocess(iter(blocks), expression, cancer_type="X", options=options)
    assert 0 < len(streamed.cpgs) < 500 and list(streamed.cpgs) == list(whole.cpgs)
    np.testing.assert_array_equal(streamed.methylation, whole.methylation)
    assert list(streamed.samples) == list(whole.samples) and (~streamed.has_expression).sum() == 5


def test_a_stream_that_breaks_midway_is_one_clear_error(tmp_path):
    from tdimpute.io import read_matrix_chunks

    path, expression = _xena_methylation(tmp_path)
    (tmp_path / "cut.tsv.gz").write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(TdimputeError, match="cut.tsv.gz is truncated or corrupt"):
        preprocess(read_matrix_chunks(tmp_path / "cut.tsv.gz", chunk_values=30 * 37), expression, cancer_type="X")
    text = gzip.decompress(path.read_bytes()).decode().splitlines()
    header = text[0].split("\t")
    header[2] = header[1]
    (tmp_path / "twice.tsv").write_text("\n".join(["\t".join(header), *text[1:]]) + "\n")
    with pytest.raises(TdimputeError, match="duplicated sample id 'TCGA-AA-0000-01'"):
        list(read_matrix_chunks(tmp_path / "twice.tsv"))


def _aliquots(tmp_path):
    """A Xena methylation file of six samples, the first with two aliquots (01A, 01B), and
    expression of five of them as a CSV of samples x genes."""
    methylation, expression = _toy(n=7)
    methylation.index = ["TCGA-AA-0000-01A", "TCGA-AA-0000-01B", *methylation.index[1:-1]]
    methylation.iloc[1, 0] = np.nan  # averaged over the aliquot that has a value
    _write_xena(tmp_path / "m.tsv.gz", methylation)
    expression.iloc[:5].to_csv(tmp_path / "e.csv")
    return methylation, expression


@pytest.mark.parametrize("rule", ["first", "mean"])
def test_replicate_aliquots_are_merged_by_the_rule_with_one_warning(tmp_path, cli, rule):
    methylation, _ = _aliquots(tmp_path)
    result = cli(
        "preprocess",
        "--methylation",
        tmp_path / "m.tsv.gz",
        "--expression",
        tmp_path / "e.csv",
        "--cancer-type",
        "X",
        "--min-variance",
        "0",
        "--duplicate-samples",
        rule,
        "--out",
        tmp_path / "c.h5",
    )
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1 and "replicate aliquots of 1 sample, e.g. 'TCGA-AA-0000-01'" in warnings[0], result.stderr
    assert f"1 sample with replicate aliquots ({rule})" in result.stderr
    cohort = read_cohort(tmp_path / "c.h5")
    assert list(cohort.samples) == [f"TCGA-AA-{i:04d}-01" for i in range(6)]
    aliquots = methylation.iloc[:2]
    expected = aliquots.iloc[0] if rule == "first" else aliquots.mean()  # NA skipped
    np.testing.assert_allclose(cohort.methylation[0], expected.to_numpy()[:4], rtol=1e-6)
    np.testing.assert_allclose(cohort.methylation[1:], methylation.iloc[2:].to_numpy(), rtol=1e-6)


def test_replicate_aliquots_refused_by_the_error_rule_are_one_line(tmp_path, cli):
    _aliquots(tmp_path)
    result = cli(
        "preprocess",
        "--methylation",
        tmp_path / "m.tsv.gz",
        "--expression",
        tmp_path / "e.csv",
        "--cancer-type",
        "X",
        "--duplicate-samples",
        "error",
        "--out",
        tmp_path / "c.h5",
        check=False,
    )
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert result.stderr.startswith(
        f"Error: methylation file {tmp_path / 'm.tsv.gz'} has duplicated sample id 'TCGA-AA-0000-01'"
    )
    assert not (tmp_path / "c.h5").exists()


def test_streamed_blocks_merge_replicates_as_the_whole_matrix(tmp_path):
    from tdimpute.io import read_matrix_chunks
    from tdimpute.io.matrices import Replicates

    path, _ = _xena_methylation(tmp_path)
    text = gzip.decompress(path.read_bytes()).decode().splitlines()
    header = text[0].split("\t")
    header[1:4] = ["TCGA-AA-0000-01A", "TCGA-AA-0000-01B", "TCGA-AA-0000-01C"]  # three aliquots of one sample
    (tmp_path / "aliquots.tsv").write_text("\n".join(["\t".join(header), *text[1:]]) + "\n")
    whole = pd.read_csv(tmp_path / "aliquots.tsv", sep="\t", index_col=0).T
    whole.index = [normalise_sample_id(s) for s in whole.index]
    for rule, expected in (
        ("first", whole[~whole.index.duplicated()]),
        ("mean", whole.groupby(level=0, sort=False).mean()),
    ):
        replicates = Replicates(rule)
        blocks = list(read_matrix_chunks(tmp_path / "aliquots.tsv", chunk_values=30 * 37, replicates=replicates))
        assert len(blocks) == 14 and replicates.samples == {"TCGA-AA-0000-01"}
        streamed = pd.concat(blocks, axis=1)
        assert list(streamed.index) == list(expected.index) and len(streamed) == 28
        np.testing.assert_allclose(streamed.to_numpy(), expected.to_numpy(), rtol=1e-6)


def test_an_unexpected_failure_is_one_error_line_and_debug_shows_the_traceback(monkeypatch, capsys):
    from tdimpute import cli as command_line

    def fail():
        raise IndexError("index 0 is out of bounds for axis 0 with size 0")

    monkeypatch.setattr(command_line, "app", fail)
    with pytest.raises(SystemExit) as stopped:
        command_line.main()
    assert stopped.value.code == 1
    assert capsys.readouterr().err == (
        "Error: IndexError: index 0 is out of bounds for axis 0 with size 0 (tdimpute --debug shows the traceback)\n"
    )
    monkeypatch.setitem(command_line._state, "debug", True)
    with pytest.raises(IndexError):
        command_line.main()


def test_replicate_rows_of_a_samples_by_features_csv_are_merged(tmp_path):
    from tdimpute.io.matrices import Replicates

    _, expression = _toy()
    expression.index = ["TCGA-AA-0000-01A", "TCGA.AA.0000.01B", *expression.index[2:]]
    expression.to_csv(tmp_path / "e.csv")
    merged = read_matrix(tmp_path / "e.csv", replicates=Replicates("mean"))
    assert list(merged.index) == [f"TCGA-AA-{i:04d}-01" for i in (0, 2, 3, 4, 5)]
    np.testing.assert_allclose(merged.iloc[0], expression.iloc[:2].mean(), rtol=1e-6)
    with pytest.raises(TdimputeError, match="e.csv has duplicated sample id 'TCGA-AA-0000-01'"):
        read_matrix(tmp_path / "e.csv")
