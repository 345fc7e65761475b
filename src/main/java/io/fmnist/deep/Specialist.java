package io.fmnist.deep;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import io.fmnist.errors.UsageException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A specialist for classes a network confuses (Fashion-MNIST's T-shirt/top, Pullover, Coat and
 * Shirt): a copy of the trained network {@code of}, fine-tuned on the images of {@code classes}
 * only. It decides among those classes, the network decides everything else: the probability the
 * network gives the classes together is divided among them in the specialist's proportions
 * ({@link #compose}), so that where the network's answer is one of them, the specialist's choice
 * among them replaces it. Configured as {@code deep.<name>} with an {@code of} key; saved with
 * the model (in {@code model.json}), which scores with the network {@code of} of the same run.
 * Fine-tuning on all classes for as many images did not help (README.md, issue 14's figures):
 * what helps is the focus.
 */
public record Specialist(String of, List<Integer> classes) implements Serializable {

  /**
   * The configured specialists ({@code deep.<name>} sections with an {@code of} key) and the
   * network each refines, by name (Typesafe Config keeps no order).
   */
  public static Map<String, String> configured(Config deep) {
    Map<String, String> specialists = new TreeMap<>();
    for (String name : deep.root().keySet()) {
      if (deep.getValue(name).valueType() == ConfigValueType.OBJECT && deep.getConfig(name).hasPath("of")) {
        specialists.put(name, deep.getString(name + ".of"));
      }
    }
    return specialists;
  }

  /** The specialist {@code deep.<name>}, its classes by label; unknown classes are usage errors. */
  static Specialist from(Config deep, String name, List<String> classNames) {
    Config section = deep.getConfig(name);
    List<Integer> labels = new ArrayList<>();
    for (String className : section.getStringList("classes")) {
      int label = classNames.indexOf(className);
      if (label < 0) {
        throw new UsageException("deep." + name + ".classes: the data set has no class '" + className
            + "' (its classes: " + classNames + "): set the classes, or leave " + name + " out of --models");
      }
      labels.add(label);
    }
    if (labels.size() < 2) {
      throw new UsageException("deep." + name + ".classes: a specialist needs at least two classes, has " + labels);
    }
    return new Specialist(section.getString("of"), List.copyOf(labels));
  }

  /**
   * The training settings of specialist {@code name}: its own keys (epochs, learning rate, ...)
   * over those of the network it refines, whose architecture it keeps.
   */
  static Config settings(Config deep, String name) {
    Config own = deep.getConfig(name);
    return own.withFallback(deep.getConfig(own.getString("of")));
  }

  /**
   * {@code general}'s rows (the network's probabilities), with the mass on this specialist's
   * classes redistributed among them as {@code specialist}'s rows (the specialist's probabilities
   * of the same images) divide it; in place.
   */
  void compose(double[][] general, double[][] specialist) {
    for (int i = 0; i < general.length; i++) {
      double mass = 0;
      double own = 0;
      for (int label : classes) {
        mass += general[i][label];
        own += specialist[i][label];
      }
      for (int label : classes) {
        general[i][label] = own > 0 ? mass * specialist[i][label] / own : mass / classes.size();
      }
    }
  }
}
