import pytest

from tdimpute.cohort import read_cohort


@pytest.mark.workflow("module preprocess_pool")
def test_pooling_two_cohorts_gives_the_cohort_of_the_single_files(workflow_dir):
    pooled = read_cohort(workflow_dir / "results/cohort/cohort.h5")
    # The same 60 samples as assets/test_data in one file: 49 CpGs pass (one has an NA),
    # six samples lack RNA-seq; BRCA's cancer type comes from the samplesheet's cohort name.
    assert pooled.summary() == {"n_samples": 60, "n_cpgs": 49, "n_genes": 15,
                                "n_without_expression": 6, "cancer_types": ["BRCA", "LUAD"]}
    assert pooled.clinical["os_event"].isin([0, 1]).all()
    assert pooled.clinical.groupby("cancer_type").size().to_dict() == {"BRCA": 30, "LUAD": 30}
