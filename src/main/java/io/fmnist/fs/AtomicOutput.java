package io.fmnist.fs;

import io.fmnist.errors.UsageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * An output written aside and moved into place only when complete, on any Hadoop FileSystem.
 *
 * <p>Work goes into a hidden sibling of the target ({@code .name.tmp-<uuid>}); {@link #commit()}
 * renames it onto the target, and {@link #close()} without a commit deletes it, so a failed
 * or interrupted stage leaves nothing at the target. An existing target is refused unless
 * overwriting was asked for, and is then replaced only after the new output is complete.
 */
public final class AtomicOutput implements AutoCloseable {

  private final FileSystem fs;
  private final Path target;
  private final Path staging;
  private final boolean overwrite;
  private boolean committed;

  private AtomicOutput(FileSystem fs, Path target, boolean overwrite) {
    this.fs = fs;
    this.target = target;
    this.overwrite = overwrite;
    this.staging = sibling(target, "tmp");
  }

  /**
   * Starts an output at {@code uri}: refuses an existing target unless {@code overwrite}.
   * Nothing is created yet; the first writer creates the staging path.
   */
  public static AtomicOutput begin(String uri, boolean overwrite, Configuration conf) {
    Path target = new Path(uri);
    FileSystem fs = HadoopFiles.fileSystem(target, conf);
    try {
      target = fs.makeQualified(target);
      if (fs.exists(target) && !overwrite) {
        throw new UsageException(target + ": already exists; pass --overwrite to replace it");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + target, e);
    }
    return new AtomicOutput(fs, target, overwrite);
  }

  /**
   * The whole cycle for an output one call writes: {@code writer} fills the staging path, which
   * is then moved onto the target at {@code uri} (refused if it exists, unless {@code overwrite}).
   */
  public static void write(String uri, boolean overwrite, Configuration conf, Consumer<Path> writer) {
    try (AtomicOutput out = begin(uri, overwrite, conf)) {
      writer.accept(out.staging());
      out.commit();
    }
  }

  /** Where the stage writes; the target's content, once committed. */
  public Path staging() {
    return staging;
  }

  /** The final location. */
  public Path target() {
    return target;
  }

  /** Moves the finished output onto the target, replacing an old one only if overwriting was asked for. */
  public void commit() {
    try {
      Path parent = target.getParent();
      if (parent != null) {
        fs.mkdirs(parent);
      }
      Path old = null;
      if (fs.exists(target)) {
        if (!overwrite) {
          throw new UsageException(target + ": appeared while writing; not replacing it");
        }
        old = sibling(target, "old");
        rename(target, old);
      }
      rename(staging, target);
      committed = true;
      if (old != null) {
        fs.delete(old, true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot move " + staging + " to " + target, e);
    }
  }

  /** Deletes the staging path unless the output was committed. */
  @Override
  public void close() {
    if (committed) {
      return;
    }
    try {
      fs.delete(staging, true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + staging, e);
    }
  }

  private void rename(Path from, Path to) throws IOException {
    if (!fs.rename(from, to)) {
      throw new IOException("rename of " + from + " to " + to + " failed");
    }
  }

  private static Path sibling(Path target, String kind) {
    return new Path(target.getParent(), "." + target.getName() + "." + kind + "-" + UUID.randomUUID());
  }
}
