/* voice-reader-listening.js: anonymous listening figures for every <voice-reader> whose manifest
 * names a counter. voice-reader.js loads it from beside itself only then, and it watches the players
 * through their public API alone (docs/widget.md): nothing stored, no identifier, no cookie. */
(() => {
  'use strict';
  // Often enough to see each quarter of a short section pass, at 2× speed too.
  const POLL_MS = 500;
  const sent = new WeakMap(); // player → the beacons it sent in this page view
  const polls = new WeakMap(); // player → its timer, while it plays
  const playedOn = new WeakMap(); // <audio> → the section it last played
  const endings = new WeakSet(); // the <audio> elements whose end is listened for

  // Play, then each quarter up to `quarters` (4 is the end), each at most once per page view.
  function count(player, index, quarters) {
    const url = player.listening;
    const section = player.sections[index];
    if (!url || !section) return;
    if (!sent.has(player)) sent.set(player, new Set());
    const done = sent.get(player);
    for (let i = 0; i <= quarters; i++) {
      const body = JSON.stringify({ section: section.id, event: i ? `progress-${25 * i}` : 'play' });
      if (done.has(body)) continue;
      done.add(body);
      // Not sendBeacon, which always sends the site's cookies (a signed-in editor's session among
      // them); keepalive outlives the page all the same. A string goes as text/plain: no preflight.
      fetch(url, { method: 'POST', body, keepalive: true, credentials: 'omit' }).catch(() => {});
    }
  }

  function look(player) {
    const index = player.section;
    const media = player.media;
    const { duration } = player.sections[index] || {};
    if (media) {
      // By the time an <audio> says it ended, the player may already be on the next section.
      playedOn.set(media, index);
      if (!endings.has(media)) {
        endings.add(media);
        media.addEventListener('ended', () => count(player, playedOn.get(media), 4));
      }
    }
    // The end only when it ends: the audio may be a little shorter than the manifest says.
    count(player, index, duration > 0 ? Math.min(3, Math.floor((4 * player.sectionTime) / duration)) : 0);
  }

  // While a player plays, look where it is (a seek past a quarter counts); stop when it stops.
  function watch(player) {
    if (player.listening && player.state === 'playing' && player.isConnected) {
      look(player);
      if (!polls.has(player)) polls.set(player, setInterval(() => watch(player), POLL_MS));
    } else {
      clearInterval(polls.get(player));
      polls.delete(player);
    }
  }

  // The element's events bubble and are composed, so one listener hears every player.
  for (const type of ['voice-reader-state', 'voice-reader-section']) {
    document.addEventListener(type, (event) => {
      const player = event.composedPath()[0];
      if (player.localName === 'voice-reader') watch(player);
    });
  }
  // Loaded once a manifest asked for it: a player may already be playing.
  document.querySelectorAll('voice-reader').forEach(watch);
})();
