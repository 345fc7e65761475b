package io.fmnist.deep;

import java.io.Serializable;

/** What a network sees: {@code rows x cols} single-channel images and {@code classes} classes. */
public record ImageShape(int rows, int cols, int classes) implements Serializable {

  public int pixels() {
    return rows * cols;
  }
}
