"""The method registry is the one list of methods: the pipeline's files derive from it or agree."""

import json
import re

from conftest import ROOT

from tdimpute.models import METHODS, method_table

REGENERATE = "regenerate it: make generated"


def test_assets_methods_json_is_what_tdimpute_methods_prints(cli):
    printed = json.loads(cli("methods", "--json").stdout)
    assert printed == method_table()
    assert json.loads((ROOT / "assets" / "methods.json").read_text()) == printed, REGENERATE


def test_every_method_declares_what_it_needs():
    table = {entry["name"]: entry for entry in method_table()}
    assert list(table) == list(METHODS)
    assert {name for name, entry in table.items() if entry["uses_pretrained"]} == {
        "tdimpute",
        "tdimpute-notf",
        "tdimpute-plus",
        "ridge-transfer",
        "lasso-transfer",
    }
    assert {name for name, entry in table.items() if entry["trains_network"]} == {
        name for name in METHODS if name.startswith("tdimpute")
    }
    assert all(entry["description"] for entry in table.values())
    assert "pretrained" in table["tdimpute"]["options"] and "alpha" in table["lasso"]["options"]


def test_the_schema_and_the_defaults_hold_no_copy_of_the_method_list():
    """--methods defaults to all of them; the names are checked against assets/methods.json."""
    schema = json.loads((ROOT / "nextflow_schema.json").read_text())
    rules = {name: rule for group in schema["$defs"].values() for name, rule in group["properties"].items()}
    assert rules["methods"]["default"] == "all" and "enum" not in rules["impute_method"]
    assert not any(name in rules["methods"]["pattern"] for name in METHODS)
    pattern = re.compile(rules["methods"]["pattern"])
    assert pattern.search("all") and pattern.search(",".join(METHODS)) and not pattern.search("mean,")
    assert re.compile(rules["impute_method"]["pattern"]).search(rules["impute_method"]["default"])
    assert rules["impute_method"]["default"] in METHODS
    config = (ROOT / "nextflow.config").read_text()
    assert re.search(r"^\s*methods\s*=\s*'([^']*)'", config, re.M)[1] == "all"
    assert re.search(r"^\s*impute_method\s*=\s*'([^']*)'", config, re.M)[1] == rules["impute_method"]["default"]


def test_the_pipeline_reads_the_registry_instead_of_listing_methods():
    """What a method needs is read from assets/methods.json; beside the recommended default
    (above) only the per-method schedules of conf/modules.config name methods."""
    assert "startsWith('tdimpute')" not in (ROOT / "nextflow.config").read_text()
    code = [
        ROOT / "main.nf",
        *ROOT.glob("workflows/*.nf"),
        *ROOT.glob("subworkflows/local/*/main.nf"),
        *ROOT.glob("modules/local/*/main.nf"),
    ]
    quoted_name = re.compile("'(" + "|".join(map(re.escape, METHODS)) + ")'")
    for path in code:
        text = path.read_text()
        assert "transfer_methods" not in text and not quoted_name.search(text), f"{path} names a method"
    assert "methodRegistry()" in (ROOT / "workflows" / "tdimpute.nf").read_text()
    assert "assets/methods.json" in (ROOT / "subworkflows" / "local" / "utils_tdimpute" / "main.nf").read_text()
    schedules = (ROOT / "conf" / "modules.config").read_text()
    named = set(re.findall(r"'(tdimpute[-\w]*)'\s*:", schedules))
    assert named and named <= {entry["name"] for entry in method_table() if entry["trains_network"]}
