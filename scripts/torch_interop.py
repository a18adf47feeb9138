#!/usr/bin/env python3
"""PyTorch interoperability for cellscope checkpoints.

cellscope stores a character-level LSTM as a `.safetensors` file whose tensor
names follow PyTorch's `nn.Embedding` + `nn.LSTM` + `nn.Linear`, so a model
moves between cellscope and PyTorch without renaming anything:

    encoder.weight          (V, E)     only when the model has an embedding
    lstm.weight_ih_l{k}     (4H, D_k)  D_0 = V (one-hot input) or E; D_k = H
    lstm.weight_hh_l{k}     (4H, H)
    lstm.bias_ih_l{k}       (4H)
    lstm.bias_hh_l{k}       (4H)
    decoder.weight          (V, H)
    decoder.bias            (V)

Gates are stacked i, f, g, o (PyTorch's order). Letters: V vocabulary size,
E embedding size (0 = one-hot input), H cells per layer, L layers, B batch,
T time steps.

The file layout (written and read by the code below, not by a library, so
that the bytes are exactly cellscope's): 8-byte little-endian header length N;
N bytes of UTF-8 JSON, padded with spaces to a multiple of 8, keys in
ascending order with "__metadata__" first; then the raw little-endian F32
tensors, C-contiguous, in ascending order of name, without gaps.
`__metadata__` holds strings only: `format` ("cellscope-1"), `config` and
`vocabulary` (JSON strings), optionally `training` and `source`. Tensors named
`optimizer.*` or `train.*` (cellscope's resume state) are ignored on loading.

Subcommands (run with --help for options):

    load CKPT          build the PyTorch module, print a summary, sample text
    export MODEL.pt    turn a saved state_dict into a cellscope checkpoint
    train TEXT         train a char-LSTM the char-rnn way (on a GPU if any)
    fixture            write the parity fixtures used by cellscope's tests

Requires torch and numpy; nothing in cellscope's build or CI needs this file.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import struct
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

FORMAT = "cellscope-1"
IGNORED_PREFIXES = ("optimizer.", "train.")
MAX_HEADER_BYTES = 100 * 1024 * 1024


class InteropError(Exception):
    """A user-facing error: printed as one sentence, exit status 1."""


# ---------------------------------------------------------------------------
# safetensors, F32 only, written and read byte for byte


def write_safetensors(path: Path, tensors: dict[str, torch.Tensor], metadata: dict[str, str]) -> None:
    """Writes `tensors` (as little-endian F32) and `metadata` atomically.

    Tensor data and header keys are in ascending order of name (Python's
    string order is Unicode scalar order, which is UTF-8 byte order), with
    "__metadata__" first in the header.
    """
    names = sorted(tensors)
    header: dict[str, object] = {"__metadata__": {k: metadata[k] for k in sorted(metadata)}}
    blobs = []
    offset = 0
    for name in names:
        array = tensors[name].detach().cpu().to(torch.float32).contiguous().numpy()
        blob = array.astype("<f4", copy=False).tobytes(order="C")
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}")
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)
    os.replace(tmp, path)


def read_safetensors(path: Path) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    """Reads an all-F32 safetensors file, validating its layout."""
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise InteropError(f"cannot read {path}: {e.strerror}") from None
    if len(data) < 8:
        raise InteropError(f"{path} is too short to be a safetensors file")
    (n,) = struct.unpack("<Q", data[:8])
    if n > min(len(data) - 8, MAX_HEADER_BYTES):
        raise InteropError(f"{path} is not a safetensors file (header length {n} exceeds the file)")

    def no_duplicates(pairs):
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            raise InteropError(f"{path} has a duplicate key in its header")
        return dict(pairs)

    try:
        header = json.loads(data[8 : 8 + n].decode("utf-8"), object_pairs_hook=no_duplicates)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InteropError(f"{path} has an unreadable header ({e})") from None
    if not isinstance(header, dict):
        raise InteropError(f"{path} has a header that is not a JSON object")
    metadata = header.pop("__metadata__", {}) or {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise InteropError(f"{path} has __metadata__ values that are not strings")

    body = memoryview(data)[8 + n :]
    tensors: dict[str, torch.Tensor] = {}
    spans = []
    for name, info in header.items():
        if not isinstance(info, dict) or info.get("dtype") != "F32":
            raise InteropError(f"{path}: tensor {name!r} is not F32 (cellscope checkpoints are all F32)")
        shape, offsets = info.get("shape"), info.get("data_offsets")
        if not (isinstance(shape, list) and all(isinstance(d, int) and d >= 0 for d in shape)):
            raise InteropError(f"{path}: tensor {name!r} has an invalid shape")
        if not (isinstance(offsets, list) and len(offsets) == 2 and all(isinstance(o, int) for o in offsets)):
            raise InteropError(f"{path}: tensor {name!r} has invalid data_offsets")
        begin, end = offsets
        count = math.prod(shape)
        if not (0 <= begin <= end <= len(body)) or end - begin != 4 * count:
            raise InteropError(f"{path}: tensor {name!r} does not fit its shape or the file")
        array = np.frombuffer(body, dtype="<f4", count=count, offset=begin).astype(np.float32)
        tensors[name] = torch.from_numpy(array.reshape(shape))
        spans.append((begin, end))
    position = 0
    for begin, end in sorted(spans):
        if begin != position:
            raise InteropError(f"{path}: tensor data has a gap or an overlap at byte {position}")
        position = end
    if position != len(body):
        raise InteropError(f"{path}: {len(body) - position} bytes after the last tensor")
    return tensors, metadata


# ---------------------------------------------------------------------------
# Vocabulary and configuration, as stored in __metadata__


@dataclass(frozen=True)
class Vocabulary:
    """Character index i <-> symbols[i]: Unicode scalar values ("unicode") or
    byte values ("bytes"), ascending."""

    kind: str
    symbols: tuple[int, ...]

    @staticmethod
    def from_text(data: bytes, byte_level: bool = False) -> Vocabulary:
        """The sorted distinct scalars (or bytes) of a UTF-8 text, as cellscope builds it."""
        if byte_level:
            return Vocabulary("bytes", tuple(sorted(set(data))))
        return Vocabulary("unicode", tuple(sorted({ord(ch) for ch in decode_utf8(data)})))

    @staticmethod
    def from_json(text: str, where: str) -> Vocabulary:
        """Parses `{"kind": ..., "symbols": [...]}`; symbols may also be one-character strings."""
        try:
            value = json.loads(text)
        except json.JSONDecodeError as e:
            raise InteropError(f"{where}: the vocabulary is not valid JSON ({e})") from None
        if not isinstance(value, dict) or value.get("kind") not in ("unicode", "bytes"):
            raise InteropError(f'{where}: the vocabulary must be {{"kind": "unicode"|"bytes", "symbols": [...]}}')
        symbols = [ord(s) if isinstance(s, str) and len(s) == 1 else s for s in value.get("symbols", [])]
        limit = 0x10FFFF if value["kind"] == "unicode" else 0xFF
        if not symbols or not all(isinstance(s, int) and 0 <= s <= limit for s in symbols):
            raise InteropError(f"{where}: the vocabulary's symbols must be non-empty and in 0...{limit}")
        if any(a >= b for a, b in zip(symbols, symbols[1:])):
            raise InteropError(f"{where}: the vocabulary's symbols must be strictly ascending")
        return Vocabulary(value["kind"], tuple(symbols))

    def to_json(self) -> str:
        return json.dumps({"kind": self.kind, "symbols": list(self.symbols)}, separators=(",", ":"))

    def encode(self, text: str) -> list[int]:
        index = {s: i for i, s in enumerate(self.symbols)}
        units = text.encode("utf-8") if self.kind == "bytes" else [ord(ch) for ch in text]
        missing = sorted({u for u in units if u not in index})
        if missing:
            shown = ", ".join(repr(chr(u)) if self.kind == "unicode" else hex(u) for u in missing[:5])
            raise InteropError(f"the text has symbols outside the model's vocabulary: {shown}")
        return [index[u] for u in units]

    def decode(self, indices: list[int]) -> str:
        if self.kind == "bytes":
            return bytes(self.symbols[i] for i in indices).decode("utf-8", errors="replace")
        return "".join(chr(self.symbols[i]) for i in indices)


@dataclass(frozen=True)
class Config:
    embedding_size: int  # E; 0 = one-hot input
    hidden_size: int  # H
    num_layers: int  # L
    vocab_size: int  # V
    dropout: float = 0.0

    def to_json(self) -> str:
        # Key order as cellscope writes it.
        return json.dumps(
            {
                "embedding_size": self.embedding_size,
                "hidden_size": self.hidden_size,
                "num_layers": self.num_layers,
                "vocab_size": self.vocab_size,
                "dropout": float(self.dropout),
            },
            separators=(",", ":"),
        )

    @staticmethod
    def from_json(text: str, where: str) -> Config:
        try:
            value = json.loads(text)
            config = Config(
                int(value["embedding_size"]),
                int(value["hidden_size"]),
                int(value["num_layers"]),
                int(value["vocab_size"]),
                float(value.get("dropout", 0.0)),
            )
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as e:
            raise InteropError(f"{where}: the config metadata is invalid ({e!r})") from None
        if config.embedding_size < 0 or min(config.hidden_size, config.num_layers, config.vocab_size) < 1:
            raise InteropError(f"{where}: the config metadata has non-positive sizes")
        return config

    @staticmethod
    def from_state_dict(state: dict[str, torch.Tensor], dropout: float, where: str) -> Config:
        """Infers the sizes from tensor shapes (shapes are checked later, by `check_shapes`)."""
        for key in ("lstm.weight_hh_l0", "decoder.weight"):
            if key not in state:
                raise InteropError(f"{where}: no tensor {key!r}; the model must use the names nn.LSTM/nn.Linear give under 'lstm.' and 'decoder.'")
        layers = 0
        while f"lstm.weight_ih_l{layers}" in state:
            layers += 1
        embedding = state["encoder.weight"].shape[1] if "encoder.weight" in state else 0
        return Config(embedding, state["lstm.weight_hh_l0"].shape[1], layers, state["decoder.weight"].shape[0], dropout)

    def expected_shapes(self) -> dict[str, tuple[int, ...]]:
        E, H, L, V = self.embedding_size, self.hidden_size, self.num_layers, self.vocab_size
        shapes: dict[str, tuple[int, ...]] = {}
        if E > 0:
            shapes["encoder.weight"] = (V, E)
        for k in range(L):
            shapes[f"lstm.weight_ih_l{k}"] = (4 * H, (E or V) if k == 0 else H)
            shapes[f"lstm.weight_hh_l{k}"] = (4 * H, H)
            shapes[f"lstm.bias_ih_l{k}"] = (4 * H,)
            shapes[f"lstm.bias_hh_l{k}"] = (4 * H,)
        shapes["decoder.weight"] = (V, H)
        shapes["decoder.bias"] = (V,)
        return shapes

    def check_shapes(self, state: dict[str, torch.Tensor], where: str) -> None:
        expected = self.expected_shapes()
        unexpected = sorted(set(state) - set(expected))
        if unexpected:
            raise InteropError(f"{where}: unexpected tensors {unexpected[:5]} for {self}")
        for name, shape in expected.items():
            if name not in state:
                raise InteropError(f"{where}: missing tensor {name!r} for {self}")
            if tuple(state[name].shape) != shape:
                raise InteropError(f"{where}: tensor {name!r} has shape {tuple(state[name].shape)}, expected {shape}")


def decode_utf8(data: bytes, where: str = "the text") -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InteropError(f"{where} is not valid UTF-8 (byte {e.start}); use --byte-level for a byte model") from None


# ---------------------------------------------------------------------------
# The model


class CharLSTM(nn.Module):
    """One-hot (or nn.Embedding) input -> nn.LSTM (L layers of H) -> nn.Linear to V logits."""

    def __init__(self, config: Config):
        super().__init__()
        self.config = config
        E, H, L, V = config.embedding_size, config.hidden_size, config.num_layers, config.vocab_size
        self.encoder = nn.Embedding(V, E) if E > 0 else None
        self.lstm = nn.LSTM(E or V, H, num_layers=L, dropout=config.dropout if L > 1 else 0.0, batch_first=True)
        self.decoder = nn.Linear(H, V)

    def forward(self, x: torch.Tensor, state=None):
        """x: (B, T) character indices; state: (h, c), each (L, B, H), or None for zeros.

        Returns logits (B, T, V) and the new state."""
        if self.encoder is not None:
            inputs = self.encoder(x)  # (B, T, E)
        else:
            inputs = nn.functional.one_hot(x, self.config.vocab_size).to(self.decoder.weight.dtype)  # (B, T, V)
        output, state = self.lstm(inputs, state)  # (B, T, H), ((L, B, H), (L, B, H))
        return self.decoder(output), state


def load_checkpoint(path: Path) -> tuple[CharLSTM, Vocabulary, dict[str, str]]:
    """Builds a CharLSTM (in eval mode, on the CPU) from a cellscope checkpoint."""
    tensors, metadata = read_safetensors(path)
    if metadata.get("format") != FORMAT:
        raise InteropError(f"{path} is not a cellscope checkpoint (__metadata__ format is {metadata.get('format')!r}, expected {FORMAT!r})")
    for key in ("config", "vocabulary"):
        if key not in metadata:
            raise InteropError(f"{path} has no {key!r} in its __metadata__")
    config = Config.from_json(metadata["config"], str(path))
    vocab = Vocabulary.from_json(metadata["vocabulary"], str(path))
    if len(vocab.symbols) != config.vocab_size:
        raise InteropError(f"{path}: the vocabulary has {len(vocab.symbols)} symbols but vocab_size is {config.vocab_size}")
    weights = {k: v for k, v in tensors.items() if not k.startswith(IGNORED_PREFIXES)}
    config.check_shapes(weights, str(path))
    model = CharLSTM(config)
    model.load_state_dict(weights, strict=True)
    return model.eval(), vocab, metadata


def save_checkpoint(path: Path, model: CharLSTM, vocab: Vocabulary, source: str) -> None:
    state = {k: v for k, v in model.state_dict().items()}
    model.config.check_shapes(state, str(path))
    metadata = {"format": FORMAT, "config": model.config.to_json(), "vocabulary": vocab.to_json(), "source": source}
    write_safetensors(path, state, metadata)


def sample(model: CharLSTM, vocab: Vocabulary, length: int, prime: str, temperature: float, seed: int) -> str:
    """Generates `length` characters after `prime`; temperature 0 takes the argmax.

    Without a prime the first character is drawn uniformly, as in char-rnn."""
    generator = torch.Generator().manual_seed(seed)
    V = model.config.vocab_size
    state = None
    logits = torch.zeros(V)
    out: list[int] = []
    with torch.no_grad():
        if prime:
            y, state = model(torch.tensor([vocab.encode(prime)]), None)
            logits = y[0, -1]
        for _ in range(length):
            if temperature == 0:
                i = int(torch.argmax(logits))
            else:
                probs = torch.softmax(logits.double() / temperature, dim=0)
                i = int(torch.multinomial(probs, 1, generator=generator))
            out.append(i)
            y, state = model(torch.tensor([[i]]), state)
            logits = y[0, -1]
    return prime + vocab.decode(out)


def run_steps(model: CharLSTM, indices: list[int]):
    """Runs the model one character at a time from the zero state, batch 1.

    Returns logits (T, V), h (L, T, H) and c (L, T, H): every layer's state after each step."""
    logits, hs, cs = [], [], []
    state = None
    with torch.no_grad():
        for i in indices:
            y, state = model(torch.tensor([[i]]), state)
            logits.append(y[0, 0])
            hs.append(state[0][:, 0])
            cs.append(state[1][:, 0])
    return torch.stack(logits), torch.stack(hs, dim=1), torch.stack(cs, dim=1)


