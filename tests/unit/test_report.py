"""The HTML report: report-data copies numbers from the run's files; MultiQC renders them;
a headless Chromium opens the result without console errors."""

import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "modules" / "local" / "report_data" / "tests" / "data"
DOWNSTREAM_RUN = "BRCA_rate0.3_rep1_tdimpute-plus"
MISSING_RATE = "Missing rate (share of the samples whose expression is hidden)"
BENCHMARK_SURVIVAL = "Survival of the two expression clusters: BRCA, 30 % missing, replicate 1, tdimpute-plus"
COMPLETED_SURVIVAL = "Survival of the two expression clusters of the completed BRCA cohort"
# The report's sidebar, in the order of assets/multiqc_config.yml.
SIDEBAR = [
    "Cohorts",
    "Imputed samples",
    "Prognostic genes of the completed cohort",
    "Per-gene reliability",
    "Genes imputed at least this well",
    "Best method",
    "RMSE against missing rate",
    "MAE against missing rate",
    "R² per sample against missing rate",
    "R² per gene (mean) against missing rate",
    "R² per gene (median) against missing rate",
    "Accuracy per cancer, missing rate and method",
    "Driver genes top-100 overlap against missing rate",
    "Driver genes PR-AUC against missing rate",
    "Prognostic genes top-100 overlap against missing rate",
    "Prognostic genes PR-AUC against missing rate",
    "Cluster agreement (adjusted Rand index) against missing rate",
    "C-index of a ridge Cox model against missing rate",
    "Downstream analyses: imputed against true expression",
    "Survival of the expression clusters",
    COMPLETED_SURVIVAL,
    BENCHMARK_SURVIVAL,
    "tdimpute-plus: candidates and weights",
    "Training loss",
    "Parameters",
    "Software versions",
]
LINE_PLOTS = 15  # 5 accuracy, 6 downstream, 2 survival, training loss, reliability


def _report_data(cli, out: Path):
    return cli(
        "report-data",
        "--out",
        out,
        "--cohort-summary",
        DATA / "simulated.summary.json",
        "--accuracy",
        DATA / "benchmark_summary.tsv",
        "--downstream",
        DATA / "downstream_summary.tsv",
        "--model",
        DATA / "BRCA_rate0.3_rep1_tdimpute-plus.model.json",
        "--model",
        DATA / "BRCA_rate0.7_rep1_tdimpute-plus.model.json",
        "--model",
        DATA / "BRCA_rate0.3_rep1_lasso-cv.model.json",
        "--completed",
        DATA / "completed_BRCA",
        "--reliability",
        DATA / "BRCA_tdimpute-plus.reliability.tsv",
        "--downstream-run",
        DATA / DOWNSTREAM_RUN,
        "--versions",
        DATA / "software_versions.yml",
        "--parameters",
        DATA / "parameters.json",
    )


def _section(folder: Path, name: str) -> dict:
    return json.loads((folder / f"{name}_mqc.json").read_text())


@pytest.fixture(scope="module")
def report_folder(tmp_path_factory, cli):
    out = tmp_path_factory.mktemp("report") / "report_data"
    _report_data(cli, out)
    return out


