"""The version is written in src/tdimpute/__init__.py; the pipeline's manifest and image tags
repeat it (a strict Nextflow config cannot read it), and must agree."""

import re
from pathlib import Path

from tdimpute import __version__

CONFIG = (Path(__file__).resolve().parents[2] / "nextflow.config").read_text()


def test_the_manifest_and_the_image_tags_carry_the_package_version():
    assert re.search(r"^\s*version\s*=\s*'([^']+)'", CONFIG, re.M).group(1) == __version__
    tags = re.findall(r"container_(?:cpu|gpu)\s*=\s*'tdimpute/tdimpute(?:-gpu)?:([^']+)'", CONFIG)
    assert tags == [__version__, __version__]


def test_the_singularity_recipe_builds_from_the_image_of_this_version():
    recipe = (Path(__file__).resolve().parents[2] / "containers" / "tdimpute.def").read_text()
    assert re.search(r"^From:\s*tdimpute/tdimpute:(\S+)$", recipe, re.M).group(1) == __version__
