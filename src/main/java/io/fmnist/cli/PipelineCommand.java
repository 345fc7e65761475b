package io.fmnist.cli;

import io.fmnist.data.Ingest;
import io.fmnist.pipeline.Stages;
import io.fmnist.run.RunDirectory;
import java.util.List;
import org.apache.commons.cli.Options;

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
    Ingest ingest = Ingest.of(invocation.spark(), config);
    // Bad input is refused before the run directory exists.
    Ingest.Verified input = ingest.verify(invocation.value(CommonOptions.INPUT));
    return invocation.inRun(output, false, (run, manifest) -> {
      Stages.PipelineResult result = invocation.stages().pipeline(ingest, input, models, run, manifest);
      invocation.out().print(result.leaderboard().summary(run.leaderboardTable()));
      invocation.out().println("report: " + run.reportHtml());
    });
  }
}
