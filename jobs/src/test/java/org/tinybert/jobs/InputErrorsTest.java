package org.tinybert.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tinybert.jobs.cli.ExitCodes;
import org.tinybert.testing.Golden;

/**
 * A problem with the user's input (a missing file, too few examples, a sequence length over the model's positions, a
 * model that does not fit the task) is reported by every command as one line, without a stack trace; the command
 * exits with 1.
 */
class InputErrorsTest {
  @TempDir static Path tmp;
  static Path tinyTask;
  static Path emptyTask;
  static String teacher;
  static String student;

  @BeforeAll
  static void inputs() throws IOException {
    System.setProperty("spark.master", "local[2]");
    System.setProperty("spark.ui.enabled", "false");
    teacher = Golden.dir().resolve("teacher").toString();
    student = Golden.dir().resolve("student").toString();
    tinyTask = SyntheticSst2.write(tmp.resolve("SST-2"), 3, 4, 1);
    // No training example: not one minibatch.
    emptyTask = SyntheticSst2.write(tmp.resolve("empty").resolve("SST-2"), 0, 4, 1);
    // A task file whose CSV training table has a row without its text.
    Path badTask = Files.createDirectories(tmp.resolve("bad-task"));
    Files.writeString(badTask.resolve("train.csv"), "text,label\ngood film,pos\n,neg\n");
    Files.writeString(badTask.resolve("task.conf"), "train = train.csv\ntext = text\nlabel = label\n"
        + "kind = classification\n");
    Files.writeString(badTask.resolve("glove.txt"), "film 0.1 0.2\n");
  }

  @AfterAll
  static void clear() {
    System.clearProperty("spark.master");
    System.clearProperty("spark.ui.enabled");
  }

  static Stream<Arguments> badInputs() {
    String none = tmp.resolve("no-such").toString();
    String sample = Path.of(System.getProperty("tinybert.root", "..")).resolve("deploy/sample").toAbsolutePath().toString();
    return Stream.of(
        Arguments.of(List.of("tokenize", "--vocab", none), "no-such"),
        Arguments.of(List.of("forward", "--model", none, "--input", none, "--output", tmp.resolve("f").toString()),
            "not a model directory"),
        Arguments.of(List.of("distill-loss", "--teacher", teacher, "--student", student, "--input", none,
            "--output", tmp.resolve("dl.json").toString()), "no-such"),
        Arguments.of(List.of("general-distill", "--teacher", none, "--output", tmp.resolve("gd1").toString()),
            "not a model directory"),
        Arguments.of(List.of("general-distill", "--max-seq-length", "100", "--teacher", sample + "/teacher",
            "--output", tmp.resolve("gd2").toString()), "max-seq-length 100 exceeds max_position_embeddings 64"),
        Arguments.of(List.of("augment", "--task", "sst-2", "--input", tinyTask.resolve("train.tsv").toString(),
            "--glove", none, "--mlm", teacher, "--output", tmp.resolve("aug.tsv").toString()), "no-such"),
        Arguments.of(List.of("augment", "--task", tmp.resolve("bad-task/task.conf").toString(), "--glove",
            tmp.resolve("bad-task/glove.txt").toString(),
            "--mlm", teacher, "--output", tmp.resolve("bad-task/aug.csv").toString()),
            "bad-task/train.csv:3: empty text in column 'text'"),
        Arguments.of(List.of("finetune-teacher", "--model", teacher, "--task", "sst-2", "--task-dir",
            emptyTask.toString(), "--output", tmp.resolve("ft").toString(), "--set",
            "tinybert.finetune-teacher.new-classifier=true"), "train.tsv: no examples of sst-2"),
        Arguments.of(List.of("task-distill", "--task", "sst-2", "--task-dir", tinyTask.toString(), "--teacher", teacher,
            "--student", student, "--output", tmp.resolve("td").toString()), "must be fine-tuned on sst-2"),
        Arguments.of(List.of("evaluate", "--model", teacher, "--task", "mnli", "--task-dir", none),
            "task directory " + none + " of mnli does not exist"),
        Arguments.of(List.of("predict", "--model", teacher, "--task", "sst-2", "--task-dir", tinyTask.toString(),
            "--output", tmp.resolve("p").toString()), "no test file of GLUE task sst-2 found"),
        Arguments.of(List.of("metrics", "--task", "sst-2", "--predictions", none, "--gold",
            tinyTask.resolve("dev.tsv").toString()), "no-such"),
        Arguments.of(List.of("report", "--run", none), "no-such"),
        Arguments.of(List.of("infer", "--model", student, "--input", none, "--output", tmp.resolve("i").toString()),
            "no-such"));
  }

  @ParameterizedTest(name = "tinybert {0}")
  @MethodSource("badInputs")
  void aBadInputIsOneLineWithoutATrace(List<String> args, String expected) {
    MainTest.Run r = MainTest.tinybert(args.toArray(String[]::new));
    assertEquals(ExitCodes.FAILURE, r.exit(), r.err());
    List<String> lines = r.err().lines().toList();
    assertEquals(1, lines.size(), r.err());
    assertTrue(lines.get(0).startsWith("tinybert " + args.get(0) + ": "), r.err());
    assertFalse(lines.get(0).contains("failed:") || lines.get(0).contains("Exception"), r.err());
    assertTrue(lines.get(0).contains(expected), r.err());
  }

  /** The whole stderr of a real process, logging included: the one line and no trace. */
  @Test
  void theProcessPrintsNoTraceEither() throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "org.tinybert.jobs.Main", "forward", "--model",
        tmp.resolve("no-such").toString(), "--input", "x", "--output", tmp.resolve("f2").toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(ExitCodes.FAILURE, p.exitValue(), out);
    assertFalse(out.contains("\tat "), out);
    assertTrue(out.lines().anyMatch(l -> l.startsWith("tinybert forward: ") && l.contains("not a model directory")),
        out);
    assertFalse(Files.exists(tmp.resolve("f2")), "nothing written");
  }
}
