package io.fmnist.deep;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import io.fmnist.errors.UsageException;
import java.util.List;

/**
 * How many epochs a network trains within {@code deep.<name>.time-budget}: its configured epochs,
 * or fewer where the epochs left would take longer than the budget leaves at the pace of those so
 * far. A nightly job with a window, or a slower CPU, then ends training on time with its learning
 * rate annealed (the trainer re-plans the cosine schedule to the new last epoch) instead of being
 * cut off halfway down the schedule, as a plain time limit (DL4J's
 * {@code MaxTimeIterationTerminationCondition}) would. The budget counts the epochs' fitting seconds
 * as the history records them (run.json's {@code trainSeconds}), not validation, so a run resumed
 * from a checkpoint goes on with the time it had left.
 *
 * @param epochs the configured epochs
 * @param seconds the budget, 0 for none
 */
record EpochBudget(int epochs, double seconds) {

  /**
   * The budget in the settings of network {@code name}; a number without a unit (milliseconds to
   * Typesafe Config) is refused.
   */
  static EpochBudget of(Config settings, String name) {
    if (settings.getValue("time-budget").valueType() == ConfigValueType.NUMBER
        && settings.getNumber("time-budget").doubleValue() != 0) {
      throw new UsageException("deep." + name + ".time-budget = " + settings.getNumber("time-budget")
          + ": give its unit, for example 300s or 5 minutes");
    }
    return new EpochBudget(settings.getInt("epochs"), settings.getDuration("time-budget").toMillis() / 1000.0);
  }

  /**
   * The epochs to train in all after {@code history}: at most the configured ones, and none more
   * once the budget is spent. The pace is the mean of the epochs after the first, whose seconds
   * include the JIT compiler's warm-up (about a quarter more for the ResNet); after the first
   * alone the configured epochs stand unless it spent the whole budget.
   */
  int plan(TrainingHistory history) {
    int done = history.completedEpochs();
    if (seconds <= 0) {
      return epochs;
    }
    double spent = history.trainSeconds();
    if (spent >= seconds) {
      return Math.min(done, epochs);
    }
    List<TrainingHistory.Epoch> all = history.epochs();
    if (all.size() < 2) {
      return epochs;
    }
    double pace = all.subList(1, all.size()).stream().mapToDouble(TrainingHistory.Epoch::seconds).average()
        .orElseThrow();
    return (int) Math.min(epochs, done + Math.floor((seconds - spent) / pace));
  }
}
