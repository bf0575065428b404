package org.tinybert.settings;

import java.util.Objects;

/**
 * One setting's name: its {@link Section} and its name there. {@link #full()} is the only place a full key such as
 * {@code tinybert.forward.cased} is put together, so code that names a key in a message, an option or a lookup names
 * the same thing that {@code reference.conf} defines.
 *
 * @param section where the key lives
 * @param name the key's path within the section, e.g. {@code cased} or {@code stale-after}
 */
public record Key(Section section, String name) {
  /** Every key of ours lives under this. */
  public static final String NAMESPACE = "tinybert";

  public Key {
    Objects.requireNonNull(section, "section");
    Objects.requireNonNull(name, "name");
    if (name.isEmpty() || name.startsWith(".") || name.endsWith(".")) {
      throw new IllegalArgumentException("key name '" + name + "' in " + section.full());
    }
  }

  /** A key directly under the namespace, read by every job: {@code tinybert.<name>}. */
  public static Key top(String name) {
    return Section.TOP.key(name);
  }

  /** The key's path from the root of the settings: {@code tinybert.<section>.<name>}. */
  public String full() {
    return section.full() + "." + name;
  }

  @Override
  public String toString() {
    return full();
  }
}
