"""Downloads against a local HTTP server on 127.0.0.1: nothing reaches the internet."""

import gzip
import http.server
import threading

import pytest

from tdimpute.download import Remote, cohort_files, download, pancan_files
from tdimpute.errors import TdimputeError

PAYLOAD = gzip.compress(bytes(range(256)) * 4000)  # about 1 MB, not compressible much


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves PAYLOAD at every path without "missing" in it, honouring Range; `cut` is how many of the
    next responses break off halfway, `ranges` whether Range is honoured."""

    cut, ranges, log = 0, True, []

    def do_GET(self):
        if "missing" in self.path:
            self.send_error(404, "Not Found")
            return
        start = 0
        wanted = self.headers.get("Range")
        type(self).log.append(wanted)
        if wanted and type(self).ranges:
            start = int(wanted.removeprefix("bytes=").rstrip("-"))
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(PAYLOAD) - 1}/{len(PAYLOAD)}")
        else:
            self.send_response(200)
        body = PAYLOAD[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if type(self).cut:
            type(self).cut -= 1
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.connection.shutdown(2)  # the connection drops mid-transfer
            return
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    _Handler.cut, _Handler.ranges, _Handler.log = 0, True, []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", _Handler
    httpd.shutdown()


def test_a_broken_transfer_resumes_where_it_stopped(server, tmp_path):
    url, handler = server
    handler.cut = 1
    path = download(Remote(f"{url}/a.gz", "a.gz"), tmp_path, backoff=0)
    assert path.read_bytes() == PAYLOAD and not (tmp_path / "a.gz.part").exists()
    assert handler.log[0] is None and handler.log[1] == f"bytes={len(PAYLOAD) // 2}-"


def test_a_server_without_range_sends_the_whole_file_again(server, tmp_path):
    url, handler = server
    handler.cut, handler.ranges = 1, False
    assert download(Remote(f"{url}/a.gz", "a.gz"), tmp_path, backoff=0).read_bytes() == PAYLOAD


def test_a_file_that_never_arrives_whole_is_not_renamed(server, tmp_path):
    url, handler = server
    handler.cut = 10
    with pytest.raises(TdimputeError, match="failed after 3 attempts"):
        download(Remote(f"{url}/a.gz", "a.gz"), tmp_path, retries=3, backoff=0)
    assert not (tmp_path / "a.gz").exists()


def test_missing_files_fail_at_once_and_finished_ones_are_kept(server, tmp_path, cli):
    url, handler = server
    result = cli(
        "download", "--cohort", "luad", "--tcga-hub", f"{url}/missing", "--out", tmp_path / "luad", check=False
    )
    assert result.returncode == 1 and result.stderr.count("\n") == 1 and "HTTP 404 Not Found" in result.stderr
    assert not list((tmp_path / "luad").glob("*"))
    cli("download", "--pancan", "--pancan-hub", url, "--out", tmp_path / "pancan")
    assert sorted(p.name for p in (tmp_path / "pancan").iterdir()) == sorted(
        [r.name for r in pancan_files()] + ["samplesheet.csv"]
    )
    served = len(handler.log)
    cli("download", "--pancan", "--pancan-hub", url, "--out", tmp_path / "pancan")
    assert len(handler.log) == served  # nothing fetched twice


def test_cohort_files_are_the_xena_hub_names():
    names = [r.url for r in cohort_files("luad", "https://hub")]
    assert names == [
        "https://hub/TCGA.LUAD.sampleMap/HumanMethylation450.gz",
        "https://hub/TCGA.LUAD.sampleMap/HiSeqV2.gz",
        "https://hub/TCGA.LUAD.sampleMap/LUAD_clinicalMatrix",
    ]


def test_the_download_folder_is_a_samplesheet_of_what_it_holds(server, tmp_path, cli):
    from tdimpute.samplesheet import read_samplesheet

    url, _ = server
    cli(
        "download",
        "--cohort",
        "luad",
        "--cohort",
        "BRCA",
        "--survival",
        "--tcga-hub",
        url,
        "--pancan-hub",
        url,
        "--out",
        tmp_path / "xena",
    )
    survival = tmp_path / "xena" / pancan_files()[2].name
    rows = read_samplesheet(tmp_path / "xena")
    assert [(r.cohort, r.methylation.name, r.expression.name, r.clinical) for r in rows] == [
        ("LUAD", "TCGA.LUAD.HumanMethylation450.gz", "TCGA.LUAD.HiSeqV2.gz", survival),
        ("BRCA", "TCGA.BRCA.HumanMethylation450.gz", "TCGA.BRCA.HiSeqV2.gz", survival),
    ]
    cli("download", "--pancan", "--pancan-hub", url, "--out", tmp_path / "pancan")
    (pancan,) = read_samplesheet(tmp_path / "pancan")
    assert (pancan.cohort, pancan.methylation.name, pancan.expression.name, pancan.clinical.name) == (
        "PANCAN",
        pancan_files()[0].name,
        pancan_files()[1].name,
        pancan_files()[2].name,
    )
