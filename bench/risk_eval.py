"""Benchmark: `caution risk evaluate` on the ISSTA 2021 just-in-time defect data.

Targets (issue #6): mean AUC >= 0.76 over qt, openstack and go, every project at or above
its lines-added baseline (published LApredict AUCs on this split: qt .744, openstack .749,
go .683), with capture@10 and Brier beside it; the same settings for every project.
Data: ../shared/data/risk/{qt,openstack,go}_k_feature.csv (Zeng et al., MIT), read in place.

    python bench/risk_eval.py [--data DIR]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from caution.risk.evaluate import evaluate
from caution.risk.features import read_features

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "risk"
PUBLISHED_LA = {"qt": 0.744, "openstack": 0.749, "go": 0.683}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    print(
        f"{'project':10} {'n_test':>7} {'auc':>6} {'la_auc':>7} {'LApredict':>9} "
        f"{'capture@10':>10} {'brier':>6} {'popt':>6} {'size_popt':>9} {'seconds':>7}"
    )
    aucs, beats = [], []
    for project in ("qt", "openstack", "go"):
        start = time.perf_counter()
        result = evaluate(read_features(args.data / f"{project}_k_feature.csv"))
        elapsed = time.perf_counter() - start
        aucs.append(result["auc"])
        beats.append(result["auc"] >= max(result["baseline_la_auc"], PUBLISHED_LA[project]))
        print(
            f"{project:10} {result['n_test']:>7} {result['auc']:>6.3f} "
            f"{result['baseline_la_auc']:>7.3f} {PUBLISHED_LA[project]:>9.3f} "
            f"{result['capture_at_10']:>10.3f} {result['brier']:>6.3f} {result['popt']:>6.3f} "
            f"{result['baseline_size_popt']:>9.3f} {elapsed:>7.1f}"
        )
    mean = statistics.mean(aucs)
    print(
        f"\nmean AUC {mean:.4f} (target >= 0.76) {'OK' if mean >= 0.76 else 'MISS'}; "
        f"every project at or above its lines-added baseline: {'yes' if all(beats) else 'NO'}"
    )


if __name__ == "__main__":
    main()
