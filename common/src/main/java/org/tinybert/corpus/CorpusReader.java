package org.tinybert.corpus;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.InputSplit;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.lib.input.FileInputFormat;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;
import org.apache.hadoop.mapreduce.lib.input.TextInputFormat;
import org.apache.spark.api.java.JavaNewHadoopRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.LongAccumulator;
import org.tinybert.io.InputFiles;
import scala.Tuple2;

/**
 * Reads a pre-training corpus in BERT's format: plain UTF-8 text, one sentence per line, a blank (or white-space
 * only) line between documents. Paths are files, directories (read recursively, skipping names that start with
 * {@code _} or {@code .}, as Hadoop does) or globs on any Hadoop file system; compressed files (.gz, .bz2, ...) are
 * read by extension, as {@code TextInputFormat} does.
 *
 * <p>Distributed through {@code TextInputFormat} with the record delimiter {@code "\n\n"}: a big file splits across
 * executors at blank lines, each record holding one document or several, and {@link RecordSplitter} cuts records into
 * documents. A file with CRLF line ends has no {@code "\n\n"}: it is read correctly but as one record per file (one
 * executor), so convert large CRLF corpora to LF.
 */
public final class CorpusReader {
  private CorpusReader() {}

  static final String RECORD_DELIMITER = "\n\n";

  /** One corpus file as listed: what the instance fingerprint compares. */
  public record CorpusFile(
      @JsonProperty("path") String path,
      @JsonProperty("size") long size,
      @JsonProperty("modification_time") long modificationTime) implements Serializable {}

  /**
   * The files under {@code paths}, each once, sorted by path.
   *
   * @throws CorpusException naming the path when one does not exist, cannot be listed, or (a directory or glob)
   *     holds no file
   */
  public static List<CorpusFile> listFiles(List<String> paths, Configuration conf) {
    return InputFiles.list(paths, "corpus path", (m, e) -> e == null ? new CorpusException(m)
        : new CorpusException(m, e), conf).stream()
        .map(f -> new CorpusFile(f.path(), f.size(), f.modificationTime())).toList();
  }

  /**
   * The documents of {@code files}, read on the executors.
   *
   * @param minPartitions when > 0, splits are made small enough for at least this many partitions (compressed files
   *     other than bzip2 never split); 0 keeps Hadoop's split size (the block size)
   * @param skipInvalidUtf8 drop lines that are not UTF-8, counting them in {@code skippedLines} (may be null)
   */
  public static JavaRDD<Document> documents(JavaSparkContext jsc, List<CorpusFile> files, int minPartitions,
      boolean skipInvalidUtf8, LongAccumulator skippedLines) {
    Job job;
    try {
      job = Job.getInstance(new Configuration(jsc.hadoopConfiguration()));
    } catch (IOException e) {
      throw new CorpusException("cannot set up reading the corpus: " + e.getMessage(), e);
    }
    Path[] paths = files.stream().map(f -> new Path(f.path())).toArray(Path[]::new);
    try {
      // Listed files rather than the user's paths: what is read is exactly what the fingerprint describes.
      FileInputFormat.setInputPaths(job, paths);
    } catch (IOException e) {
      throw new CorpusException("cannot set the corpus paths: " + e.getMessage(), e);
    }
    Configuration conf = job.getConfiguration();
    conf.set("textinputformat.record.delimiter", RECORD_DELIMITER);
    if (minPartitions > 0) {
      long total = files.stream().mapToLong(CorpusFile::size).sum();
      conf.setLong(FileInputFormat.SPLIT_MAXSIZE, Math.max(1, (total + minPartitions - 1) / minPartitions));
    }
    @SuppressWarnings("unchecked")
    JavaNewHadoopRDD<LongWritable, Text> records = (JavaNewHadoopRDD<LongWritable, Text>) jsc.newAPIHadoopRDD(
        conf, TextInputFormat.class, LongWritable.class, Text.class);
    return records.mapPartitionsWithInputSplit(
        (split, it) -> new DocumentIterator(split, it, new RecordSplitter(skipInvalidUtf8,
            n -> {
              if (skippedLines != null) skippedLines.add(n);
            })),
        false);
  }

  /** Documents of one partition, one record at a time (a partition may be a whole file). */
  private static final class DocumentIterator implements Iterator<Document> {
    private final String source;
    private final Iterator<Tuple2<LongWritable, Text>> records;
    private final RecordSplitter splitter;
    private Iterator<Document> current = Collections.emptyIterator();

    DocumentIterator(InputSplit split, Iterator<Tuple2<LongWritable, Text>> records, RecordSplitter splitter) {
      this.source = split instanceof FileSplit fs ? fs.getPath().toString() : split.toString();
      this.records = records;
      this.splitter = splitter;
    }

    @Override
    public boolean hasNext() {
      while (!current.hasNext()) {
        Tuple2<LongWritable, Text> r;
        try {
          if (!records.hasNext()) return false;
          r = records.next();
        } catch (CorpusException e) {
          throw e;
        } catch (Exception e) {
          // Hadoop's reader fails with the cause only (e.g. a truncated gzip): name the file.
          throw new CorpusException("cannot read corpus file " + source + ": " + e.getMessage(), e);
        }
        Text t = r._2();
        current = splitter.split(t.getBytes(), t.getLength(), source, r._1().get()).iterator();
      }
      return true;
    }

    @Override
    public Document next() {
      if (!hasNext()) throw new NoSuchElementException();
      return current.next();
    }
  }

  /** The first {@link CorpusException} in {@code e}'s causes (a task's failure reaches the driver wrapped). */
  static CorpusException corpusCause(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof CorpusException ce) return ce;
    }
    return null;
  }

  static List<String> paths(List<CorpusFile> files) {
    List<String> out = new ArrayList<>();
    for (CorpusFile f : files) out.add(f.path());
    return out;
  }
}
