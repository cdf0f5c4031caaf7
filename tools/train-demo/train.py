#!/usr/bin/python3
"""Trains moe-batch's demo model: a tiny Kimi K2-architecture MoE that uses the built-in tools.

  data   makes the tokenizer (byte-level BPE learnt from training dialogues), the held-out eval set
         data-samples/eval/tool-demo.jsonl, and the fixtures with which the Java tests check that the
         dialogues here are rendered, tokenized and answered by the tools as moe-batch does at inference;
  train  trains the model on fresh dialogues and exports it in the Hugging Face layout (bf16), with
         the golden logits of the exported weights and the loss curve.

Everything follows from --seed: the same seed (and thread count) gives the same files.
Run with Debian's python3-torch: tools/train-demo/make.sh.
"""
import argparse
import json
import math
import os
import random
import struct
import sys
import time

# Before numpy and torch load OpenBLAS: torch.set_num_threads does not reach OpenBLAS's own pool, whose
# second thread spins on the other core through every matrix product (most of this run's system time).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from bpe import Bpe  # noqa: E402
from chat_format import TEMPLATE, render, text_of  # noqa: E402
from demo_tools import Tools  # noqa: E402
from dialogues import DialogueMaker  # noqa: E402
from model import TinyK2  # noqa: E402

sys.path.insert(0, os.path.join(HERE, "..", "reference"))
from deepseek_v3_reference import to_bf16_bits, write_safetensors  # noqa: E402

ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
TOOLS_DIR = os.path.join(ROOT, "data-samples", "tools")
PAD = 257  # [EOS]: never a target (its labels are masked)

CONFIG = {
    "architectures": ["DeepseekV3ForCausalLM"],
    "model_type": "kimi_k2",
    "hidden_size": 192,
    "intermediate_size": 384,
    "moe_intermediate_size": 96,
    "num_hidden_layers": 4,
    "num_attention_heads": 8,
    "num_key_value_heads": 8,
    "q_lora_rank": 64,
    "kv_lora_rank": 48,
    "qk_nope_head_dim": 32,
    "qk_rope_head_dim": 16,
    "v_head_dim": 32,
    "n_routed_experts": 16,
    "n_shared_experts": 1,
    "num_experts_per_tok": 4,
    "n_group": 1,
    "topk_group": 1,
    "norm_topk_prob": True,
    "routed_scaling_factor": 2.827,
    "scoring_func": "sigmoid",
    "topk_method": "noaux_tc",
    "first_k_dense_replace": 1,
    "moe_layer_freq": 1,
    "hidden_act": "silu",
    "rms_norm_eps": 1e-06,
    "rope_theta": 50000.0,
    "rope_scaling": {"type": "yarn", "factor": 32.0, "original_max_position_embeddings": 128, "beta_fast": 1.0,
                     "beta_slow": 1.0, "mscale": 1.0, "mscale_all_dim": 1.0},
    "max_position_embeddings": 4096,
    "tie_word_embeddings": False,
    "attention_bias": False,
    "bos_token_id": 256,
    "eos_token_id": 258,
    "torch_dtype": "bfloat16",
}


def tokenizer_for(tools, seed):
    maker = DialogueMaker(tools, "train", seed)
    return Bpe.train([text_of(render(maker.one()[0], tools.declarations)) for _ in range(4000)], 4096)


def encode_pieces(bpe, pieces):
    """ids and trained-mask of a rendered conversation; pieces split at special tokens, so encoding them
    one by one is encoding the whole text."""
    ids, mask = [], []
    for text, trained in pieces:
        t = bpe.encode(text)
        ids += t
        mask += [trained] * len(t)
    return ids, mask


# --------------------------------------------------------------------------------------------------
# data: tokenizer, held-out set, fixtures


HELDOUT_QUOTA = (("arithmetic", 120), ("capital", 50), ("document", 70), ("chain", 50), ("chat", 30))


