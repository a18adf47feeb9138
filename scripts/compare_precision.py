#!/usr/bin/env python3
"""How far a bf16 analysis moves every score of every cell from the fp32 one (issue 15).

Usage (two analyses of the same model and text, e.g. `cellscope analyze MODEL
--text T --out a-fp32` and the same with `--precision bf16 --out a-bf16`):

    python3 scripts/compare_precision.py a-fp32/analysis.json a-bf16/analysis.json

For two activation exports of the same model and text (`cellscope record MODEL
--text T --out fp32.safetensors`, and the same with `--precision bf16`), it
compares the recorded states instead: the largest and mean absolute difference
of each of c, h, i, f, g, o present, the mean loss of each, and how often the
top-1 prediction agrees:

    python3 scripts/compare_precision.py fp32.safetensors bf16.safetensors

Reads each cell's `scores` (one per feature: `score`, the AUC or |r| the ranking
uses, and `gain`) and prints: cells x features compared, the largest and the
mean absolute change of `score` and of `gain`, how many scores moved by more
than 0.005 (the issue's bound for making bf16 the analysis default), the cell
and feature of the largest change, and how many cells kept their best feature
and rank. Exit status 0 when every score moved by at most --bound (default
0.005), 1 otherwise. Standard library only.
"""
import argparse
import array
import json
import struct
import sys


def load_tensors(path):
    """name -> (dtype, shape, array) of a safetensors file (F32 and I32 only)."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        a, b = t["data_offsets"]
        code = {"F32": "f", "I32": "i"}.get(t["dtype"])
        if code is None:
            continue  # e.g. an F16 export: record with --dtype f32 to compare
        values = array.array(code)
        values.frombytes(raw[8 + n + a : 8 + n + b])
        if sys.byteorder != "little":
            values.byteswap()
        out[name] = (t["dtype"], t["shape"], values)
    return out


def compare_records(path_a, path_b):
    a, b = load_tensors(path_a), load_tensors(path_b)
    if a.get("text", (0, 0, []))[2] != b.get("text", (0, 0, []))[2]:
        sys.exit("error: the two exports do not hold the same text")
    for name in ("c", "h", "i", "f", "g", "o"):
        if name in a and name in b:
            x, y = a[name][2], b[name][2]
            diffs = [abs(p - q) for p, q in zip(x, y)]
            print(f"{name}: max |difference| {max(diffs):.5f}, mean {sum(diffs) / len(diffs):.6f} ({len(diffs)} values)")
    # The last character has no next one: its loss is NaN in both.
    la = [v for v in a["loss"][2] if v == v]
    lb = [v for v in b["loss"][2] if v == v]
    print(f"mean loss: {sum(la) / len(la):.5f} against {sum(lb) / len(lb):.5f} nats/char")
    ta, tb = a["top5_index"], b["top5_index"]
    k = ta[1][1]
    agree = sum(ta[2][i * k] == tb[2][i * k] for i in range(ta[1][0]))
    print(f"same top-1 prediction: {agree}/{ta[1][0]} characters ({100 * agree / ta[1][0]:.2f}%)")
    return 0


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            a = json.load(f)
    except (OSError, ValueError) as e:
        sys.exit(f"error: cannot read {path}: {e}")
    cells = {}
    for c in a.get("cells", []):
        i = c["id"]
        key = (i["layer"], i["state"], i["index"])
        cells[key] = c
    if not cells:
        sys.exit(f"error: {path} has no cells (is it a cellscope analysis.json?)")
    return cells


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("reference")
    ap.add_argument("other")
    ap.add_argument("--bound", type=float, default=0.005)
    args = ap.parse_args()
    if args.reference.endswith(".safetensors"):
        return compare_records(args.reference, args.other)
    a, b = load(args.reference), load(args.other)
    if set(a) != set(b):
        sys.exit("error: the two analyses do not have the same cells (not the same model?)")
    worst, worst_at, total, moved, n = 0.0, None, 0.0, 0, 0
    gain_worst, gain_total = 0.0, 0.0
    same_best = same_rank = 0
    for key, ca in a.items():
        cb = b[key]
        sa = {s["feature"]: s for s in ca["scores"]}
        sb = {s["feature"]: s for s in cb["scores"]}
        if set(sa) != set(sb):
            sys.exit("error: the two analyses do not score the same features")
        for f, s in sa.items():
            d = abs(s["score"] - sb[f]["score"])
            g = abs(s["gain"] - sb[f]["gain"])
            n += 1
            total += d
            gain_total += g
            gain_worst = max(gain_worst, g)
            if d > args.bound:
                moved += 1
            if d > worst:
                worst, worst_at = d, (key, f, s["score"], sb[f]["score"])
        same_best += (ca.get("best") or {}).get("feature") == (cb.get("best") or {}).get("feature")
        same_rank += ca.get("rank") == cb.get("rank")
    print(f"scores compared: {n} ({len(a)} cells)")
    print(f"score |change|: max {worst:.4f}, mean {total / n:.5f}; above {args.bound}: {moved}")
    print(f"gain |change|: max {gain_worst:.4f}, mean {gain_total / n:.5f}")
    if worst_at:
        (layer, state, index), f, x, y = worst_at
        print(f"largest: layer {layer} {state} {index}, {f}: {x:.4f} -> {y:.4f}")
    print(f"same best feature: {same_best}/{len(a)}; same rank: {same_rank}/{len(a)}")
    return 0 if moved == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
