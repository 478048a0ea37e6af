/* 研判预警: the heat grid (towns × dispute types) and the trend lines with their baseline band. */
(function () {
  "use strict";
  function colour(rise, max) {
    // white at the baseline (rise ≤ 1), deepening to red at the largest rise
    var t = Math.max(0, Math.min(1, (rise - 1) / Math.max(1, max - 1)));
    var g = Math.round(245 - 190 * t), b = Math.round(240 - 200 * t);
    return "rgb(" + Math.round(250 - 30 * t) + "," + g + "," + b + ")";
  }
  function init() {
    var node = document.getElementById("risk-charts");
    if (!node || !window.echarts) return;
    var charts = JSON.parse(node.textContent), made = [];
    var heat = charts.heat, box = document.getElementById("risk-heat");
    if (box && heat.data.length) {
      var chart = echarts.init(box);
      var cellW = Math.max(18, (box.clientWidth - 110) / Math.max(1, heat.types.length));
      chart.setOption({
        tooltip: {
          formatter: function (p) {
            var d = p.data.value;
            return heat.towns[d[1]] + " · " + heat.types[d[0]] + "<br>" + heat.label_k7 + " " + d[3] +
              "<br>" + heat.label_base + " " + d[4] + "<br>" + heat.label_rise + " " + d[2];
          }
        },
        grid: { left: 90, right: 10, top: 10, bottom: 70 },
        xAxis: { type: "category", data: heat.types, axisLabel: { rotate: 45, interval: 0 }, splitArea: { show: true } },
        yAxis: { type: "category", data: heat.towns, inverse: true, axisLabel: { interval: 0, width: 80, overflow: "truncate" } },
        series: [{
          type: "scatter", symbol: "rect", symbolSize: [cellW - 2, 26],
          data: heat.data.map(function (d) { return { value: d, itemStyle: { color: colour(d[2], heat.max), borderColor: "#ccc" } }; }),
          label: { show: true, formatter: function (p) { return p.data.value[3]; }, color: "#212529" }
        }]
      });
      chart.on("click", function (p) {
        var link = heat.links[p.data.value[0] + "," + p.data.value[1]];
        if (link) window.location.href = link;
      });
      made.push(chart);
    }
    document.querySelectorAll(".risk-trend").forEach(function (el) {
      var t = charts.trend[+el.dataset.index];
      if (!t) return;
      var c = echarts.init(el), n = t.weekly.length;
      function flat(v) { var a = []; for (var i = 0; i < n; i++) a.push(v); return a; }
      c.setOption({
        tooltip: { trigger: "axis" },
        grid: { left: 30, right: 10, top: 20, bottom: 25 },
        xAxis: { type: "category", data: charts.weeks, axisLabel: { fontSize: 10 } },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: "low", type: "line", data: flat(t.low), stack: "band", symbol: "none", lineStyle: { opacity: 0 }, tooltip: { show: false } },
          { name: charts.labels.band, type: "line", data: flat(Math.round((t.high - t.low) * 100) / 100), stack: "band", symbol: "none",
            lineStyle: { opacity: 0 }, areaStyle: { color: "rgba(21,101,192,0.15)" } },
          { name: charts.labels.baseline, type: "line", data: flat(t.baseline), symbol: "none", lineStyle: { type: "dashed", color: "#1565c0" } },
          { name: charts.labels.count, type: "line", data: t.weekly, color: "#c62828" }
        ]
      });
      c.on("click", function () { window.location.href = t.link; });
      made.push(c);
    });
    window.addEventListener("resize", function () { made.forEach(function (c) { c.resize(); }); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
