/**
 * Settings: one immutable record per job ({@link org.tinybert.config.ForwardSettings}, ...), built only from a Typesafe
 * {@code Config} by its {@code from(Config)} factory.
 *
 * <p>{@link org.tinybert.config.SettingsLoader} stacks {@code reference.conf} (every key, with its default and a
 * one-line comment), an optional {@code --config} file and {@code --set key=value} overrides. A record's factory reads
 * its section through a {@link org.tinybert.config.Validator}, which collects every problem (wrong type, out of range,
 * missing, unknown key) and throws one {@link org.tinybert.config.SettingsException} naming key, rule, value and
 * origin of each.
 */
package org.tinybert.config;
