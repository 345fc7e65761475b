package io.fmnist.run;

import io.fmnist.errors.UsageException;
import io.fmnist.fs.HadoopFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The one place that knows the layout of a run directory (DESIGN.md "Contracts"): everything one
 * run made and nothing else. Each artifact in it is written aside and moved into place when
 * complete; {@code run.json} says whether the run as a whole finished.
 */
public final class RunDirectory {

  public static final String MANIFEST = "run.json";

  private final Path root;
  private final Configuration conf;

  private RunDirectory(Path root, Configuration conf) {
    this.root = root;
    this.conf = conf;
  }

  /**
   * Creates the run directory at {@code uri}. An existing one is refused unless {@code overwrite},
   * and is then deleted first.
   */
  public static RunDirectory create(String uri, boolean overwrite, Configuration conf) {
    Path path = new Path(uri);
    FileSystem fs = HadoopFiles.fileSystem(path, conf);
    try {
      path = fs.makeQualified(path);
      if (fs.exists(path)) {
        if (!overwrite) {
          throw new UsageException(path + ": already exists; pass --overwrite to replace that run");
        }
        fs.delete(path, true);
      }
      fs.mkdirs(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the run directory " + path, e);
    }
    return new RunDirectory(path, conf);
  }

  /** An existing run directory, for the stages that add to it. */
  public static RunDirectory open(String uri, Configuration conf) {
    Path path = new Path(uri);
    FileSystem fs = HadoopFiles.fileSystem(path, conf);
    try {
      path = fs.makeQualified(path);
      if (!fs.exists(new Path(path, MANIFEST))) {
        throw new UsageException(path + ": not a run directory (no " + MANIFEST + ")");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the run directory " + path, e);
    }
    return new RunDirectory(path, conf);
  }

  public Path root() {
    return root;
  }

  /** The run manifest: configuration, versions, inputs, stages and status. */
  public Path manifest() {
    return new Path(root, MANIFEST);
  }

  /** The ingested data set that {@code pipeline} makes from its IDX input. */
  public Path data() {
    return new Path(root, "data");
  }

  /** A trained model: an MLlib PipelineModel folder, or a DL4J model file inside this folder. */
  public Path model(String name) {
    return new Path(new Path(root, "models"), name);
  }

  /** A model's test-set predictions, Parquet (see {@code eval.Predictions}). */
  public Path predictions(String name) {
    return new Path(new Path(root, "predictions"), name);
  }

  /**
   * A model's predictions on the seeded validation split, in the same contract: what the stacked
   * ensemble is fitted on, so that it never sees the test set.
   */
  public Path validation(String name) {
    return new Path(new Path(root, "validation"), name);
  }

  /** A deep model's per-epoch checkpoints (see {@code deep.Checkpoints}). */
  public Path checkpoints(String name) {
    return new Path(new Path(root, "checkpoints"), name);
  }

  /** A deep model's epochs: losses, validation accuracy, speed (see {@code deep.TrainingHistory}). */
  public Path history(String name) {
    return new Path(new Path(root, "history"), name + ".json");
  }

  /** A deep model's Grad-CAM figures and their index (see {@code explain.GradCamGallery}). */
  public Path explanations(String name) {
    return new Path(new Path(root, "explain"), name);
  }

  /** The models that wrote test predictions in this run, by name, sorted. */
  public List<String> modelsWithPredictions() {
    return folders(new Path(root, "predictions"));
  }

  /** The models that wrote validation predictions in this run, by name, sorted. */
  public List<String> modelsWithValidationPredictions() {
    return folders(new Path(root, "validation"));
  }

  private List<String> folders(Path dir) {
    try {
      FileSystem fs = HadoopFiles.fileSystem(dir, conf);
      if (!fs.exists(dir)) {
        return List.of();
      }
      return visible(fs.listStatus(dir)).stream().filter(FileStatus::isDirectory)
          .map(status -> status.getPath().getName()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  /** The leaderboard of the run's models, JSON (see {@code eval.Leaderboard}). */
  public Path leaderboard() {
    return new Path(root, "leaderboard.json");
  }

  /** The same leaderboard as Markdown tables. */
  public Path leaderboardTable() {
    return new Path(root, "leaderboard.md");
  }

  /** The report's PNG plots (see {@code report.RunReport}). */
  public Path plots() {
    return new Path(root, "plots");
  }

  /** The report as one self-contained HTML page. */
  public Path reportHtml() {
    return new Path(root, "report.html");
  }

  /** The report as Markdown, its images and artifacts linked relative to the run. */
  public Path reportMarkdown() {
    return new Path(root, "report.md");
  }

  /**
   * What the run holds, as paths relative to its root: each top-level file, and each entry of a
   * top-level folder ({@code models/lr}, {@code metrics/lr.json}); hidden work in progress left out.
   */
  public List<String> artifacts() {
    try {
      FileSystem fs = HadoopFiles.fileSystem(root, conf);
      List<String> out = new ArrayList<>();
      for (FileStatus top : visible(fs.listStatus(root))) {
        String name = top.getPath().getName();
        if (!top.isDirectory() || name.equals("data")) {
          out.add(top.isDirectory() ? name + "/" : name);
          continue;
        }
        for (FileStatus entry : visible(fs.listStatus(top.getPath()))) {
          out.add(name + "/" + entry.getPath().getName() + (entry.isDirectory() ? "/" : ""));
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root, e);
    }
  }

  private static List<FileStatus> visible(FileStatus[] statuses) {
    return Arrays.stream(statuses).filter(status -> !status.getPath().getName().startsWith("."))
        .sorted(Comparator.comparing(status -> status.getPath().getName())).toList();
  }

  /** A model's test-set metrics, JSON (see {@code eval.ModelMetrics}). */
  public Path metrics(String name) {
    return new Path(new Path(root, "metrics"), name + ".json");
  }
}
