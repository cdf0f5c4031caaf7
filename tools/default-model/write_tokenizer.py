#!/usr/bin/python3
"""Writes the byte-level tokenizer.json and tokenizer_config.json of moe-batch's default model.

Every byte is one token (the GPT-2 byte-to-unicode alphabet, no merges), so any text encodes and
decodes losslessly; the special tokens are Kimi K2's, so the chat format and the tool-call markers
are those of the real model. The chat template is a simplified form of Kimi K2's.
"""
import json
import sys

SPECIALS = ["[BOS]", "[EOS]", "<|im_end|>", "<|im_user|>", "<|im_assistant|>", "<|im_system|>", "<|im_middle|>",
            "<|tool_calls_section_begin|>", "<|tool_calls_section_end|>", "<|tool_call_begin|>",
            "<|tool_call_argument_begin|>", "<|tool_call_end|>"]

TEMPLATE = (
    "{%- if tools -%}"
    "<|im_system|>tool_declare<|im_middle|>{{ tools | tojson(separators=(',', ':')) }}<|im_end|>"
    "{%- endif -%}"
    "{%- for message in messages -%}"
    "{%- if message['role'] == 'system' -%}"
    "<|im_system|>system<|im_middle|>{{ message['content'] }}<|im_end|>"
    "{%- elif message['role'] == 'user' -%}"
    "<|im_user|>user<|im_middle|>{{ message['content'] }}<|im_end|>"
    "{%- elif message['role'] == 'assistant' -%}"
    "<|im_assistant|>assistant<|im_middle|>{{ message['content'] if message['content'] else '' }}"
    "{%- if message['tool_calls'] -%}"
    "<|tool_calls_section_begin|>"
    "{%- for call in message['tool_calls'] -%}"
    "<|tool_call_begin|>{{ call['id'] }}<|tool_call_argument_begin|>"
    "{{ call['function']['arguments'] if call['function']['arguments'] is string else call['function']['arguments'] | tojson(separators=(',', ':')) }}"
    "<|tool_call_end|>"
    "{%- endfor -%}"
    "<|tool_calls_section_end|>"
    "{%- endif -%}"
    "<|im_end|>"
    "{%- elif message['role'] == 'tool' -%}"
    "<|im_system|>tool<|im_middle|>## Return of {{ message['tool_call_id'] }}\n{{ message['content'] }}<|im_end|>"
    "{%- endif -%}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}<|im_assistant|>assistant<|im_middle|>{%- endif -%}"
)


def byte_alphabet():
    """GPT-2's reversible byte -> printable unicode mapping, as HF's ByteLevel uses."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


def main(out_dir):
    alphabet = byte_alphabet()
    vocab = {alphabet[b]: b for b in range(256)}
    added = [{"id": 256 + i, "content": s, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for i, s in enumerate(SPECIALS)]
    tokenizer = {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added, "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False},
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": []},
    }
    json.dump(tokenizer, open(f"{out_dir}/tokenizer.json", "w"), ensure_ascii=False, indent=1)
    config = {
        "bos_token": "[BOS]", "eos_token": "<|im_end|>", "pad_token": "[EOS]", "model_max_length": 4096,
        "added_tokens_decoder": {str(t["id"]): {k: t[k] for k in ("content", "special", "lstrip", "rstrip", "normalized",
                                                                  "single_word")} for t in added},
        "chat_template": TEMPLATE,
        "tokenizer_class": "PreTrainedTokenizerFast",
    }
    json.dump(config, open(f"{out_dir}/tokenizer_config.json", "w"), ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
