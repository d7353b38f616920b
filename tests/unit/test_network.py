import json

import numpy as np
import pandas as pd
import pytest

from tdimpute.io import read_expression
from tdimpute.models import imputer_class, load_model
from tdimpute.operations import expression_frame, methylation_frame

SMALL = {"hidden": [32], "epochs": 5, "batch_size": 16, "learning_rate": 1e-3}


def _frames(cohort, cancer):
    target = cohort.select_cancer(cancer)
    rows = np.flatnonzero(target.has_expression)
    return methylation_frame(target, rows), expression_frame(target, rows)


def test_same_seed_gives_identical_networks(small_cohort):
    X, Y = _frames(small_cohort, "BRCA")
    a = imputer_class("tdimpute-self")(**SMALL, seed=3).fit(X, Y)
    b = imputer_class("tdimpute-self")(**SMALL, seed=3).fit(X, Y)
    c = imputer_class("tdimpute-self")(**SMALL, seed=4).fit(X, Y)
    for wa, wb in zip(a.network_.get_weights(), b.network_.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    assert not np.array_equal(a.network_.get_weights()[0], c.network_.get_weights()[0])
    assert a.history_ == b.history_ and len(a.history_) == 5


def test_saved_network_predicts_identically_after_loading(small_cohort, tmp_path):
    X, Y = _frames(small_cohort, "KIRC")
    model = imputer_class("tdimpute-self")(**SMALL).fit(X, Y)
    model.save(tmp_path / "net")
    loaded = load_model(tmp_path / "net")
    pd.testing.assert_frame_equal(loaded.predict(X), model.predict(X))
    spec = json.loads((tmp_path / "net" / "model.json").read_text())
    assert spec["metadata"]["scale"] == pytest.approx(float(Y.to_numpy().max()) + 1e-3, rel=1e-6)
    assert spec["params"]["hidden"] == [32] and len(spec["cpgs"]) == 120
    assert "tensorflow" in spec["versions"]


def test_predictions_never_exceed_the_output_scale(small_cohort):
    X, Y = _frames(small_cohort, "LUAD")
    model = imputer_class("tdimpute-self")(**SMALL).fit(X, Y)
    assert model.predict(X).to_numpy().max() < model.scale_


def test_cli_round_trip_pretrain_finetune_impute(small_cohort_file, tmp_path, cli):
    net = ["--hidden", "32", "--epochs", "5", "--batch-size", "32"]
    cli("pretrain", "--cohort", small_cohort_file, "--exclude-cancer", "BRCA",
        "--out", tmp_path / "pre", *net)
    cli("split", "--cohort", small_cohort_file, "--cancer", "BRCA", "--missing-rate", "0.5",
        "--out", tmp_path / "split.json")
    split = json.loads((tmp_path / "split.json").read_text())
    fitted = {}
    for method in ["tdimpute", "tdimpute-notf"]:
        cli("fit", "--method", method, "--cohort", small_cohort_file, "--split", tmp_path / "split.json",
            "--pretrained", tmp_path / "pre", "--out", tmp_path / method,
            *(["--epochs", "3"] if method == "tdimpute" else []))
        cli("impute", "--model", tmp_path / method, "--cohort", small_cohort_file,
            "--split", tmp_path / "split.json", "--out", tmp_path / f"{method}.tsv.gz")
        fitted[method] = read_expression(tmp_path / f"{method}.tsv.gz")
        assert sorted(fitted[method].index) == sorted(split["test"])
        assert fitted[method].shape[1] == 40
    # Fine-tuning moved the weights away from the pretrained network.
    assert not np.allclose(fitted["tdimpute"].to_numpy(), fitted["tdimpute-notf"].to_numpy())
    history = json.loads((tmp_path / "tdimpute" / "model.json").read_text())["metadata"]["history"]
    assert len(history) == 3


def test_finetuning_refuses_a_model_that_is_not_pretrained(small_cohort_file, tmp_path, cli):
    cli("fit", "--method", "mean", "--cohort", small_cohort_file, "--cancer", "BRCA", "--out", tmp_path / "mean")
    result = cli("fit", "--method", "tdimpute", "--cohort", small_cohort_file, "--cancer", "BRCA",
                 "--pretrained", tmp_path / "mean", "--out", tmp_path / "ft", check=False)
    assert result.returncode == 1
    assert "holds a mean model, not a pretrained network" in result.stderr
    assert not (tmp_path / "ft").exists()
