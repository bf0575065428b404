package org.tinybert.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.tinybert.config.InferSettings;
import org.tinybert.infer.InferSummary;
import org.tinybert.jobs.cli.Command;
import org.tinybert.jobs.cli.ExitCodes;
import org.tinybert.jobs.cli.Option;
import org.tinybert.jobs.cli.ParsedArgs;

/**
 * {@code tinybert infer}: scores a table with a classifier (labels, probabilities) or an encoder (embeddings) as a
 * Spark job ({@link InferJob}); prints the run's summary as one JSON line, {@code "already_done": true} when the
 * output was already finished for these settings and inputs.
 */
public final class InferCommand implements Command {

  @Override
  public String name() {
    return "infer";
  }

  @Override
  public String summary() {
    return "Scores a table (text, TSV, CSV, JSON lines or Parquet on any Hadoop path) with a model: labels,"
        + " probabilities or embeddings.";
  }

  @Override
  public String settingsRoot() {
    return InferSettings.ROOT;
  }

  @Override
  public boolean holdsOutput() {
    return true;
  }

  @Override
  public List<Option> options() {
    return Option.settings(InferSettings.SECTION, "model DIR", "input PATH", "output PATH", "format FORMAT",
        "text-column NAME", "text-pair-column NAME", "id-column NAME", "output-kind KIND", "output-format FORMAT",
        "max-seq-length N", "batch-size N", "embedding POOLING", "task NAME", "head NAME", "bad-rows MODE",
        "split-size BYTES", "tsv-header", "cased");
  }

  @Override
  public int run(ParsedArgs args) throws Exception {
    InferSettings settings = InferSettings.from(args.settings());
    InferSummary summary = Sessions.inSession("tinybert infer", spark -> InferJob.run(spark, settings));
    args.io().out().println(new ObjectMapper().writeValueAsString(summary));
    args.io().out().flush();
    return ExitCodes.OK;
  }
}
