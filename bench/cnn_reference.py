"""Benchmark of the reference CNN (the solution of the `cnn` assignment) against a plain baseline.

Every run trains a fresh model with a given training budget and seed, through the same
``train(model, images, labels, time_budget_s, seed=...)`` call the autograder makes, then
measures, as the grader does, the eval-mode accuracy on the first 10,000 training images
("train") and on the 10,000 test images ("test"). The machine's 1-minute load average is
recorded before and after every run, because on a shared machine it changes the timings.

What it reports (defaults in brackets):
  * the reference at each short budget in --budgets [10,12.5,15,30 s] and at --long-budget
    [600 s], --seeds seeds each [3; --long-seeds for the long budget, 3]: min / max of
    train and test accuracy over the seeds, and the training seconds;
  * "time to 65/65": the training seconds (slowest seed) of the smallest budget at which
    every seed reached 65 % train and 65 % test. With a schedule that follows the clock,
    a shorter budget is a different run, so this is what the grader would see;
  * the plain baseline (``plain_baseline`` of the solution notebook: a student-style
    7-conv ReLU net, plain SGD, random flips) at --baseline-budgets [15,30,600 s];
  * the loaded machine (--loaded, on by default): the reference at the long budget while a
    second process burns one core for the whole run.

Every figure comes with the machine it was measured on (``machine()``: CPU model, the ISA
flags AVX2 / AVX-512 / AVX-512 BF16 / AMX, threads, torch) and with what the recipe chose in
that run: numerics (fp32 or bf16 autocast, timed at the start of training), widths and threads.
``--isa-cap AVX2`` runs every training in a process whose oneDNN, ATen and MKL kernels are
capped at AVX2 (``ISA_CAP_ENV``): an AVX2 machine's kernels on a newer CPU, to show what the
recipe does there (bf16 measured 13× slower, and refused). The cap does not hide the CPU's
flags from ``machine()``; the output says it is on.

Usage:
  CIFAR10_DIR=... python bench/cnn_reference.py results.json                   # everything (~2 h)
  CIFAR10_DIR=... python bench/cnn_reference.py out.json --budgets 15 --seeds 1 --no-long \\
      --baseline-budgets 15 --no-loaded                                        # a quick look
  CIFAR10_DIR=... python bench/cnn_reference.py avx2.json --isa-cap AVX2 --baseline-budgets '' --no-loaded
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from autograder.config import load as load_manifest  # noqa: E402

TASK = load_manifest("cnn").task  # the grader's numbers: source/cnn/assignment.toml, [task]
BAR = TASK["accuracy_bar"]
TRAIN_EVAL_IMAGES = TASK["train_accuracy_images"]   # the grader's train accuracy: the first N training images
ISA_FLAGS = (("AVX2", "avx2"), ("AVX-512", "avx512f"), ("AVX-512 BF16", "avx512_bf16"), ("AMX", "amx_tile"))
# What --isa-cap sets for every training process: oneDNN's convolutions, ATen's own kernels and MKL's.
ISA_CAP_ENV = {"AVX2": {"ONEDNN_MAX_CPU_ISA": "AVX2", "ATEN_CPU_CAPABILITY": "avx2", "MKL_ENABLE_INSTRUCTIONS": "AVX2"}}


def machine():
    """What a CNN figure depends on: CPU model, ISA flags, threads, torch, and any ISA cap in force."""
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").is_file() else ""
    lines = info.splitlines()
    model = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), platform.processor())
    flags = set(next((line.split(":", 1)[1].split() for line in lines if line.startswith("flags")), []))
    cap = os.environ.get("ONEDNN_MAX_CPU_ISA")
    return {"cpu": model, "isa": [name for name, flag in ISA_FLAGS if flag in flags], "isa_cap": cap,
            "threads": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
            "torch": torch.__version__, "amx_tile_supported": bool(getattr(torch.cpu, "_is_amx_tile_supported", bool)())}


def describe_machine(m):
    """One line: ``Intel Xeon ..., 2 threads, AVX2 AVX-512 AMX, torch 2.13.0`` (and the cap, if any)."""
    cap = f" (kernels capped at {m['isa_cap']})" if m.get("isa_cap") else ""
    return f"{m['cpu']}, {m['threads']} threads, {' '.join(m['isa']) or 'no AVX2'}{cap}, torch {m['torch']}"


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


def plain_baseline():
    """``plain_baseline(images, labels, time_budget_s, seed)`` from the solution notebook.

    The baseline is defined once, in the notebook that plots it next to the reference; this
    runs that cell's code (a solution cell: it is not in the student version)."""
    notebook = json.loads((reference_dir() / "cnn_cifar10.ipynb").read_text())
    cells = ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]
    source = next(c for c in cells if "def plain_baseline(" in c)
    sys.path.insert(0, str(reference_dir()))
    import train
    # what the notebook's first cell imports and the baseline cell uses
    namespace = {"time": time, "np": np, "torch": torch, "training_device": train.training_device}
    cwd = os.getcwd()
    os.chdir(reference_dir())                  # the cell imports the notebook's modules
    try:
        exec(compile(source, "cnn_cifar10.ipynb:plain_baseline", "exec"), namespace)
    finally:
        os.chdir(cwd)
    return namespace["plain_baseline"]


