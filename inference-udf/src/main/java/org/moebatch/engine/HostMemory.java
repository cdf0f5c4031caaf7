package org.moebatch.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The host's memory as the kernel reports it: what a new engine can use without pushing out other pages. */
public final class HostMemory {
    private HostMemory() {}

    /** {@code MemAvailable} of /proc/meminfo in bytes, or -1 where the kernel does not say. */
    public static long availableBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux, or an unexpected format: no check rather than a wrong one
        }
        return -1;
    }
}
