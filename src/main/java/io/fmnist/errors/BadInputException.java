package io.fmnist.errors;

/** Input data that cannot be used; the message names the file and what is wrong with it. Exit code 3. */
public final class BadInputException extends FmnistException {

  private final String file;

  public BadInputException(String file, String problem) {
    this(file, problem, null);
  }

  public BadInputException(String file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
    this.file = file;
  }

  /** The file (URI) the problem was found in. */
  public String file() {
    return file;
  }

  @Override
  public int exitCode() {
    return 3;
  }
}
