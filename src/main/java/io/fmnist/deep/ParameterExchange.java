package io.fmnist.deep;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.rpc.RpcCallContext;
import org.apache.spark.rpc.RpcEndpointRef;
import org.apache.spark.rpc.RpcEnv;
import org.apache.spark.rpc.ThreadSafeRpcEndpoint;
import org.apache.spark.util.RpcUtils;
import org.apache.spark.util.ThreadUtils;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import scala.PartialFunction;
import scala.concurrent.Future;
import scala.concurrent.duration.Duration;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractPartialFunction;
import scala.runtime.BoxedUnit;

/**
 * The averaging of {@link SynchronousAveraging}: after every round each worker sends how many
 * minibatches it fitted and its parameters and updater state (Adam's moments; BatchNorm's running
 * statistics are parameters in DL4J) to an endpoint on the driver, in Spark's own RPC, which
 * answers every worker of the round with their mean once all have sent theirs.
 *
 * <p>Spark's {@code BarrierTaskContext.allGather} would do the same, but its tasks poll for the
 * answer once a second (Spark 3.5), which made every round last a second; here a worker waits on
 * the answer itself and wakes when it comes.
 *
 * <p>The values travel as bytes (floats in the machine's order): Spark's RPC serialises messages
 * with Java serialisation, which copies a {@code byte[]} whole but converts a {@code float[]} one
 * value at a time. With {@code float[]} a round of the seed CNN (2.9 MB each way) cost a lone
 * worker 25 ms on the standalone cluster, 8 ms of it serialising its own message.
 */
final class ParameterExchange implements ThreadSafeRpcEndpoint {

  private final RpcEnv rpcEnv;
  private final String name = "fmnist-parameter-exchange-" + UUID.randomUUID();
  /** Rounds in progress, by stage attempt: a retried stage starts afresh. */
  private final Map<String, Round> rounds = new HashMap<>();
  private RpcEndpointRef self;

  private ParameterExchange(RpcEnv rpcEnv) {
    this.rpcEnv = rpcEnv;
  }

  /** Starts the endpoint in the driver's RPC environment; {@link #close} stops it. */
  static ParameterExchange start() {
    ParameterExchange exchange = new ParameterExchange(SparkEnv.get().rpcEnv());
    exchange.self = exchange.rpcEnv.setupEndpoint(exchange.name, exchange);
    return exchange;
  }

  /** The worker's side: what a task needs to reach the endpoint. */
  Client client() {
    return new Client(name);
  }

  void close() {
    rpcEnv.stop(self);
  }

  @Override
  public RpcEnv rpcEnv() {
    return rpcEnv;
  }

  @Override
  public PartialFunction<Object, BoxedUnit> receiveAndReply(RpcCallContext context) {
    return new AbstractPartialFunction<>() {
      @Override
      public boolean isDefinedAt(Object message) {
        return Contribution.is(message);
      }

      @Override
      public <A1, B1> B1 applyOrElse(A1 message, scala.Function1<A1, B1> otherwise) {
        if (!Contribution.is(message)) {
          return otherwise.apply(message);
        }
        receive(Contribution.of((Object[]) message), context);
        @SuppressWarnings("unchecked")
        B1 unit = (B1) BoxedUnit.UNIT;
        return unit;
      }
    };
  }

  /** Called one message at a time (a thread-safe endpoint). */
  private void receive(Contribution contribution, RpcCallContext context) {
    Round round = rounds.computeIfAbsent(contribution.stageAttempt(), key -> new Round(contribution.workers()));
    round.callers.add(context);
    round.contributions.add(contribution);
    if (round.contributions.size() < round.workers) {
      return;
    }
    rounds.remove(contribution.stageAttempt());
    byte[] mean = round.mean();
    for (RpcCallContext caller : round.callers) {
      caller.reply(mean == null ? new byte[0] : mean);
    }
  }

  /** One round's contributions, answered when all workers have sent theirs. */
  private static final class Round {
    final int workers;
    final List<RpcCallContext> callers = new ArrayList<>();
    final List<Contribution> contributions = new ArrayList<>();

    Round(int workers) {
      this.workers = workers;
    }

    /**
     * The mean weighted by minibatches (a worker that ran out of data early does not pull the
     * others back), or null when no worker fitted anything: the epoch is over.
     */
    byte[] mean() {
      double[] sum = null;
      float[] values = null;
      long total = 0;
      for (Contribution c : contributions) {
        if (c.minibatches() == 0) {
          continue;
        }
        FloatBuffer floats = floats(c.values());
        if (sum == null) {
          sum = new double[floats.remaining()];
          values = new float[sum.length];
        }
        if (floats.remaining() != sum.length) {
          throw new IllegalStateException("workers sent " + floats.remaining() + " and " + sum.length + " values");
        }
        floats.get(values);
        for (int i = 0; i < sum.length; i++) {
          sum[i] += (double) c.minibatches() * values[i];
        }
        total += c.minibatches();
      }
      if (sum == null) {
        return null;
      }
      for (int i = 0; i < sum.length; i++) {
        values[i] = (float) (sum[i] / total);
      }
      byte[] mean = new byte[Float.BYTES * values.length];
      floats(mean).put(values);
      return mean;
    }
  }

