import json

import pytest


@pytest.mark.workflow("module pretrain")
def test_pretrain_module_trains_on_the_pool_without_the_target(workflow_dir):
    spec = json.loads((workflow_dir / "results/models/pretrained/BRCA_pretrained/model.json").read_text())
    assert spec["method"] == "tdimpute-notf"
    assert spec["params"]["hidden"] == [8] and spec["params"]["epochs"] == 3
    assert spec["params"]["seed"] == 42
    assert len(spec["metadata"]["history"]) == 3
    assert len(spec["cpgs"]) == 40 and len(spec["genes"]) == 12
