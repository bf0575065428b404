package org.tinybert.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.tinybert.io.HadoopIO;
import org.tinybert.run.RunFiles;

/**
 * The report of one run directory: for each training stage in it, PNG figures ({@link ReportCharts}) and a Markdown
 * summary ({@value #MARKDOWN}) that links them. A task-distill run of both stages has the intermediate stage in
 * {@value #INTERMEDIATE}/ and the prediction stage at the top; each gets its figures.
 *
 * <pre>{@code
 * RunReport report = RunReport.read(new Path("hdfs:///runs/sst2-distill"), conf);
 * List<Path> files = report.write(new Path("hdfs:///runs/sst2-distill/report"), conf, 800, 480);
 * }</pre>
 */
public final class RunReport {
  /** The Markdown summary's file name. */
  public static final String MARKDOWN = "report.md";
  /** Where task-distill keeps its intermediate stage when it runs both (TaskDistillJob in the jobs module). */
  public static final String INTERMEDIATE = "intermediate";

  private final Path run;
  private final List<StageRun> stages;
  private final List<String> notes;

  private RunReport(Path run, List<StageRun> stages, List<String> notes) {
    this.run = run;
    this.stages = List.copyOf(stages);
    this.notes = List.copyOf(notes);
  }

  /**
   * Reads every stage of the run in {@code run}.
   *
   * @throws ReportInputException when the directory, a manifest or a metrics file is missing, empty or malformed
   * @throws IOException when the file system fails
   */
  public static RunReport read(Path run, Configuration conf) throws IOException {
    if (!HadoopIO.exists(run, conf)) {
      throw new ReportInputException(run.toString(), "no such directory");
    }
    if (!HadoopIO.fs(run, conf).getFileStatus(run).isDirectory()) {
      throw new ReportInputException(run.toString(), "not a directory; give the run's output directory");
    }
    List<StageRun> stages = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    Path intermediate = new Path(run, INTERMEDIATE);
    boolean hasIntermediate = hasRecords(intermediate, conf);
    if (hasIntermediate) stages.add(StageRun.read(intermediate, conf));
    if (hasRecords(run, conf) || !hasIntermediate) {
      stages.add(StageRun.read(run, conf));
    } else {
      notes.add("The prediction stage has not started: " + run + " has no " + RunFiles.MANIFEST + " yet.");
    }
    return new RunReport(run, stages, notes);
  }

  private static boolean hasRecords(Path dir, Configuration conf) {
    return HadoopIO.exists(new Path(dir, RunFiles.MANIFEST), conf) || HadoopIO.exists(new Path(dir, RunFiles.METRICS),
        conf);
  }

  public Path run() {
    return run;
  }

  /** The stages in training order. */
  public List<StageRun> stages() {
    return stages;
  }

  /** What the Markdown says about the run as a whole (a stage not started yet). */
  public List<String> notes() {
    return notes;
  }

  /**
   * Every figure (PNG, {@code width} x {@code height} pixels) and the Markdown, by file name, the Markdown last; all
   * in memory, so nothing is written when any of it fails.
   */
  public Map<String, byte[]> render(int width, int height) {
    List<List<ReportCharts.Figure>> figures = new ArrayList<>();
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (StageRun s : stages) {
      List<ReportCharts.Figure> f = ReportCharts.figures(s, width, height);
      figures.add(f);
      for (ReportCharts.Figure fig : f) files.put(fig.file(), fig.png());
    }
    files.put(MARKDOWN, ReportMarkdown.write(this, figures).getBytes(StandardCharsets.UTF_8));
    return files;
  }

  /**
   * Renders the report and writes it into {@code output}, each file through a temporary name then renamed, the
   * Markdown last (so a {@value #MARKDOWN} present always links figures that are all there).
   *
   * @return the files written, the Markdown last
   */
  public List<Path> write(Path output, Configuration conf, int width, int height) throws IOException {
    Map<String, byte[]> files = render(width, height);
    List<Path> written = new ArrayList<>();
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      Path target = new Path(output, e.getKey());
      HadoopIO.writeAtomically(target, conf, e.getValue());
      written.add(target);
    }
    return written;
  }
}