def heldout_rows(tools, seed, train_prompts):
    """Eval rows of the held-out phrasings, each prompt once, none of them a training prompt."""
    maker = DialogueMaker(tools, "heldout", seed)
    rows, seen = [], set()
    for kind, quota in HELDOUT_QUOTA:
        made = tries = 0
        while made < quota:
            tries += 1
            if tries > 100 * quota:
                raise ValueError(f"held-out {kind}: only {made} distinct prompts of {quota} in {tries} tries")
            messages, category, expected, reference = maker.one(kind)
            prompt = messages[0]["content"]
            if prompt in seen or prompt in train_prompts:
                continue
            seen.add(prompt)
            made += 1
            rows.append({"id": f"{kind}-{made:03d}", "category": category, "prompt": prompt,
                         "reference": reference, "expected_tool_call": expected if expected else "none"})
    return rows


def chat_fixture(bpe, tools, seed):
    """Conversations of every kind with their rendered text and ids, and every tool call of a few hundred
    dialogues with its result: what the Java side must reproduce."""
    maker = DialogueMaker(tools, "heldout", seed)
    conversations, calls = [], []
    for kind in ("arithmetic", "capital", "document", "chain", "chain", "chat"):
        messages = maker.one(kind)[0]
        # the prompt of the last turn, as the agent loop renders it, and the whole dialogue
        for upto, gen in ((len(messages) - 1, True), (len(messages), False)):
            text = text_of(render(messages[:upto], tools.declarations, gen))
            conversations.append({"messages": messages[:upto], "add_generation_prompt": gen, "text": text,
                                  "ids": bpe.encode(text)})
    for pool, s in (("train", seed + 1), ("heldout", seed + 2)):
        m = DialogueMaker(tools, pool, s)
        for _ in range(150):
            for msg in m.one()[0]:
                for c in msg.get("tool_calls", []):
                    calls.append({"name": c["function"]["name"], "arguments": c["function"]["arguments"]})
    results = []
    for c in {json.dumps(c, sort_keys=True): c for c in calls}.values():
        results.append({**c, "result": tools.call(c["name"], json.loads(c["arguments"]))})
    return {"tools_file": "data-samples/tools/tools.json", "conversations": conversations, "tool_calls": results}


def cmd_data(a):
    tools = Tools(TOOLS_DIR)
    bpe = tokenizer_for(tools, a.seed)
    os.makedirs(a.out, exist_ok=True)
    bpe.write(a.out, TEMPLATE)
    print(f"tokenizer: {bpe.size} tokens ({len(bpe.merges)} merges) -> {a.out}", file=sys.stderr)
    # the prompts training sees (cmd_train's dialogues): held-out frames differ, this makes sure of it
    maker = DialogueMaker(tools, "train", a.seed + 1)
    train_prompts = {maker.one()[0][0]["content"] for _ in range(30000)}
    rows = heldout_rows(tools, a.seed + 1000, train_prompts)
    with open(a.eval_out, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"held-out set: {len(rows)} rows -> {a.eval_out}", file=sys.stderr)
    with open(a.fixture_out, "w", encoding="utf-8") as f:
        json.dump(chat_fixture(bpe, tools, a.seed + 2000), f, ensure_ascii=False, indent=1)
    print(f"fixtures -> {a.fixture_out}", file=sys.stderr)


# --------------------------------------------------------------------------------------------------
# training


def training_set(bpe, tools, seed, n):
    """(prefix ids, [(row ids, row mask)]): the tool declarations every dialogue opens with, split off."""
    maker = DialogueMaker(tools, "train", seed)
    prefix = bpe.encode(render([], tools.declarations)[0][0])
    rows = []
    for _ in range(n):
        ids, mask = encode_pieces(bpe, render(maker.one()[0], tools.declarations))
        assert ids[: len(prefix)] == prefix
        rows.append((ids[len(prefix):], mask[len(prefix):]))
    return prefix, rows


