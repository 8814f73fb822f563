/* The floor dashboard: draws the floor from the JSON of GET /api/v1/restaurants/<id>/floor (embedded in the
   page, then refetched), acts through the JSON API, and offers only what the server's `actions` allow.
   Native ES modules, no build step:

     state.js      the page's configuration, the floor, the host's pending choices, lookups
     dom.js        elements from data (never markup strings) and redrawing only what changed
     api.js        the JSON API with the session's CSRF token
     live.js       the WebSocket, refetching, and running an action from a button
     map.js        the floor map                table-panel.js  the selected table
     seat-next.js  routing and seating          waitlist.js     the waitlist
     staff.js      the rotation and the time clock
     fairness.js   tonight's fairness and the manager's routing settings */

import { api } from "./api.js";
import { initFairness } from "./fairness.js";
import { act, connect, refresh } from "./live.js";
import { initMap, renderMap } from "./map.js";
import { chooseParty, initSeatNext, renderSeatNext, routeIfStale } from "./seat-next.js";
import { initStaff, renderClock, renderRotation } from "./staff.js";
import { board, changed, config, label, onChange } from "./state.js";
import { initTablePanel, renderTablePanel } from "./table-panel.js";
import { initWaitlist, renderWaitlist } from "./waitlist.js";

function renderMode() {
  const select = document.getElementById("mode-select");
  if (select && document.activeElement !== select) select.value = board.mode;
  const badge = document.getElementById("mode-label");
  if (badge) badge.textContent = label(config.modes, board.mode);
}

function initHeader() {
  const modeSelect = document.getElementById("mode-select");
  if (modeSelect) {
    modeSelect.addEventListener("change", () => {
      const mode = modeSelect.value;
      act(modeSelect, () => api("POST", "/mode", { mode }), `Routing mode: ${label(config.modes, mode)}`);
    });
  }
  const switcher = document.getElementById("restaurant-switch");
  if (switcher) switcher.addEventListener("change", () => switcher.form.submit());
}

for (const render of [
  renderMode,
  renderMap,
  renderTablePanel,
  renderSeatNext,
  renderWaitlist,
  renderRotation,
  renderClock,
  routeIfStale,
]) {
  onChange(render);
}
initHeader();
initMap();
initTablePanel();
initSeatNext();
initWaitlist();
initStaff();
initFairness();

document.addEventListener("visibilitychange", () => {
  if (!document.hidden) refresh();
});
// Minutes seated and waiting move on without any change: redraw them every 30 s from the last floor.
setInterval(changed, 30000);

chooseParty(null); // seat next: the first waiting party that fits
connect();