# ---------------------------------------------------------------------------
# load


def cmd_load(args) -> None:
    model, vocab, metadata = load_checkpoint(args.checkpoint)
    c = model.config
    count = sum(p.numel() for p in model.parameters())
    preview = vocab.decode(list(range(min(len(vocab.symbols), 60))))
    print(f"{args.checkpoint}: {metadata['format']}, {count:,} parameters")
    print(f"  input      {'embedding E=' + str(c.embedding_size) if c.embedding_size else 'one-hot'}, V={c.vocab_size} ({vocab.kind})")
    print(f"  lstm       L={c.num_layers} x H={c.hidden_size}, dropout {c.dropout}")
    print(f"  vocabulary {preview!r}{' ...' if len(vocab.symbols) > 60 else ''}")
    ignored = sorted(k for k in read_safetensors(args.checkpoint)[0] if k.startswith(IGNORED_PREFIXES))
    if ignored:
        print(f"  ignored    {len(ignored)} optimizer/training tensors")
    if "source" in metadata:
        print(f"  source     {metadata['source']}")
    print(model)
    if args.check:
        check_against_expected(model, vocab, args.check)
    if args.sample:
        print(sample(model, vocab, args.sample, args.prime, args.temperature, args.seed))


def check_against_expected(model: CharLSTM, vocab: Vocabulary, path: Path, tolerance: float = 1e-5) -> None:
    """Runs the expected file's `text` through the model (float32) and compares every tensor."""
    expected, metadata = read_safetensors(path)
    if "text" not in metadata:
        raise InteropError(f"{path} has no 'text' in its __metadata__")
    indices = vocab.encode(metadata["text"])
    logits, h, c = run_steps(model, indices[:-1])
    loss = nn.functional.cross_entropy(logits, torch.tensor(indices[1:]))
    got = {"logits": logits, "h": h, "c": c, "loss": loss.reshape(1)}
    worst = 0.0
    for name, value in got.items():
        if tuple(expected[name].shape) != tuple(value.shape):
            raise InteropError(f"{path}: {name} has shape {tuple(expected[name].shape)}, the model gives {tuple(value.shape)}")
        worst = max(worst, float((expected[name] - value).abs().max()))
    print(f"check against {path}: T={len(indices) - 1}, loss {float(loss):.6f} nats, max |difference| {worst:.2e}")
    if worst > tolerance:
        raise InteropError(f"the model does not reproduce {path} (max difference {worst:.2e} > {tolerance:g})")


