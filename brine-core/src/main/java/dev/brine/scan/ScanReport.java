package dev.brine.scan;

import java.util.List;

/**
 * The result of scanning one or more paths: one {@link FileReport} per file.
 *
 * @param files   the files scanned, in the order found (folders walked in name order)
 * @param verdict the worst file verdict; SAFE for no files
 */
public record ScanReport(List<FileReport> files, Verdict verdict) {
    public ScanReport {
        files = List.copyOf(files);
    }

    /** A report over {@code files}, its verdict the worst of theirs. */
    public static ScanReport of(List<FileReport> files) {
        Verdict v = Verdict.SAFE;
        for (FileReport f : files) {
            v = v.worst(f.verdict());
        }
        return new ScanReport(files, v);
    }

    /** The exit code of {@code brine scan}: 2 DANGEROUS, 3 UNREADABLE, 1 SUSPICIOUS, 0 SAFE. */
    public int exitCode() {
        return verdict.exitCode();
    }

    /** The report as one JSON object: {@code {"verdict": ..., "files": [{"path", "format", "pickles", ...}]}}. */
    public String toJson() {
        StringBuilder sb = new StringBuilder(256);
        sb.append("{\"verdict\":").append(quote(verdict.name())).append(",\"exitCode\":").append(exitCode())
                .append(",\"files\":[");
        for (int i = 0; i < files.size(); i++) {
            FileReport f = files.get(i);
            sb.append(i == 0 ? "" : ",").append("{\"path\":").append(quote(f.path()))
                    .append(",\"format\":").append(quote(f.format()))
                    .append(",\"verdict\":").append(quote(f.verdict().name()))
                    .append(",\"pickles\":").append(f.pickles())
                    .append(",\"findings\":[");
            for (int j = 0; j < f.findings().size(); j++) {
                Finding x = f.findings().get(j);
                sb.append(j == 0 ? "" : ",").append("{\"verdict\":").append(quote(x.verdict().name()))
                        .append(",\"kind\":").append(quote(x.kind()))
                        .append(",\"location\":").append(quote(x.location()))
                        .append(",\"offset\":").append(x.offset())
                        .append(",\"call\":").append(quote(x.call()))
                        .append(",\"message\":").append(quote(x.message()))
                        .append(",\"rule\":").append(quote(x.rule())).append('}');
            }
            sb.append("]}");
        }
        return sb.append("]}").toString();
    }

    /** A JSON string literal; non-ASCII and control characters escaped so the output is plain ASCII. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
