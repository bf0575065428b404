package org.tinybert.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tinybert.testing.GoldenSet;

/** The tokenizer against the PyTorch reference's output (tokenizer_cases.json, inputs.json) of every golden set. */
class GoldenTokenizerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<GoldenSet, BertTokenizer> TOKENIZERS = new ConcurrentHashMap<>();

  /** The set's tokenizer (lower-casing, as every golden set is made). */
  static BertTokenizer tokenizer(GoldenSet set) {
    return TOKENIZERS.computeIfAbsent(set, s -> new BertTokenizer(vocab(resource(s, "vocab.txt")), true));
  }

  static String resource(GoldenSet set, String file) {
    return "/org/tinybert/" + set.name() + "/" + file;
  }

  static Vocab vocab(String resource) {
    try (InputStream in = GoldenTokenizerTest.class.getResourceAsStream(resource)) {
      if (in == null) throw new IllegalStateException("missing test resource " + resource);
      return Vocab.read(in, resource);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode json(String resource) {
    try (InputStream in = GoldenTokenizerTest.class.getResourceAsStream(resource)) {
      if (in == null) throw new IllegalStateException("missing test resource " + resource);
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
    return out;
  }

  /** Each case of every set as (set, printable name, case). */
  static Stream<Arguments> tokenizerCases() {
    List<Arguments> out = new ArrayList<>();
    for (GoldenSet set : GoldenSet.all()) {
      json(resource(set, "tokenizer_cases.json")).get("cases").forEach(c -> out.add(
          Arguments.of(set, escape(c.get("text").asText()), c)));
    }
    return out.stream();
  }

  static Stream<Arguments> inputExamples() {
    List<Arguments> out = new ArrayList<>();
    for (GoldenSet set : GoldenSet.all()) {
      JsonNode examples = json(resource(set, "inputs.json")).get("examples");
      for (int i = 0; i < examples.size(); i++) out.add(Arguments.of(set, i, examples.get(i)));
    }
    return out.stream();
  }

  /** Non-ASCII and control characters as \\uXXXX, so test names stay readable. */
  static String escape(String s) {
    StringBuilder b = new StringBuilder();
    s.chars().limit(60).forEach(c -> {
      if (c >= 0x20 && c < 0x7F) b.append((char) c);
      else b.append(String.format("\\u%04X", c));
    });
    return s.length() > 60 ? b + "..." : b.toString();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("org.tinybert.testing.GoldenSet#all")
  void fixtureSettingsAreTheOnesThisTokenizerImplements(GoldenSet set) {
    JsonNode settings = json(resource(set, "tokenizer_cases.json"));
    assertEquals(true, settings.get("do_lower_case").asBoolean());
    assertEquals(BertTokenizer.MAX_INPUT_CHARS_PER_WORD, settings.get("max_input_chars_per_word").asInt());
    assertEquals(List.of(Vocab.UNK, Vocab.SEP, Vocab.PAD, Vocab.CLS, Vocab.MASK), strings(settings.get("never_split")));
    assertEquals(80, settings.get("cases").size());
  }

  @ParameterizedTest(name = "[{index}] {0}: {1}")
  @MethodSource("tokenizerCases")
  void matchesReferenceTokenizer(GoldenSet set, String name, JsonNode c) {
    BertTokenizer tokenizer = tokenizer(set);
    String text = c.get("text").asText();
    assertEquals(strings(c.get("basic_tokens")), tokenizer.basicTokenize(text), "basic tokens");
    List<String> tokens = tokenizer.tokenize(text);
    assertEquals(strings(c.get("tokens")), tokens, "WordPieces");
    assertArrayEquals(ints(c.get("ids")), tokenizer.toIds(tokens), "ids");
  }

  @ParameterizedTest(name = "{0} example {1}")
  @MethodSource("inputExamples")
  void encodesReferenceInputs(GoldenSet set, int index, JsonNode e) {
    int maxSeqLength = json(resource(set, "inputs.json")).get("max_seq_length").asInt();
    String textB = e.get("text_b").isNull() ? null : e.get("text_b").asText();
    EncodedInput in = tokenizer(set).encode(e.get("text_a").asText(), textB, maxSeqLength);
    assertEquals(strings(e.get("tokens")), in.tokens(), "tokens");
    assertArrayEquals(ints(e.get("input_ids")), in.inputIds(), "input_ids");
    assertArrayEquals(ints(e.get("segment_ids")), in.segmentIds(), "segment_ids");
    assertArrayEquals(ints(e.get("input_mask")), in.inputMask(), "input_mask");
    assertEquals(e.get("seq_length").asInt(), in.seqLength(), "seq_length");
    assertEquals(maxSeqLength, in.maxSeqLength());
  }
}
