"""Figures people read at a glance: Kaplan-Meier curves of the two expression clusters."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display on clusters and in containers
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402


def kaplan_meier_clusters(clusters: pd.DataFrame, out: Path, p_values: dict[str, float]) -> None:
    """One panel per data (true, imputed): survival of each K-means cluster, log-rank p."""
    from lifelines import KaplanMeierFitter

    known = clusters.dropna(subset=["os_time", "os_event"])
    figure, axes = plt.subplots(1, 2, figsize=(9, 3.6), sharey=True)
    for axis, name in zip(axes, ("true", "imputed")):
        for label, group in known.groupby(f"cluster_{name}"):
            KaplanMeierFitter(label=f"cluster {label + 1} (n={len(group)})").fit(
                group["os_time"], group["os_event"]).plot_survival_function(ax=axis, ci_show=False)
        axis.set_title(f"{name} expression: log-rank p = {p_values[name]:.2g}")
        axis.set_xlabel("days")
    axes[0].set_ylabel("overall survival")
    figure.tight_layout()
    figure.savefig(out, dpi=120)
    plt.close(figure)
