package io.fmnist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fmnist.data.FashionMnist;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster jar submitted to a real Spark standalone cluster on this machine
 * ({@code scripts/local-cluster.sh}: a Master and two Workers, each a JVM, executors in JVMs of
 * their own), so serialization, Kryo and the native libraries are exercised across processes.
 * The last test kills a worker in the middle of a CNN training; the cluster is stopped whatever
 * happens.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalClusterIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path tmp;
  private Path cluster;
  private Path input;

  @BeforeAll
  void startTheCluster() throws Exception {
    // Under target/, not the temporary folder: its SPARK_HOME is links into the Maven repository.
    cluster = Path.of("target/it-cluster").toAbsolutePath();
    input = FashionMnist.subset(tmp.resolve("idx"), 4000, 1000, true);
    Script start = script("start").await(240);
    assertEquals(0, start.code(), start.output());
  }

  @AfterAll
  void stopTheCluster() throws Exception {
    script("stop").await(60);
  }

  @Test
  @Order(1)
  void ingestLogisticRegressionAndACnnTrainAcrossBothExecutors() throws Exception {
    Path run = tmp.resolve("run");
    Script submit = submit("pipeline", "--conf", "conf/quick.conf", "--input", input.toString(), "--output",
        run.toString(), "--models", "lr,cnn", "--set", "deep.cnn.epochs=4").await(900);

    assertEquals(0, submit.code(), submit.output());
    assertTrue(accuracy(run, "lr") > 0.75, "lr " + accuracy(run, "lr"));
    // Chance is 0.1; DeepTrainerTest holds the quality bar, this the distributed mechanics.
    assertTrue(accuracy(run, "cnn") > 0.5, "cnn " + accuracy(run, "cnn"));
    JsonNode cnn = JSON.readTree(run.resolve("metrics/cnn.json").toFile()).get("chosenParams");
    assertEquals(2, cnn.get("workers").asInt(), "one DL4J worker per executor");
    assertTrue(cnn.get("onednn").asBoolean());
    // Both executors, separate JVMs under separate Workers, ran tasks and loaded the oneDNN natives.
    for (int worker = 1; worker <= 2; worker++) {
      String log = executorLog(worker);
      assertTrue(log.contains("Finished task"), "worker " + worker + " ran no task");
      assertTrue(log.contains("HAVE_ONEDNN"), "worker " + worker + " did not load ND4J's oneDNN build");
    }
    assertTrue(Files.exists(run.resolve("report.html")));
  }

  @Test
  @Order(2)
  void aCnnTrainingOutlivesALostWorker() throws Exception {
    Path run = tmp.resolve("fault");
    Script submit = submit("pipeline", "--conf", "conf/quick.conf", "--input", input.toString(), "--output",
        run.toString(), "--models", "cnn", "--set", "deep.cnn.epochs=4", "--set", "deep.patience=4");
    submit.awaitOutput("cnn epoch 1/4", 600);
    Script kill = script("kill-worker", "2").await(30);
    assertEquals(0, kill.code(), kill.output());
    submit.await(900);

    assertEquals(0, submit.code(), submit.output());
    assertTrue(submit.output().contains("Lost executor"), "Spark noticed the lost executor");
    assertTrue(submit.output().contains("cnn epoch 4/4"), "every epoch was trained");
    assertTrue(accuracy(run, "cnn") > 0.5, "cnn " + accuracy(run, "cnn"));
    // For the record (target/failsafe-reports): what the driver saw of the lost worker.
    submit.output().lines().filter(line -> line.matches(".*(cnn epoch \\d+/4:|Lost executor|killed|test accuracy).*"))
        .forEach(System.out::println);
    System.out.println(kill.output());
  }

  private double accuracy(Path run, String model) throws IOException {
    return JSON.readTree(run.resolve("metrics/" + model + ".json").toFile()).get("accuracy").asDouble();
  }

  private String executorLog(int worker) throws IOException {
    StringBuilder all = new StringBuilder();
    try (var files = Files.walk(cluster.resolve("work-" + worker))) {
      for (Path file : files.filter(f -> f.getFileName().toString().equals("stderr")).toList()) {
        all.append(Files.readString(file));
      }
    }
    return all.toString();
  }

  private Script submit(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("submit"));
    command.addAll(List.of(args));
    return script(command.toArray(String[]::new));
  }

  /** scripts/local-cluster.sh with this test's own state folder, ports and cluster jar. */
  private Script script(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("scripts/local-cluster.sh"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    Path log = Files.createTempFile(tmp, "script", ".log");
    builder.redirectOutput(log.toFile());
    builder.environment().putAll(Map.of("FMNIST_CLUSTER_DIR", cluster.toString(), "FMNIST_CLUSTER_PORT", "17177",
        "FMNIST_CLUSTER_UI_PORT", "18180", "FMNIST_CLUSTER_JAR", clusterJar()));
    return new Script(builder.start(), log);
  }

  private static String clusterJar() {
    File[] jars = new File("target").listFiles((dir, name) -> name.endsWith("-cluster.jar"));
    if (jars == null || jars.length != 1) {
      throw new IllegalStateException("no cluster jar in target/: the integration tests run after mvn package");
    }
    return jars[0].getAbsolutePath();
  }

  /** A running script and what it printed. */
  private record Script(Process process, Path log) {
    Script await(int seconds) throws Exception {
      if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        throw new AssertionError("still running after " + seconds + " s:\n" + output());
      }
      return this;
    }

    void awaitOutput(String text, int seconds) throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      while (!output().contains(text)) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          throw new AssertionError("never printed '" + text + "':\n" + output());
        }
        Thread.sleep(200);
      }
    }

    int code() {
      return process.exitValue();
    }

    String output() throws IOException {
      return Files.readString(log);
    }
  }
}
