#!/usr/bin/python3
"""Writes a byte-level tokenizer.json and tokenizer_config.json for a tiny checkpoint.

Every byte is one token (the GPT-2 byte-to-unicode alphabet, no merges), so any text encodes and
decodes losslessly; the special tokens (ids 256 and up) and the chat template are those of the
family's real models, so the chat format and the tool-call markers are theirs:

  kimi     Kimi K2's tokens, a simplified form of its template (moe-batch's default model)
  qwen3    Qwen3's tokens and its real chat template (data-samples/tokenizers/qwen3), <tool_call> tags
  mixtral  <s> </s> and Mixtral-Instruct's [INST] template (user and assistant turns only)
  olmoe    OLMoE-Instruct's <|endoftext|> and its <|user|> / <|assistant|> template

    write_tokenizer.py OUT_DIR [FAMILY]
"""
import json
import os
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


QWEN3_SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<tool_call>", "</tool_call>", "<tool_response>",
                  "</tool_response>", "<think>", "</think>"]

MIXTRAL_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}"
    "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
    "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
    "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}"
    "{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token }}"
    "{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}"
)

OLMOE_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}"
    "{% if message['role'] == 'system' %}{{ '<|system|>\n' + message['content'] + '\n' }}"
    "{% elif message['role'] == 'user' %}{{ '<|user|>\n' + message['content'] + '\n' }}"
    "{% elif message['role'] == 'assistant' %}{% if not loop.last %}"
    "{{ '<|assistant|>\n' + message['content'] + eos_token + '\n' }}"
    "{% else %}{{ '<|assistant|>\n' + message['content'] + eos_token }}{% endif %}{% endif %}"
    "{% if loop.last and add_generation_prompt %}{{ '<|assistant|>\n' }}{% endif %}{% endfor %}"
)


def family_tokens(family):
    """(special tokens from id 256 on, bos, eos, pad, chat template) of a family."""
    if family == "kimi":
        return SPECIALS, "[BOS]", "<|im_end|>", "[EOS]", TEMPLATE
    if family == "qwen3":
        here = os.path.dirname(os.path.abspath(__file__))
        real = json.load(open(os.path.join(here, "../../data-samples/tokenizers/qwen3/tokenizer_config.json")))
        return QWEN3_SPECIALS, None, "<|im_end|>", "<|endoftext|>", real["chat_template"]
    if family == "mixtral":
        return ["<s>", "</s>"], "<s>", "</s>", "</s>", MIXTRAL_TEMPLATE
    if family == "olmoe":
        return (["<|endoftext|>", "<|padding|>", "<|system|>", "<|user|>", "<|assistant|>"], "<|endoftext|>",
                "<|endoftext|>", "<|padding|>", OLMOE_TEMPLATE)
    raise SystemExit(f"unknown family {family!r} (kimi, qwen3, mixtral, olmoe)")


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


def main(out_dir, family="kimi"):
    specials, bos, eos, pad, template = family_tokens(family)
    alphabet = byte_alphabet()
    vocab = {alphabet[b]: b for b in range(256)}
    added = [{"id": 256 + i, "content": s, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for i, s in enumerate(specials)]
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
        "bos_token": bos, "eos_token": eos, "pad_token": pad, "model_max_length": 4096,
        "added_tokens_decoder": {str(t["id"]): {k: t[k] for k in ("content", "special", "lstrip", "rstrip", "normalized",
                                                                  "single_word")} for t in added},
        "chat_template": template,
        "tokenizer_class": "PreTrainedTokenizerFast",
    }
    json.dump(config, open(f"{out_dir}/tokenizer_config.json", "w"), ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main(*sys.argv[1:])
