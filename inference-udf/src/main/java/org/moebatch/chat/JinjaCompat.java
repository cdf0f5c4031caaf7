package org.moebatch.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.io.IOException;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jinjava.javax.el.CompositeELResolver;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;

/**
 * What it takes for Jinjava to render templates written for Hugging Face's Jinja2 environment:
 * {@code trim_blocks} and {@code lstrip_blocks}; Python str methods ({@link PythonStrings});
 * {@code tojson} as Python's {@code json.dumps} writes JSON ({@link PythonJson}); Python slices
 * ({@code messages[::-1]}, {@code messages[1:]}), which Jinjava's parser lacks, rewritten to a
 * {@code pyslice} filter; and the helpers HF provides, {@code raise_exception} and
 * {@code strftime_now}.
 *
 * <p>Rendering is sandboxed as transformers sandboxes Jinja2 ({@code ImmutableSandboxedEnvironment}):
 * the template is the only code; messages, tools and every other value are data ({@link #create}).
 */
public final class JinjaCompat {
    private static final Pattern TAG = Pattern.compile("(\\{\\{|\\{%)(.*?)(\\}\\}|%\\})", Pattern.DOTALL);
    private static final Pattern SLICE = Pattern.compile(
            "\\[\\s*(-?\\d+)?\\s*:\\s*(-?\\d+)?\\s*(?::\\s*(-?\\d+)\\s*)?\\]");
    private static final Pattern QUOTED = Pattern.compile("'(?:[^'\\\\]|\\\\.)*'|\"(?:[^\"\\\\]|\\\\.)*\"");

    private JinjaCompat() {}

    /**
     * Template tags and filters that read or evaluate text beyond the template's own source: files
     * ({@code include}, {@code import}, {@code from}, {@code extends}) and strings as templates
     * ({@code render}). No chat template of a checkpoint needs them, and with them a template could
     * turn a row's text into code.
     */
    private static final Map<Context.Library, Set<String>> DISABLED = Map.of(
            Context.Library.TAG, Set.of("include", "import", "from", "extends"),
            Context.Library.FILTER, Set.of("render"));

