import json

import numpy as np
import pytest

from tdimpute.errors import TdimputeError
from tdimpute.splits import Split, make_split


def test_split_draws_floor_rate_times_n_test_samples_without_overlap(small_cohort):
    brca = small_cohort.select_cancer("BRCA")
    eligible = set(brca.samples[brca.has_expression])
    split = make_split(small_cohort, 0.3, replicate=2, seed=5, cancer="BRCA")
    assert len(split.test) == int(0.3 * len(eligible))
    assert set(split.train) | set(split.test) == eligible
    assert not set(split.train) & set(split.test)


def test_split_depends_on_seed_and_replicate_only(small_cohort):
    a = make_split(small_cohort, 0.5, replicate=1, seed=5, cancer="BRCA")
    b = make_split(
        small_cohort.take(np.arange(len(small_cohort.samples))[::-1]), 0.5, replicate=1, seed=5, cancer="BRCA"
    )
    c = make_split(small_cohort, 0.5, replicate=2, seed=5, cancer="BRCA")
    assert a.test == b.test
    assert a.test != c.test


def test_split_refuses_too_few_samples(small_cohort):
    with pytest.raises(TdimputeError, match="need at least 5 and 1"):
        make_split(small_cohort, 0.95, cancer="BRCA")
    with pytest.raises(TdimputeError, match="choose one with --cancer"):
        make_split(small_cohort, 0.5)


def test_split_cli_writes_the_documented_json(small_cohort_file, tmp_path, cli):
    out = tmp_path / "split.json"
    cli(
        "split",
        "--cohort",
        small_cohort_file,
        "--cancer",
        "LUAD",
        "--missing-rate",
        "0.3",
        "--replicate",
        "3",
        "--seed",
        "9",
        "--out",
        out,
    )
    data = json.loads(out.read_text())
    assert set(data) == {"cancer", "missing_rate", "replicate", "seed", "train", "test"}
    assert (data["cancer"], data["missing_rate"], data["replicate"], data["seed"]) == ("LUAD", 0.3, 3, 9)
    assert Split.load(out).test == data["test"]
