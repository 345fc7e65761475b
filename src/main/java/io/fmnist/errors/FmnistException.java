package io.fmnist.errors;

/**
 * A failure the user can act on: it carries the process exit code of the
 * command line contract and a one-line message fit to print without a stack trace.
 */
public abstract class FmnistException extends RuntimeException {

  protected FmnistException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The process exit code this failure maps to (DESIGN.md: 2 usage, 3 bad input, 4 quality gate). */
  public abstract int exitCode();
}
