"""Write the small synthetic Xena-style files in assets/test_data (run from the repo root).

They exercise `preprocess` on files laid out as UCSC Xena serves TCGA data: CpGs or genes as
rows, TCGA-like sample barcodes as columns, `NA` for missing values, gzip-compressed, and a
survival table with Xena's column names. `samplesheet/` holds the same samples as two cohorts
(one set of files per cancer type, as the per-cohort Xena hub serves them) and the samplesheet
that pools them; the BRCA survival table has no cancer type column, so the sheet's cohort name
gives it. `pool.csv` and `external.csv` split them into a pool and an external cohort. All
values are simulated.
"""

import gzip
from pathlib import Path

import numpy as np
import pandas as pd

from tdimpute.simulate import simulate_cohort

OUT = Path("assets/test_data")


def main() -> None:
    cohort = simulate_cohort(n_samples=60, n_cpgs=50, n_genes=15, n_cancers=2, seed=2024)
    barcodes = [f"TCGA-T{c[0]}-{i + 1:04d}-01A" for i, c in enumerate(cohort.clinical["cancer_type"])]
    methylation = pd.DataFrame(cohort.methylation, index=barcodes, columns=cohort.cpgs)
    expression = pd.DataFrame(cohort.expression, index=barcodes, columns=cohort.genes)
    methylation.iloc[3, 7] = np.nan  # one missing beta value: its CpG is dropped
    expression = expression.drop(index=barcodes[:6])  # six samples lack RNA-seq
    OUT.mkdir(parents=True, exist_ok=True)
    for name, frame in [("methylation", methylation), ("expression", expression)]:
        with gzip.GzipFile(OUT / f"{name}.tsv.gz", "wb", mtime=0) as out:
            out.write(frame.T.to_csv(sep="\t", index_label="sample", float_format="%.5f", na_rep="NA").encode())
    clinical = pd.DataFrame(
        {
            "sample": [b.replace("-", ".") for b in barcodes],  # Xena-style ids, normalised on reading
            "cancer type abbreviation": cohort.clinical["cancer_type"],
            "OS": cohort.clinical["os_event"].astype(int),
            "OS.time": cohort.clinical["os_time"],
        }
    )
    clinical.to_csv(OUT / "clinical.tsv", sep="\t", index=False)
    write_samplesheet(methylation, expression, clinical, cohort.clinical["cancer_type"].to_numpy())


def write_samplesheet(methylation, expression, clinical, cancers) -> None:
    folder = OUT / "samplesheet"
    folder.mkdir(exist_ok=True)
    lines = ["cohort,methylation,expression,clinical"]
    for cancer in sorted(set(cancers)):
        mine = methylation.index[cancers == cancer]
        for name, frame in [
            ("methylation", methylation.loc[mine]),
            ("expression", expression.loc[expression.index.isin(mine)]),
        ]:
            with gzip.GzipFile(folder / f"{cancer}.{name}.tsv.gz", "wb", mtime=0) as out:
                out.write(frame.T.to_csv(sep="\t", index_label="sample", float_format="%.5f", na_rep="NA").encode())
        table = clinical[cancers == cancer]
        if cancer == "BRCA":
            table = table.drop(columns=["cancer type abbreviation"])
        table.to_csv(folder / f"{cancer}.clinical.tsv", sep="\t", index=False)
        lines.append(f"{cancer},{cancer}.methylation.tsv.gz,{cancer}.expression.tsv.gz,{cancer}.clinical.tsv")
    (folder / "samplesheet.csv").write_text("\n".join(lines) + "\n")
    # The same files as a pool (BRCA) and an external cohort to impute with its model (LUAD).
    (folder / "pool.csv").write_text("\n".join(lines[:2]) + "\n")
    (folder / "external.csv").write_text("\n".join([lines[0], lines[2].replace("LUAD,", "EXTERNAL,", 1)]) + "\n")


if __name__ == "__main__":
    main()
