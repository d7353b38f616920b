"""Running the whole pipeline on its test profile in a folder of its own, and reading what the
run wrote: its published files, its trace and the output of `nextflow run`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

# The repository root.
ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
# The settings of the nf-test runs (no test reaches UCSC Xena) and a trace with work folders.
CONFIG = HERE / "nextflow.config"
OUTDIR = "results"
# A run of the test profile takes minutes on 2 cores; one that hangs fails its tests instead.
TIMEOUT_S = 3600


def pytest_collection_modifyitems(items):
    """Every test of this folder is a pipeline test, skipped where Nextflow is not installed."""
    no_nextflow = pytest.mark.skip(reason="nextflow is not on the PATH")
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.pipeline)
            if shutil.which("nextflow") is None:
                item.add_marker(no_nextflow)


@dataclass
class Run:
    """One `nextflow run` of the pipeline: its launch folder, exit status, output, and readers of
    the files it published (paths relative to its --outdir)."""

    folder: Path
    args: tuple[str, ...]
    returncode: int
    output: str
    trace_file: str

    def expect_success(self) -> Run:
        assert self.returncode == 0, f"the run in {self.folder} failed:\n{self.output[-4000:]}"
        return self

    def again(self, *args: str, trace_file: str) -> Run:
        """The same run in the same folder (its work folder too), with more arguments."""
        return launch(self.folder, *self.args, *args, trace_file=trace_file)

    def path(self, relative: str) -> Path:
        return self.folder / OUTDIR / relative

    def text(self, relative: str) -> str:
        return self.path(relative).read_text()

    def json(self, relative: str):
        return json.loads(self.text(relative))

    def table(self, relative: str) -> pd.DataFrame:
        """A tab-separated table, gzipped or not."""
        return pd.read_csv(self.path(relative), sep="\t")

    def matrix(self, relative: str) -> pd.DataFrame:
        """A features x samples matrix file (Xena-like TSV, gzipped or not) as samples x features."""
        return pd.read_csv(self.path(relative), sep="\t", index_col=0).T

    def cohort(self, relative: str, cancer: str | None = None):
        """A published cohort file (of one cancer type's samples), read by the package."""
        from tdimpute.cohort import read_cohort

        return read_cohort(self.path(relative), cancer)

    def trace(self) -> pd.DataFrame:
        """The run's tasks from its trace, `process` shortened to the process's own name."""
        tasks = pd.read_csv(self.folder / self.trace_file, sep="\t")
        tasks["process"] = tasks["process"].str.split(":").str[-1]
        return tasks

    def staged_cohorts(self) -> dict[str, set[str]]:
        """Process -> the names of the cohort files (HDF5) its tasks staged: links in their work folders."""
        staged = defaultdict(set)
        for process, folder in self.trace()[["process", "workdir"]].itertuples(index=False):
            staged[process] |= {file.name for file in Path(folder).glob("*.h5") if file.is_symlink()}
        return staged

    def task_folders(self) -> list[Path]:
        """The tasks' folders in the run's work folder, whether the trace lists them or not."""
        return sorted((self.folder / "work").glob("??/*/"))


def launch(folder: Path, *args: str, trace_file: str = "trace.txt") -> Run:
    """`nextflow run <repo> -profile test ARGS` with `folder` as the launch folder, where its
    work folder, --outdir, trace, `.nextflow` and logs go."""
    command = [
        "nextflow",
        "run",
        str(ROOT),
        "-profile",
        "test",
        "-c",
        str(CONFIG),
        "-ansi-log",
        "false",
        "-work-dir",
        "work",
        "-with-trace",
        trace_file,
        "--outdir",
        OUTDIR,
        *args,
    ]
    done = subprocess.run(
        command,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        env={**os.environ, "NXF_OFFLINE": "true"},
    )
    return Run(folder, args, done.returncode, done.stdout + done.stderr, trace_file)


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory):
    """`pipeline("name", "--mode", "impute")`: a run of the test profile with these arguments,
    launched in a new folder of its own."""

    def run(name: str, *args: str) -> Run:
        return launch(tmp_path_factory.mktemp(name), *args)

    return run


@pytest.fixture(scope="session")
def method_names() -> list[str]:
    """The methods, as the package lists them (assets/methods.json)."""
    return [method["name"] for method in json.loads((ROOT / "assets" / "methods.json").read_text())]


@pytest.fixture(scope="session")
def samplesheets() -> Path:
    """The folder of the small Xena-like cohorts and their samplesheets."""
    return ROOT / "assets" / "test_data" / "samplesheet"
