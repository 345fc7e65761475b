package io.fmnist.errors;

/** A quality gate refused the result (a challenger worse than its champion). Exit code 4. */
public final class QualityGateException extends FmnistException {

  public QualityGateException(String message) {
    super(message, null);
  }

  @Override
  public int exitCode() {
    return 4;
  }
}
