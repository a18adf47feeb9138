#!/usr/bin/env python3
"""How far a bf16 analysis moves every score of every cell from the fp32 one (issue 15).

Usage (two analyses of the same model and text, e.g. `cellscope analyze MODEL
--text T --out a-fp32` and the same with `--precision bf16 --out a-bf16`):

    python3 scripts/compare_precision.py a-fp32/analysis.json a-bf16/analysis.json

Reads each cell's `scores` (one per feature: `score`, the AUC or |r| the ranking
uses, and `gain`) and prints: cells x features compared, the largest and the
mean absolute change of `score` and of `gain`, how many scores moved by more
than 0.005 (the issue's bound for making bf16 the analysis default), the cell
and feature of the largest change, and how many cells kept their best feature
and rank. Exit status 0 when every score moved by at most --bound (default
0.005), 1 otherwise. Standard library only.
"""
import argparse
import json
import sys


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
