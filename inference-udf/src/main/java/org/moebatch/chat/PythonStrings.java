package org.moebatch.chat;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Python's str methods for Jinjava. Chat templates are written for Python's Jinja2, where a string
 * is a Python str: {@code content.startswith('<tool_response>')}, {@code .split('</think>')[-1]},
 * {@code .lstrip('\n')}. Jinjava evaluates expressions on Java objects, so this resolver answers
 * those calls on {@link String}s with Python's semantics; everything else falls through.
 */
final class PythonStrings extends ELResolver {
    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (!(base instanceof String) || method == null) {
            return null;
        }
        String s = (String) base;
        Object[] a = params == null ? new Object[0] : params;
        Object result;
        switch (method.toString()) {
            case "startswith":
                result = affix(s, a, true);
                break;
            case "endswith":
                result = affix(s, a, false);
                break;
            case "strip":
                result = rstrip(lstrip(s, chars(a)), chars(a));
                break;
            case "lstrip":
                result = lstrip(s, chars(a));
                break;
            case "rstrip":
                result = rstrip(s, chars(a));
                break;
            case "split":
                result = split(s, a.length > 0 && a[0] != null ? a[0].toString() : null,
                        a.length > 1 ? ((Number) a[1]).intValue() : -1);
                break;
            case "upper":
                result = s.toUpperCase(Locale.ROOT);
                break;
            case "lower":
                result = s.toLowerCase(Locale.ROOT);
                break;
            case "title":
                result = title(s);
                break;
            case "capitalize":
                result = s.isEmpty() ? s : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
                break;
            case "replace":
                result = s.replace(a[0].toString(), a[1].toString());
                break;
            case "find":
                result = s.indexOf(a[0].toString());
                break;
            case "count":
                result = count(s, a[0].toString());
                break;
            case "join":
                result = join(s, a[0]);
                break;
            default:
                return null;
        }
        context.setPropertyResolved(true);
        return result;
    }

    private static boolean affix(String s, Object[] a, boolean prefix) {
        Object arg = a[0];
        if (arg instanceof Iterable) { // a tuple of alternatives, as Python allows
            for (Object o : (Iterable<?>) arg) {
                if (prefix ? s.startsWith(o.toString()) : s.endsWith(o.toString())) {
                    return true;
                }
            }
            return false;
        }
        return prefix ? s.startsWith(arg.toString()) : s.endsWith(arg.toString());
    }

    private static String chars(Object[] a) {
        return a.length == 0 || a[0] == null ? null : a[0].toString();
    }

    private static boolean strippable(char c, String chars) {
        return chars == null ? Character.isWhitespace(c) : chars.indexOf(c) >= 0;
    }

    static String lstrip(String s, String chars) {
        int i = 0;
        while (i < s.length() && strippable(s.charAt(i), chars)) {
            i++;
        }
        return s.substring(i);
    }

    static String rstrip(String s, String chars) {
        int i = s.length();
        while (i > 0 && strippable(s.charAt(i - 1), chars)) {
            i--;
        }
        return s.substring(0, i);
    }

    /** str.split: by a literal separator (not a regex), or by runs of whitespace when none. */
    static List<String> split(String s, String separator, int maxSplit) {
        List<String> parts = new ArrayList<>();
        if (separator == null) {
            for (String p : s.strip().split("\\s+", maxSplit < 0 ? 0 : maxSplit + 1)) {
                if (!p.isEmpty()) {
                    parts.add(p);
                }
            }
            return parts;
        }
        int from = 0;
        while (maxSplit < 0 || parts.size() < maxSplit) {
            int at = s.indexOf(separator, from);
            if (at < 0) {
                break;
            }
            parts.add(s.substring(from, at));
            from = at + separator.length();
        }
        parts.add(s.substring(from));
        return parts;
    }

    private static String title(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean start = true;
        for (char c : s.toCharArray()) {
            out.append(start ? Character.toUpperCase(c) : Character.toLowerCase(c));
            start = !Character.isLetter(c);
        }
        return out.toString();
    }

    private static int count(String s, String sub) {
        if (sub.isEmpty()) {
            return s.length() + 1;
        }
        int n = 0;
        for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
            n++;
        }
        return n;
    }

    private static String join(String separator, Object items) {
        List<String> parts = new ArrayList<>();
        for (Object o : (Iterable<?>) items) {
            parts.add(String.valueOf(o));
        }
        return String.join(separator, parts);
    }

    // Only method calls are this resolver's business.
    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {}

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
