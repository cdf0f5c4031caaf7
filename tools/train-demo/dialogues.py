"""Synthetic tool-use dialogues for the demo model, in two disjoint pools of phrasings: "train" for the
training set and "heldout" for data-samples/eval/tool-demo.jsonl. Held-out rows use other seeds and
other question frames; the facts (numbers, countries, documents) are the same world, since the tools
answer from data-samples/tools/.

Kinds, each with a fixed shape of conversation:
  arithmetic  -> calculator {"expression": "17*23"}, answer "The answer is 391."
  capital     -> kv_lookup {"key": "Peru"}, answer "The capital of Peru is Lima."
  document    -> doc_search {"query": "...", "k": 1}, answer quoting the best hit
  chain       -> two calls in sequence: calculator twice (the second uses the first result), or
                 kv_lookup then doc_search about the capital found
  chat        -> no tool: greetings, thanks, what the assistant can do
"""
import json
import random

from chat_format import arguments_text

# ---------------------------------------------------------------------------------------------------
# phrasings: {a} {b} operands, {e} the expression as written in the question

ARITH = {
    "train": {
        "+": ["What is {a} plus {b}?", "Calculate {a} + {b}.", "Add {a} and {b}.", "What's the sum of {a} and {b}?",
              "Compute {a}+{b}.", "{a} + {b} = ?", "How much is {a} plus {b}?", "Please work out {a} + {b}.",
              "What do you get if you add {a} to {b}?", "Sum {a} and {b}.", "Add these two numbers: {a} and {b}.",
              "The sum of {a} and {b}, please.", "Start from {a} and add {b}.", "Find {a} + {b} for me.",
              "Given {a} and {b}, what is their sum?", "Add up {a} and {b}.", "{a} plus {b} is how much?"],
        "-": ["What is {a} minus {b}?", "Calculate {a} - {b}.", "Subtract {b} from {a}.", "Compute {a}-{b}.",
              "{a} - {b} = ?", "How much is {a} minus {b}?", "What is the difference of {a} and {b}?",
              "Please work out {a} - {b}.", "Take {b} away from {a}.", "Start from {a} and subtract {b}.",
              "Find {a} - {b} for me.", "The difference between {a} and {b}, please.", "{a} minus {b} is how much?",
              "Given {a} and {b}, subtract the second from the first.", "Work out {a} take away {b}."],
        "*": ["What is {a} times {b}?", "Calculate {a} * {b}.", "Multiply {a} by {b}.", "What's the product of {a} and {b}?",
              "Compute {a}*{b}.", "{a} * {b} = ?", "How much is {a} multiplied by {b}?", "Please work out {a} x {b}.",
              "What is {a} x {b}?", "Find {a} * {b} for me.", "The product of {a} and {b}, please.",
              "Given {a} and {b}, what is their product?", "{a} times {b} is how much?", "Multiply these: {a} and {b}."],
        "/": ["What is {a} divided by {b}?", "Calculate {a} / {b}.", "Divide {a} by {b}.", "Compute {a}/{b}.",
              "{a} / {b} = ?", "How much is {a} divided by {b}?", "What's the quotient of {a} and {b}?",
              "Please work out {a} / {b}.", "Find {a} / {b} for me.", "Given {a} and {b}, divide the first by the second.",
              "{a} divided by {b} is how much?", "Split {a} into {b} equal parts: how big is each?"],
        "^": ["What is {a} to the power of {b}?", "Calculate {a}^{b}.", "Compute {a} ^ {b}.",
              "Raise {a} to the power {b}."],
        "expr": ["Calculate {e}.", "What is {e}?", "Compute {e}.", "Evaluate {e}.", "{e} = ?", "Please work out {e}.",
                 "Find the result of {e}.", "Work out {e} for me.", "How much is {e}?", "Solve {e}."],
    },
    "heldout": {
        "+": ["I need {a} plus {b}.", "Tell me the total of {a} and {b}.", "What does {a} + {b} come to?",
              "Could you find {a} plus {b}?", "Quick question: {a} + {b}?"],
        "-": ["I need {a} minus {b}.", "What does {a} - {b} come to?", "Could you find {a} minus {b}?",
              "Quick question: {a} - {b}?", "If I subtract {b} from {a}, what's left?"],
        "*": ["I need {a} times {b}.", "What does {a} * {b} come to?", "Could you find {a} multiplied by {b}?",
              "Quick question: {a} * {b}?", "Tell me the product of {a} and {b}."],
        "/": ["I need {a} divided by {b}.", "What does {a} / {b} come to?", "Could you find {a} divided by {b}?",
              "Quick question: {a} / {b}?"],
        "^": ["I need {a} to the power of {b}.", "What does {a}^{b} come to?"],
        "expr": ["I need the value of {e}.", "What does {e} come to?", "Quick question: {e}?", "Could you evaluate {e}?"],
    },
}

