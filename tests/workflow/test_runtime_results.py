"""How tasks run: the pipeline's own command line, and GPU requests (test_runtime.yml)."""

import re

import pytest

NETWORK_METHODS = ("tdimpute", "tdimpute-self", "tdimpute-notf", "tdimpute-plus")


@pytest.mark.workflow("pipeline runs its own tdimpute from bin without the package installed")
def test_tasks_found_tdimpute_in_the_pipelines_bin(workflow_dir):
    versions = (workflow_dir / "results/pipeline_info/software_versions.yml").read_text()
    from tdimpute import __version__

    assert f"tdimpute: {__version__}" in versions


def _docker_runs(workflow_dir):
    """[(task name, docker run arguments)] of every task, from the stand-in docker's log."""
    runs = []
    for line in (workflow_dir / "docker_calls.txt").read_text().splitlines():
        if line.startswith("run "):
            workdir = re.search(r" -w (\S+) ", line).group(1)
            header = (workflow_dir / workdir / ".command.run").read_text()
            runs.append((re.search(r"^### name: '(.+)'$", header, re.M).group(1), line))
    return runs


@pytest.mark.workflow("pipeline with the gpu profile gives a GPU to the network tasks only")
def test_only_network_tasks_get_the_gpu_options_and_image(workflow_dir):
    runs = _docker_runs(workflow_dir)
    assert len(runs) == 90  # every task of the test profile ran in the container

    def trains_a_network(task):
        process = task.split(" ")[0].split(":")[-1]
        method = task.rstrip(")").rsplit("_", 1)[-1]
        return process == "PRETRAIN" or (process in ("FIT", "IMPUTE") and method in NETWORK_METHODS)

    gpu = [task for task, line in runs if " --gpus all " in line]
    assert gpu == [task for task, _ in runs if trains_a_network(task)] and len(gpu) == 17
    for task, line in runs:
        image = "tdimpute/tdimpute-gpu:" if trains_a_network(task) else "tdimpute/tdimpute:"
        assert f" {image}" in line, (task, line)
