package org.tinybert.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tinybert.jobs.cli.ExitCodes;
import org.tinybert.jobs.cli.Io;

/** {@code tinybert tokenize} against the golden tokenizer cases and packed examples. */
class TokenizeCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  static Path golden(String name) throws Exception {
    return Path.of(TokenizeCommandTest.class.getResource("/org/tinybert/golden/" + name).toURI());
  }

  record Run(int exit, List<JsonNode> lines, String err) {}

  static Run tokenize(String stdin, String... args) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Io io = new Io(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    List<String> argv = new ArrayList<>(List.of("tokenize", "--vocab", golden("vocab.txt").toString()));
    argv.addAll(List.of(args));
    int exit = Main.run(Main.commands(), argv, io);
    List<JsonNode> lines = new ArrayList<>();
    for (String l : out.toString(StandardCharsets.UTF_8).split("\n")) if (!l.isEmpty()) lines.add(JSON.readTree(l));
    return new Run(exit, lines, err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void wordPiecesEqualTheGoldenCases() throws Exception {
    JsonNode cases = JSON.readTree(golden("tokenizer_cases.json").toFile()).get("cases");
    List<JsonNode> usable = new ArrayList<>();
    StringBuilder in = new StringBuilder();
    for (JsonNode c : cases) {
      String text = c.get("text").asText();
      // One case per line: strings with line breaks or tabs would be split by the line format itself.
      if (text.matches("(?s).*[\\n\\r\\t\\u000b\\u000c\\u001c-\\u001e\\u0085\\u2028\\u2029].*")) continue;
      usable.add(c);
      in.append(text).append('\n');
    }
    Run r = tokenize(in.toString());
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
    StringBuilder lines = new StringBuilder();
    for (JsonNode e : in.get("examples")) {
      lines.append(e.get("text_a").asText());
      if (!e.get("text_b").isNull()) lines.append('\t').append(e.get("text_b").asText());
      lines.append('\n');
    }
    Run r = tokenize(lines.toString(), "--max-seq-length", in.get("max_seq_length").asText());
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
}
