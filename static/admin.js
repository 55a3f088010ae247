/* The admin dashboard's live progress: optional, the page works and says the same without it.
 * While a build is queued or running it asks every few seconds for the rows shown on this
 * page, rendered by the server exactly as the page was, and swaps in each column that changed.
 * The polite live region changes only when a build starts or ends, never with each section,
 * so a screen reader is told of changes without a ticking count. */
(() => {
  "use strict";
  const live = document.getElementById("vr-admin-live");
  if (!live || !live.dataset.statusUrl) return;
  const POLL_MS = 4000;
  const rows = () => [...document.querySelectorAll(".vr-admin-fields[data-slug]")];
  let busy = /Being built|Queued/.test(live.textContent);
  let timer = null;

  function statusUrl() {
    const url = new URL(live.dataset.statusUrl, document.baseURI);
    for (const row of rows()) url.searchParams.append("document", row.dataset.slug);
    return url;
  }

  // Swap in each column that changed, one at a time: a column the reader is not in keeps
  // its place and focus, and an open list of findings stays open.
  function update(old, html) {
    const template = document.createElement("template");
    template.innerHTML = html;
    const fresh = template.content.firstElementChild;
    if (!fresh || fresh.isEqualNode(old)) return;
    const columns = new Map([...old.children].map((column) => [column.dataset.field, column]));
    const same =
      fresh.children.length === columns.size &&
      [...fresh.children].every((column) => columns.has(column.dataset.field));
    if (!same) {
      old.replaceWith(fresh); // a column came or went (an error): the row's order is the server's
      return;
    }
    for (const column of [...fresh.children]) {
      const before = columns.get(column.dataset.field);
      if (before.isEqualNode(column)) continue;
      const focused = before.contains(document.activeElement);
      if (before.querySelector("details[open]")) column.querySelector("details")?.setAttribute("open", "");
      before.replaceWith(column);
      if (focused) column.querySelector("summary")?.focus();
    }
  }

  async function refresh() {
    timer = null;
    let data;
    try {
      const response = await fetch(statusUrl(), { credentials: "same-origin" });
      if (!response.ok) return;
      data = await response.json();
    } catch {
      return; // offline for a moment: "Check again" still works
    }
    for (const doc of data.documents) {
      const old = rows().find((row) => row.dataset.slug === doc.slug);
      if (old) update(old, doc.html);
    }
    if (live.textContent !== data.live) live.textContent = data.live;
    busy = data.busy;
    schedule();
  }

  function schedule() {
    if (busy && timer === null) timer = setTimeout(refresh, POLL_MS);
  }

  schedule();
})();
