package dev.brine.scan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What the scanner takes for data and what for code: an immutable set of rules, each with the reason it is there.
 * {@link #defaults()} is Brine's own policy; extend it with {@link #toBuilder()} or write one from nothing with
 * {@link #builder()}, then hand it to {@link Scanner.Builder#policy(Policy)}.
 *
 * <pre>{@code
 * Policy policy = Policy.defaults().toBuilder()
 *         .allow("mymod.MyType", "our own value type")
 *         .instantiable("mylib.", "classes whose __setstate__ only stores state")
 *         .deny("mylib.exec_thing", "runs a script")
 *         .build();
 * Scanner scanner = Scanner.builder().policy(policy).build();
 * }</pre>
 *
 * <p>A global ({@code module}, {@code name}, the name possibly dotted) is judged by the first of these that matches:
 * <ol>
 *   <li>{@code deny} of exactly {@code module.name}: DANGEROUS;</li>
 *   <li>{@code allow} of exactly {@code module.name}: SAFE;</li>
 *   <li>{@code deny} of the module, a module it is in, or a name the dotted name is an attribute of: DANGEROUS;</li>
 *   <li>a part of a dotted name that is a dunder ({@code __globals__}), a {@code deny-attribute} word, or a
 *       one-word denied module ({@code pathlib.os.system}); or a part of the module that is a
 *       {@code deny-module-part} word ({@code mypkg.vendor.subprocess}): DANGEROUS (the dunder rule is in every
 *       policy);</li>
 *   <li>an {@code allow} pattern with {@code *} ({@code numpy.dtypes.*DType}): SAFE;</li>
 *   <li>{@code instantiable}: SAFE to import and to instantiate from its state, SUSPICIOUS to call;</li>
 *   <li>otherwise SUSPICIOUS: unknown to the policy.</li>
 * </ol>
 * A later {@code deny} removes earlier {@code allow} entries for that name and the names under it, and a later
 * {@code allow} removes an earlier {@code deny} of exactly that name, so an extension overrides the defaults.
 *
 * <p>In patterns, {@code *} matches letters, digits and {@code _} within one dotted part (not a leading {@code _}
 * unless the pattern has one there), {@code **} also matches dots, and {@code [A-Z]} is a character class.
 */
public final class Policy {
    /** The kinds of rule, as spelled in a policy file. */
    public enum Kind {
        /** A data type or rebuilder: SAFE. */
        ALLOW("allow"),
        /** A code-running name or module: DANGEROUS. */
        DENY("deny"),
        /** A word that, as any part of a dotted name, makes the name DANGEROUS. */
        DENY_ATTRIBUTE("deny-attribute"),
        /** A word that, as any part of a module name, makes the name DANGEROUS. */
        DENY_MODULE_PART("deny-module-part"),
        /** Classes that may be instantiated from their state but not called. */
        INSTANTIABLE("instantiable"),
        /** Built into every policy: interpreter internals, and the verdict for names no rule covers. */
        BUILT_IN("built-in");

        private final String spelling;

        Kind(String spelling) {
            this.spelling = spelling;
        }

        /** The keyword of this kind in a policy file. */
        public String spelling() {
            return spelling;
        }
    }

    /**
     * One rule of a policy.
     *
     * @param kind    what the rule does
     * @param pattern the name, module, prefix, pattern or word it applies to
     * @param reason  why it is there, in a few words; may be empty
     */
    public record Rule(Kind kind, String pattern, String reason) {
        /** Checks the components. */
        public Rule {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(pattern, "pattern");
            reason = reason == null ? "" : reason;
        }

        /** As a policy file line: {@code deny os  # runs system commands}. */
        @Override
        public String toString() {
            return kind.spelling() + " " + pattern + (reason.isEmpty() ? "" : "  # " + reason);
        }
    }

    /**
     * The verdict for one global and the rule that decided it.
     *
     * @param verdict SAFE, SUSPICIOUS or DANGEROUS
     * @param rule    the deciding rule
     */
    public record Decision(Verdict verdict, Rule rule) {
        /** Whether the name is SAFE only to instantiate from its state, not to call. */
        public boolean instantiableOnly() {
            return rule.kind() == Kind.INSTANTIABLE;
        }
    }

    static final Rule DUNDER = new Rule(Kind.BUILT_IN, "__*__",
            "a dunder on a dotted path (__globals__, __subclasses__, __builtins__) reaches interpreter internals");
    static final Rule UNKNOWN = new Rule(Kind.BUILT_IN, "unknown",
            "no rule covers this name: importing it runs its module's code, and what it does is not known");

    private static final Policy DEFAULTS = NamePolicy.defaults(builder()).build();

    private final Map<String, Rule> allowExact;
    private final List<Rule> allowPatterns;
    private final List<Pattern> allowRegexes;
    private final Map<String, Rule> deny;
    private final Map<String, Rule> denyAttributes;
    private final Map<String, Rule> denyModuleParts;
    private final List<Rule> instantiable;
    private final List<Pattern> instantiableRegexes;

    private Policy(Builder b) {
        allowExact = Collections.unmodifiableMap(new LinkedHashMap<>(b.allowExact));
        allowPatterns = List.copyOf(b.allowPatterns.values());
        List<Pattern> ar = new ArrayList<>();
        for (Rule r : allowPatterns) {
            ar.add(glob(r.pattern()));
        }
        allowRegexes = List.copyOf(ar);
        deny = Collections.unmodifiableMap(new LinkedHashMap<>(b.deny));
        denyAttributes = Collections.unmodifiableMap(new LinkedHashMap<>(b.denyAttributes));
        denyModuleParts = Collections.unmodifiableMap(new LinkedHashMap<>(b.denyModuleParts));
        instantiable = List.copyOf(b.instantiable.values());
        List<Pattern> ir = new ArrayList<>();
        for (Rule r : instantiable) {
            ir.add(r.pattern().endsWith(".") ? null : glob(r.pattern()));
        }
        instantiableRegexes = Collections.unmodifiableList(ir);
    }

    /** Brine's policy: the data types of the stdlib, numpy, torch, pandas, scipy and scikit-learn, and the curated
     * code-running names and modules. */
    public static Policy defaults() {
        return DEFAULTS;
    }

    /** An empty policy to build on: everything but dunder paths is SUSPICIOUS until rules are added. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this policy's rules, to extend or override them. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.allowExact.putAll(allowExact);
        for (Rule r : allowPatterns) {
            b.allowPatterns.put(r.pattern(), r);
        }
        b.deny.putAll(deny);
        b.denyAttributes.putAll(denyAttributes);
        b.denyModuleParts.putAll(denyModuleParts);
        for (Rule r : instantiable) {
            b.instantiable.put(r.pattern(), r);
        }
        return b;
    }

    /**
     * Every rule, in an order that rebuilds this policy when added one after another to an empty builder: deny,
     * deny-attribute, deny-module-part, allow, instantiable.
     */
    public List<Rule> rules() {
        List<Rule> all = new ArrayList<>(deny.values());
        all.addAll(denyAttributes.values());
        all.addAll(denyModuleParts.values());
        all.addAll(allowExact.values());
        all.addAll(allowPatterns);
        all.addAll(instantiable);
        return Collections.unmodifiableList(all);
    }

    /**
     * The policy as a policy file: {@code replace}, then every rule with its reason, one a line. {@link #parse}
     * reads it back to a policy that judges every name the same way.
     */
    public String toText() {
        StringBuilder sb = new StringBuilder("replace\n");
        for (Rule r : rules()) {
            sb.append(r).append('\n');
        }
        return sb.toString();
    }

    /**
     * Judges a global as CPython's {@code find_class} imports it.
     *
     * @param module the module, after the {@code _compat_pickle} renames
     * @param name   the name looked up in it, possibly dotted
     * @return the verdict and the rule that decided it
     */
    public Decision judge(String module, String name) {
        Objects.requireNonNull(module, "module");
        Objects.requireNonNull(name, "name");
        String qualified = module + "." + name;
        Rule r = deny.get(qualified);
        if (r != null) {
            return new Decision(Verdict.DANGEROUS, r);
        }
        r = allowExact.get(qualified);
        if (r != null) {
            return new Decision(Verdict.SAFE, r);
        }
        // The module, or a module it is in; then each prefix of the dotted name.
        String m = module;
        while (true) {
            r = deny.get(m);
            if (r != null) {
                return new Decision(Verdict.DANGEROUS, r);
            }
            int dot = m.lastIndexOf('.');
            if (dot < 0) {
                break;
            }
            m = m.substring(0, dot);
        }
        String[] parts = name.split("\\.", -1);
        StringBuilder prefix = new StringBuilder(module);
        for (String part : parts) {
            prefix.append('.').append(part);
            r = deny.get(prefix.toString());
            if (r != null) {
                return new Decision(Verdict.DANGEROUS, r);
            }
        }
        for (String part : parts) {
            if (part.startsWith("__") && part.endsWith("__") && part.length() > 4) {
                return new Decision(Verdict.DANGEROUS, DUNDER);
            }
            r = denyAttributes.get(part);
            if (r == null && part.indexOf('.') < 0) {
                r = deny.get(part);
            }
            if (r != null) {
                return new Decision(Verdict.DANGEROUS, r);
            }
        }
        for (String part : module.split("\\.", -1)) {
            r = denyModuleParts.get(part);
            if (r != null) {
                return new Decision(Verdict.DANGEROUS, r);
            }
        }
        for (int i = 0; i < allowPatterns.size(); i++) {
            if (allowRegexes.get(i).matcher(qualified).matches()) {
                return new Decision(Verdict.SAFE, allowPatterns.get(i));
            }
        }
        for (int i = 0; i < instantiable.size(); i++) {
            Rule ir = instantiable.get(i);
            Pattern p = instantiableRegexes.get(i);
            boolean hit = p == null
                    ? (module + ".").startsWith(ir.pattern()) && isClassName(name)
                    : p.matcher(qualified).matches();
            if (hit) {
                return new Decision(Verdict.SAFE, ir);
            }
        }
        return new Decision(Verdict.SUSPICIOUS, UNKNOWN);
    }

    /** A plain class name as libraries spell them: CapWords, or scipy's lower-case sparse classes. */
    static boolean isClassName(String name) {
        if (name.isEmpty() || name.indexOf('.') >= 0) {
            return false;
        }
        if (Character.isUpperCase(name.charAt(0))) {
            return name.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '_');
        }
        return name.matches("[a-z]{3}_(matrix|array)");
    }

    private static Pattern glob(String pattern) {
        StringBuilder re = new StringBuilder();
        int n = pattern.length();
        for (int i = 0; i < n; i++) {
            char c = pattern.charAt(i);
            if (c == '*') {
                boolean twice = i + 1 < n && pattern.charAt(i + 1) == '*';
                boolean partStart = i == 0 || pattern.charAt(i - 1) == '.';
                if (twice) {
                    re.append("[A-Za-z0-9_.]*");
                    i++;
                } else if (partStart) {
                    re.append("(?:[A-Za-z0-9][A-Za-z0-9_]*)?");
                } else {
                    re.append("[A-Za-z0-9_]*");
                }
            } else if (c == '[') {
                int close = pattern.indexOf(']', i);
                String cls = pattern.substring(i + 1, close);
                re.append('[').append(cls.replace("\\", "\\\\").replace("[", "\\[")).append(']');
                i = close;
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }

    /** Checks a name or pattern as the builder and the file parser accept them; the message says what is wrong. */
    private static String problem(Kind kind, String pattern) {
        if (pattern.isEmpty()) {
            return "needs a name";
        }
        String allowed = kind == Kind.DENY_ATTRIBUTE || kind == Kind.DENY_MODULE_PART ? "[A-Za-z0-9_]+"
                : kind == Kind.DENY ? "[A-Za-z0-9_]+(\\.[A-Za-z0-9_]+)*"
                : "[A-Za-z0-9_*\\[\\]\\-.]+";
        if (!pattern.matches(allowed)) {
            return "'" + pattern + "' is not a " + (kind == Kind.DENY_ATTRIBUTE || kind == Kind.DENY_MODULE_PART
                    ? "single word" : kind == Kind.DENY ? "dotted name" : "dotted name or pattern");
        }
        if (kind == Kind.ALLOW && pattern.indexOf('.') < 0 && !pattern.contains("*")) {
            return "'" + pattern + "' names a module, not a name in it (allow takes module.name)";
        }
        if (pattern.startsWith(".") || pattern.contains("..") || (pattern.endsWith(".") && kind != Kind.INSTANTIABLE)) {
            return "'" + pattern + "' has an empty dotted part";
        }
        int depth = 0;
        for (char c : pattern.toCharArray()) {
            depth += c == '[' ? 1 : c == ']' ? -1 : 0;
            if (depth < 0 || depth > 1) {
                return "'" + pattern + "' has unbalanced [ ]";
            }
        }
        return depth == 0 ? null : "'" + pattern + "' has unbalanced [ ]";
    }

    /**
     * Reads a policy file: one rule a line, {@code #} starts a comment (its text after a rule is the rule's reason),
     * blank lines are ignored.
     *
     * <pre>
     * replace                         # start from an empty policy instead of Brine's (first rule only)
     * allow mymod.MyType              # our value type: its __setstate__ only stores fields
     * allow numpy.dtypes.*DType       # patterns: * within a dotted part, ** across parts, [A-Z] classes
     * deny mylib.exec_thing           # a name, or a module and everything in it
     * deny-attribute run_script       # any dotted name with this part
     * deny-module-part vendored_os    # any module with this part
     * instantiable mylib.models.      # a trailing dot: every class in modules under it; else a name or pattern
     * </pre>
     *
     * @param lines the file's lines
     * @param base  the policy a file without {@code replace} extends, usually {@link #defaults()}
     * @param name  the file's name, for messages
     * @throws FileException naming the file and line of the first bad rule
     */
    public static Policy parse(List<String> lines, Policy base, String name) {
        Builder b = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (i == 0 && line.startsWith("\uFEFF")) {
                line = line.substring(1);   // a byte order mark, as some editors write
            }
            String reason = "";
            int hash = line.indexOf('#');
            if (hash >= 0) {
                reason = line.substring(hash + 1).strip();
                line = line.substring(0, hash);
            }
            line = line.strip();
            if (line.isEmpty()) {
                continue;
            }
            String where = name + " line " + (i + 1) + ": ";
            String[] words = line.split("\\s+");
            if (words[0].equals("replace")) {
                if (b != null) {
                    throw new FileException(i + 1, where + "'replace' must come before every rule");
                }
                if (words.length != 1) {
                    throw new FileException(i + 1, where + "'replace' takes nothing after it");
                }
                b = builder();
                continue;
            }
            if (b == null) {
                b = base.toBuilder();
            }
            Kind kind = null;
            for (Kind k : Kind.values()) {
                if (k != Kind.BUILT_IN && k.spelling().equals(words[0])) {
                    kind = k;
                }
            }
            if (kind == null) {
                throw new FileException(i + 1, where + "unknown rule '" + words[0] + "' (expected replace, allow, deny, "
                        + "deny-attribute, deny-module-part or instantiable)");
            }
            if (words.length != 2) {
                throw new FileException(i + 1, where + "'" + words[0] + "' takes exactly one name, got "
                        + (words.length - 1));
            }
            try {
                b.add(kind, words[1], reason);
            } catch (IllegalArgumentException e) {
                throw new FileException(i + 1, where + e.getMessage());
            }
        }
        return b == null ? base : b.build();
    }

    /**
     * Reads a policy file (UTF-8) as {@link #parse} does, extending {@link #defaults()} unless it starts with
     * {@code replace}.
     *
     * @throws IOException     if the file cannot be read
     * @throws FileException  naming the line of the first bad rule
     */
    public static Policy read(Path file) throws IOException {
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8), defaults(), file.toString());
    }

    /** A policy file with a bad rule: the message names the file, the line and what is wrong. */
    public static final class FileException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final int line;

        FileException(int line, String message) {
            super(message);
            this.line = line;
        }

        /** The line of the bad rule, counted from 1. */
        public int line() {
            return line;
        }
    }

    /** Builds a {@link Policy}; later rules override earlier ones for the names they cover. */
    public static final class Builder {
        private final Map<String, Rule> allowExact = new LinkedHashMap<>();
        private final Map<String, Rule> allowPatterns = new LinkedHashMap<>();
        private final Map<String, Rule> deny = new LinkedHashMap<>();
        private final Map<String, Rule> denyAttributes = new LinkedHashMap<>();
        private final Map<String, Rule> denyModuleParts = new LinkedHashMap<>();
        private final Map<String, Rule> instantiable = new LinkedHashMap<>();

        private Builder() {
        }

        /** {@code allow module.name} (or a pattern with {@code *}): SAFE. Removes a deny of exactly that name. */
        public Builder allow(String name, String reason) {
            return add(Kind.ALLOW, name, reason);
        }

        /** {@link #allow(String, String)} without a reason. */
        public Builder allow(String name) {
            return allow(name, "");
        }

        /**
         * {@code deny module[.name]}: the name, everything in the module (and its submodules), and the attributes of
         * the name are DANGEROUS. Removes earlier allow rules for those names.
         */
        public Builder deny(String name, String reason) {
            return add(Kind.DENY, name, reason);
        }

        /** {@link #deny(String, String)} without a reason. */
        public Builder deny(String name) {
            return deny(name, "");
        }

        /** A word that, as any part of a dotted name ({@code x.y.system}), makes the name DANGEROUS. */
        public Builder denyAttribute(String word, String reason) {
            return add(Kind.DENY_ATTRIBUTE, word, reason);
        }

        /** A word that, as any part of a module name ({@code pkg.vendor.os}), makes its names DANGEROUS. */
        public Builder denyModulePart(String word, String reason) {
            return add(Kind.DENY_MODULE_PART, word, reason);
        }

        /**
         * Classes that may be instantiated from their state ({@code NEWOBJ}, {@code cls.__new__},
         * {@code copyreg._reconstructor} then {@code BUILD}) but not called: a prefix ending in {@code .} covers
         * every class name in modules under it, anything else is an exact name or pattern.
         */
        public Builder instantiable(String prefixOrName, String reason) {
            return add(Kind.INSTANTIABLE, prefixOrName, reason);
        }

        /** {@link #instantiable(String, String)} without a reason. */
        public Builder instantiable(String prefixOrName) {
            return instantiable(prefixOrName, "");
        }

        /**
         * Adds a rule of any kind but {@link Kind#BUILT_IN}.
         *
         * @throws IllegalArgumentException if the name is malformed for its kind
         */
        public Builder add(Kind kind, String pattern, String reason) {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(pattern, "pattern");
            if (kind == Kind.BUILT_IN) {
                throw new IllegalArgumentException("built-in rules cannot be added");
            }
            if (reason != null && (reason.indexOf('\n') >= 0 || reason.indexOf('\r') >= 0)) {
                throw new IllegalArgumentException(kind.spelling() + ": a reason is one line");
            }
            String problem = problem(kind, pattern);
            if (problem != null) {
                throw new IllegalArgumentException(kind.spelling() + ": " + problem);
            }
            if ((kind == Kind.ALLOW || kind == Kind.INSTANTIABLE) && (pattern.contains("*") || pattern.contains("["))) {
                try {
                    glob(pattern);
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException(kind.spelling() + ": '" + pattern + "' is no valid pattern ("
                            + e.getMessage().lines().findFirst().orElse("") + ")");
                }
            }
            Rule rule = new Rule(kind, pattern, reason);
            switch (kind) {
                case ALLOW:
                    deny.remove(pattern);
                    (pattern.contains("*") || pattern.contains("[") ? allowPatterns : allowExact).put(pattern, rule);
                    break;
                case DENY:
                    allowExact.keySet().removeIf(k -> k.equals(pattern) || k.startsWith(pattern + "."));
                    allowPatterns.keySet().removeIf(k -> k.equals(pattern) || k.startsWith(pattern + "."));
                    deny.put(pattern, rule);
                    break;
                case DENY_ATTRIBUTE:
                    denyAttributes.put(pattern, rule);
                    break;
                case DENY_MODULE_PART:
                    denyModuleParts.put(pattern, rule);
                    break;
                default:
                    instantiable.put(pattern, rule);
                    break;
            }
            return this;
        }

        /** The immutable policy. */
        public Policy build() {
            return new Policy(this);
        }
    }
}
