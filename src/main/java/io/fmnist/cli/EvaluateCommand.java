package io.fmnist.cli;

import io.fmnist.eval.Evaluation;
import io.fmnist.eval.Leaderboard;
import io.fmnist.report.RunReport;
import io.fmnist.run.RunDirectory;
import org.apache.commons.cli.Options;

/**
 * {@code evaluate --run RUN}: every model's predictions in a run into metrics, a leaderboard, plots
 * and the report (which shows the Grad-CAM figures that {@code explain} left in the run).
 */
final class EvaluateCommand implements Command {

  static final String RUN = "run";

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
    return new Options().addOption(CommonOptions.required(RUN, "RUN", "the run directory"));
  }

  @Override
  public void run(Invocation invocation) {
    RunDirectory run = RunDirectory.open(invocation.value(RUN),
        invocation.spark().sparkContext().hadoopConfiguration());
    Leaderboard leaderboard = evaluate(invocation, run);
    invocation.out().print(leaderboard.toMarkdown());
    invocation.out().println("report: " + run.reportHtml());
  }

  /** The evaluate stage as this command and {@code pipeline} run it: leaderboard, plots, report. */
  static Leaderboard evaluate(Invocation invocation, RunDirectory run) {
    var config = invocation.config();
    Leaderboard leaderboard = new Evaluation(invocation.spark(), config.classNames(),
        config.config().getInt("evaluate.bootstrap-samples"), config.seed()).run(run);
    new RunReport(invocation.spark().sparkContext().hadoopConfiguration()).write(run, leaderboard);
    return leaderboard;
  }
}
