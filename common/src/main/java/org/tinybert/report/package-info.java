/**
 * {@code tinybert report}'s library: a run directory's records read back ({@link org.tinybert.report.StageRun},
 * {@link org.tinybert.report.RoundRecord}; a task-distill run of both stages is two), drawn as PNG line charts with
 * XChart and summed up in Markdown ({@link org.tinybert.report.RunReport}), for reading a run on a machine without
 * Jupyter or a display.
 */
package org.tinybert.report;
