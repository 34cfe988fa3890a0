// jet-match workspace: progressive enhancement only. Every form works without this file.
"use strict";

// Forms marked data-confirm ask before they are sent (disabling a user, cancelling).
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form instanceof HTMLFormElement ? form.dataset.confirm : undefined;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// A round's runs table marked data-progress follows the running run: every two seconds it
// reads the round's progress (JSON) and fills the cells; when no run is active any more
// the page reloads to show the new plan's figures. Without JavaScript a refresh does it.
const runs = document.querySelector("table[data-progress]");
if (runs) {
  const follow = async () => {
    try {
      const answer = await fetch(runs.dataset.progress, { headers: { Accept: "application/json" } });
      if (!answer.ok) return;
      const state = await answer.json();
      for (const run of state.runs) {
        const row = runs.querySelector(`tr[data-run="${run.id}"]`);
        if (!row) continue;
        for (const cell of row.querySelectorAll("[data-field]")) {
          const value = run[cell.dataset.field];
          cell.textContent = value === null || value === undefined ? "" : String(value);
        }
      }
      if (!state.active) {
        window.location.reload();
        return;
      }
    } catch (error) {
      return; // the next refresh shows the state
    }
    window.setTimeout(follow, 2000);
  };
  window.setTimeout(follow, 1000);
}
