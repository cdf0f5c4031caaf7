"""The three built-in tools of moe-batch, re-implemented in Python so that training dialogues carry the
exact text the Java tools (inference-udf/.../tools) return at inference.

  calculator  Calculator.java: exact decimal arithmetic, BigDecimal.stripTrailingZeros().toPlainString()
  kv_lookup   KvLookup.java: exact key, then key ignoring case
  doc_search  DocSearch.java: Lucene 9 BM25 (k1 1.2, b 0.75) over the fields title and text with
              StandardAnalyzer, one SHOULD clause per (field, query term); hits as compact JSON

The declarations are those Tool.declaration() builds, in the order of data-samples/tools/tools.json.
ToolResultsMatchJavaTest (tests/) runs every call of tools/train-demo's fixture through the Java tools
and compares the text, so a drift on either side fails the build.
"""
import json
import math
import os
import re
from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np

# --------------------------------------------------------------------------------------------------
# calculator


def calculate(expression):
    """The value of an expression of integers/decimals with + - * / ^ and parentheses, as a Fraction."""
    tokens = re.findall(r"\d+(?:\.\d+)?|[-+*/^()]", expression)
    if "".join(tokens) != expression.replace(" ", ""):
        raise ValueError("cannot parse " + expression)
    at = [0]

    def peek():
        return tokens[at[0]] if at[0] < len(tokens) else None

    def take():
        at[0] += 1
        return tokens[at[0] - 1]

    def expr():
        v = term()
        while peek() in ("+", "-"):
            v = v + term() if take() == "+" else v - term()
        return v

    def term():
        v = power()
        while peek() in ("*", "/"):
            if take() == "*":
                v = v * power()
            else:
                d = power()
                v = v / d
        return v

    def power():
        base = unary()
        if peek() == "^":
            take()
            e = power()
            assert e.denominator == 1
            return base ** int(e)
        return base

    def unary():
        if peek() == "-":
            take()
            return -unary()
        return atom()

    def atom():
        if peek() == "(":
            take()
            v = expr()
            assert take() == ")"
            return v
        return Fraction(take())

    value = expr()
    assert at[0] == len(tokens), expression
    return value


def terminates(value):
    """Whether a Fraction has a finite decimal expansion (the calculator's exact case)."""
    d = value.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    return d == 1


def format_number(value):
    """BigDecimal.stripTrailingZeros().toPlainString() of a terminating Fraction."""
    assert terminates(value), value
    with localcontext() as ctx:
        ctx.prec = 60
        d = (Decimal(value.numerator) / Decimal(value.denominator)).normalize()
    text = format(d, "f")
    return "0" if text in ("-0", "0") else text


def calculator(expression):
    return format_number(calculate(expression))


# --------------------------------------------------------------------------------------------------
# doc_search: Lucene 9.12's BM25Similarity and StandardAnalyzer, as far as this corpus needs them

WORD = re.compile(r"\w+(?:['\u2019.]\w+)*")


def analyze(text):
    """StandardTokenizer (UAX#29 words; enough of it for plain prose) then LowerCaseFilter; no stop words."""
    return [w.lower() for w in WORD.findall(text)]


def int_to_byte4(i):
    """Lucene SmallFloat.intToByte4: lengths up to 23 exact, longer ones with a 3-bit mantissa."""
    if i < 24:
        return i
    i -= 24
    bits = i.bit_length()
    if bits < 4:
        enc = i
    else:
        shift = bits - 4
        enc = ((i >> shift) & 0x07) | ((shift + 1) << 3)
    return 24 + enc


def byte4_to_int(b):
    if b < 24:
        return b
    b -= 24
    bits = b & 0x07
    shift = (b >> 3) - 1
    if shift == -1:
        dec = bits
    else:
        dec = (bits | 0x08) << shift
    return dec + 24


f32 = np.float32


