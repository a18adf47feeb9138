#!/usr/bin/env python3
"""Training and recorder speed, cellscope against PyTorch, measured side by side (issues 5 and 15).

For each configuration the script runs, in this order and for --rounds rounds,
A `cellscope bench`, B the PyTorch reference `torch_char_lstm.py` in float32,
and C the same reference under torch.autocast("cpu", dtype=torch.bfloat16)
(scripts/torch_autocast_lstm.py; --no-autocast leaves C out): A B C A B C ...
Every run is a separate process. It prints one line per round (the chars/s of
each side and the ratios cellscope / PyTorch float32 and cellscope / PyTorch
bf16), then per configuration the median of each ratio and its spread (min-max
over the rounds), and at the end a Markdown table for the README.

Two modes:
  * training (the default): configurations --config L,H,B,T, a training step
    on each side;
  * recorder (--record L,H,B, repeatable): a forward pass that records the
    activations, cellscope's recorder against torch_char_lstm.py --infer and
    its three variants (stepwise, cell, fused; see below). When any --record
    is given only the recorder comparisons run, unless --config is given too,
    in which case the training comparisons run first.

Usage (from the repository root, with a release build and a Python that has torch):

    swift build -c release
    python3 scripts/compare_torch.py --python ~/ref-venv/bin/python
    python3 scripts/compare_torch.py --python ~/ref-venv/bin/python \\
        --rounds 5 --config 2,512,100,100 --config 3,512,50,50
    python3 scripts/compare_torch.py --python ~/ref-venv/bin/python \\
        --record 2,512,64 --record 2,512,1
    python3 scripts/compare_torch.py --python ~/ref-venv/bin/python \\
        --cellscope-arg=--precision --cellscope-arg=bf16

Options (all optional):
    --cellscope PATH   cellscope binary (default .build/release/cellscope)
    --python PATH      Python with torch for the reference (default python3)
    --bench-dir DIR    folder holding torch_char_lstm.py (default ../shared/bench)
    --cellscope-arg ARG  extra argument for `cellscope bench`, repeatable, in
                       both modes (e.g. --cellscope-arg=--precision
                       --cellscope-arg=bf16)
    --no-autocast      run no bf16 autocast peer (C), only A and B
    --config L,H,B,T   training configuration; repeat for several (default,
                       unless --record is given: the issue's four:
                       2,128,50,50  2,256,50,50  2,512,100,100  3,512,50,50)
    --rounds N         A B C rounds per configuration (default 3)
    --threads N        threads for both sides (default 2)
    --vocab V          vocabulary size (default 65)
    --iters N          timed training steps per run for both sides; default: per
                       configuration, about --target-seconds of PyTorch work
                       estimated from the matrix FLOPs at 50 GFLOP/s, 4 to 200
    --target-seconds S see --iters (default 5)
    --torch-warmup N   untimed PyTorch steps before timing (default 2;
                       cellscope's bench always does 1)
    --torch-arg ARG    extra argument for torch_char_lstm.py, repeatable
                       (e.g. --torch-arg=--no-mkldnn); used in both modes and
                       for both PyTorch peers
    --record L,H,B     recorder configuration; repeat for several (batch 1 is
                       cellscope's exact single-stream mode)
    --record-chars N   characters recorded per run, on both sides (default
                       20000; for batch 1 at most 4000, as cellscope caps it)
    --torch-reps N     timed PyTorch recorder runs per process, of which the
                       median counts (default 3)
    --timeout S        seconds per run (default 1800)
    --dry-run          print the commands and exit

What the sides measure in training mode (kept identical on purpose):
    * model: one-hot input of width V (no embedding), L LSTM layers of H cells,
      a linear decoder H -> V, softmax cross-entropy over all B*T positions;
    * one training step = forward + loss + backward + gradient clipping (5) +
      RMSProp (decay 0.95, learning rate 1e-3) on random synthetic tokens,
      hidden state carried between steps (truncated BPTT);
    * chars/s = B*T*iters / (sum of the timed steps), after warm-up; data
      generation, process start-up and imports are not timed;
    * the same thread count: cellscope sets OpenBLAS's, PyTorch calls
      torch.set_num_threads; all processes also get OMP_NUM_THREADS,
      OPENBLAS_NUM_THREADS and MKL_NUM_THREADS set to it, and
      OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE removed;
    * cellscope runs in the precision its bench uses by default unless
      --cellscope-arg says otherwise; PyTorch B in float32 throughout.
  Remaining differences, which cost little time: PyTorch clips by the global
  gradient norm (clip_grad_norm_), cellscope clamps each gradient element as
  char-rnn does; PyTorch cycles 4 random batches, cellscope reuses one;
  PyTorch multiplies the one-hot matrix (a 4H x V product), cellscope gathers
  columns of W_ih instead.

The bf16 autocast peer (C) is the same PyTorch training step, run by
scripts/torch_autocast_lstm.py, which imports torch_char_lstm.py from
--bench-dir and reuses its main(), train() and timing unchanged: only the
model's forward (one-hot input, nn.LSTM, Linear) runs under
torch.autocast("cpu", dtype=torch.bfloat16), its logits leave the region cast
to float32, and loss (float32, as autocast's policy for cross_entropy_loss
makes it), backward, clipping and RMSProp run as in B. Master weights,
gradients and optimizer state stay float32. What autocast covers on the CPU
(checked in torch 2.15 against the dispatcher's AutocastCPU kernels and with a
trace of the ops of one step): linear, addmm, mm, matmul and mkldnn_rnn_layer
(the oneDNN LSTM layer nn.LSTM calls on the CPU) are in its lower-precision
list, so the LSTM and Linear products take bf16-rounded inputs and weights and
accumulate in float32 (a bf16 mm matches a float32 product of the same bf16
inputs rounded once); aten::lstm and lstm_cell have no autocast kernel of
their own (torch.lstm_cell on float32 tensors even stays float32 under
autocast, which is why C runs no cell recorder variant). The oneDNN layer also returns h and c in bf16, so the state carried
between layers and steps is rounded to bf16 -- PyTorch's choice, not ours.
The casts of the weights to bf16 (once per step) are timed, as they are for
anyone training with autocast. With --torch-arg=--no-mkldnn the native LSTM
runs instead, its gate products bf16 addmm and its cell state float32.

The "of sgemm ceiling" column is what cellscope's bench prints: its achieved
GFLOP/s (matrix FLOPs of a training step, counting the layer-0 input product
as 2*4H*V per character even though cellscope gathers it) over a 1024^3 sgemm
measured in the same process. It is not the "sgemm bound" of
../shared/bench/README.md, which uses a 2048^3 product and an embedding input
(D = H), hence more FLOPs per character.

What the two sides measure in recorder mode (--record L,H,B, N = --record-chars):
    * the same model (one-hot input of width V, L layers of H cells, decoder
      H -> V), untrained weights, random tokens, forward only;
    * cellscope: `cellscope bench --record L,H,B --record-chars N`, with a tiny
      training configuration (--config 1,8,2,2 --iters 1) whose line is
      ignored. Its recorder runs the N characters as B streams of ceil(N/B)
      characters (B = 1: one exact stream, state carried from the first
      character; B > 1: the fast mode, 64 steps per forward call, no
      unrecorded warm-up) and hands every position's c (as tanh c), h, the
      i, f, g, o gates of every layer and the softmax to an observer that
      picks the top 5. One timed run per process, no warm-up run; network
      set-up and data are not timed;
    * PyTorch: `torch_char_lstm.py --infer --onehot --infer-batches B
      --infer-len ceil(N/B)`, under no_grad, B streams of ceil(N/B) steps;
      chars/s = B * steps over the median of --torch-reps timed runs after
      one warm-up run. Three variants in the same process:
        stepwise  one nn.LSTM call per time step, h and c of every layer
                  copied into preallocated tensors, plus the logits;
        cell      torch.lstm_cell per layer per step, h and c of every layer
                  and the logits recorded likewise;
        fused     one nn.LSTM call over the whole sequence: only the top
                  layer's h and the logits come back, no cell state is
                  recorded -- an upper bound, not a recorder.
      PyTorch records no gates, computes no softmax and no top 5, so
      cellscope does somewhat more work per character than the two recording
      variants;
    * PyTorch bf16 (C, unless --no-autocast): the stepwise and fused variants
      (not cell, which autocast leaves in float32) of the same command, run by scripts/torch_autocast_lstm.py
      entirely under torch.autocast("cpu", dtype=torch.bfloat16) (see above);
      the recorded h and c come back in bf16 and are copied into the
      reference's float32 buffers;
    * ratios are cellscope / variant per round; "best recording" is the faster
      of float32 stepwise and cell in that round; the same thread count and
      environment as in training mode.

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
TINY_TRAINING = ["--config", "1,8,2,2", "--iters", "1"]  # cellscope's training part, ignored in recorder mode
EXACT_CAP = 4000  # cellscope records at most this many characters at batch 1
VARIANTS = ("stepwise", "cell", "fused")
AUTOCAST_VARIANTS = ("stepwise", "fused")  # the recorder variants the bf16 peer runs
REPO = Path(__file__).resolve().parent.parent
AUTOCAST_SCRIPT = REPO / "scripts" / "torch_autocast_lstm.py"
PROBE = """import torch
try:
    bf16 = int(torch.ops.mkldnn._is_mkldnn_bf16_supported())
