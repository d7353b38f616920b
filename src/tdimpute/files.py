"""Writing outputs atomically: a failed command leaves no partial file behind."""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import TdimputeError


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike, directory: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside `target`; rename it onto `target` only on success.

    A temporary name in the same folder keeps the final rename atomic (same file system).
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{target.name}.tmp-"
    if directory:
        tmp = Path(tempfile.mkdtemp(prefix=prefix, dir=target.parent))
    else:
        fd, name = tempfile.mkstemp(prefix=prefix, dir=target.parent)
        os.close(fd)
        tmp = Path(name)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp's 0600 would make outputs private
    try:
        yield tmp
        if directory and target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    except BaseException:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)
        raise


def write_tsv(frame, path: str | os.PathLike, index: bool = True) -> None:
    """Write a DataFrame as TSV atomically: 6 significant digits, NA for missing values."""
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, sep="\t", index=index, float_format="%.6g", na_rep="NA")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_json(path: str | os.PathLike, data: dict) -> None:
    """Write `data` as indented JSON, atomically; NaN and infinities become null (valid JSON)."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(_finite(data), indent=2, allow_nan=False) + "\n")


def _finite(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def read_json(path: str | os.PathLike) -> dict:
    """Parse a JSON file; a missing or malformed file is a TdimputeError naming it."""
    try:
        return json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise TdimputeError(f"file not found: {path}") from None
    except json.JSONDecodeError as exc:
        raise TdimputeError(f"{path} is not valid JSON ({exc.msg} at line {exc.lineno})") from None
