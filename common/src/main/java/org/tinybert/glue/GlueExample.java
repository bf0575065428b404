package org.tinybert.glue;

import java.io.Serializable;

/**
 * One row of a GLUE file, as TinyBERT's {@code InputExample} plus where it came from.
 *
 * @param guid {@code <set type>-<index>}, e.g. {@code dev-17}, {@code aug-3}
 * @param index the row's index column (the id the GLUE server matches test predictions by), or, in files that have
 *     none (CoLA, SST-2 and MRPC train/dev, diagnostic-full), the 0-based number of the row among the data rows
 * @param textA the first sentence
 * @param textB the second sentence, null for single-sentence tasks
 * @param label the gold label as written (a label name, or STS-B's score), null in test files
 * @param line the 1-based line of the file the row was read from
 */
public record GlueExample(String guid, String index, String textA, String textB, String label, long line)
    implements Serializable {}
