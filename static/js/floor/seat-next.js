/* "Seat next": who the next party is (the host's pick, else the first waiting party that fits, as the server
   answers POST .../route-next), where the routing engine would seat them, and seating them. The answer is
   asked again whenever the party or the floor under it changes. */

import { api } from "./api.js";
import { h, fill } from "./dom.js";
import { act } from "./live.js";
import { board, byId, changed, minutesSince, plural, ui } from "./state.js";

export function partyKey(party) {
  return party ? `${party.size}:${party.entryId || "walk-in"}` : "";
}

// The party the host picked (a walk-in's size, a waitlist row) while it still stands; else null.
function chosenParty() {
  if (ui.partyChosen && ui.party) {
    if (!ui.party.entryId || byId(board.waitlist, ui.party.entryId)) return ui.party;
    ui.partyChosen = false; // their entry left the list (seated elsewhere, cancelled)
  }
  return null;
}

// What the shown answer must have been asked for: the chosen party, else the waitlist as it stands (a party
// added or gone can change who fits first). Empty: nothing to route.
function wantedKey() {
  const party = chosenParty();
  if (party) return partyKey(party);
  return board.waitlist.map((e) => `next:${e.id}`).join(",");
}

export function topRecommendation() {
  const recs = ui.routing && ui.routing.recommendations;
  return recs && recs.length ? recs[0] : null;
}

/** A recommendation still holds when its tables are available and its server can take a party. */
export function isUsable(rec) {
  const tablesFree = rec.table_ids.every((id) => {
    const t = byId(board.tables, id);
    return t && t.state === "available";
  });
  const server = byId(board.servers, rec.server_id);
  return tablesFree && Boolean(server && server.can_take_tables);
}

function fingerprint() {
  return JSON.stringify([
    board.mode,
    board.tables.map((t) => [t.id, t.state]),
    board.servers.map((s) => [s.id, s.rotation_position, s.active_covers, s.skip_next, s.rotation_offset]),
  ]);
}

/** Pick a party for "seat next" (null: back to the next in line) and ask where to seat it. */
export function chooseParty(party) {
  ui.party = party;
  ui.partyChosen = party !== null;
  route();
}

async function route() {
  const party = chosenParty();
  const key = wantedKey();
  if (!key) {
    ui.party = null;
    ui.routing = null;
    changed();
    return;
  }
  if (party) ui.party = party; // for "next", the answer says who
  ui.routeBusy = true;
  changed();
  const print = fingerprint();
  let routing;
  try {
    let result;
    if (party) {
      const body = { party_size: party.size, limit: 6 };
      if (party.entryId) body.waitlist_entry_id = party.entryId;
      result = await api("POST", "/route", body);
    } else {
      result = await api("POST", "/route-next");
      ui.party = result.waitlist_entry_id
        ? { size: result.party_size, entryId: result.waitlist_entry_id, name: result.party_name }
        : null;
    }
    routing = {
      decisionId: result.routing_decision_id,
      recommendations: result.recommendations,
      reason: result.reason,
      passedOver: result.passed_over || [],
    };
  } catch (error) {
    routing = { decisionId: null, recommendations: [], reason: error.message, passedOver: [] };
  }
  ui.routing = { ...routing, key, forParty: partyKey(ui.party), fingerprint: print };
  ui.routeBusy = false;
  changed(); // and so routeIfStale: the floor may have moved while we asked
}

let routeTimer = null;

/** Ask again when the party changed or the floor changed under the shown recommendations. */
export function routeIfStale() {
  const key = wantedKey();
  if (!key && !ui.routing) {
    if (ui.party) route(); // the last party left the list: say nobody is waiting
    return;
  }
  const stale = !ui.routing || ui.routing.key !== key || ui.routing.fingerprint !== fingerprint();
  if (stale && !ui.routeBusy) {
    clearTimeout(routeTimer);
    routeTimer = setTimeout(route, 150);
  }
}

/** Seat a party: at a table, or at tables pushed together (`tableIds`); the decision records what the host did. */
export async function seat(button, tableId, partySize, serverId, options = {}) {
  const body = { party_size: partySize, server_id: serverId };
  const party = ui.party;
  if (options.decisionId) body.routing_decision_id = options.decisionId;
  if (options.entryId) body.waitlist_entry_id = options.entryId;
  if (options.allowMisfit) body.allow_misfit = true;
  if (options.tableIds && options.tableIds.length > 1) body.table_ids = options.tableIds;
  const visit = await act(
    button,
    () => api("POST", `/tables/${tableId}/seat`, body),
    (visit) => {
      const where =
        visit.table_labels.length > 1 ? `tables ${visit.table_labels.join("+")}` : `table ${visit.table_label}`;
      const who = party && options.entryId ? `${party.name} seated` : `Party of ${visit.party_size} seated`;
      return `${who} at ${where} with ${visit.server_name}`;
    },
  );
  if (visit) {
    ui.partyChosen = false;
    ui.party = null;
    ui.routing = null;
    ui.selectedTableId = null;
    delete ui.tableForm[tableId];
    changed();
  }
}

