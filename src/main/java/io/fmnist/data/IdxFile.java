package io.fmnist.data;

import io.fmnist.errors.BadInputException;
import io.fmnist.fs.HadoopFiles;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * One IDX file of unsigned bytes on any Hadoop FileSystem, gzip-compressed or raw (told apart by
 * its first bytes, not its name). Opening it checks the header; {@link #scan} checks the whole
 * content; {@link #openRecords} streams records from any position. Serializable, so Spark tasks
 * can read their own range of records.
 */
public final class IdxFile implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final int BUFFER = 1 << 16;
  /** Larger records than this (16 MiB) are not images; refusing them keeps every buffer bounded. */
  private static final long MAX_RECORD_BYTES = 1L << 24;

  private final String uri;
  private final boolean gzip;
  private final IdxHeader header;

  private IdxFile(String uri, boolean gzip, IdxHeader header) {
    this.uri = uri;
    this.gzip = gzip;
    this.header = header;
  }

  /**
   * Opens the file at {@code uri} and checks its header: IDX magic, unsigned-byte type,
   * {@code expectedDims} dimensions, positive sizes and, for a raw file, a length that matches.
   *
   * @throws BadInputException naming the file and the problem
   */
  public static IdxFile open(String uri, int expectedDims, Configuration conf) {
    Path path = new Path(uri);
    FileSystem fs = HadoopFiles.fileSystem(path, conf);
    FileStatus status;
    try {
      status = fs.getFileStatus(path);
    } catch (java.io.FileNotFoundException e) {
      throw new BadInputException(uri, "missing");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + uri, e);
    }
    if (status.isDirectory()) {
      throw new BadInputException(uri, "is a directory, expected an IDX file");
    }
    if (status.getLen() == 0) {
      throw new BadInputException(uri, "is empty");
    }
    try (InputStream raw = fs.open(path)) {
      BufferedInputStream in = new BufferedInputStream(raw, BUFFER);
      boolean gzip = isGzip(in);
      InputStream content = gzip ? new GZIPInputStream(in, BUFFER) : in;
      IdxHeader header = readHeader(new DataInputStream(content), uri, expectedDims);
      if (!gzip && status.getLen() != header.fileBytes()) {
        throw new BadInputException(uri, sizeProblem(status.getLen(), header));
      }
      return new IdxFile(uri, gzip, header);
    } catch (ZipException | EOFException e) {
      throw corrupt(uri, true, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + uri, e);
    }
  }

  public String uri() {
    return uri;
  }

  public boolean gzip() {
    return gzip;
  }

  public IdxHeader header() {
    return header;
  }

  /**
   * Reads the whole file once, in bounded memory, and checks that it is exactly as long as its
   * header says and, when {@code labelBound > 0}, that every record byte is below it (labels in
   * the class range). Returns the SHA-256 of the decompressed file, header included, and the
   * number of records holding each label value (empty when {@code labelBound <= 0}).
   *
   * @throws BadInputException naming the file and the problem
   */
  public Scan scan(Configuration conf, int labelBound) {
    MessageDigest sha = sha256();
    long[] labelCounts = new long[Math.max(labelBound, 0)];
    long expected = header.fileBytes();
    long seen = 0;
    byte[] buf = new byte[BUFFER];
    try (InputStream in = openContent(conf)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        if (seen + n > expected) {
          // A corrupt gzip stream can inflate to too many bytes: its CRC, at the end, tells which.
          in.transferTo(OutputStream.nullOutputStream());
          throw new BadInputException(uri, "longer than its header says: more than "
              + expected + " bytes for " + header.shape());
        }
        sha.update(buf, 0, n);
        if (labelBound > 0) {
          countLabels(buf, n, seen, labelBound, labelCounts);
        }
        seen += n;
      }
    } catch (ZipException | EOFException e) {
      throw corrupt(uri, gzip, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + uri, e);
    }
    if (seen < expected) {
      throw new BadInputException(uri, sizeProblem(seen, header));
    }
    return new Scan(HexFormat.of().formatHex(sha.digest()), seen, labelCounts);
  }

  /** What {@link #scan} found: the SHA-256 and size of the decompressed file, and label counts. */
  public record Scan(String sha256, long bytes, long[] labelCounts) {}

  /** A stream of the records from index {@code first} on; the caller closes it. */
  public InputStream openRecords(long first, Configuration conf) throws IOException {
    long offset = header.headerBytes() + first * header.recordBytes();
    if (!gzip) {
      FSDataInputStream in = HadoopFiles.fileSystem(new Path(uri), conf).open(new Path(uri), BUFFER);
      in.seek(offset);
      return new BufferedInputStream(in, BUFFER);
    }
    InputStream in = openContent(conf);
    in.skipNBytes(offset);
    return in;
  }

  private InputStream openContent(Configuration conf) throws IOException {
    Path path = new Path(uri);
    InputStream in = new BufferedInputStream(HadoopFiles.fileSystem(path, conf).open(path), BUFFER);
    return gzip ? new GZIPInputStream(in, BUFFER) : in;
  }

  private void countLabels(byte[] buf, int n, long position, int bound, long[] counts) {
    for (int i = 0; i < n; i++) {
      long at = position + i - header.headerBytes();
      if (at < 0) {
        continue;
      }
      int label = buf[i] & 0xff;
      if (label >= bound) {
        throw new BadInputException(uri, "label " + label + " of record " + at
            + " is outside the class range 0.." + (bound - 1));
      }
      counts[label]++;
    }
  }

  private static boolean isGzip(BufferedInputStream in) throws IOException {
    in.mark(2);
    int b0 = in.read();
    int b1 = in.read();
    in.reset();
    return b0 == 0x1f && b1 == 0x8b;
  }

  private static IdxHeader readHeader(DataInputStream in, String uri, int expectedDims)
      throws IOException {
    byte[] magic = new byte[4];
    try {
      in.readFully(magic);
    } catch (EOFException e) {
      throw new BadInputException(uri, "shorter than an IDX header (4 bytes of magic)");
    }
    if (magic[0] != 0 || magic[1] != 0) {
      throw new BadInputException(uri, String.format(
          "not an IDX file: magic starts 0x%02x 0x%02x, expected 0x00 0x00", magic[0], magic[1]));
    }
    int type = magic[2] & 0xff;
    if (type != IdxHeader.UNSIGNED_BYTE) {
      throw new BadInputException(uri, String.format(
          "element type 0x%02x is not unsigned byte (0x08)", type));
    }
    int dimCount = magic[3] & 0xff;
    if (dimCount != expectedDims) {
      throw new BadInputException(uri, "has " + dimCount + " dimensions, expected " + expectedDims + switch (expectedDims) {
        case 1 -> " (labels: count)";
        case 3 -> " (grey images: count, rows, cols)";
        default -> " (images: count, rows, cols, channels)";
      });
    }
    long[] dims = new long[dimCount];
    for (int i = 0; i < dimCount; i++) {
      try {
        dims[i] = Integer.toUnsignedLong(in.readInt());
      } catch (EOFException e) {
        throw new BadInputException(uri, "shorter than its header: ends inside dimension " + i);
      }
      if (dims[i] == 0) {
        throw new BadInputException(uri, "dimension " + i + " is 0");
      }
    }
    long recordBytes = 1;
    for (int i = 1; i < dimCount; i++) {
      recordBytes *= dims[i];
    }
    if (recordBytes > MAX_RECORD_BYTES) {
      throw new BadInputException(uri, "records of " + recordBytes + " bytes are too large");
    }
    return new IdxHeader(IdxHeader.UNSIGNED_BYTE, dims);
  }

  private static String sizeProblem(long actual, IdxHeader header) {
    String relation = actual < header.fileBytes() ? "shorter" : "longer";
    return relation + " than its header says: " + actual + " bytes, but " + header.shape()
        + " needs " + header.fileBytes();
  }

  private static BadInputException corrupt(String uri, boolean gzip, IOException e) {
    String what = gzip ? "corrupt or truncated gzip" : "truncated";
    return new BadInputException(uri, what + " (" + e.getMessage() + ")", e);
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }
}
