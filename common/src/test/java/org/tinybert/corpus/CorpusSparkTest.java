package org.tinybert.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.io.compress.BZip2Codec;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.tinybert.io.HadoopSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.tinybert.distill.BatchEncoding;
import org.tinybert.model.core.BertBatch;
import org.tinybert.testing.LocalSpark;
import org.tinybert.text.BertTokenizer;
import org.tinybert.text.Vocab;

/** Reading, packing, storing and exporting on an in-process HDFS with a local[2] Spark. */
class CorpusSparkTest {
  private static final String CLOSE_DELAY = "dfs.client.block.write.locateFollowingBlock.initial.delay.ms";

  @TempDir
  static java.nio.file.Path tmp;

  static MiniDFSCluster cluster;
  static FileSystem hdfs;
  static String root;
  static SparkSession spark;
  static BertTokenizer tokenizer;

  /** The shared store most tests read: a gzip corpus plus a plain file in a subdirectory. */
  static TestCorpus gzCorpus;
  static TestCorpus plainCorpus;
  static InstanceSettings baseSettings;
  static Instances base;
  private static MinibatchExport epoch0;

  @BeforeAll
  static void start() throws IOException {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("dfs").toString());
    // A closing client polls the name node for the last block from 400 ms on: that alone made each file take 0.4 s.
    conf.set(CLOSE_DELAY, "5");
    cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    cluster.waitActive();
    hdfs = cluster.getFileSystem();
    root = hdfs.getUri() + "/t";
    spark = LocalSpark.builder()
        // 4, more than the 2 threads: the minibatch export's orderBy then sorts over more ranges than run at once, as
        // on a cluster, and the order the export must reproduce is checked over that.
        .conf("spark.sql.shuffle.partitions", 4)
        // Tiny inputs: compiling generated code would cost more than it saves.
        .conf("spark.sql.codegen.wholeStage", false)
        .conf("spark.sql.codegen.factoryMode", "NO_CODEGEN")
        // The jobs' own HDFS clients: one data node, and the fast close above.
        .conf("spark.hadoop.dfs.replication", 1)
        .conf("spark.hadoop." + CLOSE_DELAY, 5)
        .start("CorpusSparkTest");
    try (InputStream in = CorpusSparkTest.class.getResourceAsStream("/org/tinybert/golden/vocab.txt")) {
      tokenizer = new BertTokenizer(Vocab.read(in, "golden vocab.txt"), true);
    }
    gzCorpus = new TestCorpus(1, 40);
    plainCorpus = new TestCorpus(2, 12);
    write(root + "/gz/corpus.txt.gz", gzCorpus.gzip());
    write(root + "/gz/more/b.txt", plainCorpus.bytes());
    write(root + "/gz/_ignored.txt", "not part of the corpus\n".getBytes(StandardCharsets.UTF_8));
    write(root + "/gz/more/.hidden", "nor this\n".getBytes(StandardCharsets.UTF_8));
    baseSettings = new InstanceSettings(List.of(root + "/gz"), 32, 0.2, 5, false, 0);
    base = InstanceStore.prepare(spark, new Path(root + "/base"), tokenizer, baseSettings, false);
  }

  @AfterAll
  static void stop() throws IOException {
    LocalSpark.stop(spark);
    if (hdfs != null) hdfs.close();
    if (cluster != null) cluster.shutdown();
  }

  static void write(String path, byte[] bytes) throws IOException {
    try (FSDataOutputStream out = hdfs.create(new Path(path), true)) {
      out.write(bytes);
    }
  }

  static List<String> stored(Instances instances) {
    List<String> out = new ArrayList<>();
    for (Row r : instances.read(spark).collectAsList()) {
      int[] ids = r.getList(1).stream().mapToInt(x -> (Integer) x).toArray();
      assertEquals(ids.length, r.getInt(2), "length column");
      out.add(r.getLong(0) + ":" + Arrays.toString(ids));
    }
    out.sort(null);
    return out;
  }

  static InstancePacker packer(InstanceSettings s) {
    return InstancePacker.of(tokenizer.vocab(), s.maxSeqLength(), s.shortSeqProb(), s.seed());
  }

  static Map<String, Long> modificationTimes(Path dir) throws IOException {
    Map<String, Long> out = new TreeMap<>();
    RemoteIterator<LocatedFileStatus> it = hdfs.listFiles(dir, true);
    while (it.hasNext()) {
      LocatedFileStatus s = it.next();
      out.put(s.getPath().toString(), s.getModificationTime());
    }
    return out;
  }

  // ------------------------------------------------------------------ instances

  @Test
  void buildsInstancesFromAGzipCorpusOnHdfs() {
    assertFalse(base.reused());
    List<String> expected = new ArrayList<>(gzCorpus.expectedInstances(tokenizer, packer(baseSettings)));
    expected.addAll(plainCorpus.expectedInstances(tokenizer, packer(baseSettings)));
    expected.sort(null);
    assertEquals(expected, stored(base));
    InstanceCounts c = base.counts();
    assertEquals(gzCorpus.documents.size() + plainCorpus.documents.size(), c.documents());
    assertEquals(gzCorpus.sentences() + plainCorpus.sentences(), c.sentences());
    assertEquals(expected.size(), c.instances());
    assertEquals(0, c.skippedLines());
    long tokens = instancesTokens(expected);
    assertEquals(tokens, c.tokens());
    assertEquals(List.of(root + "/gz/corpus.txt.gz", root + "/gz/more/b.txt"),
        base.fingerprint().corpus().stream().map(CorpusReader.CorpusFile::path).toList());
  }

  private static long instancesTokens(List<String> rows) {
    return rows.stream().mapToLong(r -> r.substring(r.indexOf('[')).split(",").length).sum();
  }

  @Test
  void reuseDoesNotTokenizeAgain() throws IOException {
    Map<String, Long> before = modificationTimes(base.dir().suffix("/" + Instances.PARQUET));
    long description = hdfs.getFileStatus(base.description()).getModificationTime();
    Instances again = InstanceStore.prepare(spark, new Path(root + "/base"), tokenizer, baseSettings, false);
    assertTrue(again.reused());
    assertEquals(base.counts(), again.counts());
    assertEquals(base.fingerprint(), again.fingerprint());
    assertEquals(before, modificationTimes(base.dir().suffix("/" + Instances.PARQUET)));
    assertEquals(description, hdfs.getFileStatus(base.description()).getModificationTime());
  }

  @Test
  void sameInstancesWhateverTheInputSplits() throws IOException {
    TestCorpus big = new TestCorpus(3, 120);
    write(root + "/plain/c.txt", big.bytes());
    BZip2Codec bzip2 = new BZip2Codec();
    bzip2.setConf(spark.sparkContext().hadoopConfiguration());
    try (OutputStream out = bzip2.createOutputStream(hdfs.create(new Path(root + "/bz/c.txt.bz2")))) {
      out.write(big.bytes());
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    List<String> expectedDocs = big.documents.stream().map(d -> String.join("|", d)).sorted().toList();
    // Splits that start and end anywhere, even inside a "\n\n"; bzip2 splits too. (The builds below read 1 and 3.)
    for (String dir : List.of("/plain", "/bz")) {
      List<CorpusReader.CorpusFile> files = CorpusReader.listFiles(List.of(root + dir), conf);
      for (int partitions : dir.equals("/bz") ? new int[] {1, 3, 7} : new int[] {7}) {
        var docs = CorpusReader.documents(jsc, files, partitions, false, null);
        assertEquals(partitions, docs.getNumPartitions(), dir + " splits");
        List<String> got = docs.map(d -> String.join("|", d.sentences())).collect();
        assertEquals(expectedDocs, got.stream().sorted().toList(), dir + " in " + partitions + " splits");
      }
    }
    InstanceSettings s = new InstanceSettings(List.of(root + "/plain"), 24, 0.3, 9, false, 1);
    Instances one = InstanceStore.prepare(spark, new Path(root + "/p1"), tokenizer, s, false);
    Instances three = InstanceStore.prepare(spark, new Path(root + "/p3"), tokenizer, s.withMinInputPartitions(3),
        false);
    List<String> fromThreeSplits = stored(three);
    assertEquals(stored(one), fromThreeSplits);
    assertEquals(one.counts(), three.counts());
    assertEquals(big.expectedInstances(tokenizer, packer(s)), fromThreeSplits);
    // Different Parquet layouts, the same minibatches, byte for byte.
    MinibatchExport fromOne = MinibatchExporter.export(spark, one, 0, 16);
    MinibatchExport fromThree = MinibatchExporter.export(spark, three, 0, 16);
    assertTrue(three.read(spark).rdd().getNumPartitions() > one.read(spark).rdd().getNumPartitions());
    Map<String, byte[]> a = contents(fromOne);
    Map<String, byte[]> b = contents(fromThree);
    assertEquals(fromOne.batches(), b.size());
    for (String p : a.keySet()) {
      assertArrayEquals(a.get(p), b.get(p.replace(root + "/p1/", root + "/p3/")), p);
    }
  }

  static Stream<Arguments> settingChanges() {
    List<String> extra = new ArrayList<>(tokenizer.vocab().tokens());
    extra.add("extra");
    BertTokenizer otherVocab = new BertTokenizer(Vocab.of(extra, "extra vocab"), true);
    return Stream.of(
        Arguments.of("seed", (Function<InstanceSettings, InstanceSettings>) s -> s.withSeed(6), tokenizer,
            "seed 5 -> 6"),
        Arguments.of("max_seq_length", (Function<InstanceSettings, InstanceSettings>) s -> s.withMaxSeqLength(64),
            tokenizer, "max_seq_length 32 -> 64"),
        Arguments.of("short_seq_prob", (Function<InstanceSettings, InstanceSettings>) s -> s.withShortSeqProb(0),
            tokenizer, "short_seq_prob 0.2 -> 0.0"),
        Arguments.of("skip", (Function<InstanceSettings, InstanceSettings>) s -> s.withSkipInvalidUtf8(true),
            tokenizer, "skip_invalid_utf8 false -> true"),
        Arguments.of("do_lower_case", Function.<InstanceSettings>identity(),
            new BertTokenizer(tokenizer.vocab(), false), "do_lower_case true -> false"),
        Arguments.of("vocabulary", Function.<InstanceSettings>identity(), otherVocab,
            "vocabulary changed (SHA-256 " + InstanceFingerprint.vocabSha256(tokenizer) + " -> "
                + InstanceFingerprint.vocabSha256(otherVocab) + ")"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("settingChanges")
  void aChangedSettingIsNamed(String name, Function<InstanceSettings, InstanceSettings> change, BertTokenizer tok,
      String expected) throws IOException {
    StaleInstancesException e = assertThrows(StaleInstancesException.class,
        () -> InstanceStore.prepare(spark, new Path(root + "/base"), tok, change.apply(baseSettings), false));
    assertEquals(List.of(expected), e.changes());
    assertTrue(e.getMessage().contains(root + "/base") && e.getMessage().contains(expected), e.getMessage());
    assertTrue(hdfs.exists(base.description()), "a refused reuse must leave the instances alone");
  }

  @Test
  void changedCorpusFilesAreNamedAndRebuildReplacesEverything() throws IOException {
    String a = root + "/fp/corpus/a.txt";
    String b = root + "/fp/corpus/b.txt";
    write(a, new TestCorpus(4, 5).bytes());
    write(b, new TestCorpus(5, 5).bytes());
    InstanceSettings s = new InstanceSettings(List.of(root + "/fp/corpus"), 16, 0.0, 1, false, 0);
    Path dir = new Path(root + "/fp/instances");
    Instances first = InstanceStore.prepare(spark, dir, tokenizer, s, false);
    Path epoch = new Path(dir, "epoch-0");
    write(epoch + "/" + MinibatchExporter.DONE, "{}".getBytes(StandardCharsets.UTF_8));

    long mtime = hdfs.getFileStatus(new Path(a)).getModificationTime();
    hdfs.setTimes(new Path(a), mtime + 60_000, -1);
    assertEquals(List.of("corpus file " + a + " changed modification time "
        + java.time.Instant.ofEpochMilli(mtime) + " -> " + java.time.Instant.ofEpochMilli(mtime + 60_000)),
        staleChanges(dir, s));

    long size = hdfs.getFileStatus(new Path(a)).getLen();
    try (FSDataOutputStream out = hdfs.append(new Path(a))) {
      out.write("\nAn added document .\n".getBytes(StandardCharsets.UTF_8));
    }
    long newSize = hdfs.getFileStatus(new Path(a)).getLen();
    hdfs.delete(new Path(b), false);
    write(root + "/fp/corpus/c.txt", "A new file .\n".getBytes(StandardCharsets.UTF_8));
    assertEquals(List.of("corpus file " + a + " changed size " + size + " -> " + newSize,
        "corpus file " + b + " is gone", "corpus file " + root + "/fp/corpus/c.txt is new (13 bytes)"),
        staleChanges(dir, s));

    Instances rebuilt = InstanceStore.prepare(spark, dir, tokenizer, s, true);
    assertFalse(rebuilt.reused());
    assertNotEquals(first.counts(), rebuilt.counts());
    assertFalse(hdfs.exists(epoch), "minibatches of the old instances must go with them");
    assertEquals(2, rebuilt.fingerprint().corpus().size());
    Instances reused = InstanceStore.prepare(spark, dir, tokenizer, s, false);
    assertTrue(reused.reused());
    assertEquals(rebuilt.counts(), reused.counts());
  }

  private static List<String> staleChanges(Path dir, InstanceSettings s) {
    return assertThrows(StaleInstancesException.class, () -> InstanceStore.prepare(spark, dir, tokenizer, s, false))
        .changes();
  }

  @Test
  void aHalfWrittenDirectoryIsBuiltAgain() throws IOException {
    Path dir = new Path(root + "/half");
    write(root + "/half/instances/part-00000.parquet", "torn".getBytes(StandardCharsets.UTF_8));
    write(root + "/half/epoch-0/batch-000000000.mds", "torn".getBytes(StandardCharsets.UTF_8));
    InstanceSettings s = new InstanceSettings(List.of(root + "/gz/more/b.txt"), 32, 0.2, 5, false, 0);
    Instances got = InstanceStore.prepare(spark, dir, tokenizer, s, false);
    assertFalse(got.reused());
    assertFalse(hdfs.exists(new Path(root + "/half/epoch-0")));
    assertEquals(plainCorpus.expectedInstances(tokenizer, packer(s)), stored(got));

    // A directory that holds other things is no half-written build: it is left alone.
    write(root + "/notmine/notes.txt", "keep me".getBytes(StandardCharsets.UTF_8));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> InstanceStore.prepare(spark, new Path(root + "/notmine"), tokenizer, s, false));
    assertEquals("refusing to replace " + root + "/notmine: besides instances it holds notes.txt; give the "
        + "instances a directory of their own", e.getMessage());
    assertTrue(hdfs.exists(new Path(root + "/notmine/notes.txt")));
  }

  @Test
  void anEmptyCorpusFailsNamingIt() throws IOException {
    write(root + "/empty/blank.txt", " \n\n\t\n\n".getBytes(StandardCharsets.UTF_8));
    write(root + "/empty0/zero.txt", new byte[0]);
    for (String corpus : List.of(root + "/empty", root + "/empty0/zero.txt")) {
      Path dir = new Path(root + "/empty-instances");
      CorpusException e = assertThrows(CorpusException.class, () -> InstanceStore.prepare(spark, dir, tokenizer,
          new InstanceSettings(List.of(corpus), 32, 0.1, 1, false, 0), false));
      assertTrue(e.getMessage().startsWith("corpus " + corpus + " holds no sentence"), e.getMessage());
      assertFalse(hdfs.exists(dir), "nothing may be left that looks like instances");
    }
  }

  @Test
  void aMissingOrFilelessPathFailsNamingIt() throws IOException {
    write(root + "/hiddenonly/_SUCCESS", new byte[0]);
    String missing = root + "/no/such/corpus.txt";
    CorpusException e = assertThrows(CorpusException.class, () -> InstanceStore.prepare(spark,
        new Path(root + "/x"), tokenizer, InstanceSettings.of(List.of(root + "/gz", missing), 1), false));
    assertEquals("corpus path " + missing + " does not exist", e.getMessage());
    e = assertThrows(CorpusException.class, () -> InstanceStore.prepare(spark, new Path(root + "/x"), tokenizer,
        InstanceSettings.of(List.of(root + "/hiddenonly"), 1), false));
    assertEquals("corpus path " + root + "/hiddenonly holds no file", e.getMessage());
  }

  @Test
  void invalidUtf8FailsNamingFileAndOffsetUnlessSkipped() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes("First document .\n\nSecond one starts here .\nthen ".getBytes(StandardCharsets.UTF_8));
    long offset = b.size();
    b.write(0xC3);
    b.writeBytes("( breaks .\n".getBytes(StandardCharsets.UTF_8));
    String file = root + "/bad/bad.txt";
    write(file, b.toByteArray());
    Path dir = new Path(root + "/bad-instances");
    InstanceSettings s = new InstanceSettings(List.of(file), 32, 0.0, 1, false, 0);
    CorpusException e = assertThrows(CorpusException.class, () -> InstanceStore.prepare(spark, dir, tokenizer, s,
        false));
    assertTrue(e.getMessage().startsWith(file + ": invalid UTF-8 at byte offset " + offset + " "), e.getMessage());
    assertFalse(hdfs.exists(dir));
    Instances skipped = InstanceStore.prepare(spark, dir, tokenizer, s.withSkipInvalidUtf8(true), false);
    assertEquals(new InstanceCounts(2, 2, 2, skipped.counts().tokens(), 1), skipped.counts());
  }

  // ------------------------------------------------------------------ minibatches

  /** Unpadded ids of every row of a minibatch file, checking the padding, mask and segments on the way. */
  static List<String> rows(MultiDataSet mds, int l) {
    BertBatch b = BatchEncoding.batch(mds.getFeatures(0));
    assertEquals(l, b.seqLength());
    List<String> out = new ArrayList<>();
    for (int i = 0; i < b.batchSize(); i++) {
      int n = 0;
      while (n < l && b.inputMask()[i * l + n] == 1) n++;
      for (int t = 0; t < l; t++) {
        assertEquals(t < n ? 1 : 0, b.inputMask()[i * l + t], "mask");
        assertEquals(0, b.segmentIds()[i * l + t], "segment");
        if (t >= n) assertEquals(0, b.inputIds()[i * l + t], "padding");
      }
      out.add(Arrays.toString(Arrays.copyOf(Arrays.copyOfRange(b.inputIds(), i * l, i * l + n), n)));
    }
    assertEquals(0.0, mds.getLabels(0).sumNumber().doubleValue());
    return out;
  }

  /** Epoch 0 of the shared store in minibatches of 8, exported once for the tests that only read it. */
  static synchronized MinibatchExport epoch0() {
    if (epoch0 == null) epoch0 = MinibatchExporter.export(spark, base, 0, 8);
    return epoch0;
  }

  @Test
  void exportsEveryInstanceOnceTheLastMinibatchHoldingWhatIsLeft() throws IOException {
    int bsz = 8;
    MinibatchExport e = epoch0();
    long n = base.counts().instances();
    assertTrue(n % bsz != 0, "the shared store should leave a partial minibatch, found " + n + " instances");
    assertEquals((n + bsz - 1) / bsz, e.batches());
    assertEquals(n % bsz, e.lastBatchSize());
    assertTrue(e.summary().contains("(one of " + e.lastBatchSize() + ")"), e.summary());
    List<String> files = new ArrayList<>(modificationTimes(e.dir()).keySet());
    files.remove(e.dir() + "/" + MinibatchExporter.DONE);
    assertEquals(files, e.batchPaths().stream().sorted().toList());
    assertNotEquals(files, e.batchPaths(), "fitPaths gets the files in a seeded order");

    Map<String, Integer> all = new HashMap<>();
    for (String s : stored(base)) all.merge(s.substring(s.indexOf(':') + 1), 1, Integer::sum);
    int seen = 0;
    MinibatchLoader loader = e.loader();
    for (int i = 0; i < e.batchPaths().size(); i++) {
      List<String> rows = rows(loader.load(new HadoopSource(e.batchPaths().get(i), hdfs.getConf())),
          base.maxSeqLength());
      assertEquals(e.examplesAt(i), rows.size(), e.batchPaths().get(i));
      for (String row : rows) {
        assertTrue(all.merge(row, -1, Integer::sum) >= 0, "a row that is no instance, or twice: " + row);
        seen++;
      }
    }
    assertEquals(n, seen, "every instance is in a minibatch");
  }

  @Test
  void exportIsDeterministicAndReusedWhenDone() throws IOException {
    MinibatchExport first = MinibatchExporter.export(spark, base, 1, 8);
    assertFalse(first.reused());
    Map<String, byte[]> bytes = contents(first);
    Map<String, Long> times = modificationTimes(first.dir());

    MinibatchExport again = MinibatchExporter.export(spark, base, 1, 8);
    assertTrue(again.reused());
    assertEquals(first.batchPaths(), again.batchPaths());
    assertEquals(times, modificationTimes(first.dir()));

    hdfs.delete(new Path(first.dir(), MinibatchExporter.DONE), false);
    hdfs.delete(new Path(first.batchPaths().get(0)), false);
    MinibatchExport redone = MinibatchExporter.export(spark, base, 1, 8);
    assertFalse(redone.reused());
    assertEquals(first.batchPaths(), redone.batchPaths());
    Map<String, byte[]> redoneBytes = contents(redone);
    for (String p : bytes.keySet()) assertArrayEquals(bytes.get(p), redoneBytes.get(p), p);

    MinibatchExport other = epoch0();
    assertFalse(Arrays.equals(bytes.get(first.dir() + "/batch-000000000.mds"),
        contents(other).get(other.dir() + "/batch-000000000.mds")), "another epoch, another order");

    MinibatchExport resized = MinibatchExporter.export(spark, base, 1, 7);
    assertFalse(resized.reused(), "another batch size is another export");
    assertEquals((base.counts().instances() + 6) / 7, modificationTimes(resized.dir()).size() - 1);
  }

  private static Map<String, byte[]> contents(MinibatchExport e) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    for (String p : e.batchPaths()) {
      try (InputStream in = hdfs.open(new Path(p))) {
        out.put(p, in.readAllBytes());
      }
    }
    return out;
  }

  @Test
  void loaderRoundTripsAndRejectsOtherShapes() throws IOException {
    MinibatchExport e = epoch0();
    String p = e.batchPaths().get(0);
    MultiDataSet viaHadoop = e.loader().load(new Path(p), spark.sparkContext().hadoopConfiguration());
    MultiDataSet viaDl4j = e.loader().load(new HadoopSource(p, hdfs.getConf()));
    assertEquals(viaHadoop.getFeatures(0), viaDl4j.getFeatures(0));
    assertEquals(List.of(8L, 3L * 32), Arrays.stream(viaDl4j.getFeatures(0).shape()).boxed().toList());
    IOException wrong = assertThrows(IOException.class,
        () -> new MinibatchLoader(8, 16).load(new HadoopSource(p, hdfs.getConf())));
    assertTrue(wrong.getMessage().startsWith(p + ": expected one features array [8, 48] (input ids, segment ids, "
        + "mask) and one labels array [8, 1], found 1 array(s) [8, 96]"), wrong.getMessage());
  }
}
