package io.fmnist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fmnist.data.FashionMnist;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of bad IDX input is refused with exit code 3, a message naming the file, and no output. */
class IngestBadInputTest {

  @TempDir Path tmp;
  private Path input;
  private Path output;

  @BeforeEach
  void realSubset() {
    input = FashionMnist.subset(tmp.resolve("in"), 200, 100, true);
    output = tmp.resolve("out");
  }

  @Test
  void wrongMagic() throws IOException {
    byte[] images = rawTrainImages();
    images[0] = 0x12;
    images[1] = 0x34;
    replace(FashionMnist.TRAIN_IMAGES, images);
    assertRefused(FashionMnist.TRAIN_IMAGES, "not an IDX file: magic starts 0x12 0x34");
  }

  @Test
  void wrongElementType() throws IOException {
    byte[] images = rawTrainImages();
    images[2] = 0x0D;
    replace(FashionMnist.TRAIN_IMAGES, images);
    assertRefused(FashionMnist.TRAIN_IMAGES, "element type 0x0d is not unsigned byte");
  }

  @Test
  void wrongNumberOfDimensions() throws IOException {
    byte[] real = FashionMnist.decompressed(FashionMnist.TRAIN_IMAGES);
    replace(FashionMnist.TRAIN_IMAGES, FashionMnist.idx(new int[] {200, 784}, 0x08, real, 16, 200 * 784));
    assertRefused(FashionMnist.TRAIN_IMAGES, "has 2 dimensions, expected 3");
  }

  @Test
  void rawFileShorterThanItsHeader() throws IOException {
    byte[] images = rawTrainImages();
    replace(FashionMnist.TRAIN_IMAGES, Arrays.copyOf(images, images.length - 100));
    assertRefused(FashionMnist.TRAIN_IMAGES, "shorter than its header says: 156716 bytes, but 200 x 28 x 28 needs 156816");
  }

  @Test
  void gzipFileLongerThanItsHeader() throws IOException {
    byte[] images = rawTrainImages();
    FashionMnist.write(input, FashionMnist.TRAIN_IMAGES, true, Arrays.copyOf(images, images.length + 784));
    assertRefused(FashionMnist.TRAIN_IMAGES + ".gz", "longer than its header says");
  }

  @Test
  void rawHeaderClaimingBillionsOfImages() throws IOException {
    byte[] images = rawTrainImages();
    images[4] = (byte) 0xF0; // count 0xF00000C8: over four billion images
    replace(FashionMnist.TRAIN_IMAGES, images);
    assertRefused(FashionMnist.TRAIN_IMAGES, "shorter than its header says: 156816 bytes, but 4026532040 x 28 x 28");
  }

  @Test
  void gzipHeadersClaimingBillionsOfImages() throws IOException {
    byte[] images = rawTrainImages();
    byte[] labels = FashionMnist.firstLabels(FashionMnist.decompressed(FashionMnist.TRAIN_LABELS), 200);
    images[4] = (byte) 0xF0;
    labels[4] = (byte) 0xF0;
    FashionMnist.write(input, FashionMnist.TRAIN_IMAGES, true, images);
    FashionMnist.write(input, FashionMnist.TRAIN_LABELS, true, labels);
    assertRefused(FashionMnist.TRAIN_IMAGES + ".gz", "shorter than its header says: 156816 bytes, but 4026532040 x 28 x 28");
  }

  @Test
  void imageAndLabelCountsDiffer() throws IOException {
    byte[] labels = FashionMnist.decompressed(FashionMnist.TRAIN_LABELS);
    Files.delete(input.resolve(FashionMnist.TRAIN_LABELS + ".gz"));
    FashionMnist.write(input, FashionMnist.TRAIN_LABELS, true, FashionMnist.firstLabels(labels, 150));
    assertRefused(FashionMnist.TRAIN_LABELS + ".gz", "holds 150 labels but");
  }

