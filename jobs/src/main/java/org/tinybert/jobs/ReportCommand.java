package org.tinybert.jobs;

import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tinybert.config.ReportSettings;
import org.tinybert.io.HadoopIO;
import org.tinybert.jobs.cli.Command;
import org.tinybert.jobs.cli.ExitCodes;
import org.tinybert.jobs.cli.Option;
import org.tinybert.jobs.cli.ParsedArgs;
import org.tinybert.report.RunReport;

/**
 * {@code tinybert report}: figures (PNG) and a Markdown summary of one run directory ({@link RunReport}), for reading a
 * run where there is no Jupyter, e.g. on a cluster's edge node. No Spark; prints the files written.
 */
public final class ReportCommand implements Command {
  private static final Logger LOG = LoggerFactory.getLogger(ReportCommand.class);

  @Override
  public String name() {
    return "report";
  }

  @Override
  public String summary() {
    return "Writes a run's figures (PNG) and a Markdown summary of it, without Spark or Jupyter.";
  }

  @Override
  public String settingsRoot() {
    return ReportSettings.ROOT;
  }

  @Override
  public List<Option> options() {
    return Option.settings(ReportSettings.SECTION, "run DIR", "output DIR", "width PIXELS", "height PIXELS");
  }

  @Override
  public int run(ParsedArgs args) throws Exception {
    ReportSettings s = ReportSettings.from(args.settings());
    LOG.info("report: {}", s);
    Configuration conf = HadoopIO.defaultConf();
    RunReport report = RunReport.read(s.run(), conf);
    List<Path> files = report.write(s.outputDir(), conf, s.width(), s.height());
    for (Path f : files) args.io().out().println(f);
    args.io().out().flush();
    return ExitCodes.OK;
  }
}
