package org.tinybert.runtime;

import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.model.EngineChoice;

/**
 * Binds a Spark task's thread to the GPU Spark assigned it. With GPU scheduling ({@code spark.executor.resource.gpu.*}
 * and {@code spark.task.resource.gpu.amount}, as {@code deploy/spark/submit.sh ... gpu} sets them) each task holds one
 * GPU address, a device number from the discovery script; ND4J's CUDA backend keeps a device per thread and, left
 * alone, hands devices to threads round-robin, so two executors on one node could share a GPU while another idles.
 * Binding the thread before the task allocates anything puts the whole task (the DL4J worker's model, the teacher's
 * first use, the engine's workspace) on its own GPU.
 *
 * <p>{@link GpuPlugin} calls {@link #bindCurrentTask()} at the start of every task; code that runs on executors may
 * call it too (it is idempotent). Outside a task, without a GPU resource, or on ND4J's CPU backend it does nothing.
 */
public final class GpuBinding {
  /** Spark's name of the resource. */
  public static final String RESOURCE = "gpu";

  private static final Logger LOG = LoggerFactory.getLogger(GpuBinding.class);
  private static final AtomicLong BOUND = new AtomicLong();

  private GpuBinding() {}

  /** The GPU of the current Spark task, if it holds one. */
  public static OptionalInt assignedDevice() {
    TaskContext task = TaskContext.get();
    if (task == null) return OptionalInt.empty();
    return deviceOf(task.resourcesJMap());
  }

  /**
   * The device of a task's resources: the first address of {@value #RESOURCE} (a task is given one GPU), which must be
   * a device number.
   */
  static OptionalInt deviceOf(Map<String, ResourceInformation> resources) {
    ResourceInformation gpu = resources == null ? null : resources.get(RESOURCE);
    if (gpu == null || gpu.addresses().length == 0) return OptionalInt.empty();
    String address = gpu.addresses()[0].strip();
    try {
      int device = Integer.parseInt(address);
      if (device < 0) throw new NumberFormatException();
      return OptionalInt.of(device);
    } catch (NumberFormatException e) {
      throw new IllegalStateException("Spark assigned the GPU address \"" + address + "\" to this task; expected a"
          + " device number, as deploy/spark/gpu-discovery.sh reports them", e);
    }
  }

  /**
   * Makes ND4J run this thread on the task's GPU. Returns the device, or -1 when there is nothing to bind (no task or
   * no GPU resource). A task that holds a GPU on ND4J's CPU backend fails: the job asked for GPUs, and training on
   * the CPU instead would be silently slow.
   */
  public static int bindCurrentTask() {
    OptionalInt assigned = assignedDevice();
    if (assigned.isEmpty()) return -1;
    int device = assigned.getAsInt();
    if (EngineChoice.nativeBackend()) {
      throw new IllegalStateException("Spark assigned GPU " + device + " to this task, but ND4J runs its CPU backend"
          + " here: either the application jar was built without -Pcuda (mvn -Papp-jar,cuda package), or ND4J's CUDA"
          + " backend did not load on this executor (its log says why: no NVIDIA driver, no CUDA 11.6 runtime, or"
          + " a GPU ND4J 1.0.0-M2.1 has no code for)");
    }
    int devices = Nd4j.getAffinityManager().getNumberOfDevices();
    if (device >= devices) {
      throw new IllegalStateException("Spark assigned GPU " + device + " to this task, but ND4J sees " + devices
          + " device(s) (CUDA_VISIBLE_DEVICES=" + System.getenv("CUDA_VISIBLE_DEVICES") + "): the discovery script"
          + " and the executor's visible devices disagree");
    }
    // ND4J M2.1 has no attachThreadToDevice; unsafeSetDevice binds the calling thread (and its CUDA context).
    Nd4j.getAffinityManager().unsafeSetDevice(device);
    if (BOUND.getAndIncrement() == 0) LOG.info("task thread bound to GPU {} of {}", device, devices);
    return device;
  }
}
