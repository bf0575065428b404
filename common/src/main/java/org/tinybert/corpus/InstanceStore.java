package org.tinybert.corpus;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.corpus.CorpusReader.CorpusFile;
import org.tinybert.io.HadoopIO;
import org.tinybert.text.BertTokenizer;

/**
 * Builds the general-distillation instances once and keeps them for every epoch and every resume: the corpus is read
 * and tokenized, and documents are packed ({@link InstancePacker}), in parallel on the executors; the instances are
 * written as Parquet through Spark's own commit protocol, then {@code instances.json} (fingerprint and counts) is
 * written atomically. That file is the completion mark: a directory without it is a half-written build, built
 * again (unless it holds files this class does not write: a directory given by mistake is never deleted).
 *
 * <p>On a later run with the same fingerprint nothing is read or tokenized again. A different fingerprint is an
 * error naming what changed, unless a rebuild is requested; a rebuild replaces the whole directory, minibatches
 * exported from the old instances included.
 */
public final class InstanceStore {
  private InstanceStore() {}

  private static final Logger LOG = LoggerFactory.getLogger(InstanceStore.class);

  static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** The Parquet schema of the instances. */
  public static final StructType SCHEMA = new StructType()
      .add("id", DataTypes.LongType, false)
      .add("input_ids", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
      .add("length", DataTypes.IntegerType, false);

  /** The content of {@code instances.json}. */
  record Description(
      @JsonProperty("fingerprint") InstanceFingerprint fingerprint,
      @JsonProperty("counts") InstanceCounts counts,
      @JsonProperty("created") String created,
      @JsonProperty("spark_application_id") String sparkApplicationId) {}

  /**
   * The instances of {@code settings.corpus()} under {@code dir}: reused when {@code dir/instances.json} matches the
   * current fingerprint, built otherwise.
   *
   * @param rebuild replace instances whose fingerprint differs instead of failing; instances that match are reused
   *     either way
   * @throws CorpusException when a corpus path is missing or unreadable, a line is not UTF-8 (unless skipped), or the
   *     corpus holds no sentence; nothing is left in {@code dir} then
   * @throws StaleInstancesException when stored instances differ and {@code rebuild} is false
   */
  public static Instances prepare(SparkSession spark, Path dir, BertTokenizer tokenizer, InstanceSettings settings,
      boolean rebuild) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    List<CorpusFile> files = CorpusReader.listFiles(settings.corpus(), conf);
    InstanceFingerprint now = InstanceFingerprint.of(files, tokenizer, settings);
    FileSystem fs = HadoopIO.fs(dir, conf);
    Path qdir = fs.makeQualified(dir);
    Path description = new Path(qdir, Instances.DESCRIPTION);
    try {
      if (fs.exists(description)) {
        Description stored = readDescription(description, conf);
        List<String> changes = stored.fingerprint().changesFrom(now);
        if (changes.isEmpty()) {
          Instances found = new Instances(qdir, stored.fingerprint(), stored.counts(), true);
          LOG.info("{}", found.summary());
          return found;
        }
        if (!rebuild) throw new StaleInstancesException(qdir.toString(), changes);
        LOG.warn("rebuilding the instances at {}: {}", qdir, String.join("; ", changes));
        // Gone first: should the rebuild stop half-way, the directory reads as incomplete, never as the old build.
        fs.delete(description, false);
      } else if (fs.exists(qdir)) {
        LOG.warn("{} has no {}: an incomplete build, building again", qdir, Instances.DESCRIPTION);
      }
      if (fs.exists(qdir)) {
        List<String> foreign = foreignEntries(fs, qdir);
        if (!foreign.isEmpty()) {
          throw new IllegalStateException("refusing to replace " + qdir + ": besides instances it holds "
              + String.join(", ", foreign) + "; give the instances a directory of their own");
        }
        if (!fs.delete(qdir, true)) throw new IOException("cannot delete " + qdir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the instance directory " + qdir + ": " + e.getMessage(), e);
    }
    if (files.stream().allMatch(f -> f.size() == 0)) {
      throw new CorpusException("corpus " + describe(settings.corpus()) + " holds no sentence: its " + files.size()
          + " file(s) are empty");
    }
    return build(spark, qdir, files, tokenizer, settings, now);
  }

  private static Instances build(SparkSession spark, Path dir, List<CorpusFile> files, BertTokenizer tokenizer,
      InstanceSettings settings, InstanceFingerprint fingerprint) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    // Exact counts: they are updated in the write's only stage (no shuffle), whose tasks count once per partition.
    LongAccumulator documents = jsc.sc().longAccumulator("corpus documents");
    LongAccumulator sentences = jsc.sc().longAccumulator("corpus sentences");
    LongAccumulator instances = jsc.sc().longAccumulator("corpus instances");
    LongAccumulator tokens = jsc.sc().longAccumulator("corpus instance tokens");
    LongAccumulator skipped = jsc.sc().longAccumulator("corpus invalid UTF-8 lines skipped");
    Broadcast<BertTokenizer> tok = jsc.broadcast(tokenizer);
    InstancePacker packer = InstancePacker.of(tokenizer.vocab(), settings.maxSeqLength(), settings.shortSeqProb(),
        settings.seed());
    JavaRDD<Row> rows = CorpusReader.documents(jsc, files, settings.minInputPartitions(), settings.skipInvalidUtf8(),
        skipped).flatMap(doc -> {
          BertTokenizer t = tok.value();
          List<int[]> ids = new ArrayList<>(doc.sentences().size());
          for (String s : doc.sentences()) ids.add(t.toIds(t.tokenize(s)));
          List<PackedInstance> packed = packer.pack(ids, doc.hash());
          documents.add(1);
          sentences.add(ids.size());
          instances.add(packed.size());
          List<Row> out = new ArrayList<>(packed.size());
          for (PackedInstance p : packed) {
            tokens.add(p.length());
            out.add(RowFactory.create(p.id(), p.inputIds(), p.length()));
          }
          return out.iterator();
        });
    Path parquet = new Path(dir, Instances.PARQUET);
    LOG.info("building instances from {} corpus files ({} bytes) into {}", files.size(),
        files.stream().mapToLong(CorpusFile::size).sum(), parquet);
    try {
      spark.createDataFrame(rows, SCHEMA).write().parquet(parquet.toString());
    } catch (Exception e) { // Spark's own SparkException is a checked exception that Scala throws undeclared
      deleteQuietly(dir, spark);
      CorpusException cause = CorpusReader.corpusCause(e);
      if (cause != null) throw new CorpusException(cause.getMessage(), e);
      if (e instanceof RuntimeException re) throw re;
      throw new IllegalStateException("cannot build the instances at " + dir + ": " + e.getMessage(), e);
    } finally {
      tok.destroy();
    }
    InstanceCounts counts = new InstanceCounts(documents.value(), sentences.value(), instances.value(),
        tokens.value(), skipped.value());
    if (counts.sentences() == 0 || counts.instances() == 0) {
      deleteQuietly(dir, spark);
      throw new CorpusException("corpus " + describe(settings.corpus()) + " holds no sentence"
          + (counts.sentences() == 0 ? ": every line of its " + files.size() + " file(s) is blank"
          + (counts.skippedLines() > 0 ? " or skipped as invalid UTF-8 (" + counts.skippedLines() + ")" : "")
          : ": its " + counts.sentences() + " non-blank lines give no token"));
    }
    Description d = new Description(fingerprint, counts, Instant.now().toString(),
        spark.sparkContext().applicationId());
    try {
      HadoopIO.writeAtomically(new Path(dir, Instances.DESCRIPTION), spark.sparkContext().hadoopConfiguration(),
          JSON.writeValueAsBytes(d));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + new Path(dir, Instances.DESCRIPTION) + ": " + e.getMessage(), e);
    }
    Instances built = new Instances(dir, fingerprint, counts, false);
    LOG.info("{}", built.summary());
    return built;
  }