except Exception:  # older torch: unknown
    bf16 = "?"
print(torch.__version__, torch.backends.mkldnn.enabled, bf16)
"""


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


def parse_record(text):
    parts = text.split(",")
    if len(parts) != 3 or not all(s.strip().isdigit() and int(s) > 0 for s in parts):
        raise argparse.ArgumentTypeError(f"recorder configuration must look like 2,512,64 (got {text!r})")
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


def cellscope_extra(args):
    """--cellscope-arg values, with --precision fp32 unless they choose a precision: cellscope's
    bench times both precisions by default (bf16 where the CPU has AVX512-BF16), one table each."""
    extra = list(args.cellscope_arg)
    if not any(a == "--precision" or a.startswith("--precision=") for a in extra):
        extra = ["--precision", "fp32"] + extra
    return extra


def cellscope_cmd(args, cfg, iters):
    return [str(args.cellscope), "bench", "--config", ",".join(map(str, cfg)), "--vocab", str(args.vocab),
            "--iters", str(iters), "--threads", str(args.threads), "--record-chars", "0", *cellscope_extra(args)]


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


def torch_script(args, autocast):
    """The interpreter and script of the float32 peer, or of the bf16 autocast wrapper around it."""
    if autocast:
        return [str(args.python), str(AUTOCAST_SCRIPT), "--bench-dir", str(args.bench_dir)]
    return [str(args.python), str(args.bench_dir / "torch_char_lstm.py")]


def torch_cmd(args, cfg, iters, autocast=False):
    L, H, B, T = cfg
    return [*torch_script(args, autocast), "--layers", str(L), "--hidden", str(H), "--batch", str(B), "--seq", str(T),
            "--vocab", str(args.vocab), "--threads", str(args.threads),
            "--iters", str(iters), "--warmup", str(args.torch_warmup),
            "--onehot", "--optim", "rmsprop", "--lr", "1e-3", "--clip", "5", *args.torch_arg]


def check_result(kv, want, autocast, line):
    """Exit unless a RESULT line's fields match what was asked, autocast included."""
    bad = {k: (kv.get(k), v) for k, v in want.items() if kv.get(k) != str(v)}
    if kv.get("autocast") != ("bf16" if autocast else None):
        bad["autocast"] = (kv.get("autocast"), "bf16" if autocast else None)
    if bad:
        sys.exit(f"error: PyTorch measured something else than asked: {bad}\n{line}")


