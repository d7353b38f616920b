"""MultiQC custom content from a run's outputs: the tables and plots of the HTML report.

Every number written here is copied from one of the run's output files (named in each
section's description), never recomputed, so the report traces back to the results folder.
Files follow MultiQC's custom-content conventions: `<id>_mqc.json` tables, plots and HTML
sections; every figure is a MultiQC line plot with a written title and axes.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import TdimputeError
from .files import read_json
from .models.stacking import CLEAR_GAIN_SE

ACCURACY = {
    "rmse": "RMSE",
    "mae": "MAE",
    "r2": "R² per sample",
    "gene_r2_mean": "R² per gene (mean)",
    "gene_r2_median": "R² per gene (median)",
    # With --benchmark_intervals: the share of true values within their bounds, and the bounds' width.
    "interval_coverage": "Interval coverage",
    "interval_width": "Interval width",
}
DOWNSTREAM = {
    "driving_pr_auc": "Driver genes PR-AUC",
    "driving_top_overlap": "Driver genes top-100 overlap",
    "prognostic_pr_auc": "Prognostic genes PR-AUC",
    "prognostic_top_overlap": "Prognostic genes top-100 overlap",
    "cluster_ari": "Cluster ARI",
    "ridge_cox_cindex_true": "C-index (true)",
    "ridge_cox_cindex_imputed": "C-index (imputed)",
}
# The downstream measures drawn against missing rate: the axis label, and what the measure says.
DOWNSTREAM_PLOTS = {
    "driving_top_overlap": (
        "Driver genes top-100 overlap",
        "Share of the 100 genes best correlated with a CpG in the true expression that are "
        "among the 100 of the imputed expression",
    ),
    "driving_pr_auc": (
        "Driver genes PR-AUC",
        "How well the imputed expression ranks the genes that methylation drives in the true "
        "expression (area under the precision-recall curve)",
    ),
    "prognostic_top_overlap": (
        "Prognostic genes top-100 overlap",
        "Share of the 100 genes with the smallest univariate Cox p-value in the true "
        "expression that are among the 100 of the imputed expression",
    ),
    "prognostic_pr_auc": (
        "Prognostic genes PR-AUC",
        "How well the Cox p-values of the imputed expression rank the prognostic genes of the "
        "true expression (p <= 0.05; area under the precision-recall curve)",
    ),
    "cluster_ari": (
        "Cluster agreement (adjusted Rand index)",
        "Agreement of the two K-means clusters of the test samples on imputed and on true "
        "expression (1 the same clusters, 0 chance)",
    ),
    "ridge_cox_cindex_imputed": (
        "C-index of a ridge Cox model",
        "Concordance with survival of a cross-validated ridge Cox model on the imputed "
        "expression, beside the same model on the true expression (0.5 is chance)",
    ),
}
# A measure's plot also shows, as one line per cancer, the same measure on the true expression.
TRUE_EXPRESSION_LINE = {"ridge_cox_cindex_imputed": "ridge_cox_cindex_true"}
MISSING_RATE = "Missing rate (share of the samples whose expression is hidden)"
# The Kaplan-Meier curves of every run share one parent section, each run a subsection.
SURVIVAL = {
    "parent_id": "cluster_survival",
    "parent_name": "Survival of the expression clusters",
    "parent_description": "Kaplan-Meier curves of overall survival of the two K-means clusters of the "
    "samples on their most prognostic genes.",
}
PANELS = {"true": "True expression", "imputed": "Imputed expression", "completed": "Completed cohort"}
KAPLAN_MEIER = (
    "Kaplan-Meier estimate of overall survival at each death or censoring (it holds until the next) "
    "of each K-means cluster of the"
)
TOP_PROGNOSTIC = 20
PROGNOSIS_COLUMNS = {
    "coef": "Cox coefficient",
    "p": "p-value",
    "pooled_p": "Pooled p-value",
    "fmi": "Fraction of missing information",
}


@dataclass
class ReportInputs:
    """The run's outputs that the report shows; any of them may be absent."""

    cohorts: list[Path] = field(default_factory=list)  # VALIDATE summaries
    accuracy: Path | None = None  # SUMMARIZE: benchmark_summary.tsv
    downstream: Path | None = None  # SUMMARIZE_DOWNSTREAM: downstream_summary.tsv
    models: list[Path] = field(default_factory=list)  # model.json of PRETRAIN and FIT
    completed: list[Path] = field(default_factory=list)  # COMPLETE folders (impute mode)
    reliability: list[Path] = field(default_factory=list)  # IMPUTE: <run>.reliability.tsv
    downstream_runs: list[Path] = field(default_factory=list)  # DOWNSTREAM folders whose survival curves are shown
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
        # Older summaries lack per-gene R², and only --benchmark_intervals gives coverage.
        measures = [m for m in ACCURACY if f"{m}_mean" in summary]
        for measure in measures:
            sections[f"accuracy_{measure}_mqc.json"] = accuracy_plot(summary, measure, inputs.accuracy.name)
        sections["accuracy_table_mqc.json"] = summary_table(
            summary, measures, inputs.accuracy.name, "accuracy_table", "Accuracy per cancer, missing rate and method"
        )
    if inputs.downstream:
        summary = _read_summary(inputs.downstream, ["cluster_ari_mean"])
        measures = [m for m in DOWNSTREAM if f"{m}_mean" in summary]
        sections["downstream_table_mqc.json"] = summary_table(
            summary,
            measures,
            inputs.downstream.name,
            "downstream_table",
            "Downstream analyses: imputed against true expression",
        )
        for measure in DOWNSTREAM_PLOTS:
            if f"{measure}_mean" in summary:
                sections[f"downstream_{measure}_mqc.json"] = downstream_plot(summary, measure, inputs.downstream.name)
    for folder in inputs.downstream_runs:
        sections[f"{_survival_id(folder)}_mqc.json"] = downstream_survival(folder)
    if inputs.models:
        models = {_model_label(path): read_json(path) for path in inputs.models}
        sections["training_loss_mqc.json"] = training_curves(models)
        stacking = stacking_table(models)
        if stacking:
            sections["plus_stacking_mqc.json"] = stacking
    if inputs.completed:
        sections["imputed_samples_mqc.json"] = completed_table(inputs.completed)
        sections["completed_prognosis_mqc.json"] = completed_prognosis(inputs.completed)
        for folder in inputs.completed:
            sections[f"{_survival_id(folder)}_mqc.json"] = completed_survival(folder)
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
    return sorted(sections)


