/* The integrations page: delivery attempts per hour as a stacked bar chart (vendored Chart.js), from the
   json_script "integrations-chart". Everything else on the page is server-rendered forms. */
(function () {
  "use strict";

  var source = document.getElementById("integrations-chart");
  var canvas = document.getElementById("deliveries-chart");
  if (!source || !canvas || typeof window.Chart === "undefined") return;
  var data = JSON.parse(source.textContent);

  new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: data.hours,
      datasets: [
        { label: "Delivered", data: data.delivered, backgroundColor: "#2f7d4f" },
        { label: "Failed", data: data.failed, backgroundColor: "#c0392b" },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
      plugins: { legend: { position: "bottom" } },
    },
  });
})();
