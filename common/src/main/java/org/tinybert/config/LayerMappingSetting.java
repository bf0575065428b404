package org.tinybert.config;

import com.fasterxml.jackson.annotation.JsonValue;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.tinybert.settings.Choice;

/**
 * {@code layer-mapping}: which teacher layer each student layer learns from (the paper's n = g(m)), as written in the
 * settings, before the layer counts are known: {@code uniform} (every k-th layer, the paper's), {@code top},
 * {@code bottom}, or one 1-based teacher layer per student layer ({@code 3, 6, 9, 12}). {@code distill.LayerMapping}
 * resolves it against a teacher and a student.
 *
 * @param teacherLayers the explicit list; empty for the named strategies
 */
public record LayerMappingSetting(Strategy strategy, List<Integer> teacherLayers) implements Serializable {
  public static final LayerMappingSetting UNIFORM = new LayerMappingSetting(Strategy.UNIFORM, List.of());
  static final String RULE = "must be uniform, top, bottom or a list of 1-based teacher layers like 3,6,9,12";

  /**
   * The named strategies, spelled in the setting as their {@link Choice#key()}, and an explicit list, which is
   * written as its layers, never as {@code explicit}.
   */
  public enum Strategy implements Choice {
    UNIFORM,
    TOP,
    BOTTOM,
    EXPLICIT;

    /** The strategies a setting may name; {@link #EXPLICIT} is a list of layers instead. */
    static Optional<Strategy> named(String key) {
      return Choice.byKey(Strategy.class, key).filter(s -> s != EXPLICIT);
    }
  }

  public LayerMappingSetting {
    teacherLayers = List.copyOf(teacherLayers);
    if ((strategy == Strategy.EXPLICIT) == teacherLayers.isEmpty()) {
      throw new IllegalArgumentException(strategy + " with teacher layers " + teacherLayers);
    }
  }

  /** The setting's text: {@code uniform}, {@code top}, {@code bottom}, or {@code a,b,c} (1-based, no blanks). */
  public static Optional<LayerMappingSetting> parse(String text) {
    String s = text.trim();
    Optional<Strategy> named = Strategy.named(s);
    if (named.isPresent()) return Optional.of(new LayerMappingSetting(named.get(), List.of()));
    if (!s.matches("\\d+\\s*(,\\s*\\d+\\s*)*")) return Optional.empty();
    List<Integer> layers = new ArrayList<>();
    for (String part : s.split(",")) layers.add(Integer.parseInt(part.trim()));
    return Optional.of(new LayerMappingSetting(Strategy.EXPLICIT, layers));
  }

  /** {@code key} of {@code v}'s section, checked for its syntax (layer counts are checked against the models). */
  static LayerMappingSetting read(Validator v, String key) {
    String text = v.string(key);
    Optional<LayerMappingSetting> m = parse(text);
    v.require(m.isPresent() || !v.ok(key), key, RULE);
    return m.orElse(UNIFORM);
  }

  /** The setting's text, as {@link #parse} reads it (what a distillation layer's JSON carries). */
  @JsonValue
  @Override
  public String toString() {
    return strategy == Strategy.EXPLICIT
        ? teacherLayers.stream().map(String::valueOf).collect(Collectors.joining(","))
        : strategy.key();
  }
}