  @Test
  void labelOutsideTheClassRange() throws IOException {
    byte[] labels = FashionMnist.firstLabels(FashionMnist.decompressed(FashionMnist.TEST_LABELS), 100);
    labels[8 + 37] = 10;
    Files.delete(input.resolve(FashionMnist.TEST_LABELS + ".gz"));
    FashionMnist.write(input, FashionMnist.TEST_LABELS, false, labels);
    assertRefused(FashionMnist.TEST_LABELS, "label 10 of record 37 is outside the class range 0..9");
  }

  @Test
  void truncatedGzip() throws IOException {
    Path gz = input.resolve(FashionMnist.TRAIN_IMAGES + ".gz");
    byte[] bytes = Files.readAllBytes(gz);
    Files.write(gz, Arrays.copyOf(bytes, bytes.length / 2));
    assertRefused(FashionMnist.TRAIN_IMAGES + ".gz", "corrupt or truncated gzip");
  }

  @Test
  void corruptGzip() throws IOException {
    Path gz = input.resolve(FashionMnist.TEST_IMAGES + ".gz");
    byte[] bytes = Files.readAllBytes(gz);
    for (int i = bytes.length / 2; i < bytes.length / 2 + 64; i++) {
      bytes[i] = (byte) ~bytes[i];
    }
    Files.write(gz, bytes);
    assertRefused(FashionMnist.TEST_IMAGES + ".gz", "corrupt or truncated gzip");
  }

  @Test
  void missingFile() throws IOException {
    Files.delete(input.resolve(FashionMnist.TEST_LABELS + ".gz"));
    assertRefused(FashionMnist.TEST_LABELS, "missing");
  }

  @Test
  void emptyFile() throws IOException {
    Files.delete(input.resolve(FashionMnist.TRAIN_LABELS + ".gz"));
    Files.write(input.resolve(FashionMnist.TRAIN_LABELS), new byte[0]);
    assertRefused(FashionMnist.TRAIN_LABELS, "is empty");
  }

  @Test
  void existingOutputIsKeptUnlessOverwriteIsAsked() throws IOException {
    Files.createDirectories(output);
    Path mine = Files.writeString(output.resolve("mine.txt"), "keep me");

    Cli refused = ingest();
    assertEquals(2, refused.code(), refused.err());
    assertTrue(refused.err().contains("already exists; pass --overwrite"), refused.err());
    assertTrue(Files.exists(mine));

    Cli replaced = ingest("--overwrite");
    assertEquals(0, replaced.code(), replaced.err());
    assertFalse(Files.exists(mine));
    assertTrue(Files.exists(output.resolve("manifest.json")));
    assertEquals(java.util.List.of("in", "out"), children(tmp));
  }

  private void assertRefused(String file, String problem) throws IOException {
    Cli result = ingest();
    assertEquals(3, result.code(), result.err());
    String line = result.err().strip();
    assertEquals(1, line.lines().count(), "one line: " + line);
    assertTrue(line.contains(input.resolve(file).toUri().getPath().replaceAll("/$", "") + ": "),
        "names " + file + ": " + line);
    assertTrue(line.contains(problem), "says '" + problem + "': " + line);
    assertEquals(java.util.List.of("in"), children(tmp), "nothing written beside the input");
  }

  private Cli ingest(String... extra) {
    return Cli.run(Stream.concat(
        Stream.of("ingest", "--input", input.toString(), "--output", output.toString()),
        Arrays.stream(extra)).toArray(String[]::new));
  }

  private byte[] rawTrainImages() throws IOException {
    Files.delete(input.resolve(FashionMnist.TRAIN_IMAGES + ".gz"));
    return FashionMnist.firstImages(FashionMnist.decompressed(FashionMnist.TRAIN_IMAGES), 200);
  }

  private void replace(String name, byte[] content) throws IOException {
    Files.deleteIfExists(input.resolve(name + ".gz"));
    FashionMnist.write(input, name, false, content);
  }

  private static java.util.List<String> children(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
