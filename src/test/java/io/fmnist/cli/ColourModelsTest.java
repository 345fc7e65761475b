package io.fmnist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fmnist.data.FashionMnist;
import io.fmnist.data.TestSpark;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The models on colour images (a real subset made colour by make-colour, 32x32x3): a short
 * training of each network and of a HOG model clears accuracy a broken input path cannot, Grad-CAM
 * draws the colour image, predict scores the PNG form of the images as the run scored them and
 * refuses grey images for a colour model.
 */
class ColourModelsTest {

  @TempDir static Path tmp;
  private static Path grey;
  private static Path colour;
  private static Path data;
  private static Path run;
  private static JsonNode manifest;

  @BeforeAll
  static void trainOnColour() throws IOException {
    grey = FashionMnist.subset(tmp.resolve("grey"), 3000, 500, true);
    colour = tmp.resolve("colour");
    assertEquals(0, Cli.run("make-colour", "--input", grey.toString(), "--output", colour.toString()).code());
    data = tmp.resolve("data");
    assertEquals(0, Cli.run("ingest", "--input", colour.resolve("idx").toString(), "--output", data.toString())
        .code());
    run = tmp.resolve("run");
    Cli train = Cli.run("train", "--conf", "conf/quick.conf", "--data", data.toString(), "--output", run.toString(),
        "--models", "lr,cnn,resnet", "--set", "deep.cnn.epochs=4", "--set", "deep.resnet.epochs=4");
    assertEquals(0, train.code(), train.err());
    manifest = new ObjectMapper().readTree(run.resolve("run.json").toFile());
  }

  @Test
  void everyModelLearnsTheColourImages() {
    // Chance is 0.1; channels scrambled or the background taken for the item stay far below these.
    for (String model : new String[] {"lr", "cnn", "resnet"}) {
      double accuracy = manifest.at("/stages/train-" + model + "/testAccuracy").asDouble();
      assertTrue(accuracy > 0.5, model + ": " + accuracy);
    }
  }

  @Test
  void gradCamShowsTheColourImage() throws IOException {
    Cli explain = Cli.run("explain", "--run", run.toString(), "--model", "cnn", "--samples", "1",
        "--data", data.toString());
    assertEquals(0, explain.code(), explain.err());
    JsonNode first = new ObjectMapper().readTree(run.resolve("explain/cnn/index.json").toFile()).get(0);
    BufferedImage figure = ImageIO.read(run.resolve("explain/cnn").resolve(first.get("file").asText()).toFile());
    Row row = TestSpark.session().read().parquet(data.resolve("test").toString())
        .filter(functions.col("id").equalTo(first.get("id").asLong())).first();
    byte[] image = row.getAs("image");
    int upscale = 8;
    int gap = 12;
    int differing = 0;
    for (int r = 0; r < 32; r += 3) {
      for (int c = 0; c < 32; c += 3) {
        int at = (r * 32 + c) * 3;
        int expected = (image[at] & 0xff) << 16 | (image[at + 1] & 0xff) << 8 | image[at + 2] & 0xff;
        assertEquals(expected, figure.getRGB(gap + c * upscale + 4, gap + r * upscale + 4) & 0xffffff,
            "original panel at " + r + "," + c);
        differing += (image[at] != image[at + 1]) ? 1 : 0;
      }
    }
    assertTrue(differing > 50, "a colour image: " + differing);
  }

  @Test
  void predictScoresTheColourPngsAsTheRunScoredTheirImages() {
    // The image-folder form of the same images: test/<class>/<id>.png, decoded by Spark (BGR) and
    // brought to RGB; the CNN's predictions per file match the run's for that id.
    Path out = tmp.resolve("predicted-pngs");
    Cli predict = Cli.run("predict", "--model", run.resolve("models/cnn").toString(), "--input",
        colour.resolve("folders").toString(), "--output", out.toString());
    assertEquals(0, predict.code(), predict.err());
    Map<Long, Row> expected = new HashMap<>();
    TestSpark.session().read().parquet(run.resolve("predictions/cnn").toString()).collectAsList()
        .forEach(row -> expected.put(row.getLong(row.fieldIndex("id")), row));
    List<Row> predicted = TestSpark.session().read().parquet(out.toString()).collectAsList();
    assertEquals(500, predicted.size());
    int compared = 0;
    for (Row row : predicted) {
      String origin = row.getString(row.fieldIndex("origin"));
      Row same = expected.get(Long.parseLong(origin.substring(origin.lastIndexOf('/') + 1).replace(".png", "")));
      if (same != null) {
        compared++;
        assertEquals(same.getInt(same.fieldIndex("prediction")), row.getInt(row.fieldIndex("prediction")), origin);
        List<Double> want = same.getList(same.fieldIndex("probabilities"));
        List<Double> got = row.getList(row.fieldIndex("probabilities"));
        for (int c = 0; c < want.size(); c++) {
          assertEquals(want.get(c), got.get(c), 1e-5, origin);
        }
      }
    }
    assertEquals(expected.size(), compared);
  }

  @Test
  void predictRefusesGreyImagesForAColourModel() {
    for (String model : new String[] {"lr", "cnn"}) {
      Cli predict = Cli.run("predict", "--model", run.resolve("models/" + model).toString(), "--input",
          grey.toString(), "--output", tmp.resolve("predicted-" + model).toString());
      assertEquals(3, predict.code(), predict.err());
      assertTrue(predict.err().contains("28x28") && predict.err().contains("32x32x3"), predict.err());
    }
  }
}
