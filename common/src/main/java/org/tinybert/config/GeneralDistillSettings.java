package org.tinybert.config;

import com.typesafe.config.Config;
import java.io.Serializable;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.tinybert.settings.BadRows;
import org.tinybert.settings.Key;
import org.tinybert.settings.Section;

/**
 * Settings of {@code tinybert general-distill} (section {@link #SECTION}; every key is documented in
 * {@code reference.conf}, whose defaults run the bundled sample; {@code conf/general-distill.conf} is the paper's).
 *
 * <p>{@code skipInvalidUtf8} is {@link #BAD_ROWS} = skip; the component keeps its old name because manifests written
 * so far record it under that name.
 */
public record GeneralDistillSettings(List<String> corpus, Path teacher, StudentSettings student, Path output,
    int maxSeqLength, double shortSeqProb, Boolean cased, boolean rebuildInstances, boolean skipInvalidUtf8,
    double attentionWeight, double embeddingWeight, double hiddenWeight, LayerMappingSetting layerMapping, int probeExamples,
    TrainingSettings training) implements Serializable {
  /** Where this job's keys live. */
  public static final Section SECTION = Section.of("general-distill");
  /** Read again where the model's tokenizer files are consulted: its name is in their messages. */
  public static final Key CASED = SECTION.key("cased");
  /** Named by the check of the student's layers against the teacher. */
  public static final Key STUDENT = SECTION.key("student");
  /** What a corpus line that is not valid UTF-8 does: fail or skip ({@link BadRows}). */
  public static final Key BAD_ROWS = SECTION.key("bad-rows");
  /** The old, boolean name of {@link #BAD_ROWS}: true is skip, false is fail. */
  public static final RenamedKey SKIP_INVALID_UTF8 = new RenamedKey(SECTION.key("skip-invalid-utf8"), BAD_ROWS);
  /** {@link #SECTION}'s full path, as {@link SettingsLoader} takes it. */
  public static final String ROOT = SECTION.full();

  public static GeneralDistillSettings from(Config config) {
    Validator v = new Validator(config, SECTION);
    List<String> corpus = v.stringList("corpus");
    v.require(!v.ok("corpus") || !corpus.isEmpty(), "corpus", "must name at least one file or directory");
    Path teacher = v.path("teacher");
    StudentSettings student = StudentSettings.read(v);
    Path output = v.path("output");
    int maxSeqLength = v.intIn("max-seq-length", 3, 4096);
    double shortSeqProb = v.doubleIn("short-seq-prob", 0.0, 1.0);
    Boolean cased = v.optionalBool("cased");
    boolean rebuild = v.bool("rebuild-instances");
    boolean skipInvalid = v.renamed(SKIP_INVALID_UTF8, k -> v.choice(k, BadRows.FAIL_OR_SKIP),
        k -> v.bool(k) ? BadRows.SKIP : BadRows.FAIL) == BadRows.SKIP;
    double att = v.doubleIn("attention-weight", 0.0, 1e6);
    double emb = v.doubleIn("embedding-weight", 0.0, 1e6);
    double hid = v.doubleIn("hidden-weight", 0.0, 1e6);
    v.require(att + emb + hid > 0 || !v.ok("attention-weight"), "attention-weight",
        "attention-, embedding- and hidden-weight cannot all be 0 (nothing would be distilled)");
    LayerMappingSetting mapping = LayerMappingSetting.read(v, "layer-mapping");
    int probe = v.intAtLeast("probe-examples", 0);
    TrainingSettings training = TrainingSettings.read(v, v.engine(), v.holdStaleAfter());
    v.finish();
    return new GeneralDistillSettings(corpus, teacher, student, output, maxSeqLength, shortSeqProb, cased, rebuild,
        skipInvalid, att, emb, hid, mapping, probe, training);
  }
}
