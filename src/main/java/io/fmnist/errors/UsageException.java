package io.fmnist.errors;

/** A command line or configuration the program cannot act on, or an output it must not overwrite. Exit code 2. */
public final class UsageException extends FmnistException {

  public UsageException(String message) {
    super(message, null);
  }

  @Override
  public int exitCode() {
    return 2;
  }
}
