"""What the grader's per-submission perturbation costs a real CNN.

``python bench/cnn_perturbation.py OUT.json [BUDGET_S] [SEEDS]``: trains the reference CNN
(``solutions/cnn``) for BUDGET_S seconds (default 60) per seed, each in a fresh process, and
measures its test accuracy on the 10,000 test images as published and as the grader shows
them (``autograder/suites/cnn/evaluation.perturb``: mirror, one-pixel shift, ±2 noise, drawn
from a seed). The README's threat model quotes the difference.
"""
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_one(budget, seed):
    sys.path.insert(0, str(REPO))
    import numpy as np

    from autograder.suites.cnn.evaluation import perturb
    from bench.cnn_reference import accuracy, import_reference

    _, data_mod, model_mod, train_mod = import_reference()
    d = data_mod.load_cifar10(None)
    model = train_mod.train(model_mod.build_model(), d.train_x, d.train_y, budget, seed=seed, progress=False)
    shown = perturb(d.test_x, np.random.default_rng(1000 + seed))
    return {"budget_s": budget, "seed": seed, "test_acc": accuracy(model, d.test_x, d.test_y),
            "test_acc_perturbed": accuracy(model, shown, d.test_y)}


def main(argv):
    out, budget = Path(argv[0]), float(argv[1]) if len(argv) > 1 else 60.0
    seeds = int(argv[2]) if len(argv) > 2 else 3
    runs = []
    for seed in range(seeds):
        done = subprocess.run([sys.executable, __file__, "--one", str(budget), str(seed)],
                              stdout=subprocess.PIPE, text=True, check=True, cwd=REPO)
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        row = runs[-1]
        print(f"    reference {budget:g} s seed {seed}: test {row['test_acc']:.4f}, "
              f"perturbed {row['test_acc_perturbed']:.4f}", file=sys.stderr, flush=True)
    drops = [r["test_acc"] - r["test_acc_perturbed"] for r in runs]
    out.write_text(json.dumps({"runs": runs, "max_drop": max(drops), "mean_drop": sum(drops) / len(drops)},
                              indent=2) + "\n")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(run_one(float(sys.argv[2]), int(sys.argv[3]))))
    else:
        main(sys.argv[1:])