def cohort_table(paths: list[Path]) -> dict:
    rows = []
    for path in paths:
        summary = read_json(path)
        rows.append(
            {
                "cohort": path.name.removesuffix(".summary.json"),
                "Samples": summary["n_samples"],
                "CpGs": summary["n_cpgs"],
                "CpGs filled": _filled(summary),
                "Genes": summary["n_genes"],
                "Without expression": summary["n_without_expression"],
                "Cancer types": ", ".join(summary["cancer_types"]),
            }
        )
    return _table_section(
        pd.DataFrame(rows).set_index("cohort"),
        "cohorts",
        "Cohorts",
        "Samples, features (CpGs filled: those of the main cohort that an external cohort lacks, predicted from "
        "its other CpGs) and samples lacking RNA-seq of each cohort (VALIDATE summaries).",
    )


def _filled(summary: dict) -> str:
    """How many CpGs were filled, and ridge-cv's RMSE on held-out reference samples without and
    with the filling."""
    if "n_cpgs_filled" not in summary:
        return "0"
    cost = summary["cpg_filling"]
    return f"{summary['n_cpgs_filled']} (held-out RMSE {cost['measured']:.3f} -> {cost['filled']:.3f})"


def best_method_section(summary: pd.DataFrame, source: str) -> dict:
    """Which method has the lowest mean RMSE at each cancer and missing rate."""
    best = summary.loc[summary.groupby(["cancer", "missing_rate"])["rmse_mean"].idxmin()]
    rows = "".join(
        f"<tr><td>{html.escape(str(r.cancer))}</td><td>{r.missing_rate:g}</td>"
        f"<td><strong>{html.escape(r.method)}</strong></td><td>{r.rmse_mean:.4f}</td></tr>"
        for r in best.itertuples()
    )
    table = (
        "<table class='table table-condensed'><thead><tr><th>Cancer</th><th>Missing rate</th>"
        "<th>Best method</th><th>Mean RMSE</th></tr></thead><tbody>" + rows + "</tbody></table>"
    )
    return {
        "id": "best_method",
        "section_name": "Best method",
        "plot_type": "html",
        "description": f"The method with the lowest mean RMSE over replicates ({source}).",
        "data": table,
    }


