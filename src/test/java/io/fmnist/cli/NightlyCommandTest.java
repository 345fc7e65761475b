package io.fmnist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fmnist.data.FashionMnist;
import io.fmnist.report.HeadlessChromium;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two real nightly runs into one runs root: the first sets the champion, a worse second is refused. */
class NightlyCommandTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aWorseChallengerExitsFourAndLeavesTheChampion(@TempDir Path tmp) throws Exception {
    Path input = FashionMnist.subset(tmp.resolve("in"), 2000, 500, true);
    Path runs = tmp.resolve("runs");

    Cli first = nightly(input, runs, "classical.lr.params.max-iter=30");
    assertEquals(0, first.code(), first.err());
    assertTrue(first.out().contains("lr     promoted: no champion yet"), first.out());
    JsonNode champion = JSON.readTree(runs.resolve("champion.json").toFile()).at("/models/lr");
    String firstRun = champion.get("run").asText();
    assertTrue(Files.exists(runs.resolve(firstRun).resolve("report.html")), "the champion's run is complete");
    assertTrue(champion.get("accuracy").asDouble() > 0.7);

    // Two iterations of L-BFGS: far worse, so refused with exit code 4.
    Cli second = nightly(input, runs, "classical.lr.params.max-iter=2");
    assertEquals(4, second.code(), second.out() + second.err());
    assertTrue(second.err().contains("champions kept: lr"), second.err());
    assertTrue(second.out().contains("lr     REFUSED: accuracy"), second.out());
    assertEquals(champion, JSON.readTree(runs.resolve("champion.json").toFile()).at("/models/lr"));

    List<Path> history;
    try (var files = Files.list(runs.resolve("history"))) {
      history = files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
    }
    assertEquals(2, history.size());
    JsonNode refused = JSON.readTree(history.get(1).toFile()).at("/decisions/0");
    assertEquals(false, refused.get("promoted").asBoolean());
    assertTrue(refused.get("accuracy").asDouble() < champion.get("accuracy").asDouble() - 0.005);
    JsonNode metrics = JSON.readTree(history.get(1).toFile()).at("/models/0");
    assertEquals(refused.get("accuracy").asDouble(), metrics.get("accuracy").asDouble());
    assertTrue(metrics.get("macroF1").asDouble() > 0 && metrics.get("trainSeconds").asDouble() > 0, metrics.toString());
    assertTrue(Files.size(runs.resolve("trend.png")) > 1000);
    try (HeadlessChromium chromium = HeadlessChromium.start()) {
      Path trend = runs.resolve("trend.html");
      HeadlessChromium.PageLoad page = chromium.open(trend);
      assertEquals(List.of(), page.errors());
      assertEquals(List.of(trend.toUri().toString()), page.requests().stream().filter(u -> !u.startsWith("data:")).toList());
      assertEquals(2, chromium.evaluate("echarts.getInstanceByDom(document.getElementById('chart-trend'))"
          + ".getOption().series[0].data.filter(p => p).length").asInt(), "both nights of lr");
      assertEquals(2, chromium.evaluate("document.querySelectorAll('tbody tr').length").asInt(), "the table too");
    }
    try (var dirs = Files.list(runs)) {
      assertEquals(2, dirs.filter(d -> d.getFileName().toString().matches("\\d{8}-\\d{6}-[0-9a-f]{4}")).count());
    }
  }

  private static Cli nightly(Path input, Path runs, String set) {
    return Cli.run("nightly", "--input", input.toString(), "--runs", runs.toString(), "--models", "lr",
        "--set", "data.images-per-partition=1000", "--set", set);
  }
}
