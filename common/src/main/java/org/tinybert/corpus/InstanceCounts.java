package org.tinybert.corpus;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What building the instances saw.
 *
 * @param documents non-empty documents
 * @param sentences non-blank lines
 * @param instances instances written
 * @param tokens ids in all instances, [CLS] and [SEP] included (before padding)
 * @param skippedLines lines dropped as invalid UTF-8 (only when skipping is on)
 */
public record InstanceCounts(
    @JsonProperty("documents") long documents,
    @JsonProperty("sentences") long sentences,
    @JsonProperty("instances") long instances,
    @JsonProperty("tokens") long tokens,
    @JsonProperty("skipped_lines") long skippedLines) {}
