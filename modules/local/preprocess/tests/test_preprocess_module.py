import pytest

from tdimpute.cohort import read_cohort


@pytest.mark.workflow("module preprocess")
def test_preprocess_module_reads_xena_files_and_marks_samples_without_rna(workflow_dir):
    cohort = read_cohort(workflow_dir / "results/cohort/xena.h5")
    # 50 CpGs less the one with a missing value; 6 of 60 samples lack RNA-seq.
    assert cohort.summary() == {"n_samples": 60, "n_cpgs": 49, "n_genes": 15,
                                "n_without_expression": 6, "cancer_types": ["BRCA", "LUAD"]}
    assert cohort.samples[0] == "TCGA-TL-0001-01"
    assert cohort.clinical["os_event"].isin([0, 1]).all()
