/**
 * The report's charts, as browser code inlined into the page: it reads the JSON embedded in
 * `#report-data` and draws, with the bundled Chart.js, the loss curves, ‖∂L/∂h(t)‖ by step and one
 * heatmap (chartjs-chart-matrix) per gradient-flow series recorded over training iterations. When done
 * it sets `window.cellgradReport = { charts }` (the number of charts drawn).
 */

/** Colour stops of the heatmap (viridis), shared with the page's colour-bar CSS. */
export const HEAT_STOPS: readonly string[] = ['#440154', '#3b528b', '#21918c', '#5ec962', '#fde725'];

/** Browser code (plain ES2017, no template literals); `HEAT_STOPS` is prepended as a constant. */
export const CHARTS_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var palette = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
  var charts = 0;
  Chart.defaults.animation = false;
  Chart.defaults.font.family = 'system-ui, sans-serif';
  Chart.defaults.maintainAspectRatio = false;

  // On a log axis, label the powers of ten only (1e-5, 1e-4, ...) and 1, 2, 5 times them when few.
  function powerOfTen(v) {
    var l = Math.log10(v), r = Math.round(l);
    if (Math.abs(l - r) < 1e-9) return r >= -2 && r <= 3 ? String(Math.pow(10, r)) : '1e' + r;
    var m = v / Math.pow(10, Math.floor(l));
    return Math.abs(m - 2) < 1e-9 || Math.abs(m - 5) < 1e-9 ? (r >= -2 && r <= 3 ? String(Number(v.toPrecision(1))) : '') : '';
  }
  // Markers on short series, so that a curve of one point still shows.
  function dots(n) { return n <= 40 ? 3 : 0; }
  function positive(values) { return values.length > 0 && values.every(function (v) { return v > 0; }); }
  function line(canvas, datasets, xTitle, yTitle, logY) {
    new Chart(canvas, {
      type: 'line',
      data: { datasets: datasets },
      options: {
        parsing: false, normalized: true,
        elements: { point: { radius: 0 }, line: { borderWidth: 1.8, tension: 0 } },
        interaction: { mode: 'nearest', intersect: false },
        scales: {
          x: { type: 'linear', title: { display: true, text: xTitle } },
          y: { type: logY ? 'logarithmic' : 'linear', title: { display: true, text: yTitle }, ticks: logY ? { callback: powerOfTen } : {} }
        },
        plugins: { legend: { position: 'bottom' } }
      }
    });
    charts++;
  }

  var loss = document.getElementById('loss-chart');
  if (loss && data.lossCurves) {
    var ys = [];
    var sets = data.lossCurves.map(function (c, k) {
      c.points.forEach(function (p) { ys.push(p[1]); });
      return { label: c.name, borderColor: palette[k % palette.length], backgroundColor: palette[k % palette.length],
        pointRadius: dots(c.points.length), data: c.points.map(function (p) { return { x: p[0], y: p[1] }; }) };
    });
    line(loss, sets, 'iteration', 'loss', positive(ys));
  }

  var flow = document.getElementById('flow-chart');
  if (flow && data.flow) {
    var fs = data.flow.map(function (s, k) {
      return { label: s.name, borderColor: palette[k % palette.length], backgroundColor: palette[k % palette.length],
        pointRadius: dots(s.norms.length), data: s.norms.map(function (v, t) { return { x: t, y: v }; }) };
    });
    var all = [];
    data.flow.forEach(function (s) { all = all.concat(s.norms); });
    line(flow, fs, 'time step t', '‖∂L/∂h(t)‖', positive(all));
  }

  function mix(a, b, f) {
    var pa = parseInt(a.slice(1), 16), pb = parseInt(b.slice(1), 16);
    var r = [16, 8, 0].map(function (s) { var x = (pa >> s) & 255, y = (pb >> s) & 255; return Math.round(x + (y - x) * f); });
    return 'rgb(' + r.join(',') + ')';
  }
  function heat(f) {
    var x = Math.min(Math.max(f, 0), 1) * (HEAT_STOPS.length - 1);
    var i = Math.min(Math.floor(x), HEAT_STOPS.length - 2);
    return mix(HEAT_STOPS[i], HEAT_STOPS[i + 1], x - i);
  }

  // Ticks at the cell centres 0..n-1 (at most about 20 of them), not at the axis ends ±0.5.
  function integerTicks(n) {
    var every = Math.max(1, Math.ceil(n / 20));
    return function (axis) {
      var ticks = [];
      for (var i = 0; i < n; i += every) ticks.push({ value: i });
      axis.ticks = ticks;
    };
  }

  document.querySelectorAll('canvas.heatmap').forEach(function (canvas) {
    var s = data.flow[Number(canvas.dataset.series)];
    var rows = s.byIteration, iters = s.iterations || rows.map(function (_, i) { return i; });
    var steps = rows.reduce(function (m, r) { return Math.max(m, r.length); }, 0);
    var cells = [], logs = [];
    rows.forEach(function (r, i) {
      r.forEach(function (v, t) {
        var l = v > 0 ? Math.log10(v) : null;
        if (l !== null) logs.push(l);
        cells.push({ x: t, y: i, v: v, l: l });
      });
    });
    var lo = logs.length ? Math.min.apply(null, logs) : 0, hi = logs.length ? Math.max.apply(null, logs) : 0, span = hi - lo || 1;
    new Chart(canvas, {
      type: 'matrix',
      data: { datasets: [{
        label: s.name, data: cells, borderWidth: 0,
        backgroundColor: function (c) { var d = c.raw; return d && d.l !== null ? heat((d.l - lo) / span) : '#cccccc'; },
        width: function (c) { var a = c.chart.chartArea; return a ? a.width / steps : 10; },
        height: function (c) { var a = c.chart.chartArea; return a ? a.height / rows.length : 10; }
      }] },
      options: {
        scales: {
          x: { type: 'linear', min: -0.5, max: steps - 0.5, offset: false, title: { display: true, text: 'time step t' },
            afterBuildTicks: integerTicks(steps), grid: { display: false } },
          y: { type: 'linear', min: -0.5, max: rows.length - 0.5, offset: false, title: { display: true, text: 'training iteration' },
            afterBuildTicks: integerTicks(rows.length), ticks: { callback: function (v) { return iters[v] !== undefined ? iters[v] : ''; } },
            grid: { display: false } }
        },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: {
            title: function () { return s.name; },
            label: function (c) { return 'step ' + c.raw.x + ', iteration ' + iters[c.raw.y] + ': ' + Number(c.raw.v).toExponential(3); }
          } }
        }
      }
    });
    var bar = canvas.closest('.heatmap-card').querySelector('.colour-bar');
    if (bar) {
      bar.querySelector('.lo').textContent = Math.pow(10, lo).toExponential(2);
      bar.querySelector('.hi').textContent = Math.pow(10, hi).toExponential(2);
    }
    charts++;
  });
  window.cellgradReport = { charts: charts };
})();
`;
