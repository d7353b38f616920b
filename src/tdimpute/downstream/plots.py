"""Figures people read at a glance: Kaplan-Meier curves of the two expression clusters."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display on clusters and in containers
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402


def kaplan_meier_clusters(clusters: pd.DataFrame, out: Path, panels: dict[str, str]) -> None:
    """One panel per column of cluster labels (`panels` maps it to the panel's title):
    survival of each cluster. `clusters` also has `os_time` and `os_event`."""
    from lifelines import KaplanMeierFitter

    known = clusters.dropna(subset=["os_time", "os_event"])
    figure, axes = plt.subplots(1, len(panels), figsize=(4.5 * len(panels), 3.6), sharey=True, squeeze=False)
    for axis, (column, title) in zip(axes[0], panels.items()):
        for label, group in known.groupby(column):
            KaplanMeierFitter(label=f"cluster {label + 1} (n={len(group)})").fit(
                group["os_time"], group["os_event"]).plot_survival_function(ax=axis, ci_show=False)
        axis.set_title(title)
        axis.set_xlabel("days")
    axes[0][0].set_ylabel("overall survival")
    figure.tight_layout()
    figure.savefig(out, dpi=120, format="png")
    plt.close(figure)


def metric_by_missing_rate(summary: pd.DataFrame, metric: str, out: Path) -> None:
    """A line per method: mean of `metric` against missing rate, error bars one SD over
    replicates; one panel per cancer type. `summary` is `summarize`'s table."""
    cancers = sorted(summary["cancer"].unique())
    figure, axes = plt.subplots(1, len(cancers), figsize=(4.5 * len(cancers), 3.6), squeeze=False)
    for axis, cancer in zip(axes[0], cancers):
        for method, rows in summary[summary["cancer"] == cancer].groupby("method"):
            rows = rows.sort_values("missing_rate")
            axis.errorbar(rows["missing_rate"], rows[f"{metric}_mean"], yerr=rows[f"{metric}_std"].fillna(0),
                          marker="o", capsize=3, label=method)
        axis.set_title(cancer)
        axis.set_xlabel("missing rate")
        axis.set_ylabel(metric.upper() if len(metric) <= 4 else metric)
    axes[0][-1].legend(fontsize="small", bbox_to_anchor=(1.02, 1), loc="upper left")
    figure.tight_layout()
    figure.savefig(out, dpi=120, format="png")
    plt.close(figure)
