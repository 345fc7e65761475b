package io.fmnist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fmnist.data.FashionMnist;
import io.fmnist.data.TestSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainAndPredictCommandTest {

  @TempDir Path tmp;

  @Test
  void trainThenPredictFromTheDataSetAndFromIdxGiveTheRunsPredictions() throws Exception {
    Path idx = FashionMnist.subset(tmp.resolve("idx"), 1500, 300, true);
    Path data = tmp.resolve("data");
    Path run = tmp.resolve("run");
    assertEquals(0, Cli.run("ingest", "--input", idx.toString(), "--output", data.toString()).code());

    Cli train = Cli.run("train", "--data", data.toString(), "--output", run.toString(), "--models", "lr",
        "--set", "classical.lr.params.max-iter=30");
    assertEquals(0, train.code(), train.err());
    assertTrue(train.out().matches("(?s).*\\blr +test accuracy.*"), train.out());
    JsonNode manifest = new ObjectMapper().readTree(run.resolve("run.json").toFile());
    assertEquals("complete", manifest.get("status").asText());
    assertTrue(manifest.at("/stages/train-lr/testAccuracy").asDouble() > 0.7, manifest.toString());

    Cli evaluate = Cli.run("evaluate", "--run", run.toString());
    assertEquals(0, evaluate.code(), evaluate.err());
    assertTrue(evaluate.out().contains("| 1 | lr | " + String.format(java.util.Locale.ROOT, "%.4f",
        manifest.at("/stages/train-lr/testAccuracy").asDouble())), evaluate.out());
    assertTrue(Files.exists(run.resolve("leaderboard.json")));

    List<Row> expected = rows(run.resolve("predictions/lr"));
    for (Path input : List.of(data, idx)) {
      Path out = tmp.resolve("predicted-" + input.getFileName());
      Cli predict = Cli.run("predict", "--model", run.resolve("models/lr").toString(),
          "--input", input.toString(), "--output", out.toString());
      assertEquals(0, predict.code(), predict.err());
      assertTrue(predict.out().startsWith("predicted 300 images"), predict.out());
      assertEquals(expected, rows(out), "predictions from " + input);
    }
  }

  @Test
  void unknownModelsAndMissingModelFilesAreRefused() throws Exception {
    Cli unknown = Cli.run("train", "--data", "x", "--output", tmp.resolve("run").toString(), "--models", "lr,knn");
    assertEquals(2, unknown.code());
    assertTrue(unknown.err().contains("unknown model 'knn'"), unknown.err());
    assertFalse(Files.exists(tmp.resolve("run")));

    Cli notARun = Cli.run("evaluate", "--run", tmp.toString());
    assertEquals(2, notARun.code(), notARun.err());
    assertTrue(notARun.err().contains("not a run directory"), notARun.err());

    Cli missing = Cli.run("predict", "--model", tmp.resolve("nothing").toString(),
        "--input", FashionMnist.dir().toString(), "--output", tmp.resolve("out").toString());
    assertEquals(3, missing.code(), missing.err());
    assertTrue(missing.err().contains("nothing: not a saved model"), missing.err());
  }

  private static List<Row> rows(Path parquet) {
    return TestSpark.session().read().parquet(parquet.toString()).orderBy("id").collectAsList();
  }
}
