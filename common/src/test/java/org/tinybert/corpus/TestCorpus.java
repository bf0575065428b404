package org.tinybert.corpus;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.tinybert.text.BertTokenizer;

/**
 * A small generated corpus in BERT's format, with the documents it holds, so tests can compare what Spark reads and
 * packs with what the pure packer gives for the known documents.
 */
final class TestCorpus {
  private static final String[] WORDS = {
    "the", "cat", "sat", "on", "a", "mat", "and", "looked", "at", "birds", "outside", "Running", "quickly",
    "über", "café", "北京", "大学", "students", "read", "books", "in", "winter", "!", ",", ".", "?", "42",
    "hello", "world", "TinyBERT", "distils", "knowledge", "from", "teacher", "to", "student"};
  private static final String[] BREAKS = {"\n\n", "\n \n", "\n\n\n", "\n\t\n"};

  final List<List<String>> documents = new ArrayList<>();
  final String text;

  TestCorpus(long seed, int documentCount) {
    Random r = new Random(seed);
    StringBuilder b = new StringBuilder();
    for (int d = 0; d < documentCount; d++) {
      List<String> sentences = new ArrayList<>();
      int n = 1 + r.nextInt(10);
      for (int s = 0; s < n; s++) {
        StringBuilder line = new StringBuilder();
        int words = 2 + r.nextInt(16);
        for (int w = 0; w < words; w++) line.append(w == 0 ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
        sentences.add(line.toString());
        // Surrounding white space is stripped on reading.
        String pad = r.nextInt(5) == 0 ? "  " : "";
        b.append(pad).append(line).append(pad).append('\n');
      }
      documents.add(sentences);
      b.setLength(b.length() - 1);
      b.append(d == documentCount - 1 ? "\n" : BREAKS[r.nextInt(BREAKS.length)]);
    }
    text = b.toString();
  }

  byte[] bytes() {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  byte[] gzip() {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (GZIPOutputStream z = new GZIPOutputStream(out)) {
        z.write(bytes());
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  long sentences() {
    return documents.stream().mapToLong(List::size).sum();
  }

  /** "id:[ids]" of every instance the pure packer makes from the known documents. */
  List<String> expectedInstances(BertTokenizer tokenizer, InstancePacker packer) {
    List<String> out = new ArrayList<>();
    for (List<String> doc : documents) {
      List<int[]> ids = new ArrayList<>();
      for (String s : doc) ids.add(tokenizer.toIds(tokenizer.tokenize(s)));
      for (PackedInstance p : packer.pack(ids, new Document("test", 0, doc).hash())) {
        out.add(p.id() + ":" + Arrays.toString(p.inputIds()));
      }
    }
    out.sort(null);
    return out;
  }
}
