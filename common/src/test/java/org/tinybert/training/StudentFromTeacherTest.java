package org.tinybert.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.tinybert.config.GeneralDistillSettings;
import org.tinybert.config.LayerMappingSetting;
import org.tinybert.config.SettingsLoader;
import org.tinybert.config.TeacherLayersSetting;
import org.tinybert.distill.DistillationGraph;
import org.tinybert.distill.DistillationLayer;
import org.tinybert.distill.LayerMapping;
import org.tinybert.distill.LossWeights;
import org.tinybert.distill.StudentSpec;
import org.tinybert.io.InputException;
import org.tinybert.model.core.BertBatch;
import org.tinybert.model.BertModel;
import org.tinybert.model.checkpoint.Heads;
import org.tinybert.model.checkpoint.HfCheckpoint;
import org.tinybert.model.checkpoint.HfNames;
import org.tinybert.model.core.BertConfig;
import org.tinybert.testing.Golden;

/**
 * A student cut from the golden teacher (6 layers, hidden 48): its tensors are the teacher's, bit for bit; with the
 * teacher's first layers it computes the teacher's own hidden states; the losses' layer mapping still follows the
 * student's depth.
 */
class StudentFromTeacherTest {
  static final HfCheckpoint TEACHER = Golden.checkpoint("teacher");

  static GeneralDistillSettings settings(String... more) {
    List<String> sets = new ArrayList<>(List.of(
        GeneralDistillSettings.ROOT + ".teacher=\"" + Golden.hadoopPath("teacher") + "\""));
    sets.addAll(List.of(more));
    return GeneralDistillSettings.from(SettingsLoader.load(GeneralDistillSettings.ROOT, Optional.empty(), sets));
  }

  static GeneralDistillSettings cut(String layers, String... more) {
    List<String> sets = new ArrayList<>(List.of(GeneralDistillSettings.ROOT + ".student=teacher-layers:" + layers));
    sets.addAll(List.of(more));
    return settings(sets.toArray(String[]::new));
  }

  /** The student's weights as the general-distill job starts it: spec, starting weights, DL4J graph. */
  static Map<String, INDArray> started(GeneralDistillSettings s, StudentSpec spec) {
    TeacherLayersSetting layers = s.student().teacherLayers().orElseThrow();
    DistillationLayer layer = DistillationLayer.forTraining(spec, Golden.hadoopPath("teacher").toString(),
        LayerMappingSetting.parse(layers.toString().substring(TeacherLayersSetting.PREFIX.length())).orElseThrow(),
        LossWeights.intermediate(1, 1, 1), s.training(), 10, 20);
    return DistillationGraph.studentWeights(DistillationGraph.create(layer, s.training().seed(),
        StudentFromTeacher.weights(TEACHER, layers, spec)));
  }

  static float[] bits(INDArray a) {
    return a.dup('c').data().asFloat();
  }

  @Test
  void theStudentHasTheTeachersConfigAndItsChosenLayersBitForBit() {
    GeneralDistillSettings s = cut("2,3,5,6");
    StudentSpec spec = GeneralDistillation.studentSpec(s, TEACHER, new Configuration());
    BertConfig t = TEACHER.config();
    BertConfig c = spec.config();
    assertEquals(4, c.numHiddenLayers());
    assertEquals(List.of(t.vocabSize(), t.hiddenSize(), t.numAttentionHeads(), t.intermediateSize(),
        t.maxPositionEmbeddings(), t.typeVocabSize()), List.of(c.vocabSize(), c.hiddenSize(), c.numAttentionHeads(),
        c.intermediateSize(), c.maxPositionEmbeddings(), c.typeVocabSize()));
    assertEquals(t.layerNormEps(), c.layerNormEps());
    assertEquals(t.hiddenAct(), c.hiddenAct());
    assertEquals(new Heads(true, 0, false, false, Heads.Fit.SHARED, 48), spec.heads());

    Map<String, INDArray> w = started(s, spec);
    int[] from = {1, 2, 4, 5};
    int checked = 0;
    for (Map.Entry<String, INDArray> e : w.entrySet()) {
      String name = e.getKey();
      if (name.startsWith(HfNames.FIT_DENSE)) continue;
      String teacherName = name;
      for (int i = 0; i < from.length; i++) {
        String prefix = HfNames.layer(i) + ".";
        if (name.startsWith(prefix)) teacherName = HfNames.layer(from[i]) + "." + name.substring(prefix.length());
      }
      assertArrayEquals(bits(TEACHER.weights().get(teacherName)), bits(e.getValue()), name + " vs " + teacherName);
      checked++;
    }
    // Embeddings (word, position, token type, LayerNorm: 5), 16 tensors per layer, the pooler (2).
    assertEquals(5 + 4 * 16 + 2, checked);
    // fit_dense starts as the identity: the student is as wide as the teacher.
    assertTrue(w.get(HfNames.weight(HfNames.FIT_DENSE)).equalsWithEps(
        org.nd4j.linalg.factory.Nd4j.eye(48).castTo(w.get(HfNames.weight(HfNames.FIT_DENSE)).dataType()), 0.0));
    assertEquals(0.0, w.get(HfNames.bias(HfNames.FIT_DENSE)).amaxNumber().doubleValue());
  }