@torch.inference_mode()
def accuracy(model, images, labels, batch=1000):
    """Top-1 accuracy of ``model`` (eval mode) on uint8 images, no augmentation."""
    model.eval()
    correct = 0
    for i in range(0, len(images), batch):
        x = torch.from_numpy(images[i:i + batch]).float().div_(255)
        correct += (model(x).argmax(1).numpy() == labels[i:i + batch]).sum()
    return float(correct) / len(images)


def run(name, trainer, d, budget, seed):
    """Train one fresh model with ``trainer(images, labels, budget, seed)``; return a result dict."""
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    model = trainer(d.train_x, d.train_y, budget, seed)
    seconds = time.perf_counter() - start
    history = getattr(model, "history", None) or [{}]
    last = history[-1]
    result = {
        "model": name, "budget_s": budget, "seed": seed,
        "train_seconds": round(seconds, 2),
        "epochs": round(last.get("epoch", 0.0), 3),
        "numerics": "bf16" if last.get("bf16") else "fp32",
        "widths": list(getattr(model, "widths", ())) or None,
        "threads": last.get("threads"),
        "recipe": getattr(model, "recipe", None),
        "train_acc": accuracy(model, d.train_x[:TRAIN_EVAL_IMAGES], d.train_y[:TRAIN_EVAL_IMAGES]),
        "test_acc": accuracy(model, d.test_x, d.test_y),
        "load_avg_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
    }
    result["reached_65_65"] = result["train_acc"] >= BAR and result["test_acc"] >= BAR
    print(f"    {name:<9} {budget:>6g} s  seed {seed}: {seconds:6.1f} s, {result['epochs']:.2f} epochs, "
          f"train {result['train_acc']:.4f}, test {result['test_acc']:.4f}, "
          f"load {result['load_avg_1min'][0]:.1f}/{result['load_avg_1min'][1]:.1f}; {result['numerics']}, "
          f"widths {result['widths']}, {result['threads']} thread(s)", file=sys.stderr, flush=True)
    return result


def run_one(argv):
    """``--one NAME BUDGET SEED [CIFAR10_DIR]``: one run in this process; its result as JSON on stdout."""
    name, budget, seed = argv[0], float(argv[1]), int(argv[2])
    _, data_mod, model_mod, train_mod = import_reference()
    d = data_mod.load_cifar10(argv[3] if len(argv) > 3 else None)
    if name == "reference":
        trainer = lambda x, y, b, s: train_mod.train(model_mod.build_model(), x, y, b, seed=s, progress=False)
    else:
        trainer = plain_baseline()
    print(json.dumps(run(name, trainer, d, budget, seed)))


