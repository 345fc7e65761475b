package io.fmnist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fmnist.data.FashionMnist;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each kind of bad image-folder input is refused like bad IDX input: exit 3, one line naming the
 * file or folder, nothing written. The folders are a small real colour set made by make-colour.
 */
class ImageFolderBadInputTest {

  @TempDir static Path shared;
  private static Path colour;

  @TempDir Path tmp;
  private Path input;
  private Path output;

  @BeforeAll
  static void colourSet() {
    Path grey = FashionMnist.subset(shared.resolve("grey"), 60, 30, true);
    colour = shared.resolve("colour");
    Cli made = Cli.run("make-colour", "--input", grey.toString(), "--output", colour.toString(), "--size", "32");
    assertEquals(0, made.code(), made.err());
  }

  @BeforeEach
  void copy() throws IOException {
    input = tmp.resolve("in");
    Path from = colour.resolve("folders");
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : files.toList()) {
        Path to = input.resolve(from.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(to);
        } else {
          Files.copy(file, to);
        }
      }
    }
    output = tmp.resolve("out");
  }

  @Test
  void undecodableImage() throws IOException {
    Path bad = input.resolve("train/1-Trouser/broken.png");
    Files.write(bad, "not a PNG at all".getBytes());
    assertRefused(bad, "not a decodable image");
  }

  @Test
  void emptyClassFolder() throws IOException {
    Path empty = Files.createDirectories(input.resolve("train/5-Sandal-empty"));
    assertRefused(empty, "empty class folder");
  }

  @Test
  void testClassThatTrainLacks() throws IOException {
    Path extra = Files.createDirectories(input.resolve("test/Hat"));
    Files.copy(firstPng(input.resolve("test")), extra.resolve("1.png"));
    assertRefused(extra, "class 'Hat' is not among train's classes");
  }

  @Test
  void mixedChannelCountsUnlessConfigured() throws IOException {
    Path grey = input.resolve("train/0-T-shirt_top/grey.png");
    ImageIO.write(new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY), "png", grey.toFile());
    assertRefused(grey, "has 1 channels but");

    Cli rgb = ingest("--set", "data.image-folders.channels=3");
    assertEquals(0, rgb.code(), rgb.err());
    assertEquals(3, new ObjectMapper().readTree(output.resolve("manifest.json").toFile()).get("channels").asInt());
  }

  @Test
  void mixedSizesUnlessConfigured() throws IOException {
    Path large = input.resolve("test/2-Pullover/large.png");
    ImageIO.write(new BufferedImage(40, 36, BufferedImage.TYPE_INT_RGB), "png", large.toFile());
    assertRefused(large, "is 36x40 but");

    Cli resized = ingest("--set", "data.image-folders.rows=32", "--set", "data.image-folders.cols=32");
    assertEquals(0, resized.code(), resized.err());
  }

  private Path firstPng(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(file -> file.toString().endsWith(".png")).sorted().findFirst().orElseThrow();
    }
  }

  private void assertRefused(Path file, String problem) throws IOException {
    Cli result = ingest();
    assertEquals(3, result.code(), result.err());
    String line = result.err().strip();
    assertEquals(1, line.lines().count(), "one line: " + line);
    assertTrue(line.contains(file.toUri().getPath().replaceAll("/$", "")), "names " + file + ": " + line);
    assertTrue(line.contains(problem), "says '" + problem + "': " + line);
    assertFalse(Files.exists(output), "nothing written");
    try (Stream<Path> beside = Files.list(tmp)) {
      assertEquals(List.of("in"), beside.map(p -> p.getFileName().toString()).toList());
    }
  }

  private Cli ingest(String... extra) {
    return Cli.run(Stream.concat(Stream.of("ingest", "--input", input.toString(), "--output", output.toString()),
        Stream.of(extra)).toArray(String[]::new));
  }
}
