"""Train/test splits: the one source of the samples every method trains on and is tested on.

A split file is JSON:

    {"cancer": "LUAD", "missing_rate": 0.3, "replicate": 1, "seed": 42,
     "train": [...sample ids...], "test": [...sample ids...]}

The test set is floor(missing_rate * n) samples drawn without replacement among the samples of
the cancer that have both omics; their expression is hidden from every method.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from .cohort import Cohort
from .errors import TdimputeError
from .files import read_json, write_json

MIN_TRAIN = 5
MIN_TEST = 1


@dataclass(frozen=True)
class Split:
    cancer: str | None
    missing_rate: float
    replicate: int
    seed: int
    train: list[str]
    test: list[str]

    def save(self, path: str | Path) -> None:
        write_json(path, asdict(self))

    @classmethod
    def load(cls, path: str | Path) -> Split:
        data = read_json(path)
        missing = [k for k in ("cancer", "missing_rate", "replicate", "seed", "train", "test") if k not in data]
        if missing:
            raise TdimputeError(f"split file {path} lacks key(s): {', '.join(missing)}")
        if set(data["train"]) & set(data["test"]):
            raise TdimputeError(f"split file {path} has samples in both train and test")
        return cls(**{k: data[k] for k in ("cancer", "missing_rate", "replicate", "seed", "train", "test")})


def make_split(
    cohort: Cohort,
    missing_rate: float,
    replicate: int = 1,
    seed: int = 0,
    cancer: str | None = None,
    min_train: int = MIN_TRAIN,
    min_test: int = MIN_TEST,
) -> Split:
    """Draw the test samples of one (cancer, missing rate, replicate).

    The draw depends only on the seed, the replicate, the rate and the sorted ids of the
    eligible samples, not on their order in the file.
    """
    if not 0 < missing_rate < 1:
        raise TdimputeError(f"missing rate must be in (0, 1), got {missing_rate}")
    if replicate < 1:
        raise TdimputeError(f"replicate numbers start at 1, got {replicate}")
    target = cohort.select_cancer(cancer)
    if cancer is None and len(target.cancer_types) > 1:
        raise TdimputeError(f"the cohort holds {len(target.cancer_types)} cancer types; choose one with --cancer")
    eligible = np.sort(target.samples[target.has_expression].astype(str))
    n_test = math.floor(missing_rate * len(eligible))
    n_train = len(eligible) - n_test
    if n_test < min_test or n_train < min_train:
        raise TdimputeError(
            f"{len(eligible)} samples with both omics give {n_train} training and {n_test} test "
            f"samples at missing rate {missing_rate}; need at least {min_train} and {min_test}"
        )
    rng = np.random.default_rng([seed, replicate, round(missing_rate * 1_000_000)])
    test = set(rng.choice(eligible, size=n_test, replace=False).tolist())
    return Split(
        cancer=cancer if cancer is not None else target.cancer_types[0],
        missing_rate=missing_rate,
        replicate=replicate,
        seed=seed,
        train=[s for s in eligible if s not in test],
        test=[s for s in eligible if s in test],
    )
