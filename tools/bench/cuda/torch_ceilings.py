#!/usr/bin/env python3
"""The device's measured ceilings, through its PyTorch: device-to-device copy bandwidth (bytes read
plus bytes written per second, what a memory-bound kernel can move) and the bf16 matrix-product
rate of cuBLAS on large square products. One JSON object on stdout; exits 3 when torch or CUDA is
missing (the caller reports the step as skipped).
"""
import json
import sys


def main():
    try:
        import torch
    except ImportError:
        print("torch is not importable", file=sys.stderr)
        sys.exit(3)
    if not torch.cuda.is_available():
        print("torch sees no CUDA device", file=sys.stderr)
        sys.exit(3)
    dev = torch.device("cuda")
    timing = lambda: (torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True))

    n = 1 << 30  # 1 GiB each way, far beyond L2
    src = torch.empty(n, dtype=torch.uint8, device=dev)
    dst = torch.empty_like(src)
    dst.copy_(src)
    best = 0.0
    for _ in range(10):
        a, b = timing()
        a.record()
        dst.copy_(src)
        b.record()
        torch.cuda.synchronize()
        best = max(best, 2 * n / (a.elapsed_time(b) * 1e-3) / 1e9)
    del src, dst

    rates = {}
    for size in (4096, 8192):
        x = torch.randn(size, size, dtype=torch.bfloat16, device=dev)
        y = torch.randn(size, size, dtype=torch.bfloat16, device=dev)
        for _ in range(3):
            torch.mm(x, y)
        runs = 20
        a, b = timing()
        a.record()
        for _ in range(runs):
            torch.mm(x, y)
        b.record()
        torch.cuda.synchronize()
        rates[size] = 2 * size ** 3 * runs / (a.elapsed_time(b) * 1e-3) / 1e12
    print(json.dumps({"device": torch.cuda.get_device_name(0), "torch": torch.__version__,
                      "copy_gb_per_s": round(best, 1), "bf16_tflops": round(max(rates.values()), 1),
                      "bf16_tflops_by_size": {str(k): round(v, 1) for k, v in rates.items()}}))


if __name__ == "__main__":
    main()
