import numpy as np
import pytest

from tdimpute.cohort import read_cohort


@pytest.mark.workflow("module select")
def test_select_module_writes_the_cancers_samples_with_the_pools_features(workflow_dir):
    luad = read_cohort(workflow_dir / "results/select/LUAD.h5")
    pool = read_cohort(workflow_dir / "results/cohort/sim.h5")
    expected = pool.select_cancer("LUAD")
    assert luad.cancer_types == ["LUAD"] and list(luad.samples) == list(expected.samples)
    assert list(luad.cpgs) == list(pool.cpgs) and list(luad.genes) == list(pool.genes)
    np.testing.assert_array_equal(luad.methylation, expected.methylation)
    np.testing.assert_array_equal(luad.expression, expected.expression)
