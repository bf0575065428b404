package org.tinybert.report;

import static org.tinybert.run.MetricsRound.DEV;
import static org.tinybert.run.MetricsRound.EXAMPLES;
import static org.tinybert.run.MetricsRound.EXAMPLES_PER_SECOND;
import static org.tinybert.run.MetricsRound.LEARNING_RATE;
import static org.tinybert.run.MetricsRound.PROBE_ATTENTION;
import static org.tinybert.run.MetricsRound.PROBE_ATTENTION_PER_LAYER;
import static org.tinybert.run.MetricsRound.PROBE_EMBEDDING;
import static org.tinybert.run.MetricsRound.PROBE_HIDDEN;
import static org.tinybert.run.MetricsRound.PROBE_HIDDEN_PER_LAYER;
import static org.tinybert.run.MetricsRound.PROBE_TOTAL;
import static org.tinybert.run.MetricsRound.ROUND_SECONDS;
import static org.tinybert.run.MetricsRound.TRAIN_LOSS;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The figures of one stage as XChart line charts, rendered to PNG: losses over steps (log scale), the probe batch's
 * attention and hidden losses per layer, examples per second over time, dev metrics over steps with the best marked,
 * and the learning rate. A figure whose data the stage did not record is left out.
 */
final class ReportCharts {
  static {
    // Charts are drawn into images only; without this, AWT would try the X server that $DISPLAY names (an edge node
    // reached over ssh -X, say) and fail when it is gone. An explicit -Djava.awt.headless is respected.
    if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
  }

  /** Series colours (Tableau 10): saturated, so tests can tell a drawn series from axes, grid and text. */
  static final Color[] PALETTE = {new Color(31, 119, 180), new Color(255, 127, 14), new Color(44, 160, 44),
      new Color(214, 39, 40), new Color(148, 103, 189), new Color(140, 86, 75), new Color(227, 119, 194),
      new Color(127, 127, 127), new Color(188, 189, 34), new Color(23, 190, 207)};
  /** Above this many points a series is drawn as a plain line, without markers. */
  private static final int MARKERS_UP_TO = 60;

  /**
   * One figure.
   *
   * @param file the PNG's file name, {@code <stage>-<figure>.png}
   * @param title what the figure shows, for the Markdown
   */
  record Figure(String file, String title, XYChart chart) {
    byte[] png() {
      try {
        return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot encode " + file + ": " + e.getMessage(), e);
      }
    }
  }

  private ReportCharts() {}

  static List<Figure> figures(StageRun stage, int width, int height) {
    List<Figure> out = new ArrayList<>();
    String p = stage.slug() + "-";
    losses(stage, width, height).ifPresent(c -> out.add(new Figure(p + "losses.png", "Losses", c)));
    perLayer(stage, PROBE_ATTENTION_PER_LAYER, "Attention loss per student layer (probe batch)", false, width, height)
        .ifPresent(c -> out.add(new Figure(p + "attention-per-layer.png", "Attention loss per layer", c)));
    perLayer(stage, PROBE_HIDDEN_PER_LAYER, "Hidden-state loss per layer (probe batch; 0 = embeddings)", true, width,
        height).ifPresent(c -> out.add(new Figure(p + "hidden-per-layer.png", "Hidden-state loss per layer", c)));
    throughput(stage, width, height).ifPresent(c -> out.add(new Figure(p + "throughput.png", "Throughput", c)));
    dev(stage, width, height).ifPresent(c -> out.add(new Figure(p + "dev.png", "Dev metrics", c)));
    learningRate(stage, width, height).ifPresent(c -> out.add(new Figure(p + "learning-rate.png", "Learning rate",
        c)));
    return out;
  }

  private static final Map<String, String> LOSSES = losses();

