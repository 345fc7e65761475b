package io.fmnist.deep;

import io.fmnist.fs.HadoopFiles;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * A deep model's epochs so far ({@code history/<name>.json} in the run, and in each checkpoint):
 * training loss, validation accuracy and loss, seconds and images per second, and which epoch was
 * best on the validation split. The training-curve plot reads it.
 */
public record TrainingHistory(String model, List<Epoch> epochs) {

  /** One epoch; {@code epoch} counts from 1. */
  public record Epoch(int epoch, double trainLoss, double validationAccuracy, double validationLoss,
      double seconds, double imagesPerSecond, double learningRate) {}

  public static TrainingHistory empty(String model) {
    return new TrainingHistory(model, List.of());
  }

  public TrainingHistory plus(Epoch epoch) {
    List<Epoch> all = new ArrayList<>(epochs);
    all.add(epoch);
    return new TrainingHistory(model, List.copyOf(all));
  }

  /** The epoch with the highest validation accuracy (the earliest of ties), or null before the first. */
  public Epoch best() {
    Epoch best = null;
    for (Epoch epoch : epochs) {
      if (best == null || epoch.validationAccuracy() > best.validationAccuracy()) {
        best = epoch;
      }
    }
    return best;
  }

  public int completedEpochs() {
    return epochs.isEmpty() ? 0 : epochs.get(epochs.size() - 1).epoch();
  }

  public double trainSeconds() {
    return epochs.stream().mapToDouble(Epoch::seconds).sum();
  }

  public void write(Path path, Configuration conf) {
    HadoopFiles.writeJson(path, this, conf);
  }

  public static TrainingHistory read(Path path, Configuration conf) {
    return HadoopFiles.readJson(path, TrainingHistory.class, conf);
  }
}
