/* The warning dashboard's charts (Apache ECharts, static/vendor/echarts): open cases by level × channel as
   stacked bars, registered vs resolved over 30 days as lines. Their data is the JSON in #dashboard-data,
   which the page's own refresh (htmx, every minute) replaces; each bar and point opens the filtered case list. */
(function () {
  "use strict";
  var bars = null;
  var lines = null;
  var data = null;

  function read() {
    var el = document.getElementById("dashboard-data");
    return el ? JSON.parse(el.textContent) : null;
  }

  function go(params) {
    var query = Object.keys(params).map(function (k) {
      return encodeURIComponent(k) + "=" + encodeURIComponent(params[k]);
    }).join("&");
    window.location.href = data.list + "?" + query;
  }

  function render() {
    data = read();
    var levelsEl = document.getElementById("chart-levels");
    var daysEl = document.getElementById("chart-days");
    if (!data || !window.echarts || !levelsEl || !daysEl) return;
    if (!bars) {
      bars = window.echarts.init(levelsEl);
      lines = window.echarts.init(daysEl);
      bars.on("click", function (p) {
        var level = data.levels[p.seriesIndex];
        go({ open: 1, lv: level.level, channel: data.channel_keys[p.dataIndex] });
      });
      lines.on("click", function (p) {
        var day = data.dates[p.dataIndex];
        if (p.seriesIndex === 0) go({ registered_from: day, registered_to: day });
        else go({ concluded_from: day, concluded_to: day });
      });
      window.addEventListener("resize", function () { bars.resize(); lines.resize(); });
    }
    bars.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, type: "scroll" },
      grid: { left: 40, right: 10, top: 36, bottom: 40 },
      xAxis: { type: "category", data: data.channels, axisLabel: { interval: 0, rotate: data.channels.length > 4 ? 30 : 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: data.levels.map(function (l) {
        return { name: l.label, type: "bar", stack: "open", itemStyle: { color: l.colour }, data: l.cells,
                 cursor: "pointer", emphasis: { focus: "series" } };
      })
    });
    lines.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: [data.labels.registered, data.labels.resolved] },
      grid: { left: 40, right: 10, top: 36, bottom: 30 },
      xAxis: { type: "category", data: data.days, boundaryGap: false },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: data.labels.registered, type: "line", data: data.registered, itemStyle: { color: "#0b5cad" }, symbolSize: 7, triggerLineEvent: true },
        { name: data.labels.resolved, type: "line", data: data.resolved, itemStyle: { color: "#2e7d32" }, symbolSize: 7, triggerLineEvent: true }
      ]
    });
    document.documentElement.dataset.dashboardRendered = String(Date.now());
  }

  document.addEventListener("DOMContentLoaded", render);
  document.addEventListener("htmx:afterSwap", function (e) {
    if (e.detail && e.detail.target && e.detail.target.id === "dashboard-live") render();
  });
})();
