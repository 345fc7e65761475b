package io.fmnist.cli;

import io.fmnist.deep.SavedDeepModel;
import io.fmnist.errors.UsageException;
import io.fmnist.eval.Leaderboard;
import io.fmnist.fs.HadoopFiles;
import io.fmnist.pipeline.Stages;
import io.fmnist.run.RunDirectory;
import java.util.List;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.hadoop.conf.Configuration;

/** {@code explain --run RUN [--model cnn|resnet] [--samples N]}: Grad-CAM figures of a run's deep models. */
final class ExplainCommand implements Command {

  @Override
  public String name() {
    return "explain";
  }

  @Override
  public String summary() {
    return "Grad-CAM figures of a run's deep models on test images (explain/<model>/ in the run)";
  }

  @Override
  public Options options() {
    return new Options()
        .addOption(CommonOptions.required(EvaluateCommand.RUN, "RUN", "the run directory"))
        .addOption(Option.builder().longOpt("model").hasArg().argName("cnn|resnet")
            .desc("the deep model to explain (default: every deep model in the run)").build())
        .addOption(Option.builder().longOpt("samples").hasArg().argName("N")
            .desc("correctly classified images per class (default: explain.correct-per-class)").build())
        .addOption(Option.builder().longOpt(EvaluateCommand.DATA).hasArg().argName("URI")
            .desc("the ingested data set the run was trained on (default: RUN/data)").build())
        .addOption(CommonOptions.overwrite());
  }

  @Override
  public void run(Invocation invocation) {
    Configuration hadoop = invocation.spark().sparkContext().hadoopConfiguration();
    RunDirectory run = RunDirectory.open(invocation.value(EvaluateCommand.RUN), hadoop);
    Stages stages = invocation.stages();
    List<String> models = invocation.has("model") ? List.of(invocation.value("model")) : stages.deepModels(run);
    for (String model : models) {
      if (!SavedDeepModel.isAt(run.model(model).toString(), hadoop)) {
        throw new UsageException(run.model(model) + ": no deep model there to explain");
      }
    }
    String data = invocation.has(EvaluateCommand.DATA) ? invocation.value(EvaluateCommand.DATA) : run.data().toString();
    int samples = invocation.positive("samples", -1);
    stages.explain(run, models, data, samples, invocation.has(CommonOptions.OVERWRITE));
    // A run that was evaluated already gets its report redrawn with the new figures.
    if (HadoopFiles.exists(run.leaderboard(), hadoop)) {
      stages.report(run, Leaderboard.read(run.leaderboard(), hadoop), data);
      invocation.out().println("report: " + run.reportHtml());
    }
  }
}
