package dev.procshare.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A bar chart of a report's ratios (procshare vs Python, log scale, 1× marked): one bar per table row whose
 * last cell is a ratio like {@code 4.0×}. Plain SVG, no library.
 */
final class SvgChart {
    private SvgChart() {
    }

    record Bar(String label, double ratio) {
    }

    static List<Bar> bars(String markdown) {
        List<Bar> bars = new ArrayList<>();
        for (String line : markdown.split("\\R")) {
            if (!line.startsWith("| ") || line.startsWith("| work")) {
                continue;
            }
            String[] cells = line.split("\\|");
            if (cells.length < 5) {
                continue;
            }
            String last = cells[cells.length - 1].isBlank() ? cells[cells.length - 2].trim() : cells[cells.length - 1].trim();
            if (!last.endsWith("×")) {
                continue;
            }
            try {
                bars.add(new Bar(cells[1].trim().replace("`", ""), Double.parseDouble(last.substring(0, last.length() - 1))));
            } catch (NumberFormatException ignored) {
                // not a ratio
            }
        }
        return bars;
    }

    static String render(String title, String markdown) {
        List<Bar> bars = bars(markdown);
        int labelWidth = 560;
        int plotWidth = 420;
        int rowHeight = 22;
        int top = 40;
        int height = top + rowHeight * bars.size() + 40;
        double min = 0.01;
        double max = 1000;
        double span = Math.log10(max) - Math.log10(min);
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n",
                labelWidth + plotWidth + 80, height));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">%s</text>%n",
                escape(title)));
        for (double tick : new double[] {0.01, 0.1, 1, 10, 100, 1000}) {
            double x = labelWidth + plotWidth * (Math.log10(tick) - Math.log10(min)) / span;
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\"/>%n", x, top - 5, x,
                    height - 30, tick == 1 ? "black" : "#ddd"));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s×</text>%n", x,
                    height - 15, tick < 1 ? Double.toString(tick) : Long.toString((long) tick)));
        }
        double one = labelWidth + plotWidth * (0 - Math.log10(min)) / span;
        for (int i = 0; i < bars.size(); i++) {
            Bar b = bars.get(i);
            int y = top + i * rowHeight;
            double r = Math.max(min, Math.min(max, b.ratio()));
            double x = labelWidth + plotWidth * (Math.log10(r) - Math.log10(min)) / span;
            double from = Math.min(one, x);
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n",
                    labelWidth - 8, y + 14, escape(shorten(b.label()))));
            svg.append(String.format(Locale.ROOT,
                    "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>%n", from, y + 3,
                    Math.max(1, Math.abs(x - one)), rowHeight - 6, b.ratio() >= 1 ? "#2a7ab9" : "#d9822b"));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%s×</text>%n",
                    Math.max(x, one) + 4, y + 14, String.format(Locale.ROOT, "%.1f", b.ratio())));
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static String shorten(String s) {
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
