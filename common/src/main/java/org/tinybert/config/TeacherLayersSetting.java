package org.tinybert.config;

import com.fasterxml.jackson.annotation.JsonValue;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.tinybert.io.InputException;

/**
 * {@code student = "teacher-layers:2,3,5,6"}: a student cut from the teacher, DistilBERT-style. It has the teacher's
 * config and embeddings but only the listed encoder layers (1-based teacher layer numbers, strictly increasing), in
 * that order, each a copy of the teacher's; pooler and classifier are the teacher's where the student has them.
 * Checked for its syntax when the settings load; against the teacher's layer count once the teacher is read.
 *
 * @param layers the teacher's layers, 1-based; student layer m+1 starts as teacher layer {@code layers.get(m)}
 */
public record TeacherLayersSetting(List<Integer> layers) implements Serializable {
  /** What a {@code student} value starts with to ask for a student cut from the teacher. */
  public static final String PREFIX = "teacher-layers:";
  static final String EXAMPLE = PREFIX + "2,3,5,6";

  public TeacherLayersSetting {
    layers = List.copyOf(layers);
    if (problem(layers).isPresent()) throw new IllegalArgumentException(problem(layers).get() + ": " + layers);
  }

  /**
   * {@code key} of {@code v}'s section when it starts with {@link #PREFIX}, checked for its syntax; empty when it does
   * not (the key is then read as something else) or when it is wrong (the problem is recorded with {@code v}).
   */
  static Optional<TeacherLayersSetting> read(Validator v, String key) {
    Optional<String> text = v.peekString(key);
    if (text.isEmpty() || !text.get().strip().startsWith(PREFIX)) return Optional.empty();
    String list = text.get().strip().substring(PREFIX.length()).strip();
    if (list.isEmpty()) {
      v.require(false, key, "must list at least one teacher layer after " + PREFIX + ", e.g. " + EXAMPLE);
      return Optional.empty();
    }
    // At most 9 digits: a layer number never needs more, and the parse cannot overflow.
    if (!list.matches("\\d{1,9}(\\s*,\\s*\\d{1,9})*")) {
      v.require(false, key, "must be " + PREFIX + " followed by 1-based teacher layer numbers separated by commas,"
          + " e.g. " + EXAMPLE);
      return Optional.empty();
    }
    List<Integer> layers = new ArrayList<>();
    for (String part : list.split(",")) layers.add(Integer.parseInt(part.strip()));
    Optional<String> problem = problem(layers);
    v.require(problem.isEmpty(), key, problem.orElse(""));
    return problem.isEmpty() ? Optional.of(new TeacherLayersSetting(layers)) : Optional.empty();
  }

  private static Optional<String> problem(List<Integer> layers) {
    if (layers.isEmpty()) return Optional.of("must list at least one teacher layer, e.g. " + EXAMPLE);
    for (int i = 0; i < layers.size(); i++) {
      if (layers.get(i) < 1) {
        return Optional.of("must number teacher layers from 1 (1-based: " + layers.get(i) + " is no layer)");
      }
      if (i > 0 && layers.get(i) <= layers.get(i - 1)) {
        return Optional.of("must list teacher layers in strictly increasing order (" + layers.get(i)
            + " comes after " + layers.get(i - 1) + ")");
      }
    }
    return Optional.empty();
  }

  /**
   * Fails unless every layer is one of the teacher's 1..{@code teacherLayers}.
   *
   * @param key the setting's full key, named in the message
   * @param teacher the teacher's directory, named in the message
   */
  public void checkAgainst(int teacherLayers, String key, Object teacher) {
    List<Integer> outside = layers.stream().filter(l -> l > teacherLayers).toList();
    if (!outside.isEmpty()) {
      throw new InputException(key + " = " + this + " names teacher layer(s) " + outside.stream()
          .map(String::valueOf).collect(Collectors.joining(", ")) + ", but the teacher " + teacher + " has "
          + teacherLayers + " layers (1 to " + teacherLayers + ")");
    }
  }

  /** The student's layer count. */
  public int size() {
    return layers.size();
  }

  /** 0-based teacher layer indices, in the student's order (what {@code bert.encoder.layer.N} names use). */
  public int[] zeroBased() {
    return layers.stream().mapToInt(l -> l - 1).toArray();
  }

  /** The setting's text, as {@link #read} reads it (what manifests record). */
  @JsonValue
  @Override
  public String toString() {
    return PREFIX + layers.stream().map(String::valueOf).collect(Collectors.joining(","));
  }
}
