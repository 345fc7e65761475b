package io.fmnist.cli;

import org.apache.commons.cli.Options;

/** A subcommand: its options, and how it turns them into a request to a stage. */
interface Command {

  /** The word that selects it: {@code ingest}, {@code pipeline}, ... */
  String name();

  /** One line for the command list. */
  String summary();

  /** Its own options; {@link Main} adds the common ones (--conf, --set, --verbose, --help). */
  Options options();

  /** Runs it; failures are thrown as {@link io.fmnist.errors.FmnistException} or any other exception. */
  void run(Invocation invocation);
}