def batches(rows, batch, seed):
    """Batches of rows of similar length (less padding), in a seeded random order: rows are sorted by
    length within windows of 64 batches, cut into batches, and the batches shuffled."""
    rng = random.Random(seed)
    out = []
    window = 64 * batch
    for w in range(0, len(rows), window):
        chunk = sorted(rows[w:w + window], key=lambda r: len(r[0]))
        group = [chunk[i:i + batch] for i in range(0, len(chunk), batch)]
        rng.shuffle(group)
        out += group
    return out


def batch_of(rows):
    T = max(len(r[0]) for r in rows)
    x = torch.full((len(rows), T), PAD, dtype=torch.long)
    y = torch.full((len(rows), T), -100, dtype=torch.long)
    for i, (ids, mask) in enumerate(rows):
        x[i, : len(ids)] = torch.tensor(ids)
        # position t predicts token t + 1; only what the assistant writes is a target
        tgt = [tok if m else -100 for tok, m in zip(ids[1:], mask[1:])]
        y[i, : len(tgt)] = torch.tensor(tgt)
    return x, y


def overrides(settings):
    """--set key=value pairs of config.json, the value read as JSON (a bare word as a string)."""
    for s in settings:
        key, sep, value = s.partition("=")
        if not sep or key not in CONFIG:
            raise SystemExit(f"--set {s!r}: expected key=value with a key of the config ({', '.join(sorted(CONFIG))})")
        try:
            yield key, json.loads(value)
        except json.JSONDecodeError:
            yield key, value


def number_probe(bpe, tools, seed, prefix_len, n=48):
    """Held-out arithmetic dialogues and, per target position, whether it is a number token in a tool
    call or in the final answer: copying numbers is what this model learns last, so training reports it.
    prefix_len: tokens of the shared tool declarations (training_set's prefix), cut off every row."""
    maker = DialogueMaker(tools, "heldout", seed)
    number = {i for t, i in bpe.vocab.items() if t.isdigit()}
    rows, kinds = [], []
    for _ in range(n):
        pieces = render(maker.one("arithmetic")[0], tools.declarations)
        ids, mask = encode_pieces(bpe, pieces)
        answer_from = len(ids) - len(bpe.encode(pieces[-1][0]))
        rows.append((ids[prefix_len:], mask[prefix_len:]))
        # kinds[t] describes target t, the token at t + 1
        kinds.append([("answer" if t + 1 >= answer_from else "call") if mask[t + 1] and ids[t + 1] in number else None
                      for t in range(prefix_len, len(ids) - 1)])
    return rows, kinds


def probe_accuracy(model, prefix_t, rows, kinds):
    """Greedy accuracy (teacher-forced) on the number tokens of calls and of answers, and the share of
    rows whose call has every number token right: one wrong digit is a wrong call."""
    x, _ = batch_of(rows)
    model.eval()
    with torch.no_grad():
        guess = model(prefix_t, x).argmax(-1)
    model.train()
    right = {"call": [0, 0], "answer": [0, 0]}
    whole_calls = 0
    for i, row in enumerate(kinds):
        call_ok = True
        for t, kind in enumerate(row):
            if kind:
                ok = int(guess[i, t]) == int(x[i, t + 1])
                right[kind][0] += ok
                right[kind][1] += 1
                call_ok &= ok or kind != "call"
        whole_calls += call_ok
    acc = {k: r / max(1, total) for k, (r, total) in right.items()}
    acc["whole_call"] = whole_calls / max(1, len(kinds))
    return acc


def lr_at(step, steps, peak, warmup):
    if step < warmup:
        return peak * (step + 1) / warmup
    p = (step - warmup) / max(1, steps - warmup)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * p)))