def accuracy_plot(summary: pd.DataFrame, measure: str, source: str) -> dict:
    label = ACCURACY[measure]
    return line_plot(
        f"accuracy_{measure}",
        f"{label} against missing rate",
        f"{label} of the imputed against the hidden expression of the test samples, mean over "
        f"replicates of each method; the standard deviations are in the accuracy table ({source}).",
        MISSING_RATE,
        label,
        by_missing_rate(summary, f"{measure}_mean"),
    )


def downstream_plot(summary: pd.DataFrame, measure: str, source: str) -> dict:
    label, meaning = DOWNSTREAM_PLOTS[measure]
    lines = by_missing_rate(summary, f"{measure}_mean")
    true_measure = TRUE_EXPRESSION_LINE.get(measure)
    if true_measure and f"{true_measure}_mean" in summary:
        # Computed on the same test samples' true expression, it is the same for every method.
        per_split = summary.drop_duplicates(["cancer", "missing_rate"]).assign(method="true expression")
        lines |= by_missing_rate(per_split, f"{true_measure}_mean")
    return line_plot(
        f"downstream_{measure}",
        f"{label} against missing rate",
        f"{meaning}, mean over replicates of each method ({source}).",
        MISSING_RATE,
        label,
        lines,
    )


def by_missing_rate(summary: pd.DataFrame, column: str) -> dict:
    """One line per method (per "method (cancer)" for several cancers): `column` against missing rate."""
    several_cancers = summary["cancer"].nunique() > 1
    lines = {}
    for (cancer, method), rows in summary.groupby(["cancer", "method"], sort=True):
        lines[f"{method} ({cancer})" if several_cancers else method] = {
            float(rate): _number(value) for rate, value in zip(rows["missing_rate"], rows[column])
        }
    return lines


def downstream_survival(folder: Path) -> dict:
    """The Kaplan-Meier curves of one benchmark run's clusters, on true and on imputed expression."""
    run = read_json(folder / "downstream.json")
    lacking = [key for key in ("cancer", "missing_rate", "replicate", "method") if key not in run]
    if lacking:
        raise TdimputeError(f"{folder / 'downstream.json'} lacks {lacking[0]!r} (was it written with --method?)")
    title = (
        f"Survival of the two expression clusters: {run['cancer']}, {float(run['missing_rate']) * 100:g} % "
        f"missing, replicate {run['replicate']}, {run['method']}"
    )
    description = (
        f"{KAPLAN_MEIER} test samples, clustered on their true and on their imputed expression "
        "(log-rank p-value "
        f"{_p_value(run.get('cluster_logrank_p_true'))} on the true, "
        f"{_p_value(run.get('cluster_logrank_p_imputed'))} on the imputed expression; "
        "kaplan_meier.tsv, downstream.json)."
    )
    return survival_plot(_survival_id(folder), title, description, folder)


