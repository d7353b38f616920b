import json

import pandas as pd
import pytest


@pytest.mark.workflow("module downstream")
def test_downstream_module_compares_true_and_mean_imputed_expression(workflow_dir):
    folder = workflow_dir / "results/downstream/mean/BRCA_mean"
    summary = json.loads((folder / "downstream.json").read_text())
    split = json.loads((workflow_dir / "results/splits/BRCA.split.json").read_text())
    assert summary["method"] == "mean" and summary["n_samples"] == len(split["test"])
    assert "enrichment_true" in summary
    # The mean imputation is the same for every sample: no gene varies, nothing is recovered.
    prognosis = pd.read_csv(folder / "prognosis.tsv", sep="\t", index_col=0)
    assert prognosis["p_imputed"].isna().all() and prognosis["p"].notna().all()
    clusters = pd.read_csv(folder / "clusters.tsv", sep="\t")
    assert sorted(clusters["sample"]) == sorted(split["test"])
