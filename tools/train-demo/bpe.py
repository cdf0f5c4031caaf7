"""A byte-level BPE tokenizer trained here in plain Python and written as a Hugging Face tokenizer.json,
which moe-batch loads through DJL's binding of HF tokenizers (HuggingFaceTokenizer.java).

Pre-tokenization is that of the written tokenizer.json, step for step:
  1. added tokens (Kimi K2's special tokens) are cut out of the text first and never split;
  2. Split on \\p{N}, "Isolated": a token per digit. Copying numbers (question -> call, result ->
     answer) is what this model finds hardest, and it learns to copy ten well-trained digit tokens far
     sooner than a thousand rare three-digit chunks (DeepSeek-V3's \\p{N}{1,3}), whose embeddings and
     unembeddings it would have to line up one by one. On a synthetic copy task at this size
     (copy_task.py) copied digits were 97% right after 1200 steps, three-digit chunks 0% after 1500
     (48% with tied embeddings);
  3. ByteLevel with GPT-2's regex, then GPT-2's byte-to-unicode alphabet.
Merges are learnt by the classic algorithm (Sennrich et al. 2016): count adjacent pairs over the word
frequencies, merge the most frequent (ties: the pair that sorts first), repeat.
"""
import json
import re
from collections import Counter

from chat_format import SPECIALS
from write_tokenizer import byte_alphabet  # on the path chat_format set

# GPT-2's pattern; Python's re has no \p{L}/\p{N}: [^\W\d_] is a letter and \d a digit here, which
# agrees with Unicode's classes for every character of the training text (Latin and Vietnamese letters).
GPT2 = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[^\W\d_]+| ?\d+| ?(?:[^\s\w]|_)+|\s+(?!\S)|\s+""")
SPECIAL_SPLIT = re.compile("(" + "|".join(re.escape(s) for s in SPECIALS) + ")")
DIGIT_SPLIT = re.compile(r"(\d)")


ALPHABET = byte_alphabet()


def words(segment):
    """The pre-tokenized words of text without special tokens, in the byte alphabet."""
    out = []
    for part in DIGIT_SPLIT.split(segment):
        if part:
            for w in GPT2.findall(part):
                out.append("".join(ALPHABET[b] for b in w.encode("utf-8")))
    return out


class Bpe:
    def __init__(self, merges):
        self.merges = merges
        self.ranks = {pair: i for i, pair in enumerate(merges)}
        self.vocab = {ALPHABET[b]: b for b in range(256)}
        self.special_ids = {s: 256 + i for i, s in enumerate(SPECIALS)}
        for a, b in merges:
            if a + b not in self.vocab:  # two merge paths may spell one token; it keeps its first id
                self.vocab[a + b] = len(self.vocab) + len(SPECIALS)
        self.cache = {}

    @property
    def size(self):
        return len(self.vocab) + len(SPECIALS)

    @staticmethod
    def train(texts, vocab_size):
        counts = Counter()
        for text in texts:
            for seg in SPECIAL_SPLIT.split(text):
                if seg and seg not in SPECIALS:
                    counts.update(words(seg))
        corpus = [[list(w), c] for w, c in counts.items()]
        merges = []
        target = vocab_size - 256 - len(SPECIALS)
        pairs = Counter()
        where = {}
        for i, (syms, c) in enumerate(corpus):
            for p in zip(syms, syms[1:]):
                pairs[p] += c
                where.setdefault(p, set()).add(i)
        while len(merges) < target and pairs:
            best = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))
            if best[1] < 2:
                break
            pair = best[0]
            merges.append(pair)
            merged = pair[0] + pair[1]
            for i in list(where.get(pair, ())):
                syms, c = corpus[i]
                for p in zip(syms, syms[1:]):
                    pairs[p] -= c
                    if pairs[p] <= 0:
                        del pairs[p]
                out, j = [], 0
                while j < len(syms):
                    if j + 1 < len(syms) and syms[j] == pair[0] and syms[j + 1] == pair[1]:
                        out.append(merged)
                        j += 2
                    else:
                        out.append(syms[j])
                        j += 1
                corpus[i][0] = out
                for p in zip(out, out[1:]):
                    pairs[p] += c
                    where.setdefault(p, set()).add(i)
            where.pop(pair, None)
        return Bpe(merges)

    def encode_word(self, w):
        if w in self.cache:
            return self.cache[w]
        syms = list(w)
        while len(syms) > 1:
            ranked = [(self.ranks.get(p, 1 << 30), i) for i, p in enumerate(zip(syms, syms[1:]))]
            rank, i = min(ranked)
            if rank == 1 << 30:
                break
            syms[i:i + 2] = [syms[i] + syms[i + 1]]
        ids = [self.vocab[s] for s in syms]
        self.cache[w] = ids
        return ids

    def encode(self, text):
        ids = []
        for seg in SPECIAL_SPLIT.split(text):
            if not seg:
                continue
            if seg in self.special_ids:
                ids.append(self.special_ids[seg])
            else:
                for w in words(seg):
                    ids.extend(self.encode_word(w))
        return ids

    def decode(self, ids):
        inverse = {v: k for k, v in self.vocab.items()}
        specials = {v: k for k, v in self.special_ids.items()}
        bytes_of = {c: b for b, c in ALPHABET.items()}
        out, buf = [], []
        for t in ids:
            if t in specials:
                out.append(bytes(buf).decode("utf-8", "replace"))
                buf = []
                out.append(specials[t])
            else:
                buf.extend(bytes_of[ch] for ch in inverse[t])
        out.append(bytes(buf).decode("utf-8", "replace"))
        return "".join(out)

    def tokenizer_json(self):
        added = [{"id": i, "content": s, "single_word": False, "lstrip": False, "rstrip": False,
                  "normalized": False, "special": True} for s, i in self.special_ids.items()]
        # the special tokens are in the model's vocabulary too: HF tokenizers otherwise numbers added
        # tokens after the vocabulary's last id, whatever their "id" says
        vocab = dict(sorted({**self.vocab, **self.special_ids}.items(), key=lambda kv: kv[1]))
        return {
            "version": "1.0", "truncation": None, "padding": None, "added_tokens": added, "normalizer": None,
            "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
                {"type": "Split", "pattern": {"Regex": "\\p{N}"}, "behavior": "Isolated", "invert": False},
                {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}]},
            "post_processor": None,
            "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
            "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                      "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                      "vocab": vocab, "merges": [a + " " + b for a, b in self.merges]},
        }

    def tokenizer_config(self, template):
        return {
            "bos_token": "[BOS]", "eos_token": "<|im_end|>", "pad_token": "[EOS]", "model_max_length": 4096,
            "added_tokens_decoder": {str(i): {"content": s, "special": True, "lstrip": False, "rstrip": False,
                                              "normalized": False, "single_word": False}
                                     for s, i in self.special_ids.items()},
            "chat_template": template,
            "tokenizer_class": "PreTrainedTokenizerFast",
        }

    def write(self, out_dir, template):
        with open(f"{out_dir}/tokenizer.json", "w", encoding="utf-8") as f:
            json.dump(self.tokenizer_json(), f, ensure_ascii=False)
        with open(f"{out_dir}/tokenizer_config.json", "w", encoding="utf-8") as f:
            json.dump(self.tokenizer_config(template), f, ensure_ascii=False, indent=1)
