/* voice-reader.js: an accessible audio reader for health-information pages.
 * One dependency-free custom element, no build step:
 *   <voice-reader manifest="/api/documents/SLUG/manifest.json">fallback links</voice-reader>
 *   <voice-reader document="SLUG" src="https://reader.example.org"></voice-reader>
 * It reads a version 1 manifest (docs/architecture.md), plays each section's audio in turn and
 * follows the page's own text with the CSS Custom Highlight API. See docs/widget.md. */
(() => {
  'use strict';
  const TAG = 'voice-reader';
  // Loading the script twice (two embeds on one page) must be harmless.
  if (!window.customElements || customElements.get(TAG)) return;

  const script = document.currentScript || document.querySelector('script[src*="voice-reader"]');
  const CSS_URL = new URL('voice-reader.css', (script && script.src) || location.href).href;
  const HIGHLIGHT = 'voice-reader-sentence';
  const STEP = 10; // seconds moved by Back and Forward
  const RATES = [0.75, 1, 1.25, 1.5, 1.75, 2];
  const SAVE_MS = 3000; // how often the listening position is remembered
  const SKIP = 'script,style,noscript,template,voice-reader,.vr-listen';
  const BLOCK = 'p,li,dd,dt,td,th,blockquote,figcaption,h1,h2,h3,h4,h5,h6';
  const INTERACTIVE = 'a,button,input,select,textarea,label,summary,[contenteditable],.vr-listen,' + TAG;
  // Shortcuts, active only while focus is inside the player (WCAG 2.1.4): key → action.
  const KEYS = { k: 'play', j: 'back', l: 'fwd', p: 'prev', n: 'next', s: 'list', '?': 'help', '<': 'slower', '>': 'faster' };
  // Event names in one place: media events we listen to, and the ones this element dispatches
  // (bubbling and composed, so a host page can follow the reader without reaching inside).
  const EV = {
    PLAYING: 'playing', PAUSE: 'pause', ENDED: 'ended', TIME: 'timeupdate', SEEKED: 'seeked',
    ERROR: 'error', READY: 'voice-reader-ready', SECTION: 'voice-reader-section',
    STATE: 'voice-reader-state', FAIL: 'voice-reader-error',
  };
  const ICON = {
    play: 'M8 5v14l11-7z', pause: 'M6 5h4v14H6zm8 0h4v14h-4z',
    back: 'M11 18V6l-8.5 6zm9 0V6l-8.5 6z', fwd: 'M4 18l8.5-6L4 6zm9 0 8.5-6L13 6z',
    prev: 'M6 6h2v12H6zm3.5 6 8.5 6V6z', next: 'M6 18l8.5-6L6 6zm10-12h2v12h-2z',
  };

  /* ---------- small helpers ---------- */

  // Build an element from properties and children; text goes in as text, never as markup.
  function h(tag, props = {}, ...kids) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (k in el && !k.includes('-')) el[k] = v;
      else el.setAttribute(k, v);
    }
    el.append(...kids);
    return el;
  }

  function icon(d) {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    const path = document.createElementNS(ns, 'path');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    path.setAttribute('d', d);
    svg.append(path);
    return svg;
  }

  // Every button carries a visible text label; the icon is decoration.
  function button(label, d, cls = '') {
    const kids = d ? [icon(d)] : [];
    return h('button', { type: 'button', className: `vr-btn ${cls}` }, ...kids, h('span', { className: 'vr-label' }, label));
  }

  function words(sec) {
    sec = Math.max(0, Math.round(sec));
    const parts = [[Math.floor(sec / 3600), 'hour'], [Math.floor(sec / 60) % 60, 'minute'], [sec % 60, 'second']];
    return parts.filter(([n]) => n).map(([n, u]) => `${n} ${u}${n === 1 ? '' : 's'}`).join(' ') || '0 seconds';
  }

  function clock(sec) {
    sec = Math.max(0, Math.floor(sec || 0));
    return `${Math.floor(sec / 60)}:${String(sec % 60).padStart(2, '0')}`;
  }

  // FNV-1a: a short, stable key for one version of a document's audio.
  function hash(s) {
    let x = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) x = Math.imul(x ^ s.charCodeAt(i), 0x01000193);
    return (x >>> 0).toString(36);
  }

  // Storage can be off (private modes, sandboxed frames): memory is a nicety, never a failure.
  const store = {
    get(k) { try { return JSON.parse(localStorage.getItem(k)); } catch { return null; } },
    set(k, v) { try { localStorage.setItem(k, JSON.stringify(v)); } catch { /* ignored: see above */ } },
    drop(k) { try { localStorage.removeItem(k); } catch { /* ignored: see above */ } },
  };

  const collapse = (s) => String(s).replace(/\s+/g, ' ').trim();
  const isField = (el) => !!el && (el.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName));
  const blockOf = (node) => (node.nodeType === 1 ? node : node.parentElement).closest(BLOCK);

  function caretAt(x, y) {
    if (document.caretPositionFromPoint) {
      const c = document.caretPositionFromPoint(x, y);
      return c && [c.offsetNode, c.offset];
    }
    const r = document.caretRangeFromPoint && document.caretRangeFromPoint(x, y);
    return r && [r.startContainer, r.startOffset];
  }

  // One stylesheet, fetched once and adopted: CSP style-src does not apply to constructed sheets,
  // so the player is styled on hosts that allow only our script, fetch and media.
  let sheetPromise;
  function loadSheet() {
    sheetPromise ||= fetch(CSS_URL).then((r) => (r.ok ? r.text() : '')).catch(() => '').then((css) => {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      // The page needs the ::highlight rule; the player rules are rooted at :host and match nothing there.
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
      return sheet;
    });
    return sheetPromise;
  }

  /* ---------- finding the manifest's text in the page ---------- */

  // The text nodes from a section heading up to the next section heading, in reading order.
  function textBetween(start, end) {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
      acceptNode: (n) => (n.parentElement.closest(SKIP) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
    });
    const after = Node.DOCUMENT_POSITION_FOLLOWING | Node.DOCUMENT_POSITION_CONTAINED_BY;
    const nodes = [];
    walker.currentNode = start;
    for (let n = walker.nextNode(); n && !(end && end.compareDocumentPosition(n) & after); n = walker.nextNode()) nodes.push(n);
    return nodes;
  }

  // Match each sentence's whitespace-collapsed text, in order, to a Range over the text nodes.
  function rangesFor(sentences, nodes) {
    const chars = [];
    const where = []; // node, offset for each collapsed character
    let space = true;
    for (const n of nodes) {
      for (let k = 0; k < n.data.length; k++) {
        const c = n.data[k];
        if (c === '\u00ad') continue; // soft hyphens are invisible
        if (/\s/.test(c)) {
          if (space) continue;
          space = true;
          chars.push(' ');
        } else {
          space = false;
          chars.push(c);
        }
        where.push(n, k);
      }
    }
    const text = chars.join('');
    let from = 0;
    return sentences.map((s) => {
      const want = collapse(s.text);
      const at = want ? text.indexOf(want, from) : -1;
      if (at < 0) return null;
      from = at + want.length;
      const range = new Range();
      range.setStart(where[2 * at], where[2 * at + 1]);
      range.setEnd(where[2 * from - 2], where[2 * from - 1] + 1);
      return range;
    });
  }

  // Find each section's heading by id (else by its text): [headings, each section's Ranges].
  function mapSections(sections) {
    const heads = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')];
    const used = new Set();
    const found = sections.map((s) => {
      let el = document.getElementById(s.id);
      if (!el || !/^H[1-6]$/.test(el.tagName) || used.has(el)) {
        el = heads.find((x) => !used.has(x) && collapse(x.textContent) === collapse(s.heading)) || null;
      }
      if (el) used.add(el);
      return el;
    });
    return [found, found.map((el, i) => {
      const end = found.slice(i + 1).find(Boolean) || null;
      return el ? rangesFor(sections[i].sentences, textBetween(el, end)) : [];
    })];
  }

  /* ---------- the element ---------- */

  class VoiceReader extends HTMLElement {
    connectedCallback() {
      if (this.shadowRoot) return; // moved within the page: keep what was built
      const root = this.attachShadow({ mode: 'open' });
      // The fallback children stay visible through a slot until the player is ready.
      this.slotEl = h('slot');
      // One polite live region, present from the start so its first message is heard.
      this.statusEl = h('p', { className: 'vr-status', role: 'status' });
      root.append(this.slotEl, this.statusEl);
      this.setState('loading');
      Promise.all([loadSheet(), this.loadManifest()]).then(
        ([sheet, manifest]) => this.build(sheet, manifest),
        (error) => loadSheet().then((sheet) => this.broken(sheet, error)),
      );
    }

    disconnectedCallback() {
      if (this.audios) this.audios.forEach((a) => a.pause());
    }

    manifestUrl() {
      const manifest = this.getAttribute('manifest');
      const slug = this.getAttribute('document');
      const src = this.getAttribute('src');
      if (manifest) return new URL(manifest, document.baseURI).href;
      if (slug && src) return new URL(`api/documents/${encodeURIComponent(slug)}/manifest.json`, src.replace(/\/?$/, '/')).href;
      throw new Error('voice-reader needs a manifest attribute, or document and src');
    }

    async loadManifest() {
      this.base = this.manifestUrl();
      const response = await fetch(this.base);
      if (!response.ok) throw new Error(`manifest: HTTP ${response.status}`);
      const m = await response.json();
      if (m.version !== 1 || !Array.isArray(m.sections) || !m.sections.length) throw new Error('manifest: not version 1');
      return m;
    }

    // The manifest could not be had: say so, and leave the fallback links in view.
    broken(sheet, error) {
      this.shadowRoot.adoptedStyleSheets = [sheet];
      this.setState('error');
      this.say('Sorry, the audio player could not load. The audio links on this page still work.');
      this.emit(EV.FAIL, { message: String(error && error.message) });
    }

    build(sheet, m) {
      this.m = m;
      this.secs = m.sections;
      this.n = this.secs.length;
      this.urls = this.secs.map((s) => new URL(s.audio, this.base).href);
      this.key = `voice-reader:${m.document.slug}:${hash(this.secs.map((s) => s.audio).join('|'))}`;
      [this.heads, this.ranges] = mapSections(this.secs);
      this.i = 0;
      this.k = -1;
      this.started = false;
      this.following = true;
      this.rate = RATES.includes(store.get('voice-reader:rate')) ? store.get('voice-reader:rate') : 1;
      this.savedAt = 0;
      this.userScroll = 0;
      this.audios = [0, 1].map(() => h('audio', { preload: 'none', preservesPitch: true }));
      this.audio = this.audios[0];
      this.shadowRoot.adoptedStyleSheets = [sheet];
      this.slotEl.remove();
      this.shadowRoot.prepend(this.renderPlayer());
      this.shadowRoot.append(...this.audios);
      this.listen();
      // Fetch the first section's metadata now so that pressing Play starts quickly.
      this.load(this.audio, 0, 'metadata');
      this.upgradeLinks(sheet);
      this.offerResume();
      this.sectionChanged();
      this.setState('ready');
      this.emit(EV.READY, { sections: this.n });
    }

    renderPlayer() {
      const total = this.secs.reduce((t, s) => t + s.duration, 0);
      this.playBtn = button('Play', ICON.play, 'vr-primary');
      this.resumeBtn = h('button', { type: 'button', className: 'vr-btn', hidden: true });
      const backBtn = button(`Back ${STEP} seconds`, ICON.back);
      const fwdBtn = button(`Forward ${STEP} seconds`, ICON.fwd);
      const prevBtn = button('Previous section', ICON.prev);
      const nextBtn = button('Next section', ICON.next);
      this.nowEl = h('p', { className: 'vr-now' });
      this.timeEl = h('span', { className: 'vr-time' });
      this.seek = h('input', { type: 'range', className: 'vr-seek', min: 0, step: 1, value: 0, id: 'vr-seek' });
      // The sentence is captioned in the player unless most of the text is on the page to highlight
      // (a host page with only the title, say, would otherwise show nothing being read).
      const said = this.secs.reduce((n, s) => n + s.sentences.length, 0);
      this.caption = h('p', { className: 'vr-caption', hidden: 2 * this.ranges.flat().filter(Boolean).length >= said });
      this.rateSel = h('select', { className: 'vr-select', id: 'vr-rate' },
        ...RATES.map((r) => h('option', { value: r, selected: r === this.rate }, `${r}×`)));
      this.clickBtn = button('Click to listen', '', 'vr-toggle');
      this.clickBtn.setAttribute('aria-pressed', 'false');
      this.clickBtn.hidden = !this.caption.hidden; // nothing on the page to click when the text is elsewhere
      this.followBtn = button('Back to the current sentence', '', 'vr-follow');
      this.followBtn.hidden = true;
      this.skipBtn = button('Skip to next section', ICON.next);
      this.skipBtn.hidden = true;
      this.list = h('ol', { className: 'vr-list', id: 'vr-sections', hidden: true },
        ...this.secs.map((s) => h('li', { className: `vr-l${s.level}`, lang: this.m.document.lang || '' },
          button(s.heading, '', 'vr-item'))));
      this.items = [...this.list.querySelectorAll('button')];
      this.listBtn = this.disclosure(`Sections (${this.n})`, this.list);
      this.help = h('div', { className: 'vr-help', id: 'vr-help', hidden: true }, this.renderHelp());
      this.helpBtn = this.disclosure('Keyboard shortcuts', this.help);
      this.actions = {
        play: () => this.toggle(), back: () => this.seekBy(-STEP), fwd: () => this.seekBy(STEP),
        prev: () => this.start(this.i - 1), next: () => this.start(this.i + 1),
        list: () => this.listBtn.click(), help: () => this.helpBtn.click(),
        slower: () => this.nudgeRate(-1), faster: () => this.nudgeRate(1),
      };
      const on = (el, fn) => el.addEventListener('click', fn);
      on(this.playBtn, this.actions.play);
      on(backBtn, this.actions.back);
      on(fwdBtn, this.actions.fwd);
      on(prevBtn, this.actions.prev);
      on(nextBtn, this.actions.next);
      on(this.resumeBtn, () => this.start(this.resume.i, this.resume.t));
      on(this.skipBtn, () => this.start(this.i + 1));
      on(this.clickBtn, () => this.setClickMode(this.clickBtn.getAttribute('aria-pressed') !== 'true'));
      on(this.followBtn, () => this.refollow());
      this.items.forEach((b, i) => on(b, () => this.start(i)));
      this.rateSel.addEventListener('change', () => this.setRate(+this.rateSel.value));
      this.seek.addEventListener('input', () => this.seekTo(+this.seek.value));
      // The player's own words are English, whatever the language of the page around it.
      return h('div', { className: 'vr-player', role: 'region', 'aria-label': 'Listen to this page', lang: 'en' },
        h('p', { className: 'vr-title' }, `Listen to this page (${words(total)})`),
        h('div', { className: 'vr-row' }, this.playBtn, this.resumeBtn, backBtn, fwdBtn, prevBtn, nextBtn),
        h('div', { className: 'vr-row' }, this.nowEl, this.timeEl),
        h('div', { className: 'vr-row' }, h('label', { htmlFor: 'vr-seek' }, 'Position in section'), this.seek),
        this.caption,
        h('div', { className: 'vr-row' }, h('label', { htmlFor: 'vr-rate' }, 'Speed'), this.rateSel,
          this.clickBtn, this.listBtn, this.helpBtn, this.followBtn),
        h('div', { className: 'vr-row' }, this.statusEl, this.skipBtn),
        this.list, this.help);
    }

    // A disclosure: a button with aria-expanded that shows and hides one panel.
    disclosure(label, panel) {
      const b = button(label, '', 'vr-toggle');
      b.setAttribute('aria-expanded', 'false');
      b.setAttribute('aria-controls', panel.id);
      b.addEventListener('click', () => {
        panel.hidden = !panel.hidden;
        b.setAttribute('aria-expanded', String(!panel.hidden));
      });
      return b;
    }

    renderHelp() {
      const rows = [['K', 'Play or pause'], ['J and L', `Back or forward ${STEP} seconds`],
        ['P and N', 'Previous or next section'], ['< and >', 'Slower or faster'], ['S', 'Show or hide the sections'],
        ['?', 'Show or hide these shortcuts'], ['Escape', 'Close the sections or shortcuts'],
        ['Arrow keys on the position slider', 'Move 1 second; Page Up and Page Down move further']];
      return h('div', {},
        h('p', {}, 'These keys work while focus is in the player, not while typing in a field.'),
        h('dl', {}, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
        h('p', {}, 'Click to listen: when on, click a sentence on the page to hear it from there, '
          + 'or Tab to a paragraph and press Enter. Selecting text still works.'));
    }

    /* ---------- wiring ---------- */

    listen() {
      // Only the element that is playing reports; the other one is preloading the next section.
      const on = (type, fn) => this.audios.forEach((a) => a.addEventListener(type, (e) => e.target === this.audio && fn()));
      on(EV.PLAYING, () => { this.setState('playing'); this.claimSession(); this.preloadNext(); this.tick(); });
      on(EV.PAUSE, () => {
        if (this.audio.ended || this.state === 'error') return;
        this.setState('paused');
        this.save();
        this.say('Paused');
      });
      on(EV.ENDED, () => (this.i + 1 < this.n ? this.start(this.i + 1) : this.finished()));
      on(EV.TIME, () => this.update());
      on(EV.SEEKED, () => this.update(true));
      on(EV.ERROR, () => this.failed());
      this.shadowRoot.addEventListener('keydown', (e) => this.onKey(e));
      document.addEventListener('click', (e) => this.onTextClick(e));
      document.addEventListener('keydown', (e) => this.onTextKey(e));
      addEventListener('scroll', () => this.onScroll(), { passive: true });
      // Only a scroll the visitor asked for (wheel, touch, keys, the scrollbar) stops following:
      // our own smooth scrolling and focus moves do not.
      const intent = (e) => {
        const t = e.target instanceof Element ? e.target : null;
        if (e.type === 'mousedown' ? t === document.documentElement
          : e.type !== 'keydown' || (/^(Page|Arrow(Up|Down)|Home|End| $)/.test(e.key) && !isField(t) && !(t && t.closest(TAG)))) {
          this.userScroll = Date.now();
        }
      };
      for (const type of ['wheel', 'touchmove', 'keydown', 'mousedown']) addEventListener(type, intent, { passive: true });
      addEventListener('pagehide', () => this.save());
    }

    // Replace each "Listen to this section" link with a "Listen from here" button. The button
    // lives in its own shadow root so host CSS such as button{display:none} cannot hide it.
    upgradeLinks(sheet) {
      const done = new Set();
      const control = (i) => {
        const host = h('span', { className: 'vr-listen-control' });
        const root = host.attachShadow({ mode: 'open' });
        const b = button('Listen from here', ICON.play);
        // The visible words start the name (WCAG 2.5.3); the heading tells the buttons apart.
        b.setAttribute('aria-label', `Listen from here: ${this.secs[i].heading}`);
        b.addEventListener('click', () => this.start(i));
        root.adoptedStyleSheets = [sheet];
        root.append(b);
        done.add(i);
        return host;
      };
      for (const a of document.querySelectorAll('.vr-listen a[data-vr-section]')) {
        const i = this.secs.findIndex((s) => s.id === a.dataset.vrSection);
        if (i >= 0) a.replaceWith(control(i));
      }
      // A host's own copy of the text has no such links: the button goes after each heading found.
      this.heads.forEach((el, i) => el && !done.has(i) && el.after(control(i)));
    }

    offerResume() {
      const saved = store.get(this.key);
      if (!saved || !this.secs[saved.i] || (saved.i === 0 && saved.t < 5)) return;
      this.resume = saved;
      this.resumeBtn.textContent = `Resume from “${this.secs[saved.i].heading}”`;
      this.resumeBtn.hidden = false;
    }

    emit(type, detail) {
      this.dispatchEvent(new CustomEvent(type, { bubbles: true, composed: true, detail }));
    }

    setState(state) {
      this.state = state;
      this.dataset.state = state; // state flows down as an attribute, for host CSS and tests
      if (this.playBtn) {
        const playing = state === 'playing';
        this.playBtn.lastChild.textContent = playing ? 'Pause' : 'Play';
        this.playBtn.querySelector('path').setAttribute('d', playing ? ICON.pause : ICON.play);
      }
      this.emit(EV.STATE, { state });
    }

    // Announce through the one polite status region; the same message twice is still heard.
    say(message) {
      const el = this.statusEl;
      if (el.textContent !== message) { el.textContent = message; return; }
      el.textContent = '';
      setTimeout(() => { el.textContent = message; }, 150);
    }

    // Hide a button; if it had focus, keep focus on Play so keyboard users are not dropped to the page top.
    hide(b) {
      if (this.shadowRoot.activeElement === b) this.playBtn.focus();
      b.hidden = true;
    }

    /* ---------- playing ---------- */

    load(audio, i, preload) {
      audio.preload = preload;
      audio.dataset.i = i;
      audio.defaultPlaybackRate = this.rate;
      audio.src = this.urls[i];
    }

    // Start section i at t seconds (always on a visitor's action or the previous section's end).
    start(i, t = 0) {
      if (!this.secs || i < 0 || i >= this.n) return;
      let cur = this.audio;
      const other = this.audios.find((x) => x !== cur);
      if (+other.dataset.i === i && !other.error) {
        cur.pause();
        cur = other; // the next section is already buffered: swapping keeps the join short
      } else if (+cur.dataset.i !== i || cur.error || !cur.src) {
        this.load(cur, i, 'auto');
      }
      this.audio = cur;
      this.i = i;
      this.started = true;
      this.following = true;
      this.userScroll = 0;
      [this.resumeBtn, this.skipBtn, this.followBtn].forEach((x) => this.hide(x));
      if (Math.abs(cur.currentTime - t) > 0.05) cur.currentTime = t;
      cur.playbackRate = this.rate;
      this.setState(cur.paused ? 'loading' : 'playing'); // an element already playing fires no 'playing'
      this.go(cur.play());
      this.sectionChanged();
      this.say(`Playing section ${i + 1} of ${this.n}: ${this.secs[i].heading}`);
      this.save();
    }

    // Buffer the next section in the other element once this one plays (not before: on a slow
    // connection the section the visitor asked for comes first), so the join is seamless.
    preloadNext() {
      const next = this.audios.find((x) => x !== this.audio);
      if (this.i + 1 < this.n && (+next.dataset.i !== this.i + 1 || next.error)) this.load(next, this.i + 1, 'auto');
    }

    toggle() {
      if (!this.started) return this.start(this.i, +this.seek.value);
      if (!this.audio.paused) return this.audio.pause();
      if (this.state === 'error') return this.start(this.i, this.audio.currentTime);
      this.audio.playbackRate = this.rate;
      this.go(this.audio.play());
      this.say('Playing');
    }

    // play() can be refused (autoplay rules, no audio device) or cut short; say so, never throw.
    go(promise) {
      promise.catch((error) => {
        if (error.name === 'AbortError') return; // paused or moved on before it started
        if (this.audio.error || error.name === 'NotSupportedError') return this.failed();
        this.setState('paused');
        this.say('The browser did not let the audio start. Press Play to try again.');
      });
    }

    failed() {
      if (this.state === 'error') return;
      const s = this.secs[this.i];
      this.setState('error');
      const more = this.i + 1 < this.n;
      this.say(`Sorry, section ${this.i + 1} (${s.heading}) could not be loaded.${more ? ' You can skip to the next section.' : ''}`);
      this.skipBtn.hidden = !more;
      this.emit(EV.FAIL, { section: s.id });
    }

    finished() {
      this.setState('ended');
      this.started = false;
      this.resume = null;
      store.drop(this.key);
      this.paint(null);
      this.i = 0;
      this.sectionChanged();
      this.say('Finished: you have heard the whole page.');
    }

    seekTo(t) {
      if (+this.audio.dataset.i !== this.i) this.load(this.audio, this.i, 'auto');
      this.audio.currentTime = Math.max(0, t);
      this.update(true);
    }

    // Back and Forward cross into the neighbouring section rather than stopping at its edge.
    seekBy(d) {
      const t = this.audio.currentTime + d;
      if (t < 0 && this.i > 0) return this.start(this.i - 1, Math.max(0, this.secs[this.i - 1].duration + t));
      if (t >= this.secs[this.i].duration && this.i + 1 < this.n) return this.start(this.i + 1, t - this.secs[this.i].duration);
      this.seekTo(Math.min(t, this.secs[this.i].duration));
    }

    setRate(r) {
      this.rate = r;
      this.rateSel.value = String(r);
      this.audios.forEach((a) => { a.defaultPlaybackRate = r; a.playbackRate = r; });
      store.set('voice-reader:rate', r);
    }

    nudgeRate(dir) {
      const r = RATES[Math.min(RATES.length - 1, Math.max(0, RATES.indexOf(this.rate) + dir))];
      this.setRate(r);
      this.say(`Speed ${r}×`);
    }

    save() {
      if (!this.started) return;
      this.savedAt = Date.now();
      store.set(this.key, { i: this.i, t: Math.floor(this.audio.currentTime) });
    }

    // Media Session: lock screens, headsets and hardware keys drive the same actions.
    claimSession() {
      const ms = navigator.mediaSession;
      if (!ms || !window.MediaMetadata) return;
      const heading = this.secs[this.i].heading;
      ms.metadata = new MediaMetadata({ title: this.m.document.title, artist: heading, album: heading });
      const handlers = {
        play: () => this.toggle(), pause: () => this.audio.pause(), nexttrack: this.actions.next,
        previoustrack: this.actions.prev, seekbackward: this.actions.back, seekforward: this.actions.fwd,
      };
      for (const [action, fn] of Object.entries(handlers)) {
        try { ms.setActionHandler(action, fn); } catch { /* this browser lacks the action */ }
      }
    }

    /* ---------- showing where we are ---------- */

    sectionChanged() {
      const s = this.secs[this.i];
      this.nowEl.textContent = `Section ${this.i + 1} of ${this.n}: ${s.heading}`;
      this.seek.max = Math.ceil(s.duration);
      this.items.forEach((b, i) => (i === this.i ? b.setAttribute('aria-current', 'true') : b.removeAttribute('aria-current')));
      this.k = -1;
      this.update(true);
      this.emit(EV.SECTION, { index: this.i, id: s.id, heading: s.heading });
    }

    // Keep the highlight in step between timeupdates (they come only every quarter second).
    tick() {
      if (this.audio.paused) return;
      this.highlight(this.audio.currentTime);
      requestAnimationFrame(() => this.tick());
    }

    update(force) {
      const a = this.audio;
      const s = this.secs[this.i];
      const t = +a.dataset.i === this.i ? a.currentTime : 0; // idle after the end: back at the start
      // A focused slider whose value changes every second makes screen readers chatter: while it
      // has focus during playback it moves every 15 seconds instead.
      const quiet = this.shadowRoot.activeElement === this.seek && !a.paused && !force;
      if (!quiet || Math.abs(t - this.seek.value) >= 15) {
        this.seek.value = t;
        this.seek.setAttribute('aria-valuetext', `${words(t)} of ${words(s.duration)}`);
      }
      this.timeEl.textContent = `${clock(t)} / ${clock(s.duration)}`;
      this.highlight(t);
      if (!a.paused && Date.now() - this.savedAt > SAVE_MS) this.save();
    }

    highlight(t) {
      const sentences = this.secs[this.i].sentences;
      let k = -1;
      sentences.forEach((s, j) => { if (s.start <= t) k = j; });
      if (!this.started || k === this.k) return;
      this.k = k;
      const range = this.ranges[this.i][k];
      this.caption.textContent = k < 0 ? '' : sentences[k].text;
      this.paint(range);
      if (range && this.following) this.follow(range);
    }

    paint(range) {
      if (window.Highlight && CSS.highlights) {
        if (range) CSS.highlights.set(HIGHLIGHT, new Highlight(range));
        else CSS.highlights.delete(HIGHLIGHT);
        return;
      }
      // Without the Highlight API, mark the block being read with a class; its text stays untouched.
      if (this.block) this.block.classList.remove('vr-reading');
      this.block = range && blockOf(range.startContainer);
      if (this.block) this.block.classList.add('vr-reading');
    }

    // Keep the sentence in view; instant rather than animated when the visitor prefers less motion.
    follow(range) {
      const r = range.getBoundingClientRect();
      if (!r.height || (r.top >= 0 && r.bottom <= innerHeight)) return;
      let top = scrollY + r.top - innerHeight / 4; // a quarter down: room to read on
      // A keyboard user working the player keeps the focused control in view if the sentence fits below it.
      const focus = this.shadowRoot.activeElement;
      const keep = focus ? scrollY + focus.getBoundingClientRect().top - 8 : top;
      if (keep < top && r.bottom - (keep - scrollY) <= innerHeight) top = keep;
      const smooth = !matchMedia('(prefers-reduced-motion: reduce)').matches;
      scrollTo({ top, behavior: smooth ? 'smooth' : 'instant' });
    }

    // A scroll we did not make that takes the sentence out of view means the visitor is reading
    // elsewhere: stop following, and offer the way back.
    onScroll() {
      if (!this.started || !this.following || Date.now() - this.userScroll > 1000) return;
      const range = this.ranges[this.i][this.k];
      if (!range) return;
      const r = range.getBoundingClientRect();
      if (r.bottom >= 0 && r.top <= innerHeight) return;
      this.following = false;
      this.followBtn.hidden = false;
    }

    refollow() {
      this.following = true;
      this.userScroll = 0; // the visitor just asked to follow: earlier scrolling no longer counts
      this.hide(this.followBtn);
      const range = this.ranges[this.i][this.k];
      if (range) this.follow(range);
    }

    /* ---------- keys and click to listen ---------- */

    onKey(e) {
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      const target = e.composedPath()[0];
      if (e.key === 'Escape') return this.closePanels();
      if (isField(target)) return; // native keys in the slider, the select and any field stay theirs
      const action = KEYS[e.key.toLowerCase()];
      if (!action) return;
      e.preventDefault();
      this.actions[action]();
    }

    closePanels() {
      for (const [b, panel] of [[this.listBtn, this.list], [this.helpBtn, this.help]]) {
        if (panel.hidden) continue;
        if (panel.contains(this.shadowRoot.activeElement)) b.focus(); // focus would vanish with the panel
        b.click();
      }
    }

    setClickMode(on) {
      this.clickBtn.setAttribute('aria-pressed', String(on));
      this.clickMode = on;
      // Blocks become focusable only while the mode is on, so Enter can start them.
      const blocks = new Set(this.ranges.flat().filter(Boolean).map((r) => blockOf(r.startContainer)));
      for (const b of blocks) {
        if (on && !b.hasAttribute('tabindex')) {
          b.tabIndex = 0;
          b.dataset.vrClickable = '';
        } else if (!on && b.hasAttribute('data-vr-clickable')) {
          b.removeAttribute('tabindex');
          b.removeAttribute('data-vr-clickable');
        }
      }
      this.say(on ? 'Click to listen is on: click a sentence, or press Enter on a paragraph.' : 'Click to listen is off.');
    }

    // Every [section, sentence] whose range satisfies test, in reading order.
    where(test) {
      const hits = [];
      this.ranges.forEach((rs, i) => rs.forEach((r, k) => r && test(r) && hits.push([i, k])));
      return hits;
    }

    play(i, k) {
      this.start(i, this.secs[i].sentences[k].start);
    }

    onTextClick(e) {
      if (!this.clickMode || e.button !== 0 || !(e.target instanceof Element) || e.target.closest(INTERACTIVE)) return;
      const selection = getSelection();
      if (selection && !selection.isCollapsed) return; // the visitor is selecting text, not asking to listen
      const p = caretAt(e.clientX, e.clientY);
      if (!p) return;
      const inside = this.where((r) => r.comparePoint(p[0], p[1]) === 0);
      // Between sentences (a click on the gap or the padding), take the last one started before it.
      const block = blockOf(p[0]);
      const before = this.where((r) => blockOf(r.startContainer) === block && r.comparePoint(p[0], p[1]) >= 0);
      const hit = inside[0] || before.pop();
      if (hit) this.play(...hit);
    }

    onTextKey(e) {
      if (!this.clickMode || e.key !== 'Enter' || !(e.target instanceof Element) || !e.target.hasAttribute('data-vr-clickable')) return;
      const hit = this.where((r) => e.target.contains(r.startContainer))[0];
      if (!hit) return;
      e.preventDefault();
      this.play(...hit);
    }
  }

  customElements.define(TAG, VoiceReader);
})();