def test_report_data_copies_every_number_from_its_source(report_folder):
    rmse = _section(report_folder, "accuracy_rmse")
    assert rmse["plot_type"] == "linegraph"
    assert rmse["data"] == {"mean": {"0.3": 0.9, "0.7": 0.95}, "tdimpute-plus": {"0.3": 0.55, "0.7": 0.61}}
    table = _section(report_folder, "accuracy_table")["data"]
    assert table["BRCA 0.7 tdimpute-plus"]["RMSE SD"] == 0.04
    assert table["BRCA 0.3 mean"]["R² per sample mean"] == 0.8 and table["BRCA 0.3 mean"]["Replicates"] == 2
    best = _section(report_folder, "best_method")["data"]
    assert best.count("<strong>tdimpute-plus</strong>") == 2 and "0.5500" in best and "0.6100" in best
    downstream = _section(report_folder, "downstream_table")["data"]
    assert downstream["BRCA 0.3 mean"]["Prognostic genes PR-AUC mean"] is None  # NA in the source
    assert downstream["BRCA 0.3 tdimpute-plus"]["Cluster ARI mean"] == 0.85
    loss = _section(report_folder, "training_loss")["data"]
    assert loss == {"BRCA_rate0.3_rep1_tdimpute-plus": {"1": 0.3, "2": 0.2, "3": 0.15}}
    stacking = _section(report_folder, "plus_stacking")["data"]  # tdimpute-plus fits only, a row per candidate
    assert list(stacking) == [
        f"BRCA_rate{rate}_rep1_tdimpute-plus {name}"
        for rate in ("0.3", "0.7")
        for name in ("lasso", "ridge", "network")
    ]
    assert stacking["BRCA_rate0.3_rep1_tdimpute-plus ridge"] == {
        "Candidate": "ridge",
        "Inner-CV RMSE": 0.64,
        "Weight": 0.3,
        "Linear part": "shared blend",
    }
    assert stacking["BRCA_rate0.7_rep1_tdimpute-plus network"]["Weight"] == 0.0
    gene_r2 = _section(report_folder, "accuracy_gene_r2_median")["data"]
    assert gene_r2 == {"mean": {"0.3": 0.28, "0.7": 0.22}, "tdimpute-plus": {"0.3": 0.72, "0.7": 0.61}}
    assert table["BRCA 0.7 mean"]["R² per gene (mean) mean"] == 0.25
    cohorts = _section(report_folder, "cohorts")["data"]
    assert cohorts["simulated"]["Without expression"] == 24
    completed = _section(report_folder, "imputed_samples")["data"]["completed_BRCA"]
    assert completed["Imputed"] == 8 and completed["Clusters log-rank p-value"] == 0.0012
    assert completed["Cluster 1 imputed share"] == 0.25 and completed["Cluster 2 imputed share"] == 0.15
    reliability = _section(report_folder, "reliability_table")["data"]["BRCA_tdimpute-plus"]
    assert reliability == {
        "Genes": 5,
        "Median skill": 0.275,
        "Median R²": 0.35,
        "Genes with skill >= 0.5": 1,
        "Genes with skill >= 0.25": 2,
        "Genes no better than their mean (skill <= 0)": 1,
    }
    curve = _section(report_folder, "reliability_curve")["data"]["BRCA_tdimpute-plus"]
    assert (curve["0.0"], curve["0.1"], curve["0.15"], curve["0.85"], curve["0.9"]) == (3, 3, 2, 1, 0)
    prognosis = _section(report_folder, "completed_prognosis")["data"]
    assert list(prognosis)[:2] == ["completed_BRCA G1", "completed_BRCA G2"]
    versions = _section(report_folder, "software_versions")["data"]
    assert "<td>tensorflow</td><td><samp>2.21.0</samp></td>" in versions
    parameters = _section(report_folder, "parameters")["data"]
    assert "<td>mode</td><td><samp>benchmark</samp></td>" in parameters and "pretrained_model" not in parameters
    assert {p.suffix for p in report_folder.iterdir()} == {".json"}  # no image: every figure is a plot


def test_every_figure_is_a_line_plot_with_a_title_and_axes_in_words(report_folder):
    plots = [
        section
        for section in map(json.loads, (p.read_text() for p in report_folder.iterdir()))
        if section["plot_type"] == "linegraph"
    ]
    assert len(plots) == LINE_PLOTS
    for plot in plots:
        config = plot["pconfig"]
        assert config["title"] == plot["section_name"] and plot["description"].endswith("."), plot["id"]
        for words in (config["title"], config["xlab"], config["ylab"]):
            assert "_" not in words and words[0].isupper(), (plot["id"], words)
    rmse = _section(report_folder, "accuracy_rmse")["pconfig"]
    assert (rmse["title"], rmse["xlab"], rmse["ylab"]) == ("RMSE against missing rate", MISSING_RATE, "RMSE")


