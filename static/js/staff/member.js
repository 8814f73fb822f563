/* A staff member's page (templates/staff/member.html): six-month trend lines drawn by the vendored Chart.js
   from the json_script "staff-trends"; the table under the charts lists the same figures. */
(function () {
  "use strict";

  var source = document.getElementById("staff-trends");
  if (!source || typeof window.Chart === "undefined") return;
  var trends = JSON.parse(source.textContent);
  var labels = trends.map(function (point) { return point.month; });
  var scale = { tip_pct: 100 };

  document.querySelectorAll("[data-trend-chart]").forEach(function (canvas) {
    var key = canvas.dataset.trendChart;
    var factor = scale[key] || 1;
    new window.Chart(canvas, {
      type: key === "covers" ? "bar" : "line",
      data: {
        labels: labels,
        datasets: [{
          label: canvas.getAttribute("aria-label"),
          data: trends.map(function (point) {
            return point[key] === null ? null : Math.round(point[key] * factor * 100) / 100;
          }),
          borderColor: "#b5542b",
          backgroundColor: key === "covers" ? "#d9a48a" : "rgba(181, 84, 43, 0.15)",
          spanGaps: true,
          tension: 0.25,
        }],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: key === "covers" } },
      },
    });
  });
})();
