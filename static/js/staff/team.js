/* The team page (templates/staff/team.html): sort and filter the table, the tier doughnut (vendored Chart.js),
   "Recalculate now" with live progress (POST .../recalculate-tiers, then poll .../tier-jobs/{id}), and a
   manager's tier lock (POST .../staff/{id}/tier). Data from the json_script "staff-team-config". */
(function () {
  "use strict";

  var source = document.getElementById("staff-team-config");
  if (!source) return;
  var config = JSON.parse(source.textContent);
  var table = document.querySelector("[data-team-table]");
  var statusBox = document.querySelector("[data-job-status]");
  var bar = document.querySelector("[data-job-progress]");
  var button = document.querySelector("[data-recalculate]");

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function api(method, path, body) {
    return fetch(config.apiBase + path, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
      body: body ? JSON.stringify(body) : undefined,
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error((data.error && data.error.message) || "HTTP " + response.status);
        return data;
      });
    });
  }

  // --- the tier chart ---
  var chart = null;
  var canvas = document.getElementById("tier-chart");
  if (canvas && typeof window.Chart !== "undefined") {
    chart = new window.Chart(canvas, {
      type: "doughnut",
      data: {
        labels: config.tiers.map(function (t) { return t.label; }),
        datasets: [{ data: config.tiers.map(function (t) { return t.count; }), backgroundColor: ["#2f7d4f", "#9aa5b1", "#d9822b"] }],
      },
      options: { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { position: "right" } } },
    });
  }

  // --- sorting and filtering ---
  if (table) {
    var body = table.querySelector("tbody");
    table.querySelectorAll("button.sort").forEach(function (head) {
      head.addEventListener("click", function () {
        var key = head.dataset.sort;
        var numeric = head.dataset.type === "num";
        var ascending = head.getAttribute("aria-sort") !== "ascending";
        table.querySelectorAll("button.sort").forEach(function (other) { other.removeAttribute("aria-sort"); });
        head.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var attr = key.replace(/_([a-z])/g, function (_, c) { return c.toUpperCase(); });
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.dataset[attr] || "", y = b.dataset[attr] || "";
          var order;
          if (numeric) {
            // Rows without the figure go last either way.
            if (x === "" || y === "") return (x === "") - (y === "");
            order = parseFloat(x) - parseFloat(y);
          } else {
            order = x.localeCompare(y);
          }
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });

    var filters = document.querySelectorAll("[data-filter]");
    var empty = document.querySelector("[data-empty-filter]");
    function applyFilters() {
      var shown = 0;
      Array.prototype.forEach.call(body.rows, function (row) {
        var visible = Array.prototype.every.call(filters, function (select) {
          return !select.value || row.dataset[select.dataset.filter] === select.value;
        });
        row.hidden = !visible;
        if (visible) shown += 1;
      });
      if (empty) empty.hidden = shown > 0;
    }
    filters.forEach(function (select) { select.addEventListener("change", applyFilters); });

    // --- tier lock ---
    body.addEventListener("click", function (event) {
      var target = event.target;
      if (!target.matches("[data-lock], [data-unlock]")) return;
      var row = target.closest("tr");
      var tier = row.querySelector("[data-lock-tier]").value;
      var locked = target.hasAttribute("data-lock");
      target.disabled = true;
      api("POST", "/staff/" + row.dataset.staffId + "/tier", { tier: tier, locked: locked })
        .then(function () { window.location.reload(); })
        .catch(function (error) { target.disabled = false; statusBox.textContent = "Could not set the tier: " + error.message; });
    });
  }

  var picker = document.querySelector("[data-auto-submit]");
  if (picker) picker.addEventListener("change", function () { picker.form.submit(); });

  // --- recalculate now, with live progress ---
  function show(job) {
    var done = job.status === "done", failed = job.status === "failed";
    bar.hidden = done || failed;
    bar.value = job.percent;
    if (done) {
      var tiers = job.result && job.result.tiers ? job.result.tiers : {};
      statusBox.textContent = "Done: " + (job.result.staff_scored || 0) + " scored (strong " + (tiers.strong || 0) +
        ", standard " + (tiers.standard || 0) + ", developing " + (tiers.developing || 0) + "), " +
        (job.result.changed || 0) + " tier changes. Reloading…";
    } else if (failed) {
      statusBox.textContent = "Failed: " + job.error;
    } else {
      statusBox.textContent = (job.status === "pending" ? "Waiting for a worker…" : "Running: " + job.stage) + " (" + job.percent + "%)";
    }
    statusBox.dataset.jobState = job.status;
  }

  function poll(jobId) {
    api("GET", "/tier-jobs/" + jobId).then(function (job) {
      show(job);
      if (job.status === "done") {
        window.setTimeout(function () { window.location.reload(); }, 600);
      } else if (job.status === "failed") {
        button.disabled = false;
      } else {
        window.setTimeout(function () { poll(jobId); }, 700);
      }
    }).catch(function (error) {
      statusBox.textContent = "Could not read the job: " + error.message;
      button.disabled = false;
    });
  }

  if (button) {
    button.addEventListener("click", function () {
      button.disabled = true;
      statusBox.textContent = "Starting…";
      api("POST", "/recalculate-tiers").then(function (job) { show(job); poll(job.id); }).catch(function (error) {
        statusBox.textContent = "Could not start: " + error.message;
        button.disabled = false;
      });
    });
    if (config.job && (config.job.status === "pending" || config.job.status === "running")) {
      button.disabled = true;
      show(config.job);
      poll(config.job.id);
    }
  }
})();