const SCORE_PARTS = {
  server_priority: "server",
  table_fit: "fit",
  combination: "tables",
  preference: "wishes",
  double_seat: "double seat",
};

function scoreParts(breakdown) {
  const parts = Object.entries(SCORE_PARTS)
    .filter(([key]) => breakdown[key])
    .map(([key, name]) => `${name} ${breakdown[key] > 0 ? "+" : ""}${breakdown[key]}`);
  return parts.length ? ` (${parts.join(", ")})` : "";
}

function recommendation(rec, index) {
  const usable = isUsable(rec);
  const group = rec.table_ids.length > 1;
  const note = !usable ? "taken since: finding another…" : group ? "push the tables together as you seat them" : "";
  const title = `${group ? "Tables" : "Table"} ${rec.table_label} with ${rec.server_name}`;
  const button = (cls, text) =>
    h(
      "button",
      { type: "button", class: cls, "data-action": "seat-rec", "data-index": index, disabled: !usable },
      text,
    );
  if (index === 0) {
    return h(
      "div",
      { class: ["top-rec", !usable && "is-stale"] },
      button("button button-primary seat-top", `Seat at ${title}`),
      h("p", { class: "reason" }, rec.reason),
      h("p", { class: "score" }, `score ${rec.score}${scoreParts(rec.breakdown)}${note ? ` · ${note}` : ""}`),
    );
  }
  return h(
    "li",
    { class: "row other-rec" },
    h(
      "div",
      { class: "row-main" },
      h("strong", null, title),
      " ",
      h("span", { class: "muted" }, `score ${rec.score}`),
      h("div", { class: "row-meta" }, rec.reason, note ? ` · ${note}` : ""),
    ),
    h("div", { class: "row-actions" }, button("button", "Seat")),
  );
}

// Who "seat next" went past and why, on one small line ("Vance (9): no free table for 9 — ...").
function passedOverLine(title, passed) {
  if (!passed.length) return null;
  const reasons = passed.map((p, i) => [i ? "; " : "", h("span", { "data-entry-id": p.waitlist_entry_id }, p.reason)]);
  return h("p", { class: "passed-over" }, `${title}: `, reasons);
}

function answer(party) {
  const routing = ui.routing;
  if (!routing || routing.forParty !== partyKey(party)) return h("p", { class: "muted" }, "Finding a table…");
  const recs = routing.recommendations;
  if (!recs.length) {
    return [
      h("p", { class: "no-fit" }, `Nothing fits now: ${routing.reason}.`),
      passedOverLine("Also can't be seated now", routing.passedOver),
    ];
  }
  const wasOpen = Boolean(document.querySelector("#seat-next details.others[open]"));
  return [
    passedOverLine("Ahead, still waiting", routing.passedOver),
    recommendation(recs[0], 0),
    recs.length > 1 &&
      h(
        "details",
        { class: "others", open: wasOpen },
        h("summary", null, `Other options (${recs.length - 1})`),
        h(
          "ol",
          { class: "rows" },
          recs.slice(1).map((rec, i) => recommendation(rec, i + 1)),
        ),
      ),
    h("p", { class: "muted hint" }, "Or tap a table on the map to seat this party there."),
  ];
}

export function renderSeatNext() {
  const box = document.getElementById("seat-next");
  const party = ui.party;
  if (!party) {
    const waiting = board.waitlist.length;
    fill(
      box,
      h(
        "p",
        { class: "muted" },
        waiting ? "Finding the next party that fits…" : "Nobody is waiting. Type a party size for a walk-in.",
      ),
    );
    return;
  }
  const entry = party.entryId ? byId(board.waitlist, party.entryId) : null;
  const who = entry
    ? [
        h("strong", null, entry.party_name),
        ` · ${plural(entry.party_size, "guest")} `,
        h("span", { class: "muted" }, `#${entry.position} on the list, waiting ${minutesSince(entry.added_at)} min`),
      ]
    : [h("strong", null, "Walk-in"), ` · ${plural(party.size, "guest")}`];
  fill(
    box,
    h(
      "div",
      { class: "party-line" },
      "For ",
      who,
      ui.partyChosen && [
        " ",
        h("button", { type: "button", class: "button small", "data-action": "next-party" }, "Back to next in line"),
      ],
    ),
    ui.routeBusy && !ui.routing ? h("p", { class: "muted" }, "Finding a table…") : answer(party),
  );
}

export function initSeatNext() {
  document.getElementById("seat-next").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    if (button.dataset.action === "next-party") {
      chooseParty(null);
    } else if (button.dataset.action === "seat-rec") {
      const rec = ui.routing.recommendations[Number(button.dataset.index)];
      seat(button, rec.table_id, ui.party.size, rec.server_id, {
        tableIds: rec.table_ids, // tables pushed together: one tap seats them all
        entryId: ui.party.entryId,
        decisionId: ui.routing.decisionId,
      });
    }
  });

  document.getElementById("seat-size-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const size = Number(event.target.elements.party_size.value);
    if (size) chooseParty({ size, entryId: null, name: "Walk-in" });
  });
}
