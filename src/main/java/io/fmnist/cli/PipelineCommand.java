package io.fmnist.cli;

import io.fmnist.data.Ingest;
import io.fmnist.eval.Leaderboard;
import io.fmnist.run.RunDirectory;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.Options;
import org.apache.spark.sql.SparkSession;

/**
 * {@code pipeline --input URI --output RUN}: every stage in one job, into one run directory.
 * Stages: ingest (into {@code RUN/data}), train, explain (Grad-CAM of the deep models), evaluate
 * (leaderboard, plots, report).
 */
final class PipelineCommand implements Command {

  @Override
  public String name() {
    return "pipeline";
  }

  @Override
  public String summary() {
    return "all stages in one job: ingest, train, explain, evaluate, into a new run directory";
  }

  @Override
  public Options options() {
    return new Options()
        .addOption(CommonOptions.idxInput())
        .addOption(CommonOptions.required(CommonOptions.OUTPUT, "RUN", "the run directory to create"))
        .addOption(ModelTraining.modelsOption())
        .addOption(CommonOptions.overwrite());
  }

  @Override
  public void run(Invocation invocation) {
    run(invocation, invocation.value(CommonOptions.OUTPUT));
  }

  /** Every stage into a new run directory at {@code output}; {@code nightly} runs it too. */
  static RunDirectory run(Invocation invocation, String output) {
    var config = invocation.config();
    List<String> models = ModelTraining.models(invocation, List.of());
    SparkSession spark = invocation.spark();
    Ingest ingest = new Ingest(spark, config.classNames(), config.imagesPerPartition());
    // Bad input is refused before the run directory exists.
    Ingest.Verified input = ingest.verify(invocation.value(CommonOptions.INPUT));
    return invocation.inRun(output, false, (run, manifest) -> {
      Ingest.Result data = ingest.write(input, run.data().toString(), false);
      manifest.inputs(data.manifest());
      manifest.stage("ingest", data.seconds(), Map.of("output", data.output()));
      ModelTraining.run(invocation, data.output(), models, run, manifest, false);
      List<String> deep = ExplainCommand.deepModels(run, spark.sparkContext().hadoopConfiguration());
      if (!deep.isEmpty()) {
        long start = System.nanoTime();
        ExplainCommand.explain(invocation, run, deep, data.output(), -1, false);
        manifest.stage("explain", (System.nanoTime() - start) / 1e9, Map.of("models", deep));
      }
      // Last, so that the report shows every other stage's output, Grad-CAM figures included.
      long start = System.nanoTime();
      Leaderboard leaderboard = EvaluateCommand.evaluate(invocation, run, data.output());
      manifest.stage("evaluate", (System.nanoTime() - start) / 1e9, Map.of("best",
          leaderboard.models().get(0).model(), "leaderboard", run.leaderboardTable().toString(),
          "report", run.reportHtml().toString()));
      invocation.out().print(leaderboard.toMarkdown());
      invocation.out().println("report: " + run.reportHtml());
    });
  }
}
