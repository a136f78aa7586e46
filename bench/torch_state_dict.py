#!/usr/bin/python3
"""Writes the checkpoint that bench/torch_compare loads: a GPT-2-shaped state dict, saved by real torch.

Run it with Debian's /usr/bin/python3 (python3-torch, torch 1.13). The tensors are those of a GPT-2 style
decoder, named as Hugging Face names them: token and position embeddings, per layer two layer norms, the fused
query/key/value projection, the attention output projection, the two MLP projections with their biases, the
causal-mask buffer (bool) and the masked-bias scalar, then the final layer norm and an output head tied to the
token embedding (one storage, as `lm_head.weight` and `transformer.wte.weight` share it in a tied model).
The last two layers are stored in float16 and bfloat16, as mixed-precision checkpoints often keep some weights.
The values are drawn from a fixed seed (normal, std 0.02, as GPT-2 initialises them), so two runs write the
same file.

    /usr/bin/python3 bench/torch_state_dict.py --out target/gpt2.pt                 # 12 layers: about 500 MB
    /usr/bin/python3 bench/torch_state_dict.py --out target/big.pt --layers 36      # about 1 GiB
    /usr/bin/python3 bench/torch_state_dict.py --out small.pt --vocab 1000 --d-model 64 --ctx 64 --layers 2

Prints one JSON line: the file's size, tensor count and bytes per dtype.
"""
import argparse
import collections
import json
import os

import torch


def build(vocab, d, ctx, layers, seed):
    g = torch.Generator().manual_seed(seed)

    def normal(*shape, dtype=torch.float32):
        return (torch.randn(*shape, generator=g) * 0.02).to(dtype)

    def ones(n, dtype):
        return (1.0 + 0.1 * torch.randn(n, generator=g)).to(dtype)

    sd = collections.OrderedDict()
    sd["transformer.wte.weight"] = normal(vocab, d)
    sd["transformer.wpe.weight"] = normal(ctx, d) * 0.5
    mask = torch.tril(torch.ones(ctx, ctx, dtype=torch.bool)).view(1, 1, ctx, ctx)
    for i in range(layers):
        # The last two layers in half precision, the one before the last in float16, the last in bfloat16.
        dtype = torch.float16 if i == layers - 2 else torch.bfloat16 if i == layers - 1 else torch.float32
        p = f"transformer.h.{i}."
        sd[p + "ln_1.weight"] = ones(d, dtype)
        sd[p + "ln_1.bias"] = normal(d, dtype=dtype)
        sd[p + "attn.bias"] = mask.clone()
        sd[p + "attn.masked_bias"] = torch.tensor(-1e4)
        sd[p + "attn.c_attn.weight"] = normal(d, 3 * d, dtype=dtype)
        sd[p + "attn.c_attn.bias"] = normal(3 * d, dtype=dtype)
        sd[p + "attn.c_proj.weight"] = normal(d, d, dtype=dtype)
        sd[p + "attn.c_proj.bias"] = normal(d, dtype=dtype)
        sd[p + "ln_2.weight"] = ones(d, dtype)
        sd[p + "ln_2.bias"] = normal(d, dtype=dtype)
        sd[p + "mlp.c_fc.weight"] = normal(d, 4 * d, dtype=dtype)
        sd[p + "mlp.c_fc.bias"] = normal(4 * d, dtype=dtype)
        sd[p + "mlp.c_proj.weight"] = normal(4 * d, d, dtype=dtype)
        sd[p + "mlp.c_proj.bias"] = normal(d, dtype=dtype)
    sd["transformer.ln_f.weight"] = ones(d, torch.float32)
    sd["transformer.ln_f.bias"] = normal(d)
    sd["lm_head.weight"] = sd["transformer.wte.weight"]  # tied: one storage, saved once
    return sd


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--vocab", type=int, default=50257)
    ap.add_argument("--d-model", type=int, default=768)
    ap.add_argument("--ctx", type=int, default=1024)
    ap.add_argument("--layers", type=int, default=12)
    ap.add_argument("--seed", type=int, default=18)
    a = ap.parse_args()
    if a.layers < 2:
        ap.error("--layers must be at least 2 (the last two are float16 and bfloat16)")
    sd = build(a.vocab, a.d_model, a.ctx, a.layers, a.seed)
    tmp = a.out + ".tmp"
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    torch.save(sd, tmp)
    os.replace(tmp, a.out)  # a run stopped half way leaves no file that looks whole
    per_dtype = collections.Counter()
    for t in sd.values():
        per_dtype[str(t.dtype).replace("torch.", "")] += t.numel() * t.element_size()
    print(json.dumps({"file": a.out, "bytes": os.path.getsize(a.out), "tensors": len(sd),
                      "tensor_bytes": dict(per_dtype), "torch": torch.__version__,
                      "layers": a.layers, "d_model": a.d_model, "vocab": a.vocab, "ctx": a.ctx}))


if __name__ == "__main__":
    main()
