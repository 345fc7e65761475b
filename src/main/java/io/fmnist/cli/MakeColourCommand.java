package io.fmnist.cli;

import io.fmnist.data.ColourFashion;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code make-colour --input IDX --output DIR [--size N] [--limit N] [--overwrite]}: a seeded colour
 * data set from a grey IDX one, as idx4 files and as image folders ({@link ColourFashion}).
 */
final class MakeColourCommand implements Command {

  private static final String SIZE = "size";
  private static final String LIMIT = "limit";

  @Override
  public String name() {
    return "make-colour";
  }

  @Override
  public String summary() {
    return "a colour data set from a grey IDX one (tinted items on textured backgrounds, seeded): DIR/idx and DIR/folders";
  }

  @Override
  public Options options() {
    return new Options()
        .addOption(CommonOptions.required(CommonOptions.INPUT, "URI", "folder with the grey IDX files (as ingest reads them)"))
        .addOption(CommonOptions.required(CommonOptions.OUTPUT, "DIR", "folder for idx/ and folders/"))
        .addOption(Option.builder().longOpt(SIZE).hasArg().argName("N").desc("rows and columns of the colour images (default 32)").build())
        .addOption(Option.builder().longOpt(LIMIT).hasArg().argName("N").desc("images per split, from the start (default: all)").build())
        .addOption(CommonOptions.overwrite());
  }

  @Override
  public void run(Invocation invocation) {
    var config = invocation.config();
    int size = invocation.positive(SIZE, 32);
    int limit = invocation.positive(LIMIT, 0);
    ColourFashion.Result result = new ColourFashion(size, config.seed(), limit).write(
        invocation.value(CommonOptions.INPUT), invocation.value(CommonOptions.OUTPUT), config.classNames(),
        invocation.has(CommonOptions.OVERWRITE), invocation.spark().sparkContext().hadoopConfiguration());
    invocation.out().printf("%d train and %d test colour images of %dx%dx3 as idx4 in %s and as image folders in %s%n",
        result.train(), result.test(), size, size, result.idx(), result.folders());
  }
}