def test_downstream_measures_are_drawn_against_missing_rate_one_line_per_method(report_folder):
    expected = {
        "driving_top_overlap": "Driver genes top-100 overlap",
        "driving_pr_auc": "Driver genes PR-AUC",
        "prognostic_top_overlap": "Prognostic genes top-100 overlap",
        "prognostic_pr_auc": "Prognostic genes PR-AUC",
        "cluster_ari": "Cluster agreement (adjusted Rand index)",
        "ridge_cox_cindex_imputed": "C-index of a ridge Cox model",
    }
    for measure, label in expected.items():
        plot = _section(report_folder, f"downstream_{measure}")
        assert plot["plot_type"] == "linegraph"
        assert plot["section_name"] == plot["pconfig"]["title"] == f"{label} against missing rate"
        assert (plot["pconfig"]["xlab"], plot["pconfig"]["ylab"]) == (MISSING_RATE, label)
    overlap = _section(report_folder, "downstream_driving_top_overlap")["data"]
    assert overlap == {"mean": {"0.3": 0.12, "0.7": 0.1}, "tdimpute-plus": {"0.3": 0.74, "0.7": 0.66}}
    assert _section(report_folder, "downstream_prognostic_pr_auc")["data"]["mean"] == {"0.3": None, "0.7": None}
    cindex = _section(report_folder, "downstream_ridge_cox_cindex_imputed")["data"]
    assert cindex == {
        "mean": {"0.3": 0.5, "0.7": 0.5},
        "tdimpute-plus": {"0.3": 0.68, "0.7": 0.64},
        "true expression": {"0.3": 0.7, "0.7": 0.69},
    }


def test_several_cancers_get_a_line_per_method_and_cancer(tmp_path, cli):
    summary = (DATA / "downstream_summary.tsv").read_text().splitlines()
    (tmp_path / "two.tsv").write_text("\n".join(summary + [row.replace("BRCA", "LUAD") for row in summary[1:]]))
    cli("report-data", "--out", tmp_path / "out", "--downstream", tmp_path / "two.tsv")
    assert sorted(_section(tmp_path / "out", "downstream_ridge_cox_cindex_imputed")["data"]) == [
        "mean (BRCA)",
        "mean (LUAD)",
        "tdimpute-plus (BRCA)",
        "tdimpute-plus (LUAD)",
        "true expression (BRCA)",
        "true expression (LUAD)",
    ]
    ari = _section(tmp_path / "out", "downstream_cluster_ari")["data"]
    assert ari["tdimpute-plus (LUAD)"] == {"0.3": 0.85, "0.7": 0.75}


def test_survival_curves_are_named_in_words_and_copied_from_kaplan_meier_tsv(report_folder):
    benchmark = _section(report_folder, "survival_BRCA_rate0_3_rep1_tdimpute_plus")
    assert benchmark["section_name"] == benchmark["pconfig"]["title"] == BENCHMARK_SURVIVAL
    assert (benchmark["pconfig"]["xlab"], benchmark["pconfig"]["ylab"]) == ("Days", "Overall survival")
    assert sorted(benchmark["data"]) == [
        "Imputed expression: cluster 1 (n = 11)",
        "Imputed expression: cluster 2 (n = 13)",
        "True expression: cluster 1 (n = 10)",
        "True expression: cluster 2 (n = 14)",
    ]
    true_second = benchmark["data"]["True expression: cluster 2 (n = 14)"]
    assert true_second == {"0.0": 1.0, "350.0": 0.928571, "1200.0": 0.77381}
    assert "0.021 on the true, 0.048 on the imputed expression" in benchmark["description"]
    completed = _section(report_folder, "survival_completed_BRCA")
    assert completed["section_name"] == COMPLETED_SURVIVAL
    assert completed["data"]["Completed cohort: cluster 2 (n = 22)"] == {"0.0": 1.0, "300.0": 0.954545, "1500.0": 0.8}
    assert "log-rank p-value 0.0012" in completed["description"]
    assert benchmark["parent_id"] == completed["parent_id"] == "cluster_survival"


