import json

import numpy as np
import pytest

from tdimpute.cohort import read_cohort
from tdimpute.io import read_expression


@pytest.mark.workflow("module impute")
def test_impute_module_fills_the_test_samples_with_the_training_means(workflow_dir):
    results = workflow_dir / "results"
    split = json.loads((results / "splits/BRCA.split.json").read_text())
    cohort = read_cohort(results / "cohort/sim.h5")
    imputed = read_expression(results / "imputed/mean/BRCA_mean.imputed.tsv.gz")
    assert sorted(imputed.index) == sorted(split["test"])
    assert list(imputed.columns) == list(cohort.genes)
    expected = cohort.expression[cohort.rows_of(split["train"])].mean(0)
    np.testing.assert_allclose(imputed.to_numpy(), np.tile(expected, (len(imputed), 1)), rtol=1e-5)
