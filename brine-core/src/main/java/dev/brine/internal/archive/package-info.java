/**
 * The ZIP container of PyTorch checkpoints: {@link dev.brine.internal.archive.ZipReader} reads an archive from a
 * file (entries memory-mapped, not copied) or from memory, and {@link dev.brine.internal.archive.ZipWriter} writes
 * one the way {@code torch.save} does (stored entries, UTF-8 names, data aligned to 64 bytes by an {@code "FB"}
 * extra field, zip64 records when offsets pass 4 GiB).
 *
 * <p>The reader follows what {@code torch.load} (miniz) and Python's {@code zipfile} accept: the central directory
 * is the truth, sizes and CRCs come from it (torch writes data descriptors and leaves the local header's sizes at
 * zero), and only the local header's name and lengths are read to find where an entry's data begins. Every
 * malformed archive ends in a {@link dev.brine.PickleException} naming the entry (or {@code "zip"} for the archive
 * as a whole) and the offset.
 *
 * <p>This package is not exported; {@code dev.brine.torch} is its user.
 */
package dev.brine.internal.archive;