def parse_torch(out, cfg, args, autocast=False):
    L, H, B, T = cfg
    for line in out.splitlines():
        if not line.startswith("RESULT\t"):
            continue
        kv = dict(f.split("=", 1) for f in line.split("\t")[1:] if "=" in f)
        if kv.get("mode") != "train":
            continue
        want = {"layers": L, "hidden": H, "batch": B, "seq": T, "vocab": args.vocab, "threads": args.threads,
                "input": "onehot", "optim": "rmsprop"}
        check_result(kv, want, autocast, line)
        return float(kv["chars_per_s"])
    sys.exit(f"error: no RESULT line in PyTorch's output:\n{out}")


def record_chars(args, rec):
    """Characters cellscope records for this configuration, and PyTorch's steps per stream."""
    B = rec[2]
    chars = min(args.record_chars, EXACT_CAP) if B == 1 else args.record_chars
    return chars, -(-chars // B)


def record_cellscope_cmd(args, rec):
    chars, _ = record_chars(args, rec)
    return [str(args.cellscope), "bench", *TINY_TRAINING, "--vocab", str(args.vocab),
            "--threads", str(args.threads), "--record", ",".join(map(str, rec)), "--record-chars", str(chars),
            *cellscope_extra(args)]


def parse_record_cellscope(out, rec):
    """chars/s of the recorder row for rec, looked for after the recorder header only."""
    key = ",".join(map(str, rec))
    seen = False
    for line in out.splitlines():
        if line.startswith("recorder(L,H,B)"):
            seen = True
            continue
        cols = line.split("\t")
        if seen and len(cols) >= 2 and cols[0].strip() == key:
            return float(cols[1])
    sys.exit(f"error: no recorder row for {key} in cellscope's output:\n{out}")


def record_torch_cmd(args, rec, autocast=False):
    L, H, B = rec
    _, steps = record_chars(args, rec)
    return [*torch_script(args, autocast), "--infer", "--onehot",
            "--layers", str(L), "--hidden", str(H), "--vocab", str(args.vocab), "--threads", str(args.threads),
            "--infer-batches", str(B), "--infer-len", str(steps), "--infer-reps", str(args.torch_reps),
            "--infer-variants", *(AUTOCAST_VARIANTS if autocast else VARIANTS), *args.torch_arg]


def parse_record_torch(out, rec, args, autocast=False):
    """{variant: chars/s} for the inference variants run (three in float32, two under autocast)."""
    variants = AUTOCAST_VARIANTS if autocast else VARIANTS
    L, H, B = rec
    _, steps = record_chars(args, rec)
    want = {"layers": L, "hidden": H, "batch": B, "seq": steps, "vocab": args.vocab, "threads": args.threads,
            "input": "onehot"}
    got = {}
    for line in out.splitlines():
        if not line.startswith("RESULT\t"):
            continue
        kv = dict(f.split("=", 1) for f in line.split("\t")[1:] if "=" in f)
        variant = kv.get("mode", "").removeprefix("infer-")
        if variant not in variants:
            continue
        check_result(kv, want, autocast, line)
        got[variant] = float(kv["chars_per_s"])
    missing = [v for v in variants if v not in got]
    if missing:
        sys.exit(f"error: no RESULT line for {', '.join(missing)} in PyTorch's output:\n{out}")
    return got


def fmt_int(x):
    return f"{x:,.0f}"


def spread(ratios):
    """(median, min, max) of a list of ratios."""
    return statistics.median(ratios), min(ratios), max(ratios)


def compare_training(args, env, plan):
    """A B C rounds of training runs per configuration; returns the summary rows for the table."""
    summary = []
    for cfg, iters in plan:
        name = ",".join(map(str, cfg))
        print(f"\n## {name}  (L,H,B,T; {iters} timed steps per run)")
        print(f"#   A: {shlex.join(cellscope_cmd(args, cfg, iters))}")
        print(f"#   B: {shlex.join(torch_cmd(args, cfg, iters))}")
        if args.autocast:
            print(f"#   C: {shlex.join(torch_cmd(args, cfg, iters, autocast=True))}")
        sys.stdout.flush()
        ours, fp32, bf16, r32, r16, fracs, ceilings = [], [], [], [], [], [], []
        for r in range(1, args.rounds + 1):
            out, ta = run(cellscope_cmd(args, cfg, iters), env, args.timeout)
            cs, frac, ceil = parse_cellscope(out, cfg)
            out, tb = run(torch_cmd(args, cfg, iters), env, args.timeout)
            pt = parse_torch(out, cfg, args)
            ours.append(cs)
            fp32.append(pt)
            r32.append(cs / pt)
            walls = f"{ta:.0f} s + {tb:.0f} s"
            peers = f"PyTorch fp32 {fmt_int(pt):>8}"
            ratios = f"ratio vs fp32 {cs / pt:.3f}"
            if args.autocast:
                out, tc = run(torch_cmd(args, cfg, iters, autocast=True), env, args.timeout)
                pb = parse_torch(out, cfg, args, autocast=True)
                bf16.append(pb)
                r16.append(cs / pb)
                walls += f" + {tc:.0f} s"
                peers += f"  bf16 {fmt_int(pb):>8}"
                ratios += f", vs bf16 {cs / pb:.3f}"
            if frac is not None:
                fracs.append(frac)
            if ceil is not None:
                ceilings.append(ceil)
            extra = f"  of ceiling {frac:.0%} (sgemm {ceil:.1f} GFLOP/s)" if frac is not None and ceil else ""
            print(f"round {r}/{args.rounds}: cellscope {fmt_int(cs):>8}  {peers} chars/s  {ratios}{extra}  "
                  f"[wall {walls}]", flush=True)
        s32 = spread(r32)
        s16 = spread(r16) if r16 else None
        line = f"{name}: cellscope / PyTorch fp32 median {s32[0]:.3f}, spread {s32[1]:.3f}-{s32[2]:.3f}"
        if s16:
            line += f"; cellscope / PyTorch bf16 median {s16[0]:.3f}, spread {s16[1]:.3f}-{s16[2]:.3f}"
        line += (f" over {len(r32)} rounds; medians cellscope {fmt_int(statistics.median(ours))}, PyTorch fp32 "
                 f"{fmt_int(statistics.median(fp32))}")
        if bf16:
            line += f", PyTorch bf16 {fmt_int(statistics.median(bf16))}"
        print(line + " chars/s", flush=True)
        summary.append({"name": name, "cs": statistics.median(ours), "fp32": statistics.median(fp32),
                        "bf16": statistics.median(bf16) if bf16 else None, "r32": s32, "r16": s16,
                        "frac": statistics.median(fracs) if fracs else None,
                        "ceil": statistics.median(ceilings) if ceilings else None})
    return summary


def compare_recorder(args, env, records):
    """A B C rounds of recorder runs per configuration; returns the summary rows for the table."""
    summary = []
    for rec in records:
        name = ",".join(map(str, rec))
        chars, steps = record_chars(args, rec)
        print(f"\n## recorder {name}  (L,H,B; cellscope {chars} chars per run, PyTorch {rec[2]} x {steps} steps, "
              f"median of {args.torch_reps} runs per variant)")
        print(f"#   A: {shlex.join(record_cellscope_cmd(args, rec))}")
        print(f"#   B: {shlex.join(record_torch_cmd(args, rec))}")
        if args.autocast:
            print(f"#   C: {shlex.join(record_torch_cmd(args, rec, autocast=True))}")
        sys.stdout.flush()
        ours = []
        # keys: the float32 variants, "best" (faster float32 recording variant), "bf16 <variant>"
        keys = (*VARIANTS, *(f"bf16 {v}" for v in (AUTOCAST_VARIANTS if args.autocast else ())))
        theirs = {k: [] for k in keys}
        ratios = {k: [] for k in (*keys, "best")}
        for r in range(1, args.rounds + 1):
            out, ta = run(record_cellscope_cmd(args, rec), env, args.timeout)
            cs = parse_record_cellscope(out, rec)
            out, tb = run(record_torch_cmd(args, rec), env, args.timeout)
            pt = parse_record_torch(out, rec, args)
            walls = f"{ta:.0f} s + {tb:.0f} s"
            if args.autocast:
                out, tc = run(record_torch_cmd(args, rec, autocast=True), env, args.timeout)
                pt.update({f"bf16 {v}": x for v, x in parse_record_torch(out, rec, args, autocast=True).items()})
                walls += f" + {tc:.0f} s"
            ours.append(cs)
            for k in keys:
                theirs[k].append(pt[k])
                ratios[k].append(cs / pt[k])
            ratios["best"].append(cs / max(pt["stepwise"], pt["cell"]))
            print(f"round {r}/{args.rounds}: cellscope {fmt_int(cs):>8} chars/s  PyTorch "
                  + "  ".join(f"{k} {fmt_int(pt[k])}" for k in keys) + " chars/s  ratio vs "
                  + ", ".join(f"{k} {ratios[k][-1]:.3f}" for k in keys) + f"  [wall {walls}]", flush=True)
        meds = {k: spread(x) for k, x in ratios.items()}
        spreads = ", ".join(f"vs {k if k != 'best' else 'best fp32 recording'} {m:.3f} ({lo:.3f}-{hi:.3f})"
                            for k, (m, lo, hi) in meds.items())
        print(f"{name}: median ratio (spread) {spreads} over {args.rounds} rounds; medians cellscope "
              f"{fmt_int(statistics.median(ours))}, PyTorch "
              + ", ".join(f"{k} {fmt_int(statistics.median(theirs[k]))}" for k in keys) + " chars/s",
              flush=True)
        summary.append((name, statistics.median(ours), {k: statistics.median(x) for k, x in theirs.items()}, meds))
    return summary


def print_training_table(args, summary, started):
    cellscope = f"cellscope with `{shlex.join(args.cellscope_arg)}`" if args.cellscope_arg else "cellscope"
    peers = "PyTorch float32 and bf16 autocast" if args.autocast else "PyTorch float32"
    print(f"\nTraining chars/s, {args.threads} threads, {cellscope} against {peers}, one-hot input "
          f"(V={args.vocab}), RMSProp, medians of {args.rounds} alternating rounds ({started:%Y-%m-%d}):\n")
    head = ["configuration (L, H, B, T)", "cellscope chars/s", "PyTorch fp32 chars/s"]
    if args.autocast:
        head.append("PyTorch bf16 autocast chars/s")
    head += ["ratio vs fp32 (median)", "spread"]
    if args.autocast:
        head += ["ratio vs bf16 (median)", "spread"]
    head.append("cellscope of sgemm ceiling")
    print("| " + " | ".join(head) + " |")
    print("| --- |" + " ---: |" * (len(head) - 1))
    for s in summary:
        frac, ceil = s["frac"], s["ceil"]
        f = f"{frac:.0%} (of {ceil:.0f} GFLOP/s)" if frac is not None and ceil else (f"{frac:.0%}" if frac else "—")
        cells = [s["name"].replace(",", ", "), fmt_int(s["cs"]), fmt_int(s["fp32"])]
        if args.autocast:
            cells.append(fmt_int(s["bf16"]))
        for key in ("r32", "r16") if args.autocast else ("r32",):
            m, lo, hi = s[key]
            cells += [f"{m:.2f}x", f"{lo:.2f}-{hi:.2f}"]
        cells.append(f)
        print("| " + " | ".join(cells) + " |")


def print_recorder_table(args, rsummary, started):
    cellscope = f"; cellscope with `{shlex.join(args.cellscope_arg)}`" if args.cellscope_arg else ""
    bf16 = "; PyTorch bf16 autocast stepwise and fused likewise" if args.autocast else ""
    print(f"\nRecorder chars/s, {args.threads} threads, one-hot input (V={args.vocab}), "
          f"{args.record_chars} characters per run (batch 1: {min(args.record_chars, EXACT_CAP)}), "
          f"medians of {args.rounds} alternating rounds ({started:%Y-%m-%d}){cellscope}; cellscope records every c, "
          f"h, gate and the softmax, PyTorch float32 stepwise and cell every h and c, fused only the top layer's "
          f"h{bf16}:\n")
    head = ["configuration (L, H, B)", "cellscope chars/s", "PyTorch stepwise", "PyTorch cell", "PyTorch fused"]
    if args.autocast:
        head += ["PyTorch bf16 stepwise", "PyTorch bf16 fused"]
    head += ["ratio vs best fp32 recording variant (spread)", "ratio vs fp32 fused (spread)"]
    if args.autocast:
        head += ["ratio vs bf16 stepwise (spread)", "ratio vs bf16 fused (spread)"]
    print("| " + " | ".join(head) + " |")
    print("| --- |" + " ---: |" * (len(head) - 1))
    for name, cs, pt, meds in rsummary:
        keys = (*VARIANTS, *(f"bf16 {v}" for v in AUTOCAST_VARIANTS)) if args.autocast else VARIANTS
        rkeys = ("best", "fused", *(f"bf16 {v}" for v in AUTOCAST_VARIANTS)) if args.autocast else ("best", "fused")
        cells = [name.replace(",", ", "), fmt_int(cs), *(fmt_int(pt[k]) for k in keys)]
        cells += [f"{meds[k][0]:.2f}x ({meds[k][1]:.2f}-{meds[k][2]:.2f})" for k in rkeys]
        print("| " + " | ".join(cells) + " |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cellscope", default=".build/release/cellscope")
    ap.add_argument("--python", default="python3")
    ap.add_argument("--bench-dir", default="../shared/bench")
    ap.add_argument("--cellscope-arg", action="append", default=[],
                    help="extra argument for `cellscope bench`, repeatable (e.g. --cellscope-arg=--precision "
                         "--cellscope-arg=bf16)")
    ap.add_argument("--no-autocast", dest="autocast", action="store_false",
                    help="leave out the PyTorch bf16 autocast peer")
    ap.add_argument("--config", action="append", type=parse_config, metavar="L,H,B,T")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--vocab", type=int, default=65)
    ap.add_argument("--iters", type=int, default=None)
    ap.add_argument("--target-seconds", type=float, default=5.0)
    ap.add_argument("--torch-warmup", type=int, default=2)
    ap.add_argument("--torch-arg", action="append", default=[])
    ap.add_argument("--record", action="append", type=parse_record, metavar="L,H,B",
                    help="recorder configuration, repeatable; alone, only the recorder comparisons run")
    ap.add_argument("--record-chars", type=int, default=20000,
                    help=f"characters recorded per run (default 20000; batch 1: at most {EXACT_CAP})")
    ap.add_argument("--torch-reps", type=int, default=3, help="timed PyTorch recorder runs per process (default 3)")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per run (default 1800)")
    ap.add_argument("--dry-run", action="store_true")
    args = ap.parse_args()
    if args.rounds < 1 or args.threads < 1:
        ap.error("--rounds and --threads must be at least 1")
    if args.record_chars < 1 or args.torch_reps < 1:
        ap.error("--record-chars and --torch-reps must be at least 1")
    records = args.record or []
    configs = args.config or ([] if records else [parse_config(c) for c in DEFAULT_CONFIGS])
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
            if args.autocast:
                print(shlex.join(torch_cmd(args, cfg, iters, autocast=True)))
        for rec in records:
            print(shlex.join(record_cellscope_cmd(args, rec)))
            print(shlex.join(record_torch_cmd(args, rec)))
            if args.autocast:
                print(shlex.join(record_torch_cmd(args, rec, autocast=True)))
        return
    if not Path(args.cellscope).is_file():
        sys.exit(f"error: no cellscope binary at {args.cellscope} (swift build -c release, or pass --cellscope)")
    if not (args.bench_dir / "torch_char_lstm.py").is_file():
        sys.exit(f"error: no torch_char_lstm.py in {args.bench_dir} (pass --bench-dir)")
    if args.autocast and not AUTOCAST_SCRIPT.is_file():
        sys.exit(f"error: no {AUTOCAST_SCRIPT} (the bf16 autocast peer; pass --no-autocast to leave it out)")
    ver, _ = run([str(args.python), "-c", PROBE], env, 300)
    ver = ver.split()

    load0 = os.getloadavg()
    started = datetime.datetime.now().astimezone()
    what = " and ".join(m for m, on in (("training", plan), ("recorder", records)) if on)
    setup = ", RMSProp" if plan else ""
    if records:
        setup += f"; recorder {args.record_chars} chars per run (batch 1: {min(args.record_chars, EXACT_CAP)})"
    peers = "PyTorch float32 and bf16 autocast" if args.autocast else "PyTorch float32"
    print(f"# cellscope vs {peers}, {what}, {started:%Y-%m-%d %H:%M %Z}")
    print(f"# command: {shlex.join([sys.argv[0], *sys.argv[1:]])}")
    native = {"0": "no", "1": "yes"}.get(ver[2], "unknown")
    print(f"# host: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs; torch {ver[0]} "
          f"(mkldnn {ver[1]}, oneDNN native bf16 {native}); threads {args.threads}; vocab {args.vocab}; "
          f"one-hot input{setup}")
    print(f"# load average before: {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}", flush=True)

    summary = compare_training(args, env, plan)
    rsummary = compare_recorder(args, env, records)

    load1 = os.getloadavg()
    minutes = (datetime.datetime.now().astimezone() - started).total_seconds() / 60
    print(f"\n# load average after: {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}; {minutes:.1f} min")
    busy = max(load0[0], load1[0], load1[1])
    if busy > 0.75 * (os.cpu_count() or 1) + args.threads:
        print(f"# WARNING: load average up to {busy:.1f} on {os.cpu_count()} CPUs while measuring: other processes "
              f"competed for the cores, so the figures (PyTorch's OpenMP threads especially) are depressed and the "
              f"ratios and ceiling fractions are not representative; rerun on an idle machine.")
    if any(s["frac"] is not None and s["frac"] > 1 for s in summary):
        print("# NOTE: a fraction above 100% means the sgemm ceiling measured inside cellscope's bench was itself "
              "slowed down by the load.")
    if summary:
        print_training_table(args, summary, started)
    if rsummary:
        print_recorder_table(args, rsummary, started)


if __name__ == "__main__":
    main()
