package org.moebatch.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.moebatch.engine.Backends;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Option values checked when the command line is parsed: a job-wide mistake ({@code --max-tokens 0},
 * {@code --top-p 2}, a {@code --tools} file that is not there) stops with exit code 2 and one line
 * naming the option, before a SparkSession exists, instead of turning every row into an error.
 */
final class OptionChecks {
    private OptionChecks() {}

    private static double number(String value) {
        try {
            return Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("\"" + value + "\" is not a number");
        }
    }

    private static long whole(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("\"" + value + "\" is not a whole number");
        }
    }

    private static int integer(long v, String value) {
        if (v > Integer.MAX_VALUE) {
            throw new TypeConversionException(value + " is too large (at most " + Integer.MAX_VALUE + ")");
        }
        return (int) v;
    }

    /** A count of at least 1: tokens, rows in flight, tool steps. */
    static final class Positive implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            long v = whole(value);
            if (v < 1) {
                throw new TypeConversionException(value + " must be at least 1");
            }
            return integer(v, value);
        }
    }

    /** A size or duration of at least 1: MiB, milliseconds, seconds, rows per wave. */
    static final class PositiveLong implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            long v = whole(value);
            if (v < 1) {
                throw new TypeConversionException(value + " must be at least 1");
            }
            return v;
        }
    }

    /** 0 or more, where 0 means "all" or "the default": threads, top-k, partitions. */
    static final class NonNegative implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            long v = whole(value);
            if (v < 0) {
                throw new TypeConversionException(value + " must be 0 or more");
            }
            return integer(v, value);
        }
    }

    /** A sampling temperature: finite and not negative (0 is greedy). */
    static final class Temperature implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            double v = number(value);
            if (!Double.isFinite(v) || v < 0) {
                throw new TypeConversionException(value + " must be a finite number of 0 or more (0 is greedy)");
            }
            return v;
        }
    }

    /** A probability mass in (0, 1]: top-p. */
    static final class Mass implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            double v = number(value);
            if (!(v > 0 && v <= 1)) {
                throw new TypeConversionException(value + " must be greater than 0 and at most 1");
            }
            return v;
        }
    }

    /** A device spec {@link Backends#check} accepts, or {@code auto}. */
    static final class Device implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                return Backends.check(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A file that exists. */
    static final class ExistingFile implements ITypeConverter<Path> {
        @Override
        public Path convert(String value) {
            Path p = Path.of(value);
            if (Files.isDirectory(p)) {
                throw new TypeConversionException(value + " is a directory, not a file");
            }
            if (!Files.isRegularFile(p)) {
                throw new TypeConversionException(value + ": no such file");
            }
            return p;
        }
    }

    /** A local file or directory that exists, or a URL ({@code s3a://...}) that Spark will open. */
    static final class Input implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (!value.contains("://") && !Files.exists(Path.of(value))) {
                throw new TypeConversionException(value + ": no such file or directory");
            }
            return value;
        }
    }

    /** A directory that exists. */
    static final class ExistingDirectory implements ITypeConverter<Path> {
        @Override
        public Path convert(String value) {
            Path p = Path.of(value);
            if (!Files.isDirectory(p)) {
                throw new TypeConversionException(value + (Files.exists(p) ? " is a file, not a directory" : ": no such directory"));
            }
            return p;
        }
    }
}
