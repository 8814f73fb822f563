/* Hours per person against their desired range, drawn with the vendored Chart.js from the page's
   json_script data (the same figures are listed in a table for screen readers and without script). */
(function () {
  "use strict";
  var canvas = document.getElementById("hours-chart");
  var source = document.getElementById("sched-chart-data");
  if (!canvas || !source || typeof window.Chart === "undefined") return;
  var people = JSON.parse(source.textContent).people || [];
  if (!people.length) return;
  canvas.parentElement.style.height = Math.max(220, people.length * 18) + "px";
  var chart = new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: people.map(function (p) { return p.name; }),
      datasets: [
        { label: "Scheduled hours", data: people.map(function (p) { return p.hours; }), backgroundColor: "#4f7cac" },
        { label: "Desired minimum", data: people.map(function (p) { return p.min_hours; }), backgroundColor: "#c9d6e6" },
        { label: "Most they will work", data: people.map(function (p) { return p.max_hours; }), backgroundColor: "#eedcc0" },
      ],
    },
    options: {
      indexAxis: "y",
      maintainAspectRatio: false,
      animation: false,
      scales: { x: { title: { display: true, text: "hours this week" } } },
    },
  });
  canvas.dataset.chartReady = String(chart.data.datasets.length);
})();
