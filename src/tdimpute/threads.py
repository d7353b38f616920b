"""How many threads tdimpute computes with: every pool held to one number.

A pipeline task is given a number of CPUs (`--threads`, Nextflow's `task.cpus`); left alone,
TensorFlow, the BLAS and OpenMP libraries behind numpy and scikit-learn, and the package's own
thread pools would each start one thread per core of the node, and the tasks sharing a node
would slow each other down. `limit_threads` holds them all to the number given.
"""

from __future__ import annotations

import os

# Read when a BLAS or OpenMP library loads: they hold the libraries loaded after
# `limit_threads`, which `threadpool_limits` (loaded libraries only) cannot reach.
_LIBRARY_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
_limit: int | None = None


def available_cpus() -> int:
    """The CPUs this process may run on (its affinity, which a batch scheduler, a container or
    `taskset` restricts), where the system tells; else every CPU of the machine."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def thread_limit() -> int | None:
    """The number set by `limit_threads`, or None when nothing was limited."""
    return _limit


def thread_count() -> int:
    """How many threads a pool of the package may start: the limit, else the CPUs available."""
    return _limit or available_cpus()


def limit_threads(n: int) -> None:
    """Hold the BLAS and OpenMP pools, TensorFlow's (`models.backend` applies the limit when it
    loads TensorFlow, so call this before) and the package's own pools to `n` threads."""
    from threadpoolctl import threadpool_limits

    global _limit
    if n < 1:
        raise ValueError(f"the number of threads must be at least 1, got {n}")
    _limit = n
    for variable in _LIBRARY_VARIABLES:
        os.environ[variable] = str(n)
    threadpool_limits(limits=n)
