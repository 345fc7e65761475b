package io.fmnist.report;

import io.fmnist.deep.TrainingHistory;
import io.fmnist.eval.Leaderboard;
import io.fmnist.eval.ModelMetrics;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.geom.Rectangle2D;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.DatasetRenderingOrder;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYBarDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/** The report's plots and the nightly trend, drawn with JFreeChart (headless) and encoded as PNG. */
public final class Charts {

  private static final Color GRID = new Color(0xDDDDDD);
  private static final Color BAR = new Color(0x4C72B0);
  private static final Color SEED = new Color(0xDD8452);
  /** Matplotlib's "tab10", one colour per model. */
  private static final Color[] MODELS = {new Color(0x1F77B4), new Color(0xFF7F0E), new Color(0x2CA02C),
      new Color(0xD62728), new Color(0x9467BD), new Color(0x8C564B), new Color(0xE377C2), new Color(0x7F7F7F),
      new Color(0xBCBD22), new Color(0x17BECF)};

  private Charts() {}

  /** A chart as PNG bytes. */
  public static byte[] png(JFreeChart chart, int width, int height) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ChartUtils.writeChartAsPNG(out, chart, width, height);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode the chart '" + chart.getTitle().getText() + "'", e);
    }
    return out.toByteArray();
  }

  /**
   * The confusion matrix as a heatmap: true class down, predicted class across, each cell
   * coloured by its share of the true class (so that rows of different sizes compare) and
   * labelled with its count.
   */
  static JFreeChart confusion(ModelMetrics metrics) {
    String[] names = metrics.perClass().stream().map(ModelMetrics.ClassMetrics::name).toArray(String[]::new);
    long[][] counts = metrics.confusionMatrix();
    int k = names.length;
    double[][] cells = new double[3][k * k];
    for (int truth = 0; truth < k; truth++) {
      long support = Math.max(1, Arrays.stream(counts[truth]).sum());
      for (int predicted = 0; predicted < k; predicted++) {
        int i = truth * k + predicted;
        cells[0][i] = predicted;
        cells[1][i] = truth;
        cells[2][i] = (double) counts[truth][predicted] / support;
      }
    }
    DefaultXYZDataset dataset = new DefaultXYZDataset();
    dataset.addSeries("share of the true class", cells);
    XYBlockRenderer renderer = new XYBlockRenderer();
    renderer.setPaintScale(new BluesScale());
    SymbolAxis predictedAxis = new SymbolAxis("predicted class", names);
    predictedAxis.setVerticalTickLabels(true);
    predictedAxis.setGridBandsVisible(false);
    SymbolAxis trueAxis = new SymbolAxis("true class", names);
    trueAxis.setInverted(true);
    trueAxis.setGridBandsVisible(false);
    XYPlot plot = new XYPlot(dataset, predictedAxis, trueAxis, renderer);
    plot.setDomainGridlinesVisible(false);
    plot.setRangeGridlinesVisible(false);
    Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    for (int i = 0; i < k * k; i++) {
      long count = counts[(int) cells[1][i]][(int) cells[0][i]];
      XYTextAnnotation label = new XYTextAnnotation(Long.toString(count), cells[0][i], cells[1][i]);
      label.setFont(font);
      label.setPaint(cells[2][i] > 0.35 ? Color.WHITE : Color.BLACK);
      plot.addAnnotation(label);
    }
    JFreeChart chart = new JFreeChart(metrics.model() + ": confusion matrix (test set)", plot);
    chart.removeLegend();
    return styled(chart);
  }

  /** Training loss, validation loss and validation accuracy per epoch, the best epoch marked. */
  static JFreeChart trainingCurves(TrainingHistory history) {
    XYSeries trainLoss = new XYSeries("training loss");
    XYSeries validationLoss = new XYSeries("validation loss");
    XYSeries validationAccuracy = new XYSeries("validation accuracy");
    for (TrainingHistory.Epoch epoch : history.epochs()) {
      trainLoss.add(epoch.epoch(), epoch.trainLoss());
      validationLoss.add(epoch.epoch(), epoch.validationLoss());
      validationAccuracy.add(epoch.epoch(), epoch.validationAccuracy());
    }
    XYSeriesCollection losses = new XYSeriesCollection(trainLoss);
    losses.addSeries(validationLoss);
    NumberAxis lossAxis = new NumberAxis("loss");
    lossAxis.setAutoRangeIncludesZero(false);
    XYPlot lossPlot = new XYPlot(losses, null, lossAxis, new XYLineAndShapeRenderer(true, true));
    NumberAxis accuracyAxis = new NumberAxis("validation accuracy");
    accuracyAxis.setAutoRangeIncludesZero(false);
    XYLineAndShapeRenderer accuracyRenderer = new XYLineAndShapeRenderer(true, true);
    accuracyRenderer.setSeriesPaint(0, new Color(0x55A868));
    XYPlot accuracyPlot = new XYPlot(new XYSeriesCollection(validationAccuracy), null, accuracyAxis,
        accuracyRenderer);
    NumberAxis epochAxis = new NumberAxis("epoch");
    epochAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    CombinedDomainXYPlot plot = new CombinedDomainXYPlot(epochAxis);
    plot.add(lossPlot, 1);
    plot.add(accuracyPlot, 1);
    TrainingHistory.Epoch best = history.best();
    if (best != null) {
      ValueMarker marker = new ValueMarker(best.epoch(), Color.GRAY, new BasicStroke(1f));
      marker.setLabel("best epoch " + best.epoch());
      marker.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
      marker.setLabelOffset(new RectangleInsets(12, 40, 0, 0));
      accuracyPlot.addDomainMarker(marker);
    }
    return styled(new JFreeChart(history.model() + ": training curves", plot));
  }

  /** Test accuracy per model with its 95% bootstrap interval, and the seed notebook's figure. */
  static JFreeChart leaderboard(Leaderboard leaderboard) {
    List<Leaderboard.Entry> models = leaderboard.models();
    YIntervalSeries accuracy = new YIntervalSeries("test accuracy, 95% interval");
    XYSeries seed = new XYSeries("seed notebook");
    double low = 1;
    for (int i = 0; i < models.size(); i++) {
      Leaderboard.Entry e = models.get(i);
      accuracy.add(i, e.accuracy(), e.accuracyCi().low(), e.accuracyCi().high());
      low = Math.min(low, e.accuracyCi().low());
      if (e.seedNotebook() != null) {
        seed.add(i, e.seedNotebook());
        low = Math.min(low, e.seedNotebook());
      }
    }
    YIntervalSeriesCollection intervals = new YIntervalSeriesCollection();
    intervals.addSeries(accuracy);
    SymbolAxis modelAxis = new SymbolAxis("model",
        models.stream().map(Leaderboard.Entry::model).toArray(String[]::new));
    modelAxis.setGridBandsVisible(false);
    NumberAxis accuracyAxis = new NumberAxis("test accuracy");
    // The differences that matter are a few points: start the axis just below the lowest figure.
    accuracyAxis.setRange(Math.max(0, Math.floor(low * 50 - 1) / 50), 1);
    // Ticks every 0.02 or 0.05, not JFreeChart's every 0.01 over such a range.
    accuracyAxis.setTickUnit(new NumberTickUnit(1 - accuracyAxis.getLowerBound() > 0.2 ? 0.05 : 0.02));
    XYBarRenderer bars = new XYBarRenderer();
    bars.setBarPainter(new StandardXYBarPainter());
    bars.setShadowVisible(false);
    bars.setSeriesPaint(0, BAR);
    XYPlot plot = new XYPlot(new XYBarDataset(intervals, 0.6), modelAxis, accuracyAxis, bars);
    XYErrorRenderer errors = new XYErrorRenderer();
    errors.setDrawXError(false);
    errors.setErrorPaint(Color.BLACK);
    errors.setErrorStroke(new BasicStroke(1.5f));
    errors.setCapLength(10);
    errors.setSeriesPaint(0, Color.BLACK);
    errors.setSeriesVisibleInLegend(0, false);
    plot.setDataset(1, intervals);
    plot.setRenderer(1, errors);
    XYLineAndShapeRenderer seedMarks = new XYLineAndShapeRenderer(false, true);
    seedMarks.setSeriesPaint(0, SEED);
    seedMarks.setSeriesShape(0, new Rectangle2D.Double(-14, -2, 28, 4));
    plot.setDataset(2, new XYSeriesCollection(seed));
    plot.setRenderer(2, seedMarks);
    // Bars first, then the intervals and the seed's marks over them.
    plot.setDatasetRenderingOrder(DatasetRenderingOrder.FORWARD);
    return styled(new JFreeChart("Test accuracy by model", plot));
  }

  /** F1 per class, one bar per model, to show which classes each model confuses. */
  static JFreeChart perClassF1(List<ModelMetrics> models) {
    DefaultCategoryDataset dataset = new DefaultCategoryDataset();
    double low = 1;
    for (ModelMetrics model : models) {
      for (ModelMetrics.ClassMetrics c : model.perClass()) {
        dataset.addValue(c.f1(), model.model(), c.name());
        low = Math.min(low, c.f1());
      }
    }
    JFreeChart chart = ChartFactory.createBarChart("F1 per class and model (test set)", "class", "F1", dataset);
    CategoryPlot plot = chart.getCategoryPlot();
    // Class names on up to two lines: rotated or single-line labels were cut ("T-shirt/t...").
    plot.getDomainAxis().setCategoryLabelPositions(CategoryLabelPositions.STANDARD);
    plot.getDomainAxis().setMaximumCategoryLabelLines(2);
    ((NumberAxis) plot.getRangeAxis()).setRange(Math.max(0, Math.floor(low * 10 - 0.5) / 10), 1);
    ((NumberAxis) plot.getRangeAxis()).setTickUnit(new NumberTickUnit(0.05));
    BarRenderer renderer = (BarRenderer) plot.getRenderer();
    renderer.setBarPainter(new StandardBarPainter());
    renderer.setShadowVisible(false);
    renderer.setItemMargin(0.05);
    for (int i = 0; i < models.size(); i++) {
      renderer.setSeriesPaint(i, MODELS[i % MODELS.length]);
    }
    return styled(chart);
  }

  /**
   * Each model's test accuracy over the nightly runs ({@code runs} oldest first;
   * {@code accuracy} by model, then by run, missing where a run did not train that model).
   */
  public static JFreeChart trend(List<String> runs, Map<String, Map<String, Double>> accuracy) {
    XYSeriesCollection series = new XYSeriesCollection();
    accuracy.forEach((model, byRun) -> {
      XYSeries one = new XYSeries(model);
      for (int i = 0; i < runs.size(); i++) {
        Double value = byRun.get(runs.get(i));
        if (value != null) {
          one.add(i, value);
        }
      }
      series.addSeries(one);
    });
    SymbolAxis runAxis = new SymbolAxis("nightly run", runs.toArray(String[]::new));
    runAxis.setVerticalTickLabels(true);
    runAxis.setGridBandsVisible(false);
    NumberAxis accuracyAxis = new NumberAxis("test accuracy");
    accuracyAxis.setAutoRangeIncludesZero(false);
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < accuracy.size(); i++) {
      renderer.setSeriesPaint(i, MODELS[i % MODELS.length]);
    }
    return styled(new JFreeChart("Test accuracy, night by night", new XYPlot(series, runAxis, accuracyAxis, renderer)));
  }

  /** White background, light grid: the same look for every plot. */
  private static JFreeChart styled(JFreeChart chart) {
    chart.setBackgroundPaint(Color.WHITE);
    Plot plot = chart.getPlot();
    plot.setBackgroundPaint(Color.WHITE);
    if (plot instanceof XYPlot xy) {
      gridlines(xy);
    } else if (plot instanceof CombinedDomainXYPlot combined) {
      combined.getSubplots().forEach(subplot -> gridlines((XYPlot) subplot));
    } else if (plot instanceof CategoryPlot category) {
      category.setRangeGridlinePaint(GRID);
    }
    return chart;
  }

  private static void gridlines(XYPlot plot) {
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(GRID);
    plot.setRangeGridlinePaint(GRID);
  }

  /** White to dark blue over [0, 1]. */
  private static final class BluesScale implements PaintScale {
    @Override
    public double getLowerBound() {
      return 0;
    }

    @Override
    public double getUpperBound() {
      return 1;
    }

    @Override
    public Paint getPaint(double value) {
      double t = Math.max(0, Math.min(1, value));
      // sqrt spreads the small off-diagonal shares, which are what one reads a confusion matrix for.
      t = Math.sqrt(t);
      return new Color((int) (247 - t * (247 - 8)), (int) (251 - t * (251 - 48)), (int) (255 - t * (255 - 107)));
    }
  }
}
