import json

import numpy as np
import pandas as pd
import pytest

from tdimpute.cohort import read_cohort
from tdimpute.io import read_expression


@pytest.mark.workflow("module complete")
def test_complete_module_fills_luad_with_the_mean_of_its_observed_samples(workflow_dir):
    luad = read_cohort(workflow_dir / "results/cohort/sim.h5").select_cancer("LUAD")
    completed = read_expression(workflow_dir / "results/completed/LUAD_mean/completed_expression.tsv.gz")
    lacking = luad.samples[~luad.has_expression]
    assert len(lacking) > 0
    mean = luad.expression[luad.has_expression].mean(axis=0)
    np.testing.assert_allclose(completed.loc[lacking].to_numpy(), np.tile(mean, (len(lacking), 1)), rtol=1e-5)
    summary = json.loads((workflow_dir / "results/completed/LUAD_mean/completed.json").read_text())
    assert summary["n_imputed"] == len(lacking)
    # Mean-imputed samples are identical, so K-means puts them all in one cluster.
    clusters = pd.read_csv(workflow_dir / "results/completed/LUAD_mean/clusters.tsv", sep="\t").set_index("sample")
    assert clusters.loc[lacking, "cluster"].nunique() == 1
    assert max(summary["cluster_imputed_share"]) == pytest.approx(
        len(lacking) / (clusters["cluster"] == clusters.loc[lacking[0], "cluster"]).sum())
