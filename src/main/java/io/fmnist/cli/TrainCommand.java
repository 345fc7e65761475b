package io.fmnist.cli;

import io.fmnist.data.IngestManifest;
import io.fmnist.errors.FmnistException;
import io.fmnist.run.BuildInfo;
import io.fmnist.run.RunDirectory;
import io.fmnist.run.RunManifest;
import java.util.List;
import org.apache.commons.cli.Options;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

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
        .addOption(CommonOptions.overwrite());
  }

  @Override
  public void run(Invocation invocation) {
    List<String> models = ModelTraining.models(invocation);
    SparkSession spark = invocation.spark();
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    String data = invocation.value("data");
    IngestManifest input = IngestManifest.read(data, conf);
    RunDirectory run = RunDirectory.create(invocation.value(CommonOptions.OUTPUT),
        invocation.has(CommonOptions.OVERWRITE), conf);
    RunManifest manifest = new RunManifest(run, invocation.args(), invocation.config(),
        BuildInfo.versions(spark.version()), conf);
    try {
      manifest.inputs(input);
      ModelTraining.run(invocation, data, models, run, manifest);
      manifest.complete();
    } catch (RuntimeException e) {
      manifest.fail(e instanceof FmnistException ? e.getMessage() : String.valueOf(e));
      throw e;
    }
    invocation.out().println("run complete: " + run.root());
  }
}
