package org.moebatch.layers;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The classes one compiled class refers to, read from its constant pool (JVMS §4.4): every
 * {@code CONSTANT_Class} entry, and every class named inside a descriptor or generic signature
 * ({@code Lorg/x/Y;}). That is all the code of a class can use, annotations and generics included;
 * string literals are data, not references, and are skipped.
 *
 * @param name       the class itself, dotted ({@code org.moebatch.backend.Backend})
 * @param references the classes it names, dotted, itself excluded
 */
record ClassReferences(String name, Set<String> references) {
    private static final int MAGIC = 0xCAFEBABE;
    private static final Pattern IN_DESCRIPTOR = Pattern.compile("L([\\w/$]+)[;<]");

    /** Reads the class file {@code bytes}; {@code where} names it in the error of a malformed one. */
    static ClassReferences read(String where, byte[] bytes) {
        try {
            return parse(where, new DataInputStream(new ByteArrayInputStream(bytes)));
        } catch (EOFException e) {
            throw new IllegalArgumentException(where + ": truncated class file (" + bytes.length + " bytes)", e);
        } catch (IOException e) {
            throw new IllegalArgumentException(where + ": unreadable class file: " + e.getMessage(), e);
        }
    }

    private static ClassReferences parse(String where, DataInputStream in) throws IOException {
        int magic = in.readInt();
        if (magic != MAGIC) {
            throw new IllegalArgumentException(where + ": not a class file (magic 0x" + Integer.toHexString(magic) + ")");
        }
        in.readUnsignedShort(); // minor version
        in.readUnsignedShort(); // major version
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        int[] classNameIndex = new int[count];
        boolean[] literal = new boolean[count];
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF();
                case 7 -> classNameIndex[i] = in.readUnsignedShort();
                case 8 -> literal[checked(where, i, in.readUnsignedShort(), count)] = true; // String
                case 16, 19, 20 -> in.readUnsignedShort(); // MethodType, Module, Package
                case 15 -> { // MethodHandle: kind, reference
                    in.readUnsignedByte();
                    in.readUnsignedShort();
                }
                case 3, 4, 9, 10, 11, 12, 17, 18 -> in.readInt(); // Integer, Float, refs, NameAndType, dynamic
                case 5, 6 -> { // Long and Double take two entries
                    in.readLong();
                    i++;
                }
                default -> throw new IllegalArgumentException(where + ": constant pool entry " + i + " has unknown tag " + tag);
            }
        }
        in.readUnsignedShort(); // access flags
        int thisClass = in.readUnsignedShort();
        String self = className(where, utf8, classNameIndex, checked(where, 0, thisClass, count));
        skipRest(where, in);
        Set<String> refs = new TreeSet<>();
        for (int i = 1; i < count; i++) {
            if (classNameIndex[i] != 0) {
                String name = className(where, utf8, classNameIndex, i);
                Matcher array = IN_DESCRIPTOR.matcher(name);
                if (!name.startsWith("[")) {
                    refs.add(name);
                } else if (array.find()) { // an array class, [Lorg/x/Y; (none for arrays of primitives)
                    refs.add(array.group(1));
                }
            } else if (utf8[i] != null && !literal[i]) {
                Matcher m = IN_DESCRIPTOR.matcher(utf8[i]);
                while (m.find()) {
                    refs.add(m.group(1));
                }
            }
        }
        refs.remove(self);
        Set<String> dotted = new TreeSet<>();
        refs.forEach(r -> dotted.add(r.replace('/', '.')));
        return new ClassReferences(self.replace('/', '.'), dotted);
    }

    /**
     * Walks the rest of the file (super class, interfaces, fields, methods, attributes) without reading
     * it, so that a file cut short or with bytes after its end is refused rather than half read.
     */
    private static void skipRest(String where, DataInputStream in) throws IOException {
        in.readUnsignedShort(); // super_class
        in.skipNBytes(2L * in.readUnsignedShort()); // interfaces
        for (int members = 0; members < 2; members++) { // fields, then methods
            int count = in.readUnsignedShort();
            for (int i = 0; i < count; i++) {
                in.skipNBytes(6); // access flags, name, descriptor
                skipAttributes(in);
            }
        }
        skipAttributes(in);
        if (in.read() != -1) {
            throw new IllegalArgumentException(where + ": bytes after the end of the class file");
        }
    }

    private static void skipAttributes(DataInputStream in) throws IOException {
        int count = in.readUnsignedShort();
        for (int i = 0; i < count; i++) {
            in.readUnsignedShort(); // name
            in.skipNBytes(Integer.toUnsignedLong(in.readInt()));
        }
    }

    private static int checked(String where, int entry, int index, int count) {
        if (index <= 0 || index >= count) {
            throw new IllegalArgumentException(where + ": " + (entry == 0 ? "this_class" : "constant pool entry " + entry)
                    + " points at constant " + index + ", outside the pool of " + count);
        }
        return index;
    }

    private static String className(String where, String[] utf8, int[] classNameIndex, int entry) {
        int nameIndex = classNameIndex[entry];
        if (nameIndex <= 0 || nameIndex >= utf8.length || utf8[nameIndex] == null) {
            throw new IllegalArgumentException(where + ": constant " + entry + " is not a class whose name is a UTF-8 constant");
        }
        return utf8[nameIndex];
    }
}
