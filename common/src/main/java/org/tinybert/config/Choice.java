package org.tinybert.config;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A setting's value that is one of a fixed set: an enum whose constants are spelled in HOCON by {@link #key()}.
 * {@link Validator#choice} decodes it once, with the allowed spellings in its message; manifests write it back as it
 * was spelled.
 */
public interface Choice {
  /** How the setting spells this value, e.g. {@code warmup-linear}. */
  @JsonValue
  String key();
}