CAPITAL = {
    "train": ["What is the capital of {c}?", "What's the capital of {c}?", "Which city is the capital of {c}?",
              "Capital of {c}?", "Tell me the capital city of {c}.", "Name the capital of {c}.",
              "What is {c}'s capital?", "Look up the capital of {c}.", "Which city is {c}'s capital?",
              "In which city is the government of {c}?", "Tell me {c}'s capital.", "Capital city of {c}, please.",
              "Which city does {c} have as its capital?", "Please look up the capital of {c}.",
              "Find the capital of {c}.", "What is the capital city of {c}?"],
    "heldout": ["Do you know the capital of {c}?", "I'd like to know the capital of {c}.",
                "What city serves as the capital of {c}?", "Quick question: capital of {c}?",
                "Could you find the capital city of {c}?"],
}

# document -> (topics a question may name, a phrase of the document, in none of its topics, that shows the
# answer came from it)
DOCUMENTS = {
    "water-cycle": (["the water cycle", "evaporation and rain", "how rain forms"], "evaporates"),
    "vaccines": (["vaccines", "how vaccines work", "the immune system"], "pathogen"),
    "printing-press": (["the printing press", "Gutenberg", "movable type printing"], "Mainz"),
    "sky-blue": (["why the sky is blue", "Rayleigh scattering", "the blue sky"], "molecules"),
    "chess": (["the rules of chess", "chess", "castling in chess"], "checkmate"),
    "photosynthesis": (["photosynthesis", "how plants make glucose", "chlorophyll"], "carbon dioxide"),
    "black-holes": (["black holes", "the event horizon", "what a black hole is"], "gravity"),
    "compound-interest": (["compound interest", "how interest compounds"], "fourteen years"),
    "hanoi": (["Hà Nội", "the Red River city", "the capital of Việt Nam"], "thousand years old"),
    "tokyo": (["Tokyo", "the population of Tokyo", "the largest metropolitan area"], "37 million"),
    "plate-tectonics": (["plate tectonics", "earthquakes and tectonic plates", "the lithosphere"], "centimetres"),
    "compilers": (["compilers", "how compilers work", "syntax trees and machine code"], "optimises"),
    "silk-road": (["the Silk Road", "the silk trade routes", "trade between China and the Mediterranean"], "spices"),
    "moe": (["mixture of experts", "expert routing", "how a mixture-of-experts layer works"], "small part"),
    "kimi-k2": (["Kimi K2", "the Kimi K2 model", "Kimi K2 parameters"], "384 experts"),
}

DOCUMENT_Q = {
    "train": ["What do the documents say about {t}?", "Search the documents for {t}.", "Find information on {t}.",
              "Look up {t} in the documents.", "Tell me about {t}.", "Explain {t} using the documents.",
              "Search for {t}.", "What can you find about {t}?", "Give me a short note on {t}.",
              "Please search the corpus for {t}."],
    "heldout": ["Could you search the documents about {t}?", "I want to read about {t}.",
                "Summarise what the corpus has on {t}.", "Quick question about {t}: what do the documents say?",
                "Any documents on {t}?"],
}

CHAIN_CALC = {
    # composed: a multiplication, a joint, an addition (see DialogueMaker._chain_calc_question)
    "train": {"mul": ["multiply {a} by {b}", "compute {a}*{b}", "calculate {a} times {b}", "work out {a}*{b}",
                      "find the product of {a} and {b}", "get {a} x {b}", "multiply {a} and {b}"],
              "joint": [", then ", " and then ", "; then ", ". Then ", ", and next ", ". After that, ", " and "],
              "add": ["add {c} to the result", "add {c} to it", "add {c}", "add {c} to that result",
                      "increase that by {c}", "add {c} to what you get"]},
    "heldout": ["Take the product of {a} and {b}, and afterwards add {c}.", "I need {a} times {b}, plus {c} on top of that result."],
}

