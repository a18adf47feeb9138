#!/usr/bin/env python3
"""Training speed, cellscope against PyTorch, measured side by side (issue 5).

For each configuration (layers, hidden, batch, seq) the script runs
`cellscope bench` and the PyTorch reference `torch_char_lstm.py` alternately,
A B A B ..., for --rounds pairs. Every run is a separate process. It prints one
line per pair (both chars/s and the ratio cellscope / PyTorch), then per
configuration the median ratio and its spread (min-max of the pair ratios), and
at the end a Markdown table for the README.

Usage (from the repository root, with a release build and a Python that has torch):

    swift build -c release
    python3 scripts/compare_torch.py --python ~/ref-venv/bin/python
    python3 scripts/compare_torch.py --python ~/ref-venv/bin/python \\
        --rounds 5 --config 2,512,100,100 --config 3,512,50,50

Options (all have defaults):
    --cellscope PATH   cellscope binary (default .build/release/cellscope)
    --python PATH      Python with torch for the reference (default python3)
    --bench-dir DIR    folder holding torch_char_lstm.py (default ../shared/bench)
    --config L,H,B,T   configuration; repeat for several (default: the issue's
                       four: 2,128,50,50  2,256,50,50  2,512,100,100  3,512,50,50)
    --rounds N         A B pairs per configuration (default 3)
    --threads N        threads for both sides (default 2)
    --vocab V          vocabulary size (default 65)
    --iters N          timed training steps per run for both sides; default: per
                       configuration, about --target-seconds of PyTorch work
                       estimated from the matrix FLOPs at 50 GFLOP/s, 4 to 200
    --target-seconds S see --iters (default 5)
    --torch-warmup N   untimed PyTorch steps before timing (default 2;
                       cellscope's bench always does 1)
    --torch-arg ARG    extra argument for torch_char_lstm.py, repeatable
                       (e.g. --torch-arg=--no-mkldnn)
    --dry-run          print the commands and exit

What the two sides measure (kept identical on purpose):
    * model: one-hot input of width V (no embedding), L LSTM layers of H cells,
      a linear decoder H -> V, softmax cross-entropy over all B*T positions;
    * one training step = forward + loss + backward + gradient clipping (5) +
      RMSProp (decay 0.95, learning rate 1e-3) on random synthetic tokens,
      hidden state carried between steps (truncated BPTT);
    * chars/s = B*T*iters / (sum of the timed steps), after warm-up; data
      generation, process start-up and imports are not timed;
    * the same thread count: cellscope sets OpenBLAS's, PyTorch calls
      torch.set_num_threads; both processes also get OMP_NUM_THREADS,
      OPENBLAS_NUM_THREADS and MKL_NUM_THREADS set to it, and
      OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE removed.
  Remaining differences, which cost little time: PyTorch clips by the global
  gradient norm (clip_grad_norm_), cellscope clamps each gradient element as
  char-rnn does; PyTorch cycles 4 random batches, cellscope reuses one;
  PyTorch multiplies the one-hot matrix (a 4H x V product), cellscope gathers
  columns of W_ih instead.

The "of sgemm ceiling" column is what cellscope's bench prints: its achieved
GFLOP/s (matrix FLOPs of a training step, counting the layer-0 input product
as 2*4H*V per character even though cellscope gathers it) over a 1024^3 sgemm
measured in the same process. It is not the "sgemm bound" of
../shared/bench/README.md, which uses a 2048^3 product and an embedding input
(D = H), hence more FLOPs per character.

The machine is shared and small, so absolute figures move with the load: trust
ratios from one run, look at the spread, and note the load averages the script
prints before and after. Standard library only; not part of CI.
"""
import argparse
import datetime
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

DEFAULT_CONFIGS = ["2,128,50,50", "2,256,50,50", "2,512,100,100", "3,512,50,50"]
REPO = Path(__file__).resolve().parent.parent


def resolve(path):
    """A path as given (relative to the working directory), else relative to the repository."""
    p = Path(path).expanduser()
    if p.exists() or p.is_absolute():
        return p
    q = REPO / p
    return q if q.exists() else p


def parse_config(text):
    parts = text.split(",")
    if len(parts) != 4 or not all(s.strip().isdigit() and int(s) > 0 for s in parts):
        raise argparse.ArgumentTypeError(f"configuration must look like 2,128,50,50 (got {text!r})")
    return tuple(int(s) for s in parts)


def flops_per_char(L, H, V):
    """Matrix FLOPs per character of a training step, as cellscope's bench counts them."""
    f = sum(2 * 4 * H * ((V if k == 0 else H) + H) for k in range(L)) + 2 * V * H
    return 3 * f


