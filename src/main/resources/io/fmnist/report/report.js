// The interactive charts of report.html, drawn with Apache ECharts (inlined before this script)
// from the JSON in #report-data, which RunReport writes. Every chart goes into a <div class="chart">
// placeholder of the page; the tables stay in the page for readers without JavaScript.
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('report-data').textContent);
  const classes = data.classes;
  const models = data.models;
  const charts = [];
  const percent = (x) => (100 * x).toFixed(1) + '%';
  const fixed = (x, digits) => (x === null || x === undefined ? '-' : x.toFixed(digits));

  function draw(id, option) {
    const element = document.getElementById(id);
    if (!element) {
      return null;
    }
    const chart = echarts.init(element, null, { renderer: 'canvas' });
    chart.on('finished', () => {
      // The first drawn chart's time from navigation start, read by scripts/report-open-time.sh.
      if (window.fmnistFirstChartMs === undefined) {
        window.fmnistFirstChartMs = performance.now();
      }
    });
    chart.setOption(Object.assign({ animation: false, textStyle: { fontFamily: 'DejaVu Sans, sans-serif' } }, option));
    charts.push(chart);
    return chart;
  }

  function leaderboard() {
    const names = models.map((m) => m.name);
    const low = Math.min(...models.map((m) => Math.min(m.accuracyCi[0], m.seedNotebook || 1)));
    draw('chart-leaderboard', {
      title: { text: 'Test accuracy with 95% bootstrap intervals', left: 'center' },
      tooltip: {
        trigger: 'axis',
        axisPointer: { type: 'shadow' },
        formatter: (items) => {
          const m = models[items[0].dataIndex];
          return `<b>${m.name}</b><br>accuracy ${m.accuracy.toFixed(4)} (95% CI ${m.accuracyCi[0].toFixed(4)}-`
            + `${m.accuracyCi[1].toFixed(4)})<br>macro F1 ${m.macroF1.toFixed(4)}<br>top-2 ${fixed(m.top2Accuracy, 4)}`
            + `<br>ECE ${fixed(m.expectedCalibrationError, 4)}<br>seed notebook ${fixed(m.seedNotebook, 2)}`;
        },
      },
      legend: { top: 30 },
      grid: { top: 70, left: 60, right: 30, bottom: 40 },
      xAxis: { type: 'category', data: names, axisLabel: { interval: 0 } },
      yAxis: { type: 'value', name: 'test accuracy', min: Math.floor(low * 20) / 20, max: 1,
        interval: 1 - Math.floor(low * 20) / 20 > 0.15 ? 0.05 : 0.02 },
      series: [
        { name: 'test accuracy', type: 'bar', data: models.map((m) => m.accuracy), itemStyle: { color: '#4e79a7' },
          label: { show: true, position: 'inside', color: '#fff', formatter: (p) => p.value.toFixed(4) } },
        { name: '95% interval', type: 'custom', data: models.map((m, i) => [i, m.accuracyCi[0], m.accuracyCi[1]]),
          encode: { x: 0, y: [1, 2] }, z: 10, renderItem: (params, api) => {
            const top = api.coord([api.value(0), api.value(2)]);
            const bottom = api.coord([api.value(0), api.value(1)]);
            const half = api.size([1, 0])[0] * 0.12;
            const line = (x1, y1, x2, y2) => ({ type: 'line', shape: { x1, y1, x2, y2 },
              style: { stroke: '#222', lineWidth: 1.5 } });
            return { type: 'group', children: [line(top[0], top[1], bottom[0], bottom[1]),
              line(top[0] - half, top[1], top[0] + half, top[1]),
              line(bottom[0] - half, bottom[1], bottom[0] + half, bottom[1])] };
          } },
        { name: 'seed notebook', type: 'scatter', symbol: 'diamond', symbolSize: 14, itemStyle: { color: '#e15759' },
          data: models.map((m) => (m.seedNotebook === null ? '-' : m.seedNotebook)) },
      ],
    });
  }

  function perClass() {
    draw('chart-per-class-f1', {
      title: { text: 'F1 per class (test set)', left: 'center' },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v) => v.toFixed(4) },
      legend: { top: 30 },
      grid: { top: 70, left: 60, right: 30, bottom: 30, containLabel: true },
      xAxis: { type: 'category', data: classes, axisLabel: { interval: 0, rotate: 20 } },
      yAxis: { type: 'value', name: 'F1', min: Math.floor(Math.min(...models.flatMap((m) => m.f1)) * 10) / 10, max: 1 },
      series: models.map((m) => ({ name: m.name, type: 'bar', data: m.f1 })),
    });
  }

  function calibration() {
    const calibrated = models.filter((m) => m.reliability.length > 0);
    const series = calibrated.map((m) => ({
      name: `${m.name} (ECE ${m.expectedCalibrationError.toFixed(4)})`, type: 'line', symbolSize: 7,
      data: m.reliability.filter((b) => b.images > 0).map((b) => [b.meanConfidence, b.accuracy, b.images]),
    }));
    series.push({ name: 'perfectly calibrated', type: 'line', data: [[0, 0], [1, 1]], symbol: 'none',
      lineStyle: { type: 'dashed', color: '#999' }, itemStyle: { color: '#999' } });
    draw('chart-calibration', {
      title: { text: 'Reliability: accuracy against confidence (top probability, 10 bins)', left: 'center' },
      tooltip: { trigger: 'item', formatter: (p) => (p.value.length < 3 ? p.seriesName
        : `${p.seriesName}<br>mean confidence ${percent(p.value[0])}<br>accuracy ${percent(p.value[1])}`
          + `<br>${p.value[2]} images`) },
      legend: { top: 30 },
      grid: { top: 80, left: 60, right: 30, bottom: 50 },
      xAxis: { type: 'value', name: 'confidence', nameLocation: 'middle', nameGap: 28, min: 0, max: 1 },
      yAxis: { type: 'value', name: 'accuracy', min: 0, max: 1 },
      series,
    });
  }

  function training() {
    models.filter((m) => m.history).forEach((m) => {
      const epochs = m.history.map((e) => e.epoch);
      draw('chart-training-' + m.name, {
        title: { text: `${m.name}: training curves (best epoch ${m.bestEpoch})`, left: 'center' },
        tooltip: { trigger: 'axis', valueFormatter: (v) => v.toFixed(4) },
        legend: { top: 30 },
        grid: { top: 70, left: 60, right: 60, bottom: 80 },
        dataZoom: [{ type: 'inside' }, { type: 'slider', bottom: 10 }],
        xAxis: { type: 'category', name: 'epoch', data: epochs },
        yAxis: [{ type: 'value', name: 'loss', scale: true }, { type: 'value', name: 'validation accuracy', scale: true }],
        series: [
          { name: 'training loss', type: 'line', data: m.history.map((e) => e.trainLoss) },
          { name: 'validation loss', type: 'line', data: m.history.map((e) => e.validationLoss) },
          { name: 'validation accuracy', type: 'line', yAxisIndex: 1, data: m.history.map((e) => e.validationAccuracy),
            markLine: { symbol: 'none', label: { formatter: 'best' }, data: [{ xAxis: String(m.bestEpoch) }] } },
        ],
      });
    });
  }

  function confusion() {
    const select = document.getElementById('confusion-model');
    if (!select) {
      return;
    }
    models.forEach((m) => select.add(new Option(m.name, m.name)));
    const chart = draw('chart-confusion', {});
    const show = () => {
      const m = models.find((x) => x.name === select.value);
      const cells = [];
      m.confusion.forEach((row, t) => {
        const total = row.reduce((a, b) => a + b, 0);
        row.forEach((count, p) => cells.push([p, t, count, total ? count / total : 0]));
      });
      chart.setOption({
        animation: false,
        title: { text: `${m.name}: confusion matrix (click a cell for its images)`, left: 'center' },
        tooltip: { position: 'top', className: 'fmnist-tooltip', formatter: (p) => `true <b>${classes[p.value[1]]}</b>, `
          + `predicted <b>${classes[p.value[0]]}</b>: <span class="count">${p.value[2]}</span> images `
          + `(${percent(p.value[3])} of ${classes[p.value[1]]})` },
        grid: { top: 50, left: 40, right: 90, bottom: 50, containLabel: true },
        xAxis: { type: 'category', data: classes, name: 'predicted class', nameLocation: 'middle', nameGap: 55,
          position: 'bottom', axisLabel: { interval: 0, rotate: 30 }, splitArea: { show: true } },
        yAxis: { type: 'category', data: classes, name: 'true class', nameLocation: 'middle', nameGap: 80,
          inverse: true, axisLabel: { interval: 0 }, splitArea: { show: true } },
        visualMap: { dimension: 3, min: 0, max: 1, calculable: false, orient: 'vertical', right: 0, top: 'middle',
          text: ['row share 1', '0'], inRange: { color: ['#f7fbff', '#c6dbef', '#6baed6', '#2171b5', '#08306b'] } },
        series: [{ name: 'confusion', type: 'heatmap', data: cells, label: { show: true, formatter: (p) => p.value[2] },
          emphasis: { itemStyle: { borderColor: '#e15759', borderWidth: 2 } } }],
      }, true);
      explore(m, null, null);
    };
    chart.on('click', (p) => explore(models.find((x) => x.name === select.value), p.value[1], p.value[0]));
    select.addEventListener('change', show);
    show();
  }

  // The misclassified images behind one confusion cell, most confident first, up to the cap.
  function explore(m, trueClass, predicted) {
    const panel = document.getElementById('explorer');
    panel.textContent = '';
    const heading = document.createElement('p');
    panel.appendChild(heading);
    if (trueClass === null) {
      heading.textContent = 'Click a cell of the matrix to see its test images.';
      return;
    }
    const count = m.confusion[trueClass][predicted];
    const cell = `true ${classes[trueClass]}, predicted ${classes[predicted]}`;
    if (trueClass === predicted) {
      heading.textContent = `${cell}: ${count} images classified correctly; the explorer shows misclassified images.`;
      return;
    }
    const examples = m.misclassified[trueClass + ',' + predicted] || [];
    heading.textContent = `${cell}: ${count} images; ${examples.length} shown, the most confident first `
      + `(at most ${data.examplesPerCell} per cell).`;
    examples.forEach(([id, confidence]) => {
      const figure = document.createElement('figure');
      figure.className = 'thumb';
      const thumbnail = data.thumbnails[id];
      if (thumbnail) {
        const image = document.createElement('img');
        image.src = thumbnail;
        image.alt = `test image ${id}`;
        figure.appendChild(image);
      }
      const caption = document.createElement('figcaption');
      caption.textContent = `#${id} · ${m.probabilities ? percent(confidence) : 'score ' + confidence.toFixed(2)}`;
      const gradCam = m.gradCam[id];
      if (gradCam) {
        caption.appendChild(document.createElement('br'));
        const link = document.createElement('a');
        link.href = gradCam;
        link.textContent = 'Grad-CAM';
        caption.appendChild(link);
      }
      figure.appendChild(caption);
      panel.appendChild(figure);
    });
  }

  leaderboard();
  perClass();
  calibration();
  training();
  confusion();
  window.addEventListener('resize', () => charts.forEach((c) => c.resize()));
})();