# ---------------------------------------------------------------------------
# export


def cmd_export(args) -> None:
    try:
        loaded = torch.load(args.model, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise InteropError(f"cannot read {args.model}: no such file") from None
    except Exception as e:  # pickle errors come in many types
        reason = str(e).strip().split(".")[0][:160]
        raise InteropError(f"{args.model} could not be read as a state_dict; save one with torch.save(model.state_dict(), PATH) ({type(e).__name__}: {reason})") from None
    for key in ("state_dict", "model"):
        if isinstance(loaded, dict) and isinstance(loaded.get(key), dict):
            loaded = loaded[key]
    if not isinstance(loaded, dict) or not all(isinstance(v, torch.Tensor) for v in loaded.values()):
        raise InteropError(f"{args.model} does not hold a state_dict of tensors")
    state = {}
    for key, value in loaded.items():
        for prefix in ("module.", "_orig_mod."):  # DataParallel, torch.compile
            key = key.removeprefix(prefix)
        if not key.startswith(IGNORED_PREFIXES):
            state[key] = value.detach().to(torch.float32)
    if any("reverse" in k or "weight_hr" in k for k in state):
        raise InteropError(f"{args.model}: bidirectional LSTMs and proj_size are not supported by cellscope")
    config = Config.from_state_dict(state, args.dropout, str(args.model))
    for k in range(config.num_layers):  # nn.LSTM(bias=False) is the same model with zero biases
        for name in (f"lstm.bias_ih_l{k}", f"lstm.bias_hh_l{k}"):
            state.setdefault(name, torch.zeros(4 * config.hidden_size))
    config.check_shapes(state, str(args.model))

    data = read_input(args.vocab_file)
    if args.vocab_file.suffix == ".json":
        vocab = Vocabulary.from_json(decode_utf8(data, str(args.vocab_file)), str(args.vocab_file))
    else:
        vocab = Vocabulary.from_text(data, args.byte_level)
    if len(vocab.symbols) != config.vocab_size:
        raise InteropError(f"{args.vocab_file} gives {len(vocab.symbols)} symbols but the model has V={config.vocab_size}; use the text the model was trained on, or a JSON vocabulary")
    model = CharLSTM(config)
    model.load_state_dict(state, strict=True)
    save_checkpoint(args.out, model, vocab, args.source)
    print(f"wrote {args.out}: {config}, {vocab.kind} vocabulary of {len(vocab.symbols)}")


def read_input(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise InteropError(f"cannot read {path}: {e.strerror}") from None


# ---------------------------------------------------------------------------
# train


def make_stream(data: torch.Tensor, batch_size: int, seq_length: int):
    """char-rnn batching: B contiguous rows of the text; batch i is columns [i*T, (i+1)*T).

    Returns x and y (B, N*T) with y the next character of x, and N batches per epoch."""
    batches = (len(data) - 1) // (batch_size * seq_length)
    if batches < 1:
        raise InteropError(f"the text is too short for one batch of {batch_size} x {seq_length}; lower --batch-size or --seq-length")
    n = batches * batch_size * seq_length
    return data[:n].view(batch_size, -1), data[1 : n + 1].view(batch_size, -1), batches


def evaluate(model: CharLSTM, data: torch.Tensor, batch_size: int, seq_length: int, device) -> float:
    """Mean cross-entropy (nats) over `data`, state carried from batch to batch."""
    batch_size = max(1, min(batch_size, (len(data) - 1) // seq_length))
    x, y, batches = make_stream(data, batch_size, seq_length)
    model.eval()
    total, state = 0.0, None
    with torch.no_grad():
        for i in range(batches):
            cols = slice(i * seq_length, (i + 1) * seq_length)
            logits, state = model(x[:, cols].to(device), state)
            total += float(nn.functional.cross_entropy(logits.flatten(0, 1), y[:, cols].to(device).flatten()))
    model.train()
    return total / batches


def cmd_train(args) -> None:
    if args.device == "cuda" and not torch.cuda.is_available():
        raise InteropError("--device cuda was asked for but PyTorch sees no CUDA device")
    device = torch.device(args.device or ("cuda" if torch.cuda.is_available() else "cpu"))
    torch.manual_seed(args.seed)
    raw = read_input(args.text)
    vocab = Vocabulary.from_text(raw, args.byte_level)
    units = list(raw) if args.byte_level else [ord(ch) for ch in decode_utf8(raw, str(args.text))]
    index = {s: i for i, s in enumerate(vocab.symbols)}
    data = torch.tensor([index[u] for u in units], dtype=torch.long)
    n_val = int(len(data) * args.val_frac)
    train_data, val_data = data[: len(data) - n_val], data[len(data) - n_val :]
    B, T = args.batch_size, args.seq_length
    x, y, batches = make_stream(train_data, B, T)
    x, y = x.to(device), y.to(device)
    steps = args.steps or args.max_epochs * batches

    config = Config(args.embedding_size, args.rnn_size, args.num_layers, len(vocab.symbols), args.dropout)
    model = CharLSTM(config).to(device)
    with torch.no_grad():  # char-rnn: uniform(-0.08, 0.08), forget-gate biases 1
        for p in model.parameters():
            p.uniform_(-0.08, 0.08)
        H = config.hidden_size
        for k in range(config.num_layers):
            getattr(model.lstm, f"bias_ih_l{k}")[H : 2 * H] = 1.0
    optimizer = torch.optim.RMSprop(model.parameters(), lr=args.learning_rate, alpha=0.95, eps=1e-8)
    print(f"training {config} on {device}: {len(train_data):,} train / {len(val_data):,} val characters, "
          f"{batches} batches per epoch, {steps} steps")

    def save(train_loss: float, val_loss: float | None, step: int) -> None:
        source = (f"trained with cellscope scripts/torch_interop.py train on {args.text.name} (PyTorch {torch.__version__}, "
                  f"{device.type}, seed {args.seed}, {step} steps of {B}x{T}, lr {args.learning_rate}, "
                  f"train loss {train_loss:.4f}" + (f", val loss {val_loss:.4f}" if val_loss is not None else "") + " nats)")
        save_checkpoint(args.out, model, vocab, source)  # tensors are copied to the CPU on writing
        print(f"saved {args.out} at step {step}")

    state = None
    first_loss = None
    window: list[float] = []  # training losses since the last progress line
    train_loss = float("nan")
    started = time.monotonic()
    for step in range(1, steps + 1):
        i = (step - 1) % batches
        epoch = (step - 1) // batches
        if i == 0:
            state = None  # a new pass over the text: the streams restart
            if epoch >= args.lr_decay_after and epoch > 0:
                for group in optimizer.param_groups:
                    group["lr"] *= args.lr_decay
        cols = slice(i * T, (i + 1) * T)
        if state is not None:
            state = tuple(s.detach() for s in state)  # truncated BPTT, state carried
        logits, state = model(x[:, cols], state)
        loss = nn.functional.cross_entropy(logits.flatten(0, 1), y[:, cols].flatten())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        for p in model.parameters():
            p.grad.clamp_(-args.grad_clip, args.grad_clip)
        optimizer.step()

        value = loss.item()
        first_loss = first_loss if first_loss is not None else value
        window.append(value)
        if not math.isfinite(value) or value > 3 * first_loss:
            raise InteropError(f"training diverged at step {step} (loss {value:.3f}); lower --learning-rate")
        if step % args.print_every == 0 or step == steps:
            train_loss, window = sum(window) / len(window), []
            rate = step * B * T / (time.monotonic() - started)
            print(f"step {step}/{steps} epoch {epoch + (i + 1) / batches:.2f} loss {train_loss:.4f} "
                  f"lr {optimizer.param_groups[0]['lr']:.2e} {rate:,.0f} chars/s", flush=True)
        if step % args.eval_every == 0 or step == steps:
            val_loss = evaluate(model, val_data.to(device), B, T, device) if n_val > T else None
            if val_loss is not None:
                print(f"validation loss {val_loss:.4f} nats ({val_loss / math.log(2):.4f} bits/char)")
            save(train_loss, val_loss, step)


# ---------------------------------------------------------------------------
# fixture

# 41 Unicode scalars (T + 1 for T = 40) with a 2-byte (é), a 3-byte (—) and a
# 4-byte (🙂, outside the BMP) UTF-8 character, quotes, brackets and a newline.
FIXTURE_TEXT = 'Café — "quotes" (nested [x]) 🙂\nnext line.'
FIXTURE_SOURCE = ("cellscope parity fixture, written by scripts/torch_interop.py fixture: torch.manual_seed(0), "
                  "PyTorch's default init, gate offsets (i +0.3, f +1.0, g -0.2, o +0.5) added to bias_ih")


def fixture_model(config: Config) -> CharLSTM:
    """Default-initialised from seed 0, with every gate's bias_ih shifted by a distinct
    amount, so that a missing bias, a bias added once, or a gate-order error all show."""
    torch.manual_seed(0)
    model = CharLSTM(config)
    H = config.hidden_size
    with torch.no_grad():
        for k in range(config.num_layers):
            bias = getattr(model.lstm, f"bias_ih_l{k}")
            for gate, offset in enumerate((0.3, 1.0, -0.2, 0.5)):  # i, f, g, o
                bias[gate * H : (gate + 1) * H] += offset
    return model.eval()


def naive_forward(model: CharLSTM, indices: list[int]):
    """The LSTM equations written out, in float64, as an independent check of nn.LSTM."""
    c_ = model.config
    H, L = c_.hidden_size, c_.num_layers
    p = {k: v.double() for k, v in model.state_dict().items()}
    h = [torch.zeros(H, dtype=torch.float64) for _ in range(L)]
    c = [torch.zeros(H, dtype=torch.float64) for _ in range(L)]
    logits, hs, cs = [], [], []
    for i in indices:
        x = p["encoder.weight"][i] if c_.embedding_size else nn.functional.one_hot(torch.tensor(i), c_.vocab_size).double()
        for k in range(L):
            a = p[f"lstm.weight_ih_l{k}"] @ x + p[f"lstm.bias_ih_l{k}"] + p[f"lstm.weight_hh_l{k}"] @ h[k] + p[f"lstm.bias_hh_l{k}"]
            ig, fg, gg, og = torch.sigmoid(a[:H]), torch.sigmoid(a[H : 2 * H]), torch.tanh(a[2 * H : 3 * H]), torch.sigmoid(a[3 * H :])
            c[k] = fg * c[k] + ig * gg
            h[k] = og * torch.tanh(c[k])
            x = h[k]
        logits.append(p["decoder.weight"] @ x + p["decoder.bias"])
        hs.append(torch.stack(h))
        cs.append(torch.stack(c))
    return torch.stack(logits), torch.stack(hs, dim=1), torch.stack(cs, dim=1)


def cmd_fixture(args) -> None:
    text = FIXTURE_TEXT
    assert len(text) == 41, "the fixture text must be T + 1 = 41 Unicode scalars"
    vocab = Vocabulary.from_text(text.encode("utf-8"))
    indices = vocab.encode(text)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for name, embedding in (("parity_onehot", 0), ("parity_embedding", 6)):
        config = Config(embedding, 8, 2, len(vocab.symbols), 0.0)
        model = fixture_model(config)
        checkpoint = args.out_dir / f"{name}.safetensors"
        save_checkpoint(checkpoint, model, vocab, FIXTURE_SOURCE)

        # Reference in float64 from the float32 weights as stored.
        reloaded, _, _ = load_checkpoint(checkpoint)
        reloaded = reloaded.double()
        logits, h, c = run_steps(reloaded, indices[:-1])  # (T, V), (L, T, H), (L, T, H)
        for got, want in zip((logits, h, c), naive_forward(reloaded, indices[:-1])):
            assert float((got - want).abs().max()) < 1e-12, "nn.LSTM and the naive equations disagree"
        loss = nn.functional.cross_entropy(logits, torch.tensor(indices[1:]))
        expected = {"logits": logits, "h": h, "c": c, "loss": loss.reshape(1)}
        write_safetensors(args.out_dir / f"{name}_expected.safetensors", expected,
                          {"text": text, "source": f"{FIXTURE_SOURCE}; float64 step-by-step forward of {name}.safetensors "
                                                    "over text[0..<T], loss = mean cross-entropy (nats) of text[1...T]"})
        print(f"wrote {checkpoint.name} and {name}_expected.safetensors: {config}, T={len(indices) - 1}, loss {float(loss):.6f}")


# ---------------------------------------------------------------------------
# command line


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Move character-level LSTMs between PyTorch and cellscope.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("load", help="load a cellscope checkpoint into PyTorch, print a summary, sample")
    p.add_argument("checkpoint", type=Path)
    p.add_argument("--sample", type=int, default=0, metavar="N", help="generate N characters (default: none)")
    p.add_argument("--prime", default="", help="text to start sampling from")
    p.add_argument("--temperature", type=float, default=1.0, help="softmax temperature; 0 takes the argmax (default 1)")
    p.add_argument("--seed", type=int, default=123, help="sampling seed (default 123)")
    p.add_argument("--check", type=Path, metavar="EXPECTED", help="compare with a *_expected.safetensors parity file")
    p.set_defaults(run=cmd_load)

    p = sub.add_parser("export", help="write a PyTorch state_dict as a cellscope checkpoint")
    p.add_argument("model", type=Path, help="torch.save(model.state_dict()) file with encoder./lstm./decoder. names")
    p.add_argument("--vocab-file", type=Path, required=True,
                   help="the training text (its sorted distinct characters), or a .json {\"kind\",\"symbols\"} vocabulary")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--byte-level", action="store_true", help="the model reads UTF-8 bytes, not characters")
    p.add_argument("--dropout", type=float, default=0.0, help="recorded in the config (default 0)")
    p.add_argument("--source", default="exported from PyTorch", help="free text stored as metadata 'source'")
    p.set_defaults(run=cmd_export)

    p = sub.add_parser("train", help="train a char-LSTM the char-rnn way and save it for cellscope")
    p.add_argument("text", type=Path)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--device", choices=["cuda", "cpu"], help="default: cuda when available")
    p.add_argument("--byte-level", action="store_true", help="model UTF-8 bytes instead of characters")
    p.add_argument("--rnn-size", type=int, default=128)
    p.add_argument("--num-layers", type=int, default=2)
    p.add_argument("--embedding-size", type=int, default=0, help="0 = one-hot input, as char-rnn")
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--seq-length", type=int, default=50)
    p.add_argument("--batch-size", type=int, default=50)
    p.add_argument("--learning-rate", type=float, default=2e-3)
    p.add_argument("--lr-decay", type=float, default=0.97, help="per epoch, after --lr-decay-after epochs")
    p.add_argument("--lr-decay-after", type=int, default=10)
    p.add_argument("--grad-clip", type=float, default=5.0, help="elementwise gradient clamp")
    p.add_argument("--max-epochs", type=int, default=50)
    p.add_argument("--steps", type=int, default=0, help="number of batches (default: --max-epochs passes)")
    p.add_argument("--val-frac", type=float, default=0.05)
    p.add_argument("--print-every", type=int, default=100)
    p.add_argument("--eval-every", type=int, default=1000, help="validate and save every N steps")
    p.add_argument("--seed", type=int, default=123)
    p.set_defaults(run=cmd_train)

    p = sub.add_parser("fixture", help="write cellscope's parity fixtures")
    p.add_argument("--out-dir", type=Path, required=True)
    p.set_defaults(run=cmd_fixture)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except InteropError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