def completed_survival(folder: Path) -> dict:
    """The Kaplan-Meier curves of a completed cohort's clusters."""
    summary = read_json(folder / "completed.json")
    title = f"Survival of the two expression clusters of the completed {', '.join(summary['cancer_types'])} cohort"
    description = (
        f"{KAPLAN_MEIER} observed and imputed samples "
        f"(log-rank p-value {_p_value(summary.get('cluster_logrank_p'))}; "
        "kaplan_meier.tsv, completed.json)."
    )
    return survival_plot(_survival_id(folder), title, description, folder)


def survival_plot(section: str, title: str, description: str, folder: Path) -> dict:
    """One line per panel and cluster of the folder's kaplan_meier.tsv, as a subsection of SURVIVAL."""
    curves = _read_curves(folder / "kaplan_meier.tsv")
    lines = {}
    for (panel, cluster), rows in curves.groupby(["panel", "cluster"], sort=False):
        name = f"{PANELS.get(panel, panel)}: cluster {int(cluster) + 1} (n = {int(rows['n'].iloc[0])})"
        lines[name] = {float(time): _number(value) for time, value in zip(rows["time"], rows["survival"])}
    # Every point drawn: the curves are steps that smoothing would cut.
    return {
        **line_plot(section, title, description, "Days", "Overall survival", lines, ymin=0, ymax=1, smooth_points=None),
        **SURVIVAL,
    }


def line_plot(section: str, title: str, description: str, xlab: str, ylab: str, lines: dict, **pconfig) -> dict:
    """A MultiQC line plot section: `lines` maps each line's name to its {x: y} points."""
    return {
        "id": section,
        "section_name": title,
        "description": description,
        "plot_type": "linegraph",
        "pconfig": {"id": f"{section}_plot", "title": title, "xlab": xlab, "ylab": ylab, "showlegend": True, **pconfig},
        "data": lines,
    }


def summary_table(summary: pd.DataFrame, measures: list[str], source: str, section: str, title: str) -> dict:
    table = summary.assign(
        run=summary["cancer"] + " " + summary["missing_rate"].map("{:g}".format) + " " + summary["method"]
    ).set_index("run")
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
    return line_plot(
        "training_loss",
        "Training loss",
        "RMSE loss on scaled expression per epoch of each pretraining and fine-tuning (model.json).",
        "Epoch",
        "Loss (RMSE on scaled expression)",
        data,
    )


def stacking_table(models: dict[str, dict]) -> dict | None:
    """What each tdimpute-plus fit chose: every candidate's inner cross-validation error and
    its weight in the imputation."""
    rows = []
    for label, spec in models.items():
        if spec.get("method") != "tdimpute-plus":
            continue
        chosen = spec.get("metadata", {})
        for candidate in chosen.get("candidates", []):
            rows.append(
                {
                    "fit and candidate": f"{label} {candidate['name']}",
                    "Candidate": candidate["name"],
                    "Inner-CV RMSE": _number(candidate.get("cv_rmse")),
                    "Weight": _number(candidate.get("weight")),
                    "Linear part": chosen.get("linear"),
                }
            )
    if not rows:
        return None
    return _table_section(
        pd.DataFrame(rows).set_index("fit and candidate"),
        "plus_stacking",
        "tdimpute-plus: candidates and weights",
        "Each tdimpute-plus fit's candidates, judged on its training samples alone (model.json). "
        "Inner-CV RMSE: the Lasso's and ridge's on every training sample, each predicted by "
        "a fit without its cross-validation fold; the networks' on the folds they were trained "
        "without (the first fold, or as many as hold 30 samples in a small cohort). Weight: "
        "the candidate's share of the imputation (the mean over genes for per-gene weights). "
        "Linear part: the Lasso or ridge alone, or their blend, a blend being chosen only when "
        f"its cross-fitted gain over the better one exceeds {CLEAR_GAIN_SE:g} standard errors; the "
        "networks' weights likewise are 0 unless the cross-fitted gain of their blend with the "
        f"linear part on those folds exceeds {CLEAR_GAIN_SE:g} standard errors.",
    )