CHAIN_CITY = {
    "train": ["Look up the capital of {c}, then search the documents about it.",
              "Find the capital of {c} and then tell me what the documents say about that city.",
              "What is the capital of {c}? Then search the documents for it."],
    "heldout": ["Get the capital of {c} from the table and afterwards search the corpus for that city.",
                "First find {c}'s capital, then look that city up in the documents.",
                "I'd like the capital of {c} and whatever the documents say about it.",
                "Could you find the capital of {c} and then search for it?"],
}

# intent -> (reply, a word that shows the reply is the right one)
CHAT = {
    "greeting": ("Hello! I can do exact arithmetic, look up capitals and search a few documents. What would you like to know?", "hello"),
    "thanks": ("You're welcome!", "welcome"),
    "bye": ("Goodbye, and have a nice day!", "goodbye"),
    "identity": ("I am a tiny demo assistant of moe-batch: a small mixture-of-experts model trained to use tools.", "demo assistant"),
    "abilities": ("I can use a calculator, look up capital cities in a table and search a small set of documents.", "calculator"),
    "joke": ("Why did the expert stay home? Because the router never picked it.", "router"),
}

CHAT_Q = {
    "train": {
        "greeting": ["Hello!", "Hi there.", "Good morning!", "Hey, how are you?", "Hi!", "Hello, assistant.", "Hey!",
                     "Good day to you.", "Hi, how is it going?", "Greetings!", "Hello there.", "Howdy!", "Morning!",
                     "Hey, what's up?", "Hello, good to see you.", "Hi, assistant!", "Yo!", "Hello again."],
        "thanks": ["Thank you!", "Thanks a lot.", "Thanks, that helps.", "Many thanks!", "Thanks!", "Thank you very much.",
                   "That was helpful, thank you.", "Thanks for that.", "Much appreciated!", "Thanks, you're great.",
                   "Awesome, thanks.", "Perfect, thank you!", "Ta!"],
        "bye": ["Goodbye!", "Bye for now.", "See you later.", "That's all, bye.", "Bye!", "Goodbye for now.",
                "Talk to you later, bye.", "I have to go, goodbye.", "Farewell!", "Catch you later!", "Good night, bye.",
                "So long!", "Bye, thanks for everything."],
        "identity": ["Who are you?", "What are you?", "Introduce yourself.", "What is your name?", "Who made you?",
                     "Tell me who you are.", "Are you a bot?", "What kind of assistant are you?", "Are you human?",
                     "What should I call you?", "Which model are you?", "Who built you?"],
        "abilities": ["What can you do?", "Which tools do you have?", "How can you help me?", "What are your skills?",
                      "What can you help with?", "What do you know how to do?", "Which tasks can you do?",
                      "What are your abilities?", "What can I ask you?", "Tell me your skills.", "What are you for?",
                      "Help me understand what you do."],
        "joke": ["Tell me a joke.", "Say something funny.", "Make me laugh.", "Do you know a joke?", "Tell a joke, please.",
                 "Do you know any jokes?", "Say a joke.", "Cheer me up with a joke.", "Joke, please!",
                 "Tell me something to make me smile.", "Know any good jokes?"],
    },
    "heldout": {
        "greeting": ["Good evening!", "Hiya.", "Hello there, friend!", "Hey there!", "Good afternoon.", "Hi, nice to meet you."],
        "thanks": ["Thank you so much.", "Cheers, thanks!", "Thanks for the help!", "Thank you kindly.", "Great, thanks."],
        "bye": ["Goodbye and take care.", "I'm done, bye!", "Bye bye!", "See you soon, goodbye.", "Okay, goodbye."],
        "identity": ["Could you tell me who you are?", "Who am I talking to?", "Tell me about yourself.", "What exactly are you?",
                     "Who are you, assistant?"],
        "abilities": ["What are you able to do?", "What kind of help can you give?", "What tools can you use?",
                      "What are you good at?", "How could you help me today?"],
        "joke": ["Could you tell me a joke?", "Got any jokes?", "Tell me something funny.", "I need a laugh, tell a joke.",
                 "Do you have a funny story?"],
    },
}

# Training questions to tools get a random lead and tail around their frame, so the numbers and names to
# copy into a call sit at a different position each time: with a few dozen fixed frames the model learned where the
# operands are in each frame instead of finding them (held-out operand digits stalled at 72%).
# (None of these words are in the held-out frames.)
LEADS = ["Hey, ", "Please, ", "Hi! ", "OK, next one. ", "For my homework: ", "Help me out: ", "Right, ", "So, ",
         "Hmm, ", "Hello. ", "One more: ", "Another one. ", "Assistant, ", "Sorry to bother you, ", "Let me ask: ",
         "My question is: ", "I'm curious. ", "Good morning! ", "Next: ", "Okay so ", "Well, ", "Question. "]
