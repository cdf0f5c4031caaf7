package org.moebatch.e2e;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Writes an Arrow IPC stream file the way Hugging Face {@code datasets} caches a dataset: streaming
 * format, a "huggingface" schema metadata entry, columns prompt (string), messages
 * (list&lt;struct&lt;role, content&gt;&gt;) and label (int64).
 */
final class HfArrowWriter {
    record Example(String prompt, List<String[]> messages) {}

    private HfArrowWriter() {}

    static void write(Path file, List<Example> examples) throws IOException {
        Files.createDirectories(file.getParent());
        Field role = new Field("role", FieldType.nullable(new ArrowType.Utf8()), null);
        Field content = new Field("content", FieldType.nullable(new ArrowType.Utf8()), null);
        Field message = new Field("item", FieldType.nullable(new ArrowType.Struct()), List.of(role, content));
        Schema schema = new Schema(List.of(
                new Field("prompt", FieldType.nullable(new ArrowType.Utf8()), null),
                new Field("messages", FieldType.nullable(new ArrowType.List()), List.of(message)),
                new Field("label", FieldType.nullable(new ArrowType.Int(64, true)), null)),
                Map.of("huggingface", "{\"info\": {\"features\": {}}}"));
        try (BufferAllocator allocator = new RootAllocator();
                VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
                OutputStream out = Files.newOutputStream(file);
                ArrowStreamWriter writer = new ArrowStreamWriter(root, null, out)) {
            VarCharVector prompt = (VarCharVector) root.getVector("prompt");
            ListVector messages = (ListVector) root.getVector("messages");
            BigIntVector label = (BigIntVector) root.getVector("label");
            prompt.allocateNew();
            label.allocateNew();
            UnionListWriter list = messages.getWriter();
            for (int i = 0; i < examples.size(); i++) {
                Example e = examples.get(i);
                if (e.prompt() != null) {
                    prompt.setSafe(i, e.prompt().getBytes(StandardCharsets.UTF_8));
                } else {
                    prompt.setNull(i);
                }
                list.setPosition(i);
                if (e.messages().isEmpty()) {
                    messages.setNull(i);
                } else {
                    list.startList();
                    for (String[] m : e.messages()) {
                        var struct = list.struct();
                        struct.start();
                        writeText(struct.varChar("role"), m[0], allocator);
                        writeText(struct.varChar("content"), m[1], allocator);
                        struct.end();
                    }
                    list.endList();
                }
                label.setSafe(i, i * 10L);
            }
            root.setRowCount(examples.size());
            writer.start();
            writer.writeBatch();
            writer.end();
        }
    }

    private static void writeText(org.apache.arrow.vector.complex.writer.VarCharWriter w, String text, BufferAllocator allocator) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        try (var buffer = allocator.buffer(bytes.length)) {
            buffer.setBytes(0, bytes);
            w.writeVarChar(0, bytes.length, buffer);
        }
    }
}
