package org.tinybert.io;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.Serializable;
import java.util.List;
import java.util.TreeMap;
import java.util.function.BiFunction;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * The files a job reads from paths a user gave: each path a file, a directory (every file below it, as Hadoop's
 * FileInputFormat and Spark's readers take a directory of parts) or a glob. Names starting with {@code _} or
 * {@code .} below a listed directory are skipped, as FileInputFormat skips them ({@code _SUCCESS}, {@code .crc}
 * files, a writer's temporary files).
 */
public final class InputFiles {
  private InputFiles() {}

  /**
   * One file as listed: what a fingerprint of the inputs compares.
   *
   * @param path the qualified path
   */
  public record Listed(String path, long size, long modificationTime) implements Serializable {}

  /**
   * The files under {@code paths}, each once, sorted by path.
   *
   * @param what names a path in messages ("corpus path", "input")
   * @param error makes the exception thrown for a message (and its cause, or null)
   * @throws RuntimeException from {@code error}, naming the path, when one does not exist, cannot be listed, or (a
   *     directory or glob) holds no file
   */
  public static List<Listed> list(List<String> paths, String what,
      BiFunction<String, Throwable, RuntimeException> error, Configuration conf) {
    if (paths.isEmpty()) throw error.apply("no " + what + " given", null);
    TreeMap<String, Listed> files = new TreeMap<>();
    for (String p : paths) {
      Path path = new Path(p);
      try {
        FileSystem fs = path.getFileSystem(conf);
        FileStatus[] matches = fs.globStatus(path);
        if (matches == null || matches.length == 0) {
          throw error.apply(what + " " + fs.makeQualified(path) + " does not exist", null);
        }
        boolean any = false;
        for (FileStatus m : matches) {
          if (m.isFile()) {
            add(files, m);
            any = true;
          } else {
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(m.getPath(), true);
            String root = m.getPath().toUri().getPath();
            while (it.hasNext()) {
              LocatedFileStatus f = it.next();
              if (!hidden(root, f.getPath())) {
                add(files, f);
                any = true;
              }
            }
          }
        }
        if (!any) throw error.apply(what + " " + fs.makeQualified(path) + " holds no file", null);
      } catch (FileNotFoundException e) {
        throw error.apply(what + " " + p + " does not exist: " + e.getMessage(), e);
      } catch (IOException e) {
        throw error.apply("cannot read " + what + " " + p + ": " + e.getMessage(), e);
      }
    }
    return List.copyOf(files.values());
  }

  private static void add(TreeMap<String, Listed> files, FileStatus f) {
    String p = f.getPath().toString();
    files.put(p, new Listed(p, f.getLen(), f.getModificationTime()));
  }

  /** FileInputFormat's rule, applied to every name below the listed directory. */
  private static boolean hidden(String root, Path file) {
    String rel = file.toUri().getPath().substring(root.length());
    for (String name : rel.split("/")) {
      if (name.startsWith("_") || name.startsWith(".")) return true;
    }
    return false;
  }
}
