package io.fmnist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MainTest {

  @Test
  void noCommandIsAUsageError() {
    Cli cli = Cli.run();
    assertEquals(2, cli.code());
    assertTrue(cli.err().contains("usage: fmnist <command>"), cli.err());
  }

  @Test
  void helpListsTheCommandsAndExitCodes() {
    Cli cli = Cli.run("--help");
    assertEquals(0, cli.code());
    assertTrue(cli.out().contains("ingest"), cli.out());
    assertTrue(cli.out().contains("pipeline"), cli.out());
    assertTrue(cli.out().contains("3 bad input data"), cli.out());
  }

  @Test
  void eachCommandHasHelp() {
    for (String command : new String[] {"ingest", "train", "predict", "evaluate", "pipeline"}) {
      Cli cli = Cli.run(command, "--help");
      assertEquals(0, cli.code(), command);
      assertTrue(cli.out().contains("usage: fmnist " + command), cli.out());
      assertTrue(cli.out().contains("--set <key=value>"), cli.out());
    }
  }

  @Test
  void unknownCommandMissingOptionsAndStrayArgumentsAreUsageErrors() {
    Cli unknown = Cli.run("train-everything");
    assertEquals(2, unknown.code());
    assertTrue(unknown.err().contains("unknown command 'train-everything'"), unknown.err());

    Cli missing = Cli.run("ingest", "--input", "x");
    assertEquals(2, missing.code());
    assertTrue(missing.err().contains("Missing required option: output"), missing.err());

    Cli stray = Cli.run("ingest", "--input", "x", "--output", "y", "extra");
    assertEquals(2, stray.code());
    assertTrue(stray.err().contains("unexpected argument 'extra'"), stray.err());

    Cli badSet = Cli.run("ingest", "--input", "x", "--output", "y", "--set", "no.such.key=1");
    assertEquals(2, badSet.code());
    assertTrue(badSet.err().contains("unknown configuration key 'no.such.key'"), badSet.err());
  }
}
