package io.fmnist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fmnist.data.FashionMnist;
import io.fmnist.nightly.RunsLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Storage on a real HDFS (Hadoop's MiniDFSCluster: a NameNode and a DataNode in this JVM): the
 * IDX files and the configuration are read from hdfs://, and the data set, models (MLlib and
 * DL4J), checkpoints, predictions, metrics, figures and report are written there.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HdfsStorageTest {

  @TempDir static java.nio.file.Path tmp;
  private MiniDFSCluster hdfs;
  private FileSystem fs;
  private String root;

  @BeforeAll
  void startHdfs() throws Exception {
    Configuration conf = new Configuration();
    hdfs = new MiniDFSCluster.Builder(conf, tmp.resolve("hdfs").toFile()).numDataNodes(1).build();
    hdfs.waitActive();
    fs = hdfs.getFileSystem();
    root = hdfs.getURI() + "/fmnist";
    java.nio.file.Path idx = FashionMnist.subset(tmp.resolve("idx"), 2000, 500, true);
    fs.copyFromLocalFile(new Path(idx.toUri()), new Path(root + "/in"));
    try (var out = fs.create(new Path(root + "/quick.conf"))) {
      out.write(Files.readString(java.nio.file.Path.of("conf/quick.conf")).getBytes(StandardCharsets.UTF_8));
    }
  }

  @AfterAll
  void stopHdfs() {
    hdfs.shutdown(true);
  }

  @Test
  void pipelineAndPredictReadAndWriteOnlyThroughHdfs() throws Exception {
    String run = root + "/runs/one";
    Cli pipeline = Cli.run("pipeline", "--conf", root + "/quick.conf", "--input", root + "/in", "--output", run,
        "--models", "lr,cnn", "--set", "deep.cnn.epochs=1");
    assertEquals(0, pipeline.code(), pipeline.err());

    for (String written : List.of("run.json", "data/manifest.json", "data/train/_SUCCESS", "data/test/_SUCCESS",
        "models/lr/metadata", "models/cnn/dl4j-model.zip", "models/cnn/model.json", "checkpoints/cnn",
        "predictions/lr/_SUCCESS", "predictions/cnn/_SUCCESS", "metrics/lr.json", "metrics/cnn.json",
        "history/cnn.json", "explain/cnn/index.json", "plots/leaderboard.png", "leaderboard.json", "report.html",
        "report.md")) {
      assertTrue(fs.exists(new Path(run + "/" + written)), written + " on HDFS");
    }
    double accuracy = new ObjectMapper().readTree(fs.open(new Path(run + "/metrics/lr.json"))).get("accuracy")
        .asDouble();
    assertTrue(accuracy > 0.7, "lr " + accuracy);
    assertTrue(new String(fs.open(new Path(run + "/run.json")).readAllBytes(), StandardCharsets.UTF_8)
        .contains(root + "/in/"), "the manifest names the HDFS inputs");

    Cli predict = Cli.run("predict", "--model", run + "/models/cnn", "--input", run + "/data", "--output",
        root + "/predicted");
    assertEquals(0, predict.code(), predict.err());
    long rows = SparkSession.active().read().parquet(root + "/predicted").count();
    assertEquals(500, rows);
    try (var local = Files.list(java.nio.file.Path.of("."))) {
      assertFalse(local.anyMatch(p -> p.getFileName().toString().startsWith("hdfs")), "nothing went to the local disk");
    }
  }

  @Test
  void theNightlyLockIsExclusiveOnHdfs() throws Exception {
    Path lock = new Path(root + "/lock-test/.lock");
    try (RunsLock held = RunsLock.acquire(lock, Duration.ZERO, Duration.ofHours(1), fs.getConf())) {
      IllegalStateException busy = assertThrows(IllegalStateException.class,
          () -> RunsLock.acquire(lock, Duration.ofMillis(400), Duration.ofHours(1), fs.getConf()));
      assertTrue(busy.getMessage().contains("still locked"), busy.getMessage());
    }
    assertFalse(fs.exists(lock), "released");
    try (RunsLock again = RunsLock.acquire(lock, Duration.ZERO, Duration.ofHours(1), fs.getConf())) {
      assertTrue(fs.exists(lock), "taken again at once");
    }
  }
}
