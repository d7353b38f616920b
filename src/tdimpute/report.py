"""MultiQC custom content from a run's outputs: the tables and plots of the HTML report.

Every number written here is copied from one of the run's output files (named in each
section's description), never recomputed, so the report traces back to the results folder.
Files follow MultiQC's custom-content conventions: `<id>_mqc.json` tables, plots and HTML
sections, `<name>_mqc.png` images.
"""

from __future__ import annotations

import html
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import TdimputeError
from .files import read_json

ACCURACY = {"rmse": "RMSE", "mae": "MAE", "r2": "R² per sample", "gene_r2_mean": "R² per gene (mean)",
            "gene_r2_median": "R² per gene (median)"}
DOWNSTREAM = {
    "driving_pr_auc": "Driver genes PR-AUC",
    "driving_top_overlap": "Driver genes top-100 overlap",
    "prognostic_pr_auc": "Prognostic genes PR-AUC",
    "prognostic_top_overlap": "Prognostic genes top-100 overlap",
    "cluster_ari": "Cluster ARI",
    "ridge_cox_cindex_true": "C-index (true)",
    "ridge_cox_cindex_imputed": "C-index (imputed)",
}
TOP_PROGNOSTIC = 20


@dataclass
class ReportInputs:
    """The run's outputs that the report shows; any of them may be absent."""

    cohorts: list[Path] = field(default_factory=list)  # VALIDATE summaries
    accuracy: Path | None = None  # SUMMARIZE: benchmark_summary.tsv
    downstream: Path | None = None  # SUMMARIZE_DOWNSTREAM: downstream_summary.tsv
    models: list[Path] = field(default_factory=list)  # model.json of PRETRAIN and FIT
    completed: list[Path] = field(default_factory=list)  # COMPLETE folders (impute mode), with figures
    reliability: list[Path] = field(default_factory=list)  # IMPUTE: <run>.reliability.tsv
    figures: list[Path] = field(default_factory=list)  # PNG files shown as they are
    versions: Path | None = None  # pipeline_info/software_versions.yml
    parameters: Path | None = None  # the run's parameters (JSON)


def write_report_data(inputs: ReportInputs, out: Path) -> list[str]:
    """Write every section whose input is given into `out`; returns the file names."""
    sections: dict[str, dict] = {}
    if inputs.cohorts:
        sections["cohorts_mqc.json"] = cohort_table(inputs.cohorts)
    if inputs.accuracy:
        summary = _read_summary(inputs.accuracy, ["rmse_mean"])
        sections["best_method_mqc.json"] = best_method_section(summary, inputs.accuracy.name)
        measures = [m for m in ACCURACY if f"{m}_mean" in summary]  # summaries before per-gene R² lack it
        for measure in measures:
            sections[f"accuracy_{measure}_mqc.json"] = by_missing_rate(summary, measure, ACCURACY[measure],
                                                                       inputs.accuracy.name)
        sections["accuracy_table_mqc.json"] = summary_table(summary, measures, inputs.accuracy.name,
                                                           "accuracy_table", "Accuracy per cancer, missing rate and method")
    if inputs.downstream:
        summary = _read_summary(inputs.downstream, ["cluster_ari_mean"])
        measures = [m for m in DOWNSTREAM if f"{m}_mean" in summary]
        sections["downstream_table_mqc.json"] = summary_table(summary, measures, inputs.downstream.name,
                                                             "downstream_table", "Downstream analyses: imputed against true expression")
    if inputs.models:
        models = {_model_label(path): read_json(path) for path in inputs.models}
        sections["training_loss_mqc.json"] = training_curves(models)
        stacking = stacking_table(models)
        if stacking:
            sections["plus_stacking_mqc.json"] = stacking
    if inputs.completed:
        sections["imputed_samples_mqc.json"] = completed_table(inputs.completed)
        sections["completed_prognosis_mqc.json"] = completed_prognosis(inputs.completed)
    if inputs.reliability:
        tables = {path.name.removesuffix(".reliability.tsv"): _read_reliability(path) for path in inputs.reliability}
        sections["reliability_table_mqc.json"] = reliability_table(tables)
        sections["reliability_curve_mqc.json"] = reliability_curve(tables)
    if inputs.versions:
        sections["software_versions_mqc.json"] = versions_section(inputs.versions)
    if inputs.parameters:
        sections["parameters_mqc.json"] = parameters_section(inputs.parameters)
    out.mkdir(parents=True, exist_ok=True)
    for name, content in sections.items():
        (out / name).write_text(json.dumps(content, indent=1, allow_nan=False))
    figures = _figure_names(inputs.figures)
    for figure, name in zip(inputs.figures, figures):
        shutil.copyfile(figure, out / name)
    for folder in inputs.completed:  # the survival curves of each completed cohort
        if (folder / "kaplan_meier.png").is_file():
            figures.append(f"{folder.name}_kaplan_meier_mqc.png")
            shutil.copyfile(folder / "kaplan_meier.png", out / figures[-1])
    return sorted(sections) + sorted(figures)


