"""Shared fixtures: small simulated cohorts and the real LUAD data beside the project."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LUAD = ROOT.parent / "shared" / "data" / "tcga_luad"


def run_cli(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run `tdimpute ARGS` in a fresh interpreter, as Nextflow does."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(
        [sys.executable, "-m", "tdimpute", *map(str, args)], capture_output=True, text=True, env=env
    )
    if check and result.returncode != 0:
        raise AssertionError(f"tdimpute {' '.join(map(str, args))} failed:\n{result.stderr}")
    return result


@pytest.fixture(scope="session")
def small_cohort():
    from tdimpute.simulate import simulate_cohort

    return simulate_cohort(n_samples=180, n_cpgs=120, n_genes=40, n_cancers=3, missing_fraction=0.1, seed=7)


@pytest.fixture(scope="session")
def small_cohort_file(tmp_path_factory, small_cohort):
    from tdimpute.cohort import write_cohort

    path = tmp_path_factory.mktemp("cohort") / "small.h5"
    write_cohort(small_cohort, path)
    return path


@pytest.fixture(scope="session")
def luad_dir():
    if not (LUAD / "RNA_seq_AD.csv").is_file():
        pytest.skip("the shared LUAD data is not beside the project")
    return LUAD


@pytest.fixture(scope="session")
def cli():
    """`cli("split", "--cohort", path, ...)` runs the command line; see `run_cli`."""
    return run_cli
