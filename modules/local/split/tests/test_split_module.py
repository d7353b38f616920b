import json

import pytest

from tdimpute.cohort import read_cohort


@pytest.mark.workflow("module split")
def test_split_module_holds_out_half_of_the_complete_brca_samples(workflow_dir):
    split = json.loads((workflow_dir / "results/splits/BRCA_half.split.json").read_text())
    brca = read_cohort(workflow_dir / "results/cohort/sim.h5").select_cancer("BRCA")
    complete = set(brca.samples[brca.has_expression])
    assert (split["cancer"], split["missing_rate"], split["replicate"], split["seed"]) == ("BRCA", 0.5, 2, 42)
    assert set(split["train"]) | set(split["test"]) == complete
    assert len(split["test"]) == len(complete) // 2
