/* Keeping the floor current: refetch GET .../floor whenever the WebSocket says something changed (another
   host, the POS, a camera) and after every action of this page; reconnect with backoff when the socket drops
   (a server restart, a network blip) and refetch on reconnecting, for whatever changed meanwhile. */

import { api } from "./api.js";
import { config, setBoard } from "./state.js";
import { toast } from "./toast.js";

let fetching = false;
let fetchAgain = false;
let refreshTimer = null;

/** Refetch the floor soon: a burst of changes (a seating moves a table and the waitlist) is one request. */
export function refresh() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(load, 80);
}

async function load() {
  if (fetching) {
    fetchAgain = true;
    return;
  }
  fetching = true;
  try {
    setBoard(await api("GET", "/floor"));
  } catch (error) {
    toast(`Could not refresh the floor: ${error.message}`, "error");
  } finally {
    fetching = false;
    if (fetchAgain) {
      fetchAgain = false;
      load();
    }
  }
}

/** Runs an action from a button: the button disabled while it runs, the outcome or the error shown, the
    floor refetched after. Answers the API's answer, or null when it failed. */
export async function act(button, request, success) {
  if (button) button.disabled = true;
  try {
    const result = await request();
    if (success) toast(typeof success === "function" ? success(result) : success, "ok");
    return result;
  } catch (error) {
    toast(error.message, "error");
    return null;
  } finally {
    if (button) button.disabled = false;
    refresh();
  }
}

function setLive(state, text) {
  const badge = document.getElementById("live-status");
  badge.dataset.state = state;
  badge.textContent = text;
}

let retries = 0;

export function connect() {
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  const socket = new WebSocket(scheme + location.host + config.socketPath);
  socket.addEventListener("open", () => {
    retries = 0;
    setLive("live", "Live");
    load();
  });
  socket.addEventListener("message", refresh);
  socket.addEventListener("close", () => {
    // Back off 0.5 s, 1 s, 2 s ... up to 15 s, with jitter so dashboards do not reconnect in step.
    const delay = Math.min(15000, 500 * 2 ** retries) + Math.random() * 300;
    retries += 1;
    setLive("down", "Reconnecting…");
    setTimeout(connect, delay);
  });
}