def cmd_train(a):
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    torch.use_deterministic_algorithms(True)
    tools = Tools(TOOLS_DIR)
    bpe = tokenizer_for(tools, a.seed)
    config = dict(CONFIG, vocab_size=(bpe.size + 63) // 64 * 64, **dict(overrides(a.set)))
    t0 = time.time()
    prefix, rows = training_set(bpe, tools, a.seed + 1, a.steps * a.batch)
    print(f"{len(rows)} dialogues, prefix {len(prefix)} tokens, rows {np.mean([len(r[0]) for r in rows]):.0f} tokens "
          f"on average, made in {time.time() - t0:.0f} s", file=sys.stderr)
    model = TinyK2(config)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    rest = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": rest, "weight_decay": 0.0}],
                            lr=a.lr, betas=(0.9, 0.95))
    prefix_t = torch.tensor(prefix)
    probe_rows, probe_kinds = number_probe(bpe, tools, a.seed + 3, len(prefix))
    log = []
    start = time.time()
    order = batches(rows, a.batch, a.seed + 2)
    done = a.steps
    for step in range(a.steps):
        if (time.time() - start) / 60 > a.max_minutes:
            # a safety net on a busy machine: the run is then shorter than asked, and says so
            done = step
            print(f"stopped at step {step} of {a.steps}: --max-minutes {a.max_minutes} reached", file=sys.stderr)
            break
        x, y = batch_of(order[step])
        for g in opt.param_groups:
            g["lr"] = lr_at(step, a.steps, a.lr, a.warmup)
        logits = model(prefix_t, x)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), ignore_index=-100)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        with torch.no_grad():
            # DeepSeek-V3's auxiliary-loss-free balancing: raise the bias of under-loaded experts, lower the others
            for moe in model.moe_layers():
                load = moe.last_load.float()
                moe.gate.e_score_correction_bias += a.bias_rate * torch.sign(load.mean() - load)
        log.append((step, float(loss), time.time() - start))
        if step % 250 == 0 or step == a.steps - 1:
            acc = probe_accuracy(model, prefix_t, probe_rows, probe_kinds)
            print(f"step {step} held-out number tokens right: {acc['call']:.1%} in calls ({acc['whole_call']:.0%} of calls "
                  f"all right), {acc['answer']:.1%} in answers", file=sys.stderr, flush=True)
        if step % 10 == 0 or step == a.steps - 1:
            print(f"step {step} loss {float(loss):.4f} lr {lr_at(step, a.steps, a.lr, a.warmup):.2e} "
                  f"{(time.time() - start) / (step + 1):.2f} s/step", file=sys.stderr, flush=True)
    minutes = (time.time() - start) / 60
    print(f"trained {done} steps in {minutes:.1f} min", file=sys.stderr)
    export(model, config, bpe, a.out)
    with open(os.path.join(a.out, "training.json"), "w") as f:
        json.dump({"seed": a.seed, "steps": done, "planned_steps": a.steps, "batch": a.batch, "lr": a.lr, "threads": a.threads,
                   "minutes": round(minutes, 1), "final_loss": round(float(np.mean([l for _, l, _ in log[-50:]])), 4),
                   "loss": [round(l, 4) for _, l, _ in log]}, f)
    if a.golden:
        write_golden(a.out, bpe, tools, a.golden)
    if a.png:
        plot(log, a.png, a.threads)


# --------------------------------------------------------------------------------------------------
# export, golden logits, loss curve


# bf16 rounding and the safetensors writer: the reference's (tools/reference/deepseek_v3_reference.py)
bf16_bits = to_bf16_bits


def export(model, config, bpe, out):
    os.makedirs(out, exist_ok=True)
    stored = {}
    for name, t in model.hf_state().items():
        # DeepSeek-V3 keeps the correction bias in float32 even in bf16 checkpoints
        stored[name] = ("F32", t.numpy()) if name.endswith("e_score_correction_bias") else ("BF16", bf16_bits(t))
    write_safetensors(os.path.join(out, "model.safetensors"), stored)
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    bpe.write(out, TEMPLATE)


