package org.moebatch.layers;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Which project package uses which, from the compiled classes: package {@code p} imports {@code q} when
 * a class of {@code p} names a class of {@code q}. Packages are written relative to {@code org.moebatch}
 * ({@code backend.cuda}); each edge keeps one example ({@code model.MoeBlock -> backend.Routing}) so a
 * failure says where to look.
 */
final class PackageGraph {
    static final String ROOT = "org.moebatch.";

    /** package -> imported package -> one class-level example of the import */
    private final Map<String, Map<String, String>> edges = new TreeMap<>();

    /** The graph of every project class in the directories or jars that hold {@code anchors}. */
    static PackageGraph ofClassesBeside(Class<?>... anchors) {
        PackageGraph g = new PackageGraph();
        for (Class<?> anchor : anchors) {
            Path location;
            try {
                location = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            } catch (URISyntaxException e) {
                throw new IllegalStateException("where " + anchor.getName() + " was loaded from", e);
            }
            g.addAll(location);
        }
        return g;
    }

    /** Adds one class's references; {@code where} names the class file in a parse error. */
    void add(String where, byte[] classFile) {
        ClassReferences c = ClassReferences.read(where, classFile);
        String from = packageOf(c.name());
        if (from == null) {
            return;
        }
        edges.computeIfAbsent(from, k -> new TreeMap<>());
        for (String ref : c.references()) {
            String to = packageOf(ref);
            if (to != null && !to.equals(from)) {
                edges.get(from).putIfAbsent(to, simple(c.name()) + " -> " + simple(ref));
            }
        }
    }

    /** Records {@code from -> to} directly (tests of the graph itself). */
    void edge(String from, String to) {
        edges.computeIfAbsent(from, k -> new TreeMap<>()).putIfAbsent(to, from + " -> " + to);
        edges.computeIfAbsent(to, k -> new TreeMap<>());
    }

    Set<String> packages() {
        return edges.keySet();
    }

    Map<String, String> importsOf(String pkg) {
        return edges.getOrDefault(pkg, Map.of());
    }

    /**
     * The cycles a depth-first walk meets, each as the path that closes it ({@code engine -> model ->
     * engine}): empty exactly when the graph has none (a walk meets at least one of any that exist).
     */
    List<String> cycles() {
        List<String> found = new ArrayList<>();
        Set<String> done = new TreeSet<>();
        for (String start : edges.keySet()) {
            walk(start, new ArrayList<>(), done, found);
        }
        return found;
    }

    private void walk(String pkg, List<String> path, Set<String> done, List<String> found) {
        int seen = path.indexOf(pkg);
        if (seen >= 0) {
            List<String> cycle = new ArrayList<>(path.subList(seen, path.size()));
            cycle.add(pkg);
            found.add(String.join(" -> ", cycle));
            return;
        }
        if (done.contains(pkg)) {
            return;
        }
        path.add(pkg);
        for (String next : importsOf(pkg).keySet()) {
            walk(next, path, done, found);
        }
        path.remove(path.size() - 1);
        done.add(pkg);
    }

    private void addAll(Path location) {
        try {
            if (Files.isDirectory(location)) {
                try (Stream<Path> files = Files.walk(location)) {
                    for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".class"))::iterator) {
                        add(f.toString(), Files.readAllBytes(f));
                    }
                }
            } else {
                try (JarFile jar = new JarFile(location.toFile())) {
                    for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements();) {
                        JarEntry entry = e.nextElement();
                        if (entry.getName().endsWith(".class")) {
                            try (InputStream in = jar.getInputStream(entry)) {
                                add(location + "!/" + entry.getName(), in.readAllBytes());
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading the classes in " + location, e);
        }
    }

    /**
     * {@code backend.cuda} for {@code org.moebatch.backend.cuda.CudaBackend$1}; "" for a class in
     * org.moebatch itself (which no layer holds, so the layer test names it); null outside the project.
     */
    static String packageOf(String className) {
        if (!className.startsWith(ROOT)) {
            return null;
        }
        int dot = className.lastIndexOf('.');
        return dot < ROOT.length() ? "" : className.substring(ROOT.length(), dot);
    }

    private static String simple(String className) {
        String pkg = packageOf(className);
        return pkg == null ? className : className.substring(ROOT.length());
    }
}
