"""Versions of the package and its scientific stack, read without importing them."""

from __future__ import annotations

import platform
from importlib.metadata import PackageNotFoundError, version

from . import __version__

# The distribution names under which each library may be installed.
STACK = {
    "numpy": ("numpy",),
    "pandas": ("pandas",),
    "h5py": ("h5py",),
    "scikit-learn": ("scikit-learn",),
    "scipy": ("scipy",),
    "lifelines": ("lifelines",),
    "tensorflow": ("tensorflow", "tensorflow-cpu"),
}


def software_versions() -> dict[str, str]:
    found = {"tdimpute": __version__, "python": platform.python_version()}
    for name, distributions in STACK.items():
        for distribution in distributions:
            try:
                found[name] = version(distribution)
                break
            except PackageNotFoundError:
                continue
    return found


def versions_yaml(process: str) -> str:
    """The nf-core `versions.yml` layout: the process name, then `tool: version` lines."""
    lines = [f'"{process}":'] + [f"    {k}: {v}" for k, v in software_versions().items()]
    return "\n".join(lines) + "\n"
