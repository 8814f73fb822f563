/* One line at the top of the page saying what just happened, or what went wrong. */

let timer = null;

export function toast(message, kind = "info") {
  const box = document.getElementById("toast");
  box.textContent = message;
  box.dataset.kind = kind;
  box.hidden = false;
  clearTimeout(timer);
  timer = setTimeout(() => (box.hidden = true), kind === "error" ? 7000 : 3500);
}
