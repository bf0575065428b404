package org.tinybert.distill;

import java.util.Arrays;
import java.util.List;
import org.tinybert.config.LayerMappingSetting;
import org.tinybert.io.InputException;

/**
 * Which teacher layer each student layer learns from (the paper's n = g(m)).
 *
 * <p>{@code attentionTeacherLayer[m]} is the 0-based index of the teacher layer whose attention scores student layer m
 * (0-based) imitates; {@code representationTeacherIndex[i]} is the teacher representation (0 = embeddings, j = output
 * of teacher layer j) for student representation i = 0..S. With the uniform mapping and k = teacher/student layers,
 * student layer m takes teacher layer (m+1)k (1-based), so attention index (m+1)k - 1 and representation index ik,
 * exactly as TinyBERT's code does.
 */
public record LayerMapping(String strategy, int teacherLayers, int studentLayers, int[] attentionTeacherLayer,
    int[] representationTeacherIndex) {

  public LayerMapping {
    attentionTeacherLayer = attentionTeacherLayer.clone();
    representationTeacherIndex = representationTeacherIndex.clone();
  }

  /** Uniform: every k-th teacher layer (the paper's default). Needs teacher layers divisible by student layers. */
  public static LayerMapping uniform(int teacherLayers, int studentLayers) {
    check(teacherLayers, studentLayers);
    if (teacherLayers % studentLayers != 0) {
      throw new InputException("uniform layer mapping needs teacher layers (" + teacherLayers
          + ") divisible by student layers (" + studentLayers + "); give an explicit list instead");
    }
    int k = teacherLayers / studentLayers;
    int[] upper = new int[studentLayers];
    for (int m = 0; m < studentLayers; m++) upper[m] = (m + 1) * k;
    return fromOneBased("uniform", teacherLayers, studentLayers, upper);
  }

  /** Top: the student's layers learn from the teacher's last S layers. */
  public static LayerMapping top(int teacherLayers, int studentLayers) {
    check(teacherLayers, studentLayers);
    int[] upper = new int[studentLayers];
    for (int m = 0; m < studentLayers; m++) upper[m] = teacherLayers - studentLayers + m + 1;
    return fromOneBased("top", teacherLayers, studentLayers, upper);
  }

  /** Bottom: the student's layers learn from the teacher's first S layers. */
  public static LayerMapping bottom(int teacherLayers, int studentLayers) {
    check(teacherLayers, studentLayers);
    int[] upper = new int[studentLayers];
    for (int m = 0; m < studentLayers; m++) upper[m] = m + 1;
    return fromOneBased("bottom", teacherLayers, studentLayers, upper);
  }

  /** An explicit list: {@code teacherLayers1Based.get(m)} is the teacher layer (1-based) of student layer m+1. */
  public static LayerMapping explicit(int teacherLayers, int studentLayers, List<Integer> teacherLayers1Based) {
    check(teacherLayers, studentLayers);
    if (teacherLayers1Based.size() != studentLayers) {
      throw new InputException("explicit layer mapping needs one teacher layer per student layer ("
          + studentLayers + "), found " + teacherLayers1Based.size() + ": " + teacherLayers1Based);
    }
    int[] upper = new int[studentLayers];
    for (int m = 0; m < studentLayers; m++) {
      int t = teacherLayers1Based.get(m);
      if (t < 1 || t > teacherLayers) {
        throw new InputException("explicit layer mapping entry " + (m + 1) + " is " + t
            + ", expected a teacher layer in 1.." + teacherLayers);
      }
      upper[m] = t;
    }
    return fromOneBased("explicit", teacherLayers, studentLayers, upper);
  }

  /** The mapping a {@code layer-mapping} setting names, for a teacher and a student of these depths. */
  public static LayerMapping of(LayerMappingSetting setting, int teacherLayers, int studentLayers) {
    return switch (setting.strategy()) {
      case UNIFORM -> uniform(teacherLayers, studentLayers);
      case TOP -> top(teacherLayers, studentLayers);
      case BOTTOM -> bottom(teacherLayers, studentLayers);
      case EXPLICIT -> explicit(teacherLayers, studentLayers, setting.teacherLayers());
    };
  }

  private static LayerMapping fromOneBased(String name, int teacherLayers, int studentLayers, int[] upper) {
    int[] att = new int[studentLayers];
    int[] rep = new int[studentLayers + 1];
    for (int m = 0; m < studentLayers; m++) {
      att[m] = upper[m] - 1;
      rep[m + 1] = upper[m];
    }
    return new LayerMapping(name, teacherLayers, studentLayers, att, rep);
  }

  private static void check(int teacherLayers, int studentLayers) {
    if (studentLayers < 1 || teacherLayers < 1) {
      throw new IllegalArgumentException("layer counts must be >= 1, found teacher " + teacherLayers + ", student "
          + studentLayers);
    }
    if (studentLayers > teacherLayers) {
      throw new InputException("the student (" + studentLayers + " layers) cannot be deeper than the teacher ("
          + teacherLayers + " layers)");
    }
  }

  @Override
  public String toString() {
    return strategy + " att=" + Arrays.toString(attentionTeacherLayer) + " rep="
        + Arrays.toString(representationTeacherIndex);
  }

  @Override
  public int[] attentionTeacherLayer() {
    return attentionTeacherLayer.clone();
  }

  @Override
  public int[] representationTeacherIndex() {
    return representationTeacherIndex.clone();
  }
}
