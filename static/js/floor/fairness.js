/* Tonight's fairness (GET .../floor/fairness): covers per server-hour so far as a chart (Chart.js, vendored),
   the Gini, who is behind and by how much, and the double seats tonight; refetched when the floor changes,
   at most every few seconds. And the manager's routing settings beside the mode: the pacing interval and
   the rotation basis (POST .../routing-settings). */

import { api } from "./api.js";
import { fill, h } from "./dom.js";
import { act } from "./live.js";
import { onChange, plural } from "./state.js";

const REFETCH_MS = 5000;
let lastFetch = 0;
let queued = null;

function summaryText(data) {
  const doubles = `${plural(data.double_seats, "double seat")} tonight`;
  const mean = `${data.mean_covers_per_hour} covers per server-hour on average`;
  return `Gini ${data.gini.toFixed(3)} (0 is even) · ${mean} · ${doubles}`;
}

function behindRows(data) {
  const behind = data.servers.filter((s) => s.behind_covers > 0);
  if (!data.servers.length) return [h("li", { class: "muted" }, "No server on the floor yet.")];
  if (!behind.length) return [h("li", { class: "muted" }, "Nobody is behind.")];
  return behind.map((s) =>
    h(
      "li",
      { class: "row", "data-staff-id": s.staff_id },
      h("strong", null, s.name),
      ` is ${plural(s.behind_covers, "cover")} behind`,
      ` (${s.covers_per_hour} covers/h, ${s.covers} covers in ${s.hours} h)`,
    ),
  );
}

function drawChart(data) {
  const canvas = document.getElementById("fairness-chart");
  if (!canvas || !window.Chart) return; // the table below still lists every figure
  const labels = data.servers.map((s) => s.name);
  const values = data.servers.map((s) => s.covers_per_hour);
  const chart = window.Chart.getChart(canvas);
  if (chart) {
    chart.data.labels = labels;
    chart.data.datasets[0].data = values;
    chart.update();
    return;
  }
  new window.Chart(canvas, {
    type: "bar",
    data: { labels, datasets: [{ label: "Covers per server-hour", data: values, backgroundColor: "#4f7cac" }] },
    options: { animation: false, maintainAspectRatio: false, plugins: { legend: { display: false } } },
  });
}

function render(data) {
  fill(document.getElementById("fairness-summary"), summaryText(data));
  fill(document.getElementById("fairness-behind"), ...behindRows(data));
  fill(
    document.getElementById("fairness-table"),
    ...data.servers.map((s) =>
      h(
        "tr",
        null,
        h("th", { scope: "row" }, s.name),
        ...[s.covers, s.hours, s.covers_per_hour, s.double_seats].map((value) => h("td", null, String(value))),
      ),
    ),
  );
  drawChart(data);
}

export async function loadFairness() {
  lastFetch = Date.now();
  try {
    render(await api("GET", "/floor/fairness"));
  } catch (error) {
    fill(document.getElementById("fairness-summary"), `Fairness unavailable: ${error.message}`);
  }
}

function scheduleLoad() {
  if (queued) return;
  queued = setTimeout(() => {
    queued = null;
    loadFairness();
  }, Math.max(0, REFETCH_MS - (Date.now() - lastFetch)));
}

function initSettings() {
  const form = document.getElementById("routing-settings-form");
  if (!form) return; // hosts see the settings, managers change them
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = {
      pacing_minutes: Number(form.elements.pacing_minutes.value),
      rotation_basis: form.elements.rotation_basis.value,
      borrow_tables: form.elements.borrow_tables.checked,
    };
    const button = form.querySelector("button[type=submit]");
    act(button, () => api("POST", "/routing-settings", body), (saved) =>
      `Routing settings saved: a table every ${saved.pacing_minutes} min per server, rotation by ${saved.rotation_basis}, tables ${saved.borrow_tables ? "lent" : "not lent"} across sections`,
    ).then(loadFairness);
  });
}

export function initFairness() {
  if (!document.getElementById("fairness-summary")) return;
  initSettings();
  onChange(scheduleLoad);
  loadFairness();
}
