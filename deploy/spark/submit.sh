#!/usr/bin/env bash
# spark-submit wrapper for every tinybert job on a cluster (YARN, Kubernetes or standalone; CPU or GPU nodes).
#
#   deploy/spark/submit.sh <yarn|k8s|standalone> <cpu|gpu> <command> [command options...]
#
# Needs SPARK_HOME (Spark 4.x with Scala 2.13, or Spark 3.5 with Scala 2.12) and the application jar built for that
# line, once:
#   mvn -q -B -Papp-jar package -DskipTests                    # Spark 4, CPU nodes (ND4J native backend)
#   mvn -q -B -Pspark-3.5 -Papp-jar clean package -DskipTests  # Spark 3.5, CPU nodes (clean: after a Spark 4 build)
#   mvn -q -B -Papp-jar,cuda package -DskipTests               # GPU nodes (ND4J CUDA 11.6 backend; CUDA 11.6 on
#                                                              # the nodes); add -Pspark-3.5 for Spark 3.5
# which writes jobs/target/tinybert-app.jar (everything but Spark, Scala and Hadoop, which the cluster provides). A jar
# of one line does not run on the other (Scala 2.12 and 2.13 are not binary compatible): this script refuses the pair.
#
# Cluster addresses and sizes come from the environment (defaults in brackets):
#   SPARK_MASTER_URL   k8s://https://host:443 or spark://host:7077 (required for k8s and standalone)
#   K8S_IMAGE          container image with Java 17 and the Spark line the jar was built for (k8s)
#   EXECUTORS [4]      EXECUTOR_CORES [cpu: 4, gpu: 1]   EXECUTOR_MEMORY [8g]   EXECUTOR_OFFHEAP [16g]
#   DRIVER_MEMORY [8g] DRIVER_CORES [1]   DRIVER_OFFHEAP [EXECUTOR_OFFHEAP]   QUEUE (YARN)
#   EXTRA_CONF (more --conf flags, space-separated)
#   JAVA_OPTIONS (more JVM flags for the driver and the executors, space-separated: e.g. -Xlog:gc to log collections)
#   HADOOP_CONF_DIR    the cluster's Hadoop client configuration (YARN; HDFS paths)
#   GPU_DISCOVERY_SCRIPT (gpu) the executors' discovery script [yarn: this directory's gpu-discovery.sh, shipped
#                      with --files; k8s: the Spark image's examples/src/main/scripts/getGpusResources.sh;
#                      standalone: none, the Workers report GPUs (README: GPU nodes)]
set -euo pipefail

