package io.fmnist.models;

import io.fmnist.classical.ClassicalTrainer;
import io.fmnist.config.AppConfig;
import io.fmnist.deep.DeepTrainer;
import io.fmnist.ensemble.EnsembleTrainer;
import io.fmnist.errors.UsageException;
import io.fmnist.models.ModelSpec.Family;
import io.fmnist.run.RunDirectory;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.SparkSession;

/**
 * Every model this project trains, by name: the MLlib models and hybrids ({@code classical.*}),
 * the DL4J networks and their specialists ({@code deep.*}) and the stacked ensemble ({@code ensemble}), each a
 * {@link ModelSpec} built from the configuration (a hybrid consumes the networks among its
 * features, a specialist the network it refines; the ensemble its {@code ensemble.base-models}, or every other model of the run).
 */
public final class ModelRegistry {

  public static final String ENSEMBLE = "ensemble";

  private final AppConfig config;
  private final Map<String, ModelSpec> specs = new LinkedHashMap<>();

  private ModelRegistry(AppConfig config) {
    this.config = config;
    List<String> deep = List.copyOf(DeepTrainer.models());
    for (String name : ClassicalTrainer.models()) {
      specs.put(name, new ModelSpec(name, Family.MLLIB, ClassicalTrainer.consumes(name, config, deep)));
    }
    for (String name : deep) {
      specs.put(name, new ModelSpec(name, Family.DL4J, List.of()));
    }
    DeepTrainer.specialists(config).forEach((name, network) ->
        specs.put(name, new ModelSpec(name, Family.DL4J, List.of(network))));
    specs.put(ENSEMBLE, new ModelSpec(ENSEMBLE, Family.ENSEMBLE,
        config.config().getStringList("ensemble.base-models")));
  }

  public static ModelRegistry of(AppConfig config) {
    return new ModelRegistry(config);
  }

  public List<String> names() {
    return new ArrayList<>(specs.keySet());
  }

  public ModelSpec spec(String name) {
    ModelSpec spec = specs.get(name);
    if (spec == null) {
      throw new UsageException("unknown model '" + name + "' (available: " + String.join(", ", names()) + ")");
    }
    return spec;
  }

  /**
   * {@code requested} in an order that trains every consumed model before its consumer, checked
   * before any work: unknown names, and consumed models neither requested nor already trained
   * ({@code trained}, the models with predictions in the run), are usage errors. An ensemble
   * without configured bases consumes every other model requested or trained.
   */
  public List<String> order(List<String> requested, List<String> trained) {
    Set<String> known = new LinkedHashSet<>(trained);
    known.addAll(requested);
    Map<String, List<String>> consumes = new LinkedHashMap<>();
    for (String name : requested) {
      ModelSpec spec = spec(name);
      List<String> inputs = spec.family() == Family.ENSEMBLE
          ? EnsembleTrainer.bases(config.config().getConfig("ensemble"),
              known.stream().filter(specs::containsKey).toList(), name)
          : spec.consumes();
      for (String input : inputs) {
        if (!known.contains(input)) {
          throw new UsageException(name + " needs the model " + input
              + ": add it to --models, or train it in the run first");
        }
      }
      if (spec.family() == Family.ENSEMBLE && inputs.size() < 2) {
        throw new UsageException(name + " needs at least two base models, has " + inputs);
      }
      consumes.put(name, inputs);
    }
    // The requested order, but each model only once everything it consumes from this request is done.
    List<String> pending = new ArrayList<>(new LinkedHashSet<>(requested));
    List<String> ordered = new ArrayList<>();
    while (!pending.isEmpty()) {
      String next = pending.stream()
          .filter(model -> consumes.get(model).stream().noneMatch(pending::contains))
          .findFirst().orElseThrow(() -> new UsageException("models that consume each other: " + pending));
      pending.remove(next);
      ordered.add(next);
    }
    return ordered;
  }

  /** One trainer per family, made when first needed, closed together. */
  public Trainers trainers(SparkSession spark, RunDirectory run, boolean resume) {
    return new Trainers(spark, run, resume);
  }

  public final class Trainers implements AutoCloseable {
    private final SparkSession spark;
    private final RunDirectory run;
    private final boolean resume;
    private final Map<Family, ModelTrainer> made = new EnumMap<>(Family.class);

    private Trainers(SparkSession spark, RunDirectory run, boolean resume) {
      this.spark = spark;
      this.run = run;
      this.resume = resume;
    }

    public ModelTrainer of(String model) {
      return made.computeIfAbsent(spec(model).family(), family -> switch (family) {
        case MLLIB -> new ClassicalTrainer(spark, config, run);
        case DL4J -> new DeepTrainer(spark, config, run, resume);
        case ENSEMBLE -> new EnsembleTrainer(spark, config, run, resume);
      });
    }

    @Override
    public void close() {
      made.values().forEach(ModelTrainer::close);
    }
  }
}