def test_report_data_refuses_missing_or_wrong_inputs(tmp_path, cli):
    result = cli("report-data", "--out", tmp_path / "out", "--accuracy", tmp_path / "absent.tsv", check=False)
    assert result.returncode == 1 and result.stderr.strip().splitlines() == [
        f"Error: {tmp_path / 'absent.tsv'} does not exist"
    ]
    result = cli("report-data", "--out", tmp_path / "out", "--accuracy", DATA / "downstream_summary.tsv", check=False)
    assert result.returncode == 1 and "is not a summarize table (no column 'rmse_mean')" in result.stderr
    assert not (tmp_path / "out").exists() and not list(tmp_path.glob(".out*"))
    run = tmp_path / "run"
    shutil.copytree(DATA / DOWNSTREAM_RUN, run)
    (run / "kaplan_meier.tsv").unlink()
    result = cli("report-data", "--out", tmp_path / "out", "--downstream-run", run, check=False)
    assert result.returncode == 1 and "kaplan_meier.tsv does not exist" in result.stderr
    shutil.copy(DATA / DOWNSTREAM_RUN / "kaplan_meier.tsv", run)
    (run / "downstream.json").write_text(json.dumps({"cancer": "BRCA", "missing_rate": 0.3, "replicate": 1}))
    result = cli("report-data", "--out", tmp_path / "out", "--downstream-run", run, check=False)
    assert result.returncode == 1 and "lacks 'method' (was it written with --method?)" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.fixture(scope="module")