if [[ $# -lt 3 ]]; then
  sed -n '2,/^set /{/^set /d;s/^# \{0,1\}//;p;}' "$0"
  exit 2
fi
cluster="$1"; kind="$2"; shift 2
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd -P)"
jar="${APP_JAR:-$root/jobs/target/tinybert-app.jar}"
[[ -f "$jar" ]] || { echo "no application jar at $jar: build it with mvn -q -B -Papp-jar package -DskipTests" >&2; exit 1; }
: "${SPARK_HOME:?set SPARK_HOME to a Spark 4.x (Scala 2.13) or Spark 3.5 (Scala 2.12) installation}"

# The Scala version of the application jar (the build records it in the manifest) against SPARK_HOME's (its
# scala-library jar): a mismatch would otherwise fail on the executors with a NoSuchMethodError far from the cause.
# Skipped where either is unknown (a Spark home without jars/, such as a Kubernetes client's; neither unzip nor the
# JDK's jar tool here).
manifest() {
  if command -v unzip >/dev/null 2>&1; then
    unzip -p "$jar" META-INF/MANIFEST.MF 2>/dev/null || true
  elif command -v "${JAVA_HOME:+$JAVA_HOME/bin/}jar" >/dev/null 2>&1; then
    local d; d="$(mktemp -d)"
    (cd "$d" && "${JAVA_HOME:+$JAVA_HOME/bin/}jar" xf "$jar" META-INF/MANIFEST.MF && cat META-INF/MANIFEST.MF) \
      2>/dev/null || true
    rm -rf "$d"
  fi
}
jar_scala="$(manifest | tr -d '\r' | sed -n 's/^Scala-Binary-Version: //p')"
home_scala=""
for lib in "$SPARK_HOME"/jars/scala-library-*.jar; do
  if [[ -f "$lib" ]]; then home_scala="$(basename "$lib" | sed -nE 's/^scala-library-([0-9]+\.[0-9]+)\..*$/\1/p')"; fi
done
if [[ -n "$jar_scala" && -n "$home_scala" && "$jar_scala" != "$home_scala" ]]; then
  line() { [[ "$1" == 2.12 ]] && echo "Spark 3.5 (-Pspark-3.5)" || echo "Spark 4 (the default build)"; }
  echo "$jar is built for Scala $jar_scala, $(line "$jar_scala"); SPARK_HOME $SPARK_HOME runs Scala $home_scala:" \
    "rebuild the jar for $(line "$home_scala")" >&2
  exit 1
fi

executors="${EXECUTORS:-4}"
memory="${EXECUTOR_MEMORY:-8g}"
offheap="${EXECUTOR_OFFHEAP:-16g}"
case "$kind" in
  # CPU: several cores per executor; ND4J's native threads use them, one training task per executor does the rest.
  cpu) cores="${EXECUTOR_CORES:-4}"; gpu_conf=() ;;
  # GPU: one GPU and one task (one training thread) per executor; Spark schedules the GPU as a resource, and
  # GpuPlugin binds each task's thread to the GPU Spark assigned it before the task runs. CUDA_DEVICE_ORDER makes
  # CUDA number devices as nvidia-smi (and so the discovery script) does.
  gpu) cores="${EXECUTOR_CORES:-1}"
       gpu_conf=(--conf spark.executor.resource.gpu.amount=1 --conf spark.task.resource.gpu.amount=1
                 --conf spark.plugins=org.tinybert.runtime.GpuPlugin
                 --conf spark.executorEnv.CUDA_DEVICE_ORDER=PCI_BUS_ID)
       case "$cluster" in
         yarn) discovery="${GPU_DISCOVERY_SCRIPT:-}"
               if [[ -z "$discovery" ]]; then
                 gpu_conf+=(--files "$root/deploy/spark/gpu-discovery.sh")
                 discovery=./gpu-discovery.sh
               fi ;;
         k8s) discovery="${GPU_DISCOVERY_SCRIPT:-/opt/spark/examples/src/main/scripts/getGpusResources.sh}" ;;
         *) discovery="${GPU_DISCOVERY_SCRIPT:-}" ;;
       esac
       if [[ -n "$discovery" ]]; then gpu_conf+=(--conf "spark.executor.resource.gpu.discoveryScript=$discovery"); fi ;;
  *) echo "kind must be cpu or gpu, found $kind" >&2; exit 2 ;;
esac

opens="--add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED"
driver_offheap="${DRIVER_OFFHEAP:-$offheap}"
driver_cores="${DRIVER_CORES:-1}"
# Bytes of a Spark memory size (512m, 8g, 1t; a plain number is MiB, as Spark reads --executor-memory).
spark_bytes() { # NAME VALUE
  local s="${2,,}"
  if [[ ! "$s" =~ ^([0-9]+)([kmgt]?)b?$ ]]; then
    echo "$1 must be a size such as 512m or 8g, found '$2'" >&2
    exit 2
  fi
  case "${BASH_REMATCH[2]}" in
    k) echo $((BASH_REMATCH[1] << 10)) ;;
    g) echo $((BASH_REMATCH[1] << 30)) ;;
    t) echo $((BASH_REMATCH[1] << 40)) ;;
    *) echo $((BASH_REMATCH[1] << 20)) ;;
  esac
}
driver_memory="${DRIVER_MEMORY:-8g}"
# ND4J allocates tensors off-heap through JavaCPP: cap it (maxbytes), and count it in the container's memory overhead.
# JavaCPP's other cap, maxphysicalbytes, is on the whole process's resident memory, the Java heap included: the
# container's size, heap plus overhead (the off-heap size alone stopped a 7g-heap executor at its first step).
heap_bytes="$(spark_bytes EXECUTOR_MEMORY "$memory")"
offheap_bytes="$(spark_bytes EXECUTOR_OFFHEAP "$offheap")"
driver_heap_bytes="$(spark_bytes DRIVER_MEMORY "$driver_memory")"
driver_offheap_bytes="$(spark_bytes DRIVER_OFFHEAP "$driver_offheap")"
physical=$((heap_bytes + offheap_bytes))
driver_physical=$((driver_heap_bytes + driver_offheap_bytes))
# In bytes: JavaCPP reads a plain number as bytes, where Spark reads it as MiB.
nd4j="-Dorg.bytedeco.javacpp.maxbytes=$offheap_bytes -Dorg.bytedeco.javacpp.maxphysicalbytes=$physical"
driver_nd4j="-Dorg.bytedeco.javacpp.maxbytes=$driver_offheap_bytes -Dorg.bytedeco.javacpp.maxphysicalbytes=$driver_physical"

