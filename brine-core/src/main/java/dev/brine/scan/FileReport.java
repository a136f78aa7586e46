package dev.brine.scan;

import java.util.List;

/**
 * What the scanner found in one file.
 *
 * @param path     the file as named on the command line or found in a folder
 * @param format   the layout recognised: {@code pickle}, {@code torch-zip}, {@code torch-legacy}, {@code npy},
 *                 {@code zip}, {@code joblib}, or {@code unknown}; a compression wrapper comes first
 *                 ({@code gzip+pickle}), and a ZIP archive found after other data, as Python's zipfile finds it,
 *                 comes last ({@code pickle+zip}) or alone ({@code zip-after-data})
 * @param pickles  how many pickles were emulated, nested ones included
 * @param findings every finding, in file order within each pickle
 * @param verdict  the worst verdict among the findings, SAFE if there are none, UNREADABLE if it could not be read
 */
public record FileReport(String path, String format, int pickles, List<Finding> findings, Verdict verdict) {
    public FileReport {
        findings = List.copyOf(findings);
    }
}
