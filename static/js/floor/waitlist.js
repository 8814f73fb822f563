/* The waitlist: who waits, in order, with the wait they were quoted and a live quote; adding a party, and
   seating, notifying, cancelling or marking a no-show from a row. */

import { api } from "./api.js";
import { h, fill } from "./dom.js";
import { act } from "./live.js";
import { chooseParty } from "./seat-next.js";
import { board, byId, config, label, may, minutesSince, plural, ui } from "./state.js";

function wishes(e) {
  const chips = [];
  if (e.preferences.feature) chips.push(label(config.features, e.preferences.feature));
  if (e.preferences.accessible) chips.push(label(config.features, "accessible"));
  const section = e.preferences.section_id ? byId(board.sections, e.preferences.section_id) : null;
  if (section) chips.push(section.name);
  return chips.map((chip) => [" ", h("span", { class: "chip" }, chip)]);
}

function row(e, runsFloor) {
  const waited = minutesSince(e.added_at);
  const quote = e.quoted_wait_minutes === null ? "no quote" : `quoted ${e.quoted_wait_minutes}′`;
  const spread =
    e.live_wait_low !== null && e.live_wait_high !== e.live_wait_low ? ` (${e.live_wait_low}–${e.live_wait_high})` : "";
  const live = e.live_wait_minutes === null ? "" : ` · ready in ~${e.live_wait_minutes}′${spread}`;
  const late = e.quoted_wait_minutes !== null && waited > e.quoted_wait_minutes;
  const button = (action, text, primary) =>
    h("button", { type: "button", class: ["button", primary && "button-primary"], "data-action": action }, text);
  return h(
    "li",
    { class: ["row", e.id === (ui.party && ui.party.entryId) && "is-party"], "data-entry-id": e.id },
    h("span", { class: "pos" }, e.position),
    h(
      "div",
      { class: "row-main" },
      h("strong", null, e.party_name),
      ` · ${e.party_size}`,
      wishes(e),
      e.status === "notified" && [" ", h("span", { class: "chip chip-notified" }, "notified")],
      h(
        "div",
        { class: "row-meta" },
        h("span", { class: late ? "late" : "" }, `waiting ${waited}′`),
        ` · ${quote}${live}`,
        e.phone ? ` · ${e.phone}` : "",
        e.notes ? ` · ${e.notes}` : "",
      ),
    ),
    runsFloor &&
      h(
        "div",
        { class: "row-actions" },
        button("seat-entry", "Seat", true),
        e.status !== "notified" && button("notify", "Notify"),
        button("cancel", "Cancel"),
        button("no-show", "No-show"),
      ),
  );
}

export function renderWaitlist() {
  const entries = board.waitlist;
  const summary = board.waitlist_summary;
  document.getElementById("waitlist-count").textContent = entries.length
    ? `${plural(summary.open_count, "party", "parties")} · ${plural(summary.covers_waiting, "guest")}`
    : "";
  const list = document.getElementById("waitlist");
  if (!entries.length) {
    fill(list, h("li", { class: "empty muted" }, "Nobody waiting."));
    return;
  }
  const runsFloor = may("run_floor");
  fill(
    list,
    entries.map((e) => row(e, runsFloor)),
  );
}

const DONE = { notify: " notified", cancel: " taken off the list", "no-show": " marked a no-show" };

export function initWaitlist() {
  document.getElementById("waitlist").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    const line = event.target.closest("[data-entry-id]");
    const entry = button && line ? byId(board.waitlist, Number(line.dataset.entryId)) : null;
    if (!entry) return;
    const action = button.dataset.action;
    if (action === "seat-entry") {
      chooseParty({ size: entry.party_size, entryId: entry.id, name: entry.party_name });
      document.querySelector(".panel-seat").scrollIntoView({ block: "nearest", behavior: "smooth" });
      return;
    }
    act(button, () => api("POST", `/waitlist/${entry.id}/${action}`), entry.party_name + DONE[action]);
  });

  const form = document.getElementById("add-party-form");
  if (!form) return;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const fields = form.elements;
    const preferences = {};
    if (fields.feature.value) preferences.feature = fields.feature.value;
    if (fields.section_id.value) preferences.section_id = Number(fields.section_id.value);
    if (fields.accessible.checked) preferences.accessible = true;
    const body = {
      party_name: fields.party_name.value,
      party_size: Number(fields.party_size.value),
      phone: fields.phone.value,
      preferences,
    };
    act(
      form.querySelector("button[type=submit]"),
      () => api("POST", "/waitlist", body),
      (entry) => {
        form.reset();
        const quoted = entry.quoted_wait_minutes === null ? "–" : `${entry.quoted_wait_minutes} min`;
        return `${entry.party_name} added: #${entry.position}, quoted ${quoted}`;
      },
    );
  });
}
