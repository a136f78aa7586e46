# Views of every torch dtype, one line each, for TensorViewsTest: run by /usr/bin/python3 (torch 1.13).
# Columns: dtype view storage-hex offset shape stride is_contiguous values-as-float64-hex ints contiguous-hex ("-" = empty).
import torch, struct
g = torch.Generator().manual_seed(7)
N = 24
def base_of(name):
    dt = getattr(torch, name)
    if dt.is_floating_point:
        b = (torch.randn(N, generator=g, dtype=torch.float64) * 100).to(dt)
        b[0] = 0.0; b[1] = -0.0; b[2] = float('inf'); b[3] = 1e-7 if dt != torch.bfloat16 else 1e-40
        return b
    if dt.is_complex:
        return torch.complex(torch.randn(N, generator=g, dtype=torch.float64),
                             torch.randn(N, generator=g, dtype=torch.float64)).to(dt)
    if dt == torch.bool:
        return torch.randint(0, 2, (N,), generator=g).to(torch.bool)
    info = torch.iinfo(dt)
    b = torch.randint(max(info.min, -2**62), min(info.max, 2**62), (N,), generator=g, dtype=torch.int64).to(dt)
    b[0] = info.min; b[1] = info.max
    return b
def raw(t):
    if t.dtype == torch.bfloat16:
        t = t.view(torch.int16)
    return t.numpy().tobytes()
for name in ["float64", "float32", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool",
             "complex64", "complex128"]:
    base = base_of(name)
    views = {
        "contiguous": base.view(2, 3, 4),
        "transposed": base.view(4, 6).t(),
        "permuted": base.view(2, 3, 4).permute(2, 0, 1),
        "sliced": base.view(4, 6)[1:, ::2],
        "stepped": base[5:17:3],
        "expanded": base[3:6].expand(4, 3),
        "scalar_expanded": base[7].expand(2, 2),
        "scalar": base[11],
        "empty_columns": base.view(4, 6)[:, 2:2],
        "empty_at_end": base[24:],
        "overlapping": torch.as_strided(base, (3, 3), (2, 1), 1),
        "row": base.view(4, 6)[1:2, :],
    }
    for vname, t in views.items():
        assert t.storage().data_ptr() == base.storage().data_ptr()
        flat = t.flatten().tolist()
        if t.dtype.is_complex:
            doubles = [p for z in flat for p in (z.real, z.imag)]
        else:
            doubles = [float(v) for v in flat]
        ints = ",".join(str(int(v)) for v in flat) if not (t.dtype.is_floating_point or t.dtype.is_complex) else "-"
        print(name, vname, raw(base).hex(), t.storage_offset(), ",".join(map(str, t.shape)) or "-",
              ",".join(map(str, t.stride())) or "-", int(t.is_contiguous()),
              struct.pack("<%dd" % len(doubles), *doubles).hex() or "-", ints or "-",
              raw(t.contiguous().reshape(-1)).hex() or "-")
