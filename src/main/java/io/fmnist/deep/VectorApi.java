package io.fmnist.deep;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the JVM has the JDK's Vector API ({@code --add-modules=jdk.incubator.vector}), which
 * {@link ChannelKernels} needs: without it the layers keep DL4J's own code and networks are NCHW
 * ({@link Architectures}), and one warning says so.
 */
final class VectorApi {

  private static final Logger LOG = LoggerFactory.getLogger(VectorApi.class);
  private static final boolean PRESENT = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
  private static final AtomicBoolean WARNED = new AtomicBoolean();

  private VectorApi() {}

  static boolean available() {
    if (!PRESENT && !WARNED.getAndSet(true)) {
      LOG.warn("the JVM lacks --add-modules=jdk.incubator.vector: BatchNorm and ReLU's gradient run on DL4J's own"
          + " code, and new networks are NCHW, slower");
    }
    return PRESENT;
  }
}