  /** What in {@code dir} this class did not write: a safeguard before deleting a directory given by mistake. */
  private static List<String> foreignEntries(FileSystem fs, Path dir) throws IOException {
    List<String> out = new ArrayList<>();
    for (FileStatus s : fs.listStatus(dir)) {
      String name = s.getPath().getName();
      boolean ours = name.equals(Instances.PARQUET) || name.equals(Instances.DESCRIPTION)
          || name.startsWith(".") || (s.isDirectory() && name.startsWith(MinibatchExporter.EPOCH_PREFIX));
      if (!ours) out.add(name);
    }
    return out;
  }

  static Description readDescription(Path path, Configuration conf) {
    try {
      Description d = JSON.readValue(HadoopIO.readAll(path, conf), Description.class);
      if (d.fingerprint() == null || d.counts() == null) {
        throw new IOException("expected \"fingerprint\" and \"counts\", found "
            + (d.fingerprint() == null ? "no fingerprint" : "no counts"));
      }
      return d;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the instance description " + path + ": " + e.getMessage()
          + "; delete the directory to build the instances again", e);
    }
  }

  private static void deleteQuietly(Path dir, SparkSession spark) {
    try {
      HadoopIO.fs(dir, spark.sparkContext().hadoopConfiguration()).delete(dir, true);
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot delete {}: {}", dir, e.toString());
    }
  }

  private static String describe(List<String> paths) {
    return paths.size() == 1 ? paths.get(0) : paths.toString();
  }
}
