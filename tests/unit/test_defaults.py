"""Each default is defined once: a method's by its estimator's signature (assets/methods.json
and the docs' table are generated from it), a pipeline parameter's by nextflow.config (the
schema must agree), a choice list by its Enum in `tdimpute.choices`."""

import json
import re
import shutil
import subprocess

import pytest
from conftest import ROOT

from tdimpute.choices import DuplicateSamples, Precision
from tdimpute.models.registry import DEFAULTS_BEGIN, DEFAULTS_END, defaults_markdown
from tdimpute.models.training import FINE_TUNING, PRETRAINING

SCHEMA = json.loads((ROOT / "nextflow_schema.json").read_text())
RULES = {name: rule for group in SCHEMA["$defs"].values() for name, rule in group["properties"].items()}
REGENERATE = "regenerate the generated copies: make generated"
# Computed in nextflow.config: the run's start time, nf-core's institutional configs' address.
COMPUTED = ("trace_report_suffix", "custom_config_base")


def test_the_docs_table_of_defaults_is_what_the_estimators_declare():
    usage = (ROOT / "docs" / "usage.md").read_text()
    table = usage.split(DEFAULTS_BEGIN, 1)[1].split(DEFAULTS_END, 1)[0]
    assert table.strip() == defaults_markdown().strip(), REGENERATE
    assert f"`epochs={FINE_TUNING.epochs}`" in table and f"`batch_size={PRETRAINING.batch_size}`" in table


def test_the_pipeline_leaves_every_training_default_to_the_methods():
    """The network group's parameters are unset in nextflow.config and the schema, so that the
    estimator's signature is the one place of each training default."""
    training = SCHEMA["$defs"]["network_options"]["properties"]
    assert {"pretrain_epochs", "finetune_batch_size", "learning_rate", "patience"} <= set(training)
    assert not [name for name, rule in training.items() if "default" in rule]
    config = (ROOT / "nextflow.config").read_text()
    for name in training:
        assert re.search(rf"^\s*{name}\s*=\s*null\s*$", config, re.M), f"{name} is set in nextflow.config"


@pytest.mark.skipif(shutil.which("nextflow") is None, reason="nextflow is not on the PATH")
def test_nextflow_config_and_the_schema_give_each_parameter_the_same_default():
    done = subprocess.run(["nextflow", "config", "-flat", str(ROOT)], capture_output=True, text=True, check=True)
    resolved = dict(
        line.removeprefix("params.").split(" = ", 1) for line in done.stdout.splitlines() if line.startswith("params.")
    )
    differ = [
        f"{name}: nextflow.config {resolved.get(name)}, schema {_groovy(rule.get('default'))}"
        for name, rule in RULES.items()
        if name not in COMPUTED and resolved.get(name) != _groovy(rule.get("default"))
    ]
    assert not differ


def _groovy(value) -> str:
    """A schema default as `nextflow config -flat` prints it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    return f"'{value}'" if isinstance(value, str) else str(value)


@pytest.mark.parametrize(("parameter", "choices"), [("precision", Precision), ("duplicate_samples", DuplicateSamples)])
def test_the_schema_offers_the_choices_the_command_line_takes(parameter, choices):
    assert RULES[parameter]["enum"] == [choice.value for choice in choices]


def test_a_value_off_a_choice_list_is_refused_in_one_line_naming_the_choices():
    from tdimpute.errors import TdimputeError
    from tdimpute.io.matrices import Replicates
    from tdimpute.models.training import resolve_precision

    with pytest.raises(TdimputeError, match=r"^--precision must be one of auto, float32, bfloat16, got 'half'$"):
        resolve_precision("half")
    with pytest.raises(TdimputeError, match=r"^--duplicate-samples must be one of first, mean, error, got 'last'$"):
        Replicates("last")


def test_the_command_line_takes_the_method_names_from_the_registry(cli, tmp_path):
    done = cli("fit", "--method", "tdimpute-pluss", "--cohort", tmp_path / "c.h5", "--out", tmp_path / "m", check=False)
    assert done.returncode == 2 and "tdimpute-pluss" in done.stderr and "tdimpute-plus" in done.stderr
