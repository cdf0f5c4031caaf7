#!/usr/bin/env python3
"""Writes openai-batch-output.schema.json: the subset of OpenAI's published OpenAPI document that
describes one line of a Batch API output file whose request was a chat completion.

Usage: extract_schema.py OPENAPI_JSON OLD_OPENAPI_YAML > openai-batch-output.schema.json
  OPENAPI_JSON      openapi.json of github.com/openai/openai-openapi (the chat completion schemas)
  OLD_OPENAPI_YAML  openapi.yaml of the same repository at a commit that still has
                    BatchRequestOutput (later versions no longer publish it)
See README.md beside this file for the commits used and what is changed.
"""
import json
import sys

import yaml

ROOTS = ["CreateChatCompletionResponse"]
DROPPED_PROPERTIES = {"CreateChatCompletionResponse": ["moderation"]}  # moderated completions only


def clean(node):
    """OpenAPI-only keywords (x-*, discriminator) out; refs into this document's $defs."""
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k.startswith("x-") or k == "discriminator":
                continue
            if k == "$ref":
                out[k] = v.replace("#/components/schemas/", "#/$defs/")
            else:
                out[k] = clean(v)
        return out
    if isinstance(node, list):
        return [clean(v) for v in node]
    return node


def refs(node, found):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                found.add(v.rsplit("/", 1)[-1])
            else:
                refs(v, found)
    elif isinstance(node, list):
        for v in node:
            refs(v, found)


def nullable(node):
    """OpenAPI 3.0's `nullable: true` as JSON Schema: the type or null."""
    if isinstance(node, dict):
        node = {k: nullable(v) for k, v in node.items()}
        if node.pop("nullable", False):
            node["type"] = [node["type"], "null"]
        return node
    if isinstance(node, list):
        return [nullable(v) for v in node]
    return node


def main(openapi_json, old_yaml):
    schemas = json.load(open(openapi_json))["components"]["schemas"]
    defs = {}
    todo = list(ROOTS)
    while todo:
        name = todo.pop()
        if name in defs:
            continue
        schema = json.loads(json.dumps(schemas[name]))
        for p in DROPPED_PROPERTIES.get(name, []):
            schema["properties"].pop(p)
        defs[name] = clean(schema)
        found = set()
        refs(defs[name], found)
        todo.extend(sorted(found))
    old = yaml.safe_load(open(old_yaml))["components"]["schemas"]["BatchRequestOutput"]
    output = nullable(clean(old))
    # The spec types the body as any object; for a /v1/chat/completions request it is a chat completion.
    output["properties"]["response"]["properties"]["body"] = {"$ref": "#/$defs/CreateChatCompletionResponse"}
    defs["BatchRequestOutput"] = output
    doc = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$comment": "Extracted from github.com/openai/openai-openapi by extract_schema.py; see README.md",
        "$ref": "#/$defs/BatchRequestOutput",
        "$defs": dict(sorted(defs.items())),
    }
    json.dump(doc, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
