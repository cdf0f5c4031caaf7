package org.moebatch.datagen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.moebatch.chat.ToolTraceEntry;

class DatagenPartsTest {
    @Test
    void normalisationMakesTrivialVariantsOneText() {
        assertEquals("write a poem about the sea", MinHash.normalise("  Write a POEM, about the sea!! "));
        assertEquals("full width 42", MinHash.normalise("ＦＵＬＬ　ｗｉｄｔｈ ４２")); // NFKC folds full-width forms
        assertEquals(MinHash.jaccard("Write a poem about the sea.", "write a poem about THE SEA"), 1.0, 0);
    }

    @Test
    void exactJaccardByHand() {
        // "a b c d" -> {a b c, b c d}; "a b c e" -> {a b c, b c e}: 1 shared of 3 -> 1/3
        assertEquals(1.0 / 3, MinHash.jaccard("a b c d", "a b c e"), 1e-12);
        // under three words the whole text is one shingle
        assertEquals(0.0, MinHash.jaccard("hello", "hello world"), 0);
        assertEquals(1.0, MinHash.jaccard("", ""), 0);
    }

    @Test
    void signaturesEstimateJaccardWithinSamplingError() {
        SplittableRandom random = new SplittableRandom(11);
        String[] vocabulary = new String[400];
        for (int i = 0; i < vocabulary.length; i++) {
            vocabulary[i] = "w" + i;
        }
        for (int trial = 0; trial < 20; trial++) {
            StringBuilder a = new StringBuilder();
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < 60; i++) {
                String word = vocabulary[random.nextInt(vocabulary.length)];
                a.append(word).append(' ');
                // b copies a with a trial-dependent share of words replaced
                b.append(random.nextInt(20) < trial ? vocabulary[random.nextInt(vocabulary.length)] : word).append(' ');
            }
            double exact = MinHash.jaccard(a.toString(), b.toString());
            double estimate = MinHash.similarity(MinHash.signature(a.toString()), MinHash.signature(b.toString()));
            // 128 permutations: standard error sqrt(J(1-J)/128) <= 0.044; allow 4 of them
            assertEquals(exact, estimate, 0.18, "trial " + trial);
        }
    }

    @Test
    void modularHashMatchesBigIntegerArithmetic() {
        SplittableRandom random = new SplittableRandom(3);
        long p = (1L << 61) - 1;
        BigInteger prime = BigInteger.valueOf(p);
        for (int i = 0; i < 10_000; i++) {
            long a = 1 + random.nextLong(p - 1);
            long x = random.nextLong(p);
            long b = random.nextLong(p);
            long expected = BigInteger.valueOf(a).multiply(BigInteger.valueOf(x)).add(BigInteger.valueOf(b)).mod(prime).longValue();
            assertEquals(expected, MinHash.mulAddMod(a, x, b));
        }
    }

    @Test
    void identicalTextsShareEveryBandAndDifferentOnesAlmostNone() {
        long[] a = MinHash.signature("classify this support ticket as billing bug or feature request");
        long[] same = MinHash.signature("Classify this support ticket as: billing, bug, or feature request.");
        long[] other = MinHash.signature("translate the meeting notes into vietnamese before friday please");
        assertTrue(java.util.Arrays.equals(MinHash.bands(a), MinHash.bands(same)));
        long shared = 0;
        long[] ba = MinHash.bands(a);
        long[] bo = MinHash.bands(other);
        for (int i = 0; i < ba.length; i++) {
            shared += ba[i] == bo[i] ? 1 : 0;
        }
        assertEquals(0, shared);
    }

    @Test
    void seedFileProblemsNameTheLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("seeds.jsonl");
        Files.write(file, List.of(
                "{\"id\": \"a\", \"instruction\": \"Say hi.\"}",
                "{\"instruction\": \"\"}",
                "not json",
                "",
                "{\"id\": \"a\", \"instruction\": \"Again.\"}",
                "{\"instruction\": \"Emit JSON.\", \"format\": \"yaml\"}",
                "[1, 2]",
                "{\"instruction\": \"Emit JSON.\", \"format\": \"json\", \"category\": \"x\"}"));
        SeedTask.Loaded loaded = SeedTask.read(file);
        assertEquals(List.of("a", "seed-8"), loaded.seeds().stream().map(SeedTask::id).toList());
        assertTrue(loaded.seeds().get(1).json());
        assertEquals(5, loaded.problems().size());
        assertTrue(loaded.problems().get(0).startsWith("seeds.jsonl line 2: \"instruction\" must be a non-empty string"), loaded.problems().get(0));
        assertTrue(loaded.problems().get(1).startsWith("seeds.jsonl line 3: not JSON"), loaded.problems().get(1));
        assertTrue(loaded.problems().get(2).contains("line 5: id \"a\" was used on line 1"), loaded.problems().get(2));
        assertTrue(loaded.problems().get(3).contains("line 6: \"format\" must be \"json\" or \"text\""), loaded.problems().get(3));
        assertTrue(loaded.problems().get(4).contains("line 7: expected a JSON object"), loaded.problems().get(4));
    }

    @Test
    void promptsUseEverySeedAndAreRepeatableFromTheRowSeed() throws Exception {
        List<SeedTask> seeds = List.of(new SeedTask("s1", "Task one.", null, "alpha", false),
                new SeedTask("s2", "Task two.", null, "beta", false), new SeedTask("s3", "Task three.", null, null, false),
                new SeedTask("s4", "Task four.", null, "delta", true));
        TaskPrompts prompts = new TaskPrompts(TaskPrompts.template(null), seeds, 3);
        assertEquals("s2", prompts.seedOf(1).id());
        assertEquals("s1", prompts.seedOf(4).id());
        String p = prompts.render(1, 42);
        assertEquals(p, prompts.render(1, 42));
        // the row's own seed is the last example, nearest the ask, and the category is named
        assertTrue(p.contains("Task 3: Task two."), p);
        assertTrue(p.contains("of the kind \"beta\""), p);
        assertTrue(p.endsWith("Task 4:"), p);
        assertEquals(3, java.util.regex.Pattern.compile("Task \\d: Task").matcher(p).results().count(), "three examples shown");
        // another row seed draws other examples for the same seed task (4 seeds, 2 drawn from 3: some seed differs)
        boolean differs = false;
        for (long s = 0; s < 10 && !differs; s++) {
            differs = !prompts.render(1, s).equals(p);
        }
        assertTrue(differs, "examples depend on the row seed");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> new TaskPrompts("{% for x in examples %}{{ x.instruction }", seeds, 2));
        assertTrue(bad.getMessage().startsWith("--template: line"), bad.getMessage());
    }

    @Test
    void seedTextIsDataNotTemplate() throws Exception {
        List<SeedTask> seeds = List.of(new SeedTask("s1", "Explain {{ 7*7 }} and {% include '/etc/passwd' %}.", null, "x", false));
        String p = new TaskPrompts(TaskPrompts.template(null), seeds, 1).render(0, 1);
        assertTrue(p.contains("Explain {{ 7*7 }} and {% include '/etc/passwd' %}."), p);
        assertThrows(IllegalArgumentException.class,
                () -> new TaskPrompts("{% include '/etc/passwd' %}", seeds, 1), "a --template reads no files");
    }

    @Test
    void taskExtractionDropsTheLabelAndKeepsOneTask() {
        assertEquals("Write a haiku about rain.", TaskPrompts.extractTask("Task 4: Write a haiku about rain.\n\nTask 5: more"));
        assertEquals("List three primes.", TaskPrompts.extractTask("  instruction: List three primes.  "));
        assertEquals("", TaskPrompts.extractTask(null));
    }

    @Test
    void toolStepsBecomeAssistantCallsFollowedByToolResults() {
        List<ToolTraceEntry> trace = List.of(
                new ToolTraceEntry(1, "c0", "calculator", "{\"expression\":\"2+2\"}", "4", null, 1),
                new ToolTraceEntry(1, "c1", "kv_lookup", "{\"key\":\"Peru\"}", null, "not found", 1),
                new ToolTraceEntry(2, "c2", "calculator", "{\"expression\":\"4*3\"}", "12", null, 1));
        ArrayNode m = ChatExample.messages("Be brief.", "Compute.", trace, "12");
        List<String> roles = new java.util.ArrayList<>();
        m.forEach(n -> roles.add(n.get("role").asText()));
        assertEquals(List.of("system", "user", "assistant", "tool", "tool", "assistant", "tool", "assistant"), roles);
        assertEquals(2, m.get(2).get("tool_calls").size());
        assertEquals("kv_lookup", m.get(2).at("/tool_calls/1/function/name").asText());
        assertEquals("error: not found", m.get(4).get("content").asText());
        assertEquals("c2", m.get(6).get("tool_call_id").asText());
        assertEquals("12", m.get(7).get("content").asText());
        assertEquals(List.of("user", "assistant"), java.util.stream.StreamSupport.stream(
                ChatExample.messages(null, "Hi", List.of(), "Hello").spliterator(), false).map(n -> n.get("role").asText()).toList());
    }

    @Test
    void jsonValidity() {
        assertNull(DatagenJob.jsonProblem("{\"a\": [1, 2]}"));
        assertNull(DatagenJob.jsonProblem("  42 "));
        assertTrue(DatagenJob.jsonProblem("{\"a\": ").startsWith("Unexpected end-of-input"), DatagenJob.jsonProblem("{\"a\": "));
        assertEquals("no text", DatagenJob.jsonProblem(null));
        assertEquals("empty", DatagenJob.jsonProblem("   "));
        assertNotEquals(DatagenJob.rowSeed(0, 1), DatagenJob.rowSeed(0, 2));
        assertEquals("gen-00000042", DatagenJob.id(42));
    }
}
