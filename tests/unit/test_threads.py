"""`--threads N` holds a command to N cores: TensorFlow's pools, the BLAS and OpenMP pools
behind numpy and scikit-learn, and the package's own; by default, to the CPUs the process may
run on (its affinity), not to every core of the machine."""

import os
import resource
import subprocess
import sys
import time

import pytest
from conftest import run_cli

from tdimpute.threads import available_cpus

# Big enough that on two idle cores, without --threads, both fits keep more than 1.2 cores
# busy (about 1.4 and 1.5); float32 products take longer than bfloat16 ones, and they are
# what spreads over the cores.
COHORT = {"n_samples": 1000, "n_cpgs": 6000, "n_genes": 300, "n_cancers": 2, "seed": 3}
FITS = {
    "tdimpute-self": ["--hidden", "2048", "--epochs", "30", "--batch-size", "500", "--precision", "float32"],
    "ridge-cv": [],
}

needs_cores = pytest.mark.skipif(available_cpus() < 2, reason="one CPU: nothing to hold back")


@pytest.fixture(scope="module")
def large_cohort_file(tmp_path_factory):
    from tdimpute.cohort import write_cohort
    from tdimpute.simulate import simulate_cohort

    path = tmp_path_factory.mktemp("threads") / "cohort.h5"
    write_cohort(simulate_cohort(**COHORT), path)
    return path


def cores_used(*args) -> float:
    """CPU time (user + system) of `tdimpute ARGS` per second of wall time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    run_cli(*args)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) / wall


@needs_cores
@pytest.mark.parametrize("method", FITS)
def test_a_fit_with_one_thread_keeps_to_one_core(method, large_cohort_file, tmp_path):
    used = cores_used(
        "fit",
        "--method",
        method,
        "--cohort",
        large_cohort_file,
        *FITS[method],
        "--threads",
        "1",
        "--out",
        tmp_path / "model",
    )
    assert used <= 1.2, f"{method} with --threads 1 kept {used:.2f} cores busy"


@needs_cores
@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="no CPU affinity on this system")
def test_the_default_is_the_cpus_the_process_may_run_on(tmp_path):
    """Run on one CPU of several, a command holds its pools to that one."""
    script = (
        "import sys\n"
        "from threadpoolctl import threadpool_info\n"
        "from typer.testing import CliRunner\n"
        "from tdimpute.cli import app\n"
        "from tdimpute.threads import thread_count\n"
        "result = CliRunner().invoke(app, ['simulate', '--out', sys.argv[1], '--n-samples', '10',\n"
        "                                  '--n-cpgs', '5', '--n-genes', '3'])\n"
        "assert result.exit_code == 0, result.output\n"
        "print(thread_count(), *sorted({pool['num_threads'] for pool in threadpool_info()}))\n"
    )
    one_cpu = min(os.sched_getaffinity(0))
    printed = subprocess.run(
        [sys.executable, "-c", script, tmp_path / "cohort.h5"],
        capture_output=True,
        text=True,
        check=True,
        preexec_fn=lambda: os.sched_setaffinity(0, {one_cpu}),
    ).stdout
    assert printed.split() == ["1", "1"]
