package org.moebatch.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import scala.jdk.javaapi.CollectionConverters;

class RowParserTest {
    private static final StructType MESSAGE = new StructType().add("role", DataTypes.StringType).add("content", DataTypes.StringType);
    private static final GenerateOptions DEFAULTS = GenerateOptions.defaults("/m");

    private static RowParser.Parsed parse(StructType schema, Object... values) {
        return new RowParser(schema, DEFAULTS).parse(RowFactory.create(values));
    }

    private static StructType schema(String... textColumns) {
        StructType s = new StructType();
        for (String c : textColumns) {
            s = s.add(c, DataTypes.StringType);
        }
        return s;
    }

    @Test
    void promptBecomesAUserMessageAfterTheSystemPrompt() {
        RowParser.Parsed p = parse(schema("id", "prompt", "system"), "a", "Hello", "Be brief.");
        assertNull(p.error());
        assertEquals("system", p.request().messages().get(0).role());
        assertEquals("Be brief.", p.request().messages().get(0).content());
        assertEquals("Hello", p.request().messages().get(1).content());
        assertEquals(256, p.request().params().maxTokens());
        assertEquals(RowParser.derivedSeed(0, "a"), p.seed());
    }

    @Test
    void messagesAsStructsOrJsonTextGiveTheSameConversation() {
        StructType structs = new StructType().add("id", DataTypes.StringType)
                .add("messages", DataTypes.createArrayType(MESSAGE));
        Row user = RowFactory.create("user", "Hi");
        Row assistant = RowFactory.create("assistant", "Hello!");
        RowParser.Parsed fromStructs = parse(structs, "b",
                CollectionConverters.asScala(List.of(user, assistant)).toSeq());
        RowParser.Parsed fromJson = parse(schema("id", "messages"), "b",
                "[{\"role\":\"user\",\"content\":\"Hi\"},{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"Hello!\"}]}]");
        assertNull(fromStructs.error());
        assertEquals(fromStructs.request().messages(), fromJson.request().messages());
    }

    @Test
    void numbersFromTextAndPerRowParameters() {
        RowParser.Parsed p = parse(schema("id", "prompt", "max_tokens", "temperature", "top_p", "top_k", "seed", "stop"),
                "c", "x", "12", "0.7", "0.9", "40", "99", "[\"END\", \"\\n\\n\"]");
        assertNull(p.error());
        assertEquals(12, p.request().params().maxTokens());
        assertEquals(0.7f, p.request().params().temperature());
        assertEquals(40, p.request().params().topK());
        assertEquals(99, p.seed());
        assertEquals(List.of("END", "\n\n"), p.request().stop());
    }

    @Test
    void seedsKeepAllSixtyFourBits() {
        // 2^53 + 1 and its neighbour are one double apart from nothing: through a double they would collide
        assertEquals(-2152535657050944081L, RowParser.seed(-2152535657050944081L));
        assertEquals(9007199254740993L, RowParser.seed("9007199254740993"));
        assertEquals(12L, RowParser.seed("12.0"));
        assertEquals(7L, RowParser.seed(7));
        assertThrows(IllegalArgumentException.class, () -> RowParser.seed("1.5"));
        assertThrows(IllegalArgumentException.class, () -> RowParser.seed("1e30"));
        assertThrows(IllegalArgumentException.class, () -> RowParser.seed("soon"));
    }

    @Test
    void malformedRowsSayWhatIsWrong() {
        assertEquals("prompt is empty", parse(schema("id", "prompt"), "d", "  ").error());
        assertEquals("prompt is empty (null)", parse(schema("id", "prompt"), "d", null).error());
        assertEquals("the input has neither a prompt nor a messages column", parse(schema("id", "text"), "d", "x").error());
        assertTrue(parse(schema("id", "messages"), "d", "{\"role\": \"user\"}").error().contains("must be a JSON array"));
        assertTrue(parse(schema("id", "messages"), "d", "[{\"content\": \"x\"}]").error().contains("messages[0] has no role"));
        assertTrue(parse(schema("id", "messages"), "d", "[]").error().contains("messages is empty"));
        assertTrue(parse(schema("id", "messages"), "d", "[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\"}]}]")
                .error().contains("content part of type \"image_url\" is not supported"));
        assertTrue(parse(schema("id", "prompt", "top_k"), "d", "x", "1.5").error().contains("top_k: 1.5 is not a whole number"));
        assertTrue(parse(schema("id", "prompt", "top_p"), "d", "x", "2").error().contains("top_p must lie in (0, 1]"));
        assertTrue(parse(schema("id", "prompt", "tools"), "d", "x", "[{\"name\": \"f\"}]").error()
                .contains("not an OpenAI function declaration"));
        assertTrue(parse(schema("id", "prompt", "seed"), "d", "x", "NaN").error().contains("seed"));
        StructType numericPrompt = new StructType().add("id", DataTypes.StringType).add("prompt", DataTypes.IntegerType);
        assertTrue(parse(numericPrompt, "d", 5).error().contains("prompt must be text"));
    }
}
