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


@pytest.mark.parametrize("precision", ["float32", "bfloat16"])
def test_same_seed_gives_identical_networks(small_cohort, precision):
    X, Y = _frames(small_cohort, "BRCA")
    a = imputer_class("tdimpute-self")(**SMALL, seed=3, precision=precision).fit(X, Y)
    b = imputer_class("tdimpute-self")(**SMALL, seed=3, precision=precision).fit(X, Y)
    c = imputer_class("tdimpute-self")(**SMALL, seed=4, precision=precision).fit(X, Y)
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
    cli("pretrain", "--cohort", small_cohort_file, "--exclude-cancer", "BRCA", "--out", tmp_path / "pre", *net)
    cli(
        "split",
        "--cohort",
        small_cohort_file,
        "--cancer",
        "BRCA",
        "--missing-rate",
        "0.5",
        "--out",
        tmp_path / "split.json",
    )
    split = json.loads((tmp_path / "split.json").read_text())
    fitted = {}
    for method in ["tdimpute", "tdimpute-notf"]:
        cli(
            "fit",
            "--method",
            method,
            "--cohort",
            small_cohort_file,
            "--split",
            tmp_path / "split.json",
            "--pretrained",
            tmp_path / "pre",
            "--out",
            tmp_path / method,
            *(["--epochs", "3", "--weight-decay", "0.5"] if method == "tdimpute" else []),
        )
        cli(
            "impute",
            "--model",
            tmp_path / method,
            "--cohort",
            small_cohort_file,
            "--split",
            tmp_path / "split.json",
            "--out",
            tmp_path / f"{method}.tsv.gz",
        )
        fitted[method] = read_expression(tmp_path / f"{method}.tsv.gz")
        assert sorted(fitted[method].index) == sorted(split["test"])
        assert fitted[method].shape[1] == 40
    # Fine-tuning moved the weights away from the pretrained network.
    assert not np.allclose(fitted["tdimpute"].to_numpy(), fitted["tdimpute-notf"].to_numpy())
    spec = json.loads((tmp_path / "tdimpute" / "model.json").read_text())
    assert len(spec["metadata"]["history"]) == 3 and spec["params"]["weight_decay"] == 0.5


def test_finetuning_refuses_a_model_that_is_not_pretrained(small_cohort_file, tmp_path, cli):
    cli("fit", "--method", "mean", "--cohort", small_cohort_file, "--cancer", "BRCA", "--out", tmp_path / "mean")
    result = cli(
        "fit",
        "--method",
        "tdimpute",
        "--cohort",
        small_cohort_file,
        "--cancer",
        "BRCA",
        "--pretrained",
        tmp_path / "mean",
        "--out",
        tmp_path / "ft",
        check=False,
    )
    assert result.returncode == 1
    assert "holds a mean model, not a pretrained network" in result.stderr
    assert not (tmp_path / "ft").exists()


def test_finetuning_weight_decay_pulls_the_kernels_toward_the_pretrained_ones(small_cohort, tmp_path):
    imputer_class("tdimpute-notf")(**SMALL).fit(*_frames(small_cohort, "KIRC")).save(tmp_path / "pre")
    pretrained = load_model(tmp_path / "pre")
    target = _frames(small_cohort, "BRCA")

    def fine_tuned(decay: float):
        return imputer_class("tdimpute")(
            pretrained=str(tmp_path / "pre"), epochs=5, batch_size=16, learning_rate=1e-3, weight_decay=decay
        ).fit(*target)

    def kernel_shift(model) -> float:
        return max(np.abs(a - b).max() for a, b in zip(_kernels(model), _kernels(pretrained)))

    # Strength 1 / learning rate puts the kernels back at the pretrained ones after every step
    # (the infinite-strength limit); the biases still learn the target.
    held = fine_tuned(1e3)
    assert kernel_shift(held) < 1e-6
    assert not np.allclose(held.predict(target[0]), pretrained.predict(target[0]))
    assert kernel_shift(fine_tuned(100.0)) < 0.5 * kernel_shift(fine_tuned(0.0))
    plus = imputer_class("tdimpute-plus")(pretrained=str(tmp_path / "pre"), weight_decay=30.0)
    assert plus.make_network().weight_decay == 30.0


def _kernels(model) -> list[np.ndarray]:
    return [layer.kernel.numpy() for layer in model.network_.layers if hasattr(layer, "kernel")]


