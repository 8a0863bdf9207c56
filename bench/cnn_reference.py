"""Benchmark of the reference CNN (the solution of the `cnn` assignment) on CIFAR-10.

Reports
  * short runs: for each budget in --budgets (default 45 s), a fresh model trained by
    the reference ``train()`` with that budget; its training seconds and its train and
    test accuracy measured afterwards on the FULL training set (no augmentation,
    eval mode) and the full test set. "Seconds to 65/65" is the shortest training time
    of a short run that reached both 65% train and 65% test accuracy.
  * the long run (--long-budget, default 600 s = the task's 10-minute rule): a fresh
    model trained with that budget, evaluated on both full sets after every epoch
    (evaluation time is not counted as training), and its final accuracies; the first
    checkpoint with both accuracies ≥ 65% is reported too.

Usage:
  CIFAR10_DIR=... python bench/cnn_reference.py results.json              # short + long
  CIFAR10_DIR=... python bench/cnn_reference.py results.json --short-only  # only the 45-s part
  CIFAR10_DIR=... python bench/cnn_reference.py out.json --budgets 30,37,45 --short-only

Training time is the wall-clock time of the ``train()`` call minus the time spent in
the evaluation callback. The machine's load average is recorded with every run,
because on a shared machine it changes the timings a lot.
"""
import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[1]
BAR = 0.65


def reference_dir():
    """The generated solution version of the cnn assignment."""
    return REPO / "solutions" / "cnn"


def import_reference():
    directory = reference_dir()
    sys.path.insert(0, str(directory))
    import data
    import model
    import train
    return directory, data, model, train


@torch.inference_mode()
def accuracy(model, images, labels, batch=1000):
    """Top-1 accuracy of ``model`` (eval mode) on uint8 images, no augmentation."""
    model.eval()
    correct = 0
    for i in range(0, len(images), batch):
        x = torch.from_numpy(images[i:i + batch]).float().div_(255).contiguous(memory_format=torch.channels_last)
        correct += (model(x).argmax(1).numpy() == labels[i:i + batch]).sum()
    return float(correct) / len(images)


def run(model_mod, train_mod, d, budget, checkpoints):
    """Train a fresh reference model with ``budget`` seconds; return a result dict."""
    spent_evaluating = 0.0
    marks = []

    def callback(model, record):
        nonlocal spent_evaluating
        t = time.perf_counter()
        train_acc = accuracy(model, d.train_x, d.train_y)
        test_acc = accuracy(model, d.test_x, d.test_y)
        spent_evaluating += time.perf_counter() - t
        now = time.perf_counter() - start - spent_evaluating
        marks.append({"epoch": round(record["epoch"], 3), "train_seconds": round(now, 2),
                      "train_acc": train_acc, "test_acc": test_acc})
        print(f"    epoch {record['epoch']:5.2f}  {now:6.1f} s  train {train_acc:.4f}  test {test_acc:.4f}",
              flush=True)

    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    model = train_mod.train(model_mod.build_model(), d.train_x, d.train_y, budget,
                            progress=False, callback=callback if checkpoints else None)
    seconds = time.perf_counter() - start - spent_evaluating
    result = {
        "budget_s": budget,
        "train_seconds": round(seconds, 2),
        "steps": model.history[-1]["step"] if getattr(model, "history", None) else None,
        "epochs": round(model.history[-1]["epoch"], 3) if getattr(model, "history", None) else None,
        "train_acc": accuracy(model, d.train_x, d.train_y),
        "test_acc": accuracy(model, d.test_x, d.test_y),
        "load_avg_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "checkpoints": marks,
    }
    result["reached_65_65"] = result["train_acc"] >= BAR and result["test_acc"] >= BAR
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("json_out", help="where to write the numbers (JSON)")
    parser.add_argument("--budgets", default="45", help="comma-separated budgets (s) of the short runs")
    parser.add_argument("--long-budget", type=float, default=600.0, help="budget (s) of the long run")
    parser.add_argument("--short-only", action="store_true", help="skip the long run")
    parser.add_argument("--long-only", action="store_true", help="skip the short runs")
    parser.add_argument("--cifar10-dir", default=None, help="default: $CIFAR10_DIR")
    args = parser.parse_args(argv)

    directory, data_mod, model_mod, train_mod = import_reference()
    d = data_mod.load_cifar10(args.cifar10_dir)
    print(f"reference: {directory.relative_to(REPO)}   torch {torch.__version__}, "
          f"{train_mod.cpu_threads()} CPU threads, load {os.getloadavg()[0]:.2f}", flush=True)

    out = {"reference": str(directory.relative_to(REPO)), "torch": torch.__version__,
           "cpu_threads": train_mod.cpu_threads(), "short_runs": [], "long_run": None}
    if not args.long_only:
        for budget in [float(b) for b in args.budgets.split(",")]:
            print(f"  short run, budget {budget:g} s ...", flush=True)
            r = run(model_mod, train_mod, d, budget, checkpoints=False)
            out["short_runs"].append(r)
            print(f"    {r['train_seconds']:.1f} s, {r['epochs']} epochs: train {r['train_acc']:.4f}, "
                  f"test {r['test_acc']:.4f}", flush=True)
    if not args.short_only:
        print(f"  long run, budget {args.long_budget:g} s, evaluating every epoch ...", flush=True)
        out["long_run"] = run(model_mod, train_mod, d, args.long_budget, checkpoints=True)

    reached = [r["train_seconds"] for r in out["short_runs"] if r["reached_65_65"]]
    if out["long_run"]:
        reached += [m["train_seconds"] for m in out["long_run"]["checkpoints"]
                    if m["train_acc"] >= BAR and m["test_acc"] >= BAR][:1]
    out["seconds_to_65_65"] = min(reached) if reached else None

    print()
    print(f"{'run':<12}{'budget s':>9}{'train s':>9}{'epochs':>8}{'train acc':>11}{'test acc':>10}{'65/65':>7}{'load':>12}")
    runs = [("short", r) for r in out["short_runs"]] + ([("long", out["long_run"])] if out["long_run"] else [])
    for name, r in runs:
        load = "/".join(f"{v:.1f}" for v in r["load_avg_1min"])
        print(f"{name:<12}{r['budget_s']:>9g}{r['train_seconds']:>9.1f}{r['epochs'] or 0:>8.2f}"
              f"{r['train_acc']:>11.4f}{r['test_acc']:>10.4f}{'yes' if r['reached_65_65'] else 'no':>7}{load:>12}")
    s = out["seconds_to_65_65"]
    print(f"seconds of training to 65% train and 65% test: {s if s is not None else 'not reached'}")
    Path(args.json_out).write_text(json.dumps(out, indent=2))
    return out


if __name__ == "__main__":
    main()