  private static Map<String, String> losses() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(TRAIN_LOSS, "train loss (round mean)");
    m.put(PROBE_TOTAL, "probe: total");
    m.put(PROBE_ATTENTION, "probe: attention");
    m.put(PROBE_EMBEDDING, "probe: embedding");
    m.put(PROBE_HIDDEN, "probe: hidden");
    return m;
  }

  private static Optional<XYChart> losses(StageRun stage, int width, int height) {
    XYChart c = chart(stage.job() + ": losses", "optimiser step", "loss (log scale)", width, height);
    c.getStyler().setYAxisLogarithmic(true);
    for (Map.Entry<String, String> e : LOSSES.entrySet()) {
      if (!stage.recorded(e.getKey())) continue;
      Points pts = new Points();
      for (RoundRecord r : stage.rounds()) pts.add(r.step(), r.number(e.getKey()), true);
      pts.addTo(c, e.getValue());
    }
    return nonEmpty(c);
  }

  private static Optional<XYChart> perLayer(StageRun stage, String key, String title, boolean embeddingsFirst,
      int width, int height) {
    int layers = stage.rounds().stream().mapToInt(r -> r.numbers(key).length).max().orElse(0);
    if (layers == 0) return Optional.empty();
    XYChart c = chart(stage.job() + ": " + title, "optimiser step", "loss (log scale)", width, height);
    c.getStyler().setYAxisLogarithmic(true);
    for (int l = 0; l < layers; l++) {
      Points pts = new Points();
      for (RoundRecord r : stage.rounds()) {
        double[] v = r.numbers(key);
        if (l < v.length) pts.add(r.step(), v[l], true);
      }
      pts.addTo(c, embeddingsFirst ? (l == 0 ? "embeddings" : "layer " + l) : "layer " + (l + 1));
    }
    return nonEmpty(c);
  }

  private static Optional<XYChart> throughput(StageRun stage, int width, int height) {
    if (!stage.recorded(EXAMPLES_PER_SECOND)) return Optional.empty();
    boolean timed = stage.rounds().stream().allMatch(r -> r.number(ROUND_SECONDS) > 0);
    double total = timed ? stage.rounds().stream().mapToDouble(r -> r.number(ROUND_SECONDS)).sum() : 0;
    double unit = total > 3 * 3600 ? 3600 : total > 300 ? 60 : 1;
    String unitName = unit == 3600 ? "hours" : unit == 60 ? "minutes" : "seconds";
    XYChart c = chart(stage.job() + ": throughput", timed ? "training time (" + unitName + ", sum of round times)"
        : "optimiser step", "examples per second", width, height);
    Points perRound = new Points();
    Points average = new Points();
    double t = 0;
    long before = 0;
    for (RoundRecord r : stage.rounds()) {
      long examples = (long) r.number(EXAMPLES);
      double x = r.step();
      if (timed) {
        double seconds = r.number(ROUND_SECONDS);
        t += seconds;
        x = t / unit;
        perRound.add(x, (examples - before) / seconds, false);
      }
      before = examples;
      average.add(x, r.number(EXAMPLES_PER_SECOND), false);
    }
    perRound.addTo(c, "this round");
    average.addTo(c, "since the run (re)started");
    return nonEmpty(c);
  }

  private static Optional<XYChart> dev(StageRun stage, int width, int height) {
    if (!stage.recorded(DEV)) return Optional.empty();
    XYChart c = chart(stage.job() + ": dev metrics", "optimiser step", "metric", width, height);
    List<String> names = new ArrayList<>();
    for (RoundRecord r : stage.rounds()) {
      for (String n : r.dev().keySet()) if (!names.contains(n)) names.add(n);
    }
    for (String n : names) {
      Points pts = new Points();
      for (RoundRecord r : stage.rounds()) {
        Double v = r.dev().get(n);
        if (v != null) pts.add(r.step(), v, false);
      }
      pts.addTo(c, n);
    }
    stage.bestDev().ifPresent(b -> {
      XYSeries s = c.addSeries(String.format("best %s %.4f (step %d)", b.metric(), b.value(), b.step()),
          new double[] {b.step()}, new double[] {b.value()});
      s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
      s.setMarker(SeriesMarkers.DIAMOND);
    });
    return nonEmpty(c);
  }

  private static Optional<XYChart> learningRate(StageRun stage, int width, int height) {
    if (!stage.recorded(LEARNING_RATE)) return Optional.empty();
    XYChart c = chart(stage.job() + ": learning rate", "optimiser step", "learning rate", width, height);
    c.getStyler().setYAxisDecimalPattern("0.0##E0");
    Points pts = new Points();
    for (RoundRecord r : stage.rounds()) pts.add(r.step(), r.number(LEARNING_RATE), false);
    pts.addTo(c, "learning rate");
    return nonEmpty(c);
  }

  private static XYChart chart(String title, String x, String y, int width, int height) {
    XYChart c = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle(x).yAxisTitle(y).build();
    XYStyler s = c.getStyler();
    s.setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    s.setSeriesColors(PALETTE);
    s.setChartBackgroundColor(Color.WHITE);
    s.setPlotBackgroundColor(Color.WHITE);
    s.setPlotBorderColor(Color.GRAY);
    s.setPlotGridLinesColor(new Color(225, 225, 225));
    s.setLegendBorderColor(Color.LIGHT_GRAY);
    s.setLegendPosition(Styler.LegendPosition.OutsideE);
    s.setYAxisLogarithmicDecadeOnly(false);
    s.setMarkerSize(6);
    return c;
  }

  private static Optional<XYChart> nonEmpty(XYChart c) {
    c.getStyler().setLegendVisible(c.getSeriesMap().size() > 1);
    return c.getSeriesMap().isEmpty() ? Optional.empty() : Optional.of(c);
  }

  /** A series' points, keeping only finite values (and, for a log axis, positive ones: XChart refuses others). */
  private static final class Points {
    private final List<Double> x = new ArrayList<>();
    private final List<Double> y = new ArrayList<>();

    void add(double px, double py, boolean logAxis) {
      if (!Double.isFinite(px) || !Double.isFinite(py) || (logAxis && py <= 0)) return;
      x.add(px);
      y.add(py);
    }

    void addTo(XYChart c, String name) {
      if (x.isEmpty()) return;
      XYSeries s = c.addSeries(name, x, y);
      s.setMarker(x.size() <= MARKERS_UP_TO ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
    }
  }
}