  @Test
  void allTheTeachersLayersComputeTheTeachersForward() {
    BertBatch batch = Golden.batch("batch");
    BertModel.Forward expected = Golden.model("teacher").forward(batch, false, false);
    GeneralDistillSettings s = cut("1,2,3,4,5,6");
    StudentSpec spec = GeneralDistillation.studentSpec(s, TEACHER, new Configuration());
    BertModel.Forward f = new BertModel(spec.config(), started(s, spec)).forward(batch, false, true);
    assertEquals(7, f.hiddenStates.size());
    for (int i = 0; i <= 6; i++) {
      assertArrayEquals(bits(expected.hiddenStates.get(i)), bits(f.hiddenStates.get(i)), "hidden state " + i);
      // The identity fit_dense passes each representation to the losses unchanged.
      assertArrayEquals(bits(expected.hiddenStates.get(i)), bits(f.fitHiddenStates.get(i)), "fit_dense " + i);
    }
    for (int i = 0; i < 6; i++) {
      assertArrayEquals(bits(expected.attentionScores.get(i)), bits(f.attentionScores.get(i)), "scores " + i);
    }
  }

  @Test
  void theTeachersFirstLayersComputeTheTeachersFirstHiddenStates() {
    BertBatch batch = Golden.batch("batch");
    BertModel.Forward expected = Golden.model("teacher").forward(batch, false, false);
    HfCheckpoint first = TEACHER.withLayers(new int[] {0, 1, 2});
    BertModel.Forward f = new BertModel(first.config(), first.weights()).forward(batch, false, false);
    for (int i = 0; i <= 3; i++) {
      assertArrayEquals(bits(expected.hiddenStates.get(i)), bits(f.hiddenStates.get(i)), "hidden state " + i);
    }
    // The cut keeps the teacher's heads: its classifier and MLM head, bit for bit.
    assertEquals(TEACHER.heads(), first.heads());
    assertArrayEquals(bits(TEACHER.weights().get(HfNames.weight(HfNames.CLASSIFIER))),
        bits(first.weights().get(HfNames.weight(HfNames.CLASSIFIER))));
  }

  @Test
  void theLayerMappingFollowsTheStudentsDepth() {
    Optional<TeacherLayersSetting> four = Optional.of(new TeacherLayersSetting(List.of(2, 3, 5, 6)));
    // Uniform needs the teacher's depth to be a multiple of the student's: 4 of 6 is refused, naming the list that
    // maps each student layer to the one it was copied from.
    InputException e = assertThrows(InputException.class,
        () -> StudentFromTeacher.mapping(LayerMappingSetting.UNIFORM, 6, 4, four));
    assertEquals("uniform layer mapping needs teacher layers (6) divisible by student layers (4); give an explicit"
        + " list instead (the student is teacher-layers:2,3,5,6: layer-mapping = \"2,3,5,6\" maps each student layer"
        + " to the teacher layer it starts as)", e.getMessage());
    LayerMapping explicit = StudentFromTeacher.mapping(LayerMappingSetting.parse("2,3,5,6").orElseThrow(), 6, 4,
        four);
    assertArrayEquals(new int[] {1, 2, 4, 5}, explicit.attentionTeacherLayer());
    assertArrayEquals(new int[] {0, 2, 3, 5, 6}, explicit.representationTeacherIndex());
    // 3 of 6: uniform maps student layer m to teacher layer 2m, the layers teacher-layers:2,4,6 copies.
    LayerMapping uniform = StudentFromTeacher.mapping(LayerMappingSetting.UNIFORM, 6, 3,
        Optional.of(new TeacherLayersSetting(List.of(2, 4, 6))));
    assertArrayEquals(new int[] {1, 3, 5}, uniform.attentionTeacherLayer());
    // Without the option the error is the mapping's own, unchanged.
    InputException plain = assertThrows(InputException.class,
        () -> StudentFromTeacher.mapping(LayerMappingSetting.UNIFORM, 6, 4, Optional.empty()));
    assertEquals("uniform layer mapping needs teacher layers (6) divisible by student layers (4); give an explicit"
        + " list instead", plain.getMessage());
  }

  @Test
  void aLayerBeyondTheTeachersStopsTheJobBeforeAnythingIsBuilt() {
    GeneralDistillSettings s = cut("2,7");
    InputException e = assertThrows(InputException.class,
        () -> GeneralDistillation.studentSpec(s, TEACHER, new Configuration()));
    assertEquals(GeneralDistillSettings.ROOT + ".student = teacher-layers:2,7 names teacher layer(s) 7, but the "
        + "teacher " + s.teacher() + " has 6 layers (1 to 6)", e.getMessage());
  }

  @Test
  void perRepresentationFitStartsAsOneIdentityPerRepresentation() {
    GeneralDistillSettings s = cut("2,4,6", GeneralDistillSettings.ROOT + ".fit=per-representation");
    StudentSpec spec = GeneralDistillation.studentSpec(s, TEACHER, new Configuration());
    Map<String, INDArray> fit = spec.identityFit();
    assertEquals(2 * 4, fit.size(), fit.keySet().toString());
    assertTrue(fit.containsKey(HfNames.weight(HfNames.fitDense(3))));
    StudentSpec narrow = new StudentSpec(spec.config().withNumHiddenLayers(1),
        new Heads(true, 0, false, false, Heads.Fit.SHARED, 96));
    assertThrows(IllegalArgumentException.class, narrow::identityFit);
  }

  @Test
  void theManifestSaysWhereTheStudentCameFromAndIsUnchangedWithoutIt() {
    JsonNode plain = TrainingRun.json(settings()).get("student");
    assertFalse(plain.has("teacherLayers"), plain.toString());
    assertEquals("fresh", plain.get("dir").isNull() ? "fresh" : plain.get("dir").asText());
    JsonNode cutJson = TrainingRun.json(cut("2,4,6")).get("student");
    assertEquals("teacher-layers:2,4,6", cutJson.get("teacherLayers").asText());
    Map<String, Object> record = StudentFromTeacher.record(Golden.hadoopPath("teacher"),
        new TeacherLayersSetting(List.of(2, 4, 6)));
    assertEquals(List.of(2, 4, 6), record.get("teacher_layers"));
    assertEquals("identity", record.get("fit_dense"));
  }
}