def run_in_fresh_process(name, budget, seed, cifar10_dir, isa_cap=None):
    """One run in a new Python process, as the grader trains every submission in a fresh worker
    (no run inherits another's threads, allocator state or warmed-up kernels)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--one", name, str(budget), str(seed)]
    command += [cifar10_dir] if cifar10_dir else []
    process = subprocess.run(command, stdout=subprocess.PIPE, text=True, env={**os.environ, **ISA_CAP_ENV.get(isa_cap, {})})
    if process.returncode != 0:
        raise SystemExit(f"bench/cnn_reference.py: the {name} run at {budget:g} s, seed {seed}, failed "
                         f"(exit {process.returncode}); its error is printed above")
    return json.loads(process.stdout.strip().splitlines()[-1])


def summarise(runs):
    """One row per (model, budget, loaded): min / max over the seeds."""
    rows = {}
    for r in runs:
        key = (r["model"], r["budget_s"], r.get("loaded", False))
        rows.setdefault(key, []).append(r)
    out = []
    for (name, budget, loaded), group in sorted(rows.items(), key=lambda kv: (kv[0][0], kv[0][2], kv[0][1])):
        out.append({
            "model": name, "budget_s": budget, "loaded": loaded, "seeds": [r["seed"] for r in group],
            "train_acc_min": min(r["train_acc"] for r in group), "train_acc_max": max(r["train_acc"] for r in group),
            "test_acc_min": min(r["test_acc"] for r in group), "test_acc_max": max(r["test_acc"] for r in group),
            "train_seconds_max": max(r["train_seconds"] for r in group),
            "numerics": sorted({r.get("numerics", "fp32") for r in group}),
            "widths": sorted({tuple(r["widths"]) for r in group if r.get("widths")}),
            "epochs_min": min(r["epochs"] for r in group),
            "all_reached_65_65": all(r["reached_65_65"] for r in group),
            "load_avg_1min_max": max(max(r["load_avg_1min"]) for r in group),
        })
    return out


def time_to_65(summary, name="reference"):
    """Training seconds (slowest seed) of the smallest unloaded budget at which every seed made 65/65."""
    rows = [s for s in summary if s["model"] == name and not s["loaded"] and s["all_reached_65_65"]]
    best = min(rows, key=lambda s: s["budget_s"], default=None)
    return None if best is None else {"budget_s": best["budget_s"], "train_seconds": best["train_seconds_max"],
                                      "seeds": len(best["seeds"])}


class BurnOneCore:
    """A second process that keeps one core busy while the block runs (the loaded-machine run)."""

    def __enter__(self):
        self.process = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        return self

    def __exit__(self, *exc):
        self.process.kill()
        self.process.wait()


def chosen(row):
    """What the recipe chose in a summary row's runs: numerics and widths (several if the seeds differ)."""
    widths = ", ".join("/".join(map(str, w)) for w in row.get("widths", [])) or "-"
    return f"{'+'.join(row.get('numerics', ['fp32']))} {widths}"


