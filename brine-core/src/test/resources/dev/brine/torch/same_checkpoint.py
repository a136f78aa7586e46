# Loads original torch files and Brine's rewrites of them with torch, and prints one line per pair: "same" when
# they hold the same structure: containers and their types (OrderedDict state included), leaves, and every tensor's
# dtype, layout, grad flags, quantizer, raw bytes, and which tensors share a storage; then whether weights_only
# loads each. Arguments: ORIGINAL REWRITE KIND, repeated (one process for every pair: importing torch is slow).
import pickle
import sys

import torch
import torch.nn as nn

def raw(t):
    if t.is_quantized:
        return ('q', str(t.qscheme()), t.q_scale(), t.q_zero_point(), t.int_repr().flatten().tolist())
    t = t.detach().contiguous()
    if t.is_complex():
        t = torch.view_as_real(t).contiguous()
    return t.flatten().view(torch.uint8).tolist() if t.numel() else []


def describe(obj, groups):
    if isinstance(obj, torch.Tensor):
        key = obj.storage()._cdata
        return ('tensor', type(obj).__name__, str(obj.dtype), tuple(obj.shape), obj.stride(), obj.storage_offset(),
                obj.requires_grad, groups.setdefault(key, len(groups)), raw(obj))
    if isinstance(obj, dict):
        extra = vars(obj) if type(obj) is not dict and hasattr(obj, '__dict__') else None
        return (type(obj).__name__, [(k, describe(v, groups)) for k, v in obj.items()], repr(extra))
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [describe(v, groups) for v in obj])
    if isinstance(obj, nn.Module):
        return (type(obj).__name__, [(k, describe(v, groups)) for k, v in vars(obj).items()])
    return ('leaf', repr(obj))


def compare(original_path, rewrite_path, kind):
    original = pickle.load(open(original_path, 'rb')) if kind == 'pickle' else torch.load(original_path)
    rewrite = torch.load(rewrite_path)
    a, b = describe(original, {}), describe(rewrite, {})
    if a != b:
        return 'different ' + repr(a)[:3000] + ' | ' + repr(b)[:3000]
    try:
        torch.load(original_path, weights_only=True)
        original_weights_only = True
    except Exception:
        original_weights_only = False
    try:
        torch.load(rewrite_path, weights_only=True)
        rewrite_weights_only = True
    except Exception:
        rewrite_weights_only = False
    return 'same %s %s' % (original_weights_only, rewrite_weights_only)


args = sys.argv[1:]
for i in range(0, len(args), 3):
    print(compare(args[i], args[i + 1], args[i + 2]).replace('\n', ' '))
