package org.tinybert.config;

import java.util.List;
import java.util.Objects;
import org.tinybert.settings.Key;

/**
 * A key that was renamed: the old name is still accepted, with a warning, so that existing config files and command
 * lines keep working ({@link Validator#renamed}).
 *
 * @param old the name users may still write
 * @param now the name to write instead, in the same section
 */
public record RenamedKey(Key old, Key now) {
  /**
   * Every renamed key; {@link SettingsReference#isKnown} accepts their old names although reference.conf lacks them.
   * A method, not a constant: the settings records that declare them create instances of this class while they
   * initialise, and a constant here would read theirs before they are set.
   */
  public static List<RenamedKey> all() {
    return List.of(GeneralDistillSettings.SKIP_INVALID_UTF8, AugmentSettings.MALFORMED_ROWS);
  }

  public RenamedKey {
    Objects.requireNonNull(old, "old");
    Objects.requireNonNull(now, "now");
    if (!old.section().equals(now.section())) throw new IllegalArgumentException(old + " renamed across sections");
  }
}
