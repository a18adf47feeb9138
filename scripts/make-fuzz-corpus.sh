#!/usr/bin/env bash
# Regenerates the fuzz seed corpus in Tests/FuzzCorpus/checkpoint: a few tiny
# real checkpoints (RMSProp and Adam, one-hot and embedding, one and two layers,
# trained by the built cellscope) and the corrupt kinds the tests make (truncated,
# huge header length, not JSON, wrong dtype, shapes and options disagreeing).
#
#   scripts/make-fuzz-corpus.sh [PATH/TO/cellscope]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/.build/debug/cellscope}
out=$root/Tests/FuzzCorpus/checkpoint
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
printf 'the cat sat on the mat. "quoted (text)" [[link]]\n%.0s' {1..12} >"$tmp/t.txt"
common=(--seq-length 8 --batch-size 2 --max-steps 3 --eval-every 2)
"$bin" train "$tmp/t.txt" --out "$out/rmsprop-1x4.safetensors" --rnn-size 4 --num-layers 1 "${common[@]}" >/dev/null
"$bin" train "$tmp/t.txt" --out "$out/adam-2x3-emb.safetensors" --rnn-size 3 --num-layers 2 \
  --embedding-size 2 --optimizer adam --dropout 0.1 "${common[@]}" >/dev/null
rm -f "$out"/*.best.safetensors
python3 - "$out" <<'PY'
import json, struct, sys
out = sys.argv[1]
good = open(f"{out}/rmsprop-1x4.safetensors", "rb").read()
n = struct.unpack("<Q", good[:8])[0]
header = json.loads(good[8:8 + n])
data = good[8 + n:]
def write(name, h, body=data):
    text = json.dumps(h, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    open(f"{out}/{name}.safetensors", "wb").write(struct.pack("<Q", len(text)) + text + body)
open(f"{out}/truncated.safetensors", "wb").write(good[:len(good) // 2])
open(f"{out}/huge-header-length.safetensors", "wb").write(b"\xff" * 7 + b"\x7f" + good[8:64])
open(f"{out}/not-json.safetensors", "wb").write(struct.pack("<Q", 16) + b"{not json at all" + data[:16])
h = json.loads(json.dumps(header)); h["decoder.bias"]["dtype"] = "I64"; write("wrong-dtype", h)
h = json.loads(json.dumps(header)); h["decoder.weight"]["shape"] = h["decoder.weight"]["shape"][::-1]
write("wrong-shape", h)
t = json.loads(header["__metadata__"]["training"])
t["options"]["rnnSize"] = 2; t["step"] = -5
h = json.loads(json.dumps(header)); h["__metadata__"]["training"] = json.dumps(t); write("options-disagree", h)
c = json.loads(header["__metadata__"]["config"]); c["hidden_size"] = 8192; c["num_layers"] = 16
h = json.loads(json.dumps(header)); h["__metadata__"]["config"] = json.dumps(c); write("claims-huge", h)
PY
ls -l "$out"
