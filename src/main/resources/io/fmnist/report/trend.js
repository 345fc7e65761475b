// trend.html: each model's test accuracy night by night, with its 95% interval and the champion
// gate's verdict on hover, drawn with Apache ECharts (inlined before this script) from #trend-data.
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('trend-data').textContent);
  const element = document.getElementById('chart-trend');
  const chart = echarts.init(element, null, { renderer: 'canvas' });
  chart.on('finished', () => {
    if (window.fmnistFirstChartMs === undefined) {
      window.fmnistFirstChartMs = performance.now();
    }
  });
  const values = data.series.flatMap((s) => s.points.filter((p) => p).map((p) => p.low));
  chart.setOption({
    animation: false,
    title: { text: 'Test accuracy, night by night', left: 'center' },
    tooltip: {
      trigger: 'item',
      formatter: (p) => {
        const point = data.series[p.seriesIndex].points[p.dataIndex];
        return `<b>${data.series[p.seriesIndex].model}</b>, ${data.runs[p.dataIndex]}<br>accuracy `
          + `${point.accuracy.toFixed(4)} (95% CI ${point.low.toFixed(4)}-${point.high.toFixed(4)})<br>`
          + `${point.promoted ? 'promoted to champion' : 'not promoted'}: ${point.reason}`;
      },
    },
    legend: { top: 30 },
    grid: { top: 70, left: 60, right: 30, bottom: 110 },
    dataZoom: [{ type: 'inside' }, { type: 'slider', bottom: 10 }],
    xAxis: { type: 'category', data: data.runs, axisLabel: { rotate: 30 } },
    yAxis: { type: 'value', name: 'test accuracy', min: Math.floor(Math.min(...values) * 50) / 50, max: 1 },
    series: data.series.map((s) => ({
      name: s.model, type: 'line', connectNulls: true, symbolSize: 8,
      data: s.points.map((p) => (p ? { value: p.accuracy, symbol: p.promoted ? 'diamond' : 'circle',
        symbolSize: p.promoted ? 14 : 8 } : null)),
    })),
  });
  window.addEventListener('resize', () => chart.resize());
})();
