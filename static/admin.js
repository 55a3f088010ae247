/* The admin dashboard's live progress: optional, the page works and says the same without it.
 * While a build is queued or running it asks for the states every few seconds and updates each
 * document's Audio line in place. The polite live region changes only when a build starts or
 * ends, never with each section, so a screen reader is told of changes without a ticking count. */
(() => {
  "use strict";
  const live = document.getElementById("vr-admin-live");
  if (!live || !live.dataset.statusUrl) return;
  const POLL_MS = 4000;
  const busy = () => /Being built|Queued/.test(live.textContent);
  let timer = null;

  async function refresh() {
    timer = null;
    let data;
    try {
      const response = await fetch(live.dataset.statusUrl, { credentials: "same-origin" });
      if (!response.ok) return;
      data = await response.json();
    } catch {
      return; // offline for a moment: "Check again" still works
    }
    for (const doc of data.documents) {
      const cell = document.querySelector(`.vr-admin-state[data-slug="${CSS.escape(doc.slug)}"]`);
      if (cell && cell.textContent !== doc.state_words) cell.textContent = doc.state_words;
    }
    if (live.textContent !== data.live) live.textContent = data.live;
    schedule();
  }

  function schedule() {
    if (busy() && timer === null) timer = setTimeout(refresh, POLL_MS);
  }

  schedule();
})();