common=(
  --class org.tinybert.jobs.Main
  --num-executors "$executors" --executor-cores "$cores" --executor-memory "$memory"
  --driver-memory "$driver_memory" --driver-cores "$driver_cores"
  --conf "spark.executor.memoryOverhead=$offheap"
  --conf "spark.driver.extraJavaOptions=$opens $driver_nd4j${JAVA_OPTIONS:+ $JAVA_OPTIONS}"
  --conf "spark.executor.extraJavaOptions=$opens $nd4j${JAVA_OPTIONS:+ $JAVA_OPTIONS}"
  # One training task per executor: each task is a data-parallel worker with its own student and teacher.
  --conf "spark.task.cpus=$cores"
  --conf spark.executorEnv.OMP_WAIT_POLICY=PASSIVE
  --conf "spark.executorEnv.OMP_NUM_THREADS=$cores"
  --conf spark.task.maxFailures=4
  # Each averaging round returns every worker's parameters and optimiser state to the driver as task results: up to
  # 1.3 GB per worker for a BERT-base-sized model being fine-tuned, which Spark's default limit (1g for all of one
  # round's results together) would refuse, failing the job. 0 is no limit: the driver's memory is what bounds it.
  --conf spark.driver.maxResultSize=0
)
case "$cluster" in
  # Cluster deploy mode: the driver runs in the cluster too (YARN: inside the ApplicationMaster), with ND4J off-heap
  # memory of its own (probe losses, dev scoring) and the same native-thread settings as the executors.
  yarn) target=(--master yarn --deploy-mode cluster ${QUEUE:+--queue "$QUEUE"}
                --conf "spark.driver.memoryOverhead=$driver_offheap"
                --conf spark.yarn.appMasterEnv.OMP_WAIT_POLICY=PASSIVE
                --conf "spark.yarn.appMasterEnv.OMP_NUM_THREADS=$driver_cores") ;;
  k8s) : "${SPARK_MASTER_URL:?set SPARK_MASTER_URL=k8s://https://<api-server>:443}"
       : "${K8S_IMAGE:?set K8S_IMAGE to an image with Java 17 and the Spark line of the jar (4.x; 3.5 for -Pspark-3.5)}"
       target=(--master "$SPARK_MASTER_URL" --deploy-mode cluster
               --conf "spark.kubernetes.container.image=$K8S_IMAGE"
               --conf "spark.driver.memoryOverhead=$driver_offheap"
               --conf spark.kubernetes.driverEnv.OMP_WAIT_POLICY=PASSIVE
               --conf "spark.kubernetes.driverEnv.OMP_NUM_THREADS=$driver_cores"
               ${gpu_conf:+--conf spark.executor.resource.gpu.vendor=nvidia.com}) ;;
  # Client deploy mode: the driver is this process, so it takes the launcher's native-thread setting from here.
  standalone) : "${SPARK_MASTER_URL:?set SPARK_MASTER_URL=spark://<master>:7077}"
       export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
       target=(--master "$SPARK_MASTER_URL" --deploy-mode client) ;;
  *) echo "cluster must be yarn, k8s or standalone, found $cluster" >&2; exit 2 ;;
esac

# Split on spaces, never glob-expanded (spark.yarn.jars=local:/opt/spark/jars/* stays as written).
read -r -a extra <<< "${EXTRA_CONF:-}"
exec "$SPARK_HOME/bin/spark-submit" "${target[@]}" "${common[@]}" "${gpu_conf[@]}" "${extra[@]}" "$jar" "$@"