def cohort_table(paths: list[Path]) -> dict:
    rows = []
    for path in paths:
        summary = read_json(path)
        rows.append({"cohort": path.name.removesuffix(".summary.json"),
                     "Samples": summary["n_samples"], "CpGs": summary["n_cpgs"], "Genes": summary["n_genes"],
                     "Without expression": summary["n_without_expression"],
                     "Cancer types": ", ".join(summary["cancer_types"])})
    return _table_section(pd.DataFrame(rows).set_index("cohort"), "cohorts", "Cohorts",
                        "Samples, features and samples lacking RNA-seq of each cohort (VALIDATE summaries).")


def best_method_section(summary: pd.DataFrame, source: str) -> dict:
    """Which method has the lowest mean RMSE at each cancer and missing rate."""
    best = summary.loc[summary.groupby(["cancer", "missing_rate"])["rmse_mean"].idxmin()]
    rows = "".join(
        f"<tr><td>{html.escape(str(r.cancer))}</td><td>{r.missing_rate:g}</td>"
        f"<td><strong>{html.escape(r.method)}</strong></td><td>{r.rmse_mean:.4f}</td></tr>"
        for r in best.itertuples())
    table = ("<table class='table table-condensed'><thead><tr><th>Cancer</th><th>Missing rate</th>"
             "<th>Best method</th><th>Mean RMSE</th></tr></thead><tbody>" + rows + "</tbody></table>")
    return {"id": "best_method", "section_name": "Best method", "plot_type": "html",
            "description": f"The method with the lowest mean RMSE over replicates ({source}).",
            "data": table}


def by_missing_rate(summary: pd.DataFrame, measure: str, label: str, source: str) -> dict:
    """One line per cancer and method: the mean over replicates against the missing rate."""
    data = {}
    for (cancer, method), rows in summary.groupby(["cancer", "method"], sort=True):
        series = f"{method} ({cancer})" if summary["cancer"].nunique() > 1 else method
        data[series] = {float(rate): _number(value) for rate, value in zip(rows["missing_rate"], rows[f"{measure}_mean"])}
    return {"id": f"accuracy_{measure}", "section_name": f"{label} against missing rate",
            "plot_type": "linegraph",
            "description": (f"Mean {label} over replicates of each method ({source}); the standard "
                            "deviations are in the accuracy table and the figures below."),
            "pconfig": {"id": f"accuracy_{measure}_plot", "title": f"{label} against missing rate",
                        "xlab": "Missing rate", "ylab": label, "showlegend": True},
            "data": data}


def summary_table(summary: pd.DataFrame, measures: list[str], source: str, section: str, title: str) -> dict:
    table = summary.assign(run=summary["cancer"] + " " + summary["missing_rate"].map("{:g}".format)
                           + " " + summary["method"]).set_index("run")
    columns = {"n_replicates": "Replicates"}
    for measure in measures:
        label = ACCURACY.get(measure) or DOWNSTREAM.get(measure, measure)
        columns[f"{measure}_mean"] = f"{label} mean"
        if f"{measure}_std" in table:
            columns[f"{measure}_std"] = f"{label} SD"
    shown = table[list(columns)].rename(columns=columns)
    return _table_section(shown, section, title, f"Per cancer, missing rate and method, over replicates ({source}).")


def training_curves(models: dict[str, dict]) -> dict:
    """The training loss of every network, by epoch, from model.json contents by run."""
    data = {}
    for label, spec in models.items():
        history = spec.get("metadata", {}).get("history") or []
        if history:
            data[label] = {epoch: _number(loss) for epoch, loss in enumerate(history, start=1)}
    return {"id": "training_loss", "section_name": "Training loss", "plot_type": "linegraph",
            "description": "RMSE loss on scaled expression per epoch of each pretraining and fine-tuning (model.json).",
            "pconfig": {"id": "training_loss_plot", "title": "Training loss", "xlab": "Epoch", "ylab": "Loss", "showlegend": True},
            "data": data}


