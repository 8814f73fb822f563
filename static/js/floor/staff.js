/* Who works the floor: the servers in rotation order with their load and the host's overrides (skip once,
   move, cut, break, clock out), those on the floor who take no tables, and clocking someone in. */

import { api } from "./api.js";
import { h, fill } from "./dom.js";
import { act } from "./live.js";
import { board, byId, config, minutesSince, may, plural, sectionColor, ui } from "./state.js";

function button(action, text, attrs = {}) {
  return h("button", { type: "button", class: "button", "data-action": action, ...attrs }, text);
}

function breakAndClockOut(person) {
  return [
    person.on_break ? button("break-end", "End break") : button("break-start", "Break"),
    button("clock-out", "Clock out"),
  ];
}

function rotationButtons(s, inRotation) {
  const buttons = [];
  if (s.can_take_tables && !s.skip_next) buttons.push(button("skip", "Skip"));
  if (inRotation && s.can_take_tables) {
    const move = (offset, text, name) =>
      button("move", text, { "data-offset": offset, "aria-label": name && `Move ${s.name} ${name}` });
    buttons.push(move(s.rotation_offset - 1, "↑", "up"), move(s.rotation_offset + 1, "↓", "down"));
    if (s.rotation_offset) buttons.push(move(0, "Reset"));
  }
  buttons.push(s.cut ? button("uncut", "Uncut") : button("cut", "Cut"));
  return [...buttons, ...breakAndClockOut(s)];
}

function server(s, inRotation, runsFloor) {
  const badges = [
    s.on_break && h("span", { class: "chip chip-break" }, "on break"),
    s.cut && h("span", { class: "chip chip-cut" }, "cut"),
    s.skip_next && h("span", { class: "chip" }, "skipped once"),
    s.rotation_offset &&
      inRotation &&
      h("span", { class: "chip" }, `moved ${s.rotation_offset < 0 ? "up" : "down"} ${Math.abs(s.rotation_offset)}`),
  ].filter(Boolean);
  const last = s.last_seated_at ? `last seated ${minutesSince(s.last_seated_at)}′ ago` : "not seated yet";
  return h(
    "li",
    { class: ["row", !s.can_take_tables && "is-out"], "data-staff-id": s.id },
    h("span", { class: "pos" }, s.rotation_position || "–"),
    h("span", { class: "avatar", style: { "--section": sectionColor(s.section_id) } }, s.initials),
    h(
      "div",
      { class: "row-main" },
      h("strong", null, s.name),
      " ",
      h("span", { class: "muted" }, s.section_name || "all sections", s.role !== "server" ? ` · ${s.role}` : ""),
      badges.map((badge) => [" ", badge]),
      h(
        "div",
        { class: "row-meta" },
        `${plural(s.active_covers, "cover")} now · ${s.shift_covers} this shift · ${last}`,
      ),
    ),
    runsFloor && h("div", { class: "row-actions" }, rotationButtons(s, inRotation)),
  );
}

export function renderRotation() {
  const list = document.getElementById("rotation");
  if (!board.servers.length) {
    fill(list, h("li", { class: "empty muted" }, "No server on the floor. Clock someone in below."));
    return;
  }
  const inRotation = board.mode === "rotation";
  const runsFloor = may("run_floor");
  fill(
    list,
    board.servers.map((s) => server(s, inRotation, runsFloor)),
  );
}

function clockInForm() {
  const form = ui.clockForm;
  const chosen = byId(board.off_floor, form.staffId) || board.off_floor[0];
  const role = form.role || chosen.role;
  const sectionId = String(form.sectionId || "");
  return h(
    "form",
    { id: "clock-in-form", class: "inline-form clock-in" },
    h(
      "select",
      { name: "staff_id", "aria-label": "Who" },
      board.off_floor.map((s) => h("option", { value: s.id, selected: s.id === chosen.id }, s.name)),
    ),
    h(
      "select",
      { name: "role", "aria-label": "Role" },
      config.roles.map((r) => h("option", { value: r.value, selected: r.value === role }, r.label)),
    ),
    h(
      "select",
      { name: "section_id", "aria-label": "Section" },
      h("option", { value: "" }, "All sections"),
      board.sections.map((s) => h("option", { value: s.id, selected: String(s.id) === sectionId }, s.name)),
    ),
    h("button", { type: "submit", class: "button button-primary" }, "Clock in"),
  );
}

export function renderClock() {
  const runsFloor = may("run_floor");
  const support = board.support_staff.map((s) =>
    h(
      "li",
      { class: "row", "data-staff-id": s.id },
      h(
        "div",
        { class: "row-main" },
        h("strong", null, s.name),
        " ",
        h("span", { class: "muted" }, s.role),
        s.on_break && [" ", h("span", { class: "chip chip-break" }, "on break")],
      ),
      runsFloor && h("div", { class: "row-actions" }, breakAndClockOut(s)),
    ),
  );
  fill(
    document.getElementById("clock"),
    support.length > 0 && [h("h3", null, "Also on the floor"), h("ul", { class: "rows" }, support)],
    runsFloor && [
      h("h3", null, "Clock someone in"),
      board.off_floor.length ? clockInForm() : h("p", { class: "muted" }, "Everyone is clocked in."),
    ],
  );
}

const DONE = {
  skip: " skipped once",
  move: " moved",
  cut: " cut: no new parties",
  uncut: " back in the rotation",
  "break-start": " on break",
  "break-end": " back from break",
  "clock-out": " clocked out",
};

function staffAction(event) {
  const button = event.target.closest("button[data-action]");
  const row = event.target.closest("[data-staff-id]");
  if (!button || !row) return;
  const action = button.dataset.action;
  const body = action === "move" ? { offset: Number(button.dataset.offset) } : undefined;
  const name = row.querySelector("strong").textContent;
  act(button, () => api("POST", `/staff/${row.dataset.staffId}/${action}`, body), name + DONE[action]);
}

export function initStaff() {
  const clock = document.getElementById("clock");
  document.getElementById("rotation").addEventListener("click", staffAction);
  clock.addEventListener("click", staffAction);
  clock.addEventListener("change", (event) => {
    const form = event.target.closest("#clock-in-form");
    if (!form) return;
    if (event.target.name === "staff_id") {
      // Someone else chosen: offer their usual role.
      const person = byId(board.off_floor, Number(form.elements.staff_id.value));
      if (person) form.elements.role.value = person.role;
    }
    ui.clockForm = {
      staffId: Number(form.elements.staff_id.value),
      role: form.elements.role.value,
      sectionId: form.elements.section_id.value,
    };
  });
  clock.addEventListener("submit", (event) => {
    const form = event.target.closest("#clock-in-form");
    if (!form) return;
    event.preventDefault();
    const person = byId(board.off_floor, Number(form.elements.staff_id.value));
    const body = { role: form.elements.role.value };
    if (form.elements.section_id.value) body.section_id = Number(form.elements.section_id.value);
    ui.clockForm = {};
    act(
      form.querySelector("button[type=submit]"),
      () => api("POST", `/staff/${person.id}/clock-in`, body),
      `${person.name} clocked in`,
    );
  });
}
