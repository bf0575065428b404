/**
 * The lowest floor of settings, below every package whose enums are settings or that names a key:
 * {@link org.tinybert.settings.Choice}, the contract of a setting whose value is one of a fixed set, and
 * {@link org.tinybert.settings.Section} and {@link org.tinybert.settings.Key}, the only places a full key is spelled.
 */
package org.tinybert.settings;
