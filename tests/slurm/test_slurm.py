"""The pipeline on a real Slurm cluster: every task is a Slurm job that asked for the CPUs,
memory and time of its label, and the gpu profile's tasks ask for a GPU in their partition.

Needs a cluster that answers `sinfo` (SLURM_CONF, else the one of scripts/slurm-cluster.sh):
    make slurm-test     # starts the one-node cluster, runs these tests, stops it
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENV = {
    **os.environ,
    "NXF_OFFLINE": "true",
    "SLURM_CONF": os.environ.get("SLURM_CONF") or str(ROOT / ".slurm" / "slurm.conf"),
}
METHODS = ["mean", "ridge-cv", "tdimpute"]
NETWORK_METHODS = {
    method["name"] for method in json.loads((ROOT / "assets" / "methods.json").read_text()) if method["trains_network"]
} & set(METHODS)
GB, HOUR = 2**30, 3_600_000  # bytes, milliseconds: the trace's raw units

# What conf/base.config asks for on a first attempt: (cpus, memory, time) by process, and for
# FIT and IMPUTE by whether the method trains a network.
SINGLE = (1, 4 * GB, 2 * HOUR)  # process_single: every other process the test profile runs
ASKS = {
    "PRETRAIN": (6, 36 * GB, 8 * HOUR),
    ("FIT", True): (6, 36 * GB, 8 * HOUR),
    ("IMPUTE", True): (6, 36 * GB, 8 * HOUR),
    ("FIT", False): (2, 4 * GB, 2 * HOUR),
    ("IMPUTE", False): (2, 4 * GB, 2 * HOUR),
    "EVALUATE": (1, 2 * GB, 1 * HOUR),
    "DOWNSTREAM": (2, 4 * GB, 1 * HOUR),
}
TEST_LIMITS = (2, 6 * GB, 1 * HOUR)  # conf/test.config's resourceLimits


def cluster_answers() -> bool:
    if shutil.which("sinfo") is None:
        return False
    try:
        return subprocess.run(["sinfo", "--noheader"], env=ENV, capture_output=True, timeout=3).returncode == 0
    except subprocess.TimeoutExpired:
        return False


# `make slurm-test` sets TDIMPUTE_SLURM_TESTS=required: there, a missing cluster fails the tests.
pytestmark = [
    pytest.mark.skipif(shutil.which("nextflow") is None, reason="nextflow is not on the PATH"),
    pytest.mark.skipif(
        os.environ.get("TDIMPUTE_SLURM_TESTS") != "required" and not cluster_answers(),
        reason="no Slurm cluster answers sinfo (scripts/slurm-cluster.sh start)",
    ),
]


def run_pipeline(folder: Path, *args: str) -> list[dict[str, str]]:
    """`nextflow run` through Slurm in `folder`, with the trace in raw units."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "check.config").write_text(
        'trace.fields = "task_id,native_id,process,tag,status,exit,cpus,memory,time,workdir"\n'
        "trace.raw = true\n"
        # Notice finished jobs sooner than the 5 s / 1 min defaults: the tasks are short here.
        "executor { pollInterval = '1 sec'; queueStatInterval = '10 sec' }\n"
    )
    done = subprocess.run(
        [
            "nextflow",
            "run",
            str(ROOT),
            *args,
            "--outdir",
            "out",
            "-w",
            "work",
            "-c",
            "check.config",
            "-with-trace",
            "trace.txt",
        ],
        cwd=folder,
        env=ENV,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    with open(folder / "trace.txt", newline="") as trace:
        return list(csv.DictReader(trace, delimiter="\t"))


def finished_jobs() -> dict[str, dict[str, str]]:
    """Slurm's record of every finished job (its job completion log), by job id."""
    config = subprocess.run(["scontrol", "show", "config"], env=ENV, capture_output=True, text=True, check=True).stdout
    log = Path(re.search(r"^JobCompLoc\s*=\s*(\S+)", config, re.MULTILINE).group(1))
    jobs = [dict(re.findall(r"(\w+)=(\S*)", line)) for line in log.read_text().splitlines()]
    return {job["JobId"]: job for job in jobs}


def slurm_tres(job: dict[str, str]) -> dict[str, str]:
    return dict(item.split("=", 1) for item in job["Tres"].split(",") if "=" in item)


def megabytes(slurm_memory: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([MGT])", slurm_memory).groups()
    return int(number) * {"M": 1, "G": 1024, "T": 1024**2}[unit]


def uses_network(row: dict[str, str]) -> bool:
    return row["tag"].rsplit("_", 1)[-1] in NETWORK_METHODS


def expected_ask(row: dict[str, str]) -> tuple[int, int, int]:
    name = row["process"].split(":")[-1]
    ask = ASKS.get((name, uses_network(row))) or ASKS.get(name) or SINGLE
    return tuple(min(value, limit) for value, limit in zip(ask, TEST_LIMITS))


@pytest.fixture(scope="module")
def benchmark_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("slurm_run")
    trace = run_pipeline(folder, "-profile", "test,slurm", "--methods", ",".join(METHODS))
    return folder, trace


@pytest.fixture(scope="module")
def gpu_stub_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("slurm_gpu_run")
    trace = run_pipeline(
        folder,
        "-profile",
        "test,slurm,gpu",
        "-stub-run",
        "--methods",
        "mean,tdimpute",
        "--slurm_queue",
        "main",
        "--slurm_gpu_queue",
        "gpu",
        "--slurm_account",
        "ci",
        "--slurm_options=--comment=tdimpute-ci",
    )
    return folder, trace


def test_a_job_sees_only_the_cpus_it_asked_for():
    done = subprocess.run(
        ["srun", "--cpus-per-task=1", "--mem=100M", "nproc"],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.strip() == "1"


def test_every_task_ran_as_a_slurm_job_of_the_slurm_executor(benchmark_run):
    folder, trace = benchmark_run
    assert re.search(r"executor > slurm\b", (folder / ".nextflow.log").read_text())
    steps = {(row["process"].split(":")[-1], row["tag"].rsplit("_", 1)[-1]) for row in trace}
    assert {(step, method) for step in ["FIT", "IMPUTE", "EVALUATE", "DOWNSTREAM"] for method in METHODS} <= steps
    jobs = finished_jobs()
    for row in trace:
        assert row["status"] == "COMPLETED", row
        assert row["native_id"].isdigit(), row
        job = jobs[row["native_id"]]
        assert job["JobState"] == "COMPLETED" and job["WorkDir"] == row["workdir"], (row, job)


def test_each_task_asked_slurm_for_what_its_label_gives_it(benchmark_run):
    _, trace = benchmark_run
    jobs = finished_jobs()
    for row in trace:
        asked = (int(row["cpus"]), int(row["memory"]), int(row["time"]))
        assert asked == expected_ask(row), row
        job = jobs[row["native_id"]]
        tres = slurm_tres(job)
        granted = (int(tres["cpu"]), megabytes(tres["mem"]) * 2**20, int(job["TimeLimit"]) * 60_000)
        assert granted == asked, (row, job)


def test_with_the_gpu_profile_the_network_tasks_ask_slurm_for_a_gpu_in_their_partition(gpu_stub_run):
    _, trace = gpu_stub_run
    jobs = finished_jobs()
    gpu_tasks = [
        row
        for row in trace
        if row["process"].endswith(":PRETRAIN")
        or row["process"].split(":")[-1] in ("FIT", "IMPUTE")
        and uses_network(row)
    ]
    assert len(gpu_tasks) == 5  # PRETRAIN, then FIT and IMPUTE at both missing rates
    for row in trace:
        job = jobs[row["native_id"]]
        wants_gpu = row in gpu_tasks
        assert job["JobState"] == "COMPLETED" and job["Account"] == "ci", (row, job)
        assert job["Partition"] == ("gpu" if wants_gpu else "main"), (row, job)
        header = [
            line
            for line in (Path(row["workdir"]) / ".command.run").read_text().splitlines()
            if line.startswith("#SBATCH")
        ]
        options = " ".join(header).split()
        assert "--comment=tdimpute-ci" in options, header
        assert ("--gres=gpu:1" in options) == wants_gpu, (row, header)
