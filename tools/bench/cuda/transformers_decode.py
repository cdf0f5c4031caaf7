#!/usr/bin/env python3
"""Hugging Face transformers' DeepseekV3ForCausalLM (eager) on the GPU, built from a config with
random bf16 weights, decoding with its KV cache: the peer of `moe-batch bench --device cuda` on the
same shape. Per batch size: a prefill of --prompt-len random tokens per row, then --gen-len decode
steps, timed with CUDA events. One JSON object on stdout; exits 3 when torch, CUDA or the model class
is missing.

  transformers_decode.py --config tools/bench/moonlight-shape.json --batch 1,8,64,256 --prompt-len 64 --gen-len 32
"""
import argparse
import json
import sys
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", required=True)
    ap.add_argument("--batch", default="1,8,64,256")
    ap.add_argument("--prompt-len", type=int, default=64)
    ap.add_argument("--gen-len", type=int, default=32)
    args = ap.parse_args()
    try:
        import torch
        import transformers
        from transformers import AutoConfig, AutoModelForCausalLM
    except ImportError as e:
        print(f"transformers is not importable: {e}", file=sys.stderr)
        sys.exit(3)
    if not torch.cuda.is_available():
        print("torch sees no CUDA device", file=sys.stderr)
        sys.exit(3)
    cfg = json.load(open(args.config))
    cfg.pop("architectures", None)
    cfg.pop("torch_dtype", None)
    # kimi_k2 is DeepseekV3ForCausalLM's architecture under another name
    model_type = {"kimi_k2": "deepseek_v3"}.get(cfg.get("model_type"), cfg.pop("model_type", "deepseek_v3"))
    cfg.pop("model_type", None)
    try:
        config = AutoConfig.for_model(model_type, **cfg)
    except ValueError as e:
        print(f"transformers does not know model_type {model_type}: {e}", file=sys.stderr)
        sys.exit(3)
    start = time.time()
    torch.set_default_dtype(torch.bfloat16)
    with torch.device("cuda"):
        model = AutoModelForCausalLM.from_config(config)  # random initialisation, on the device, in bf16
    model.eval()
    print(f"transformers {transformers.__version__}: model built in {time.time() - start:.0f} s", file=sys.stderr)
    results = []
    generator = torch.Generator(device="cuda").manual_seed(1)
    with torch.inference_mode():
        for batch in [int(b) for b in args.batch.split(",")]:
            ids = torch.randint(0, config.vocab_size, (batch, args.prompt_len), device="cuda", generator=generator)
            a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            a.record()
            out = model(input_ids=ids, use_cache=True)
            b.record()
            torch.cuda.synchronize()
            prefill_s = a.elapsed_time(b) / 1e3
            past = out.past_key_values
            token = out.logits[:, -1:].argmax(-1)
            a.record()
            for _ in range(args.gen_len):
                out = model(input_ids=token, past_key_values=past, use_cache=True)
                past = out.past_key_values
                token = out.logits[:, -1:].argmax(-1)
            b.record()
            torch.cuda.synchronize()
            decode_s = a.elapsed_time(b) / 1e3
            results.append({"batch": batch, "prefill_tokens_per_s": round(batch * args.prompt_len / prefill_s, 1),
                            "decode_tokens_per_s": round(batch * args.gen_len / decode_s, 1),
                            "decode_step_ms": round(decode_s / args.gen_len * 1e3, 2)})
            print(f"batch {batch}: decode {results[-1]['decode_step_ms']} ms a step", file=sys.stderr)
            del out, past
            torch.cuda.empty_cache()
    print(json.dumps({"transformers": transformers.__version__, "torch": torch.__version__, "results": results}))


if __name__ == "__main__":
    main()
