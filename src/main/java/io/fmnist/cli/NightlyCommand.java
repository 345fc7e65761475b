package io.fmnist.cli;

import io.fmnist.errors.QualityGateException;
import io.fmnist.eval.Leaderboard;
import io.fmnist.nightly.ChampionGate;
import io.fmnist.nightly.RunsRoot;
import io.fmnist.run.RunDirectory;
import java.util.List;
import java.util.Locale;
import org.apache.commons.cli.Options;
import org.apache.hadoop.conf.Configuration;

/**
 * {@code nightly --input URI --runs URI}: the pipeline into a new run under the runs root, then
 * the champion gate under the root's lock: every model is compared with its champion, promoted
 * where it is not worse, the night is added to the history and the trend redrawn. Exit 4 when
 * any challenger was refused (its champion stays).
 */
final class NightlyCommand implements Command {

  static final String RUNS = "runs";

  @Override
  public String name() {
    return "nightly";
  }

  @Override
  public String summary() {
    return "pipeline into a new run under a runs root, then promote models that are not worse than their champion";
  }

  @Override
  public Options options() {
    return new Options()
        .addOption(CommonOptions.idxInput())
        .addOption(CommonOptions.required(RUNS, "URI", "the runs root: one run per night, champion, history"))
        .addOption(ModelTraining.modelsOption());
  }

  @Override
  public void run(Invocation invocation) {
    Configuration conf = invocation.spark().sparkContext().hadoopConfiguration();
    RunsRoot root = RunsRoot.at(invocation.value(RUNS), conf);
    RunDirectory run = PipelineCommand.run(invocation, root.newRun().toString());
    List<ChampionGate.Decision> decisions = ChampionGate.of(invocation.config().config().getConfig("nightly"))
        .gate(root, run.root().getName(), Leaderboard.read(run.leaderboard(), conf), conf);
    for (ChampionGate.Decision d : decisions) {
      invocation.out().printf(Locale.ROOT, "%-6s %s: %s%n", d.model(), d.promoted() ? "promoted" : "REFUSED",
          d.reason());
    }
    invocation.out().println("champions: " + root.champion() + "; trend: " + root.trend());
    List<String> refused = decisions.stream().filter(d -> !d.promoted()).map(ChampionGate.Decision::model).toList();
    if (!refused.isEmpty()) {
      throw new QualityGateException("challengers worse than their champions, champions kept: "
          + String.join(", ", refused) + " (run " + run.root() + ")");
    }
  }
}
