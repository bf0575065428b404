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
  private static final String KEY = InferSettings.ROOT + ".";

  @Override
  public String name() {
    return "infer";
  }

  @Override
  public String summary() {
    return "Scores a table (text, TSV, JSON lines or Parquet on any Hadoop path) with a model: labels, probabilities"
        + " or embeddings.";
  }

  @Override
  public String settingsRoot() {
    return InferSettings.ROOT;
  }

  @Override
  public List<Option> options() {
    return List.of(
        Option.setting("model", "DIR", KEY + "model"),
        Option.setting("input", "PATH", KEY + "input"),
        Option.setting("output", "PATH", KEY + "output"),
        Option.setting("format", "FORMAT", KEY + "format"),
        Option.setting("text-column", "NAME", KEY + "text-column"),
        Option.setting("text-pair-column", "NAME", KEY + "text-pair-column"),
        Option.setting("id-column", "NAME", KEY + "id-column"),
        Option.setting("output-kind", "KIND", KEY + "output-kind"),
        Option.setting("output-format", "FORMAT", KEY + "output-format"),
        Option.setting("max-seq-length", "N", KEY + "max-seq-length"),
        Option.setting("batch-size", "N", KEY + "batch-size"),
        Option.setting("embedding", "POOLING", KEY + "embedding"),
        Option.setting("task", "NAME", KEY + "task"),
        Option.setting("head", "NAME", KEY + "head"),
        Option.setting("bad-rows", "MODE", KEY + "bad-rows"),
        Option.setting("split-size", "BYTES", KEY + "split-size"),
        Option.settingFlag("tsv-header", KEY + "tsv-header"),
        Option.settingFlag("cased", KEY + "cased"));
  }

  @Override
  public int run(ParsedArgs args) throws Exception {
    InferSettings settings = InferSettings.from(args.settings());
    InferSummary summary = GlueRun.inSession("tinybert infer", spark -> InferJob.run(spark, settings));
    args.io().out().println(new ObjectMapper().writeValueAsString(summary));
    args.io().out().flush();
    return ExitCodes.OK;
  }
}
