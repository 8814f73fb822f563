/* The schedule dashboard: generate (and follow the run), edit, lock, remove and add shifts, publish.
   Every action goes through the JSON API; the page then reloads to draw the result, and the outcome of
   the last action (with the schedule's rule check) is shown once after the reload. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("sched-config").textContent);
  var toast = document.getElementById("sched-toast");
  var NOTE_KEY = "sched-note";

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
      return response.text().then(function (text) {
        var data = text ? JSON.parse(text) : {};
        if (!response.ok) {
          var error = new Error((data.error && data.error.message) || "Request failed (" + response.status + ")");
          error.data = data;
          throw error;
        }
        return data;
      });
    });
  }

  function show(message, kind) {
    toast.textContent = message;
    toast.dataset.kind = kind || "info";
    toast.hidden = false;
  }

  function describeCheck(check) {
    if (!check) return "";
    if (check.hard && check.hard.length) {
      return " " + check.hard.length + " rule(s) broken: " + check.hard[0].message + ". Publishing is blocked until fixed.";
    }
    return check.unmet && check.unmet.length ? " " + check.unmet.length + " requirement(s) unmet." : " No rule broken.";
  }

  function reloadWith(note) {
    try {
      sessionStorage.setItem(NOTE_KEY, note);
    } catch (e) {
      /* private mode: the note is lost, the reload still shows the state */
    }
    window.location.reload();
  }

  function fail(error) {
    show(error.message, "error");
  }

  var note = null;
  try {
    note = sessionStorage.getItem(NOTE_KEY);
    sessionStorage.removeItem(NOTE_KEY);
  } catch (e) {
    note = null;
  }
  if (note) show(note, "info");

  // --- generate and follow the run ---
  var statusBox = document.getElementById("run-status");
  var bar = document.getElementById("run-progress");
  var message = document.getElementById("run-message");

  function follow(runId) {
    statusBox.hidden = false;
    api("GET", "/schedules/runs/" + runId).then(function (run) {
      bar.value = run.progress;
      statusBox.dataset.status = run.status;
      message.textContent = "Run " + run.run_id + ": " + run.status + (run.progress_message ? ", " + run.progress_message : "");
      if (run.status === "succeeded") {
        var m = run.metrics || {};
        reloadWith(
          "Draft ready (" + m.engine + " " + m.status + "): " + m.shifts + " shifts, shortfall " + m.shortfall_hours +
            " staff-hours, Gini " + m.hours_gini + "."
        );
      } else if (run.status === "failed") {
        show("The run failed: " + run.error, "error");
      } else {
        window.setTimeout(function () {
          follow(runId);
        }, 500);
      }
    }, fail);
  }

  document.getElementById("generate-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var body = {
      week_start: config.weekStart,
      engine: document.getElementById("engine-select").value,
      time_limit: parseFloat(document.getElementById("time-limit").value),
    };
    bar.value = 0;
    api("POST", "/schedules/run", body).then(function (answer) {
      follow(answer.run_id);
    }, fail);
  });
  if (config.runId) follow(config.runId);

  // --- edit, lock, remove, add ---
  var panel = document.getElementById("edit-panel");
  var itemsPath = "/schedules/" + config.scheduleId + "/items/";
  if (panel) {
    var editId = document.getElementById("edit-item-id");
    var editStaff = document.getElementById("edit-staff");
    var editPart = document.getElementById("edit-day-part");
    var editLocked = document.getElementById("edit-locked");

    document.querySelectorAll(".chip[data-item-id]").forEach(function (chip) {
      chip.addEventListener("click", function () {
        var block = chip.closest(".block");
        editId.value = chip.dataset.itemId;
        editStaff.value = chip.dataset.staffId;
        editPart.value = block.dataset.dayPart;
        editLocked.checked = chip.dataset.locked === "1";
        document.getElementById("edit-title").textContent =
          "Edit " + chip.textContent.replace("🔒", "").trim() + ", " + block.dataset.role + " " + block.dataset.date + " " + block.dataset.dayPart;
        panel.hidden = false;
        editStaff.focus();
      });
    });

    document.getElementById("edit-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var body = { staff: parseInt(editStaff.value, 10), day_part: editPart.value, locked: editLocked.checked };
      api("PATCH", itemsPath + editId.value + "/", body).then(function (answer) {
        reloadWith("Shift saved." + describeCheck(answer.check));
      }, fail);
    });

    document.getElementById("edit-remove").addEventListener("click", function () {
      api("DELETE", itemsPath + editId.value + "/").then(function (answer) {
        reloadWith("Shift removed." + describeCheck(answer.check));
      }, fail);
    });

    document.getElementById("edit-cancel").addEventListener("click", function () {
      panel.hidden = true;
    });

    document.getElementById("add-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var body = {
        staff: parseInt(document.getElementById("add-staff").value, 10),
        date: document.getElementById("add-date").value,
        day_part: document.getElementById("add-day-part").value,
        role: document.getElementById("add-role").value,
        locked: document.getElementById("add-locked").checked,
      };
      api("POST", itemsPath, body).then(function (answer) {
        reloadWith("Shift added." + describeCheck(answer.check));
      }, fail);
    });
  }

  // --- publish ---
  var publish = document.getElementById("publish-button");
  if (publish) {
    publish.addEventListener("click", function () {
      api("POST", "/schedules/" + config.scheduleId + "/publish").then(function (schedule) {
        reloadWith("Version " + schedule.version + " published; staff see their shifts now.");
      }, fail);
    });
  }
})();
