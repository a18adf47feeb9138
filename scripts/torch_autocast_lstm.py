#!/usr/bin/env python3
"""The PyTorch reference torch_char_lstm.py, run under torch.autocast("cpu", dtype=torch.bfloat16) (issue 15).

compare_torch.py runs this as its second PyTorch peer. The reference script
(in --bench-dir, shared with other projects) has no autocast option and is not
edited: this wrapper imports it and runs its own main(), train() and infer()
unchanged -- same arguments, model, synthetic data, optimizer, clipping,
truncated BPTT, timing and RESULT line -- with three substitutions made in the
imported module before main() runs:

  * CharLSTM becomes a subclass whose forward (one-hot input, nn.LSTM, Linear)
    runs inside torch.autocast("cpu", dtype=torch.bfloat16) and whose logits
    leave that region cast to float32. The loss is computed on those float32
    logits outside the region, and backward, clipping and the optimizer step
    run outside it, as PyTorch recommends for autocast. Autocast's own policy
    for cross_entropy_loss (its CPU float32 list) is exactly that cast followed
    by log_softmax and nll_loss in float32, so the loss is what a training step
    with the forward AND the loss under autocast computes; the cast is timed
    as part of the forward, as it would be under autocast.
  * infer() (the --infer recorder variants) runs entirely inside the autocast
    region (it is already under no_grad); its recorded h, c and logits are
    copied into the reference's float32 buffers. compare_torch.py runs only the
    stepwise and fused variants this way.
  * every RESULT line gains the fields autocast=bf16 and cpu_bf16=0|1
    (whether oneDNN reports native bf16 support on this CPU; ? if this torch
    cannot tell); the other fields are the reference's.

What autocast does here (checked in torch 2.15 against the dispatcher's
AutocastCPU kernels, with a TorchDispatchMode trace of one step, and by the
output dtypes of single ops): parameters stay float32 (master weights,
gradients and RMSProp state). Inside the region linear, addmm, mm, matmul and
mkldnn_rnn_layer (the oneDNN LSTM layer nn.LSTM calls on the CPU) run in bf16:
their inputs, weights and initial h, c are cast to bf16, the products
accumulate in float32 (a bf16 mm equals the float32 product of the same bf16
inputs, rounded once) and the outputs are bf16, so the h and c carried between
layers and steps are bf16. aten::lstm and lstm_cell have no autocast kernel;
torch.lstm_cell on float32 tensors stays float32 under autocast, so the
"cell" recorder variant would measure float32 here. With --no-mkldnn the
native LSTM runs instead: bf16 addmm for the gate products, bf16 gate
nonlinearities, float32 cell state.

Usage:
    python scripts/torch_autocast_lstm.py --bench-dir ../shared/bench \\
        --layers 2 --hidden 128 --batch 50 --seq 50 --iters 20 --threads 2 \\
        --onehot --optim rmsprop --lr 1e-3 --clip 5
Every argument except --bench-dir is the reference's (see its --help).
"""
import argparse
import sys
from pathlib import Path

DEFAULT_BENCH_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "bench"


def load_reference(bench_dir):
    """The torch_char_lstm module imported from bench_dir."""
    if not (bench_dir / "torch_char_lstm.py").is_file():
        sys.exit(f"error: no torch_char_lstm.py in {bench_dir} (pass --bench-dir)")
    sys.path.insert(0, str(bench_dir))
    import torch_char_lstm
    return torch_char_lstm


def patch(ref, torch):
    """Substitute the autocast model, recorder and RESULT fields into the reference module."""

    def autocast():
        return torch.autocast("cpu", dtype=torch.bfloat16)

    # torch.autocast only warns and stays off for an unsupported device or dtype; refuse instead.
    with autocast():
        if not torch.is_autocast_enabled("cpu") or torch.get_autocast_dtype("cpu") != torch.bfloat16:
            sys.exit("error: this torch cannot autocast to bfloat16 on the CPU")

    class AutocastCharLSTM(ref.CharLSTM):
        def forward(self, x, state):
            with autocast():
                logits, state = super().forward(x, state)
            # cross_entropy_loss is in autocast's float32 list: this is the cast autocast would make
            return logits.float(), state

    plain_infer, plain_fmt = ref.infer, ref.fmt

    def infer(args, model):
        with autocast():
            plain_infer(args, model)

    try:
        native = int(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):  # an older torch without the query
        native = "?"

    def fmt(**kv):
        return plain_fmt(**kv, autocast="bf16", cpu_bf16=native)

    ref.CharLSTM, ref.infer, ref.fmt = AutocastCharLSTM, infer, fmt


def main():
    ap = argparse.ArgumentParser(add_help=False)
    ap.add_argument("--bench-dir", type=Path, default=DEFAULT_BENCH_DIR)
    ours, rest = ap.parse_known_args()
    ref = load_reference(ours.bench_dir.expanduser().resolve())
    import torch
    patch(ref, torch)
    sys.argv = [sys.argv[0], *rest]
    ref.main()


if __name__ == "__main__":
    main()