def stacking_table(models: dict[str, dict]) -> dict | None:
    """What each tdimpute-plus fit chose: every candidate's inner cross-validation error and
    its weight in the imputation."""
    rows = []
    for label, spec in models.items():
        if spec.get("method") != "tdimpute-plus":
            continue
        chosen = spec.get("metadata", {})
        for candidate in chosen.get("candidates", []):
            rows.append({"fit and candidate": f"{label} {candidate['name']}", "Candidate": candidate["name"],
                         "Inner-CV RMSE": _number(candidate.get("cv_rmse")), "Weight": _number(candidate.get("weight")),
                         "Linear part": chosen.get("linear")})
    if not rows:
        return None
    return _table_section(pd.DataFrame(rows).set_index("fit and candidate"), "plus_stacking",
                          "tdimpute-plus: candidates and weights",
                          "Each tdimpute-plus fit's candidates, judged on its training samples alone (model.json). "
                          "Inner-CV RMSE: the Lasso's and ridge's on every training sample, each predicted by "
                          "a fit without its cross-validation fold; the networks' on the folds they were trained "
                          "without (the first fold, or as many as hold 30 samples in a small cohort). Weight: "
                          "the candidate's share of the imputation (the mean over genes for per-gene weights). "
                          "Linear part: the Lasso or ridge alone, or their blend, a blend being chosen only when "
                          "its cross-fitted gain over the better one exceeds one standard error; the networks' "
                          "weights likewise are 0 unless the cross-fitted gain of their blend with the linear "
                          "part on those folds exceeds one standard error.")


def completed_table(folders: list[Path]) -> dict:
    rows = []
    for folder in folders:
        summary = read_json(folder / "completed.json")
        shares = summary.get("cluster_imputed_share") or [None, None]  # null where undefined
        rows.append({"cohort": folder.name, "Samples": summary["n_samples"], "Observed": summary["n_observed"],
                     "Imputed": summary["n_imputed"], "Genes with Cox p <= 0.05": summary["n_prognostic_genes_p05"],
                     "Clusters log-rank p-value": _number(summary.get("cluster_logrank_p")),
                     "Cluster 1 imputed share": _number(shares[0]), "Cluster 2 imputed share": _number(shares[1])})
    return _table_section(pd.DataFrame(rows).set_index("cohort"), "imputed_samples", "Imputed samples",
                        "Samples of each cohort with measured and with imputed expression; log-rank p of the "
                        "two K-means clusters of the completed cohort on its most prognostic genes, and the "
                        "share of imputed samples in each (a cluster made mostly of imputed samples points "
                        "at the imputation rather than biology) (completed.json).")


RELIABILITY_LEVELS = (0.5, 0.25)  # skill thresholds counted in the table


def reliability_table(tables: dict[str, pd.DataFrame]) -> dict:
    """How many genes each model imputes well, judged on training samples it did not see."""
    rows = []
    for name, table in tables.items():
        skill = table["skill"].dropna()
        row = {"run": name, "Genes": int(len(table)), "Median skill": _number(skill.median()),
               "Median R²": _number(table["r2"].median())}
        for level in RELIABILITY_LEVELS:
            row[f"Genes with skill >= {level:g}"] = int((skill >= level).sum())
        row["Genes no better than their mean (skill <= 0)"] = int((skill <= 0).sum())
        rows.append(row)
    return _table_section(pd.DataFrame(rows).set_index("run"), "reliability_table", "Per-gene reliability",
                        "Accuracy of each gene on training samples held out by k-fold cross-validation "
                        "(fit --reliability-folds): skill = 1 - MSE / variance of the gene (1 perfect, 0 no "
                        "better than the gene's mean). Trust the imputed genes with high skill; the full "
                        "table per gene is <run>.reliability.tsv beside the imputed expression.")


def reliability_curve(tables: dict[str, pd.DataFrame]) -> dict:
    """Per run: the number of genes whose held-out skill reaches each threshold."""
    thresholds = np.round(np.linspace(0.0, 1.0, 21), 2)
    data = {name: {float(t): int((table["skill"] >= t).sum()) for t in thresholds} for name, table in tables.items()}
    return {"id": "reliability_curve", "section_name": "Genes imputed at least this well", "plot_type": "linegraph",
            "description": "Number of genes whose held-out skill is at or above each threshold (reliability.tsv).",
            "pconfig": {"id": "reliability_curve_plot", "title": "Genes by held-out skill",
                        "xlab": "Skill threshold", "ylab": "Genes", "ymin": 0, "showlegend": True},
            "data": data}


