package io.fmnist.deep;

import io.fmnist.fs.AtomicOutput;
import io.fmnist.fs.HadoopFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A deep model's checkpoints in the run ({@code checkpoints/<name>/epoch-NNNN/}): after every
 * epoch the network with its updater state (to continue training), the best network so far (to
 * finish with) and the history. Each is written aside and renamed into place, so a crash at any
 * moment, kill -9 included, leaves the previous complete checkpoint as the latest one.
 */
final class Checkpoints {

  private static final Logger LOG = LoggerFactory.getLogger(Checkpoints.class);
  private static final String PREFIX = "epoch-";
  private static final String LAST = "last.zip";
  private static final String BEST = "best.zip";
  private static final String HISTORY = "history.json";

  private final Path dir;
  private final Configuration conf;

  Checkpoints(Path dir, Configuration conf) {
    this.dir = dir;
    this.conf = conf;
  }

  /** A checkpoint after {@code history.completedEpochs()} epochs. */
  record Checkpoint(TrainingHistory history, DeepNetwork last, DeepNetwork best) {}

  void write(TrainingHistory history, DeepNetwork last, DeepNetwork best) {
    Path target = new Path(dir, String.format("%s%04d", PREFIX, history.completedEpochs()));
    try (AtomicOutput out = AtomicOutput.begin(target.toString(), true, conf)) {
      HadoopFiles.writeBytes(new Path(out.staging(), LAST), last.toBytes(true), conf);
      HadoopFiles.writeBytes(new Path(out.staging(), BEST), best.toBytes(false), conf);
      history.write(new Path(out.staging(), HISTORY), conf);
      out.commit();
    }
    for (FileStatus old : complete()) {
      if (!old.getPath().getName().equals(target.getName())) {
        delete(old.getPath());
      }
    }
  }

  /** The latest complete checkpoint, if any. */
  Optional<Checkpoint> latest(DeepNetwork.Kind kind) {
    return Arrays.stream(complete()).max(Comparator.comparing(status -> status.getPath().getName()))
        .map(status -> {
          Path path = status.getPath();
          LOG.info("resuming from checkpoint {}", path);
          return new Checkpoint(TrainingHistory.read(new Path(path, HISTORY), conf),
              DeepNetwork.fromBytes(kind, HadoopFiles.readBytes(new Path(path, LAST), conf), true),
              DeepNetwork.fromBytes(kind, HadoopFiles.readBytes(new Path(path, BEST), conf), false));
        });
  }

  private FileStatus[] complete() {
    try {
      FileSystem fs = HadoopFiles.fileSystem(dir, conf);
      if (!fs.exists(dir)) {
        return new FileStatus[0];
      }
      return fs.listStatus(dir, path -> path.getName().startsWith(PREFIX));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }

  private void delete(Path path) {
    try {
      HadoopFiles.fileSystem(path, conf).delete(path, true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + path, e);
    }
  }
}
