"""Kaplan-Meier curves of the expression clusters, as a table: the report draws them from it."""

from __future__ import annotations

import pandas as pd

COLUMNS = ["panel", "cluster", "n", "time", "survival"]


def kaplan_meier_curves(clusters: pd.DataFrame, panels: dict[str, str]) -> pd.DataFrame:
    """Per panel (`panels` maps a column of cluster labels to the panel's name) and cluster: the
    Kaplan-Meier estimate of overall survival at time 0 and at each time of a death or a censoring,
    beside `n`, the cluster's samples of known survival. `clusters` also has `os_time` and `os_event`."""
    from lifelines import KaplanMeierFitter

    known = clusters.dropna(subset=["os_time", "os_event"])
    curves = []
    for column, panel in panels.items():
        for cluster, group in known.groupby(column, sort=True):
            estimate = KaplanMeierFitter().fit(group["os_time"], group["os_event"]).survival_function_
            curves.append(
                pd.DataFrame(
                    {
                        "panel": panel,
                        "cluster": int(cluster),
                        "n": len(group),
                        "time": estimate.index.to_numpy(float),
                        "survival": estimate.iloc[:, 0].to_numpy(float),
                    }
                )
            )
    return pd.concat(curves, ignore_index=True) if curves else pd.DataFrame(columns=COLUMNS)
