# Reads the safetensors file that SafetensorsTest wrote (argv[1]) without the safetensors library, checks its
# layout against the format, and compares every tensor with the same tensor built here in torch.
import json, struct, sys, torch
inf = float("inf")
expected = {
    "f32": torch.tensor([[-1.0, -0.5, 0.0], [0.5, 1.0, 1.5]], dtype=torch.float32),
    "f16": torch.tensor([1.0, -2.5, 65504.0, 2.0 ** -24, inf, 2.0 ** -10], dtype=torch.float16),
    "bf16": torch.tensor([1.0, -2.5, 3.140625, inf], dtype=torch.bfloat16),
    "i64": torch.tensor([-2 ** 63, -1, 0, 1, 2 ** 63 - 1, 42], dtype=torch.int64).reshape(3, 2),
    "bool": torch.tensor([True, False, True]),
    "u8": torch.tensor([0, 1, 127, 128, 255], dtype=torch.uint8),
    "i8": torch.tensor([-128, -1, 0, 127], dtype=torch.int8),
    "scalar": torch.tensor(3.25, dtype=torch.float64),
    "empty": torch.empty((0, 4), dtype=torch.float32),
    "shared_a": torch.arange(12, dtype=torch.int32),
    "shared_b": torch.arange(12, dtype=torch.int32)[2:8].reshape(2, 3),
    "transposed": torch.arange(6, dtype=torch.float32).reshape(2, 3).t(),
    "expanded": torch.tensor([7, 8, 9], dtype=torch.int16).expand(2, 3),
    "weird \"name\"\t\u2713\U0001F600": torch.tensor([1.5], dtype=torch.float64),
}
codes = {torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
         torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8",
         torch.bool: "BOOL"}
dtypes = {v: k for k, v in codes.items()}
blob = open(sys.argv[1], "rb").read()
(n,) = struct.unpack("<Q", blob[:8])
assert (8 + n) % 8 == 0, n
header_bytes = blob[8:8 + n]
assert header_bytes.rstrip(b" ").endswith(b"}") and header_bytes.startswith(b"{"), header_bytes
header = json.loads(header_bytes.decode("utf-8"))
data = blob[8 + n:]
assert header.pop("__metadata__") == {"format": "pt", "quote\"back\\slash\nnew\u0001line\u00e9\U0001F600": "v"}
assert set(header) == set(expected), set(header) ^ set(expected)
position = 0
for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"]):
    begin, end = info["data_offsets"]
    assert begin == position, (name, begin, position)
    dtype = dtypes[info["dtype"]]
    item = torch.empty((), dtype=dtype).element_size()
    assert begin % item == 0, (name, begin)
    want = expected[name]
    assert dtype == want.dtype and tuple(info["shape"]) == tuple(want.shape), (name, info)
    assert end - begin == want.numel() * item, (name, info)
    if end > begin:
        got = torch.frombuffer(bytearray(data[begin:end]), dtype=dtype).reshape(info["shape"])
    else:
        got = torch.empty(info["shape"], dtype=dtype)
    assert torch.equal(got, want), (name, got, want)
    position = end
assert position == len(data), (position, len(data))
print(json.dumps([name for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"])]))
