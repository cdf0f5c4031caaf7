package org.moebatch.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.moebatch.tensor.Floats;

/** Writes small safetensors files for tests, well-formed or not. */
public final class SafetensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Entry(String name, String dtype, long[] shape, byte[] data) {}

    private final List<Entry> entries = new ArrayList<>();

    public SafetensorsWriter f32(String name, long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        entries.add(new Entry(name, "F32", shape, b.array()));
        return this;
    }

    public SafetensorsWriter bf16(String name, long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putShort(Floats.floatToBf16(v));
        }
        entries.add(new Entry(name, "BF16", shape, b.array()));
        return this;
    }

    public SafetensorsWriter raw(String name, String dtype, long[] shape, byte[] data) {
        entries.add(new Entry(name, dtype, shape, data));
        return this;
    }

    /** The header JSON that {@link #write} would produce, for tests that tamper with it. */
    public ObjectNode header() {
        ObjectNode header = JSON.createObjectNode();
        long offset = 0;
        for (Entry e : entries) {
            ObjectNode t = header.putObject(e.name());
            t.put("dtype", e.dtype());
            var shape = t.putArray("shape");
            for (long s : e.shape()) {
                shape.add(s);
            }
            t.putArray("data_offsets").add(offset).add(offset + e.data().length);
            offset += e.data().length;
        }
        return header;
    }

    public void write(Path file) {
        write(file, header().toString());
    }

    /** Writes the given header text (however wrong) followed by the tensors' data. */
    public void write(Path file, String headerText) {
        byte[] header = headerText.getBytes(StandardCharsets.UTF_8);
        int dataLength = entries.stream().mapToInt(e -> e.data().length).sum();
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + dataLength).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header);
        for (Entry e : entries) {
            b.put(e.data());
        }
        try {
            Files.write(file, b.array());
        } catch (IOException io) {
            throw new UncheckedIOException(io);
        }
    }
}
