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
