package org.tinybert.cluster;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.exceptions.YarnException;
import org.apache.hadoop.yarn.server.MiniYARNCluster;

/**
 * YARN and HDFS in this JVM for tests, the way Spark's own YARN tests run: a {@link MiniDFSCluster} (one DataNode) and
 * a {@link MiniYARNCluster} (ResourceManager and one NodeManager, whose containers are real child processes), with
 * their client configuration written to a directory to use as {@code HADOOP_CONF_DIR} for spark-submit.
 */
public final class YarnCluster implements AutoCloseable {
  private static final Pattern APP_ID = Pattern.compile("application_\\d+_\\d+");

  private final MiniDFSCluster dfs;
  private final MiniYARNCluster yarn;
  private final Path confDir;
  private final Configuration conf;

  private YarnCluster(MiniDFSCluster dfs, MiniYARNCluster yarn, Path confDir, Configuration conf) {
    this.dfs = dfs;
    this.yarn = yarn;
    this.confDir = confDir;
    this.conf = conf;
  }

  /** Starts both, with data and logs under {@code dir}; the NodeManager offers {@code memoryMb} to containers. */
  public static YarnCluster start(Path dir, int memoryMb) throws IOException {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("dfs").toString());
    conf.set("dfs.replication", "1");
    MiniDFSCluster dfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    MiniYARNCluster yarn = null;
    try {
      dfs.waitActive();
      YarnConfiguration y = new YarnConfiguration(dfs.getConfiguration(0));
      y.set("fs.defaultFS", dfs.getFileSystem().getUri().toString());
      // One queue that takes every application (the mini cluster's CapacityScheduler has none configured).
      y.set("yarn.scheduler.capacity.root.queues", "default");
      y.set("yarn.scheduler.capacity.root.default.capacity", "100");
      y.set("yarn.scheduler.capacity.root.default.maximum-capacity", "100");
      y.set("yarn.scheduler.capacity.root.default.state", "RUNNING");
      y.set("yarn.scheduler.capacity.root.default.acl_submit_applications", "*");
      y.set("yarn.scheduler.capacity.root.default.acl_administer_queue", "*");
      // MiniYARNCluster overrides yarn.nodemanager.resource.memory-mb with this key's value (4096 by default).
      y.setInt("yarn.minicluster.yarn.nodemanager.resource.memory-mb", memoryMb);
      y.setInt(YarnConfiguration.NM_PMEM_MB, memoryMb);
      y.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, 256);
      y.setInt(YarnConfiguration.RM_SCHEDULER_MAXIMUM_ALLOCATION_MB, memoryMb);
      // ND4J's off-heap memory and the JVMs' reserved address space are not what the NodeManager should police here.
      y.setBoolean(YarnConfiguration.NM_PMEM_CHECK_ENABLED, false);
      y.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
      y.setFloat(YarnConfiguration.NM_MAX_PER_DISK_UTILIZATION_PERCENTAGE, 99.9f);
      yarn = new MiniYARNCluster("tinybert", 1, 1, 1);
      yarn.init(y);
      yarn.start();
      Configuration client = new Configuration(yarn.getConfig());
      // A test class of Hadoop's that is not on spark-submit's class path.
      client.unset("net.topology.node.switch.mapping.impl");
      Path confDir = Files.createDirectories(dir.resolve("hadoop-conf"));
      for (String name : new String[] {"core-site.xml", "hdfs-site.xml", "yarn-site.xml"}) {
        try (OutputStream out = Files.newOutputStream(confDir.resolve(name))) {
          client.writeXml(out);
        }
      }
      return new YarnCluster(dfs, yarn, confDir, client);
    } catch (IOException | RuntimeException e) {
      if (yarn != null) yarn.stop();
      dfs.shutdown();
      throw e;
    }
  }

  /** For spark-submit's {@code HADOOP_CONF_DIR}. */
  public Path confDir() {
    return confDir;
  }

  /** The cluster's client configuration (default file system: the HDFS). */
  public Configuration conf() {
    return conf;
  }

  /** {@code hdfs://127.0.0.1:<port>}. */
  public String hdfs() {
    return dfs.getURI().toString();
  }

  public FileSystem fileSystem() throws IOException {
    return dfs.getFileSystem();
  }

  /** What YARN reports of the application that a spark-submit output names. */
  public ApplicationReport report(String submitOutput) throws IOException, YarnException {
    Matcher m = APP_ID.matcher(submitOutput);
    if (!m.find()) throw new IllegalStateException("no application id in spark-submit's output");
    try (YarnClient client = YarnClient.createYarnClient()) {
      client.init(conf);
      client.start();
      return client.getApplicationReport(ApplicationId.fromString(m.group()));
    }
  }

  @Override
  public void close() {
    yarn.stop();
    dfs.shutdown();
  }
}
