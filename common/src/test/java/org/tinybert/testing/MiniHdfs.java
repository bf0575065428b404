package org.tinybert.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;

/** An in-process HDFS (one name node, one data node) for a test class, and the uploads tests make to it. */
public final class MiniHdfs implements AutoCloseable {
  private final MiniDFSCluster cluster;
  private final FileSystem fs;

  private MiniHdfs(MiniDFSCluster cluster) throws IOException {
    this.cluster = cluster;
    this.fs = cluster.getFileSystem();
  }

  /** Starts a cluster keeping its blocks under {@code base/dfs}. */
  public static MiniHdfs start(File base) throws IOException {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, new File(base, "dfs").getAbsolutePath());
    MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    cluster.waitActive();
    return new MiniHdfs(cluster);
  }

  public FileSystem fs() {
    return fs;
  }

  /** A local file copied to {@code target} on HDFS; returns its qualified path. */
  public Path upload(Path local, String target) throws IOException {
    Path dst = fs.makeQualified(new Path(target));
    fs.copyFromLocalFile(local, dst);
    return dst;
  }

  /** The files of a local directory (a model directory), checksum files left out, copied into {@code target}. */
  public Path uploadDir(Path local, String target) throws IOException {
    Path dst = fs.makeQualified(new Path(target));
    fs.mkdirs(dst);
    for (FileStatus f : FileSystem.getLocal(new Configuration()).listStatus(local)) {
      String name = f.getPath().getName();
      if (!name.endsWith(".crc")) fs.copyFromLocalFile(f.getPath(), new Path(dst, name));
    }
    return dst;
  }

  /** A file's bytes. */
  public byte[] read(Path p) throws IOException {
    try (InputStream in = fs.open(p)) {
      return in.readAllBytes();
    }
  }

  @Override
  public void close() {
    cluster.shutdown();
  }
}
