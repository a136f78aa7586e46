package dev.brine.value;

/**
 * A persistent id (PERSID or BINPERSID) read when the unpickler has no persistent-load hook. Writing it back
 * produces the same persistent id.
 *
 * @param id the persistent id: a {@code String} for PERSID, any value for BINPERSID
 */
public record PersistentRef(Object id) implements java.io.Serializable {
}