    /** The chat templates' Jinjava: Hugging Face's Jinja2 configuration inside {@link #sandboxed}. */
    public static Jinjava create() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonStrings());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_WRITE);
        Jinjava jinjava = sandboxed(JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withFailOnUnknownTokens(false)
                .withElResolver(resolver)
                // Jinja2's behaviour where Jinjava's defaults differ
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withUseTrimmingForNotesAndExpressions(true) // {{- x -}} trims like {%- -%}
                        .withParseWhitespaceControlStrictly(true)
                        .withIterateOverMapKeys(true) // for k in dict: keys, as in Python
                        .withEvaluateMapKeys(true)
                        .withKeepNullableLoopValues(true)
                        .build()));
        jinjava.getGlobalContext().registerFilter(new ToJson());
        jinjava.getGlobalContext().registerFilter(new PySlice());
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception",
                ChatTemplate.class, "raiseException", String.class));
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "strftime_now",
                JinjaCompat.class, "strftimeNow", String.class));
        return jinjava;
    }

    /**
     * A Jinjava of {@code config} that renders one template source with values and never text from
     * the values as source. Jinjava's nested interpretation is off: with it on (its default) an
     * expression whose value contains {@code {{ ... }}} is rendered again, so a prompt
     * {@code {{ 7*7 }}} reached the model as {@code 49}. No resource locator: nothing is loaded from
     * disk or the classpath.
     */
    public static Jinjava sandboxed(JinjavaConfig.Builder config) {
        Jinjava jinjava = new Jinjava(config.withNestedInterpretationEnabled(false).withDisabled(DISABLED).build());
        jinjava.setResourceLocator((name, encoding, interpreter) -> {
            throw new IOException("templates may not load \"" + name + "\": they are rendered without files");
        });
        return jinjava;
    }

    /** Rewrites {@code x[a:b:c]} inside tags to {@code x|pyslice(a, b, c)}; string literals are left alone. */
    static String rewriteSlices(String source) {
        Matcher tags = TAG.matcher(source);
        StringBuilder out = new StringBuilder();
        while (tags.find()) {
            String body = tags.group(2);
            tags.appendReplacement(out, Matcher.quoteReplacement(tags.group(1) + rewriteOutsideStrings(body) + tags.group(3)));
        }
        tags.appendTail(out);
        return out.toString();
    }

    private static String rewriteOutsideStrings(String code) {
        StringBuilder out = new StringBuilder();
        Matcher quoted = QUOTED.matcher(code);
        int at = 0;
        while (quoted.find()) {
            out.append(rewriteCode(code.substring(at, quoted.start()))).append(quoted.group());
            at = quoted.end();
        }
        out.append(rewriteCode(code.substring(at)));
        return out.toString();
    }

    private static String rewriteCode(String code) {
        return rewriteSliceSyntax(parenthesizeNamespaceArguments(code));
    }

    /**
     * Jinjava binds {@code namespace(i=messages|length - 1)} as {@code (i=messages|length) - 1};
     * Jinja2 reads the whole expression as the value. Each keyword value of a {@code namespace(...)}
     * call gets parentheses.
     */
    static String parenthesizeNamespaceArguments(String code) {
        int at = code.indexOf("namespace(");
        if (at < 0) {
            return code;
        }
        int open = at + "namespace".length();
        int depth = 0;
        int close = -1;
        for (int i = open; i < code.length(); i++) {
            char c = code.charAt(i);
            if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                if (--depth == 0) {
                    close = i;
                    break;
                }
            }
        }
        if (close < 0) {
            return code;
        }
        List<String> args = new ArrayList<>();
        depth = 0;
        int start = open + 1;
        for (int i = open + 1; i < close; i++) {
            char c = code.charAt(i);
            if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (c == ',' && depth == 0) {
                args.add(code.substring(start, i));
                start = i + 1;
            }
        }
        args.add(code.substring(start, close));
        StringBuilder rewritten = new StringBuilder(code.substring(0, open + 1));
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            int eq = arg.indexOf('=');
            rewritten.append(i == 0 ? "" : ",");
            if (eq > 0 && arg.substring(0, eq).strip().matches("\\w+") && !arg.substring(eq).startsWith("==")) {
                rewritten.append(arg, 0, eq + 1).append('(').append(arg.substring(eq + 1).strip()).append(')');
            } else {
                rewritten.append(arg);
            }
        }
        rewritten.append(')');
        return rewritten + parenthesizeNamespaceArguments(code.substring(close + 1));
    }

    private static String rewriteSliceSyntax(String code) {
        Matcher m = SLICE.matcher(code);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String start = m.group(1) == null ? "none" : m.group(1);
            String stop = m.group(2) == null ? "none" : m.group(2);
            String step = m.group(3) == null ? "none" : m.group(3);
            m.appendReplacement(out, Matcher.quoteReplacement("|pyslice(" + start + ", " + stop + ", " + step + ")"));
        }
        m.appendTail(out);
        return out.toString();
    }

    public static String strftimeNow(String format) {
        // Python strftime directives that chat templates use (dates in system prompts)
        String javaFormat = format.replace("%Y", "yyyy").replace("%m", "MM").replace("%d", "dd").replace("%B", "MMMM")
                .replace("%b", "MMM").replace("%H", "HH").replace("%M", "mm").replace("%S", "ss").replace("%A", "EEEE");
        return ZonedDateTime.now().format(DateTimeFormatter.ofPattern(javaFormat, java.util.Locale.ENGLISH));
    }

    /** {@code tojson}: Python's json.dumps(x, ensure_ascii=False, indent=..., separators=...). */
    static final class ToJson implements Filter {
        @Override
        public String getName() {
            return "tojson";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return filter(var, interpreter, args, Map.of());
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Integer indent = null;
            Object indentArg = kwargs.getOrDefault("indent", args.length > 0 ? args[0] : null);
            if (indentArg instanceof Number) {
                indent = ((Number) indentArg).intValue();
            }
            String item = indent != null ? "," : ", ";
            String key = ": ";
            Object separators = kwargs.get("separators");
            if (separators instanceof List && ((List<?>) separators).size() == 2) {
                item = String.valueOf(((List<?>) separators).get(0));
                key = String.valueOf(((List<?>) separators).get(1));
            }
            boolean sort = Boolean.TRUE.equals(kwargs.get("sort_keys"));
            return PythonJson.dumps(var, item, key, indent, sort);
        }
    }

    /** {@code pyslice(start, stop, step)}: Python slicing of lists and strings. */
    static final class PySlice implements Filter {
        @Override
        public String getName() {
            return "pyslice";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return filter(var, interpreter, (Object[]) args, Map.of());
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            List<Object> items = new ArrayList<>();
            boolean text = var instanceof String;
            if (text) {
                for (char c : ((String) var).toCharArray()) {
                    items.add(c);
                }
            } else if (var instanceof Iterable) {
                ((Iterable<?>) var).forEach(items::add);
            } else {
                return var;
            }
            int n = items.size();
            int step = number(args, 2, 1);
            if (step == 0) {
                throw new IllegalArgumentException("chat template: slice step cannot be zero");
            }
            int start = bound(number(args, 0, step > 0 ? 0 : n - 1), n, step);
            int stop = args.length > 1 && args[1] != null ? boundStop(((Number) args[1]).intValue(), n, step) : (step > 0 ? n : -1);
            List<Object> out = new ArrayList<>();
            for (int i = start; step > 0 ? i < stop : i > stop; i += step) {
                out.add(items.get(i));
            }
            if (text) {
                StringBuilder s = new StringBuilder();
                out.forEach(s::append);
                return s.toString();
            }
            return out;
        }

        private static int number(Object[] args, int i, int fallback) {
            return args.length > i && args[i] instanceof Number ? ((Number) args[i]).intValue() : fallback;
        }

        private static int bound(int i, int n, int step) {
            if (i < 0) {
                i += n;
            }
            return step > 0 ? Math.max(0, Math.min(i, n)) : Math.max(-1, Math.min(i, n - 1));
        }

        private static int boundStop(int i, int n, int step) {
            if (i < 0) {
                i += n;
            }
            return step > 0 ? Math.max(0, Math.min(i, n)) : Math.max(-1, Math.min(i, n - 1));
        }
    }
}
