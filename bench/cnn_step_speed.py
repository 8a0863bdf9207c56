"""Training speed of the reference CNN per step, under the levers that change only speed.

Each configuration runs in a fresh process, with the reference's own pieces (``build_model``,
``init_whitening``, ``freeze_batchnorm_scales``, ``freeze_whitening_bias``, ``NesterovSGD``)
on random images (speed does not depend on the pixels): ``WARMUP`` steps, then at least
``STEPS`` timed steps and ``MIN_SECONDS`` of them, each a forward, cross-entropy, backward and
SGD step. It reports images per second at the median step time (a shared machine's pauses
move the mean) and the seconds of the first step: for ``torch.compile`` that is the
compilation, with an empty compile cache as on a fresh grading worker, and a training budget
pays it like any step.

Configurations: the whitening stride (1: fine patches, the bias frozen, as in the second part
of a long run; 2: coarse patches, the bias trained, as in its first part), the memory layout
(channels-last or contiguous), the batch size, eager against ``torch.compile``, and, with the
reference's own step (channels-last, batch 128, eager), the numerics (fp32 or bf16 autocast)
for the narrow net of ``build_model()`` and the wide one ``train.WIDE``. The wide net's step
on fine patches over the narrow net's on coarse ones is ``train.WIDE_COST``, printed per numerics.
Every row carries the machine (``cnn_reference.machine()``: CPU model, ISA flags, threads).

Usage:  python bench/cnn_step_speed.py [results.json]
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from bench.cnn_reference import describe_machine, machine  # noqa: E402

WARMUP, STEPS, MIN_SECONDS = 3, 15, 5.0
CONFIGS = [
    {"stride": stride, "channels_last": layout, "batch": batch, "compile": compiled, "bf16": False, "wide": False}
    for stride in (1, 2)
    for layout, batch, compiled in ((True, 128, False), (False, 128, False), (True, 256, False), (True, 128, True))
] + [
    {"stride": stride, "channels_last": True, "batch": 128, "compile": False, "bf16": bf16, "wide": wide}
    for wide in (False, True) for stride in (1, 2) for bf16 in (False, True) if wide or bf16
]


def measure(config):
    """Images per second (and compile seconds) of one configuration, in this process."""
    sys.path.insert(0, str(REPO / "solutions" / "cnn"))
    import torch
    import torch.nn.functional as F
    import model as model_mod
    import train

    torch.manual_seed(0)
    torch.set_num_threads(train.cpu_threads())
    layout = torch.channels_last if config["channels_last"] else torch.contiguous_format
    net = model_mod.build_model()
    if config["wide"]:
        net.set_widths(train.WIDE)
    images = torch.randint(0, 256, (config["batch"], 3, 32, 32), dtype=torch.uint8)
    train.init_whitening(net, images)
    train.use_coarse_patches(net, config["stride"] == 2)
    if config["stride"] == 1:
        train.freeze_whitening_bias(net)
    train.freeze_batchnorm_scales(net)
    net = net.to(memory_format=layout).train()
    params = [p for p in net.parameters() if p.requires_grad]
    optimizer = train.NesterovSGD([([p for p in params if p.ndim > 1], train.WEIGHT_DECAY, 1),
                                   ([p for p in params if p.ndim <= 1], 0, 1)], train.MOMENTUM)
    forward = torch.compile(net) if config["compile"] else net
    x = train.batch_to_float(images).contiguous(memory_format=layout)
    y = torch.randint(0, 10, (config["batch"],))

    def step():
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=config["bf16"]):
            logits = forward(x)
        loss = F.cross_entropy(logits.float(), y, label_smoothing=train.LABEL_SMOOTHING)
        net.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step(0.01)

    start = time.perf_counter()
    step()
    first_step_s = time.perf_counter() - start
    for _ in range(WARMUP - 1):
        step()
    times = []
    while len(times) < STEPS or sum(times) < MIN_SECONDS:
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    seconds = statistics.median(times)
    return {**config, "widths": list(net.widths), "threads": torch.get_num_threads(), "first_step_s": round(first_step_s, 2),
            "ms_per_step": round(1000 * seconds, 1), "steps_timed": len(times), "images_per_s": round(config["batch"] / seconds)}


def describe(row):
    """One line for a measured configuration (also `python -m bench`'s table)."""
    return (f"widths {'/'.join(map(str, row.get('widths', [32, 64, 128])))}, "
            f"{'bf16 autocast' if row.get('bf16') else 'fp32'}, {row.get('threads', '?')} threads, "
            f"stride {row['stride']}, {'channels-last' if row['channels_last'] else 'contiguous'}, "
            f"batch {row['batch']}, {'torch.compile' if row['compile'] else 'eager'}: "
            f"{row['images_per_s']} images/s (first step {row['first_step_s']:.1f} s)")


def wide_cost(rows):
    """{numerics: ms of the wide net's step on fine patches / ms of the narrow net's on coarse ones} (train.WIDE_COST)."""
    def ms(wide, stride, bf16):
        return next((r["ms_per_step"] for r in rows if r.get("wide") == wide and r["stride"] == stride
                     and r.get("bf16") == bf16 and r["channels_last"] and r["batch"] == 128 and not r["compile"]), None)
    costs = {}
    for bf16, name in ((False, "fp32"), (True, "bf16")):
        wide, narrow = ms(True, 1, bf16), ms(False, 2, bf16)
        if wide and narrow:
            costs[name] = round(wide / narrow, 2)
    return costs


def main(argv):
    if argv[:1] == ["--one"]:
        print(json.dumps(measure(json.loads(argv[1]))))
        return
    rows = []
    print(f"machine: {describe_machine(machine())}", file=sys.stderr, flush=True)
    for config in CONFIGS:
        with tempfile.TemporaryDirectory(prefix="inductor-") as cache:
            # an empty compile cache, as on a fresh grading worker: the first step pays the whole compilation
            done = subprocess.run([sys.executable, __file__, "--one", json.dumps(config)],
                                  stdout=subprocess.PIPE, text=True, env={**os.environ, "TORCHINDUCTOR_CACHE_DIR": cache})
        if done.returncode != 0:
            raise SystemExit(f"bench/cnn_step_speed.py: configuration {config} failed (exit {done.returncode}); "
                             f"its error is printed above")
        row = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"    {describe(row)}", file=sys.stderr, flush=True)
        rows.append(row)
    results = {"when": time.strftime("%Y-%m-%d %H:%M:%S"), "machine": machine(), "runs": rows, "wide_cost": wide_cost(rows)}
    print(f"    wide net on fine patches / narrow net on coarse ones, step time: {results['wide_cost']}", file=sys.stderr)
    if argv:
        Path(argv[0]).write_text(json.dumps(results, indent=2) + "\n")
    else:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
