package io.fmnist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fmnist.data.FashionMnist;
import io.fmnist.data.TestSpark;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainAndPredictCommandTest {

  @TempDir Path tmp;

  @Test
  void trainThenPredictFromTheDataSetIdxAndImageFilesGiveTheRunsPredictions() throws Exception {
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

    // The same images as loose PNG files in nested folders, beside a file that is no image: each
    // file gets its image's prediction, with the file's URI.
    Path pngs = tmp.resolve("pngs");
    for (Row row : rows(data.resolve("test"))) {
      long id = row.getLong(0);
      Path file = pngs.resolve(id % 2 == 0 ? "a" : "b/c").resolve(id + ".png");
      Files.createDirectories(file.getParent());
      BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
      image.getRaster().setDataElements(0, 0, 28, 28, (byte[]) row.get(2));
      ImageIO.write(image, "png", file.toFile());
    }
    Files.writeString(pngs.resolve("a/notes.txt"), "not an image");
    Path out = tmp.resolve("predicted-pngs");
    Cli predict = Cli.run("predict", "--model", run.resolve("models/lr").toString(),
        "--input", pngs.toString(), "--output", out.toString());
    assertEquals(0, predict.code(), predict.err());
    assertTrue(predict.out().startsWith("predicted 300 images"), predict.out());
    Map<Long, Row> byId = new HashMap<>();
    expected.forEach(row -> byId.put(row.getLong(0), row));
    Set<Long> ids = new HashSet<>();
    for (Row row : rows(out)) {
      ids.add(row.getLong(row.fieldIndex("id")));
      String origin = row.getString(row.fieldIndex("origin"));
      Row same = byId.get(Long.parseLong(origin.substring(origin.lastIndexOf('/') + 1).replace(".png", "")));
      assertEquals(same.getInt(same.fieldIndex("prediction")), row.getInt(row.fieldIndex("prediction")), origin);
      assertEquals(same.getList(same.fieldIndex("probabilities")), row.getList(row.fieldIndex("probabilities")), origin);
    }
    assertEquals(300, ids.size());

    Files.write(pngs.resolve("b/broken.png"), new byte[] {1, 2, 3});
    Cli broken = Cli.run("predict", "--model", run.resolve("models/lr").toString(),
        "--input", pngs.toString(), "--output", tmp.resolve("predicted-broken").toString());
    assertEquals(3, broken.code(), broken.err());
    assertTrue(broken.err().contains("broken.png: not a decodable image"), broken.err());
    assertFalse(Files.exists(tmp.resolve("predicted-broken")));
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
