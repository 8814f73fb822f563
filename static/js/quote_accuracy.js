/* The floor dashboard's quote-accuracy panel: quoted against actual wait per bucket (party size, hour of
   arrival) as grouped bars drawn by the vendored Chart.js, for the period chosen with the Today / Last 4 weeks
   buttons. The data is the page's json_script "quote-accuracy-data" (floor/views.py); the server-rendered
   tables stay in the page for screen readers and for browsers without JavaScript. */
(function () {
  "use strict";

  var source = document.getElementById("quote-accuracy-data");
  var chartsBox = document.querySelector("[data-accuracy-charts]");
  if (!source || !chartsBox || typeof window.Chart === "undefined") return;

  var periods = JSON.parse(source.textContent);
  var panel = chartsBox.closest("section") || chartsBox.parentElement;
  var toggle = panel.querySelector("[data-accuracy-toggle]");
  var buttons = panel.querySelectorAll("[data-accuracy-period]");
  var canvases = panel.querySelectorAll("[data-accuracy-chart]");
  var rootStyle = getComputedStyle(document.documentElement);

  // The legend's swatches carry floor.css's palette: the bars take their colours from them, so both agree.
  function swatchColour(kind, fallback) {
    var swatch = panel.querySelector('[data-accuracy-swatch="' + kind + '"]');
    var colour = swatch ? getComputedStyle(swatch).backgroundColor : "";
    return colour && colour !== "rgba(0, 0, 0, 0)" ? colour : fallback;
  }

  function cssVar(name, fallback) {
    return rootStyle.getPropertyValue(name).trim() || fallback;
  }

  var colours = {
    quoted: swatchColour("quoted", "#c9c3b8"),
    actual: swatchColour("actual", "#b5542b"),
    ink: cssVar("--ink-soft", "#52606d"),
    grid: cssVar("--line", "#e3ded5"),
    card: cssVar("--card", "#ffffff"),
  };
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function periodByKey(key) {
    return periods.find(function (period) {
      return period.key === key;
    });
  }

  // "1-2 guests" -> "1-2" under the bar; the tooltip keeps the whole label.
  function shortLabel(label) {
    return label.split(" ")[0];
  }

  // Each bucket's pair of bars side by side, about a third of the bucket's width each, at most 26 px: Chart.js's
  // percentages alone leave a gap inside the pair once a bar hits its maximum thickness.
  function barThickness(width, count) {
    var plotWidth = Math.max(width - 48, 60); // less the minutes axis
    return Math.max(4, Math.min(26, Math.floor((plotWidth / Math.max(count, 1)) * 0.33)));
  }

  function chartData(buckets, width) {
    var bar = {
      barThickness: barThickness(width, buckets.length),
      borderWidth: { left: 1, right: 1 }, // a hairline in the card's colour between the pair
      borderColor: colours.card,
      buckets: buckets,
    };
    return {
      labels: buckets.map(function (bucket) {
        return shortLabel(bucket.label);
      }),
      datasets: [
        Object.assign({}, bar, {
          label: "Quoted",
          data: buckets.map(function (bucket) {
            return bucket.mean_quoted;
          }),
          backgroundColor: colours.quoted,
        }),
        Object.assign({}, bar, {
          label: "Actual wait",
          data: buckets.map(function (bucket) {
            return bucket.mean_actual;
          }),
          backgroundColor: colours.actual,
        }),
      ],
    };
  }

  function chartOptions() {
    return {
      responsive: true,
      maintainAspectRatio: false,
      animation: reduceMotion ? false : { duration: 300 },
      onResize: function (chart, size) {
        var thickness = barThickness(size.width, chart.data.labels.length);
        chart.data.datasets.forEach(function (dataset) {
          dataset.barThickness = thickness;
        });
      },
      interaction: { mode: "index", intersect: false }, // one tooltip for the bucket: quoted and actual together
      plugins: {
        legend: { display: false }, // the panel's own legend, under the charts, names both colours
        tooltip: {
          callbacks: {
            title: function (items) {
              var bucket = items[0].dataset.buckets[items[0].dataIndex];
              return bucket.label + " · " + bucket.parties + (bucket.parties === 1 ? " party" : " parties");
            },
            label: function (item) {
              return item.dataset.label + ": " + item.parsed.y + " min";
            },
          },
        },
      },
      scales: {
        x: { grid: { display: false }, ticks: { color: colours.ink } },
        y: {
          beginAtZero: true,
          title: { display: true, text: "min", color: colours.ink },
          ticks: { color: colours.ink, precision: 0, maxTicksLimit: 6 },
          grid: { color: colours.grid },
          border: { display: false },
        },
      },
    };
  }

  function show(key) {
    var period = periodByKey(key);
    if (!period) return;
    buttons.forEach(function (button) {
      var active = button.dataset.accuracyPeriod === key;
      button.classList.toggle("is-active", active);
      button.setAttribute("aria-pressed", active ? "true" : "false");
    });
    panel.querySelectorAll("[data-accuracy-panel]").forEach(function (periodPanel) {
      periodPanel.hidden = periodPanel.dataset.accuracyPanel !== key;
    });
    // An empty period keeps its "no seated party yet" line and no empty axes.
    chartsBox.hidden = !period.parties;
    canvases.forEach(function (canvas) {
      var buckets = period[canvas.dataset.accuracyChart] || [];
      var chart = window.Chart.getChart(canvas);
      if (chart) {
        chart.data = chartData(buckets, canvas.parentElement.clientWidth);
        chart.update();
      } else {
        new window.Chart(canvas, {
          type: "bar",
          data: chartData(buckets, canvas.parentElement.clientWidth),
          options: chartOptions(),
        });
      }
    });
  }

  buttons.forEach(function (button) {
    button.addEventListener("click", function () {
      show(button.dataset.accuracyPeriod);
    });
  });

  toggle.hidden = false;
  panel.classList.add("accuracy-charted");
  show(periods[0].key);
})();
