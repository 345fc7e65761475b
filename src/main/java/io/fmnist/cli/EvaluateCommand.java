package io.fmnist.cli;

import io.fmnist.eval.Evaluation;
import io.fmnist.eval.Leaderboard;
import io.fmnist.run.RunDirectory;
import org.apache.commons.cli.Options;

/** {@code evaluate --run RUN}: every model's predictions in a run into metrics and a leaderboard. */
final class EvaluateCommand implements Command {

  static final String RUN = "run";

  @Override
  public String name() {
    return "evaluate";
  }

  @Override
  public String summary() {
    return "metrics, bootstrap intervals, McNemar's tests and a leaderboard from a run's predictions";
  }

  @Override
  public Options options() {
    return new Options().addOption(CommonOptions.required(RUN, "RUN", "the run directory"));
  }

  @Override
  public void run(Invocation invocation) {
    RunDirectory run = RunDirectory.open(invocation.value(RUN),
        invocation.spark().sparkContext().hadoopConfiguration());
    Leaderboard leaderboard = evaluation(invocation).run(run);
    invocation.out().print(leaderboard.toMarkdown());
  }

  /** The evaluate stage as this command and {@code pipeline} run it. */
  static Evaluation evaluation(Invocation invocation) {
    var config = invocation.config();
    return new Evaluation(invocation.spark(), config.classNames(),
        config.config().getInt("evaluate.bootstrap-samples"), config.seed());
  }
}
