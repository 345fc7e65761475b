package io.fmnist.cli;

import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** Option definitions that several commands share, written once. */
final class CommonOptions {

  static final String CONF = "conf";
  static final String SET = "set";
  static final String VERBOSE = "verbose";
  static final String HELP = "help";
  static final String INPUT = "input";
  static final String OUTPUT = "output";
  static final String OVERWRITE = "overwrite";

  private CommonOptions() {}

  /** Every command's options plus --conf, --set, --verbose and --help. */
  static Options withCommon(Options own) {
    Options all = new Options();
    own.getOptions().forEach(all::addOption);
    all.addOption(Option.builder().longOpt(CONF).hasArg().argName("FILE")
        .desc("configuration file layered over conf/default.conf (any Hadoop URI)").build());
    all.addOption(Option.builder().longOpt(SET).hasArg().argName("key=value")
        .desc("override one configuration key; repeatable").build());
    all.addOption(Option.builder().longOpt(VERBOSE)
        .desc("debug logging, and stack traces with errors").build());
    all.addOption(Option.builder("h").longOpt(HELP).desc("show this help").build());
    return all;
  }

  static Option required(String name, String argName, String description) {
    return Option.builder().longOpt(name).hasArg().argName(argName).required().desc(description).build();
  }

  /** --input of the commands that start from IDX files. */
  static Option idxInput() {
    return required(INPUT, "URI", "folder with train-images-idx3-ubyte (or idx4: channels last), "
        + "train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (each raw or .gz); "
        + "or with image folders train/<class>/*.png|jpg and test/<class>/*.png|jpg");
  }

  static Option flag(String name, String description) {
    return Option.builder().longOpt(name).desc(description).build();
  }

  static Option overwrite() {
    return flag(OVERWRITE, "replace an existing output");
  }
}
