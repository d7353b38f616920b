import pytest

from tdimpute.cohort import read_cohort


@pytest.mark.workflow("module simulate")
def test_simulate_module_writes_the_requested_cohort(workflow_dir):
    cohort = read_cohort(workflow_dir / "results/cohort/sim.h5")
    assert cohort.summary() == {"n_samples": 90, "n_cpgs": 40, "n_genes": 12,
                                "n_without_expression": 9, "cancer_types": ["BRCA", "KIRC", "LUAD"]}
    assert cohort.provenance["parameters"]["seed"] == 42