def completed_table(folders: list[Path]) -> dict:
    rows = []
    for folder in folders:
        summary = read_json(folder / "completed.json")
        shares = summary.get("cluster_imputed_share") or [None, None]  # null where undefined
        rows.append(
            {
                "cohort": folder.name,
                "Samples": summary["n_samples"],
                "Observed": summary["n_observed"],
                "Imputed": summary["n_imputed"],
                "Genes with Cox p <= 0.05": summary["n_prognostic_genes_p05"],
                "Genes with pooled Cox p <= 0.05": summary.get("n_prognostic_genes_p05_pooled"),
                "Clusters log-rank p-value": _number(summary.get("cluster_logrank_p")),
                "Cluster 1 imputed share": _number(shares[0]),
                "Cluster 2 imputed share": _number(shares[1]),
            }
        )
    return _table_section(
        pd.DataFrame(rows).set_index("cohort"),
        "imputed_samples",
        "Imputed samples",
        "Samples of each cohort with measured and with imputed expression; genes with a Cox "
        "p-value <= 0.05 treating imputed values as measured, and pooled over multiple "
        "imputations (Rubin's rules: the imputation's uncertainty counted); log-rank p of the "
        "two K-means clusters of the completed cohort on its most prognostic genes, and the "
        "share of imputed samples in each (a cluster made mostly of imputed samples points "
        "at the imputation rather than biology) (completed.json).",
    )


RELIABILITY_LEVELS = (0.5, 0.25)  # skill thresholds counted in the table


def reliability_table(tables: dict[str, pd.DataFrame]) -> dict:
    """How many genes each model imputes well, judged on training samples it did not see."""
    rows = []
    for name, table in tables.items():
        skill = table["skill"].dropna()
        row = {
            "run": name,
            "Genes": int(len(table)),
            "Median skill": _number(skill.median()),
            "Median R²": _number(table["r2"].median()),
        }
        for level in RELIABILITY_LEVELS:
            row[f"Genes with skill >= {level:g}"] = int((skill >= level).sum())
        row["Genes no better than their mean (skill <= 0)"] = int((skill <= 0).sum())
        rows.append(row)
    return _table_section(
        pd.DataFrame(rows).set_index("run"),
        "reliability_table",
        "Per-gene reliability",
        "Accuracy of each gene on training samples held out by k-fold cross-validation "
        "(fit --reliability-folds): skill = 1 - MSE / variance of the gene (1 perfect, 0 no "
        "better than the gene's mean). Trust the imputed genes with high skill; the full "
        "table per gene is <run>.reliability.tsv beside the imputed expression.",
    )


def reliability_curve(tables: dict[str, pd.DataFrame]) -> dict:
    """Per run: the number of genes whose held-out skill reaches each threshold."""
    thresholds = np.round(np.linspace(0.0, 1.0, 21), 2)
    data = {name: {float(t): int((table["skill"] >= t).sum()) for t in thresholds} for name, table in tables.items()}
    return line_plot(
        "reliability_curve",
        "Genes imputed at least this well",
        "Number of genes whose held-out skill is at or above each threshold (reliability.tsv).",
        "Skill threshold (1 - MSE / variance of the gene)",
        "Genes",
        data,
        ymin=0,
    )


