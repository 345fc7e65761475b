package io.fmnist.cli;

import com.typesafe.config.Config;
import io.fmnist.deep.SavedDeepModel;
import io.fmnist.errors.UsageException;
import io.fmnist.eval.Leaderboard;
import io.fmnist.explain.GradCamGallery;
import io.fmnist.fs.HadoopFiles;
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
    List<String> models = invocation.has("model") ? List.of(invocation.value("model")) : deepModels(run, hadoop);
    for (String model : models) {
      if (!SavedDeepModel.isAt(run.model(model).toString(), hadoop)) {
        throw new UsageException(run.model(model) + ": no deep model there to explain");
      }
    }
    String data = invocation.has(EvaluateCommand.DATA) ? invocation.value(EvaluateCommand.DATA) : run.data().toString();
    int samples = invocation.has("samples") ? samples(invocation.value("samples")) : -1;
    explain(invocation, run, models, data, samples, invocation.has(CommonOptions.OVERWRITE));
    // A run that was evaluated already gets its report redrawn with the new figures.
    if (HadoopFiles.exists(run.leaderboard(), hadoop)) {
      EvaluateCommand.report(invocation, run, Leaderboard.read(run.leaderboard(), hadoop), data);
      invocation.out().println("report: " + run.reportHtml());
    }
  }

  private static int samples(String value) {
    try {
      int samples = Integer.parseInt(value);
      if (samples > 0) {
        return samples;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw new UsageException("--samples must be a positive whole number, not '" + value + "'");
  }

  /** The explain stage as this command and {@code pipeline} run it. */
  static void explain(Invocation invocation, RunDirectory run, List<String> models, String data, int samples,
      boolean overwrite) {
    Config explain = invocation.config().config().getConfig("explain");
    GradCamGallery gallery = new GradCamGallery(invocation.spark(), invocation.config().classNames(),
        samples > 0 ? samples : explain.getInt("correct-per-class"), explain.getInt("wrong-per-class"),
        explain.getInt("upscale"));
    for (String model : models) {
      int figures = gallery.write(run, model, data, overwrite).size();
      invocation.out().printf("%-6s %d Grad-CAM figures in %s%n", model, figures, run.explanations(model));
    }
  }

  /** The run's models saved by DL4J. */
  static List<String> deepModels(RunDirectory run, Configuration hadoop) {
    return run.modelsWithPredictions().stream()
        .filter(model -> SavedDeepModel.isAt(run.model(model).toString(), hadoop)).toList();
  }
}