def default_iters(cfg, V, target_s):
    L, H, B, T = cfg
    step_s = flops_per_char(L, H, V) * B * T / 50e9
    return max(4, min(200, round(target_s / step_s)))


def child_env(threads):
    env = dict(os.environ)
    for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        env.pop(k, None)
    for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[k] = str(threads)
    return env


def run(cmd, env, timeout):
    t0 = time.monotonic()
    try:
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        sys.exit(f"error: timed out after {timeout} s: {shlex.join(cmd)}")
    if p.returncode != 0:
        sys.exit(f"error: exit status {p.returncode}: {shlex.join(cmd)}\n{p.stdout}{p.stderr}")
    return p.stdout, time.monotonic() - t0


def cellscope_cmd(args, cfg, iters):
    return [str(args.cellscope), "bench", "--config", ",".join(map(str, cfg)), "--vocab", str(args.vocab),
            "--iters", str(iters), "--threads", str(args.threads), "--record-chars", "0"]


def parse_cellscope(out, cfg):
    """chars/s, fraction of the sgemm ceiling, and the ceiling (GFLOP/s) from a bench table."""
    key = ",".join(map(str, cfg))
    ceiling = None
    for line in out.splitlines():
        if line.startswith("sgemm ceiling"):
            try:
                ceiling = float(line.rsplit(":", 1)[1].split()[0])
            except (IndexError, ValueError):
                pass
        cols = line.split("\t")
        if len(cols) >= 5 and cols[0].strip() == key:
            frac = float(cols[4].strip().rstrip("%")) / 100 if cols[4].strip().endswith("%") else None
            return float(cols[1]), frac, ceiling
    sys.exit(f"error: no row for {key} in cellscope's output:\n{out}")


def torch_cmd(args, cfg, iters):
    L, H, B, T = cfg
    return [str(args.python), str(args.bench_dir / "torch_char_lstm.py"),
            "--layers", str(L), "--hidden", str(H), "--batch", str(B), "--seq", str(T),
            "--vocab", str(args.vocab), "--threads", str(args.threads),
            "--iters", str(iters), "--warmup", str(args.torch_warmup),
            "--onehot", "--optim", "rmsprop", "--lr", "1e-3", "--clip", "5", *args.torch_arg]


def parse_torch(out, cfg, args):
    L, H, B, T = cfg
    for line in out.splitlines():
        if not line.startswith("RESULT\t"):
            continue
        kv = dict(f.split("=", 1) for f in line.split("\t")[1:] if "=" in f)
        if kv.get("mode") != "train":
            continue
        want = {"layers": L, "hidden": H, "batch": B, "seq": T, "vocab": args.vocab, "threads": args.threads,
                "input": "onehot", "optim": "rmsprop"}
        bad = {k: (kv.get(k), v) for k, v in want.items() if kv.get(k) != str(v)}
        if bad:
            sys.exit(f"error: PyTorch measured something else than asked: {bad}\n{line}")
        return float(kv["chars_per_s"])
    sys.exit(f"error: no RESULT line in PyTorch's output:\n{out}")


