package org.moebatch.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The constant-pool reader on class files javac wrote, and on broken ones. */
class ClassReferencesTest {
    /** Names project classes in a field, a generic signature, an array, a method and a string. */
    @SuppressWarnings("unused")
    static final class Sample {
        private org.moebatch.backend.Batch batch;
        private List<org.moebatch.chat.ToolTraceEntry> trace;
        private org.moebatch.backend.Mlp[] experts;
        private final String text = "Lorg/moebatch/engine/NotAClass; is only text";

        Map<String, org.moebatch.report.JobSummary> summaries() {
            return Map.of();
        }
    }

    private static byte[] classFile(Class<?> c) throws IOException {
        String resource = c.getName().substring(c.getPackageName().length() + 1) + ".class";
        try (InputStream in = c.getResourceAsStream(resource)) {
            return in.readAllBytes();
        }
    }

    @Test
    void readsEveryClassTheCodeNamesButNotTheTextOfAString() throws IOException {
        ClassReferences refs = ClassReferences.read("Sample.class", classFile(Sample.class));
        assertEquals(Sample.class.getName(), refs.name());
        for (String named : new String[] {"org.moebatch.backend.Batch", "org.moebatch.chat.ToolTraceEntry",
            "org.moebatch.backend.Mlp", "org.moebatch.report.JobSummary", "java.util.List"}) {
            assertTrue(refs.references().contains(named), named + " in " + refs.references());
        }
        assertFalse(refs.references().contains("org.moebatch.engine.NotAClass"), refs.references().toString());
        assertFalse(refs.references().contains(Sample.class.getName()), "itself");
    }

    @Test
    void aFileThatIsNoClassFileIsRefusedByItsMagic() {
        byte[] text = "{\"not\": \"a class\"}".getBytes();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClassReferences.read("x.class", text));
        assertEquals("x.class: not a class file (magic 0x7b226e6f)", e.getMessage());
    }

    @Test
    void aClassFileCutShortAnywhereSaysSo() throws IOException {
        byte[] whole = classFile(Sample.class);
        for (int length : new int[] {0, 9, 11, whole.length / 2, whole.length - 20, whole.length - 1}) {
            byte[] cut = Arrays.copyOf(whole, length);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ClassReferences.read("Sample.class", cut), "cut to " + length);
            assertEquals("Sample.class: truncated class file (" + length + " bytes)", e.getMessage());
        }
    }

    @Test
    void bytesAfterTheEndAreRefused() throws IOException {
        byte[] longer = Arrays.copyOf(classFile(Sample.class), classFile(Sample.class).length + 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClassReferences.read("Sample.class", longer));
        assertEquals("Sample.class: bytes after the end of the class file", e.getMessage());
    }

    @Test
    void anUnknownConstantTagIsNamedWithItsEntry() throws IOException {
        byte[] broken = classFile(Sample.class);
        broken[10] = 99; // the tag of constant pool entry 1, after magic, versions and the count
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClassReferences.read("Sample.class", broken));
        assertEquals("Sample.class: constant pool entry 1 has unknown tag 99", e.getMessage());
    }

    @Test
    void thisClassOutsideThePoolIsAnError() throws IOException {
        byte[] whole = classFile(Sample.class);
        byte[] broken = whole.clone();
        int count = ((whole[8] & 0xff) << 8) | (whole[9] & 0xff);
        int thisClassAt = afterPool(whole, count) + 2;
        broken[thisClassAt] = (byte) 0xff;
        broken[thisClassAt + 1] = (byte) 0xff;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClassReferences.read("Sample.class", broken));
        assertEquals("Sample.class: this_class points at constant 65535, outside the pool of " + count, e.getMessage());
    }

    /** Offset of the access flags: the end of the constant pool, walked independently of the reader. */
    private static int afterPool(byte[] b, int count) {
        int at = 10;
        for (int i = 1; i < count; i++) {
            int tag = b[at] & 0xff;
            at += switch (tag) {
                case 1 -> 3 + (((b[at + 1] & 0xff) << 8) | (b[at + 2] & 0xff));
                case 7, 8, 16, 19, 20 -> 3;
                case 15 -> 4;
                case 3, 4, 9, 10, 11, 12, 17, 18 -> 5;
                case 5, 6 -> 9;
                default -> throw new IllegalStateException("tag " + tag);
            };
            if (tag == 5 || tag == 6) {
                i++;
            }
        }
        return at;
    }
}
