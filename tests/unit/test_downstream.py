import json

import numpy as np
import pandas as pd
import pytest

from tdimpute.downstream.analysis import compare
from tdimpute.downstream.correlation import best_cpg_per_gene
from tdimpute.downstream.kaplan_meier import kaplan_meier_curves
from tdimpute.downstream.survival import univariate_cox
from tdimpute.simulate import simulate_cohort


@pytest.fixture(scope="module")
def survival_cohort():
    return simulate_cohort(n_samples=500, n_cpgs=150, n_genes=120, n_cancers=1, seed=21)


def _frames(cohort):
    index = pd.Index(cohort.samples)
    methylation = pd.DataFrame(cohort.methylation, index=index, columns=cohort.cpgs)
    expression = pd.DataFrame(cohort.expression, index=index, columns=cohort.genes)
    return methylation, expression, cohort.clinical.set_index(index)


def test_full_data_cox_recovers_the_simulated_prognostic_genes(survival_cohort):
    _, expression, clinical = _frames(survival_cohort)
    table = univariate_cox(expression, clinical["os_time"], clinical["os_event"])
    planted = survival_cohort.provenance["prognostic_genes"]
    assert (table.loc[planted, "p"] < 1e-4).all()
    # Genes sharing their latent factors are prognostic too; the planted ones still lead.
    top20 = table["p"].sort_values().index[:20]
    assert len(set(planted) & set(top20)) >= len(planted) / 2


def test_best_cpg_matches_a_direct_correlation(survival_cohort):
    methylation, expression, _ = _frames(survival_cohort)
    pairs = best_cpg_per_gene(methylation, expression.iloc[:, :5])
    for gene, row in pairs.iterrows():
        r = methylation.corrwith(expression[gene]) ** 2
        assert row["cpg"] == r.idxmax()
        assert row["r2"] == pytest.approx(r.max(), rel=1e-9)


def test_imputation_equal_to_the_truth_agrees_on_everything(survival_cohort):
    methylation, expression, clinical = _frames(survival_cohort)
    summary, tables = compare(methylation, expression, expression.copy(), clinical, top=20, folds=3)
    assert summary["cluster_ari"] == 1.0
    assert summary["prognostic_top_overlap"] == 1.0 and summary["driving_top_overlap"] == 1.0
    assert summary["prognostic_pr_auc"] == pytest.approx(1.0)
    assert summary["top_pairs_r2_imputed"] == pytest.approx(summary["top_pairs_r2_true"])
    assert summary["ridge_cox_cindex_imputed"] == pytest.approx(summary["ridge_cox_cindex_true"])
    assert summary["ridge_cox_cindex_true"] > 0.6
    assert summary["cluster_logrank_p_true"] == summary["cluster_logrank_p_imputed"]


def test_an_uninformative_imputation_loses_the_signal(survival_cohort):
    methylation, expression, clinical = _frames(survival_cohort)
    rng = np.random.default_rng(0)
    shuffled = pd.DataFrame(
        expression.to_numpy()[rng.permutation(len(expression))], index=expression.index, columns=expression.columns
    )
    summary, _ = compare(methylation, expression, shuffled, clinical, top=20, folds=3)
    assert summary["cluster_ari"] < 0.1
    assert summary["ridge_cox_cindex_imputed"] < summary["ridge_cox_cindex_true"] - 0.1
    # A random ranking's PR-AUC is about the share of positives.
    share = summary["prognostic_genes_true"] / summary["n_genes"]
    assert summary["prognostic_pr_auc"] < share + 0.1
    assert summary["prognostic_top_overlap"] < 0.5


def test_enrichment_factor_of_a_known_gene_list(survival_cohort):
    methylation, expression, clinical = _frames(survival_cohort)
    planted = survival_cohort.provenance["prognostic_genes"]
    summary, tables = compare(
        methylation, expression, expression.copy(), clinical, known_prognostic=planted, top=20, folds=3
    )
    hits = len(set(planted) & set(tables["prognosis"]["p"].sort_values().index[:20]))
    assert summary["enrichment_true"] == pytest.approx((hits / 20) / (len(planted) / 120))
    assert summary["enrichment_true"] > 1


def test_kaplan_meier_curves_step_down_at_each_death_and_count_each_cluster():
    clusters = pd.DataFrame(
        {"cluster": [0, 0, 0, 0, 1, 1], "os_time": [1, 2, 3, 4, 5, np.nan], "os_event": [1, 0, 1, 1, 0, 1]}
    )
    curves = kaplan_meier_curves(clusters, {"cluster": "completed"})
    assert list(curves.columns) == ["panel", "cluster", "n", "time", "survival"]
    first = curves[curves["cluster"] == 0]
    assert first["time"].tolist() == [0, 1, 2, 3, 4] and set(first["n"]) == {4}
    assert first["survival"].tolist() == pytest.approx([1, 0.75, 0.75, 0.375, 0])
    second = curves[curves["cluster"] == 1]  # the sample of unknown survival is left out
    assert set(second["n"]) == {1} and second["survival"].tolist() == [1, 1]
    assert set(curves["panel"]) == {"completed"}


def test_downstream_cli_writes_summary_tables_and_survival_curves(small_cohort_file, tmp_path, cli):
    cli(
        "split",
        "--cohort",
        small_cohort_file,
        "--cancer",
        "BRCA",
        "--missing-rate",
        "0.5",
        "--out",
        tmp_path / "s.json",
    )
    cli(
        "fit",
        "--method",
        "tobmi",
        "--cohort",
        small_cohort_file,
        "--split",
        tmp_path / "s.json",
        "--out",
        tmp_path / "m",
    )
    cli(
        "impute",
        "--model",
        tmp_path / "m",
        "--cohort",
        small_cohort_file,
        "--split",
        tmp_path / "s.json",
        "--out",
        tmp_path / "i.tsv.gz",
    )
    cli(
        "downstream",
        "--cohort",
        small_cohort_file,
        "--split",
        tmp_path / "s.json",
        "--imputed",
        tmp_path / "i.tsv.gz",
        "--method",
        "tobmi",
        "--top",
        "10",
        "--out",
        tmp_path / "down",
    )
    summary = json.loads((tmp_path / "down" / "downstream.json").read_text())
    split = json.loads((tmp_path / "s.json").read_text())
    assert summary["method"] == "tobmi" and summary["n_samples"] == len(split["test"])
    assert 0 <= summary["prognostic_top_overlap"] <= 1 and -1 <= summary["cluster_ari"] <= 1
    prognosis = pd.read_csv(tmp_path / "down" / "prognosis.tsv", sep="\t", index_col=0)
    assert list(prognosis.columns[:4]) == ["coef", "se", "z", "p"] and len(prognosis) == 40
    curves = pd.read_csv(tmp_path / "down" / "kaplan_meier.tsv", sep="\t")
    clusters = pd.read_csv(tmp_path / "down" / "clusters.tsv", sep="\t").dropna(subset=["os_time", "os_event"])
    for panel in ("true", "imputed"):
        sizes = curves[curves["panel"] == panel].groupby("cluster")["n"].first()
        assert sizes.to_dict() == clusters.groupby(f"cluster_{panel}").size().to_dict(), panel
    for _, curve in curves.groupby(["panel", "cluster"]):
        assert curve["survival"].iloc[0] == 1 and (curve["survival"].diff().dropna() <= 0).all()
