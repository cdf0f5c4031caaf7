package org.moebatch.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.moebatch.tensor.DType;
import org.moebatch.tensor.Quantization;
import org.moebatch.tensor.WeightMatrix;

/**
 * One {@code .safetensors} file, memory-mapped. The format is an 8-byte little-endian header length,
 * a JSON header naming each tensor's dtype, shape and byte range, then the data.
 *
 * <p>The header is distrusted: its length is capped and must lie inside the file, every byte range
 * must lie inside the data and match shape x dtype size, ranges must not overlap, and an unknown
 * dtype is an error naming the tensor. Nothing is read from the data before all of that holds.
 *
 * <p>The file is mapped in windows of {@code stride + overlap} bytes starting every {@code stride}
 * bytes, so any tensor no longer than {@code overlap} lies wholly inside one window and is served as
 * a slice of it; larger tensors get mappings of their own, split at row boundaries. Few mappings
 * serve a checkpoint of tens of thousands of tensors.
 */
public final class SafetensorsFile {
    /** The safetensors library refuses headers over 100 MB; so does this reader. */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    static final long DEFAULT_STRIDE = 1L << 30;
    static final long DEFAULT_OVERLAP = 1L << 26;
    static final long DEFAULT_MAX_CHUNK = 1L << 30;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the header says of one tensor; {@code begin} and {@code end} are file offsets. */
    public record TensorEntry(String name, DType dtype, long[] shape, long begin, long end) {
        public long byteLength() {
            return end - begin;
        }
    }

    private final Path path;
    private final long fileSize;
    private final Map<String, TensorEntry> entries;
    private final Map<String, String> metadata;
    private final long stride;
    private final long overlap;
    private final long maxChunk;
    private final ByteBuffer[] windows;

    private SafetensorsFile(Path path, long fileSize, Map<String, TensorEntry> entries, Map<String, String> metadata,
            long stride, long overlap, long maxChunk, ByteBuffer[] windows) {
        this.path = path;
        this.fileSize = fileSize;
        this.entries = entries;
        this.metadata = metadata;
        this.stride = stride;
        this.overlap = overlap;
        this.maxChunk = maxChunk;
        this.windows = windows;
    }

    public static SafetensorsFile open(Path path) {
        return open(path, DEFAULT_STRIDE, DEFAULT_OVERLAP, DEFAULT_MAX_CHUNK);
    }

