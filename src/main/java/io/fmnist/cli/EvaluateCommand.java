package io.fmnist.cli;

import io.fmnist.data.ParquetLayout;
import io.fmnist.data.TestImages;
import io.fmnist.eval.Evaluation;
import io.fmnist.eval.Leaderboard;
import io.fmnist.fs.HadoopFiles;
import io.fmnist.report.RunReport;
import io.fmnist.run.RunDirectory;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code evaluate --run RUN}: every model's predictions in a run into metrics, a leaderboard, plots
 * and the report (which shows the Grad-CAM figures that {@code explain} left in the run).
 */
final class EvaluateCommand implements Command {

  private static final Logger LOG = LoggerFactory.getLogger(EvaluateCommand.class);
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
    Leaderboard leaderboard = evaluate(invocation, run,
        invocation.has(DATA) ? invocation.value(DATA) : run.data().toString());
    invocation.out().print(leaderboard.toMarkdown());
    invocation.out().println("report: " + run.reportHtml());
  }

  /**
   * The evaluate stage as this command and {@code pipeline} run it: leaderboard, plots, report;
   * {@code data} is the ingested data set, whose test images the report shows.
   */
  static Leaderboard evaluate(Invocation invocation, RunDirectory run, String data) {
    var config = invocation.config();
    Leaderboard leaderboard = new Evaluation(invocation.spark(), config.classNames(),
        config.config().getInt("evaluate.bootstrap-samples"), config.config().getInt("evaluate.examples-per-cell"),
        config.seed()).run(run);
    report(invocation, run, leaderboard, data);
    return leaderboard;
  }

  /** Draws the report of {@code run}, with thumbnails of the test images where the data set at {@code data} is. */
  static void report(Invocation invocation, RunDirectory run, Leaderboard leaderboard, String data) {
    Configuration hadoop = invocation.spark().sparkContext().hadoopConfiguration();
    boolean reachable = HadoopFiles.exists(new Path(data, ParquetLayout.MANIFEST), hadoop);
    if (!reachable) {
      LOG.warn("{}: no ingested data set there; the report's explorer lists images without thumbnails (--data)", data);
    }
    new RunReport(hadoop).write(run, leaderboard,
        reachable ? ids -> TestImages.read(invocation.spark(), data, ids) : null);
  }
}
