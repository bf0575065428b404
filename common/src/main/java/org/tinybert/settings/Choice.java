package org.tinybert.settings;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Optional;

/**
 * A setting's value that is one of a fixed set: an enum whose constants are spelled in HOCON as their names in lower
 * case with dashes ({@code WARMUP_LINEAR} is {@code warmup-linear}). {@link org.tinybert.config.Validator#choice}
 * decodes it once, with the allowed spellings in its message; manifests write it back as it was spelled.
 */
public interface Choice {
  /** The constant's name, as every enum has it. */
  String name();

  /** How the setting spells this value, e.g. {@code warmup-linear}. */
  @JsonValue
  default String key() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The constant of {@code type} spelled {@code key}, compared exactly; empty when none is. */
  static <E extends Enum<E> & Choice> Optional<E> byKey(Class<E> type, String key) {
    for (E e : type.getEnumConstants()) {
      if (e.key().equals(key)) return Optional.of(e);
    }
    return Optional.empty();
  }
}
