package io.fmnist.cli;

import io.fmnist.data.Ingest;
import io.fmnist.data.ParquetLayout;
import org.apache.commons.cli.Options;

/** {@code ingest --input URI --output URI [--overwrite]}: IDX files or image folders to the Parquet data set. */
final class IngestCommand implements Command {

  @Override
  public String name() {
    return "ingest";
  }

  @Override
  public String summary() {
    return "IDX files (gzip or raw, any Hadoop URI) or image folders to Parquet train/ and test/ with a manifest";
  }

  @Override
  public Options options() {
    return new Options()
        .addOption(CommonOptions.idxInput())
        .addOption(CommonOptions.required(CommonOptions.OUTPUT, "URI", "folder for the Parquet data set"))
        .addOption(CommonOptions.overwrite());
  }

  @Override
  public void run(Invocation invocation) {
    var config = invocation.config();
    Ingest.Result result = Ingest.of(invocation.spark(), config).run(invocation.value(CommonOptions.INPUT), invocation.value(CommonOptions.OUTPUT),
            invocation.has(CommonOptions.OVERWRITE));
    var manifest = result.manifest();
    invocation.out().printf("ingested %d train and %d test images of %s into %s in %.1f s%n",
        manifest.splits().get(ParquetLayout.TRAIN).count(), manifest.splits().get(ParquetLayout.TEST).count(),
        manifest.size(), result.output(), result.seconds());
  }
}
