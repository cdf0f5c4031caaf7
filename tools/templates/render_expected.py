#!/usr/bin/python3
"""Renders test conversations through real chat templates with Python's Jinja2, configured exactly
as Hugging Face transformers' apply_chat_template configures it (ImmutableSandboxedEnvironment,
trim_blocks, lstrip_blocks, loopcontrols, tojson = json.dumps(ensure_ascii=False), raise_exception,
strftime_now). Writes data-samples/templates/expected.json, which the Java template tests compare
with byte for byte. Needs Debian's python3-jinja2.
"""
import json
import os
from datetime import datetime

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def environment():
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = lambda fmt: datetime.now().strftime(fmt)
    return env


WEATHER = {"type": "function", "function": {"name": "get_weather", "description": "Weather in a city, \"now\".",
                                             "parameters": {"type": "object", "required": ["city"],
                                                            "properties": {"city": {"type": "string", "description": "City name, e.g. Hà Nội"},
                                                                           "days": {"type": "integer", "minimum": 1, "maximum": 7},
                                                                           "unit": {"type": "string", "enum": ["c", "f"]}}}}}
CALC = {"type": "function", "function": {"name": "calculator", "description": "Exact arithmetic.",
                                          "parameters": {"type": "object", "properties": {"expression": {"type": "string"}},
                                                         "required": ["expression"]}}}

CASES = {
    "basic": dict(messages=[{"role": "system", "content": "You are concise."},
                            {"role": "user", "content": "Tell me about 日本 and Việt Nam 👋"}], tools=None),
    "no-system": dict(messages=[{"role": "user", "content": "Hi\n\nthere"}], tools=None),
    "multi-turn": dict(messages=[{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "4"},
                                 {"role": "user", "content": "and 3+3?"}], tools=None),
    "tools": dict(messages=[
        {"role": "system", "content": "Use tools when useful."},
        {"role": "user", "content": "Weather in Hà Nội, and 17*23?"},
        {"role": "assistant", "content": "", "tool_calls": [
            {"id": "functions.get_weather:0", "type": "function",
             "function": {"name": "get_weather", "arguments": "{\"city\": \"Hà Nội\", \"days\": 2}"}},
            {"id": "functions.calculator:1", "type": "function",
             "function": {"name": "calculator", "arguments": "{\"expression\": \"17*23\"}"}}]},
        {"role": "tool", "tool_call_id": "functions.get_weather:0", "name": "get_weather", "content": "{\"temp_c\": 31, \"sky\": \"sunny\"}"},
        {"role": "tool", "tool_call_id": "functions.calculator:1", "name": "calculator", "content": "391"},
        {"role": "assistant", "content": "Sunny, 31°C; 17*23 = 391."},
        {"role": "user", "content": "Thanks!"}], tools=[WEATHER, CALC]),
    # Row text is data: each of these must reach the model verbatim, never be evaluated as Jinja.
    "jinja-in-data": dict(messages=[
        {"role": "system", "content": "System {{ raise_exception('from the system prompt') }} {% include '/etc/passwd' %}"},
        {"role": "user", "content": "{{ 7*7 }} | {% for i in range(3) %}x{% endfor %} | Angular: {{ user.name | uppercase }}"
                                    " | Hello {{ .Name }}! | {{ raise_exception('boom') }} | {% include '/etc/passwd' %} | {# c #}"},
        {"role": "assistant", "content": "", "tool_calls": [
            {"id": "functions.calculator:0", "type": "function",
             "function": {"name": "calculator", "arguments": "{\"expression\": \"{{ 6*7 }}\"}"}}]},
        {"role": "tool", "tool_call_id": "functions.calculator:0", "name": "calculator",
         "content": "{% raw %}{{ 6*7 }}{% endraw %} {%- if true %}t{% endif %}"},
        {"role": "user", "content": "{{ messages }} {{ tools }}"}], tools=[
            {"type": "function", "function": {"name": "calculator", "description": "Adds {{ 1+1 }} {% set x = 1 %}",
                                              "parameters": CALC["function"]["parameters"]}}]),
}

TEMPLATES = {
    "qwen3": "data-samples/tokenizers/qwen3/tokenizer_config.json",
    "deepseek-v3": "data-samples/tokenizers/deepseek-v3/tokenizer_config.json",
    "kimi-k2": "data-samples/tokenizers/kimi-k2/tokenizer_config.json",
    # what a checkpoint without a template gets (ChatTemplate.DEFAULT's resource)
    "chatml": "inference-udf/src/main/resources/org/moebatch/chat/chatml.jinja",
}


def load(path):
    """(template source, special tokens) of a tokenizer_config.json or a bare .jinja file."""
    if path.endswith(".jinja"):
        return open(os.path.join(ROOT, path)).read(), {}
    config = json.load(open(os.path.join(ROOT, path)))
    specials = {k: (v if isinstance(v, str) else v.get("content")) for k, v in config.items()
                if k in ("bos_token", "eos_token", "pad_token", "unk_token") and v is not None}
    return config["chat_template"], specials


def main():
    env = environment()
    out = []
    for name, path in TEMPLATES.items():
        source, specials = load(path)
        template = env.from_string(source)
        for case, conversation in CASES.items():
            if name == "deepseek-v3" and case == "tools":
                continue  # DeepSeek-V3's template wants content None on tool-call turns; its own case below
            for generation_prompt in (True, False):
                text = template.render(messages=conversation["messages"], tools=conversation["tools"],
                                       add_generation_prompt=generation_prompt, **specials)
                out.append({"template": name, "case": case, "add_generation_prompt": generation_prompt,
                            "messages": conversation["messages"], "tools": conversation["tools"], "expected": text})
    ds_tools = [dict(m) for m in CASES["tools"]["messages"]]
    ds_tools[2] = dict(ds_tools[2], content=None)
    config = json.load(open(os.path.join(ROOT, TEMPLATES["deepseek-v3"])))
    text = env.from_string(config["chat_template"]).render(messages=ds_tools, tools=None, add_generation_prompt=True,
                                                          bos_token=config["bos_token"]["content"] if isinstance(config["bos_token"], dict) else config["bos_token"])
    out.append({"template": "deepseek-v3", "case": "tools", "add_generation_prompt": True, "messages": ds_tools,
                "tools": None, "expected": text})
    os.makedirs(os.path.join(ROOT, "data-samples/templates"), exist_ok=True)
    with open(os.path.join(ROOT, "data-samples/templates/expected.json"), "w") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
    print(len(out), "renderings")


if __name__ == "__main__":
    main()
