import numpy as np
import pandas as pd
import pytest

from tdimpute.cohort import Cohort, read_cohort, write_cohort
from tdimpute.errors import TdimputeError


def _cohort(**changes):
    base = dict(
        samples=["S1", "S2", "S3"],
        cpgs=["cg1", "cg2"],
        genes=["G1", "G2"],
        methylation=np.array([[0.1, 0.9], [0.5, 0.5], [0.0, 1.0]]),
        expression=np.array([[1.0, 2.0], [np.nan, np.nan], [3.0, 0.0]]),
        clinical=pd.DataFrame(
            {"cancer_type": ["A", "A", "B"], "os_time": [10.0, 20.0, 30.0], "os_event": [1.0, 0.0, np.nan]}
        ),
    )
    base.update(changes)
    return Cohort(**base)


def test_cohort_round_trips_through_hdf5(tmp_path):
    cohort = _cohort(provenance={"source": "test"})
    write_cohort(cohort, tmp_path / "c.h5")
    back = read_cohort(tmp_path / "c.h5")
    assert list(back.samples) == ["S1", "S2", "S3"]
    np.testing.assert_array_equal(back.methylation, cohort.methylation)
    np.testing.assert_array_equal(back.expression, cohort.expression)
    assert back.has_expression.tolist() == [True, False, True]
    assert back.clinical["cancer_type"].tolist() == ["A", "A", "B"]
    assert back.provenance == {"source": "test"}
    assert back.summary() == {
        "n_samples": 3,
        "n_cpgs": 2,
        "n_genes": 2,
        "n_without_expression": 1,
        "cancer_types": ["A", "B"],
    }


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"samples": ["S1", "S1", "S3"]}, "duplicated sample id 'S1'"),
        ({"methylation": np.array([[0.1, 1.7], [0.5, 0.5], [0.0, 1.0]])}, "expected beta values in [0, 1], found 1.7"),
        ({"methylation": np.array([[0.1, np.nan], [0.5, 0.5], [0.0, 1.0]])}, "missing or infinite value at CpG cg2"),
        ({"expression": np.array([[1.0, 2.0], [np.nan, 1.0], [3.0, 0.0]])}, "missing for gene G1 only"),
        ({"expression": np.array([[1.0, 2.0], [np.nan, np.nan], [3000.0, 0.0]])}, "looks like raw counts"),
        ({"expression": np.array([[1.0, -2.0], [np.nan, np.nan], [3.0, 0.0]])}, "expression >= 0"),
        ({"methylation": np.array([[0.1, 0.9], [0.5, 0.5]])}, "methylation has shape (2, 2), expected (3, 2)"),
    ],
)
def test_invalid_cohorts_are_refused_with_the_reason(changes, message):
    with pytest.raises(TdimputeError, match=None) as error:
        _cohort(**changes)
    assert message in str(error.value)


def test_select_cancer_keeps_rows_aligned():
    cohort = _cohort().select_cancer("A")
    assert list(cohort.samples) == ["S1", "S2"]
    assert cohort.clinical["os_time"].tolist() == [10.0, 20.0]
    with pytest.raises(TdimputeError, match="cancer type 'C' is not in the cohort"):
        _cohort().select_cancer("C")


def _assert_same(a, b):
    assert list(a.samples) == list(b.samples) and list(a.cpgs) == list(b.cpgs) and list(a.genes) == list(b.genes)
    np.testing.assert_array_equal(a.methylation, b.methylation)
    np.testing.assert_array_equal(a.expression, b.expression)
    pd.testing.assert_frame_equal(a.clinical, b.clinical)


def test_reading_one_cancer_reads_its_rows_alone(tmp_path, small_cohort, monkeypatch):
    """Samples of one cancer interleaved with others and spanning several HDF5 chunks: the
    rows read are exactly theirs, equal to selecting them after reading everything."""
    import h5py

    from tdimpute import cohort as module

    monkeypatch.setattr(module, "ROW_CHUNK", 16)
    order = np.random.default_rng(0).permutation(len(small_cohort.samples))
    mixed = small_cohort.take(order)
    write_cohort(mixed, tmp_path / "pool.h5")
    with h5py.File(tmp_path / "pool.h5") as f:
        assert f["methylation"].chunks[0] == 16 and f["expression"].chunks[0] == 16
    read_rows = []
    original = module._read_rows
    monkeypatch.setattr(module, "_read_rows", lambda ds, rows: read_rows.append(rows) or original(ds, rows))
    brca = read_cohort(tmp_path / "pool.h5", "BRCA")
    _assert_same(brca, mixed.select_cancer("BRCA"))
    expected = np.flatnonzero(mixed.clinical["cancer_type"] == "BRCA")
    assert all(np.array_equal(rows, expected) for rows in read_rows) and len(read_rows) == 2
    with pytest.raises(TdimputeError, match="cancer type 'XX' is not in the cohort"):
        read_cohort(tmp_path / "pool.h5", "XX")


def test_select_writes_the_cancer_as_a_cohort_of_its_own(tmp_path, small_cohort_file, cli):
    cli("select", "--cohort", small_cohort_file, "--cancer", "LUAD", "--out", tmp_path / "LUAD.h5")
    _assert_same(read_cohort(tmp_path / "LUAD.h5"), read_cohort(small_cohort_file).select_cancer("LUAD"))
