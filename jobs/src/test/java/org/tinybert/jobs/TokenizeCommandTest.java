package org.tinybert.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.tinybert.jobs.cli.ExitCodes;
import org.tinybert.jobs.cli.Io;

/** {@code tinybert tokenize} against the golden tokenizer cases and packed examples. */
class TokenizeCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  static Path golden(String name) throws Exception {
    return Path.of(TokenizeCommandTest.class.getResource("/org/tinybert/golden/" + name).toURI());
  }

  /** transformers 5's tokenizer files for the golden vocab.txt ({@code uncased/} or {@code cased/}). */
  static Path transformers5(String name) throws Exception {
    return Path.of(TokenizeCommandTest.class.getResource("/org/tinybert/text/transformers5/" + name).toURI());
  }

  record Run(int exit, List<JsonNode> lines, String err) {}

  static Run tokenize(String stdin, String... args) throws Exception {
    return tokenize(golden("vocab.txt"), stdin, args);
  }

  static Run tokenize(Path vocab, String stdin, String... args) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Io io = new Io(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    List<String> argv = new ArrayList<>(List.of("tokenize", "--vocab", vocab.toString()));
    argv.addAll(List.of(args));
    int exit = Main.run(Main.commands(), argv, io);
    List<JsonNode> lines = new ArrayList<>();
    for (String l : out.toString(StandardCharsets.UTF_8).split("\n")) if (!l.isEmpty()) lines.add(JSON.readTree(l));
    return new Run(exit, lines, err.toString(StandardCharsets.UTF_8));
  }

  /** The golden tokenizer cases that fit on one line of input. */
  static List<JsonNode> oneLineCases() throws Exception {
    List<JsonNode> usable = new ArrayList<>();
    for (JsonNode c : JSON.readTree(golden("tokenizer_cases.json").toFile()).get("cases")) {
      // One case per line: strings with line breaks or tabs would be split by the line format itself.
      if (!c.get("text").asText().matches("(?s).*[\\n\\r\\t\\u000b\\u000c\\u001c-\\u001e\\u0085\\u2028\\u2029].*")) {
        usable.add(c);
      }
    }
    return usable;
  }

  static String lines(List<JsonNode> cases) {
    StringBuilder in = new StringBuilder();
    for (JsonNode c : cases) in.append(c.get("text").asText()).append('\n');
    return in.toString();
  }

  /** The golden inputs' examples as tokenize reads them: one per line, a pair's texts tab-separated. */
  static String pairLines(JsonNode inputs) {
    StringBuilder lines = new StringBuilder();
    for (JsonNode e : inputs.get("examples")) {
      lines.append(e.get("text_a").asText());
      if (!e.get("text_b").isNull()) lines.append('\t').append(e.get("text_b").asText());
      lines.append('\n');
    }
    return lines.toString();
  }

  @Test
  void wordPiecesEqualTheGoldenCases() throws Exception {
    List<JsonNode> usable = oneLineCases();
    Run r = tokenize(lines(usable));
    assertEquals(ExitCodes.OK, r.exit(), r.err());
    assertEquals(usable.size(), r.lines().size());
    assertTrue(usable.size() > 60, "most golden cases fit on one line: " + usable.size());
    for (int i = 0; i < usable.size(); i++) {
      assertEquals(usable.get(i).get("tokens"), r.lines().get(i).get("tokens"), usable.get(i).get("text").asText());
      assertEquals(usable.get(i).get("ids"), r.lines().get(i).get("input_ids"), usable.get(i).get("text").asText());
    }
  }

  @Test
  void packedSequencesEqualTheGoldenInputs() throws Exception {
    JsonNode in = JSON.readTree(golden("inputs.json").toFile());
    String lines = pairLines(in);
    Run r = tokenize(lines, "--max-seq-length", in.get("max_seq_length").asText());
    assertEquals(ExitCodes.OK, r.exit(), r.err());
    for (int i = 0; i < in.get("examples").size(); i++) {
      JsonNode e = in.get("examples").get(i);
      for (String f : List.of("tokens", "input_ids", "segment_ids", "input_mask")) {
        assertEquals(e.get(f), r.lines().get(i).get(f), "example " + i + " " + f);
      }
    }
  }

  @Test
  void tooManyFieldsNamesTheLine() throws Exception {
    Run r = tokenize("fine\none\ttwo\tthree\n");
    assertEquals(ExitCodes.FAILURE, r.exit());
    assertTrue(r.err().contains("standard input: line 2"), r.err());
  }

  /**
   * transformers 5 saves only tokenizer.json: read as a file or as its model directory, it tokenizes exactly as the
   * vocab.txt it was made from, its casing taken from the files.
   */
  @ParameterizedTest(name = "{0} = vocab.txt {1}")
  @CsvSource({"uncased/tokenizer.json, ''", "uncased, ''", "cased/tokenizer.json, --cased", "cased, --cased"})
  void tokenizerJsonTokenizesAsItsVocabTxt(String files, String casedFlag) throws Exception {
    String in = lines(oneLineCases());
    String[] flag = casedFlag.isEmpty() ? new String[0] : new String[] {casedFlag};
    Run expected = tokenize(in, flag);
    Run r = tokenize(transformers5(files), in);
    assertEquals(ExitCodes.OK, r.exit(), r.err());
    assertEquals(expected.lines(), r.lines());
    // The casing matters for these cases, so following the files is what made them equal.
    Run otherCase = tokenize(in, casedFlag.isEmpty() ? new String[] {"--cased"} : new String[0]);
    assertNotEquals(otherCase.lines(), r.lines());
  }

  @Test
  void tokenizerJsonPacksAsItsVocabTxt() throws Exception {
    JsonNode in = JSON.readTree(golden("inputs.json").toFile());
    String lines = pairLines(in);
    String length = in.get("max_seq_length").asText();
    Run r = tokenize(transformers5("uncased/tokenizer.json"), lines, "--max-seq-length", length);
    assertEquals(ExitCodes.OK, r.exit(), r.err());
    assertEquals(tokenize(lines, "--max-seq-length", length).lines(), r.lines());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"cased/tokenizer.json", "cased"})
  void aCasingAgainstTheTokenizerFilesIsRefused(String files) throws Exception {
    Run r = tokenize(transformers5(files), "Hello\n", "--cased=false");
    assertEquals(ExitCodes.FAILURE, r.exit());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().contains("tinybert.tokenize.cased = false does not match"), r.err());
    assertTrue(r.err().contains("(the model was trained cased)"), r.err());
  }

  @Test
  void aFileThatIsNeitherIsOneLine(@TempDir Path tmp) throws Exception {
    Path notes = Files.writeString(tmp.resolve("notes.txt"), "hello\nworld\n");
    Run r = tokenize(notes, "Hello\n");
    assertEquals(ExitCodes.FAILURE, r.exit());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().contains(notes + " is neither a vocab.txt nor a tokenizer.json"), r.err());
  }
}
