/* The floor dashboard: draws the floor from the JSON of GET /api/v1/restaurants/<id>/floor, acts through
   the JSON API (session + CSRF token from the cookie), and refetches the floor whenever the WebSocket
   ws/floor/<id>/ says something changed (another host, the POS, a camera). Plain JS, no build step. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("floor-config").textContent);
  var board = JSON.parse(document.getElementById("floor-data").textContent);
  var skew = Date.parse(board.at) - Date.now(); // server clock minus ours, for minutes counted here

  var ui = {
    selectedTableId: null,
    tableForm: {}, // table id -> {size, serverId}: survives re-renders while the host types
    clockForm: {}, // {staffId, role, sectionId} of the clock-in form
    party: null, // {size, entryId, name}: who "seat next" is for
    partyChosen: false, // the host picked the party (else: the first on the waitlist that fits now)
    routing: null, // {decisionId, recommendations, reason, passedOver, key, forParty, fingerprint}
    routeBusy: false,
  };

  // --- Helpers ----------------------------------------------------------------------------------------

  function $(selector) {
    return document.querySelector(selector);
  }

  function esc(value) {
    return String(value === null || value === undefined ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function api(method, path, body) {
    var options = {
      method: method,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
    };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(config.apiBase + path, options).then(function (response) {
      return response
        .json()
        .catch(function () {
          return null;
        })
        .then(function (data) {
          if (!response.ok) {
            var message = data && data.error ? data.error.message : "Request failed (" + response.status + ")";
            var error = new Error(message);
            error.status = response.status;
            error.data = data;
            throw error;
          }
          return data;
        });
    });
  }

  function minutesSince(iso) {
    if (!iso) return null;
    return Math.max(0, Math.floor((Date.now() + skew - Date.parse(iso)) / 60000));
  }

  function plural(n, one, many) {
    return n + " " + (n === 1 ? one : many || one + "s");
  }

  var toastTimer = null;
  function toast(message, kind) {
    var box = $("#toast");
    box.textContent = message;
    box.dataset.kind = kind || "info";
    box.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () {
      box.hidden = true;
    }, kind === "error" ? 7000 : 3500);
  }

  // Runs an API action from a button: disabled while it runs, errors shown, the floor refetched after.
  function act(button, promiseFactory, success) {
    if (button) button.disabled = true;
    return promiseFactory()
      .then(function (result) {
        if (success) toast(typeof success === "function" ? success(result) : success, "ok");
        return result;
      })
      .catch(function (error) {
        toast(error.message, "error");
        return null;
      })
      .finally(function () {
        if (button) button.disabled = false;
        refresh();
      });
  }

  // Replaces a container's markup only when it changed, so a refetch that changes nothing there keeps focus,
  // open selects and half-typed input.
  function setHTML(element, html) {
    if (element.dataset.rendered !== html) {
      element.innerHTML = html;
      element.dataset.rendered = html;
    }
  }

  function byId(list, id) {
    for (var i = 0; i < list.length; i++) if (list[i].id === id) return list[i];
    return null;
  }

  function sectionColor(sectionId) {
    var section = byId(board.sections, sectionId);
    return section ? section.color : "#8a8f98";
  }

  function label(choices, value) {
    for (var i = 0; i < choices.length; i++) if (choices[i].value === value) return choices[i].label;
    return value;
  }

  function takers() {
    return board.servers.filter(function (s) {
      return s.can_take_tables;
    });
  }

  // --- Fetching and live updates ----------------------------------------------------------------------

  var fetching = false;
  var fetchAgain = false;
  var refreshTimer = null;

  function refresh() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(load, 80); // a burst of changes (seat = table + waitlist) is one refetch
  }

  function load() {
    if (fetching) {
      fetchAgain = true;
      return;
    }
    fetching = true;
    api("GET", "/floor")
      .then(function (data) {
        board = data;
        skew = Date.parse(board.at) - Date.now();
        render();
        routeIfStale();
      })
      .catch(function (error) {
        toast("Could not refresh the floor: " + error.message, "error");
      })
      .finally(function () {
        fetching = false;
        if (fetchAgain) {
          fetchAgain = false;
          load();
        }
      });
  }

  function setLive(state, text) {
    var badge = $("#live-status");
    badge.dataset.state = state;
    badge.textContent = text;
  }

  var retries = 0;
  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + config.socketPath);
    socket.onopen = function () {
      retries = 0;
      setLive("live", "Live");
      load(); // whatever changed while we were not listening
    };
    socket.onmessage = function () {
      refresh();
    };
    socket.onclose = function () {
      // Back off 0.5 s, 1 s, 2 s ... up to 15 s, with jitter so dashboards do not reconnect in step.
      var delay = Math.min(15000, 500 * Math.pow(2, retries)) + Math.random() * 300;
      retries += 1;
      setLive("down", "Reconnecting…");
      setTimeout(connect, delay);
    };
  }

  // --- Rendering ---------------------------------------------------------------------------------------

  function render() {
    renderMode();
    renderMap();
    renderTablePanel();
    renderSeatNext();
    renderWaitlist();
    renderRotation();
    renderClock();
  }

  function renderMode() {
    var select = $("#mode-select");
    if (select && document.activeElement !== select) select.value = board.mode;
    var badge = $("#mode-label");
    if (badge) badge.textContent = label(config.modes, board.mode);
  }

  var SVG_NS = "http://www.w3.org/2000/svg";

  function renderMap() {
    var svg = $("#floor-map");
    var tables = board.tables;
    $("#map-empty").hidden = tables.length > 0;
    svg.style.display = tables.length ? "" : "none";
    if (!tables.length) return;
    var minX = Infinity,
      minY = Infinity,
      maxX = -Infinity,
      maxY = -Infinity;
    tables.forEach(function (t) {
      minX = Math.min(minX, t.x);
      minY = Math.min(minY, t.y);
      maxX = Math.max(maxX, t.x + t.width);
      maxY = Math.max(maxY, t.y + t.height);
    });
    var pad = 24;
    svg.setAttribute("viewBox", [minX - pad, minY - pad, maxX - minX + 2 * pad, maxY - minY + 2 * pad].join(" "));
    var top = topRecommendation();
    var recommended = top && isUsable(top) ? top.table_ids : [];
    var parts = joinedParties(tables).concat(tables.map(function (t) {
      var cx = t.x + t.width / 2;
      var cy = t.y + t.height / 2;
      var size = Math.max(13, Math.min(20, Math.min(t.width, t.height) * 0.34));
      var shape =
        t.shape === "round"
          ? '<ellipse cx="' + cx + '" cy="' + cy + '" rx="' + t.width / 2 + '" ry="' + t.height / 2 + '"/>'
          : '<rect x="' + t.x + '" y="' + t.y + '" width="' + t.width + '" height="' + t.height + '" rx="6" ' +
            'transform="rotate(' + t.rotation + " " + cx + " " + cy + ')"/>';
      var sub = "";
      var description = "Table " + t.label + ", " + t.state;
      if (t.state === "occupied") {
        var minutes = minutesSince(t.seated_at);
        sub = (t.server_initials || "") + " " + minutes + "′";
        description += ", " + (t.server_name || "no server") + ", " + minutes + " minutes";
      } else if (t.state !== "available") {
        sub = t.state + " " + minutesSince(t.state_changed_at) + "′";
      }
      if (t.joined_with.length) description += ", pushed together with " + joinedLabels(t);
      var classes = ["map-table", "state-" + t.state];
      if (t.id === ui.selectedTableId) classes.push("is-selected");
      if (recommended.indexOf(t.id) >= 0) classes.push("is-recommended");
      if (t.joined_with.length) classes.push("is-joined");
      return (
        '<g class="' + classes.join(" ") + '" data-table-id="' + t.id + '" tabindex="0" role="button" ' +
        'aria-label="' + esc(description) + '" style="--section:' + esc(sectionColor(t.section_id)) + '">' +
        shape +
        '<text class="map-label" x="' + cx + '" y="' + (sub ? cy - size * 0.15 : cy + size * 0.35) + '" ' +
        'font-size="' + size + '">' + esc(t.label) + "</text>" +
        (sub
          ? '<text class="map-sub" x="' + cx + '" y="' + (cy + size * 0.95) + '" font-size="' + Math.max(11, size * 0.8) + '">' +
            esc(sub) + "</text>"
          : "") +
        "</g>"
      );
    }));
    setHTML(svg, parts.join(""));
  }

  function tableCentre(t) {
    return [t.x + t.width / 2, t.y + t.height / 2];
  }

  function joinedLabels(t) {
    return t.joined_with
      .map(function (id) {
        var other = byId(board.tables, id);
        return other ? other.label : "?";
      })
      .join(", ");
  }

  // Tables pushed together for one party, drawn under the tables: a shared outline around them and a
  // connector from table to table, so the host sees one party (the same server initials on each).
  function joinedParties(tables) {
    var drawn = {};
    var parts = [];
    tables.forEach(function (t) {
      if (!t.joined_with.length) return;
      var members = [t]
        .concat(t.joined_with.map(function (id) {
          return byId(tables, id);
        }))
        .filter(Boolean)
        .sort(function (a, b) {
          return a.id - b.id;
        });
      var key = members
        .map(function (m) {
          return m.id;
        })
        .join(",");
      if (drawn[key]) return;
      drawn[key] = true;
      var pad = 10;
      var minX = Infinity,
        minY = Infinity,
        maxX = -Infinity,
        maxY = -Infinity;
      members.forEach(function (m) {
        minX = Math.min(minX, m.x);
        minY = Math.min(minY, m.y);
        maxX = Math.max(maxX, m.x + m.width);
        maxY = Math.max(maxY, m.y + m.height);
      });
      var lines = "";
      for (var i = 1; i < members.length; i++) {
        var a = tableCentre(members[i - 1]);
        var b = tableCentre(members[i]);
        lines += '<line class="map-join" x1="' + a[0] + '" y1="' + a[1] + '" x2="' + b[0] + '" y2="' + b[1] + '"/>';
      }
      parts.push(
        '<g class="map-party" data-table-ids="' + key + '" aria-hidden="true">' +
          '<rect class="map-party-outline" x="' + (minX - pad) + '" y="' + (minY - pad) + '" width="' +
          (maxX - minX + 2 * pad) + '" height="' + (maxY - minY + 2 * pad) + '" rx="14" ' +
          'style="--section:' + esc(sectionColor(members[0].section_id)) + '"/>' +
          lines +
          "</g>"
      );
    });
    return parts;
  }

  function tableStateChip(t) {
    var minutes = t.state === "occupied" ? minutesSince(t.seated_at) : minutesSince(t.state_changed_at);
    return '<span class="chip state-' + t.state + '">' + esc(label(config.states, t.state)) + " · " + minutes + " min</span>";
  }

  function serverOptions(selectedId) {
    var list = takers();
    if (!list.length) return '<option value="">No server can take a party</option>';
    return list
      .map(function (s) {
        return (
          '<option value="' + s.id + '"' + (s.id === selectedId ? " selected" : "") + ">" +
          esc(s.name) + (s.section_name ? " · " + esc(s.section_name) : "") + " (#" + s.rotation_position + ")</option>"
        );
      })
      .join("");
  }

  // The server to offer for a table: the recommendation's for that table, else the first in rotation who works
  // its section (or every section).
  function suggestedServer(t) {
    var recs = (ui.routing && ui.routing.recommendations) || [];
    for (var i = 0; i < recs.length; i++) if (recs[i].table_ids.indexOf(t.id) >= 0) return recs[i].server_id;
    var list = takers();
    for (var j = 0; j < list.length; j++) {
      if (list[j].section_id === t.section_id || list[j].section_id === null) return list[j].id;
    }
    return list.length ? list[0].id : null;
  }

  function renderTablePanel() {
    var panel = $("#table-panel");
    var t = ui.selectedTableId === null ? null : byId(board.tables, ui.selectedTableId);
    if (!t) {
      ui.selectedTableId = null;
      panel.hidden = true;
      setHTML(panel, "");
      return;
    }
    var html =
      '<div class="table-panel-head"><h3>Table ' + esc(t.label) + "</h3>" + tableStateChip(t) +
      '<span class="muted">' + t.min_seats + "–" + t.max_seats + " seats · " + esc(t.section_name) +
      (t.features.length ? " · " + esc(t.features.join(", ").replace(/_/g, "-")) : "") + "</span>" +
      '<button type="button" class="button close" data-action="close-table" aria-label="Close">×</button></div>';
    var actions = [];
    if (t.state === "occupied") {
      html +=
        "<p>Party of " + t.party_size + " with <strong>" + esc(t.server_name || "no server") + "</strong>, seated " +
        minutesSince(t.seated_at) + " min ago" +
        (t.joined_with.length ? ", pushed together with table " + esc(joinedLabels(t)) : "") + ".</p>";
      actions.push(
        '<button type="button" class="button button-primary" data-action="clear">' +
          (t.joined_with.length ? "Clear all " + (t.joined_with.length + 1) + " tables (party left)" : "Clear (party left)") +
          "</button>"
      );
    }
    if (t.state === "dirty") {
      actions.push('<button type="button" class="button button-primary" data-action="bus">Bussed</button>');
    }
    if (t.state === "available" || t.state === "reserved") {
      var form = ui.tableForm[t.id] || {};
      var size = form.size || (ui.party ? ui.party.size : "") || "";
      var serverId = form.serverId || suggestedServer(t);
      html +=
        '<form class="seat-here inline-form" data-table-id="' + t.id + '">' +
        '<label>Party of <input name="party_size" type="number" min="1" max="100" inputmode="numeric" required value="' +
        esc(size) + '"></label>' +
        '<label>with <select name="server_id" required>' + serverOptions(serverId) + "</select></label>" +
        '<label class="check"><input name="allow_misfit" type="checkbox"' + (form.allowMisfit ? " checked" : "") +
        "> seats don't fit</label>" +
        '<button type="submit" class="button button-primary">Seat here</button></form>';
    }
    t.allowed_states.forEach(function (state) {
      if (state === "dirty" && t.state === "occupied") return; // that is "Clear"
      if (state === "available" && t.state === "dirty") return; // that is "Bussed"
      var managerOnly = state === "blocked" || t.state === "blocked";
      if (managerOnly && !config.isManager) return;
      actions.push(
        '<button type="button" class="button" data-action="state" data-state="' + state + '">Mark ' +
          esc(label(config.states, state).toLowerCase()) + "</button>"
      );
    });
    if (actions.length) html += '<div class="actions">' + actions.join("") + "</div>";
    setHTML(panel, html);
    panel.hidden = false;
  }

  function partyKey(party) {
    return party ? party.size + ":" + (party.entryId || "walk-in") : "";
  }

  function openEntries() {
    return board.waitlist;
  }

  // The party the host picked (a walk-in's size, a waitlist row), if it still stands; else null: "seat next"
  // asks the server for the first party on the list that fits now (POST /route-next).
  function chosenParty() {
    if (ui.partyChosen && ui.party) {
      if (!ui.party.entryId || byId(openEntries(), ui.party.entryId)) return ui.party;
      ui.partyChosen = false; // their entry left the list (seated elsewhere, cancelled)
    }
    return null;
  }

  // What the shown answer must have been asked for: the chosen party, else the waitlist as it stands
  // (a party added or gone can change who fits first). Empty: nothing to route.
  function wantedKey() {
    var party = chosenParty();
    if (party) return partyKey(party);
    return openEntries()
      .map(function (e) {
        return "next:" + e.id;
      })
      .join(",");
  }

  function topRecommendation() {
    var recs = ui.routing && ui.routing.recommendations;
    return recs && recs.length ? recs[0] : null;
  }

  // A recommendation still holds when its tables are available and its server can take a party.
  function isUsable(rec) {
    var tablesFree = rec.table_ids.every(function (id) {
      var t = byId(board.tables, id);
      return t && t.state === "available";
    });
    var server = byId(board.servers, rec.server_id);
    return tablesFree && server && server.can_take_tables;
  }

  function fingerprint() {
    return JSON.stringify([
      board.mode,
      board.tables.map(function (t) {
        return [t.id, t.state];
      }),
      board.servers.map(function (s) {
        return [s.id, s.rotation_position, s.active_covers, s.skip_next, s.rotation_offset];
      }),
    ]);
  }

  function route() {
    var party = chosenParty();
    var key = wantedKey();
    if (!key) {
      ui.party = null;
      ui.routing = null;
      renderSeatNext();
      renderMap();
      return;
    }
    if (party) ui.party = party; // for "next", the answer says who
    ui.routeBusy = true;
    renderSeatNext();
    var print = fingerprint();
    var request;
    if (party) {
      var body = { party_size: party.size, limit: 6 };
      if (party.entryId) body.waitlist_entry_id = party.entryId;
      request = api("POST", "/route", body);
    } else {
      request = api("POST", "/route-next");
    }
    request
      .then(function (result) {
        var routed = party;
        if (!routed) {
          routed = result.waitlist_entry_id
            ? { size: result.party_size, entryId: result.waitlist_entry_id, name: result.party_name }
            : null;
          ui.party = routed;
        }
        ui.routing = {
          decisionId: result.routing_decision_id,
          recommendations: result.recommendations,
          reason: result.reason,
          passedOver: result.passed_over || [],
          key: key,
          forParty: partyKey(routed),
          fingerprint: print,
        };
      })
      .catch(function (error) {
        ui.routing = {
          decisionId: null,
          recommendations: [],
          reason: error.message,
          passedOver: [],
          key: key,
          forParty: partyKey(ui.party),
          fingerprint: print,
        };
      })
      .finally(function () {
        ui.routeBusy = false;
        renderSeatNext();
        renderMap();
        renderTablePanel();
        renderWaitlist();
        routeIfStale(); // the floor may have moved while we asked
      });
  }

  var routeTimer = null;
  // Ask again when the party changed or the floor changed under the shown recommendations.
  function routeIfStale() {
    var key = wantedKey();
    var stale = !ui.routing || ui.routing.key !== key || ui.routing.fingerprint !== fingerprint();
    if (!key && !ui.routing) {
      if (ui.party) route(); // the last party left the list: say nobody is waiting
      return;
    }
    if (stale && !ui.routeBusy) {
      clearTimeout(routeTimer);
      routeTimer = setTimeout(route, 150);
    }
  }

  function seat(button, tableId, partySize, serverId, options) {
    options = options || {};
    var body = { party_size: partySize, server_id: serverId };
    var party = ui.party;
    if (options.decisionId) body.routing_decision_id = options.decisionId;
    if (options.entryId) body.waitlist_entry_id = options.entryId;
    if (options.allowMisfit) body.allow_misfit = true;
    if (options.tableIds && options.tableIds.length > 1) body.table_ids = options.tableIds;
    return act(
      button,
      function () {
        return api("POST", "/tables/" + tableId + "/seat", body);
      },
      function (visit) {
        var where = visit.table_labels.length > 1 ? "tables " + visit.table_labels.join("+") : "table " + visit.table_label;
        return (
          (party && options.entryId ? party.name + " seated" : "Party of " + visit.party_size + " seated") +
          " at " + where + " with " + visit.server_name
        );
      }
    ).then(function (visit) {
      if (visit) {
        ui.partyChosen = false;
        ui.party = null;
        ui.routing = null;
        ui.selectedTableId = null;
        delete ui.tableForm[tableId];
      }
    });
  }

  function recommendationButton(rec, index) {
    var usable = isUsable(rec);
    var group = rec.table_ids.length > 1;
    var disabled = !usable;
    var note = !usable ? "taken since: finding another…" : group ? "push the tables together as you seat them" : "";
    var title = (group ? "Tables " : "Table ") + rec.table_label + " with " + rec.server_name;
    if (index === 0) {
      return (
        '<div class="top-rec' + (disabled ? " is-stale" : "") + '">' +
        '<button type="button" class="button button-primary seat-top" data-action="seat-rec" data-index="0"' +
        (disabled ? " disabled" : "") + ">Seat at " + esc(title) + "</button>" +
        '<p class="reason">' + esc(rec.reason) + "</p>" +
        '<p class="score">score ' + rec.score + scoreParts(rec.breakdown) + (note ? " · " + esc(note) : "") + "</p></div>"
      );
    }
    return (
      '<li class="row other-rec"><div class="row-main"><strong>' + esc(title) + '</strong> <span class="muted">score ' +
      rec.score + "</span><div class=\"row-meta\">" + esc(rec.reason) + (note ? " · " + esc(note) : "") + "</div></div>" +
      '<div class="row-actions"><button type="button" class="button" data-action="seat-rec" data-index="' + index + '"' +
      (disabled ? " disabled" : "") + ">Seat</button></div></li>"
    );
  }

  function scoreParts(breakdown) {
    var names = { server_priority: "server", table_fit: "fit", combination: "tables", preference: "wishes", double_seat: "double seat" };
    var parts = [];
    Object.keys(names).forEach(function (key) {
      if (breakdown[key]) parts.push(names[key] + " " + (breakdown[key] > 0 ? "+" : "") + breakdown[key]);
    });
    return parts.length ? " (" + parts.join(", ") + ")" : "";
  }

  function renderSeatNext() {
    var box = $("#seat-next");
    var party = ui.party;
    if (!party) {
      setHTML(
        box,
        openEntries().length
          ? '<p class="muted">Finding the next party that fits…</p>'
          : '<p class="muted">Nobody is waiting. Type a party size for a walk-in.</p>'
      );
      return;
    }
    var entry = party.entryId ? byId(openEntries(), party.entryId) : null;
    var who = entry
      ? "<strong>" + esc(entry.party_name) + "</strong> · " + plural(entry.party_size, "guest") +
        ' <span class="muted">#' + entry.position + " on the list, waiting " + minutesSince(entry.added_at) + " min</span>"
      : "<strong>Walk-in</strong> · " + plural(party.size, "guest");
    var html = '<div class="party-line">For ' + who;
    if (ui.partyChosen) html += ' <button type="button" class="button small" data-action="next-party">Back to next in line</button>';
    html += "</div>";
    if (ui.routeBusy && !ui.routing) {
      html += '<p class="muted">Finding a table…</p>';
    } else if (ui.routing && ui.routing.forParty === partyKey(party)) {
      var recs = ui.routing.recommendations;
      if (!recs.length) {
        html += '<p class="no-fit">Nothing fits now: ' + esc(ui.routing.reason) + ".</p>";
        html += passedOverLine("Also can't be seated now", ui.routing.passedOver);
      } else {
        html += passedOverLine("Ahead, still waiting", ui.routing.passedOver);
        html += recommendationButton(recs[0], 0);
        if (recs.length > 1) {
          html += '<details class="others"><summary>Other options (' + (recs.length - 1) + ')</summary><ol class="rows">';
          for (var i = 1; i < recs.length; i++) html += recommendationButton(recs[i], i);
          html += "</ol></details>";
        }
        html += '<p class="muted hint">Or tap a table on the map to seat this party there.</p>';
      }
    } else {
      html += '<p class="muted">Finding a table…</p>';
    }
    var wasOpen = !!box.querySelector("details.others[open]");
    setHTML(box, html);
    var details = box.querySelector("details.others");
    if (details && wasOpen) details.open = true;
  }

  // Who "seat next" went past and why, on one small line ("Vance (9): no free table for 9 — ...").
  function passedOverLine(title, passed) {
    if (!passed || !passed.length) return "";
    return (
      '<p class="passed-over">' + esc(title) + ": " +
      passed
        .map(function (p) {
          return '<span data-entry-id="' + p.waitlist_entry_id + '">' + esc(p.reason) + "</span>";
        })
        .join("; ") +
      "</p>"
    );
  }

  function renderWaitlist() {
    var list = $("#waitlist");
    var entries = openEntries();
    var summary = board.waitlist_summary;
    $("#waitlist-count").textContent = entries.length
      ? plural(summary.open_count, "party", "parties") + " · " + plural(summary.covers_waiting, "guest")
      : "";
    if (!entries.length) {
      setHTML(list, '<li class="empty muted">Nobody waiting.</li>');
      return;
    }
    var partyEntry = ui.party && ui.party.entryId;
    setHTML(list, entries
      .map(function (e) {
        var prefs = [];
        if (e.preferences.feature) prefs.push(e.preferences.feature.replace(/_/g, "-"));
        if (e.preferences.accessible) prefs.push("accessible");
        if (e.preferences.section_id) {
          var section = byId(board.sections, e.preferences.section_id);
          if (section) prefs.push(section.name);
        }
        var waited = minutesSince(e.added_at);
        var quote = e.quoted_wait_minutes === null ? "no quote" : "quoted " + e.quoted_wait_minutes + "′";
        var live =
          e.live_wait_minutes === null
            ? ""
            : " · ready in ~" + e.live_wait_minutes + "′" +
              (e.live_wait_low !== null && e.live_wait_high !== e.live_wait_low ? " (" + e.live_wait_low + "–" + e.live_wait_high + ")" : "");
        var late = e.quoted_wait_minutes !== null && waited > e.quoted_wait_minutes;
        return (
          '<li class="row' + (e.id === partyEntry ? " is-party" : "") + '" data-entry-id="' + e.id + '">' +
          '<span class="pos">' + e.position + "</span>" +
          '<div class="row-main"><strong>' + esc(e.party_name) + "</strong> · " + e.party_size +
          prefs.map(function (p) {
            return ' <span class="chip">' + esc(p) + "</span>";
          }).join("") +
          (e.status === "notified" ? ' <span class="chip chip-notified">notified</span>' : "") +
          '<div class="row-meta"><span class="' + (late ? "late" : "") + '">waiting ' + waited + "′</span> · " + quote + live +
          (e.phone ? " · " + esc(e.phone) : "") + (e.notes ? " · " + esc(e.notes) : "") + "</div></div>" +
          '<div class="row-actions">' +
          '<button type="button" class="button button-primary" data-action="seat-entry">Seat</button>' +
          (e.status === "notified" ? "" : '<button type="button" class="button" data-action="notify">Notify</button>') +
          '<button type="button" class="button" data-action="cancel">Cancel</button>' +
          '<button type="button" class="button" data-action="no-show">No-show</button>' +
          "</div></li>"
        );
      })
      .join(""));
  }

  function renderRotation() {
    var list = $("#rotation");
    if (!board.servers.length) {
      setHTML(list, '<li class="empty muted">No server on the floor. Clock someone in below.</li>');
      return;
    }
    var inRotation = board.mode === "rotation";
    setHTML(list, board.servers
      .map(function (s) {
        var badges = [];
        if (s.on_break) badges.push('<span class="chip chip-break">on break</span>');
        if (s.cut) badges.push('<span class="chip chip-cut">cut</span>');
        if (s.skip_next) badges.push('<span class="chip">skipped once</span>');
        if (s.rotation_offset && inRotation) {
          badges.push('<span class="chip">moved ' + (s.rotation_offset < 0 ? "up " : "down ") + Math.abs(s.rotation_offset) + "</span>");
        }
        var last = s.last_seated_at ? "last seated " + minutesSince(s.last_seated_at) + "′ ago" : "not seated yet";
        var buttons = [];
        if (s.can_take_tables && !s.skip_next) buttons.push('<button type="button" class="button" data-action="skip">Skip</button>');
        if (inRotation && s.can_take_tables) {
          buttons.push('<button type="button" class="button" data-action="move" data-offset="' + (s.rotation_offset - 1) + '" aria-label="Move ' + esc(s.name) + ' up">↑</button>');
          buttons.push('<button type="button" class="button" data-action="move" data-offset="' + (s.rotation_offset + 1) + '" aria-label="Move ' + esc(s.name) + ' down">↓</button>');
          if (s.rotation_offset) buttons.push('<button type="button" class="button" data-action="move" data-offset="0">Reset</button>');
        }
        buttons.push(
          s.cut
            ? '<button type="button" class="button" data-action="uncut">Uncut</button>'
            : '<button type="button" class="button" data-action="cut">Cut</button>'
        );
        buttons.push(
          s.on_break
            ? '<button type="button" class="button" data-action="break-end">End break</button>'
            : '<button type="button" class="button" data-action="break-start">Break</button>'
        );
        buttons.push('<button type="button" class="button" data-action="clock-out">Clock out</button>');
        return (
          '<li class="row' + (s.can_take_tables ? "" : " is-out") + '" data-staff-id="' + s.id + '">' +
          '<span class="pos">' + (s.rotation_position || "–") + "</span>" +
          '<span class="avatar" style="--section:' + esc(sectionColor(s.section_id)) + '">' + esc(s.initials) + "</span>" +
          '<div class="row-main"><strong>' + esc(s.name) + '</strong> <span class="muted">' +
          esc(s.section_name || "all sections") + (s.role !== "server" ? " · " + esc(s.role) : "") + "</span> " + badges.join(" ") +
          '<div class="row-meta">' + plural(s.active_covers, "cover") + " now · " + s.shift_covers + " this shift · " + last + "</div></div>" +
          '<div class="row-actions">' + buttons.join("") + "</div></li>"
        );
      })
      .join(""));
  }

  function roleOptions(selected) {
    return config.roles
      .map(function (r) {
        return '<option value="' + r.value + '"' + (r.value === selected ? " selected" : "") + ">" + esc(r.label) + "</option>";
      })
      .join("");
  }

  function sectionOptions(selected) {
    return (
      '<option value="">All sections</option>' +
      board.sections
        .map(function (s) {
          return '<option value="' + s.id + '"' + (String(s.id) === String(selected) ? " selected" : "") + ">" + esc(s.name) + "</option>";
        })
        .join("")
    );
  }

  function renderClock() {
    var box = $("#clock");
    var html = "";
    if (board.support_staff.length) {
      html += '<h3>Also on the floor</h3><ul class="rows">';
      html += board.support_staff
        .map(function (s) {
          return (
            '<li class="row" data-staff-id="' + s.id + '"><div class="row-main"><strong>' + esc(s.name) +
            '</strong> <span class="muted">' + esc(s.role) + "</span>" +
            (s.on_break ? ' <span class="chip chip-break">on break</span>' : "") + '</div><div class="row-actions">' +
            (s.on_break
              ? '<button type="button" class="button" data-action="break-end">End break</button>'
              : '<button type="button" class="button" data-action="break-start">Break</button>') +
            '<button type="button" class="button" data-action="clock-out">Clock out</button></div></li>'
          );
        })
        .join("");
      html += "</ul>";
    }
    html += "<h3>Clock someone in</h3>";
    if (!board.off_floor.length) {
      html += '<p class="muted">Everyone is clocked in.</p>';
    } else {
      var form = ui.clockForm;
      var chosen = byId(board.off_floor, form.staffId) || board.off_floor[0];
      html +=
        '<form id="clock-in-form" class="inline-form clock-in">' +
        '<select name="staff_id" aria-label="Who">' +
        board.off_floor
          .map(function (s) {
            return '<option value="' + s.id + '"' + (s.id === chosen.id ? " selected" : "") + ">" + esc(s.name) + "</option>";
          })
          .join("") +
        "</select>" +
        '<select name="role" aria-label="Role">' + roleOptions(form.role || chosen.role) + "</select>" +
        '<select name="section_id" aria-label="Section">' + sectionOptions(form.sectionId || "") + "</select>" +
        '<button type="submit" class="button button-primary">Clock in</button></form>';
    }
    setHTML(box, html);
  }

  // --- Events ------------------------------------------------------------------------------------------

  $("#floor-map").addEventListener("click", function (event) {
    var group = event.target.closest("[data-table-id]");
    if (!group) return;
    var id = Number(group.dataset.tableId);
    ui.selectedTableId = ui.selectedTableId === id ? null : id;
    renderMap();
    renderTablePanel();
    if (ui.selectedTableId !== null) $("#table-panel").scrollIntoView({ block: "nearest", behavior: "smooth" });
  });

  $("#floor-map").addEventListener("keydown", function (event) {
    if ((event.key === "Enter" || event.key === " ") && event.target.closest("[data-table-id]")) {
      event.preventDefault();
      event.target.closest("[data-table-id]").dispatchEvent(new MouseEvent("click", { bubbles: true }));
    }
  });

  $("#table-panel").addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    if (!button) return;
    var tableId = ui.selectedTableId;
    var action = button.dataset.action;
    if (action === "close-table") {
      ui.selectedTableId = null;
      renderMap();
      renderTablePanel();
    } else if (action === "clear") {
      act(button, function () {
        return api("POST", "/tables/" + tableId + "/clear");
      }, function (result) {
        var labels = result.closed_visit ? result.closed_visit.table_labels : [];
        return labels.length > 1
          ? "Tables " + labels.join("+") + " cleared: dirty until bussed"
          : "Table cleared: it is dirty until bussed";
      });
    } else if (action === "bus") {
      act(button, function () {
        return api("POST", "/tables/" + tableId + "/bus");
      }, "Table bussed: available");
    } else if (action === "state") {
      act(button, function () {
        return api("POST", "/tables/" + tableId + "/state", { state: button.dataset.state });
      }, "Table marked " + button.dataset.state);
    }
  });

  function rememberTableForm(event) {
    var form = event.target.closest("form.seat-here");
    if (!form) return;
    ui.tableForm[Number(form.dataset.tableId)] = {
      size: form.elements.party_size.value,
      serverId: Number(form.elements.server_id.value) || null,
      allowMisfit: form.elements.allow_misfit.checked,
    };
  }
  $("#table-panel").addEventListener("input", rememberTableForm);
  $("#table-panel").addEventListener("change", rememberTableForm);

  $("#table-panel").addEventListener("submit", function (event) {
    var form = event.target.closest("form.seat-here");
    if (!form) return;
    event.preventDefault();
    var tableId = Number(form.dataset.tableId);
    var size = Number(form.elements.party_size.value);
    var serverId = Number(form.elements.server_id.value);
    if (!serverId) {
      toast("Choose a server: nobody on the floor can take a party.", "error");
      return;
    }
    var party = ui.party;
    var sameParty = party && party.size === size;
    seat(form.querySelector("button[type=submit]"), tableId, size, serverId, {
      entryId: sameParty ? party.entryId : null,
      decisionId: sameParty && ui.routing && ui.routing.forParty === partyKey(party) ? ui.routing.decisionId : null,
      allowMisfit: form.elements.allow_misfit.checked,
    });
  });

  $("#seat-next").addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    if (!button) return;
    if (button.dataset.action === "next-party") {
      ui.partyChosen = false;
      route();
      return;
    }
    if (button.dataset.action === "seat-rec") {
      var rec = ui.routing.recommendations[Number(button.dataset.index)];
      seat(button, rec.table_id, ui.party.size, rec.server_id, {
        tableIds: rec.table_ids, // tables pushed together: one tap seats them all
        entryId: ui.party.entryId,
        decisionId: ui.routing.decisionId,
      });
    }
  });

  $("#seat-size-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var size = Number(event.target.elements.party_size.value);
    if (!size) return;
    ui.party = { size: size, entryId: null, name: "Walk-in" };
    ui.partyChosen = true;
    route();
  });

  $("#waitlist").addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    var row = event.target.closest("[data-entry-id]");
    if (!button || !row) return;
    var entry = byId(openEntries(), Number(row.dataset.entryId));
    if (!entry) return;
    var action = button.dataset.action;
    if (action === "seat-entry") {
      ui.party = { size: entry.party_size, entryId: entry.id, name: entry.party_name };
      ui.partyChosen = true;
      route();
      renderWaitlist();
      $(".panel-seat").scrollIntoView({ block: "nearest", behavior: "smooth" });
      return;
    }
    var messages = { notify: " notified", cancel: " taken off the list", "no-show": " marked a no-show" };
    act(button, function () {
      return api("POST", "/waitlist/" + entry.id + "/" + action);
    }, entry.party_name + messages[action]);
  });

  $("#add-party-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target;
    var preferences = {};
    if (form.elements.feature.value) preferences.feature = form.elements.feature.value;
    if (form.elements.section_id.value) preferences.section_id = Number(form.elements.section_id.value);
    if (form.elements.accessible.checked) preferences.accessible = true;
    var body = {
      party_name: form.elements.party_name.value,
      party_size: Number(form.elements.party_size.value),
      phone: form.elements.phone.value,
      preferences: preferences,
    };
    act(form.querySelector("button[type=submit]"), function () {
      return api("POST", "/waitlist", body);
    }, function (entry) {
      form.reset();
      return entry.party_name + " added: #" + entry.position + ", quoted " + (entry.quoted_wait_minutes === null ? "–" : entry.quoted_wait_minutes + " min");
    });
  });

  function staffAction(event) {
    var button = event.target.closest("button[data-action]");
    var row = event.target.closest("[data-staff-id]");
    if (!button || !row) return;
    var staffId = row.dataset.staffId;
    var action = button.dataset.action;
    var body;
    if (action === "move") body = { offset: Number(button.dataset.offset) };
    var name = row.querySelector("strong").textContent;
    var done = {
      skip: " skipped once",
      move: " moved",
      cut: " cut: no new parties",
      uncut: " back in the rotation",
      "break-start": " on break",
      "break-end": " back from break",
      "clock-out": " clocked out",
    };
    act(button, function () {
      return api("POST", "/staff/" + staffId + "/" + action, body);
    }, name + done[action]);
  }

  $("#rotation").addEventListener("click", staffAction);
  $("#clock").addEventListener("click", staffAction);
  $("#clock").addEventListener("change", function (event) {
    var form = event.target.closest("#clock-in-form");
    if (!form) return;
    if (event.target.name === "staff_id") {
      // Someone else chosen: offer their usual role.
      var person = byId(board.off_floor, Number(form.elements.staff_id.value));
      if (person) form.elements.role.value = person.role;
    }
    ui.clockForm = {
      staffId: Number(form.elements.staff_id.value),
      role: form.elements.role.value,
      sectionId: form.elements.section_id.value,
    };
  });

  $("#clock").addEventListener("submit", function (event) {
    var form = event.target.closest("#clock-in-form");
    if (!form) return;
    event.preventDefault();
    var person = byId(board.off_floor, Number(form.elements.staff_id.value));
    var body = { role: form.elements.role.value };
    if (form.elements.section_id.value) body.section_id = Number(form.elements.section_id.value);
    ui.clockForm = {};
    act(form.querySelector("button[type=submit]"), function () {
      return api("POST", "/staff/" + person.id + "/clock-in", body);
    }, person.name + " clocked in");
  });

  var modeSelect = $("#mode-select");
  if (modeSelect) {
    modeSelect.addEventListener("change", function () {
      var mode = modeSelect.value;
      act(modeSelect, function () {
        return api("POST", "/mode", { mode: mode });
      }, "Routing mode: " + label(config.modes, mode));
    });
  }

  var switcher = $("#restaurant-switch");
  if (switcher) {
    switcher.addEventListener("change", function () {
      switcher.form.submit();
    });
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) refresh();
  });

  // Minutes seated and waiting move on without any change: redraw them every 30 s from the last floor.
  setInterval(function () {
    renderMap();
    renderWaitlist();
    renderRotation();
    renderTablePanel();
  }, 30000);

  render();
  route();
  connect();
})();
