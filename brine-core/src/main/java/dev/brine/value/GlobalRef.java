package dev.brine.value;

import java.util.Objects;

/**
 * A reference to a Python global, such as a class or function, named by module and qualified name. Brine never
 * resolves it to Java code: it is an inert name.
 *
 * @param module the module, for example {@code "collections"}
 * @param name   the qualified name within the module, for example {@code "OrderedDict"}; may contain dots
 */
public record GlobalRef(String module, String name) implements java.io.Serializable {
    public GlobalRef {
        Objects.requireNonNull(module, "module");
        Objects.requireNonNull(name, "name");
    }

    /** Shorthand for {@code new GlobalRef(module, name)}. */
    public static GlobalRef of(String module, String name) {
        return new GlobalRef(module, name);
    }

    // equals and hashCode written out: a record's generated ones bootstrap java.lang.runtime.ObjectMethods through
    // invokedynamic on first use, which costs tens of milliseconds in the first load of a fresh JVM.

    @Override
    public boolean equals(Object o) {
        return o instanceof GlobalRef && module.equals(((GlobalRef) o).module) && name.equals(((GlobalRef) o).name);
    }

    @Override
    public int hashCode() {
        return module.hashCode() * 31 + name.hashCode();
    }

    /** {@code module.name}, as Python writes it. */
    @Override
    public String toString() {
        return module + "." + name;
    }
}
