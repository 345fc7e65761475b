package io.fmnist.fs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/** Small helpers over Hadoop's FileSystem API: every path in the project is a Hadoop URI, never java.io. */
public final class HadoopFiles {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private HadoopFiles() {}

  /** The file system that serves {@code path}, with I/O failures unchecked. */
  public static FileSystem fileSystem(Path path, Configuration conf) {
    try {
      return path.getFileSystem(conf);
    } catch (IOException e) {
      throw new UncheckedIOException("no file system for " + path, e);
    }
  }

  /** Whether {@code path} exists. */
  public static boolean exists(Path path, Configuration conf) {
    try {
      return fileSystem(path, conf).exists(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + path, e);
    }
  }

  /** Writes {@code value} as indented JSON (Jackson), replacing what was there. */
  public static void writeJson(Path path, Object value, Configuration conf) {
    try {
      writeBytes(path, JSON.writeValueAsBytes(value), conf);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(value.getClass().getSimpleName() + " did not render as JSON", e);
    }
  }

  /** Reads a JSON file as {@code type}; a missing, unreadable or malformed one is an UncheckedIOException. */
  public static <T> T readJson(Path path, Class<T> type, Configuration conf) {
    try {
      return JSON.readValue(readBytes(path, conf), type);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse " + path + " (" + e.getMessage() + ")", e);
    }
  }

  /** Reads a whole (small) text file as UTF-8. */
  public static String readText(Path path, Configuration conf) {
    return new String(readBytes(path, conf), StandardCharsets.UTF_8);
  }

  /** Writes a (small) text file as UTF-8, replacing what was there. */
  public static void writeText(Path path, String text, Configuration conf) {
    writeBytes(path, text.getBytes(StandardCharsets.UTF_8), conf);
  }

  /** Reads a whole (small) file. */
  public static byte[] readBytes(Path path, Configuration conf) {
    try (InputStream in = fileSystem(path, conf).open(path)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  /**
   * Writes a (small) file, replacing what was there. On the local file system straight through
   * java.nio: without Hadoop's native library its local create forks a {@code chmod} per file
   * (about 100 files a second, which image folders of 70,000 files cannot afford).
   */
  public static void writeBytes(Path path, byte[] bytes, Configuration conf) {
    FileSystem fs = fileSystem(path, conf);
    if (fs instanceof LocalFileSystem local) {
      try {
        java.nio.file.Path file = local.pathToFile(path).toPath();
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
        // A checksum Hadoop wrote for an earlier version would fail every later read.
        Files.deleteIfExists(file.resolveSibling("." + file.getFileName() + ".crc"));
        return;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + path, e);
      }
    }
    try (OutputStream out = fs.create(path, true)) {
      out.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + path, e);
    }
  }
}