def test_bfloat16_training_follows_float32_training(small_cohort):
    X, Y = _frames(small_cohort, "BRCA")
    settings = {**SMALL, "epochs": 40}
    exact = imputer_class("tdimpute-self")(**settings, precision="float32").fit(X, Y)
    mixed = imputer_class("tdimpute-self")(**settings, precision="bfloat16").fit(X, Y)
    assert exact.compute_dtype_ == "float32" and mixed.compute_dtype_ == "bfloat16"
    assert exact.history_[-1] < 0.8 * exact.history_[0]  # it learned
    assert mixed.history_[-1] == pytest.approx(exact.history_[-1], rel=0.02)
    rmse = [float(np.sqrt(((m.predict(X) - Y) ** 2).to_numpy().mean())) for m in (exact, mixed)]
    assert rmse[1] == pytest.approx(rmse[0], rel=0.02)


def _interrupt_at_step(monkeypatch, step: int) -> None:
    """SIGTERM arrives during the `step`-th training step, as a scheduler would send it."""
    import os
    import signal

    from tdimpute.models import training

    calls = {"n": 0}
    original = training._Loop.step

    def step_then_signal(self, *args):
        calls["n"] += 1
        if calls["n"] == step:
            os.kill(os.getpid(), signal.SIGTERM)
        return original(self, *args)

    monkeypatch.setattr(training._Loop, "step", step_then_signal)


def test_interrupted_training_resumes_to_the_same_weights(small_cohort, tmp_path, monkeypatch):
    from tdimpute.errors import TdimputeError
    from tdimpute.models.training import CHECKPOINT_FILE, Interrupted

    X, Y = _frames(small_cohort, "BRCA")  # 4 batches of 16 per epoch
    settings = {**SMALL, "epochs": 6, "checkpoint_dir": str(tmp_path / "ck"), "checkpoint_every": 2}
    uninterrupted = imputer_class("tdimpute-self")(**SMALL | {"epochs": 6}).fit(X, Y)
    with monkeypatch.context() as patch:
        _interrupt_at_step(patch, 6)  # mid-epoch 2
        with pytest.raises(Interrupted, match="stopped by SIGTERM in epoch 2 after batch 2; checkpoint in"):
            imputer_class("tdimpute-self")(**settings).fit(X, Y)
    assert (tmp_path / "ck" / CHECKPOINT_FILE).is_file()
    with pytest.raises(TdimputeError, match="is of another training"):  # other samples: no resume
        imputer_class("tdimpute-self")(**settings).fit(X.iloc[1:], Y.iloc[1:])
    resumed = imputer_class("tdimpute-self")(**settings).fit(X, Y)
    for a, b in zip(uninterrupted.network_.get_weights(), resumed.network_.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert resumed.history_ == uninterrupted.history_
    assert not (tmp_path / "ck" / CHECKPOINT_FILE).exists()  # done: nothing left to resume


def test_pretraining_stopped_by_sigterm_resumes_from_the_command_line(small_cohort_file, tmp_path):
    import os
    import signal
    import subprocess
    import sys

    net = ["--hidden", "16", "--epochs", "400", "--batch-size", "32", "--seed", "1"]
    command = [
        sys.executable,
        "-m",
        "tdimpute",
        "pretrain",
        "--cohort",
        str(small_cohort_file),
        "--exclude-cancer",
        "BRCA",
        *net,
    ]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    subprocess.run([*command, "--out", str(tmp_path / "whole")], check=True, env=env, capture_output=True)
    resumable = [*command, "--out", str(tmp_path / "resumed"), "--checkpoint-dir", str(tmp_path / "ck")]
    process = subprocess.Popen(resumable, env=env, stderr=subprocess.PIPE, text=True)
    for line in process.stderr:  # the first progress line: training has started
        if "epoch" in line:
            process.send_signal(signal.SIGTERM)
            break
    error = process.stderr.read()
    assert process.wait() == 143, error
    assert error.count("Error:") == 1 and "stopped by SIGTERM" in error
    assert not (tmp_path / "resumed").exists()
    finished = subprocess.run(resumable, env=env, capture_output=True, text=True)
    assert finished.returncode == 0 and "resuming epoch" in finished.stderr
    whole, resumed = load_model(tmp_path / "whole"), load_model(tmp_path / "resumed")
    for a, b in zip(whole.network_.get_weights(), resumed.network_.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_early_stopping_keeps_the_best_validation_epoch(small_cohort):
    X, Y = _frames(small_cohort, "BRCA")
    model = imputer_class("tdimpute-self")(
        hidden=[256], epochs=300, batch_size=8, learning_rate=1e-2, validation_fraction=0.25, patience=3
    ).fit(X, Y)
    validation = model.validation_history_
    best = int(np.argmin(validation))
    assert len(model.history_) == len(validation) == best + 1 + 3 < 300
