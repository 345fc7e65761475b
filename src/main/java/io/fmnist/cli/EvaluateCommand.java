package io.fmnist.cli;

import io.fmnist.eval.Leaderboard;
import io.fmnist.run.RunDirectory;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code evaluate --run RUN}: every model's predictions in a run into metrics, a leaderboard, plots
 * and the report (which shows the Grad-CAM figures that {@code explain} left in the run).
 */
final class EvaluateCommand implements Command {

  static final String RUN = "run";
  static final String DATA = "data";

  @Override
  public String name() {
    return "evaluate";
  }

  @Override
  public String summary() {
    return "metrics, bootstrap intervals, McNemar's tests, leaderboard, plots and report from a run's predictions";
  }

  @Override
  public Options options() {
    return new Options().addOption(CommonOptions.required(RUN, "RUN", "the run directory"))
        .addOption(Option.builder().longOpt(DATA).hasArg().argName("URI")
            .desc("the ingested data set the run was trained on, for the report's thumbnails (default: RUN/data)")
            .build());
  }

  @Override
  public void run(Invocation invocation) {
    RunDirectory run = RunDirectory.open(invocation.value(RUN),
        invocation.spark().sparkContext().hadoopConfiguration());
    Leaderboard leaderboard = invocation.stages().evaluate(run,
        invocation.has(DATA) ? invocation.value(DATA) : run.data().toString());
    invocation.out().print(leaderboard.summary(run.leaderboardTable()));
    invocation.out().println("report: " + run.reportHtml());
  }
}
