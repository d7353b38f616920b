"""A local stand-in for the UCSC Xena hubs, on 127.0.0.1, for the download tests.

    python tests/with_xena_hub.py

prints the base URL (the TCGA hub is BASE/tcga, the Pan-Cancer hub BASE/pancan) and serves
until its standard input closes. The hubs serve assets/test_data laid out as Xena does:
TCGA.<COHORT>.sampleMap/... per cohort (LUAD, BRCA, and KIRC: BRCA's files under other
barcodes, a third cohort on the same features) and the Pan-Cancer Atlas files (the same
samples). Nothing reaches the internet. tests/lib/XenaHub.groovy starts it for nf-test.
"""

import functools
import gzip
import http.server
import shutil
import sys
import tempfile
import threading
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "assets" / "test_data"
PANCAN = {  # name on the hub: the test file it serves
    "jhu-usc.edu_PANCAN_HumanMethylation450.betaValue_whitelisted.tsv.synapse_download_5096262.xena.gz": (
        "methylation.tsv.gz"
    ),
    "EB++AdjustPANCAN_IlluminaHiSeq_RNASeqV2.geneExp.xena.gz": "expression.tsv.gz",
    "Survival_SupplementalTable_S1_20171025_xena_sp": "clinical.tsv",
    "TCGA_phenotype_denseDataOnlyDownload.tsv.gz": "expression.tsv.gz",  # any file: not read
}


def build_hub(root: Path) -> None:
    for cohort in ("LUAD", "BRCA"):
        folder = root / "tcga" / f"TCGA.{cohort}.sampleMap"
        folder.mkdir(parents=True)
        shutil.copyfile(DATA / "samplesheet" / f"{cohort}.methylation.tsv.gz", folder / "HumanMethylation450.gz")
        shutil.copyfile(DATA / "samplesheet" / f"{cohort}.expression.tsv.gz", folder / "HiSeqV2.gz")
        shutil.copyfile(DATA / "samplesheet" / f"{cohort}.clinical.tsv", folder / f"{cohort}_clinicalMatrix")
    (root / "pancan").mkdir()
    for name, source in PANCAN.items():
        shutil.copyfile(DATA / source, root / "pancan" / name)
    add_relabelled_cohort(root, "BRCA", "KIRC")


def add_relabelled_cohort(root: Path, source: str, cohort: str) -> None:
    """A third cohort on the same genes and CpGs: `source`'s files under other sample barcodes,
    its survival in the Pan-Cancer table as the cohort's download reads it."""
    tcga = root / "tcga"
    folder = tcga / f"TCGA.{cohort}.sampleMap"
    folder.mkdir()

    def relabel(text: str) -> str:
        for sep in "-.":
            text = text.replace(f"TCGA{sep}T{source[0]}{sep}", f"TCGA{sep}T{cohort[0]}{sep}")
        return text

    for name in ("HumanMethylation450.gz", "HiSeqV2.gz"):
        with gzip.open(tcga / f"TCGA.{source}.sampleMap" / name, "rt") as text, gzip.open(folder / name, "wt") as out:
            out.write(relabel(text.read()))
    clinical = (tcga / f"TCGA.{source}.sampleMap" / f"{source}_clinicalMatrix").read_text()
    (folder / f"{cohort}_clinicalMatrix").write_text(relabel(clinical))
    survival = root / "pancan" / next(name for name, file in PANCAN.items() if file == "clinical.tsv")
    rows = [line for line in survival.read_text().splitlines()[1:] if f"\t{source}\t" in line]
    with survival.open("a") as table:
        table.writelines(relabel(row).replace(f"\t{source}\t", f"\t{cohort}\t") + "\n" for row in rows)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        build_hub(Path(tmp))
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=tmp)
        handler.log_message = lambda *args: None
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
        sys.stdin.read()
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
