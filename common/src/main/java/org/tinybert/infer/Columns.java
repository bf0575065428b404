package org.tinybert.infer;

import java.io.Serializable;

/**
 * The input's columns a run reads and keeps, by the names the output gives them.
 *
 * @param text the text's column
 * @param pair the pair's second text, or null for single texts
 * @param id the id column, or null for none
 * @param idParquetType the id's Parquet type when the input is Parquet ({@code optional int64 id}), null otherwise
 *     (ids of text formats are strings)
 */
public record Columns(String text, String pair, String id, String idParquetType) implements Serializable {}
