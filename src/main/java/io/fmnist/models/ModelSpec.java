package io.fmnist.models;

import java.util.List;

/**
 * A model by name: its family (which trainer trains it) and the models whose outputs it consumes
 * (a hybrid's network, the ensemble's bases), which must be trained first.
 */
public record ModelSpec(String name, Family family, List<String> consumes) {

  public enum Family {
    /** Spark MLlib pipelines ({@code classical.<name>}), hybrids included. */
    MLLIB,
    /** DL4J networks trained on Spark ({@code deep.<name>}), specialists included. */
    DL4J,
    /** The stacked ensemble of other models' predictions ({@code ensemble}). */
    ENSEMBLE
  }
}
