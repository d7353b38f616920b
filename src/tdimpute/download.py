"""Downloading the TCGA files from UCSC Xena: resumable, retried, checked, atomic.

A file is written to `<name>.part` and renamed to `<name>` only once its size matches the size
the server announced, so a finished name is always a whole file. An interrupted download
resumes from the bytes already on disk (HTTP Range); a server that ignores Range sends the
whole file again, which then replaces the partial one. Failed connections are retried with
exponential back-off.
"""

from __future__ import annotations

import http.client
import logging
import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from .errors import TdimputeError
from .progress import progress

log = logging.getLogger(__name__)
TCGA_HUB = "https://tcga.xenahubs.net/download"
PANCAN_HUB = "https://tcga-pancan-atlas-hub.s3.us-east-1.amazonaws.com/download"
PANCAN_FILES = (
    "jhu-usc.edu_PANCAN_HumanMethylation450.betaValue_whitelisted.tsv.synapse_download_5096262.xena.gz",
    "EB++AdjustPANCAN_IlluminaHiSeq_RNASeqV2.geneExp.xena.gz",
    "Survival_SupplementalTable_S1_20171025_xena_sp",
    "TCGA_phenotype_denseDataOnlyDownload.tsv.gz",
)
BLOCK = 1 << 20  # bytes read per request call
PROGRESS_SECONDS = 10.0


@dataclass(frozen=True)
class Remote:
    url: str
    name: str  # file name on disk


def cohort_files(cohort: str, hub: str = TCGA_HUB) -> list[Remote]:
    """The methylation, expression and clinical matrices of one TCGA cohort (e.g. LUAD)."""
    cohort = cohort.upper()
    folder = f"TCGA.{cohort}.sampleMap"
    names = ("HumanMethylation450.gz", "HiSeqV2.gz", f"{cohort}_clinicalMatrix")
    return [Remote(f"{hub}/{quote(folder)}/{quote(name)}", f"TCGA.{cohort}.{name}") for name in names]


def pancan_files(hub: str = PANCAN_HUB) -> list[Remote]:
    """The Pan-Cancer Atlas methylation, expression, survival and phenotype files."""
    return [Remote(f"{hub}/{quote(name)}", name) for name in PANCAN_FILES]


def survival_file(hub: str = PANCAN_HUB) -> Remote:
    """The Pan-Cancer Atlas survival table: overall survival and cancer type of every TCGA
    sample (the per-cohort clinical matrices give no follow-up time for living patients)."""
    return Remote(f"{hub}/{quote(PANCAN_FILES[2])}", PANCAN_FILES[2])


def download_cohorts(
    folder: Path,
    cohorts: list[str],
    pancan: bool = False,
    survival: bool = False,
    tcga_hub: str = TCGA_HUB,
    pancan_hub: str = PANCAN_HUB,
    retries: int = 5,
) -> Path | None:
    """Each TCGA cohort's matrices (with `survival`, the Pan-Cancer survival table as every
    cohort's clinical table), or the Pan-Cancer Atlas as one cohort, into `folder`; returns the
    samplesheet of them written there (None when only the survival table was asked for)."""
    from .samplesheet import CohortFiles, write_samplesheet

    fetched = {cohort: [download(r, folder, retries) for r in cohort_files(cohort, tcga_hub)] for cohort in cohorts}
    table = download(survival_file(pancan_hub), folder, retries) if survival or pancan else None
    rows = [
        CohortFiles(cohort.upper(), methylation, expression, table or clinical)
        for cohort, (methylation, expression, clinical) in fetched.items()
    ]
    if pancan:
        methylation, expression, *_ = [download(r, folder, retries) for r in pancan_files(pancan_hub)]
        rows.append(CohortFiles("PANCAN", methylation, expression, table))
    return write_samplesheet(rows, folder) if rows else None


def download(remote: Remote, folder: Path, retries: int = 5, timeout: float = 60.0, backoff: float = 2.0) -> Path:
    """Fetch one file into `folder` (see the module's description); returns its path."""
    target = folder / remote.name
    if target.is_file():
        log.info("download: %s is already here", remote.name)
        return target
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / (remote.name + ".part")
    for attempt in range(1, retries + 1):
        try:
            total = _fetch(remote, partial, timeout)
            break
        except (urllib.error.URLError, http.client.HTTPException, OSError, _Incomplete) as exc:
            if isinstance(exc, urllib.error.HTTPError) and exc.code < 500 and exc.code != 429:
                raise TdimputeError(f"download of {remote.url} failed: HTTP {exc.code} {exc.reason}") from None
            if attempt == retries:
                raise TdimputeError(f"download of {remote.url} failed after {retries} attempts: {exc!r}") from None
            wait = backoff ** (attempt - 1)
            log.info("download: %s: %r; retrying in %g s (%d/%d)", remote.name, exc, wait, attempt, retries)
            time.sleep(wait)
    os.replace(partial, target)
    log.info("download: %s complete (%d bytes)", remote.name, total)
    return target


class _Incomplete(Exception):
    """The connection ended before the announced size arrived."""


def _fetch(remote: Remote, partial: Path, timeout: float) -> int:
    """Append the missing bytes to `partial`; returns the file's total size."""
    have = partial.stat().st_size if partial.exists() else 0
    request = urllib.request.Request(remote.url, headers={"Range": f"bytes={have}-"} if have else {})
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code != 416:  # Range not satisfiable: the partial file is not a prefix of this one
            raise
        partial.unlink()
        raise _Incomplete("the partial file did not fit the remote one; starting again") from None
    with response:
        if response.status == 206:
            total = int(response.headers["Content-Range"].rsplit("/", 1)[1])
            mode = "ab"
        else:  # the server sent everything: start over
            have, mode = 0, "wb"
            total = int(response.headers.get("Content-Length", -1))
        last_report = time.monotonic()
        with open(partial, mode) as out, progress(f"download {remote.name}", total if total > 0 else None, have) as bar:
            while block := response.read(BLOCK):
                out.write(block)
                have += len(block)
                due = time.monotonic() - last_report >= PROGRESS_SECONDS
                last_report = time.monotonic() if due else last_report
                share = f" ({100 * have / total:.0f} %)" if total > 0 else ""
                bar.update(have, f"{have / 1e6:.1f} MB{share}", line=due)
    if total >= 0 and have != total:
        raise _Incomplete(f"received {have} of {total} bytes")
    return have
