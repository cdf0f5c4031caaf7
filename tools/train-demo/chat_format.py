"""Kimi K2's chat and tool-call format, rendered exactly as the demo model's chat template renders it in
moe-batch (ChatTemplate + AgentLoop): tool declarations first, then the turns; an assistant turn that
calls tools ends in Kimi's tool-call section; each result comes back as a role-tool message.

A rendered conversation is a list of (text, trained) pieces. Every piece boundary sits at a special
token, so tokenizing the pieces one by one gives the same ids as tokenizing the whole text; "trained"
marks what the model writes (the assistant turns, their closing <|im_end|> included).
"""
import json
import os
import sys

# The special tokens and chat template of data-samples/models/k2-tiny-chat, one home for both: Kimi K2's
# layout without its default system prompt (tools/default-model/write_tokenizer.py).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "default-model"))
from write_tokenizer import SPECIALS, TEMPLATE  # noqa: E402,F401  re-exported for the other scripts


def tojson(value):
    """Jinja's tojson(separators=(',', ':')) as HF (and moe-batch's JinjaCompat) runs it: ensure_ascii off."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def arguments_text(arguments):
    """How the model writes a call's arguments: compact JSON, keys in schema order."""
    return tojson(arguments)


def render(messages, tools, add_generation_prompt=False):
    """[(text, trained)] of TEMPLATE for OpenAI-style messages (tool_calls' arguments as JSON text)."""
    pieces = []
    if tools:
        pieces.append(("<|im_system|>tool_declare<|im_middle|>" + tojson(tools) + "<|im_end|>", False))
    for m in messages:
        role = m["role"]
        if role == "system":
            pieces.append(("<|im_system|>system<|im_middle|>" + m["content"] + "<|im_end|>", False))
        elif role == "user":
            pieces.append(("<|im_user|>user<|im_middle|>" + m["content"] + "<|im_end|>", False))
        elif role == "assistant":
            pieces.append(("<|im_assistant|>assistant<|im_middle|>", False))
            text = m.get("content") or ""
            if m.get("tool_calls"):
                text += "<|tool_calls_section_begin|>"
                for call in m["tool_calls"]:
                    text += ("<|tool_call_begin|>" + call["id"] + "<|tool_call_argument_begin|>"
                             + call["function"]["arguments"] + "<|tool_call_end|>")
                text += "<|tool_calls_section_end|>"
            pieces.append((text + "<|im_end|>", True))
        elif role == "tool":
            pieces.append(("<|im_system|>tool<|im_middle|>## Return of " + m["tool_call_id"] + "\n" + m["content"]
                           + "<|im_end|>", False))
        else:
            raise ValueError("role " + role)
    if add_generation_prompt:
        pieces.append(("<|im_assistant|>assistant<|im_middle|>", False))
    return pieces


def text_of(pieces):
    return "".join(t for t, _ in pieces)
