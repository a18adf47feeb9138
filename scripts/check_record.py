#!/usr/bin/env python3
"""Checks a `cellscope record` export against PyTorch.

    python3 scripts/check_record.py ACTS MODEL TEXT [--limit N] [--tolerance X]

Loads ACTS with `safetensors.numpy.load_file` (as a notebook would), rebuilds the
model from MODEL's PyTorch-named tensors (`lstm.weight_ih_l{k}`, ...,
`decoder.weight`, `decoder.bias`; see scripts/torch_interop.py), runs the first
N characters of TEXT as one stream from a zero state in float64, and prints the
largest absolute difference per tensor. Each layer is stepped by hand (gate
order i, f, g, o) so that c and the gates of every layer are available; the top
layer's h is also compared with `nn.LSTM` itself, so the hand step is checked
against PyTorch's. Exit status 1 if any difference exceeds the tolerance (1e-4,
or 1e-3 relative for an F16 export).

Requires torch, numpy and safetensors; not part of CI.
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np
import torch
from safetensors import safe_open
from safetensors.numpy import load_file as load_numpy
from safetensors.torch import load_file as load_torch

STATES = ("c", "h", "i", "f", "g", "o")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("acts", help="the export written by `cellscope record`")
    parser.add_argument("model", help="the cellscope checkpoint it was recorded with")
    parser.add_argument("text", help="the text it was recorded on")
    parser.add_argument("--limit", type=int, default=20000, help="characters to recompute (a Python loop per character)")
    parser.add_argument("--tolerance", type=float, default=1e-4)
    args = parser.parse_args()

    acts = load_numpy(args.acts)
    weights = load_torch(args.model)
    with safe_open(args.model, framework="pt") as f:
        meta = f.metadata() or {}
    config = json.loads(meta["config"])
    vocab = json.loads(meta["vocabulary"])
    symbols = np.array(vocab["symbols"], dtype=np.int64)
    L, H, V = config["num_layers"], config["hidden_size"], config["vocab_size"]
    if config.get("embedding_size", 0):
        print("embedding models are not handled by this check", file=sys.stderr)
        return 2

    raw = open(args.text, "rb").read()
    codes = np.array(list(raw) if vocab["kind"] == "bytes" else [ord(ch) for ch in raw.decode("utf-8")], dtype=np.int64)
    T = len(codes)
    n = min(T, args.limit)
    ok = True

    def report(name: str, diff: float, limit: float) -> None:
        nonlocal ok
        flag = "" if diff <= limit else "   <-- exceeds tolerance"
        ok = ok and diff <= limit
        print(f"{name:12s} max |diff| {diff:.3e}{flag}")

    # Text, targets and vocabulary are exact.
    index_of = {int(s): i for i, s in enumerate(symbols)}
    assert np.array_equal(acts["vocabulary"].astype(np.int64), symbols), "vocabulary differs from the model's"
    assert np.array_equal(acts["text"].astype(np.int64), codes), "text differs from the file's code points"
    targets = np.append(codes[1:], -1)
    assert np.array_equal(acts["targets"].astype(np.int64), targets), "targets differ"
    print(f"text, targets, vocabulary: equal ({T} characters; recomputing the first {n})")

    # One stream, float64, every layer stepped by hand.
    x = torch.tensor([index_of[int(c)] for c in codes[:n]])
    inputs = torch.nn.functional.one_hot(x, V).double()  # (n, V)
    out = {s: torch.zeros(n, L, H, dtype=torch.float64) for s in STATES}
    for k in range(L):
        w_ih, w_hh = weights[f"lstm.weight_ih_l{k}"].double(), weights[f"lstm.weight_hh_l{k}"].double()
        bias = weights[f"lstm.bias_ih_l{k}"].double() + weights[f"lstm.bias_hh_l{k}"].double()
        z_in = inputs @ w_ih.T + bias  # (n, 4H)
        h = torch.zeros(H, dtype=torch.float64)
        c = torch.zeros(H, dtype=torch.float64)
        for t in range(n):
            z = z_in[t] + w_hh @ h
            i, f, g, o = torch.sigmoid(z[:H]), torch.sigmoid(z[H:2 * H]), torch.tanh(z[2 * H:3 * H]), torch.sigmoid(z[3 * H:])
            c = f * c + i * g
            h = o * torch.tanh(c)
            for name, v in zip(STATES, (c, h, i, f, g, o)):
                out[name][t, k] = v
        inputs = out["h"][:, k]  # (n, H), the next layer's input (no dropout)
    logits = out["h"][:, L - 1] @ weights["decoder.weight"].double().T + weights["decoder.bias"].double()  # (n, V)
    logp = torch.log_softmax(logits, dim=1)

    # PyTorch's own nn.LSTM on the same weights, as a check of the hand step.
    lstm = torch.nn.LSTM(V, H, num_layers=L, batch_first=True).double()
    lstm.load_state_dict({k[len("lstm."):]: v.double() for k, v in weights.items() if k.startswith("lstm.")})
    with torch.no_grad():
        reference, _ = lstm(torch.nn.functional.one_hot(x, V).double()[None])
    report("nn.LSTM h", float((reference[0] - out["h"][:, L - 1]).abs().max()), 1e-10)

    for name in STATES:
        if name not in acts:
            continue
        got = acts[name][:n].astype(np.float64)
        want = out[name].numpy()
        if acts[name].dtype == np.float16:
            report(name, float(np.max(np.abs(got - want) / (np.abs(want) + 1e-3))), 1e-3)
        else:
            report(name, float(np.max(np.abs(got - want))), args.tolerance)

    m = min(n, T - 1)  # positions with a next character
    want_loss = -logp[torch.arange(m), torch.tensor([index_of[int(c)] for c in codes[1:m + 1]])].numpy()
    report("loss", float(np.max(np.abs(acts["loss"][:m] - want_loss))), args.tolerance)
    if n == T:
        assert np.isnan(acts["loss"][T - 1]), "the last position's loss should be NaN"
    K = acts["top5_index"].shape[1]
    probs = logp.exp().numpy()
    order = np.argsort(-probs, axis=1, kind="stable")[:, :K]  # ties: lower index first, as cellscope
    mismatched = int(np.sum(np.any(symbols[order] != acts["top5_index"][:n], axis=1)))
    print(f"top5_index   {mismatched} of {n} rows differ (near-ties may swap)")
    report("top5_prob", float(np.max(np.abs(np.take_along_axis(probs, order, 1) - acts["top5_prob"][:n]))), args.tolerance)
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