def completed_prognosis(folders: list[Path]) -> dict:
    tables = []
    for folder in folders:
        cox = pd.read_csv(folder / "prognosis.tsv", sep="\t", index_col=0)
        top = cox.dropna(subset=["p"]).sort_values("p", kind="stable").head(TOP_PROGNOSTIC)
        shown = [c for c in ("coef", "p", "pooled_p", "fmi") if c in top]
        tables.append(top[shown].set_axis(folder.name + " " + top.index.astype(str)))
    table = pd.concat(tables).rename(columns=PROGNOSIS_COLUMNS)
    return _table_section(
        table,
        "completed_prognosis",
        "Prognostic genes of the completed cohort",
        f"The {TOP_PROGNOSTIC} genes with the smallest univariate Cox p-value on observed "
        "plus imputed expression, with the p-value pooled over multiple imputations and the "
        "fraction of the gene's information that the imputation lacks (prognosis.tsv).",
    )


def versions_section(path: Path) -> dict:
    yaml = _yaml()
    versions = yaml.safe_load(path.read_text()) or {}
    rows = sorted({(tool, str(v)) for tools in versions.values() for tool, v in (tools or {}).items()})
    body = "".join(f"<tr><td>{html.escape(t)}</td><td><samp>{html.escape(v)}</samp></td></tr>" for t, v in rows)
    return {
        "id": "software_versions",
        "section_name": "Software versions",
        "plot_type": "html",
        "description": "Versions used by the run's processes (software_versions.yml).",
        "data": "<table class='table table-condensed'><thead><tr><th>Software</th><th>Version</th>"
        "</tr></thead><tbody>" + body + "</tbody></table>",
    }


def parameters_section(path: Path) -> dict:
    parameters = read_json(path)
    body = "".join(
        f"<tr><td>{html.escape(str(k))}</td><td><samp>{html.escape(str(v))}</samp></td></tr>"
        for k, v in sorted(parameters.items())
        if v not in (None, "")
    )
    return {
        "id": "parameters",
        "section_name": "Parameters",
        "plot_type": "html",
        "description": "The parameters of this run.",
        "data": "<table class='table table-condensed'><thead><tr><th>Parameter</th><th>Value</th>"
        "</tr></thead><tbody>" + body + "</tbody></table>",
    }


def _read_summary(path: Path, required: list[str]) -> pd.DataFrame:
    table = pd.read_csv(path, sep="\t")
    missing = [c for c in ["cancer", "missing_rate", "method", *required] if c not in table]
    if missing:
        raise TdimputeError(f"{path} is not a summarize table (no column {missing[0]!r})")
    return table


def _read_curves(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise TdimputeError(f"{path} does not exist (written by downstream and complete)")
    table = pd.read_csv(path, sep="\t")
    if not {"panel", "cluster", "n", "time", "survival"} <= set(table.columns):
        raise TdimputeError(f"{path} is not a Kaplan-Meier table (columns panel, cluster, n, time, survival)")
    return table


def _read_reliability(path: Path) -> pd.DataFrame:
    table = pd.read_csv(path, sep="\t")
    if not {"gene", "r2", "skill"} <= set(table.columns):
        raise TdimputeError(f"{path} is not a reliability table (columns gene, r2, skill)")
    return table


def _table_section(table: pd.DataFrame, section: str, title: str, description: str) -> dict:
    """A MultiQC table; numbers shown to 4 decimals, the raw values kept in the data."""
    headers = {
        str(c): {
            "title": str(c),
            **({"format": _number_format(str(c))} if pd.api.types.is_float_dtype(table[c]) else {}),
        }
        for c in table.columns
    }
    data = {str(row): {str(c): _cell(v) for c, v in values.items()} for row, values in table.iterrows()}
    return {
        "id": section,
        "section_name": title,
        "description": description,
        "plot_type": "table",
        "pconfig": {"id": f"{section}_table", "title": title, "col1_header": table.index.name or ""},
        "headers": headers,
        "data": data,
    }


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


def _survival_id(folder: Path) -> str:
    """A section id from the run's folder name (unique among runs); the title says what the run is."""
    return "survival_" + re.sub(r"[^A-Za-z0-9]+", "_", folder.name).strip("_")


def _p_value(value) -> str:
    value = _number(value)
    return "undefined (one cluster)" if value is None else f"{value:.2g}"


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
