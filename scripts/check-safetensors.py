#!/usr/bin/python3
"""Cross-checks descent's safetensors files with PyTorch, without the safetensors package.

  check-safetensors.py read FILE EXPECTED.json
      Parses FILE (a descent-written safetensors file) with json and struct, reads the
      data with torch.frombuffer, and compares every tensor with EXPECTED.json
      ({name: {"shape": [...], "values": [...]}}). Exits 1 on any mismatch.
  check-safetensors.py write FILE EXPECTED.json
      Writes FILE from a torch.nn model's state_dict laid out as the safetensors
      library does, and its values to EXPECTED.json, for descent to read back.
"""
import json
import struct
import sys

try:
    import torch
except ImportError as error:
    sys.exit(f"check-safetensors: PyTorch is missing ({error}); scripts/setup installs python3-torch")


def read(path):
    with open(path, "rb") as f:
        raw = f.read()
    (header_len,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + header_len])
    problems = []
    if header_len % 8 != 0:
        problems.append(f"header length {header_len} is not a multiple of 8")
    header.pop("__metadata__", None)
    data = bytearray(raw[8 + header_len :])
    tensors, offset = {}, 0
    # The safetensors library lays tensors out in sorted key order, back to back.
    for name in sorted(header):
        info = header[name]
        begin, end = info["data_offsets"]
        if info["dtype"] != "F32" or begin != offset:
            problems.append(f"{name}: dtype {info['dtype']}, offsets {begin}..{end}, expected F32 from {offset}")
        count = (end - begin) // 4
        flat = torch.frombuffer(data, dtype=torch.float32, count=count, offset=begin) if count else torch.zeros(0)
        tensors[name] = flat.reshape(info["shape"])
        offset = end
    if offset != len(data):
        problems.append(f"tensors cover {offset} bytes of a {len(data)}-byte data section")
    return tensors, problems


def check(path, expected_path):
    tensors, problems = read(path)
    with open(expected_path) as f:
        expected = json.load(f)
    if sorted(tensors) != sorted(expected):
        problems.append(f"keys {sorted(tensors)} != expected {sorted(expected)}")
    for name in sorted(set(tensors) & set(expected)):
        want = torch.tensor(expected[name]["values"], dtype=torch.float32).reshape(expected[name]["shape"])
        got = tensors[name]
        if got.shape != want.shape or not torch.equal(got, want):
            problems.append(f"{name}: got shape {list(got.shape)} {got.flatten()[:6].tolist()}..., expected {list(want.shape)} {want.flatten()[:6].tolist()}...")
    for problem in problems:
        print(f"MISMATCH {problem}")
    if problems:
        sys.exit(1)
    print(f"OK: torch {torch.__version__} read {len(tensors)} tensors from {path}: {', '.join(f'{n} {list(t.shape)}' for n, t in sorted(tensors.items()))}")


def write(path, expected_path):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
    tensors = {name: t.detach().contiguous() for name, t in model.state_dict().items()}
    tensors["scalar"] = torch.tensor(-2.5)
    tensors["empty"] = torch.zeros(0, 3)
    header, chunks, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        chunk = tensors[name].numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(chunk)]}
        chunks.append(chunk)
        offset += len(chunk)
    encoded = json.dumps(header, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)) + encoded + b"".join(chunks))
    with open(expected_path, "w") as f:
        json.dump({n: {"shape": list(t.shape), "values": t.flatten().tolist()} for n, t in tensors.items()}, f)
    print(f"OK: torch {torch.__version__} wrote {len(tensors)} tensors to {path}")


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("read", "write"):
        sys.exit(__doc__)
    (check if sys.argv[1] == "read" else write)(sys.argv[2], sys.argv[3])
