package org.moebatch.chat;

import java.util.Map;

/**
 * JSON text exactly as Python's {@code json.dumps(x, ensure_ascii=False)} writes it, which is what
 * Hugging Face's {@code tojson} filter produces: separators {@code ", "} and {@code ": "} unless
 * others are given, non-ASCII kept, an optional indent. Templates put this text into prompts, so a
 * space more or less is a different prompt.
 */
final class PythonJson {
    private PythonJson() {}

    static String dumps(Object value, String itemSeparator, String keySeparator, Integer indent, boolean sortKeys) {
        StringBuilder out = new StringBuilder();
        write(out, value, itemSeparator, keySeparator, indent, sortKeys, 0);
        return out.toString();
    }

    private static void write(StringBuilder out, Object v, String item, String key, Integer indent, boolean sort, int depth) {
        if (v == null) {
            out.append("null");
        } else if (v instanceof Boolean) {
            out.append(((Boolean) v) ? "true" : "false");
        } else if (v instanceof Double || v instanceof Float) {
            out.append(repr(((Number) v).doubleValue()));
        } else if (v instanceof Number) {
            out.append(v);
        } else if (v instanceof Map) {
            Map<?, ?> map = (Map<?, ?>) v;
            if (map.isEmpty()) {
                out.append("{}");
                return;
            }
            out.append('{');
            Iterable<?> keys = sort ? new java.util.TreeSet<>(map.keySet().stream().map(String::valueOf).toList()) : map.keySet();
            boolean first = true;
            for (Object k : keys) {
                if (!first) {
                    out.append(indent != null ? item.stripTrailing() : item);
                }
                first = false;
                newline(out, indent, depth + 1);
                string(out, String.valueOf(k));
                out.append(key);
                write(out, map.get(k), item, key, indent, sort, depth + 1);
            }
            newline(out, indent, depth);
            out.append('}');
        } else if (v instanceof Iterable) {
            java.util.Iterator<?> it = ((Iterable<?>) v).iterator();
            if (!it.hasNext()) {
                out.append("[]");
                return;
            }
            out.append('[');
            boolean first = true;
            while (it.hasNext()) {
                if (!first) {
                    out.append(indent != null ? item.stripTrailing() : item);
                }
                first = false;
                newline(out, indent, depth + 1);
                write(out, it.next(), item, key, indent, sort, depth + 1);
            }
            newline(out, indent, depth);
            out.append(']');
        } else {
            string(out, v.toString());
        }
    }

    private static void newline(StringBuilder out, Integer indent, int depth) {
        if (indent != null) {
            out.append('\n').append(" ".repeat(indent * depth));
        }
    }

    /** Python's float repr: shortest digits, plain between 1e-4 and 1e16, else d.ddde+XX. */
    static String repr(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == 0) {
            return (1 / d) < 0 ? "-0.0" : "0.0";
        }
        java.math.BigDecimal exact = new java.math.BigDecimal(Double.toString(d)).stripTrailingZeros();
        String digits = exact.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - exact.scale(); // d = 0.digits... x 10^(exponent+1)
        String sign = d < 0 ? "-" : "";
        if (exponent >= -4 && exponent < 16) {
            String plain = exact.abs().toPlainString();
            return sign + (plain.contains(".") ? plain : plain + ".0");
        }
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
    }

    private static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                case '\b':
                    out.append("\\b");
                    break;
                case '\f':
                    out.append("\\f");
                    break;
                default:
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }
}
