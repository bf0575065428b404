package org.tinybert.settings;

import java.util.Objects;

/**
 * A settings section under {@value Key#NAMESPACE}, e.g. {@code forward} or {@code bench.infer}: where one job's keys
 * live. Its keys come from {@link #key(String)}, so a full key is spelled in one place ({@link Key#full()}).
 *
 * @param name the section's path below the namespace, dots separating nested sections; empty for the namespace itself
 */
public record Section(String name) {
  /** The namespace itself, home of the keys every job reads ({@code engine}). */
  public static final Section TOP = new Section("");

  public Section {
    Objects.requireNonNull(name, "name");
    if (name.startsWith(".") || name.endsWith(".")) throw new IllegalArgumentException("section '" + name + "'");
  }

  /** The section {@code tinybert.<name>}. */
  public static Section of(String name) {
    if (name.isEmpty()) throw new IllegalArgumentException("a section needs a name; use Section.TOP");
    return new Section(name);
  }

  /** A key of this section. */
  public Key key(String keyName) {
    return new Key(this, keyName);
  }

  /** A section nested in this one, e.g. {@code task-distill.intermediate}. */
  public Section child(String childName) {
    return name.isEmpty() ? Section.of(childName) : new Section(name + "." + childName);
  }

  /** The section's path from the root of the settings, e.g. {@code tinybert.forward}. */
  public String full() {
    return name.isEmpty() ? Key.NAMESPACE : Key.NAMESPACE + "." + name;
  }

  @Override
  public String toString() {
    return full();
  }
}
