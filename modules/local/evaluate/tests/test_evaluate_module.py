import json

import numpy as np
import pytest

from tdimpute.cohort import read_cohort
from tdimpute.io import read_expression


@pytest.mark.workflow("module evaluate")
def test_evaluate_module_reports_the_rmse_of_the_imputed_file(workflow_dir):
    results = workflow_dir / "results"
    split = json.loads((results / "splits/BRCA.split.json").read_text())
    cohort = read_cohort(results / "cohort/sim.h5")
    imputed = read_expression(results / "imputed/mean/BRCA_mean.imputed.tsv.gz").loc[split["test"]]
    truth = cohort.expression[cohort.rows_of(split["test"])]
    metrics = json.loads((results / "evaluation/mean/BRCA_mean.metrics.json").read_text())
    assert metrics["rmse"] == pytest.approx(np.sqrt(np.mean((imputed.to_numpy() - truth) ** 2)), rel=1e-5)
    assert metrics["n_samples"] == len(split["test"]) and metrics["n_genes"] == 12
