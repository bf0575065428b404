package org.tinybert.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RecordSplitterTest {

  static Stream<Arguments> cases() throws IOException {
    try (InputStream in = RecordSplitterTest.class.getResourceAsStream("/org/tinybert/corpus/record_cases.json")) {
      JsonNode root = new ObjectMapper().readTree(in);
      List<Arguments> out = new ArrayList<>();
      for (JsonNode c : root.get("cases")) {
        List<List<String>> docs = new ArrayList<>();
        for (JsonNode d : c.get("documents")) {
          List<String> s = new ArrayList<>();
          d.forEach(x -> s.add(x.asText()));
          docs.add(s);
        }
        out.add(Arguments.of(c.get("name").asText(), c.get("text").asText(), docs));
      }
      return out.stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void splitsRecordsIntoDocuments(String name, String text, List<List<String>> expected) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    // A longer buffer than the record, as Hadoop's Text has.
    byte[] buffer = java.util.Arrays.copyOf(bytes, bytes.length + 7);
    List<Document> docs = new RecordSplitter(false, n -> {}).split(buffer, bytes.length, "f.txt", 100);
    assertEquals(expected, docs.stream().map(Document::sentences).toList());
    for (Document d : docs) assertEquals(100, d.offset());
  }

  @Test
  void dropsAByteOrderMarkAtTheStartOfTheFileOnly() {
    byte[] bytes = "\uFEFFa\n\uFEFFb".getBytes(StandardCharsets.UTF_8);
    RecordSplitter s = new RecordSplitter(false, n -> {});
    assertEquals(List.of("a", "\uFEFFb"), s.split(bytes, bytes.length, "f", 0).get(0).sentences());
    assertEquals(List.of("\uFEFFa", "\uFEFFb"), s.split(bytes, bytes.length, "f", 5).get(0).sentences());
  }

  private static byte[] withInvalidByte() {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes("good line\nbad ".getBytes(StandardCharsets.UTF_8));
    b.write(0xFF);
    b.writeBytes(" line\nlast line".getBytes(StandardCharsets.UTF_8));
    return b.toByteArray();
  }

  @Test
  void invalidUtf8NamesFileAndByteOffset() {
    byte[] bytes = withInvalidByte();
    CorpusException e = assertThrows(CorpusException.class,
        () -> new RecordSplitter(false, n -> {}).split(bytes, bytes.length, "hdfs://nn/c/a.txt", 1000));
    // "good line\n" is 10 bytes and "bad " 4 more: the bad byte is at 1000 + 14, its line starts at 1010.
    assertTrue(e.getMessage().startsWith("hdfs://nn/c/a.txt: invalid UTF-8 at byte offset 1014 (line starting at "
        + "byte offset 1010): expected a UTF-8 character, found 0xFF"), e.getMessage());
  }

  @Test
  void skipsAndCountsInvalidLinesWhenAsked() {
    byte[] bytes = withInvalidByte();
    AtomicLong skipped = new AtomicLong();
    List<Document> docs = new RecordSplitter(true, skipped::addAndGet).split(bytes, bytes.length, "a.txt", 0);
    assertEquals(List.of(List.of("good line", "last line")), docs.stream().map(Document::sentences).toList());
    assertEquals(1, skipped.get());
  }

  @Test
  void documentHashDependsOnTheTextOnly() {
    Document a = new Document("x.txt", 0, List.of("a b", "c"));
    Document b = new Document("y.txt", 99, List.of("a b", "c"));
    Document c = new Document("x.txt", 0, List.of("a", "b c"));
    assertEquals(a.hash(), b.hash());
    assertTrue(a.hash() != c.hash());
  }
}
