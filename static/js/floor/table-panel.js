/* The selected table's panel: its state and party, and what the caller may do with it (the server's
   `actions`): clear it when the party left, bus it, seat a party there, or move it to another state. */

import { api } from "./api.js";
import { h, fill } from "./dom.js";
import { act } from "./live.js";
import { joinedLabels } from "./map.js";
import { partyKey, seat } from "./seat-next.js";
import { board, byId, changed, config, label, may, minutesSince, takers, ui } from "./state.js";
import { toast } from "./toast.js";

// The server to offer: the recommendation's for this table, else the first in rotation who can take it.
function suggestedServer(t) {
  const recs = (ui.routing && ui.routing.recommendations) || [];
  const rec = recs.find((r) => r.table_ids.includes(t.id));
  if (rec) return rec.server_id;
  const list = takers();
  return t.server_ids.length ? t.server_ids[0] : list.length ? list[0].id : null;
}

function serverOptions(selectedId) {
  const list = takers();
  if (!list.length) return h("option", { value: "" }, "No server can take a party");
  return list.map((s) =>
    h(
      "option",
      { value: s.id, selected: s.id === selectedId },
      s.name,
      s.section_name ? ` · ${s.section_name}` : "",
      ` (#${s.rotation_position})`,
    ),
  );
}

function seatForm(t) {
  const form = ui.tableForm[t.id] || {};
  const size = form.size || (ui.party ? ui.party.size : "") || "";
  return h(
    "form",
    { class: "seat-here inline-form", "data-table-id": t.id },
    h(
      "label",
      null,
      "Party of ",
      h("input", {
        name: "party_size",
        type: "number",
        min: 1,
        max: 100,
        inputmode: "numeric",
        required: true,
        value: size,
      }),
    ),
    h(
      "label",
      null,
      "with ",
      h("select", { name: "server_id", required: true }, serverOptions(form.serverId || suggestedServer(t))),
    ),
    h(
      "label",
      { class: "check" },
      h("input", { name: "allow_misfit", type: "checkbox", checked: Boolean(form.allowMisfit) }),
      " seats don't fit",
    ),
    h("button", { type: "submit", class: "button button-primary" }, "Seat here"),
  );
}

// The state changes offered: clearing (occupied to dirty) and bussing (dirty to available) have their own
// buttons and endpoints; every other state the caller may set is a "Mark ..." button.
function actionButtons(t) {
  const buttons = [];
  const button = (action, text, extra = {}) =>
    h(
      "button",
      { type: "button", class: ["button", extra.primary && "button-primary"], "data-action": action, ...extra.attrs },
      text,
    );
  if (t.state === "occupied" && may("set_state", t, "dirty")) {
    const n = t.joined_with.length + 1;
    buttons.push(
      button("clear", n > 1 ? `Clear all ${n} tables (party left)` : "Clear (party left)", { primary: true }),
    );
  }
  if (t.state === "dirty" && may("set_state", t, "available")) buttons.push(button("bus", "Bussed", { primary: true }));
  for (const state of board.actions.table_states[t.state] || []) {
    if ((t.state === "occupied" && state === "dirty") || (t.state === "dirty" && state === "available")) continue;
    buttons.push(
      button("state", `Mark ${label(config.states, state).toLowerCase()}`, { attrs: { "data-state": state } }),
    );
  }
  return buttons.length ? h("div", { class: "actions" }, buttons) : null;
}

export function renderTablePanel() {
  const panel = document.getElementById("table-panel");
  const t = ui.selectedTableId === null ? null : byId(board.tables, ui.selectedTableId);
  if (!t) {
    ui.selectedTableId = null;
    panel.hidden = true;
    fill(panel);
    return;
  }
  const minutes = t.state === "occupied" ? minutesSince(t.seated_at) : minutesSince(t.state_changed_at);
  const features = t.features.map((f) => label(config.features, f)).join(", ");
  fill(
    panel,
    h(
      "div",
      { class: "table-panel-head" },
      h("h3", null, `Table ${t.label}`),
      h("span", { class: `chip state-${t.state}` }, `${label(config.states, t.state)} · ${minutes} min`),
      h(
        "span",
        { class: "muted" },
        `${t.min_seats}–${t.max_seats} seats · ${t.section_name}${features ? ` · ${features}` : ""}`,
      ),
      h("button", { type: "button", class: "button close", "data-action": "close-table", "aria-label": "Close" }, "×"),
    ),
    t.state === "occupied" &&
      h(
        "p",
        null,
        `Party of ${t.party_size} with `,
        h("strong", null, t.server_name || "no server"),
        `, seated ${minutesSince(t.seated_at)} min ago`,
        t.joined_with.length ? `, pushed together with table ${joinedLabels(t)}` : "",
        ".",
      ),
    may("seat", t) && seatForm(t),
    actionButtons(t),
  );
  panel.hidden = false;
}

function rememberForm(event) {
  const form = event.target.closest("form.seat-here");
  if (!form) return;
  ui.tableForm[Number(form.dataset.tableId)] = {
    size: form.elements.party_size.value,
    serverId: Number(form.elements.server_id.value) || null,
    allowMisfit: form.elements.allow_misfit.checked,
  };
}

export function initTablePanel() {
  const panel = document.getElementById("table-panel");
  panel.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const tableId = ui.selectedTableId;
    const action = button.dataset.action;
    if (action === "close-table") {
      ui.selectedTableId = null;
      changed();
    } else if (action === "clear") {
      act(
        button,
        () => api("POST", `/tables/${tableId}/clear`),
        (result) => {
          const labels = result.closed_visit ? result.closed_visit.table_labels : [];
          return labels.length > 1
            ? `Tables ${labels.join("+")} cleared: dirty until bussed`
            : "Table cleared: it is dirty until bussed";
        },
      );
    } else if (action === "bus") {
      act(button, () => api("POST", `/tables/${tableId}/bus`), "Table bussed: available");
    } else if (action === "state") {
      const state = button.dataset.state;
      act(button, () => api("POST", `/tables/${tableId}/state`, { state }), `Table marked ${state}`);
    }
  });
  panel.addEventListener("input", rememberForm);
  panel.addEventListener("change", rememberForm);
  panel.addEventListener("submit", (event) => {
    const form = event.target.closest("form.seat-here");
    if (!form) return;
    event.preventDefault();
    const serverId = Number(form.elements.server_id.value);
    if (!serverId) {
      toast("Choose a server: nobody on the floor can take a party.", "error");
      return;
    }
    const size = Number(form.elements.party_size.value);
    const party = ui.party;
    const sameParty = party && party.size === size;
    seat(form.querySelector("button[type=submit]"), Number(form.dataset.tableId), size, serverId, {
      entryId: sameParty ? party.entryId : null,
      decisionId: sameParty && ui.routing && ui.routing.forParty === partyKey(party) ? ui.routing.decisionId : null,
      allowMisfit: form.elements.allow_misfit.checked,
    });
  });
}
