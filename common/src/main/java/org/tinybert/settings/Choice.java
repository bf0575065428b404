package org.tinybert.settings;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

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
}
