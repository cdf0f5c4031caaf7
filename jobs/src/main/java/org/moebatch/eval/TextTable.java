package org.moebatch.eval;

import java.util.List;
import org.moebatch.report.JobReport;

/** A table as aligned text for a terminal: text columns to the left, numbers to the right. */
final class TextTable {
    private TextTable() {}

    static String render(JobReport.Table table) {
        int columns = table.header().size();
        int[] width = new int[columns];
        boolean[] numeric = new boolean[columns];
        java.util.Arrays.fill(numeric, true);
        for (int c = 0; c < columns; c++) {
            width[c] = table.header().get(c).length();
        }
        for (List<String> row : table.rows()) {
            for (int c = 0; c < columns; c++) {
                String cell = row.get(c);
                width[c] = Math.max(width[c], cell.length());
                numeric[c] &= cell.isEmpty() || cell.equals("-") || cell.matches("[-+]?[0-9.]+");
            }
        }
        StringBuilder out = new StringBuilder();
        line(out, table.header(), width, numeric);
        for (List<String> row : table.rows()) {
            line(out, row, width, numeric);
        }
        return out.toString();
    }

    private static void line(StringBuilder out, List<String> cells, int[] width, boolean[] numeric) {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < cells.size(); c++) {
            if (c > 0) {
                line.append("  ");
            }
            String cell = cells.get(c);
            String pad = " ".repeat(width[c] - cell.length());
            line.append(numeric[c] ? pad + cell : cell + pad);
        }
        out.append(line.toString().stripTrailing()).append('\n');
    }
}
