package io.fmnist.cli;

import io.fmnist.data.Ingest;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.Options;
import org.apache.spark.sql.SparkSession;

/**
 * {@code pipeline --input URI --output RUN}: every stage in one job, into one run directory.
 * Stages so far: ingest (into {@code RUN/data}), then train.
 */
final class PipelineCommand implements Command {

  @Override
  public String name() {
    return "pipeline";
  }

  @Override
  public String summary() {
    return "all stages in one job: ingest the IDX input and train the models into a new run directory";
  }

  @Override
  public Options options() {
    return new Options()
        .addOption(CommonOptions.required(CommonOptions.INPUT, "URI", "folder with the four IDX files (raw or .gz)"))
        .addOption(CommonOptions.required(CommonOptions.OUTPUT, "RUN", "the run directory to create"))
        .addOption(ModelTraining.modelsOption())
        .addOption(CommonOptions.overwrite());
  }

  @Override
  public void run(Invocation invocation) {
    var config = invocation.config();
    List<String> models = ModelTraining.models(invocation);
    SparkSession spark = invocation.spark();
    Ingest ingest = new Ingest(spark, config.classNames(), config.imagesPerPartition());
    // Bad input is refused before the run directory exists.
    Ingest.Verified input = ingest.verify(invocation.value(CommonOptions.INPUT));
    invocation.inNewRun((run, manifest) -> {
      Ingest.Result data = ingest.write(input, run.data().toString(), false);
      manifest.inputs(data.manifest());
      manifest.stage("ingest", data.seconds(), Map.of("output", data.output()));
      ModelTraining.run(invocation, data.output(), models, run, manifest);
    });
  }
}
