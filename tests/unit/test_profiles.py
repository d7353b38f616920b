"""Every execution profile resolves (`nextflow config`), alone and with the gpu profile; the
clouds cannot be reached here, so what is checked is what Nextflow would submit with."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXECUTORS = {
    "slurm": "slurm",
    "awsbatch": "awsbatch",
    "google": "google-batch",
    "azurebatch": "azurebatch",
    "kubernetes": "k8s",
}

pytestmark = [pytest.mark.skipif(shutil.which("nextflow") is None, reason="nextflow is not on the PATH")]


def resolved(profiles: str) -> dict[str, str]:
    done = subprocess.run(
        ["nextflow", "config", "-flat", "-profile", profiles, str(ROOT)], capture_output=True, text=True, check=True
    )
    return dict(line.split(" = ", 1) for line in done.stdout.splitlines() if " = " in line)


@pytest.mark.parametrize("profile", EXECUTORS)
def test_each_scheduler_and_cloud_profile_resolves_with_its_executor_and_gpus(profile):
    config = resolved(f"{profile},gpu")
    assert config["process.executor"] == f"'{EXECUTORS[profile]}'"
    assert config["process.container"] == config["params.container_cpu"]  # the clouds need an image
    assert config["process.'withLabel:process_gpu'.accelerator"] == "1"
    assert config["process.'withLabel:process_gpu'.container"] == config["params.container_gpu"]
    assert not any("runOptions" in key and "gpu" in value for key, value in config.items())
    # The gpu profile adds to conf/base.config's selectors; it must not replace their resources.
    for selector in ["withLabel:process_gpu", "withName:FIT|IMPUTE"]:
        assert {"cpus", "memory", "time"} <= {
            key.rsplit(".", 1)[1] for key in config if key.startswith(f"process.'{selector}'.")
        }, selector


def test_a_profile_alone_requests_no_gpu():
    assert not any("accelerator" in key for key in resolved("awsbatch"))
