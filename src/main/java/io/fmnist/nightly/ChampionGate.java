package io.fmnist.nightly;

import com.typesafe.config.Config;
import io.fmnist.eval.Leaderboard;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;

/**
 * Champion against challenger, model by model: a challenger is promoted unless it is worse than
 * the champion beyond the tolerance, or its 95% interval lies wholly below the champion's (a
 * drop the bootstrap says is real, however small). A model without a champion is promoted.
 */
public final class ChampionGate {

  private final double tolerance;
  private final Duration lockWait;
  private final Duration lockStale;

  public ChampionGate(double tolerance, Duration lockWait, Duration lockStale) {
    this.tolerance = tolerance;
    this.lockWait = lockWait;
    this.lockStale = lockStale;
  }

  /** The gate as {@code nightly.*} in the configuration sets it. */
  public static ChampionGate of(Config nightly) {
    return new ChampionGate(nightly.getDouble("tolerance"), nightly.getDuration("lock-wait"),
        nightly.getDuration("lock-stale"));
  }

  /**
   * Gates the models of {@code run} (its leaderboard {@code challengers}) under the runs root's
   * lock, so that two nightly runs cannot interleave: decides, adds the night to the history,
   * moves the champion pointer where a challenger won, and redraws the trend.
   */
  public List<Decision> gate(RunsRoot root, String run, Leaderboard challengers, Configuration conf) {
    try (RunsLock lock = RunsLock.acquire(root.lock(), lockWait, lockStale, conf)) {
      Champions current = Champions.read(root.champion(), conf);
      List<Decision> decisions = decide(current, challengers);
      NightlyHistory history = new NightlyHistory(root, conf);
      history.add(new NightlyHistory.Night(run, Instant.now().toString(), challengers.models(), decisions));
      if (decisions.stream().anyMatch(Decision::promoted)) {
        apply(current, decisions, run).write(root.champion(), conf);
      }
      history.drawTrend();
      return decisions;
    }
  }

  /** One model's verdict; {@code champion} is the one it was compared with, null if none. */
  public record Decision(String model, double accuracy, Leaderboard.Interval accuracyCi,
      Champions.Champion champion, boolean promoted, String reason) {}

  /** The verdicts for every model of the challengers' leaderboard. */
  List<Decision> decide(Champions current, Leaderboard challengers) {
    List<Decision> decisions = new ArrayList<>();
    for (Leaderboard.Entry entry : challengers.models()) {
      Champions.Champion champion = current.models().get(entry.model());
      decisions.add(decide(entry, champion));
    }
    return decisions;
  }

  private Decision decide(Leaderboard.Entry challenger, Champions.Champion champion) {
    if (champion == null) {
      return new Decision(challenger.model(), challenger.accuracy(), challenger.accuracyCi(), null, true,
          "no champion yet");
    }
    double drop = champion.accuracy() - challenger.accuracy();
    if (drop > tolerance) {
      return rejected(challenger, champion, String.format(Locale.ROOT,
          "accuracy %.4f is %.4f below the champion's %.4f (run %s); tolerance %.4f", challenger.accuracy(),
          drop, champion.accuracy(), champion.run(), tolerance));
    }
    if (champion.accuracyCi() != null && challenger.accuracyCi() != null
        && challenger.accuracyCi().high() < champion.accuracyCi().low()) {
      return rejected(challenger, champion, String.format(Locale.ROOT,
          "95%% interval %.4f-%.4f lies below the champion's %.4f-%.4f (run %s)", challenger.accuracyCi().low(),
          challenger.accuracyCi().high(), champion.accuracyCi().low(), champion.accuracyCi().high(),
          champion.run()));
    }
    return new Decision(challenger.model(), challenger.accuracy(), challenger.accuracyCi(), champion, true,
        String.format(Locale.ROOT, "accuracy %.4f against the champion's %.4f", challenger.accuracy(),
            champion.accuracy()));
  }

  private static Decision rejected(Leaderboard.Entry challenger, Champions.Champion champion, String reason) {
    return new Decision(challenger.model(), challenger.accuracy(), challenger.accuracyCi(), champion, false, reason);
  }

  /** The champions after the promotions of {@code decisions}, made by {@code run}. */
  static Champions apply(Champions current, List<Decision> decisions, String run) {
    Champions next = current;
    String now = Instant.now().toString();
    for (Decision d : decisions) {
      if (d.promoted()) {
        next = next.with(d.model(), new Champions.Champion(run, d.accuracy(), d.accuracyCi(), now));
      }
    }
    return next;
  }
}
