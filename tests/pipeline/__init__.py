"""End-to-end runs of the pipeline (a package: its module names stay apart from tests/unit/)."""
