package io.fmnist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fmnist.data.FashionMnist;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineCommandTest {

  @TempDir Path tmp;

  @Test
  void pipelineIngestsIntoTheRunAndRecordsHowTheRunWasMade() throws Exception {
    Path input = FashionMnist.subset(tmp.resolve("in"), 500, 100, true);
    Path run = tmp.resolve("run");

    Cli cli = Cli.run("pipeline", "--input", input.toString(), "--output", run.toString(),
        "--set", "data.images-per-partition=200", "--models", "lr", "--set", "classical.lr.params.max-iter=10");

    assertEquals(0, cli.code(), cli.err());
    assertTrue(cli.out().contains("run complete"), cli.out());
    assertTrue(Files.exists(run.resolve("metrics/lr.json")));
    assertTrue(Files.readString(run.resolve("leaderboard.md")).contains("| 1 | lr |"));
    assertEquals("lr", manifest(run).at("/stages/evaluate/best").asText());
    assertTrue(manifest(run).at("/stages/train-lr/testAccuracy").asDouble() > 0.5);
    assertTrue(Files.exists(run.resolve("data/manifest.json")));
    assertTrue(Files.isDirectory(run.resolve("data/train")));
    JsonNode manifest = manifest(run);
    assertEquals("complete", manifest.get("status").asText());
    assertEquals(200, manifest.at("/config/data/images-per-partition").asInt());
    assertEquals("1.0.0-M2.1", manifest.at("/versions/deeplearning4j").asText());
    assertTrue(manifest.at("/versions/spark").asText().startsWith("3.5."));
    assertTrue(manifest.at("/stages/ingest/seconds").asDouble() > 0);
    assertTrue(manifest.at("/stages/ingest/output").asText().endsWith("/run/data"));
    assertEquals(4, manifest.get("inputs").size());
    String testImages = input.resolve(FashionMnist.TEST_IMAGES + ".gz").toUri().toString().replace("file:///", "file:/");
    assertEquals(64, manifest.at("/inputs").get(testImages).asText().length(), manifest.get("inputs").toString());

    Cli again = Cli.run("pipeline", "--input", input.toString(), "--output", run.toString());
    assertEquals(2, again.code(), again.err());
    assertTrue(again.err().contains("already exists"), again.err());
  }

  private static JsonNode manifest(Path run) throws java.io.IOException {
    return new ObjectMapper().readTree(run.resolve("run.json").toFile());
  }

  @Test
  void badInputCreatesNoRunDirectory() throws Exception {
    Path input = FashionMnist.subset(tmp.resolve("in"), 100, 100, true);
    Files.delete(input.resolve(FashionMnist.TRAIN_IMAGES + ".gz"));
    Path run = tmp.resolve("run");

    Cli cli = Cli.run("pipeline", "--input", input.toString(), "--output", run.toString());

    assertEquals(3, cli.code(), cli.err());
    assertTrue(cli.err().contains(FashionMnist.TRAIN_IMAGES + ": missing"), cli.err());
    assertFalse(Files.exists(run));
  }
}