class DocSearch:
    K1, B = f32(1.2), f32(0.75)

    def __init__(self, corpus_path):
        self.docs = [json.loads(line) for line in open(corpus_path, encoding="utf-8") if line.strip()]
        self.fields = {}
        for field in ("title", "text"):
            terms = [analyze(d.get(field, "")) for d in self.docs]
            n = len(terms)
            avgdl = f32(sum(len(t) for t in terms) / n)
            table = [f32(1) / (self.K1 * ((f32(1) - self.B) + self.B * f32(byte4_to_int(i)) / avgdl)) for i in range(256)]
            df = {}
            for t in terms:
                for w in set(t):
                    df[w] = df.get(w, 0) + 1
            self.fields[field] = (terms, n, table, df)

    def scores(self, query):
        """float32 BM25 score of each document (0 where nothing matches), as Lucene's WANDScorer sums them."""
        totals = [0.0] * len(self.docs)
        matched = [False] * len(self.docs)
        for field in ("title", "text"):
            terms, n, table, df = self.fields[field]
            for w in analyze(query):
                if w not in df:
                    continue
                weight = f32(math.log(1 + (n - df[w] + 0.5) / (df[w] + 0.5)))
                for i, t in enumerate(terms):
                    freq = t.count(w)
                    if freq:
                        norm_inverse = table[int_to_byte4(len(t))]
                        totals[i] += float(weight - weight / (f32(1) + f32(freq) * norm_inverse))
                        matched[i] = True
        return [f32(s) if m else None for s, m in zip(totals, matched)]

    def search(self, query, k=3):
        if not analyze(query):
            raise ValueError("the query has no searchable words")
        scored = [(s, i) for i, s in enumerate(self.scores(query)) if s is not None]
        scored.sort(key=lambda x: (-x[0], x[1]))  # Lucene breaks ties by document number
        hits = []
        for s, i in scored[:k]:
            d = self.docs[i]
            rounded = math.floor(float(f32(s) * f32(1000)) + 0.5) / 1000.0
            text = d["text"]
            hits.append({"id": d["id"], "title": d.get("title", ""),
                         "snippet": text if len(text) <= 300 else text[:300] + "\u2026", "score": rounded})
        return hits

    def call(self, query, k=3):
        return json.dumps(self.search(query, k), ensure_ascii=False, separators=(",", ":"))


# --------------------------------------------------------------------------------------------------
# the registry of data-samples/tools/tools.json


class Tools:
    def __init__(self, tools_dir):
        entries = json.load(open(os.path.join(tools_dir, "tools.json")))
        self.declarations = []
        for e in entries:
            kind = e["builtin"]
            if kind == "calculator":
                self.declarations.append(declaration(
                    "calculator",
                    "Evaluates an arithmetic expression exactly: + - * / % ^ and parentheses, e.g. \"(17*23 - 1) / 4\".",
                    {"type": "object", "properties": {"expression": {"type": "string", "description": "the arithmetic expression"}},
                     "required": ["expression"]}))
            elif kind == "doc_search":
                corpus = e["corpus"]
                self.docs = DocSearch(os.path.join(tools_dir, corpus))
                self.declarations.append(declaration(
                    "doc_search",
                    f"Searches {len(self.docs.docs)} documents of {os.path.basename(corpus)} by keywords (BM25) and returns the best matches.",
                    {"type": "object", "properties": {"query": {"type": "string"},
                                                      "k": {"type": "integer", "minimum": 1, "maximum": 10}},
                     "required": ["query"]}))
            elif kind == "kv_lookup":
                table = e["table"]
                self.table = json.load(open(os.path.join(tools_dir, table), encoding="utf-8"))
                self.declarations.append(declaration(
                    "kv_lookup",
                    f"Looks up a key in the table {os.path.basename(table)} ({len(self.table)} entries) and returns its value.",
                    {"type": "object", "properties": {"key": {"type": "string"}}, "required": ["key"]}))
            else:
                raise ValueError(f"tools.json: the demo knows no builtin {kind}")

    def call(self, name, arguments):
        if name == "calculator":
            return calculator(arguments["expression"])
        if name == "kv_lookup":
            key = arguments["key"]
            if key in self.table:
                return self.table[key]
            folded = {k.lower(): v for k, v in reversed(list(self.table.items()))}
            return folded[key.lower()]
        if name == "doc_search":
            return self.docs.call(arguments["query"], arguments.get("k", 3))
        raise ValueError(name)


def declaration(name, description, parameters):
    return {"type": "function", "function": {"name": name, "description": description, "parameters": parameters}}
