import gzip
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[4] / "assets" / "test_data" / "samplesheet"


@pytest.mark.workflow("module download")
def test_download_module_fetches_the_hub_files_byte_for_byte(workflow_dir):
    fetched = workflow_dir / "results/download/TCGA.LUAD.HumanMethylation450.gz"
    assert fetched.read_bytes() == (DATA / "LUAD.methylation.tsv.gz").read_bytes()
    assert gzip.decompress(fetched.read_bytes()).startswith(b"sample\tTCGA-TL-")
