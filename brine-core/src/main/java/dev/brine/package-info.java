/**
 * Reading and writing Python pickles. Start with {@link dev.brine.Pickle} for the common cases, or build an
 * {@link dev.brine.Unpickler} to choose options and limits.
 */
package dev.brine;
