package org.moebatch.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.moebatch.tensor.Quantization;
import org.moebatch.tensor.WeightMatrix;

/**
 * The weights of a Hugging Face checkpoint directory: one {@code model.safetensors}, or shards
 * listed by {@code model.safetensors.index.json}, or (without an index) every {@code *.safetensors}
 * file of the directory. Tensors are found by name across the files.
 */
public final class Checkpoint {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final Map<String, SafetensorsFile> fileOfTensor;
    private final List<SafetensorsFile> files;

    private Checkpoint(Path dir, Map<String, SafetensorsFile> fileOfTensor, List<SafetensorsFile> files) {
        this.dir = dir;
        this.fileOfTensor = fileOfTensor;
        this.files = files;
    }

    public static Checkpoint open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ModelException(dir + ": model directory does not exist");
        }
        Path index = dir.resolve("model.safetensors.index.json");
        List<Path> paths = Files.exists(index) ? shardsOf(index) : safetensorsIn(dir);
        if (paths.isEmpty()) {
            throw new ModelException(dir + ": no .safetensors files in the model directory");
        }
        Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
        List<SafetensorsFile> files = new ArrayList<>();
        for (Path p : paths) {
            SafetensorsFile file = SafetensorsFile.open(p);
            files.add(file);
            for (String name : file.entries().keySet()) {
                SafetensorsFile previous = byTensor.putIfAbsent(name, file);
                if (previous != null) {
                    throw new ModelException(dir + ": tensor " + name + " is in both " + previous.path().getFileName()
                            + " and " + p.getFileName());
                }
            }
        }
        if (Files.exists(index)) {
            checkIndexMatches(index, byTensor);
        }
        return new Checkpoint(dir, byTensor, files);
    }

    private static List<Path> shardsOf(Path index) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(index));
        } catch (IOException e) {
            throw new ModelException(index + ": not valid JSON: " + e.getMessage(), e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) {
            throw new ModelException(index + ": no weight_map object");
        }
        List<Path> shards = new ArrayList<>();
        map.fields().forEachRemaining(e -> {
            String file = e.getValue().asText();
            Path shard = index.getParent().resolve(file).normalize();
            if (!shard.getParent().equals(index.getParent().normalize())) {
                throw new ModelException(index + ": shard " + file + " of tensor " + e.getKey()
                        + " lies outside the model directory");
            }
            if (!shards.contains(shard)) {
                shards.add(shard);
            }
        });
        for (Path shard : shards) {
            if (!Files.exists(shard)) {
                throw new ModelException(index + ": shard " + shard.getFileName() + " is missing");
            }
        }
        return shards;
    }

    private static void checkIndexMatches(Path index, Map<String, SafetensorsFile> byTensor) {
        try {
            JsonNode map = JSON.readTree(Files.readString(index)).get("weight_map");
            map.fields().forEachRemaining(e -> {
                SafetensorsFile holder = byTensor.get(e.getKey());
                if (holder == null) {
                    throw new ModelException(index + ": tensor " + e.getKey() + " is listed in "
                            + e.getValue().asText() + " but that file does not hold it");
                }
            });
        } catch (IOException e) {
            throw new ModelException(index + ": " + e.getMessage(), e);
        }
    }

    private static List<Path> safetensorsIn(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
        } catch (IOException e) {
            throw new ModelException(dir + ": cannot list: " + e.getMessage(), e);
        }
    }

    public Path dir() {
        return dir;
    }

    public boolean has(String name) {
        return fileOfTensor.containsKey(name);
    }

    public SafetensorsFile.TensorEntry entry(String name) {
        return fileOf(name).entry(name);
    }

    /** The tensor as a mapped {@code [rows, cols]} matrix; a missing tensor names the directory. */
    public WeightMatrix matrix(String name) {
        return fileOf(name).matrix(name);
    }

    /** A quantised tensor's codes as a mapped {@code [rows, cols]} matrix; see {@link SafetensorsFile#quantizedMatrix}. */
    public WeightMatrix quantizedMatrix(String name, Quantization quantization, int cols) {
        return fileOf(name).quantizedMatrix(name, quantization, cols);
    }

    /** A small integer tensor's values (I32 or I64). */
    public long[] integers(String name) {
        return fileOf(name).integers(name);
    }

    /** "FILE: tensor NAME", for errors about a tensor that exists. */
    public String where(String name) {
        return fileOf(name).path() + ": tensor " + name;
    }

    /** The tensor decoded into floats; for the small ones (norm weights, biases). */
    public float[] vector(String name) {
        WeightMatrix m = matrix(name);
        long n = (long) m.rows() * m.cols();
        if (n > 1 << 24) {
            throw new ModelException(dir + ": tensor " + name + " is too large to read as a vector");
        }
        float[] v = new float[(int) n];
        for (int r = 0; r < m.rows(); r++) {
            for (int c = 0; c < m.cols(); c++) {
                v[r * m.cols() + c] = m.get(r, c);
            }
        }
        return v;
    }

    private SafetensorsFile fileOf(String name) {
        SafetensorsFile f = fileOfTensor.get(name);
        if (f == null) {
            throw new ModelException(dir + ": missing tensor " + name + " (not in any of " + files.size()
                    + " safetensors file" + (files.size() == 1 ? "" : "s") + ")");
        }
        return f;
    }

    public List<SafetensorsFile> files() {
        return files;
    }
}