def load_exported(out):
    """The exported checkpoint as the training model, in float64: what the golden logits come from."""
    config = json.load(open(os.path.join(out, "config.json")))
    model = TinyK2(config).double()
    with open(os.path.join(out, "model.safetensors"), "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    state = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, end = e["data_offsets"]
        if e["dtype"] == "BF16":
            a = (np.frombuffer(data[b:end], dtype=np.uint16).astype(np.uint32) << 16).view(np.float32)
        else:
            a = np.frombuffer(data[b:end], dtype=np.float32)
        key = name[len("model."):] if name.startswith("model.") else name
        state[key] = torch.from_numpy(a.reshape(e["shape"]).copy()).double()
    if config["tie_word_embeddings"]:
        state["lm_head.weight"] = state["embed_tokens.weight"]
    model.load_state_dict(state)
    return model.eval()


def write_golden(out, bpe, tools, golden_path, steps=12):
    """A held-out prompt through the exported model, then greedy steps: the contract of `moe-batch logits`."""
    model = load_exported(out)
    prompt = text_of(render([{"role": "user", "content": "Could you find 37 multiplied by 41?"}], tools.declarations, True))
    tokens = bpe.encode(prompt)
    seq, logits, greedy = list(tokens), [], []
    with torch.no_grad():
        for s in range(steps + 1):
            last = model(torch.tensor(seq))[0, -1]
            logits.append(last)
            if s < steps:
                nxt = int(torch.argmax(last))
                greedy.append(nxt)
                seq.append(nxt)
    with open(golden_path, "w") as f:
        f.write(json.dumps({"tokens": tokens, "greedy": greedy,
                            "logits": [[float(f"{x:.8g}") for x in l.tolist()] for l in logits]},
                           separators=(",", ":")) + "\n")
    print(f"golden: greedy continuation {bpe.decode(greedy)!r} -> {golden_path}", file=sys.stderr)


def plot(log, png, threads=1):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("no matplotlib: loss curve not drawn", file=sys.stderr)
        return
    steps = [s for s, _, _ in log]
    losses = [l for _, l, _ in log]
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(steps, losses, alpha=0.3, label="loss per step")
    if len(losses) >= 20:  # a run of a few steps has no 20-step mean to draw
        ax.plot(steps[19:], np.convolve(losses, np.ones(20) / 20, mode="valid"), label="mean of 20 steps")
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("cross-entropy on assistant tokens")
    ax.set_title(f"k2-tool-demo training ({log[-1][2] / 60:.0f} min on {threads} CPU thread{'s' if threads > 1 else ''})")
    ax.legend()
    fig.tight_layout()
    fig.savefig(png, dpi=100)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("data", help="tokenizer, held-out eval set, fixtures for the Java tests")
    d.add_argument("--seed", type=int, default=10)
    d.add_argument("--out", default=os.path.join(ROOT, "data-samples/models/k2-tool-demo"))
    d.add_argument("--eval-out", default=os.path.join(ROOT, "data-samples/eval/tool-demo.jsonl"))
    d.add_argument("--fixture-out", default=os.path.join(ROOT, "data-samples/golden/k2-tool-demo-chat.json"))
    t = sub.add_parser("train", help="train and export the model")
    t.add_argument("--seed", type=int, default=10)
    t.add_argument("--out", default=os.path.join(ROOT, "data-samples/models/k2-tool-demo"))
    t.add_argument("--steps", type=int, default=7000)
    t.add_argument("--batch", type=int, default=16)
    t.add_argument("--lr", type=float, default=2e-3)
    t.add_argument("--warmup", type=int, default=100)
    t.add_argument("--bias-rate", type=float, default=1e-3, help="step of the correction-bias update")
    t.add_argument("--threads", type=int, default=1,
                   help="a second thread does not speed this model up (0.50 vs 0.53 s/step on 2 cores)")
    t.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a key of the model's config.json, e.g. --set hidden_size=192 (for experiments)")
    t.add_argument("--max-minutes", type=float, default=1e9, help="stop early (and export) after this long")
    t.add_argument("--golden", default=os.path.join(ROOT, "data-samples/golden/k2-tool-demo.json"))
    t.add_argument("--png", default=os.path.join(ROOT, "docs/k2-tool-demo-loss.png"))
    a = ap.parse_args()
    cmd_data(a) if a.cmd == "data" else cmd_train(a)


if __name__ == "__main__":
    main()
