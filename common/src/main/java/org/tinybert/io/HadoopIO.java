package org.tinybert.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Reading and writing any Hadoop FileSystem URI (file://, hdfs://, s3a://, or a plain local path).
 *
 * <p>Every write goes to a temporary sibling first and is renamed into place, so a reader never sees a half-written
 * file and a crash mid-write leaves the previous version intact.
 */
public final class HadoopIO {
  private HadoopIO() {}

  /** The configuration used when a caller has none (picks up core-site.xml / hdfs-site.xml from the classpath). */
  public static Configuration defaultConf() {
    return new Configuration();
  }

  public static FileSystem fs(Path p, Configuration conf) {
    try {
      return p.getFileSystem(conf);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the file system of " + p + ": " + e.getMessage(), e);
    }
  }

  public static boolean exists(Path p, Configuration conf) {
    try {
      return fs(p, conf).exists(p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot check " + p + ": " + e.getMessage(), e);
    }
  }

  public static FSDataInputStream open(Path p, Configuration conf) throws IOException {
    FileSystem fs = fs(p, conf);
    if (!fs.exists(p)) throw new java.io.FileNotFoundException(p + ": no such file");
    return fs.open(p);
  }

  public static long length(Path p, Configuration conf) throws IOException {
    return fs(p, conf).getFileStatus(p).getLen();
  }

  /** Whole file into memory; refuses files over 2 GiB with a message instead of an OutOfMemoryError. */
  public static byte[] readAll(Path p, Configuration conf) throws IOException {
    long len = length(p, conf);
    if (len > Integer.MAX_VALUE - 16) throw new IOException(p + ": " + len + " bytes is too large to read whole");
    try (InputStream in = open(p, conf)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream((int) len);
      in.transferTo(out);
      return out.toByteArray();
    }
  }

  /** Something that writes a file's whole content. */
  @FunctionalInterface
  public interface Writer {
    void write(OutputStream out) throws IOException;
  }

  /** Something that creates and writes a whole file at a path it is given. */
  @FunctionalInterface
  public interface FileWriter {
    void write(Path file) throws IOException;
  }

  /** Writes {@code target} atomically: to a hidden temporary sibling, then renamed over the target. */
  public static void writeAtomically(Path target, Configuration conf, Writer writer) throws IOException {
    FileSystem fs = fs(target, conf);
    writeFileAtomically(target, conf, tmp -> {
      try (OutputStream out = fs.create(tmp, false)) {
        writer.write(out);
      }
    });
  }

  /**
   * As {@link #writeAtomically(Path, Configuration, Writer)}, for writers that create the file themselves (a library
   * that takes a path, such as Parquet's): {@code writer} creates and completes the temporary sibling it is given.
   */
  public static void writeFileAtomically(Path target, Configuration conf, FileWriter writer) throws IOException {
    FileSystem fs = fs(target, conf);
    Path parent = target.getParent();
    if (parent != null) fs.mkdirs(parent);
    Path tmp = new Path(parent, "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
    try {
      writer.write(tmp);
      if (fs.exists(target) && !fs.delete(target, true)) throw new IOException("cannot replace " + target);
      if (!fs.rename(tmp, target)) throw new IOException("cannot rename " + tmp + " to " + target);
    } finally {
      if (fs.exists(tmp)) fs.delete(tmp, false);
    }
  }

  public static void writeAtomically(Path target, Configuration conf, byte[] bytes) throws IOException {
    writeAtomically(target, conf, out -> out.write(bytes));
  }
}