def fmt_int(x):
    return f"{x:,.0f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cellscope", default=".build/release/cellscope")
    ap.add_argument("--python", default="python3")
    ap.add_argument("--bench-dir", default="../shared/bench")
    ap.add_argument("--config", action="append", type=parse_config, metavar="L,H,B,T")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--vocab", type=int, default=65)
    ap.add_argument("--iters", type=int, default=None)
    ap.add_argument("--target-seconds", type=float, default=5.0)
    ap.add_argument("--torch-warmup", type=int, default=2)
    ap.add_argument("--torch-arg", action="append", default=[])
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per run (default 1800)")
    ap.add_argument("--dry-run", action="store_true")
    args = ap.parse_args()
    if args.rounds < 1 or args.threads < 1:
        ap.error("--rounds and --threads must be at least 1")
    configs = args.config or [parse_config(c) for c in DEFAULT_CONFIGS]
    args.cellscope = resolve(args.cellscope)
    args.bench_dir = resolve(args.bench_dir)
    if os.sep in args.python:  # a path; a bare name is looked up on PATH
        args.python = resolve(args.python)
    env = child_env(args.threads)
    plan = [(cfg, args.iters or default_iters(cfg, args.vocab, args.target_seconds)) for cfg in configs]

    if args.dry_run:
        for cfg, iters in plan:
            print(shlex.join(cellscope_cmd(args, cfg, iters)))
            print(shlex.join(torch_cmd(args, cfg, iters)))
        return
    if not Path(args.cellscope).is_file():
        sys.exit(f"error: no cellscope binary at {args.cellscope} (swift build -c release, or pass --cellscope)")
    if not (args.bench_dir / "torch_char_lstm.py").is_file():
        sys.exit(f"error: no torch_char_lstm.py in {args.bench_dir} (pass --bench-dir)")
    ver, _ = run([str(args.python), "-c", "import torch; print(torch.__version__, torch.backends.mkldnn.enabled)"],
                 env, 300)

    load0 = os.getloadavg()
    started = datetime.datetime.now().astimezone()
    print(f"# cellscope vs PyTorch training, {started:%Y-%m-%d %H:%M %Z}")
    print(f"# command: {shlex.join([sys.argv[0], *sys.argv[1:]])}")
    print(f"# host: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs; torch {ver.split()[0]} "
          f"(mkldnn {ver.split()[1]}); threads {args.threads}; vocab {args.vocab}; one-hot input, RMSProp")
    print(f"# load average before: {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}", flush=True)

    summary = []
    for cfg, iters in plan:
        name = ",".join(map(str, cfg))
        print(f"\n## {name}  (L,H,B,T; {iters} timed steps per run)")
        print(f"#   A: {shlex.join(cellscope_cmd(args, cfg, iters))}")
        print(f"#   B: {shlex.join(torch_cmd(args, cfg, iters))}", flush=True)
        ours, theirs, ratios, fracs, ceilings = [], [], [], [], []
        for r in range(1, args.rounds + 1):
            out, ta = run(cellscope_cmd(args, cfg, iters), env, args.timeout)
            cs, frac, ceil = parse_cellscope(out, cfg)
            out, tb = run(torch_cmd(args, cfg, iters), env, args.timeout)
            pt = parse_torch(out, cfg, args)
            ours.append(cs)
            theirs.append(pt)
            ratios.append(cs / pt)
            if frac is not None:
                fracs.append(frac)
            if ceil is not None:
                ceilings.append(ceil)
            extra = f"  of ceiling {frac:.0%} (sgemm {ceil:.1f} GFLOP/s)" if frac is not None and ceil else ""
            print(f"pair {r}/{args.rounds}: cellscope {fmt_int(cs):>8} chars/s  PyTorch {fmt_int(pt):>8} chars/s  "
                  f"ratio {cs / pt:.3f}{extra}  [wall {ta:.0f} s + {tb:.0f} s]", flush=True)
        med = statistics.median(ratios)
        print(f"{name}: median ratio {med:.3f}, spread {min(ratios):.3f}-{max(ratios):.3f} over {len(ratios)} pairs; "
              f"medians cellscope {fmt_int(statistics.median(ours))}, PyTorch {fmt_int(statistics.median(theirs))} "
              f"chars/s", flush=True)
        summary.append((name, statistics.median(ours), statistics.median(theirs), med, min(ratios), max(ratios),
                        statistics.median(fracs) if fracs else None,
                        statistics.median(ceilings) if ceilings else None))

    load1 = os.getloadavg()
    minutes = (datetime.datetime.now().astimezone() - started).total_seconds() / 60
    print(f"\n# load average after: {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}; {minutes:.1f} min")
    busy = max(load0[0], load1[0], load1[1])
    if busy > 0.75 * (os.cpu_count() or 1) + args.threads:
        print(f"# WARNING: load average up to {busy:.1f} on {os.cpu_count()} CPUs while measuring: other processes "
              f"competed for the cores, so the figures (PyTorch's OpenMP threads especially) are depressed and the "
              f"ratios and ceiling fractions are not representative; rerun on an idle machine.")
    if any(s[6] is not None and s[6] > 1 for s in summary):
        print("# NOTE: a fraction above 100% means the sgemm ceiling measured inside cellscope's bench was itself "
              "slowed down by the load.")
    print(f"\nTraining chars/s, {args.threads} threads, float32, one-hot input (V={args.vocab}), RMSProp, "
          f"medians of {args.rounds} alternating pairs ({started:%Y-%m-%d}):\n")
    print("| configuration (L, H, B, T) | cellscope chars/s | PyTorch chars/s | ratio (median) | ratio spread | "
          "cellscope of sgemm ceiling |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, cs, pt, med, lo, hi, frac, ceil in summary:
        f = f"{frac:.0%} (of {ceil:.0f} GFLOP/s)" if frac is not None and ceil else (f"{frac:.0%}" if frac else "—")
        print(f"| {name.replace(',', ', ')} | {fmt_int(cs)} | {fmt_int(pt)} | {med:.2f}x | {lo:.2f}-{hi:.2f} | {f} |")


if __name__ == "__main__":
    main()
