/**
 * The lowest floor of settings, below every package whose enums are settings: {@link org.tinybert.settings.Choice},
 * the contract of a setting whose value is one of a fixed set.
 */
package org.tinybert.settings;
