import json

import numpy as np
import pytest

from tdimpute.cohort import read_cohort


@pytest.mark.workflow("module fit")
def test_fit_module_fits_each_method_on_the_split_training_samples(workflow_dir):
    results = workflow_dir / "results"
    split = json.loads((results / "splits/BRCA.split.json").read_text())
    cohort = read_cohort(results / "cohort/sim.h5")
    train = cohort.rows_of(split["train"])
    with np.load(results / "models/mean/BRCA_mean_model/arrays.npz") as arrays:
        np.testing.assert_allclose(arrays["mean"], cohort.expression[train].mean(0), rtol=1e-5)
    network = json.loads((results / "models/tdimpute-self/BRCA_tdimpute-self_model/model.json").read_text())
    assert network["method"] == "tdimpute-self"
    assert network["params"]["epochs"] == 2 and network["params"]["hidden"] == [8]
