package org.tinybert.model;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.model.core.Engine;
import org.tinybert.model.cpu.CpuEngine;
import org.tinybert.model.nd4j.Nd4jEngine;
import org.tinybert.settings.Choice;
import org.tinybert.settings.Key;

/**
 * The setting {@link #SETTING}: which {@link Engine} computes. It is plain data (an enum, serialisable, a word in
 * JSON), so it travels to Spark executors inside settings and DL4J layer configurations, and each JVM resolves it
 * against its own ND4J backend there: a driver without a GPU and GPU executors resolve {@code auto} differently, as
 * they should.
 */
public enum EngineChoice implements Choice {
  /** The CPU kernels on ND4J's native backend, the portable engine on any other (CUDA). */
  AUTO,
  /** OpenBLAS and the Java row kernels ({@link CpuEngine}); native backend only. */
  CPU,
  /** ND4J operations only ({@link Nd4jEngine}); on the CUDA backend, the GPU. */
  ND4J;

  /** The top-level setting every job and benchmark reads. */
  public static final Key SETTING = Key.top("engine");
  /** {@link #SETTING}, spelled out for messages. */
  public static final String KEY = SETTING.full();

  private static final Logger LOG = LoggerFactory.getLogger(EngineChoice.class);
  private static final Set<EngineChoice> LOGGED = ConcurrentHashMap.newKeySet();

  /**
   * The word in settings: {@code auto}, {@code cpu} or {@code nd4j}. Not the JSON form, unlike other choices: settings
   * records in manifests have always written the constant's name ({@code AUTO}), and readers of those files compare it.
   */
  @Override
  @JsonValue(false)
  public String key() {
    return Choice.super.key();
  }

  /** Every word the setting accepts. */
  public static List<String> keys() {
    return Arrays.stream(values()).map(EngineChoice::key).toList();
  }

  public static EngineChoice parse(String key) {
    return Choice.byKey(EngineChoice.class, key).orElseThrow(() ->
        new IllegalArgumentException(KEY + " must be one of " + String.join(", ", keys()) + ", found " + key));
  }

  /**
   * The engine this choice means in this JVM; {@link #CPU} on a backend other than the native one fails, naming the
   * backend, since the CPU kernels read host memory that a GPU backend does not keep current.
   */
  public Engine resolve() {
    Engine e = resolveQuietly();
    if (LOGGED.add(this)) LOG.info("{} = {}: the {} engine on ND4J's {} backend", KEY, key(), e.name(), backend());
    return e;
  }

  /** {@link #resolve()} without its first-time log line (for models made before a job's engine is applied). */
  Engine resolveQuietly() {
    boolean nativeBackend = nativeBackend();
    return switch (this) {
      case AUTO -> nativeBackend ? CpuEngine.INSTANCE : Nd4jEngine.INSTANCE;
      case ND4J -> Nd4jEngine.INSTANCE;
      case CPU -> {
        if (!nativeBackend) {
          throw new IllegalStateException(KEY + " = cpu needs ND4J's native CPU backend (nd4j-native), but this JVM"
              + " runs the " + backend() + " backend; use auto or nd4j");
        }
        yield CpuEngine.INSTANCE;
      }
    };
  }

  /** Whether ND4J runs its native (CPU) backend here. */
  public static boolean nativeBackend() {
    return Nd4j.getEnvironment().isCPU();
  }

  /** ND4J's backend in this JVM, as ND4J names it ({@code CPU}, {@code CUDA}). */
  public static String backend() {
    Object b = Nd4j.getExecutioner().getEnvironmentInformation().get("backend");
    return b != null ? b.toString() : Nd4j.getBackend().getClass().getSimpleName();
  }

  /** For logs, manifests and benchmark lines: the setting, what it resolved to here, and ND4J's backend. */
  public Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("setting", key());
    m.put("engine", resolve().name());
    m.put("backend", backend());
    return m;
  }

  @Override
  public String toString() {
    return key();
  }
}