TAILS = [" Thanks.", " Thank you!", " Please be exact.", " Use a tool if you need one.", " I'd like an exact answer.",
         " It's for a report.", " Cheers.", " Be precise.", " Asking for a friend.", " No rush.", " Thanks in advance.",
         " Just the answer, please.", " :)", " I'm stuck on it."]
# chat questions keep their intent under these
CHAT_LEADS = ["Well, ", "So, ", "Hmm. ", "Okay. ", "Assistant, ", "Um, ", "Right. "]

# ---------------------------------------------------------------------------------------------------


class DialogueMaker:
    """Makes dialogues of one phrasing pool; every tool result comes from the tools themselves."""

    def __init__(self, tools, pool, seed):
        self.tools = tools
        self.pool = pool
        self.rng = random.Random(seed)
        self.countries = sorted(tools.table)
        self.topics = self._checked_topics()

    def _checked_topics(self):
        """Topics whose best BM25 hit is their own document, so the quoted answer is about the question."""
        ok = []
        for doc, (topics, _) in DOCUMENTS.items():
            for t in topics:
                hits = self.tools.docs.search(t, 1)
                if not hits or hits[0]["id"] != doc:
                    raise ValueError(f"topic {t!r} finds {hits[0]['id'] if hits else 'nothing'}, not {doc}")
                ok.append((doc, t))
        return ok

    # -- pieces ----------------------------------------------------------------------------------

    def _call(self, index, name, arguments):
        return {"id": f"functions.{name}:{index}", "type": "function",
                "function": {"name": name, "arguments": arguments_text(arguments)}}

    def _tool_turns(self, messages, calls):
        """Appends one assistant turn calling `calls` [(name, arguments)] and their results; returns the results."""
        start = sum(len(m.get("tool_calls", [])) for m in messages)
        made = [self._call(start + i, n, a) for i, (n, a) in enumerate(calls)]
        messages.append({"role": "assistant", "content": "", "tool_calls": made})
        results = []
        for call, (name, arguments) in zip(made, calls):
            result = self.tools.call(name, arguments)
            messages.append({"role": "tool", "tool_call_id": call["id"], "name": name, "content": result})
            results.append(result)
        return results

    def _number(self, low, high):
        return self.rng.randint(low, high)

    def _framed(self, question, leads=LEADS, tails=TAILS):
        """A training question with a random lead and tail; held-out questions stay as their frame made them."""
        if self.pool != "train":
            return question
        r = self.rng
        if r.random() < 0.6:
            lead = r.choice(leads)
            if lead.endswith(", ") or lead.endswith("so "):
                question = question[0].lower() + question[1:]
            question = lead + question
        if tails and r.random() < 0.5:
            question += r.choice(tails)
        return question

    def _chain_calc_question(self, a, b, c):
        """Training composes the question from parts; the held-out frames stay whole sentences, as the
        checked-in eval set was made from them."""
        frames = CHAIN_CALC[self.pool]
        if isinstance(frames, list):
            return self.rng.choice(frames).format(a=a, b=b, c=c)
        r = self.rng
        mul, joint, add = r.choice(frames["mul"]), r.choice(frames["joint"]), r.choice(frames["add"])
        if joint.endswith(". "):
            add = add[0].upper() + add[1:]
        return (mul[0].upper() + mul[1:] + joint + add + ".").format(a=a, b=b, c=c)

    # -- kinds -----------------------------------------------------------------------------------

    def arithmetic(self):
        r = self.rng
        op = r.choices(["+", "-", "*", "/", "^", "expr"], weights=[5, 5, 5, 4, 1, 3])[0]
        if op == "+":
            a, b = self._number(1, 9999), self._number(1, 9999)
        elif op == "-":
            a, b = self._number(1, 9999), self._number(1, 9999)
        elif op == "*":
            a, b = self._number(2, 999), self._number(2, 99)
        elif op == "/":
            b = self._number(2, 99)
            q = self._number(2, 999) if r.random() < 0.8 else self._number(2, 999) + r.choice([0.5, 0.25, 0.75])
            a = b * q
            if a != int(a):
                b *= 4
                a *= 4
            a = int(a)
        elif op == "^":
            a, b = self._number(2, 12), self._number(2, 4)
        if op == "expr":
            a, b, c = self._number(1, 99), self._number(1, 99), self._number(2, 20)
            shape = r.choice(["({a}+{b})*{c}", "({a}-{b})*{c}", "{a}*{c}+{b}", "{a}+{b}*{c}", "({a}+{b})/{c}"])
            compact = shape.format(a=a, b=b, c=c)
            if shape.endswith("/{c}"):
                from demo_tools import calculate, terminates
                if not terminates(calculate(compact)):
                    compact = shape.replace("/{c}", "/2").format(a=a, b=b)
            spaced = compact.replace("+", " + ").replace("-", " - ").replace("*", " * ").replace("/", " / ") \
                if r.random() < 0.5 else compact
            question = r.choice(ARITH[self.pool]["expr"]).format(e=spaced)
        else:
            question = r.choice(ARITH[self.pool][op]).format(a=a, b=b)
            compact = f"{a}{op}{b}"
        messages = [{"role": "user", "content": self._framed(question)}]
        (result,) = self._tool_turns(messages, [("calculator", {"expression": compact})])
        messages.append({"role": "assistant", "content": f"The answer is {result}."})
        return messages, "arithmetic", {"name": "calculator", "arguments": {"expression": compact}}, result

    def capital(self):
        c = self.rng.choice(self.countries)
        messages = [{"role": "user", "content": self._framed(self.rng.choice(CAPITAL[self.pool]).format(c=c))}]
        (city,) = self._tool_turns(messages, [("kv_lookup", {"key": c})])
        messages.append({"role": "assistant", "content": f"The capital of {c} is {city}."})
        return messages, "capital", {"name": "kv_lookup", "arguments": {"key": c}}, city

    def document(self):
        doc, topic = self.rng.choice(self.topics)
        question = self.rng.choice(DOCUMENT_Q[self.pool]).format(t=topic)
        arguments = {"query": topic, "k": 1}
        messages = [{"role": "user", "content": self._framed(question)}]
        (result,) = self._tool_turns(messages, [("doc_search", arguments)])
        hit = json.loads(result)[0]
        messages.append({"role": "assistant", "content": f"According to \"{hit['title']}\": {hit['snippet']}"})
        return messages, "document", {"name": "doc_search", "arguments": arguments}, DOCUMENTS[doc][1]

    def chain(self):
        r = self.rng
        if r.random() < 0.5:
            a, b, c = self._number(2, 99), self._number(2, 99), self._number(1, 999)
            messages = [{"role": "user", "content": self._framed(self._chain_calc_question(a, b, c))}]
            (first,) = self._tool_turns(messages, [("calculator", {"expression": f"{a}*{b}"})])
            (second,) = self._tool_turns(messages, [("calculator", {"expression": f"{first}+{c}"})])
            messages.append({"role": "assistant", "content": f"{a}*{b} is {first}, and the answer is {second}."})
            return messages, "chain", {"name": "calculator", "arguments": {"expression": f"{a}*{b}"}}, second
        # only the capitals that have a document of their own
        c = r.choice([k for k in self.countries if self.tools.table[k] in ("Tokyo", "Hà Nội")])
        messages = [{"role": "user", "content": self._framed(r.choice(CHAIN_CITY[self.pool]).format(c=c))}]
        (city,) = self._tool_turns(messages, [("kv_lookup", {"key": c})])
        (result,) = self._tool_turns(messages, [("doc_search", {"query": city, "k": 1})])
        hit = json.loads(result)[0]
        messages.append({"role": "assistant",
                         "content": f"The capital of {c} is {city}. According to \"{hit['title']}\": {hit['snippet']}"})
        doc = hit["id"]
        return messages, "chain", {"name": "kv_lookup", "arguments": {"key": c}}, DOCUMENTS[doc][1]

    def chat(self):
        intent = self.rng.choice(sorted(CHAT))
        reply, word = CHAT[intent]
        question = self._framed(self.rng.choice(CHAT_Q[self.pool][intent]), CHAT_LEADS, None)
        messages = [{"role": "user", "content": question},
                    {"role": "assistant", "content": reply}]
        return messages, "no-tool", None, word

    # copying numbers is what the model finds hardest, so arithmetic and chains get the most dialogues
    KINDS = (("arithmetic", 32), ("capital", 14), ("document", 14), ("chain", 24), ("chat", 16))

    def one(self, kind=None):
        if kind is None:
            kind = self.rng.choices([k for k, _ in self.KINDS], weights=[w for _, w in self.KINDS])[0]
        return getattr(self, kind)()
