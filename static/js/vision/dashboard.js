/* The vision dashboard: acts through the JSON API with the session (CSRF token from the cookie):
   capture now, label a crop (confirm or correct), dismiss a conflict, a table's prediction history;
   and refreshes each camera's status and frame every few seconds. Plain JS, no build step. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("vision-config").textContent);
  var toastTimer = null;

  function $(selector, root) {
    return (root || document).querySelector(selector);
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
    return fetch("/api/v1/" + path, options).then(function (response) {
      return response
        .json()
        .catch(function () {
          return null;
        })
        .then(function (data) {
          if (!response.ok) {
            throw new Error(data && data.error ? data.error.message : "Request failed (" + response.status + ")");
          }
          return data;
        });
    });
  }

  function toast(message, kind) {
    var box = $("#vision-toast");
    box.textContent = message;
    box.dataset.kind = kind || "ok";
    box.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () {
      box.hidden = true;
    }, 4000);
  }

  function time(iso) {
    return iso ? new Date(iso).toLocaleTimeString() : "";
  }

  var STATUS_LABELS = {
    ok: "OK",
    degraded: "Degraded (failing, retrying with backoff)",
    offline: "Offline (polled slowly)",
    unknown: "Not polled yet",
  };

  function showCamera(camera) {
    var card = $('[data-camera-id="' + camera.id + '"]');
    if (!card) return;
    var badge = $('[data-role="status"]', card);
    badge.textContent = STATUS_LABELS[camera.status] || camera.status;
    badge.className = "badge vision-status status-" + camera.status;
    $('[data-role="failures"]', card).textContent =
      camera.consecutive_failures + " failure" + (camera.consecutive_failures === 1 ? "" : "s") + " in a row";
    var error = $('[data-role="error"]', card);
    error.textContent = camera.last_error;
    error.hidden = !camera.last_error;
    var img = $('[data-role="frame"]', card);
    if (camera.last_frame_at && img.dataset.frameAt !== camera.last_frame_at) {
      img.dataset.frameAt = camera.last_frame_at;
      img.src = "/api/v1/crops/cameras/" + camera.id + "/frame?annotated=1&t=" + encodeURIComponent(camera.last_frame_at);
      img.hidden = false;
      $('[data-role="frame-caption"]', card).textContent = "Last frame " + time(camera.last_frame_at);
    }
  }

  function refreshCameras() {
    return api("GET", "crops/cameras?restaurant=" + config.restaurantId).then(function (cameras) {
      cameras.forEach(showCamera);
    });
  }

  // --- Capture now -------------------------------------------------------------------------------------

  function capture(card, button) {
    button.disabled = true;
    api("POST", "crops/cameras/" + card.dataset.cameraId + "/capture")
      .then(function (result) {
        if (result.ok) {
          var frame = result.frame || {};
          toast(
            "Captured: " + frame.crops + " crops, " + frame.predictions + " predictions, " + frame.applied + " applied" +
              (frame.classifier && frame.classifier !== "ready" ? " (" + frame.classifier + ")" : "")
          );
        } else {
          toast("Capture failed: " + result.error, "error");
        }
        return Promise.all([refreshCameras(), refreshQueue()]);
      })
      .catch(function (error) {
        toast(error.message, "error");
      })
      .then(function () {
        button.disabled = false;
      });
  }

  // --- Labelling queue ---------------------------------------------------------------------------------

  function cropItem(crop) {
    var options = config.labels
      .map(function (label) {
        return '<option value="' + esc(label) + '">' + esc(label) + "</option>";
      })
      .join("");
    var guess = crop.prediction
      ? 'Seen: <span data-role="guess">' + esc(crop.prediction.label) + '</span> <span class="muted">' +
        crop.prediction.confidence.toFixed(2) + '</span> <button type="button" class="button" data-action="confirm" data-label="' +
        esc(crop.prediction.label) + '">Confirm ' + esc(crop.prediction.label) + "</button>"
      : '<span class="muted">No prediction</span>';
    return (
      '<li class="vision-crop" data-crop-id="' + crop.id + '"><img src="' + esc(crop.image_url) + '" alt="Table ' +
      esc(crop.table_label) + " at " + esc(time(crop.captured_at)) + '" loading="lazy"><div><strong>Table ' +
      esc(crop.table_label) + '</strong> <span class="muted">' + esc(time(crop.captured_at)) + "</span><br>" + guess +
      ' <label class="sr-only" for="correct-' + crop.id + '">Correct label</label><select id="correct-' + crop.id +
      '" data-role="correct">' + options +
      '</select> <button type="button" class="button button-quiet" data-action="correct">Save label</button></div></li>'
    );
  }

  function refreshQueue() {
    return api("GET", "crops/labelling?restaurant=" + config.restaurantId).then(function (crops) {
      var list = $("#queue");
      list.innerHTML = crops.length ? crops.map(cropItem).join("") : '<li class="muted" data-role="empty">Nothing to label.</li>';
    });
  }

  function label(item, value) {
    api("POST", "crops/" + item.dataset.cropId + "/label", { label: value })
      .then(function (crop) {
        toast("Labelled table " + crop.table_label + " as " + crop.label);
        item.remove();
        if (!$("#queue li")) {
          $("#queue").innerHTML = '<li class="muted" data-role="empty">Nothing to label.</li>';
        }
      })
      .catch(function (error) {
        toast(error.message, "error");
      });
  }

  // --- Conflicts ---------------------------------------------------------------------------------------

  function dismiss(item) {
    api("POST", "crops/conflicts/" + item.dataset.conflictId + "/dismiss")
      .then(function () {
        item.remove();
        toast("Conflict dismissed");
        if (!$("#conflicts li")) {
          $("#conflicts").innerHTML = '<li class="muted" data-role="empty">No conflicts.</li>';
        }
      })
      .catch(function (error) {
        toast(error.message, "error");
      });
  }

  // --- Table history -----------------------------------------------------------------------------------

  function showHistory(tableId) {
    var list = $("#history");
    if (!tableId) {
      list.innerHTML = "";
      return;
    }
    api("GET", "crops/predictions?table=" + tableId + "&page_size=20")
      .then(function (page) {
        list.innerHTML = page.results.length
          ? page.results
              .map(function (p) {
                return (
                  "<li><strong>" + esc(p.label) + "</strong> " + p.confidence.toFixed(2) + ' <span class="muted">' +
                  esc(time(p.captured_at)) + " · " + esc(p.outcome || "") + (p.applied ? " · applied" : "") + "</span></li>"
                );
              })
              .join("")
          : '<li class="muted">No predictions for this table yet.</li>';
      })
      .catch(function (error) {
        toast(error.message, "error");
      });
  }

  // --- Wiring ------------------------------------------------------------------------------------------

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-action]");
    if (!button) return;
    var action = button.dataset.action;
    if (action === "capture") capture(button.closest("[data-camera-id]"), button);
    if (action === "confirm") label(button.closest("[data-crop-id]"), button.dataset.label);
    if (action === "correct") {
      var item = button.closest("[data-crop-id]");
      label(item, $('[data-role="correct"]', item).value);
    }
    if (action === "dismiss") dismiss(button.closest("[data-conflict-id]"));
  });

  $("#history-table").addEventListener("change", function (event) {
    showHistory(event.target.value);
  });

  var switcher = $("#restaurant-switch");
  if (switcher) {
    switcher.addEventListener("change", function () {
      switcher.form.submit();
    });
  }

  setInterval(function () {
    if (!document.hidden) refreshCameras().catch(function () {});
  }, (config.refreshSeconds || 5) * 1000);
})();
