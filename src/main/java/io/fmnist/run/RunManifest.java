package io.fmnist.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fmnist.config.AppConfig;
import io.fmnist.data.IngestManifest;
import io.fmnist.fs.HadoopFiles;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * {@code run.json}: how a run was made (command line, resolved configuration, versions, git
 * commit, the driver's machine: CPU, cores, MLlib's BLAS; input checksums) and how far it got (stages with their seconds, status). Rewritten after
 * each stage, so a crashed run still tells what it finished.
 */
public final class RunManifest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final RunDirectory run;
  private final Configuration conf;
  private final ObjectNode root = JSON.createObjectNode();
  private final ObjectNode stages;
  private final long startNanos = System.nanoTime();

  /** Starts the manifest of {@code run} with status {@code running} and writes it. */
  public RunManifest(RunDirectory run, List<String> args, AppConfig config,
      Map<String, String> versions, Configuration conf) {
    this.run = run;
    this.conf = conf;
    root.put("status", "running");
    root.put("started", Instant.now().toString());
    root.putPOJO("command", args);
    root.putPOJO("versions", versions);
    Machine machine = Machine.current();
    ObjectNode node = root.putObject("machine");
    node.put("cpu", machine.cpu());
    node.put("cores", machine.cores());
    node.put("vectorExtensions", machine.vectorExtensions());
    node.put("maxHeapMiB", machine.maxHeapBytes() >> 20);
    node.put("mllibBlas", MllibBlas.describe());
    node.put("mllibGini", MllibGini.describe());
    try {
      root.set("config", JSON.readTree(config.toJson()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("the configuration did not render as JSON", e);
    }
    stages = root.putObject("stages");
    write();
  }

  /** Records the checksums of the IDX files or image folders the run's data came from. */
  public void inputs(IngestManifest data) {
    ObjectNode inputs = root.putObject("inputs");
    data.splits().values().forEach(split -> {
      inputs.put(split.images().uri(), split.images().sha256());
      if (split.labels() != null) {
        inputs.put(split.labels().uri(), split.labels().sha256());
      }
    });
    write();
  }

  /** Records that a stage finished, with what it reports. */
  public void stage(String name, double seconds, Map<String, Object> details) {
    ObjectNode stage = stages.putObject(name);
    stage.put("seconds", Math.round(seconds * 1000) / 1000.0);
    details.forEach(stage::putPOJO);
    write();
  }

  /** Marks the run complete. */
  public void complete() {
    finish("complete");
  }

  /** Marks the run failed, with the one-line reason. */
  public void fail(String reason) {
    root.put("error", reason);
    finish("failed");
  }

  private void finish(String status) {
    root.put("status", status);
    root.put("finished", Instant.now().toString());
    root.put("seconds", Math.round((System.nanoTime() - startNanos) / 1e6) / 1000.0);
    write();
  }

  private void write() {
    HadoopFiles.writeJson(run.manifest(), root, conf);
  }
}