def print_summary(out):
    print()
    print(f"machine: {describe_machine(out['machine'])}")
    print(f"{'model':<10}{'budget s':>9}{'loaded':>8}{'seeds':>6}{'train s':>9}{'epochs':>8}"
          f"{'train acc':>17}{'test acc':>17}{'65/65':>7}{'load':>7}  numerics, widths")
    for s in out["summary"]:
        print(f"{s['model']:<10}{s['budget_s']:>9g}{'yes' if s['loaded'] else 'no':>8}{len(s['seeds']):>6}"
              f"{s['train_seconds_max']:>9.1f}{s['epochs_min']:>8.2f}"
              f"{s['train_acc_min']:>9.1%}–{s['train_acc_max']:<7.1%}{s['test_acc_min']:>9.1%}–{s['test_acc_max']:<7.1%}"
              f"{'all' if s['all_reached_65_65'] else 'no':>7}{s['load_avg_1min_max']:>7.1f}  {chosen(s)}")
    t = out["time_to_65_65"]
    print("reference, time to 65 % train and test (every seed): "
          + (f"{t['train_seconds']:.1f} s of training ({t['budget_s']:g} s budget, {t['seeds']} seeds)" if t
             else "not reached at these budgets"))
    print("(accuracy ranges are min–max over the seeds; train = first 10,000 training images, as the grader)")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--one"]:
        return run_one(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("json_out", help="where to write the numbers (JSON)")
    parser.add_argument("--budgets", default="7,8,9,10,12.5,15,30", help="comma-separated short budgets (s), reference")
    parser.add_argument("--seeds", type=int, default=3, help="seeds per short budget")
    parser.add_argument("--first-seed", type=int, default=0, help="seeds run from this one up (to split a bench)")
    parser.add_argument("--long-budget", type=float, default=600.0, help="the long budget (s)")
    parser.add_argument("--long-seeds", type=int, default=3, help="seeds at the long budget")
    parser.add_argument("--no-long", action="store_true", help="skip every run at the long budget")
    parser.add_argument("--baseline-budgets", default="15,30,600", help="budgets of the plain baseline ('' for none)")
    parser.add_argument("--baseline-seeds", type=int, default=None, help="default: as the reference's")
    parser.add_argument("--baseline-long-seeds", type=int, default=None,
                        help="seeds of the baseline at the long budget (default: as --long-seeds)")
    parser.add_argument("--no-loaded", action="store_true", help="skip the loaded-machine run")
    parser.add_argument("--cifar10-dir", default=None, help="default: $CIFAR10_DIR")
    parser.add_argument("--isa-cap", choices=sorted(ISA_CAP_ENV), default=None,
                        help="cap the kernels of every training process at this ISA (see ISA_CAP_ENV)")
    args = parser.parse_args(argv)

    directory, _, _, train_mod = import_reference()
    the_machine = {**machine(), "isa_cap": args.isa_cap}
    print(f"reference: {directory.relative_to(REPO)}; machine: {describe_machine(the_machine)}; "
          f"device {train_mod.training_device()}, load {os.getloadavg()[0]:.2f}; every run in a fresh process", flush=True)

    seeds_at = lambda budget, short, long=args.long_seeds: range(
        args.first_seed, args.first_seed + (short if budget < args.long_budget else long))
    plan = [("reference", float(b), s) for b in args.budgets.split(",") if b
            for s in seeds_at(float(b), args.seeds)]
    if not args.no_long:
        plan += [("reference", args.long_budget, s) for s in seeds_at(args.long_budget, 0)]
    for b in [float(b) for b in args.baseline_budgets.split(",") if b]:
        if b >= args.long_budget and args.no_long:
            continue
        long_seeds = args.long_seeds if args.baseline_long_seeds is None else args.baseline_long_seeds
        plan += [("baseline", b, s) for s in seeds_at(b, args.baseline_seeds or args.seeds, long_seeds)]

    runs = [run_in_fresh_process(name, budget, seed, args.cifar10_dir, args.isa_cap) for name, budget, seed in plan]
    if not args.no_loaded and not args.no_long:
        print(f"  loaded machine: a second process burns one core during a {args.long_budget:g}-s run", flush=True)
        with BurnOneCore():
            runs.append(dict(run_in_fresh_process("reference", args.long_budget, 0, args.cifar10_dir, args.isa_cap),
                             loaded=True))

    out = {"reference": str(directory.relative_to(REPO)), "machine": the_machine, "torch": torch.__version__,
           "cpu_threads": train_mod.cpu_threads(), "device": str(train_mod.training_device()),
           "when": time.strftime("%Y-%m-%d %H:%M:%S"), "runs": runs}
    out["summary"] = summarise(runs)
    out["time_to_65_65"] = time_to_65(out["summary"])
    print_summary(out)
    Path(args.json_out).write_text(json.dumps(out, indent=2))
    return out


if __name__ == "__main__":
    main()