  /** {@code bytes} as the floats they carry. */
  private static FloatBuffer floats(byte[] bytes) {
    return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).asFloatBuffer();
  }

  /**
   * What a worker sends after a round, as the message {@code Object[] {stage attempt, workers,
   * minibatches, values}}, the values as floats in bytes; the answer is the mean, as bytes too, or
   * none once the epoch is over.
   */
  private record Contribution(String stageAttempt, int workers, int minibatches, byte[] values) {

    static boolean is(Object message) {
      return message instanceof Object[] fields && fields.length == 4 && fields[0] instanceof String
          && fields[3] instanceof byte[];
    }

    static Contribution of(Object[] fields) {
      return new Contribution((String) fields[0], (Integer) fields[1], (Integer) fields[2], (byte[]) fields[3]);
    }

    Object[] message() {
      return new Object[] {stageAttempt, workers, minibatches, values};
    }
  }

  /** A worker's handle on the endpoint; serializable into the task. */
  static final class Client implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String name;
    private transient RpcEndpointRef endpoint;

    Client(String name) {
      this.name = name;
    }

    /**
     * Sends what {@code network} looks like after {@code minibatches} updates and sets it to the
     * workers' mean; returns false, leaving it as it is, once no worker fitted anything.
     */
    boolean average(int minibatches, DeepNetwork network) {
      TaskContext task = TaskContext.get();
      INDArray params = network.model().params();
      INDArray state = network.updaterState();
      int paramCount = Math.toIntExact(params.length());
      byte[] values = new byte[minibatches == 0 ? 0 : Float.BYTES * (paramCount + Math.toIntExact(state.length()))];
      if (minibatches > 0) {
        copy(params, floats(values), 0, true);
        copy(state, floats(values), paramCount, true);
      }
      Contribution contribution = new Contribution(task.stageId() + "." + task.stageAttemptNumber(),
          task.numPartitions(), minibatches, values);
      byte[] mean = await(endpoint().ask(contribution.message(), RpcUtils.INFINITE_TIMEOUT(),
          ClassTag$.MODULE$.apply(byte[].class)), task);
      if (mean.length == 0) {
        return false;
      }
      copy(params, floats(mean), 0, false);
      copy(state, floats(mean), paramCount, false);
      return true;
    }

    /**
     * Copies {@code x}'s values to (or, with {@code out} false, from) {@code values} at {@code at}: in
     * bulk between the native memory and the message where {@code x} is one contiguous run of
     * floats (DL4J's flat parameter and updater views are). ND4J's {@code Nd4j.create} and {@code
     * toFloatVector} were 10% of a worker's samples in a JFR profile of the seed CNN (2 workers);
     * alternating 2-epoch runs: 3,188 against 3,134 images/s (medians of 3) in epoch 2, the same
     * networks to the bit.
     */
    private static void copy(INDArray x, FloatBuffer values, int at, boolean out) {
      int length = Math.toIntExact(x.length());
      values.position(at).limit(at + length);
      if (x.dataType() != DataType.FLOAT || x.elementWiseStride() != 1) {
        if (out) {
          values.put(x.toFloatVector());
        } else {
          float[] copied = new float[length];
          values.get(copied);
          x.assign(Nd4j.create(copied, x.shape(), 'c'));
        }
        return;
      }
      FloatBuffer floats = x.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
      floats.position(Math.toIntExact(x.offset())).limit(Math.toIntExact(x.offset()) + length);
      if (out) {
        values.put(floats);
      } else {
        floats.put(values);
      }
    }

    private RpcEndpointRef endpoint() {
      if (endpoint == null) {
        SparkEnv env = SparkEnv.get();
        endpoint = RpcUtils.makeDriverRef(name, env.conf(), env.rpcEnv());
      }
      return endpoint;
    }

    /** Waits for the answer, and gives up when Spark kills the task (a failed stage is retried whole). */
    private static byte[] await(Future<byte[]> answer, TaskContext task) {
      while (true) {
        try {
          return ThreadUtils.awaitResult(answer, Duration.create(1, "s"));
        } catch (Exception e) { // TimeoutException, undeclared by the Scala method
          if (!(e instanceof TimeoutException) && !(e.getCause() instanceof TimeoutException)) {
            throw e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e);
          }
          task.killTaskIfInterrupted();
        }
      }
    }

  }
}
