package org.tinybert.training;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.fs.Path;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tinybert.config.LayerMappingSetting;
import org.tinybert.config.TeacherLayersSetting;
import org.tinybert.distill.LayerMapping;
import org.tinybert.distill.StudentSpec;
import org.tinybert.io.InputException;
import org.tinybert.model.checkpoint.HfCheckpoint;

/**
 * What general and task distillation share for a student cut from the teacher ({@code student = "teacher-layers:..."},
 * DistilBERT's initialisation): its starting weights, the loss layer mapping with a hint for it, and the manifest's
 * record of where the student came from.
 */
final class StudentFromTeacher {
  private StudentFromTeacher() {}

  /**
   * The student's starting weights: the teacher's embeddings, the chosen layers and whatever heads the teacher has
   * (the student takes those its spec has), bit for bit, and an identity fit_dense (the student is as wide as the
   * teacher, see {@link StudentSpec#identityFit}).
   */
  static Map<String, INDArray> weights(HfCheckpoint teacher, TeacherLayersSetting layers, StudentSpec spec) {
    Map<String, INDArray> w = new LinkedHashMap<>(teacher.withLayers(layers.zeroBased()).weights());
    w.putAll(spec.identityFit());
    return w;
  }

  /**
   * The losses' layer mapping, resolved as for any student; when it does not fit a student cut from the teacher
   * (uniform needs the teacher's depth to be a multiple of the student's), the message says which list maps every
   * student layer to the teacher layer it was copied from.
   */
  static LayerMapping mapping(LayerMappingSetting setting, int teacherLayers, int studentLayers,
      Optional<TeacherLayersSetting> cut) {
    try {
      return LayerMapping.of(setting, teacherLayers, studentLayers);
    } catch (InputException e) {
      if (cut.isEmpty()) throw e;
      String list = cut.get().toString().substring(TeacherLayersSetting.PREFIX.length());
      throw new InputException(e.getMessage() + " (the student is " + cut.get() + ": layer-mapping = \"" + list
          + "\" maps each student layer to the teacher layer it starts as)", e);
    }
  }

  /** The manifest's record of where the student came from. */
  static Map<String, Object> record(Path teacher, TeacherLayersSetting layers) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("setting", layers.toString());
    m.put("teacher", teacher.toString());
    m.put("teacher_layers", layers.layers());
    m.put("fit_dense", "identity");
    return m;
  }
}