def report_html(report_folder, tmp_path_factory):
    multiqc = shutil.which("multiqc", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    if multiqc is None:
        _missing("MultiQC (pip install 'tdimpute[report]')")
    out = tmp_path_factory.mktemp("multiqc")
    config = Path(__file__).resolve().parents[2] / "assets" / "multiqc_config.yml"
    subprocess.run(
        [
            multiqc,
            "--force",
            "--config",
            str(config),
            "--filename",
            "report.html",
            "--outdir",
            str(out),
            str(report_folder),
        ],
        check=True,
        capture_output=True,
    )
    return out / "report.html"


def test_multiqc_report_holds_every_section_and_number(report_html):
    text = report_html.read_text()
    for section in [
        "cohorts",
        "best_method",
        "accuracy_rmse",
        "accuracy_mae",
        "accuracy_r2",
        "accuracy_gene_r2_mean",
        "accuracy_gene_r2_median",
        "accuracy_table",
        "downstream_table",
        "plus_stacking",
        "training_loss",
        "imputed_samples",
        "completed_prognosis",
        "reliability_table",
        "reliability_curve",
        "downstream_driving_top_overlap",
        "downstream_driving_pr_auc",
        "downstream_prognostic_top_overlap",
        "downstream_prognostic_pr_auc",
        "downstream_cluster_ari",
        "downstream_ridge_cox_cindex_imputed",
        "cluster_survival",
        "survival_completed_BRCA",
        "survival_BRCA_rate0_3_rep1_tdimpute_plus",
        "software_versions",
        "parameters",
    ]:
        assert f'id="mqc-module-section-{section}"' in text or f'id="{section}"' in text, section
    data = report_html.parent / "report_data"
    table = (data / "multiqc_accuracy_table_table.txt").read_text().splitlines()
    header = table[0].split("\t")
    row = next(line.split("\t") for line in table if line.startswith("BRCA 0.7 tdimpute-plus"))
    assert float(row[header.index("RMSE mean")]) == 0.61


def _missing(what: str) -> None:
    """CI installs everything the report needs; elsewhere its tests may be skipped."""
    (pytest.fail if os.environ.get("CI") else pytest.skip)(f"{what} is not installed")


def _open_in_chromium(html: Path, screenshot: Path) -> tuple[list[str], str]:
    """Console errors and uncaught exceptions of the page, and its DOM after scripts ran."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        _missing("chromium (Debian package chromium)")
    catcher = (
        "<script>window.__errors=[];const __e=console.error;console.error=(...a)=>{__errors.push(a.join(' '));"
        "__e(...a)};addEventListener('error',ev=>__errors.push(String(ev.message)));"
        "addEventListener('unhandledrejection',ev=>__errors.push(String(ev.reason)));"
        "addEventListener('load',()=>setTimeout(()=>document.documentElement.setAttribute("
        "'data-console-errors',JSON.stringify(__errors)),3000));</script>"
    )
    probed = html.with_name("probed_" + html.name)
    probed.write_text(html.read_text().replace("<head>", "<head>" + catcher, 1))
    common = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--virtual-time-budget=20000",
        "--window-size=1400,4000",
    ]
    dom = subprocess.run(common + ["--dump-dom", probed.as_uri()], capture_output=True, text=True, timeout=180).stdout
    subprocess.run(common + [f"--screenshot={screenshot}", html.as_uri()], capture_output=True, timeout=180)
    marker = 'data-console-errors="'
    assert marker in dom, "the page never finished loading"
    errors = json.loads(dom.split(marker, 1)[1].split('"', 1)[0].replace("&quot;", '"'))
    return errors, dom


def test_browser_catches_console_errors_of_a_broken_page(tmp_path):
    page = tmp_path / "broken.html"
    page.write_text("<html><head></head><body><script>undefinedFunction()</script></body></html>")
    errors, _ = _open_in_chromium(page, tmp_path / "broken.png")
    assert errors and "undefinedFunction" in errors[0]


def test_report_opens_in_a_browser_without_console_errors(report_html, tmp_path):
    screenshot = Path(os.environ.get("REPORT_SCREENSHOT_DIR", tmp_path)) / "tdimpute_report.png"
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    errors, dom = _open_in_chromium(report_html, screenshot)
    assert errors == []
    drawn = re.findall(r'<div[^>]*class="[^"]*js-plotly-plot', dom)
    assert len(drawn) == LINE_PLOTS  # every line plot was drawn by Plotly
    assert dom.count('class="main-svg"') >= LINE_PLOTS
    from PIL import Image

    with Image.open(screenshot) as image:
        colours = image.convert("L").getextrema()
    assert colours[1] - colours[0] > 100, "the screenshot is blank"


def test_the_sidebar_and_headings_name_every_section_in_words(report_folder, report_html, tmp_path):
    _, dom = _open_in_chromium(report_html, tmp_path / "report.png")
    sidebar = [_text(link) for link in re.findall(r'<a[^>]*class="nav-l[12]"[^>]*>(.*?)</a>', dom, re.S)]
    headings = [_text(h) for h in re.findall(r"<h[23][^>]*>(.*?)</h[23]>", dom, re.S)]
    assert sidebar == SIDEBAR
    assert set(SIDEBAR) <= set(headings)
    file_names = {re.sub(r"_mqc\..*$", "", p.name) for p in report_folder.iterdir()}
    file_like = [
        title
        for title in sidebar + headings
        if title and (re.search(r"_|mqc|\.png|\.json|\.tsv|rate\d", title) or title.replace(" ", "_") in file_names)
    ]
    assert file_like == []


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", fragment))).strip()


def test_undefined_survival_figures_of_a_completed_cohort_are_shown_empty(tmp_path, cli):
    folder = tmp_path / "completed_ONE"
    shutil.copytree(DATA / "completed_BRCA", folder)
    summary = json.loads((folder / "completed.json").read_text())
    summary.update(cluster_logrank_p=None, cluster_imputed_share=[0.2, None])  # one cluster only
    (folder / "completed.json").write_text(json.dumps(summary))
    cli("report-data", "--out", tmp_path / "out", "--completed", folder)
    row = _section(tmp_path / "out", "imputed_samples")["data"]["completed_ONE"]
    assert row["Clusters log-rank p-value"] is None and row["Cluster 1 imputed share"] == 0.2
    assert row["Cluster 2 imputed share"] is None