def completed_prognosis(folders: list[Path]) -> dict:
    tables = []
    for folder in folders:
        cox = pd.read_csv(folder / "prognosis.tsv", sep="\t", index_col=0)
        top = cox.dropna(subset=["p"]).sort_values("p", kind="stable").head(TOP_PROGNOSTIC)
        tables.append(top[["coef", "p"]].set_axis(folder.name + " " + top.index.astype(str)))
    table = pd.concat(tables).rename(columns={"coef": "Cox coefficient", "p": "p-value"})
    return _table_section(table, "completed_prognosis", "Prognostic genes of the completed cohort",
                        f"The {TOP_PROGNOSTIC} genes with the smallest univariate Cox p-value on observed "
                        "plus imputed expression (prognosis.tsv).")


def versions_section(path: Path) -> dict:
    yaml = _yaml()
    versions = yaml.safe_load(path.read_text()) or {}
    rows = sorted({(tool, str(v)) for tools in versions.values() for tool, v in (tools or {}).items()})
    body = "".join(f"<tr><td>{html.escape(t)}</td><td><samp>{html.escape(v)}</samp></td></tr>" for t, v in rows)
    return {"id": "software_versions", "section_name": "Software versions", "plot_type": "html",
            "description": "Versions used by the run's processes (software_versions.yml).",
            "data": "<table class='table table-condensed'><thead><tr><th>Software</th><th>Version</th>"
                    "</tr></thead><tbody>" + body + "</tbody></table>"}


def parameters_section(path: Path) -> dict:
    parameters = read_json(path)
    body = "".join(f"<tr><td>{html.escape(str(k))}</td><td><samp>{html.escape(str(v))}</samp></td></tr>"
                   for k, v in sorted(parameters.items()) if v not in (None, ""))
    return {"id": "parameters", "section_name": "Parameters", "plot_type": "html",
            "description": "The parameters of this run.",
            "data": "<table class='table table-condensed'><thead><tr><th>Parameter</th><th>Value</th>"
                    "</tr></thead><tbody>" + body + "</tbody></table>"}


def _read_summary(path: Path, required: list[str]) -> pd.DataFrame:
    table = pd.read_csv(path, sep="\t")
    missing = [c for c in ["cancer", "missing_rate", "method", *required] if c not in table]
    if missing:
        raise TdimputeError(f"{path} is not a summarize table (no column {missing[0]!r})")
    return table


def _read_reliability(path: Path) -> pd.DataFrame:
    table = pd.read_csv(path, sep="\t")
    if not {"gene", "r2", "skill"} <= set(table.columns):
        raise TdimputeError(f"{path} is not a reliability table (columns gene, r2, skill)")
    return table


def _table_section(table: pd.DataFrame, section: str, title: str, description: str) -> dict:
    """A MultiQC table; numbers shown to 4 decimals, the raw values kept in the data."""
    headers = {str(c): {"title": str(c), **({"format": _number_format(str(c))} if pd.api.types.is_float_dtype(table[c]) else {})}
               for c in table.columns}
    data = {str(row): {str(c): _cell(v) for c, v in values.items()} for row, values in table.iterrows()}
    return {"id": section, "section_name": title, "description": description, "plot_type": "table",
            "pconfig": {"id": f"{section}_table", "title": title, "col1_header": table.index.name or ""},
            "headers": headers, "data": data}


def _number_format(column: str) -> str:
    """p-values span many orders of magnitude: scientific notation; 4 decimals otherwise."""
    return "{:.2e}" if "p-value" in column else "{:,.4f}"


def _cell(value):
    if value is None:
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return _number(value)
    return str(value)


def _model_label(path: Path) -> str:
    """<run>.model.json as the report receives it, or <run>/model.json."""
    return path.parent.name if path.name == "model.json" else path.name.removesuffix(".model.json")


def _figure_names(paths: list[Path]) -> list[str]:
    """A figure keeps its file name, prefixed by its folder's when several share the name
    (every Kaplan-Meier figure is kaplan_meier.png in its run's folder)."""
    stems = [p.stem.removesuffix("_mqc") for p in paths]
    return [f"{p.parent.name}_{stem}_mqc.png" if stems.count(stem) > 1 else f"{stem}_mqc.png"
            for p, stem in zip(paths, stems)]


def _number(value) -> float | None:
    """A finite float, or None (JSON null) for NaN, infinities and values already null."""
    if value is None:
        return None
    value = float(value)
    return value if np.isfinite(value) else None


def _yaml():
    try:
        import yaml
    except ImportError:  # pragma: no cover - depends on the installation
        raise TdimputeError("the report needs PyYAML: pip install 'tdimpute[report]'") from None
    return yaml