    /** Opens with explicit window sizes; tests use small ones to cross window and chunk edges. */
    static SafetensorsFile open(Path path, long stride, long overlap, long maxChunk) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw new ModelException(path + ": truncated safetensors file: " + size + " bytes, no header length");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0, path);
            long headerLength = lengthBytes.getLong(0);
            if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
                throw new ModelException(path + ": safetensors header length " + Long.toUnsignedString(headerLength)
                        + " exceeds the cap of " + MAX_HEADER_BYTES + " bytes");
            }
            if (8 + headerLength > size) {
                throw new ModelException(path + ": safetensors header length " + headerLength
                        + " runs past the end of the " + size + "-byte file");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(channel, headerBytes, 8, path);
            long dataStart = 8 + headerLength;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, TensorEntry> entries = parseHeader(path, new String(headerBytes.array(), StandardCharsets.UTF_8),
                    dataStart, size - dataStart, metadata);
            ByteBuffer[] windows = mapWindows(channel, size, stride, overlap);
            return new SafetensorsFile(path, size, entries, metadata, stride, overlap, maxChunk, windows);
        } catch (NoSuchFileException e) {
            throw new ModelException(path + ": no such file");
        } catch (IOException e) {
            throw new ModelException(path + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer into, long position, Path path) throws IOException {
        long at = position;
        while (into.hasRemaining()) {
            int n = channel.read(into, at);
            if (n < 0) {
                throw new ModelException(path + ": truncated safetensors file");
            }
            at += n;
        }
    }

    private static Map<String, TensorEntry> parseHeader(Path path, String header, long dataStart, long dataSize,
            Map<String, String> metadata) {
        JsonNode root;
        try {
            root = JSON.readTree(header);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ModelException(path + ": safetensors header is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new ModelException(path + ": safetensors header is not a JSON object");
        }
        Map<String, TensorEntry> entries = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            JsonNode node = field.getValue();
            if (name.equals("__metadata__")) {
                if (node.isObject()) {
                    node.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                }
                continue;
            }
            entries.put(name, parseEntry(path, name, node, dataStart, dataSize));
        }
        checkNoOverlap(path, entries);
        return Collections.unmodifiableMap(entries);
    }

    private static TensorEntry parseEntry(Path path, String name, JsonNode node, long dataStart, long dataSize) {
        String where = path + ": tensor " + name;
        if (!node.isObject()) {
            throw new ModelException(where + ": header entry is not an object");
        }
        JsonNode dtypeNode = node.get("dtype");
        DType dtype = dtypeNode != null && dtypeNode.isTextual() ? DType.fromSafetensors(dtypeNode.asText()) : null;
        if (dtype == null) {
            throw new ModelException(where + ": unknown dtype " + dtypeNode);
        }
        JsonNode shapeNode = node.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw new ModelException(where + ": shape missing or not an array");
        }
        long[] shape = new long[shapeNode.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
                throw new ModelException(where + ": bad dimension " + d + " in shape " + shapeNode);
            }
            shape[i] = d.asLong();
            try {
                elements = Math.multiplyExact(elements, shape[i]);
            } catch (ArithmeticException overflow) {
                throw new ModelException(where + ": shape " + shapeNode + " overflows");
            }
        }
        JsonNode offsets = node.get("data_offsets");
        if (offsets == null || !offsets.isArray() || offsets.size() != 2
                || !offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()
                || !offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber()) {
            throw new ModelException(where + ": data_offsets must be two integers, is " + offsets);
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (begin < 0 || end < begin || end > dataSize) {
            throw new ModelException(where + ": data_offsets [" + begin + ", " + end
                    + "] out of range: the data section holds " + dataSize + " bytes");
        }
        long expected;
        try {
            expected = Math.multiplyExact(elements, dtype.bytes());
        } catch (ArithmeticException overflow) {
            throw new ModelException(where + ": shape " + shapeNode + " overflows");
        }
        if (end - begin != expected) {
            throw new ModelException(where + ": data_offsets [" + begin + ", " + end + "] hold " + (end - begin)
                    + " bytes but shape " + shapeNode + " of " + dtype + " needs " + expected);
        }
        return new TensorEntry(name, dtype, shape, dataStart + begin, dataStart + end);
    }

    private static void checkNoOverlap(Path path, Map<String, TensorEntry> entries) {
        List<TensorEntry> sorted = new ArrayList<>(entries.values());
        sorted.sort((a, b) -> Long.compare(a.begin(), b.begin()));
        for (int i = 1; i < sorted.size(); i++) {
            TensorEntry previous = sorted.get(i - 1);
            TensorEntry current = sorted.get(i);
            if (current.begin() < previous.end()) {
                throw new ModelException(path + ": tensors " + previous.name() + " and " + current.name()
                        + " overlap in the data section");
            }
        }
    }

    private static ByteBuffer[] mapWindows(FileChannel channel, long size, long stride, long overlap) throws IOException {
        int count = (int) Math.max(1, (size + stride - 1) / stride);
        ByteBuffer[] windows = new ByteBuffer[count];
        for (int w = 0; w < count; w++) {
            long start = w * stride;
            long length = Math.min(size - start, stride + overlap);
            windows[w] = channel.map(FileChannel.MapMode.READ_ONLY, start, length).order(ByteOrder.LITTLE_ENDIAN);
        }
        return windows;
    }

    public Path path() {
        return path;
    }

    public Map<String, TensorEntry> entries() {
        return entries;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public TensorEntry entry(String name) {
        TensorEntry e = entries.get(name);
        if (e == null) {
            throw new ModelException(path + ": no tensor " + name);
        }
        return e;
    }

    /** A small I32 or I64 tensor's values, e.g. compressed-tensors' {@code weight_shape}. */
    public long[] integers(String name) {
        TensorEntry e = entry(name);
        if (e.dtype() != DType.I32 && e.dtype() != DType.I64) {
            throw new ModelException(path + ": tensor " + name + " has dtype " + e.dtype() + "; expected I32 or I64");
        }
        long n = e.byteLength() / e.dtype().bytes();
        if (n > 64) {
            throw new ModelException(path + ": tensor " + name + " has " + n + " values; expected a few");
        }
        ByteBuffer data = ByteBuffer.allocate((int) e.byteLength()).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            readFully(channel, data, e.begin(), path);
        } catch (IOException io) {
            throw new ModelException(path + ": cannot read tensor " + name + ": " + io.getMessage(), io);
        }
        long[] values = new long[(int) n];
        for (int i = 0; i < n; i++) {
            values[i] = e.dtype() == DType.I32 ? data.getInt(4 * i) : data.getLong(8 * i);
        }
        return values;
    }

    /**
     * The tensor as a {@code [rows, cols]} matrix: the last dimension is the row, every leading
     * dimension folds into the row count; a scalar or vector is one row.
     */
    public WeightMatrix matrix(String name) {
        TensorEntry e = entry(name);
        if (!e.dtype().computable()) {
            throw new ModelException(path + ": tensor " + name + " has dtype " + e.dtype()
                    + ", which this engine does not compute with (supported: F32, F16, BF16)");
        }
        long cols = e.shape().length == 0 ? 1 : e.shape()[e.shape().length - 1];
        long rows = cols == 0 ? 0 : (e.byteLength() / e.dtype().bytes()) / cols;
        if (rows == 0 || cols == 0) {
            throw new ModelException(path + ": tensor " + name + " is empty");
        }
        Mapped m = mapRows(e, rows, cols * e.dtype().bytes());
        return WeightMatrix.of(name, e.dtype(), m.rows(), (int) cols, m.rowsPerChunk(), m.chunks());
    }

    /**
     * A quantised tensor as a {@code [rows, cols]} matrix of the floats its codes stand for: the
     * tensor holds the codes ({@code F8_E4M3} bytes, or {@code I32} words of packed INT4) with
     * {@code quantization.format().rowBytes(cols)} bytes a row, and stays mapped as it is. The
     * caller has checked the tensor's shape; this checks dtype and size.
     */
    public WeightMatrix quantizedMatrix(String name, Quantization quantization, int cols) {
        TensorEntry e = entry(name);
        DType storage = quantization.format().storage();
        if (e.dtype() != storage) {
            throw new ModelException(path + ": tensor " + name + " has dtype " + e.dtype() + "; "
                    + quantization.format() + " codes are stored as " + storage);
        }
        long rowBytes = quantization.format().rowBytes(cols);
        if (e.byteLength() == 0 || e.byteLength() % rowBytes != 0) {
            throw new ModelException(path + ": tensor " + name + " holds " + e.byteLength() + " bytes, not whole rows of "
                    + cols + " " + quantization.format() + " values (" + rowBytes + " bytes each)");
        }
        Mapped m = mapRows(e, e.byteLength() / rowBytes, rowBytes);
        try {
            return WeightMatrix.quantized(name, quantization, m.rows(), cols, m.rowsPerChunk(), m.chunks());
        } catch (IllegalArgumentException bad) {
            throw new ModelException(path + ": tensor " + name + ": " + bad.getMessage(), bad);
        }
    }

    /** A tensor's bytes as chunks of whole rows: {@code rowsPerChunk} rows each, the last maybe fewer. */
    private record Mapped(int rows, int rowsPerChunk, ByteBuffer[] chunks) {}

    private Mapped mapRows(TensorEntry e, long rows, long rowBytes) {
        if (rows > Integer.MAX_VALUE || rowBytes > maxChunk) {
            throw new ModelException(path + ": tensor " + e.name() + " has rows of " + rowBytes
                    + " bytes or more than 2^31 rows; too large to serve");
        }
        try {
            if (e.byteLength() <= overlap) {
                int w = (int) (e.begin() / stride);
                ByteBuffer window = windows[w];
                int from = (int) (e.begin() - w * stride);
                ByteBuffer slice = window.duplicate().position(from).limit(from + (int) e.byteLength());
                return new Mapped((int) rows, (int) rows, new ByteBuffer[] {slice});
            }
            return mapLarge(e, (int) rows, rowBytes);
        } catch (IOException io) {
            throw new ModelException(path + ": cannot map tensor " + e.name() + ": " + io.getMessage(), io);
        }
    }

    /** A tensor past the window overlap gets its own mappings, each a whole number of rows. */
    private Mapped mapLarge(TensorEntry e, int rows, long rowBytes) throws IOException {
        int rowsPerChunk = (int) Math.max(1, maxChunk / rowBytes);
        int chunkCount = (int) ((rows + (long) rowsPerChunk - 1) / rowsPerChunk);
        ByteBuffer[] chunks = new ByteBuffer[chunkCount];
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            if (channel.size() != fileSize) {
                throw new ModelException(path + ": file changed size while open");
            }
            for (int i = 0; i < chunkCount; i++) {
                long firstRow = (long) i * rowsPerChunk;
                long chunkRows = Math.min(rowsPerChunk, rows - firstRow);
                chunks[i] = channel.map(FileChannel.MapMode.READ_ONLY, e.begin() + firstRow * rowBytes, chunkRows * rowBytes);
            }
        }
        return new Mapped(rows, rowsPerChunk, chunks);
    }
}
