package io.fmnist.cli;

import io.fmnist.errors.FmnistException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.spark.sql.SparkSession;

/**
 * The entry point: {@code fmnist <command> [options]}. Maps every failure to one line on stderr
 * and the exit codes of DESIGN.md: 0 done, 1 other, 2 usage, 3 bad input data, 4 quality gate.
 */
public final class Main {

  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;

  private static final String PROGRAM = "fmnist";
  private static final List<Command> COMMANDS = List.of(new IngestCommand(), new TrainCommand(), new PredictCommand(), new EvaluateCommand(), new ExplainCommand(),
      new PipelineCommand(), new NightlyCommand(), new MakeColourCommand());

  private Main() {}

  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    SparkSession.getDefaultSession().foreach(session -> {
      session.stop();
      return null;
    });
    System.exit(code);
  }

  /** Runs one command line and returns its exit code; never exits the JVM. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || isHelp(args[0])) {
      printCommands(args.length == 0 ? err : out);
      return args.length == 0 ? USAGE : OK;
    }
    Optional<Command> found = command(args[0]);
    if (found.isEmpty()) {
      err.println(PROGRAM + ": unknown command '" + args[0] + "'; commands: "
          + String.join(", ", COMMANDS.stream().map(Command::name).toList()));
      return USAGE;
    }
    Command command = found.get();
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    boolean verbose = Arrays.asList(rest).contains("--" + CommonOptions.VERBOSE);
    if (Arrays.stream(rest).anyMatch(Main::isHelp)) {
      printHelp(command, CommonOptions.withCommon(command.options()), out);
      return OK;
    }
    try {
      CommandLine line = parse(command, rest);
      if (verbose) {
        Configurator.setLevel("io.fmnist", Level.DEBUG);
      }
      command.run(new Invocation(args, line, out));
      return OK;
    } catch (ParseException e) {
      err.println(PROGRAM + " " + command.name() + ": " + e.getMessage()
          + " (see " + PROGRAM + " " + command.name() + " --help)");
      return USAGE;
    } catch (Exception | Error e) { // Scala code throws checked exceptions undeclared
      Optional<FmnistException> known = knownCause(e);
      String message = known.map(Throwable::getMessage).orElseGet(() -> describe(e));
      err.println(PROGRAM + " " + command.name() + ": error: " + message
          + (verbose || known.isPresent() ? "" : " (--verbose shows the stack trace)"));
      if (verbose) {
        e.printStackTrace(err);
      }
      return known.map(FmnistException::exitCode).orElse(FAILED);
    }
  }

  /**
   * Checks a command line without running it: the command exists, its options parse, and its
   * configuration (--conf where readable, every --set) loads. Job definitions are tested with it.
   *
   * @throws ParseException or {@link io.fmnist.errors.UsageException} saying what is wrong
   */
  public static void check(String[] args) throws ParseException {
    if (args.length == 0) {
      throw new ParseException("no command");
    }
    Command command = command(args[0]).orElseThrow(() -> new ParseException("unknown command '" + args[0] + "'"));
    CommandLine line = parse(command, Arrays.copyOfRange(args, 1, args.length));
    new Invocation(args, line, System.out).config();
  }

  private static Optional<Command> command(String name) {
    return COMMANDS.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  private static CommandLine parse(Command command, String[] rest) throws ParseException {
    CommandLine line = new DefaultParser().parse(CommonOptions.withCommon(command.options()), rest);
    if (!line.getArgList().isEmpty()) {
      throw new ParseException("unexpected argument '" + line.getArgList().get(0) + "'");
    }
    return line;
  }

  private static boolean isHelp(String arg) {
    return arg.equals("--help") || arg.equals("-h") || arg.equals("help");
  }

  /** Spark wraps what a task threw; the user's problem is the innermost one we know. */
  private static Optional<FmnistException> knownCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof FmnistException known) {
        return Optional.of(known);
      }
    }
    return Optional.empty();
  }

  private static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String text = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return root == e || root.getMessage() == null ? text : text + ": " + root.getMessage();
  }

  private static void printCommands(PrintStream to) {
    to.println("usage: " + PROGRAM + " <command> [options]   (" + PROGRAM + " <command> --help for its options)");
    to.println("commands:");
    COMMANDS.forEach(c -> to.printf("  %-10s %s%n", c.name(), c.summary()));
    to.println("exit codes: 0 done, 1 failed, 2 usage, 3 bad input data, 4 quality gate failed");
  }

  private static void printHelp(Command command, Options options, PrintStream to) {
    PrintWriter writer = new PrintWriter(to, true);
    new HelpFormatter().printHelp(writer, 100, PROGRAM + " " + command.name(),
        command.summary(), options, 2, 4, "", true);
    writer.flush();
  }
}
