package org.tinybert.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tinybert.config.AugmentSettings;
import org.tinybert.config.EvaluateSettings;
import org.tinybert.config.FinetuneTeacherSettings;
import org.tinybert.config.InferSettings;
import org.tinybert.config.SettingsException;
import org.tinybert.config.SettingsLoader;
import org.tinybert.config.TaskDistillSettings;
import org.tinybert.glue.GlueTask;
import org.tinybert.glue.Split;
import org.tinybert.jobs.cli.Command;
import org.tinybert.jobs.cli.CommandLine;
import org.tinybert.jobs.cli.Io;
import org.tinybert.jobs.cli.ParsedArgs;
import org.tinybert.jobs.cli.UsageException;
import org.tinybert.run.RunFiles;
import org.tinybert.training.TaskDistillation;

/**
 * The Airflow DAG in {@code deploy/airflow/}, without Airflow: every task's spark-submit application arguments (as
 * {@code tinybert_dag_args.py} prints them) are accepted by the jobs' own parser and settings validation, the steps
 * are chained output to input as the jobs locate their inputs, and the DAG file's structure passes
 * {@code test_dag_structure.py} (run here so that {@code mvn test} covers it). Needs {@code python3}; skipped without.
 */
class AirflowDagTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Surefire runs in the jobs module; the repository is its parent. */
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final Path AIRFLOW = ROOT.resolve("deploy/airflow");
  private static final List<String> STEPS = List.of("augment", "intermediate", "prediction", "evaluate");

  private static JsonNode sample;
  private static JsonNode samplePlan;

  /** Bytes of a Spark memory size, read as Spark reads spark.executor.memoryOverhead (a plain number is MiB). */
  private static long bytes(String size) {
    return org.apache.spark.network.util.JavaUtils.byteStringAsMb(size) << 20;
  }

  /** One python3 run: exit code, standard output, standard error. */
  record Ran(int exit, String out, String err) {
    String describe() {
      return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
  }

  static Ran python(Path dir, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("python3", "-B"));
    command.addAll(Arrays.asList(args));
    Path err = Files.createTempFile(dir, "python", ".err");
    Process p = new ProcessBuilder(command).directory(ROOT.toFile()).redirectError(err.toFile()).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("python3 " + args[0] + " did not finish in 120 s");
    }
    return new Ran(p.exitValue(), out, Files.readString(err));
  }

  /** {@code tinybert_dag_args.py}'s plan for these settings. */
  static JsonNode plan(Path dir, JsonNode settings) throws Exception {
    Path file = dir.resolve("settings-" + System.nanoTime() + ".json");
    Files.writeString(file, JSON.writeValueAsString(settings));
    Ran r = python(dir, AIRFLOW.resolve("tinybert_dag_args.py").toString(), file.toString());
    assertEquals(0, r.exit(), r.describe());
    return JSON.readTree(r.out()).get("tasks");
  }

  @BeforeAll
  static void planSample(@TempDir Path tmp) throws Exception {
    boolean python;
    try {
      python = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start().waitFor() == 0;
    } catch (IOException e) {
      python = false;
    }
    Assumptions.assumeTrue(python, "python3 is not on the PATH: the Airflow DAG's tests need it (CI has it)");
    assertTrue(Files.isRegularFile(AIRFLOW.resolve("tinybert_dag_args.py")), "no deploy/airflow under " + ROOT);
    ObjectNode settings = (ObjectNode) JSON.readTree(AirflowDagTest.class.getResource("airflow-dag-settings.json"));
    settings.put("conf_root", ROOT.resolve("conf").toString());
    sample = settings;
    samplePlan = plan(tmp, settings);
  }

  static Stream<String> sampleTasks() {
    List<String> tasks = new ArrayList<>();
    sample.get("tasks").forEach(t -> tasks.add(t.asText()));
    return tasks.stream();
  }

  @Test
  void planHasTheConfiguredTasksInOrder() {
    List<String> planned = new ArrayList<>();
    samplePlan.fieldNames().forEachRemaining(planned::add);
    assertEquals(sampleTasks().toList(), planned);
    assertTrue(planned.containsAll(List.of("mnli", "sts-b", "sst-2")), planned.toString());
  }

  @ParameterizedTest
  @MethodSource("sampleTasks")
  void everyStepIsAcceptedByTheJobsAndChainedToTheNext(String task) throws Exception {
    checkTask(samplePlan.get(task), task, sample);
  }

  /** Task files: a group each, named after the file, every step with --task FILE, no augment step. */
  @Test
  void taskFilesRunTheChainWithTheFileAsTask(@TempDir Path tmp) throws Exception {
    ObjectNode settings = sample.deepCopy();
    settings.putArray("task_files").add(ROOT.resolve("conf/tasks/reviews.conf").toString())
        .add(ROOT.resolve("conf/tasks/pairs.conf").toString());
    settings.put("finetune_teacher", true);
    settings.put("infer", true);
    settings.put("bert_base", "/models/bert-base-uncased");
    settings.put("infer_root", "/tables");
    settings.put("infer_id_column", "id");
    JsonNode plan = plan(tmp, settings);
    List<String> planned = new ArrayList<>();
    plan.fieldNames().forEachRemaining(planned::add);
    List<String> expected = new ArrayList<>(sampleTasks().toList());
    expected.addAll(List.of("reviews", "pairs"));
    assertEquals(expected, planned);
    for (String name : List.of("reviews", "pairs")) {
      JsonNode all = plan.get(name);
      List<String> steps = new ArrayList<>();
      all.forEach(x -> steps.add(x.get("step").asText()));
      assertEquals(List.of("finetune-teacher", "intermediate", "prediction", "evaluate", "infer"), steps, name);
      String file = ROOT.resolve("conf/tasks/" + name + ".conf").toString();
      FinetuneTeacherSettings ft = validate(parse(all.get(0), "finetune-teacher"), FinetuneTeacherSettings::from);
      TaskDistillSettings intermediate = validate(parse(all.get(1), "task-distill"), TaskDistillSettings::from);
      TaskDistillSettings prediction = validate(parse(all.get(2), "task-distill"), TaskDistillSettings::from);
      EvaluateSettings evaluate = validate(parse(all.get(3), "evaluate"), EvaluateSettings::from);
      InferSettings in = validate(parse(all.get(4), "infer"), InferSettings::from);
      for (org.tinybert.glue.TaskDefinition t : List.of(ft.task(), intermediate.task(), prediction.task(),
          evaluate.run().task())) {
        assertEquals(name, t.taskName());
        assertEquals(file, ((org.tinybert.glue.TaskFile) t).source());
      }
      org.apache.hadoop.fs.Path teacher = new org.apache.hadoop.fs.Path(settings.get("teacher_root").asText(), name);
      assertEquals(teacher, ft.output());
      assertEquals(new org.apache.hadoop.fs.Path(teacher, RunFiles.BEST), prediction.teacher());
      assertEquals(new org.apache.hadoop.fs.Path(intermediate.output(), TaskDistillation.STUDENT),
          prediction.student());
      assertEquals(new org.apache.hadoop.fs.Path(prediction.output(), TaskDistillation.INTERMEDIATE),
          intermediate.output());
      assertEquals(new org.apache.hadoop.fs.Path(prediction.output(), RunFiles.BEST), evaluate.run().model());
      assertEquals(evaluate.run().model(), in.model());
      assertEquals(new org.apache.hadoop.fs.Path("/tables", name), in.input());
      assertEquals("id", in.idColumn());
    }
  }

  /** Without a task list the DAG distils every task that has the paper's settings in conf/task-distill/. */
  @Test
  void defaultTasksAreThoseWithPaperSettings(@TempDir Path tmp) throws Exception {
    ObjectNode settings = sample.deepCopy();
    settings.remove("tasks");
    JsonNode all = plan(tmp, settings);
    TreeSet<String> confs = new TreeSet<>();
    try (Stream<Path> files = Files.list(ROOT.resolve("conf/task-distill"))) {
      files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".conf"))
          .forEach(n -> confs.add(n.substring(0, n.length() - ".conf".length())));
    }
    TreeSet<String> planned = new TreeSet<>();
    all.fieldNames().forEachRemaining(planned::add);
    assertEquals(confs, planned);
    for (String task : planned) checkTask(all.get(task), task, settings);
  }

  /**
   * With the optional steps on, finetune-teacher first fine-tunes the task's teacher where task distillation reads
   * it, and infer last scores the task's table with the student evaluate scored.
   */
  @ParameterizedTest
  @MethodSource("sampleTasks")
  void theOptionalStepsAreAcceptedAndChainedToTheRest(String task, @TempDir Path tmp) throws Exception {
    ObjectNode settings = sample.deepCopy();
    settings.put("finetune_teacher", true);
    settings.put("infer", "true");
    settings.put("bert_base", "hdfs://nn:8020/models/bert-base-uncased");
    settings.put("infer_root", "hdfs://nn:8020/tables/");
    settings.put("infer_id_column", "row_id");
    checkTask(plan(tmp, settings).get(task), task, settings);
  }

  @Test
  void badSettingsAreRefusedNamingTheSetting(@TempDir Path tmp) throws Exception {
    ObjectNode settings = sample.deepCopy();
    settings.putArray("tasks").add("mnli").add("wnli");
    Path file = tmp.resolve("bad.json");
    Files.writeString(file, JSON.writeValueAsString(settings));
    Ran r = python(tmp, AIRFLOW.resolve("tinybert_dag_args.py").toString(), file.toString());
    assertEquals(2, r.exit(), r.describe());
    assertTrue(r.err().contains("tasks: wnli not among the tasks with paper settings"), r.describe());
  }

  /**
   * The Spark properties follow deploy/spark/submit.sh: its Java 17 openings, ND4J's passive threads, no limit on the
   * rounds' results.
   */
  @Test
  void sparkSettingsMatchTheSubmitScript() throws Exception {
    String script = Files.readString(ROOT.resolve("deploy/spark/submit.sh"));
    Matcher m = Pattern.compile("(?m)^opens=\"([^\"]+)\"").matcher(script);
    assertTrue(m.find(), "no opens=\"...\" line in deploy/spark/submit.sh");
    List<String> opens = List.of(m.group(1).split("\\s+"));
    assertTrue(opens.contains("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"), opens.toString());
    for (String task : sampleTasks().toList()) {
      for (JsonNode step : samplePlan.get(task)) {
        JsonNode conf = step.get("conf");
        String where = task + "." + step.get("step").asText();
        for (String side : List.of("driver", "executor")) {
          List<String> options = List.of(conf.get("spark." + side + ".extraJavaOptions").asText().split(" "));
          assertTrue(options.containsAll(opens), where + " " + side + " options lack some of " + opens);
          assertTrue(options.contains("-Dorg.bytedeco.javacpp.maxbytes="
              + bytes(conf.get("spark.executor.memoryOverhead").asText())), where + ": " + options);
        }
        assertEquals("PASSIVE", conf.get("spark.executorEnv.OMP_WAIT_POLICY").asText(), where);
        assertTrue(script.contains("--conf spark.driver.maxResultSize=0"), "submit.sh sets no maxResultSize=0");
        assertEquals("0", conf.path("spark.driver.maxResultSize").asText(), where);
        assertEquals("PASSIVE", step.get("env_vars").get("OMP_WAIT_POLICY").asText(), where);
        assertEquals(conf.get("spark.executor.cores").asText(), conf.get("spark.task.cpus").asText(), where);
        assertEquals("8", conf.get("spark.executor.instances").asText(), where);
        assertEquals("spark_yarn", step.get("conn_id").asText(), where);
        assertEquals(Main.class.getName(), step.get("java_class").asText(), where);
        assertEquals(sample.get("app_jar").asText(), step.get("application").asText(), where);
      }
    }
  }

  /** The DAG file's own test, with stand-ins for Airflow; its output is the failure message. */
  @Test
  void dagStructureTestPasses(@TempDir Path tmp) throws Exception {
    Ran r = python(tmp, AIRFLOW.resolve("test_dag_structure.py").toString());
    assertEquals(0, r.exit(), r.describe());
    assertTrue(r.err().contains("OK"), r.describe());
  }

  private static void checkTask(JsonNode all, String task, JsonNode settings) throws Exception {
    List<String> names = new ArrayList<>();
    all.forEach(s -> names.add(s.get("step").asText()));
    boolean finetune = settings.path("finetune_teacher").asBoolean(false);
    boolean infer = settings.path("infer").asBoolean(false);
    List<String> expected = new ArrayList<>(STEPS);
    if (finetune) expected.add(0, "finetune-teacher");
    if (infer) expected.add("infer");
    assertEquals(expected, names, task + ": steps");
    List<JsonNode> steps = new ArrayList<>();
    all.forEach(steps::add);
    if (finetune) steps.remove(0);

    GlueTask glue = GlueTask.byName(task);
    org.apache.hadoop.fs.Path taskDir = glue.taskDir(new org.apache.hadoop.fs.Path(settings.get("glue_root").asText()));
    org.apache.hadoop.fs.Path teacher = new org.apache.hadoop.fs.Path(settings.get("teacher_root").asText(), task);
    if (finetune) {
      // The task's teacher directory is finetune-teacher's output; distillation reads its best dev checkpoint.
      FinetuneTeacherSettings ft = validate(parse(all.get(0), "finetune-teacher"), FinetuneTeacherSettings::from);
      assertEquals(glue, ft.task());
      assertEquals(taskDir, ft.taskDir());
      assertEquals(new org.apache.hadoop.fs.Path(settings.get("bert_base").asText()), ft.model());
      assertEquals(teacher, ft.output());
      teacher = new org.apache.hadoop.fs.Path(ft.output(), RunFiles.BEST);
    }

    AugmentSettings augment = validate(parse(steps.get(0), "augment"), AugmentSettings::from);
    ParsedArgs intermediateArgs = parse(steps.get(1), "task-distill");
    TaskDistillSettings intermediate = validate(intermediateArgs, TaskDistillSettings::from);
    ParsedArgs predictionArgs = parse(steps.get(2), "task-distill");
    TaskDistillSettings prediction = validate(predictionArgs, TaskDistillSettings::from);
    EvaluateSettings evaluate = validate(parse(steps.get(3), "evaluate"), EvaluateSettings::from);

    // augment: the task's train.tsv to the train_aug.tsv that task-distill looks for in the task directory.
    assertEquals(glue, augment.task());
    assertEquals(new org.apache.hadoop.fs.Path(taskDir, glue.fileName(Split.TRAIN)), augment.input());
    assertEquals(new org.apache.hadoop.fs.Path(taskDir, glue.fileName(Split.TRAIN_AUG)), augment.output());
    assertTrue(augment.taskVariants(), task + ": augment should draw TinyBERT's N for the task");

    // task-distill: both stages on the task's paper settings, reading the augmented set, in the layout of stage both.
    for (ParsedArgs a : List.of(intermediateArgs, predictionArgs)) {
      Optional<String> conf = a.configFile();
      assertEquals(Optional.of(ROOT.resolve("conf/task-distill/" + task + ".conf").toString()), conf, task);
      Config alone = SettingsLoader.loadWith(TaskDistillSettings.ROOT, conf, List.of());
      assertEquals(task, alone.getString(TaskDistillSettings.ROOT + ".task"), conf + " is another task's");
    }
    for (TaskDistillSettings s : List.of(intermediate, prediction)) {
      assertEquals(glue, s.task());
      assertEquals(augment.output().getParent(), s.taskDir(), task + ": task-distill must read augment's output");
      assertTrue(s.augmented(), task + ": use-augmented");
      assertEquals(teacher, s.teacher());
    }
    assertTrue(intermediate.runsIntermediate() && !intermediate.runsPrediction(), intermediate.stage().key());
    assertTrue(prediction.runsPrediction() && !prediction.runsIntermediate(), prediction.stage().key());
    assertEquals(new org.apache.hadoop.fs.Path(settings.get("general_student").asText()), intermediate.student());
    assertEquals(new org.apache.hadoop.fs.Path(intermediate.output(), TaskDistillation.STUDENT), prediction.student(),
        task + ": prediction must start from the intermediate stage's student");
    assertEquals(new org.apache.hadoop.fs.Path(prediction.output(), TaskDistillation.INTERMEDIATE),
        intermediate.output(), task + ": the layout of --stage both");
    assertEquals(new org.apache.hadoop.fs.Path(settings.get("output_root").asText(), task), prediction.output());

    // evaluate: the prediction stage's best student, on the same sequence length and casing.
    assertEquals(new org.apache.hadoop.fs.Path(prediction.output(), RunFiles.BEST), evaluate.run().model(),
        task + ": evaluate must score the prediction stage's best student");
    assertEquals(glue, evaluate.run().task());
    assertEquals(taskDir, evaluate.run().taskDir());
    assertEquals(prediction.seqLength(), evaluate.run().maxSeqLength(glue), task + ": max-seq-length");
    assertEquals(prediction.cased(), evaluate.run().cased(), task + ": cased");
    assertEquals(Optional.of(new org.apache.hadoop.fs.Path(prediction.output(), "eval.json")), evaluate.outputPath());
    assertFalse(all.findValues("group_id").stream().anyMatch(g -> !g.asText().equals(task)), task + ": group");

    if (infer) {
      // infer: the student evaluate scored, over the task's table, with the task's labels and sequence length.
      InferSettings in = validate(parse(steps.get(4), "infer"), InferSettings::from);
      assertEquals(evaluate.run().model(), in.model(), task + ": infer must score the student evaluate scored");
      assertEquals(new org.apache.hadoop.fs.Path(settings.get("infer_root").asText(), task), in.input());
      assertEquals(new org.apache.hadoop.fs.Path(prediction.output(), "scored"), in.output());
      assertEquals(glue, in.task());
      assertEquals(evaluate.run().maxSeqLength(glue), in.effectiveMaxSeqLength(512), task + ": max-seq-length");
      assertEquals(evaluate.run().cased(), in.cased(), task + ": cased");
      assertEquals(evaluate.run().head(), in.head(), task + ": head");
      assertEquals(glue.isPairTask(), in.pairs(), task + ": a pair task's table has a second text");
      assertEquals(settings.path("infer_id_column").asText(""), in.idColumn());
    }
  }

  /** One step's application arguments through Main's command table and {@link CommandLine#parse}. */
  private static ParsedArgs parse(JsonNode step, String expectedCommand) {
    List<String> args = new ArrayList<>();
    step.get("application_args").forEach(a -> args.add(a.asText()));
    assertEquals(expectedCommand, args.get(0), "command of " + args);
    Command command = Main.commands().find(args.get(0)).orElseThrow(() -> new AssertionError("no command " + args));
    Io io = new Io(new ByteArrayInputStream(new byte[0]), new PrintStream(new ByteArrayOutputStream(), true,
        StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    try {
      ParsedArgs parsed = CommandLine.parse(command, args.subList(1, args.size()), io);
      assertFalse(parsed.help());
      return parsed;
    } catch (UsageException e) {
      throw new AssertionError("tinybert refuses " + args + ": " + e.getMessage(), e);
    }
  }

  /**
   * The command's settings record from a parsed command line, as the command builds it before running; none of the
   * records needs its files to exist.
   */
  private static <T> T validate(ParsedArgs parsed, Function<Config, T> from) {
    try {
      return from.apply(parsed.settings());
    } catch (SettingsException e) {
      throw new AssertionError("tinybert " + parsed.command().name() + " refuses the settings " + parsed.assignments()
          + " with --config " + parsed.configFile().orElse("(none)") + ": " + e.getMessage(), e);
    }
  }
}
