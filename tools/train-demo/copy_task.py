#!/usr/bin/python3
"""The experiment behind the demo tokenizer's token per digit: how soon does the demo's architecture
learn to copy a number, when a number is a few of ten digit tokens, or one or two of ~900 rare chunks?

Each row is filler, a "number" (2..--max-len tokens drawn from --number-tokens ids), more filler, a
separator, and the number again; only the copy is a target. Printed every 50 steps: the greedy
(teacher-forced) accuracy of the copied tokens on 64 fresh rows. Measured on the 2-core machine, seed 0,
OPENBLAS_NUM_THREADS=1 (tools/train-demo/bpe.py cites it):
  --number-tokens 10 --max-len 12 --steps 1200    91% at step 850, 97% at step 1199
  --number-tokens 900 --max-len 6                  0% at step 1499
  --number-tokens 900 --max-len 6 --tied          48% at step 1499
"""
import argparse
import os
import random
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as train.py: OpenBLAS's own pool would spin on the other core
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import TinyK2  # noqa: E402
from train import CONFIG, batch_of  # noqa: E402

SEPARATOR, END = 5, 6


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--number-tokens", type=int, default=900, help="distinct tokens a number is made of")
    ap.add_argument("--max-len", type=int, default=6, help="longest number, in tokens")
    ap.add_argument("--tied", action="store_true", help="tie the embedding and the LM head")
    a = ap.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(1)
    model = TinyK2(dict(CONFIG, vocab_size=2496, tie_word_embeddings=a.tied))
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, betas=(0.9, 0.95), weight_decay=0.01)
    rng = random.Random(0)
    digits = range(1000, 1000 + a.number_tokens)

    def batch(rows=16):
        made = []
        for _ in range(rows):
            n = rng.randint(2, a.max_len)
            filler = [rng.randint(300, 900) for _ in range(rng.randint(3, 12))]
            number = [rng.choice(digits) for _ in range(n)]
            filler2 = [rng.randint(300, 900) for _ in range(rng.randint(3, 8))]
            context = filler + number + filler2 + [SEPARATOR]
            # the targets are the copy and the end, as train.py marks what the assistant writes
            made.append((context + number + [END], [False] * len(context) + [True] * (n + 1)))
        return batch_of(made)

    prefix = torch.tensor([256, 300, 301, 302])
    start = time.time()
    for step in range(a.steps):
        x, y = batch()
        logits = model(prefix, x)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), ignore_index=-100)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % 50 == 0 or step == a.steps - 1:
            with torch.no_grad():
                x, y = batch(64)
                guess = model(prefix, x).argmax(-1)
                copied = (y != -100) & (y != END)
                accuracy = ((guess == y) & copied).sum().item() / copied.sum().item()
            print(f"step {step} loss {loss.item():.3f} copied tokens right {accuracy:.2f} ({time.time() - start:.0f} s)",
                  flush=True)


if __name__ == "__main__":
    main()
