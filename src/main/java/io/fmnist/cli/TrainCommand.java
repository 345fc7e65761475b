package io.fmnist.cli;

import io.fmnist.data.IngestManifest;
import io.fmnist.run.RunDirectory;
import java.util.List;
import org.apache.commons.cli.Options;

/** {@code train --data URI --output RUN [--models ...]}: models trained on an ingested data set into a new run. */
final class TrainCommand implements Command {

  @Override
  public String name() {
    return "train";
  }

  @Override
  public String summary() {
    return "train models on an ingested data set into a new run directory";
  }

  @Override
  public Options options() {
    return new Options()
        .addOption(CommonOptions.required("data", "URI", "an ingested data set (the output of ingest)"))
        .addOption(CommonOptions.required(CommonOptions.OUTPUT, "RUN", "the run directory to create"))
        .addOption(ModelTraining.modelsOption())
        .addOption(ModelTraining.resumeOption())
        .addOption(CommonOptions.overwrite());
  }

  @Override
  public void run(Invocation invocation) {
    boolean resume = invocation.has(ModelTraining.RESUME);
    var hadoop = invocation.spark().sparkContext().hadoopConfiguration();
    List<String> models = ModelTraining.models(invocation, resume
        ? RunDirectory.open(invocation.value(CommonOptions.OUTPUT), hadoop).modelsWithPredictions() : List.of());
    String data = invocation.value("data");
    IngestManifest input = IngestManifest.read(data, hadoop);
    invocation.inRun(resume, (run, manifest) -> {
      manifest.inputs(input);
      invocation.stages().train(data, models, run, manifest, resume);
    });
  }
}
