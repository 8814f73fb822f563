/* What the page knows: its configuration and the floor (both embedded by the server as JSON), the host's
   choices that are not on the server yet, and the small lookups every panel uses. Whoever changes any of it
   calls `changed()`, and every panel redraws from it. */

function embedded(id) {
  return JSON.parse(document.getElementById(id).textContent);
}

export const config = embedded("floor-config");

/** The floor as GET .../floor answered last (`setBoard` replaces it). */
export let board = embedded("floor-data");
let skew = Date.parse(board.at) - Date.now(); // the server's clock minus ours, for minutes counted here

export const ui = {
  selectedTableId: null,
  tableForm: {}, // table id -> {size, serverId, allowMisfit}: survives redraws while the host types
  clockForm: {}, // {staffId, role, sectionId} of the clock-in form
  party: null, // {size, entryId, name}: who "seat next" is for
  partyChosen: false, // the host picked the party (else: the first on the waitlist that fits now)
  routing: null, // {decisionId, recommendations, reason, passedOver, key, forParty, fingerprint}
  routeBusy: false,
};

const listeners = [];

export function onChange(listener) {
  listeners.push(listener);
}

export function changed() {
  for (const listener of listeners) listener();
}

export function setBoard(data) {
  board = data;
  skew = Date.parse(board.at) - Date.now();
  changed();
}

export function minutesSince(iso) {
  if (!iso) return null;
  return Math.max(0, Math.floor((Date.now() + skew - Date.parse(iso)) / 60000));
}

export function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many || `${one}s`}`;
}

export function byId(list, id) {
  return list.find((item) => item.id === id) || null;
}

/** The label of a choice the server listed in the page's configuration (states, roles, modes, features). */
export function label(choices, value) {
  const choice = choices.find((c) => c.value === value);
  return choice ? choice.label : value;
}

export function sectionColor(sectionId) {
  const section = byId(board.sections, sectionId);
  return section ? section.color : "#8a8f98";
}

/** Servers who can take a party now, in rotation order (the server decides both). */
export function takers() {
  return board.servers.filter((s) => s.can_take_tables);
}

/** Whether the caller may do it, as the server's `actions` say: a name ("run_floor", "switch_mode"), or a
    table's move to a state. */
export function may(action, table, toState) {
  const actions = board.actions;
  if (action === "set_state") return (actions.table_states[table.state] || []).includes(toState);
  if (action === "seat") return actions.seat_from.includes(table.state);
  return Boolean(actions[action]);
}
