package io.fmnist.nightly;

import io.fmnist.fs.HadoopFiles;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lock file on a Hadoop file system, created exclusively: HDFS's create without overwrite is
 * atomic in the NameNode, and on a local disk the file is created with O_EXCL. Object stores
 * (s3a) have no exclusive create; there the scheduler's one-run-at-a-time setting (jobs/) is what
 * keeps two nightly runs apart. A lock older than {@code stale} is taken as left by a crashed run.
 */
public final class RunsLock implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RunsLock.class);

  private final FileSystem fs;
  private final Path path;

  private RunsLock(FileSystem fs, Path path) {
    this.fs = fs;
    this.path = path;
  }

  /** Takes the lock at {@code path}, waiting up to {@code wait} for its holder to let go. */
  public static RunsLock acquire(Path path, Duration wait, Duration stale, Configuration conf) {
    FileSystem fs = HadoopFiles.fileSystem(path, conf);
    String owner = ManagementFactory.getRuntimeMXBean().getName() + " at " + Instant.now();
    long deadline = System.nanoTime() + wait.toNanos();
    boolean waiting = false;
    try {
      while (true) {
        if (tryCreate(fs, path, owner)) {
          return new RunsLock(fs, path);
        }
        FileStatus held = status(fs, path);
        if (held != null && System.currentTimeMillis() - held.getModificationTime() > stale.toMillis()) {
          LOG.warn("{}: breaking a lock older than {} ({})", path, stale, holder(fs, path));
          fs.delete(path, false);
          continue;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(path + ": still locked after " + wait.toSeconds() + " s by "
              + holder(fs, path) + "; another nightly run is in its gate (delete the file if it crashed)");
        }
        if (!waiting) {
          LOG.info("{}: waiting for {}", path, holder(fs, path));
          waiting = true;
        }
        Thread.sleep(200);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot take the lock " + path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + path, e);
    }
  }

  private static boolean tryCreate(FileSystem fs, Path path, String owner) throws IOException {
    byte[] text = owner.getBytes(StandardCharsets.UTF_8);
    if (fs instanceof LocalFileSystem local) {
      // Hadoop's local create(overwrite = false) checks, then opens: not atomic. CREATE_NEW is.
      try {
        Files.write(local.pathToFile(path).toPath(), text, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return true;
      } catch (FileAlreadyExistsException e) {
        return false;
      }
    }
    try (OutputStream out = fs.create(path, false)) {
      out.write(text);
      return true;
    } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
      return false;
    }
  }

  private static FileStatus status(FileSystem fs, Path path) throws IOException {
    try {
      return fs.getFileStatus(path);
    } catch (FileNotFoundException e) {
      return null;
    }
  }

  private static String holder(FileSystem fs, Path path) {
    try {
      return HadoopFiles.readText(path, fs.getConf());
    } catch (UncheckedIOException e) {
      return "a run that just let go";
    }
  }

  @Override
  public void close() {
    try {
      fs.delete(path, false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot release the lock " + path, e);
    }
  }
}
