/* The floor map: every table drawn where the floor plan puts it, coloured by state, with its server's
   initials and minutes; tables pushed together for one party share an outline. Tapping a table selects it
   (its panel opens under the map). */

import { fill, svg } from "./dom.js";
import { isUsable, topRecommendation } from "./seat-next.js";
import { board, byId, changed, minutesSince, sectionColor, ui } from "./state.js";

/** The box around some tables, widened by `pad` on every side: [x, y, width, height]. */
function boundingBox(tables, pad) {
  const minX = Math.min(...tables.map((t) => t.x));
  const minY = Math.min(...tables.map((t) => t.y));
  const maxX = Math.max(...tables.map((t) => t.x + t.width));
  const maxY = Math.max(...tables.map((t) => t.y + t.height));
  return [minX - pad, minY - pad, maxX - minX + 2 * pad, maxY - minY + 2 * pad];
}

function centre(t) {
  return [t.x + t.width / 2, t.y + t.height / 2];
}

export function joinedLabels(t) {
  return t.joined_with.map((id) => (byId(board.tables, id) || { label: "?" }).label).join(", ");
}

// Tables pushed together for one party, drawn under the tables: an outline around them and a connector from
// table to table, so the host sees one party (the same server initials on each).
function parties(tables) {
  const drawn = new Set();
  const groups = [];
  for (const t of tables) {
    if (!t.joined_with.length) continue;
    const members = [t, ...t.joined_with.map((id) => byId(tables, id))].filter(Boolean).sort((a, b) => a.id - b.id);
    const key = members.map((m) => m.id).join(",");
    if (drawn.has(key)) continue;
    drawn.add(key);
    const [x, y, width, height] = boundingBox(members, 10);
    const joins = members.slice(1).map((m, i) => {
      const [x1, y1] = centre(members[i]);
      const [x2, y2] = centre(m);
      return svg("line", { class: "map-join", x1, y1, x2, y2 });
    });
    groups.push(
      svg(
        "g",
        { class: "map-party", "data-table-ids": key, "aria-hidden": "true" },
        svg("rect", {
          class: "map-party-outline",
          x,
          y,
          width,
          height,
          rx: 14,
          style: { "--section": sectionColor(members[0].section_id) },
        }),
        joins,
      ),
    );
  }
  return groups;
}

function table(t, recommended) {
  const [cx, cy] = centre(t);
  const size = Math.max(13, Math.min(20, Math.min(t.width, t.height) * 0.34));
  const shape =
    t.shape === "round"
      ? svg("ellipse", { cx, cy, rx: t.width / 2, ry: t.height / 2 })
      : svg("rect", {
          x: t.x,
          y: t.y,
          width: t.width,
          height: t.height,
          rx: 6,
          transform: `rotate(${t.rotation} ${cx} ${cy})`,
        });
  let sub = "";
  let description = `Table ${t.label}, ${t.state}`;
  if (t.state === "occupied") {
    const minutes = minutesSince(t.seated_at);
    sub = `${t.server_initials || ""} ${minutes}′`;
    description += `, ${t.server_name || "no server"}, ${minutes} minutes`;
  } else if (t.state !== "available") {
    sub = `${t.state} ${minutesSince(t.state_changed_at)}′`;
  }
  if (t.joined_with.length) description += `, pushed together with ${joinedLabels(t)}`;
  return svg(
    "g",
    {
      class: [
        "map-table",
        `state-${t.state}`,
        t.id === ui.selectedTableId && "is-selected",
        recommended.includes(t.id) && "is-recommended",
        t.joined_with.length && "is-joined",
      ],
      "data-table-id": t.id,
      tabindex: 0,
      role: "button",
      "aria-label": description,
      style: { "--section": sectionColor(t.section_id) },
    },
    shape,
    svg(
      "text",
      { class: "map-label", x: cx, y: sub ? cy - size * 0.15 : cy + size * 0.35, "font-size": size },
      t.label,
    ),
    sub && svg("text", { class: "map-sub", x: cx, y: cy + size * 0.95, "font-size": Math.max(11, size * 0.8) }, sub),
  );
}

export function renderMap() {
  const map = document.getElementById("floor-map");
  const tables = board.tables;
  document.getElementById("map-empty").hidden = tables.length > 0;
  map.style.display = tables.length ? "" : "none";
  if (!tables.length) return;
  map.setAttribute("viewBox", boundingBox(tables, 24).join(" "));
  const top = topRecommendation();
  const recommended = top && isUsable(top) ? top.table_ids : [];
  fill(
    map,
    parties(tables),
    tables.map((t) => table(t, recommended)),
  );
}

export function initMap() {
  const map = document.getElementById("floor-map");
  map.addEventListener("click", (event) => {
    const group = event.target.closest("[data-table-id]");
    if (!group) return;
    const id = Number(group.dataset.tableId);
    ui.selectedTableId = ui.selectedTableId === id ? null : id;
    changed();
    if (ui.selectedTableId !== null) {
      document.getElementById("table-panel").scrollIntoView({ block: "nearest", behavior: "smooth" });
    }
  });
  map.addEventListener("keydown", (event) => {
    const group = event.target.closest("[data-table-id]");
    if (group && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      group.dispatchEvent(new MouseEvent("click", { bubbles: true }));
    }
  });
}
