package org.tinybert.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.config.DistillLossSettings;
import org.tinybert.distill.DistillationReport;
import org.tinybert.distill.LayerMapping;
import org.tinybert.io.HadoopIO;
import org.tinybert.io.InputException;
import org.tinybert.io.Utf8LineReader;
import org.tinybert.jobs.cli.Command;
import org.tinybert.jobs.cli.ExitCodes;
import org.tinybert.jobs.cli.Option;
import org.tinybert.jobs.cli.ParsedArgs;
import org.tinybert.model.BatchInput;
import org.tinybert.model.BertModel;
import org.tinybert.model.ParamLayout;
import org.tinybert.model.checkpoint.HfCheckpoint;
import org.tinybert.model.checkpoint.HfNames;
import org.tinybert.model.checkpoint.SafeTensors;
import org.tinybert.model.checkpoint.TokenizerFiles;
import org.tinybert.model.core.Engine;
import org.tinybert.text.BertTokenizer;
import org.tinybert.text.Vocab;

/**
 * {@code tinybert distill-loss}: TinyBERT's losses between a teacher and a student on one batch of examples, under the
 * golden {@code losses.json}'s names ({@link DistillationReport}), and optionally the student's gradients.
 */
public final class DistillLossCommand implements Command {
  private static final Logger LOG = LoggerFactory.getLogger(DistillLossCommand.class);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Override
  public String name() {
    return "distill-loss";
  }

  @Override
  public String summary() {
    return "TinyBERT's losses between a teacher and a student on examples, as JSON, and the student's gradients.";
  }

  @Override
  public String settingsRoot() {
    return DistillLossSettings.ROOT;
  }

  @Override
  public List<Option> options() {
    return Option.settings(DistillLossSettings.SECTION, "teacher DIR", "student DIR", "input PATH", "output FILE",
        "max-seq-length N", "cased", "temperature T", "layer-mapping MAP", "regression-labels FILE", "gradients FILE");
  }

  @Override
  public int run(ParsedArgs args) throws Exception {
    DistillLossSettings settings = DistillLossSettings.from(args.settings());
    LOG.info("distill-loss: {}", settings);
    LOG.info("engine: {}", settings.engine().describe());
    return execute(settings, args);
  }

  int execute(DistillLossSettings s, ParsedArgs args) throws Exception {
    Configuration conf = HadoopIO.defaultConf();
    HfCheckpoint teacherCk = HfCheckpoint.load(s.teacher(), conf);
    HfCheckpoint studentCk = HfCheckpoint.load(s.student(), conf);
    Engine engine = s.engine().resolve();
    BertModel teacher = new BertModel(teacherCk.config(), teacherCk.weights(), engine);
    BertModel student = new BertModel(studentCk.config(), studentCk.weights(), engine);
    // The student speaks the teacher's vocabulary (TinyBERT's students are built on it), so the teacher's tokenizes.
    BatchInput input = BatchInput.read(s.input(), conf,
        () -> new BertTokenizer(Vocab.ofModel(s.teacher(), conf),
            TokenizerFiles.lowerCaseForCased(s.cased(), DistillLossSettings.CASED.full(), s.teacher(), conf)),
        s.maxSeqLength());
    input.checkFits(teacherCk.config(), "teacher " + s.teacher());
    input.checkFits(studentCk.config(), "student " + s.student());
    float[] labels = s.regressionLabels().isPresent() ? readLabels(s.regressionLabels().get(), conf) : null;
    if (labels != null && labels.length != input.batch().batchSize()) {
      throw new InputException(s.regressionLabels().get() + ": " + labels.length + " labels for the "
          + input.batch().batchSize() + " examples of " + s.input() + "; one per example is needed");
    }
    LayerMapping mapping = LayerMapping.of(s.layerMapping(), teacherCk.config().numHiddenLayers(),
        studentCk.config().numHiddenLayers());
    ParamLayout layout = new ParamLayout(HfNames.expectedShapes(studentCk.config(), studentCk.heads()));

    DistillationReport report = DistillationReport.compute(teacher, student, layout, input.batch(), mapping,
        s.temperature(), labels, s.gradients().isPresent());
    Map<String, Object> json = report.toJson();
    HadoopIO.writeAtomically(s.output(), conf, JSON.writeValueAsBytes(json));
    if (s.gradients().isPresent()) {
      Map<String, INDArray> grads = report.gradients();
      SafeTensors.write(grads, s.gradients().get(), conf);
    }
    args.io().out().println("distill-loss: " + input.batch().batchSize() + " examples, " + mapping + ": att "
        + json.get("att_loss") + ", rep " + json.get("rep_loss") + ", pred " + json.getOrDefault("pred_loss", "-")
        + "; losses written to " + s.output() + s.gradients().map(g -> ", gradients to " + g).orElse(""));
    args.io().out().flush();
    return ExitCodes.OK;
  }

  /** One finite number per line, every line; errors name the file and line. */
  static float[] readLabels(Path file, Configuration conf) throws IOException {
    List<Float> out = new ArrayList<>();
    try (InputStream in = HadoopIO.open(file, conf); Utf8LineReader lines = new Utf8LineReader(in)) {
      Utf8LineReader.Line line;
      while ((line = lines.next()) != null) {
        String where = file + ": line " + line.number() + ": ";
        if (!line.valid()) throw new InputException(where + line.encodingError());
        String text = line.text().strip();
        float v;
        try {
          v = Float.parseFloat(text);
        } catch (NumberFormatException e) {
          throw new InputException(where + "expected one number, found \"" + line.text() + "\"", e);
        }
        if (!Float.isFinite(v)) throw new InputException(where + "expected a finite number, found " + text);
        out.add(v);
      }
    }
    float[] a = new float[out.size()];
    for (int i = 0; i < a.length; i++) a[i] = out.get(i);
    return a;
  }
}
