"""TensorFlow, imported on first use and quietly: the baselines never load it."""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile

from ..errors import TdimputeError
from ..threads import thread_limit

# What TensorFlow's native libraries print while loading, before its log level applies.
_LOADING_NOISE = re.compile(r"WARNING: All log messages before absl::InitializeLog\(\)|I\d{4} [\d:. ]+\d+ \S+\] ")


def tensorflow():
    """The `tensorflow` module; its native libraries' loading notices are filtered out, and
    its thread pools hold to the package's limit (`threads.limit_threads`)."""
    loading = "tensorflow" not in sys.modules
    if loading:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
    try:
        with _filtered_native_stderr(os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2") != "0"):
            import tensorflow as tf
    except ImportError:  # pragma: no cover - depends on the installation
        raise TdimputeError("TensorFlow is not installed: pip install 'tdimpute[cpu]' (or '[gpu]')") from None
    if loading:
        _hold_threads(tf)
    return tf


def _hold_threads(tf) -> None:
    """TensorFlow fixes its pools' sizes when it initialises: set them as it loads."""
    limit = thread_limit()
    if limit is not None:
        tf.config.threading.set_intra_op_parallelism_threads(limit)
        tf.config.threading.set_inter_op_parallelism_threads(limit)


def seed_everything(seed: int) -> None:
    """TensorFlow's weight initialisers and shuffles draw from its global generator."""
    tf = tensorflow()
    tf.keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


@contextlib.contextmanager
def _filtered_native_stderr(active: bool):
    """Within the block, stderr (the file descriptor, which native code writes to) is caught,
    then written back without the absl preamble and INFO lines (oneDNN's notice) that
    TensorFlow's libraries print while loading whatever TF_CPP_MIN_LOG_LEVEL says."""
    if not active or "tensorflow" in sys.modules:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as caught:
        os.dup2(caught.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            caught.seek(0)
            kept = [
                line
                for line in caught.read().decode(errors="replace").splitlines(keepends=True)
                if not _LOADING_NOISE.match(line)
            ]
            sys.stderr.write("".join(kept))
