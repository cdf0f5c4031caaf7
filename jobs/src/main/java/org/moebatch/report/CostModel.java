package org.moebatch.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;

/**
 * The economics of a run: device-hours, energy, electricity and depreciation on owned hardware,
 * and what the same tokens cost through APIs. Numbers come from {@code conf/costs.properties}
 * (bundled in the jar), each one overridable.
 */
public record CostModel(double gpuWatts, double cpuCoreWatts, double gpuPriceUsd, double cpuCorePriceUsd,
        double depreciationYears, double electricityUsdPerKwh, double pue, List<ApiPrice> apis) {

    /** An API's list price, USD per million input and output tokens. */
    public record ApiPrice(String name, double inputUsdPerMtok, double outputUsdPerMtok) {}

    /** The run's bill, and what each API would have charged for the same tokens. */
    public record Ledger(String deviceKind, int devices, double deviceHours, double energyKwh, double electricityUsd,
            double depreciationUsd, double totalUsd, long promptTokens, long completionTokens, List<ApiBill> apis) {
        /** Cost per million tokens, input and output together. */
        public double usdPerMillionTokens() {
            long tokens = promptTokens + completionTokens;
            return tokens == 0 ? 0 : totalUsd / tokens * 1e6;
        }
    }

    public record ApiBill(String name, double usd) {}

    static final String RESOURCE = "/org/moebatch/report/costs.properties";

    /** The defaults of {@code conf/costs.properties}, or of {@code file} when given, with {@code overrides} on top. */
    public static CostModel load(Path file, Map<String, String> overrides) throws IOException {
        Properties p = new Properties();
        if (file != null) {
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(in);
            }
        } else {
            try (InputStream in = CostModel.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IOException("the jar lacks " + RESOURCE + " (built without conf/costs.properties?)");
                }
                p.load(in);
            }
        }
        overrides.forEach((k, v) -> {
            if (!p.containsKey(k) && !k.startsWith("api.")) {
                throw new IllegalArgumentException("--cost " + k + ": unknown key (known: " + new TreeSet<>(p.stringPropertyNames()) + ")");
            }
            p.setProperty(k, v);
        });
        return fromProperties(p);
    }

    static CostModel fromProperties(Properties p) {
        List<ApiPrice> apis = new ArrayList<>();
        for (String key : new TreeSet<>(p.stringPropertyNames())) {
            if (key.startsWith("api.") && key.endsWith(".input_usd_per_mtok")) {
                String name = key.substring(4, key.length() - ".input_usd_per_mtok".length());
                apis.add(new ApiPrice(name, number(p, key), number(p, "api." + name + ".output_usd_per_mtok")));
            }
        }
        return new CostModel(number(p, "device.gpu.watts"), number(p, "device.cpu-core.watts"),
                number(p, "device.gpu.price_usd"), number(p, "device.cpu-core.price_usd"),
                number(p, "depreciation_years"), number(p, "electricity_usd_per_kwh"), number(p, "pue"), apis);
    }

    private static double number(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null) {
            throw new IllegalArgumentException("cost setting " + key + " is missing");
        }
        try {
            double d = Double.parseDouble(v.trim());
            if (!(d >= 0) || Double.isInfinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("cost setting " + key + "=" + v + " is not a non-negative number");
        }
    }

    /**
     * The ledger of a run that held {@code devices} devices ({@code gpu}, or {@code cpu-core}) for
     * {@code wallSeconds}: device-hours x watts x PUE is the energy; device-hours x price over the
     * depreciation period is the hardware's share.
     */
    public Ledger ledger(String deviceKind, int devices, double wallSeconds, long promptTokens, long completionTokens) {
        boolean gpu = deviceKind.equals("gpu");
        double hours = devices * wallSeconds / 3600;
        double kwh = hours * (gpu ? gpuWatts : cpuCoreWatts) / 1000 * pue;
        double electricity = kwh * electricityUsdPerKwh;
        double depreciation = depreciationYears == 0 ? 0
                : hours * (gpu ? gpuPriceUsd : cpuCorePriceUsd) / (depreciationYears * 8760);
        List<ApiBill> bills = new ArrayList<>();
        for (ApiPrice api : apis) {
            bills.add(new ApiBill(api.name(), (promptTokens * api.inputUsdPerMtok() + completionTokens * api.outputUsdPerMtok()) / 1e6));
        }
        return new Ledger(deviceKind, devices, hours, kwh, electricity, depreciation, electricity + depreciation,
                promptTokens, completionTokens, bills);
    }
}
