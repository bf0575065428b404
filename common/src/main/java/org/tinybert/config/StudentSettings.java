package org.tinybert.config;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.Serializable;
import java.util.Optional;
import org.apache.hadoop.fs.Path;
import org.tinybert.model.checkpoint.Heads;
import org.tinybert.model.core.BertConfig;
import org.tinybert.settings.Choice;

/**
 * The student: a Hugging Face directory to start from, a fresh one of the given architecture over the teacher's
 * vocabulary, or one cut from the teacher ({@link TeacherLayersSetting}), with TinyBERT's projection to the teacher's
 * width.
 *
 * @param fit {@code shared} (one fit_dense, TinyBERT's code) or {@code per-representation} (fit_denses.i, as in the
 *     released general TinyBERT checkpoints)
 * @param teacherLayers the teacher's layers the student is cut from; then {@code dir} is empty and the
 *     {@code student-*} architecture is not used. Left out of manifests when absent, so they read as before.
 */
public record StudentSettings(Optional<Path> dir, int layers, int hidden, int heads, int intermediate, Fit fit,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) Optional<TeacherLayersSetting> teacherLayers)
    implements Serializable {
  /** The {@code student} value that asks for a new student instead of a directory. */
  public static final String FRESH = "fresh";

  static StudentSettings read(Validator v) {
    String text = v.string("student");
    boolean cut = v.ok("student") && text.strip().startsWith(TeacherLayersSetting.PREFIX);
    Optional<TeacherLayersSetting> teacherLayers = cut ? TeacherLayersSetting.read(v, "student") : Optional.empty();
    Optional<Path> dir = FRESH.equals(text) || cut ? Optional.empty() : v.optionalPath("student");
    int layers = v.positiveInt("student-layers");
    int hidden = v.positiveInt("student-hidden");
    int heads = v.positiveInt("student-heads");
    int intermediate = v.positiveInt("student-intermediate");
    Fit fit = v.choice("fit", Fit.class);
    if (v.ok("student-hidden") && v.ok("student-heads")) {
      v.require(hidden % heads == 0, "student-heads", "must divide student-hidden " + hidden + ", found " + heads);
    }
    return new StudentSettings(dir, layers, hidden, heads, intermediate, fit, teacherLayers);
  }

  public Heads.Fit fitKind() {
    return fit.heads;
  }

  /** {@code fit}: how the student's representations are projected to the teacher's width. */
  public enum Fit implements Choice {
    SHARED(Heads.Fit.SHARED),
    PER_REPRESENTATION(Heads.Fit.PER_REPRESENTATION);

    private final Heads.Fit heads;

    Fit(Heads.Fit heads) {
      this.heads = heads;
    }
  }

  /** A fresh student's config over the teacher's vocabulary, positions and token types. */
  public BertConfig freshConfig(BertConfig teacher) {
    return new BertConfig(teacher.vocabSize(), hidden, layers, heads, intermediate, "gelu",
        teacher.maxPositionEmbeddings(), teacher.typeVocabSize(), teacher.layerNormEps(), teacher.padTokenId(),
        teacher.numLabels(), teacher.hiddenSize(), teacher.initializerRange(), null);
  }
}
