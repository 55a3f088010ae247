/* voice-reader.js: one dependency-free custom element that reads a page aloud (docs/widget.md).
 * The element is the controller (the <audio>, the manifest, the state); its views (main player,
 * mini-player, page highlight) render the state and send intents up as the events in EV. */
(() => {
  'use strict';
  const TAG = 'voice-reader';
  // Loading the script twice (two embeds on one page) must be harmless.
  if (!window.customElements || customElements.get(TAG)) return;

  const script = document.currentScript || document.querySelector('script[src*="voice-reader"]');
  const CSS_URL = new URL('voice-reader.css', (script && script.src) || location.href).href;
  const MARK = { sentence: 'voice-reader-sentence', word: 'voice-reader-word' };
  const STEP = 10;
  const NUDGE = 5;
  const RATES = [0.75, 1, 1.25, 1.5, 1.75, 2];
  const SAVE_MS = 3000;
  const SKIP = 'script,style,noscript,template,voice-reader,.vr-listen';
  const BLOCK = 'p,li,dd,dt,td,th,blockquote,figcaption,h1,h2,h3,h4,h5,h6';
  const INTERACTIVE = 'a,button,input,select,textarea,label,summary,[contenteditable],.vr-listen,' + TAG;
  // Shortcuts, active only while focus is inside the player (WCAG 2.1.4): key → action.
  const KEYS = { k: 'toggle', j: 'back', l: 'fwd', p: 'previous', n: 'next', s: 'more', '?': 'help', '<': 'slower', '>': 'faster' };
  // Event names in one place: intents up from the views (as media-chrome's MEDIA_PLAY_REQUEST;
  // details in docs/widget.md), then the notifications the element sends to the page.
  const EV = {
    PLAY: 'voice-reader-play-request', PAUSE: 'voice-reader-pause-request',
    SEEK: 'voice-reader-seek-request', RATE: 'voice-reader-rate-request',
    OPTION: 'voice-reader-option-request', REVEAL: 'voice-reader-reveal-request',
    READY: 'voice-reader-ready', STATE: 'voice-reader-state',
    SECTION: 'voice-reader-section', FAIL: 'voice-reader-error',
  };
  const ICON = {
    play: 'M8 5v14l11-7z', pause: 'M6 5h4v14H6zm8 0h4v14h-4z',
    previous: 'M6 6h2v12H6zm3.5 6 8.5 6V6z', next: 'M6 18l8.5-6L6 6zm10-12h2v12h-2z',
    more: 'M7 10l5 5 5-5z', up: 'M12 4 4 12h5v8h6v-8h5z', close: 'M5 7l2-2 5 5 5-5 2 2-5 5 5 5-2 2-5-5-5 5-2-2 5-5z',
    down: 'M12 20l8-8h-5V4H9v8H4z', file: 'M5 20h14v-2H5zm14-11h-4V3H9v6H5l7 7z',
  };


  function h(tag, props = {}, ...kids) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (key in el && !key.includes('-')) el[key] = value;
      else el.setAttribute(key, value);
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

  // Every button has a text label; with `tip` it shows on hover and focus, so it is the aria-label too.
  function button(label, d, cls = '', tip = false) {
    const b = h('button', { type: 'button', className: `vr-btn ${cls}${tip ? ' vr-tip' : ''}` },
      ...(d ? [icon(d)] : []), h('span', { className: 'vr-label' }, label));
    if (tip) b.setAttribute('aria-label', label);
    return b;
  }

  function disclosure(label, d, cls, panel) {
    const b = button(label, d, cls);
    b.setAttribute('aria-expanded', 'false');
    b.setAttribute('aria-controls', panel);
    return b;
  }

  const click = (el, fn) => el.addEventListener('click', fn);

  function relabel(b, label, d) {
    b.querySelector('.vr-label').textContent = label;
    if (b.hasAttribute('aria-label')) b.setAttribute('aria-label', label);
    if (d) b.querySelector('path').setAttribute('d', d);
  }

  const plural = (n, unit) => `${n} ${unit}${n === 1 ? '' : 's'}`;

  function words(sec) {
    sec = Math.max(0, Math.round(sec));
    const parts = [[Math.floor(sec / 3600), 'hour'], [Math.floor(sec / 60) % 60, 'minute'], [sec % 60, 'second']];
    return parts.filter(([n]) => n).map(([n, u]) => plural(n, u)).join(' ') || '0 seconds';
  }

  const minutes = (sec) => (sec < 30 ? 'less than a minute' : plural(Math.round(sec / 60), 'minute'));

  function clock(sec) {
    sec = Math.max(0, Math.floor(sec || 0));
    return `${Math.floor(sec / 60)}:${String(sec % 60).padStart(2, '0')}`;
  }

  function hash(s) {
    let x = 0x811c9dc5;
    for (let i = 0; i < s.length; i++) x = Math.imul(x ^ s.charCodeAt(i), 0x01000193);
    return (x >>> 0).toString(36);
  }

  // Storage can be off (private modes, sandboxed frames): memory is a nicety.
  const store = {
    get(k) { try { return JSON.parse(localStorage.getItem(k)); } catch { return null; } },
    set(k, v) { try { localStorage.setItem(k, JSON.stringify(v)); } catch { /* see above */ } },
    drop(k) { try { localStorage.removeItem(k); } catch { /* see above */ } },
  };

  const collapse = (s) => String(s).replace(/\s+/g, ' ').trim();
  const isField = (el) => !!el && (el.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName));
  const blockOf = (node) => (node.nodeType === 1 ? node : node.parentElement).closest(BLOCK);
  const clamp = (x, lo, hi) => Math.min(hi, Math.max(lo, x));
  const reduced = () => matchMedia('(prefers-reduced-motion: reduce)').matches;
  const highlights = () => !!(window.Highlight && window.CSS && CSS.highlights);

  function focusedElement() {
    let el = document.activeElement;
    while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
    return el;
  }

  function caretAt(x, y) {
    if (document.caretPositionFromPoint) {
      const c = document.caretPositionFromPoint(x, y);
      return c && [c.offsetNode, c.offset];
    }
    const r = document.caretRangeFromPoint && document.caretRangeFromPoint(x, y);
    return r && [r.startContainer, r.startOffset];
  }

  const emit = (el, type, detail) => el.dispatchEvent(new CustomEvent(type, { bubbles: true, composed: true, detail }));

  // Hide or show an element; if it had focus, `rescue` keeps focus in the player.
  function show(el, on, rescue) {
    if (!on && !el.hidden && el.contains(el.getRootNode().activeElement) && rescue) rescue();
    el.hidden = !on;
  }

  // One stylesheet, fetched and adopted: CSP style-src does not apply to constructed sheets.
  let sheetPromise;
  function loadSheet() {
    sheetPromise ||= fetch(CSS_URL).then((r) => (r.ok ? r.text() : '')).catch(() => '').then((css) => {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      // The page needs the ::highlight rules; the :host rules match nothing there.
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
      return sheet;
    });
    return sheetPromise;
  }


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

  // Where each non-space character of text is in collapse(text): word offsets are into text.
  function charMap(text) {
    const map = [];
    let c = 0;
    let space = true;
    for (let j = 0; j < text.length; j++) {
      if (!/\s/.test(text[j])) { map[j] = c++; space = false; } else if (!space) { c++; space = true; }
    }
    return map;
  }

  // Match each sentence's collapsed text, in order, to the page's text: {range, part(offset, length)}.
  function rangesFor(sentences, nodes) {
    const chars = [];
    const where = [];
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
    const span = (a, b) => {
      const range = new Range();
      range.setStart(where[2 * a], where[2 * a + 1]);
      range.setEnd(where[2 * b], where[2 * b + 1] + 1);
      return range;
    };
    let from = 0;
    return sentences.map((s) => {
      const want = collapse(s.text);
      const at = want ? text.indexOf(want, from) : -1;
      if (at < 0) return null;
      from = at + want.length;
      let map;
      const part = (offset, length) => {
        map ||= charMap(s.text);
        const a = map[offset];
        const b = map[offset + length - 1];
        return a === undefined || b === undefined || b < a ? null : span(at + a, at + b);
      };
      return { range: span(at, from - 1), part };
    });
  }

  // Find each section's heading by id (else by its text): [headings, each section's matches].
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


  class MainView {
    constructor(doc, status) {
      this.doc = doc;
      const n = doc.sections.length;
      this.play = button('Play', ICON.play, 'vr-primary');
      this.previous = button('Previous section', ICON.previous, 'vr-live', true);
      this.next = button('Next section', ICON.next, 'vr-live', true);
      this.now = h('span', { className: 'vr-now' });
      this.rate = h('select', { className: 'vr-select vr-live', 'aria-label': 'Speed' },
        ...RATES.map((r) => h('option', { value: r }, `${r}× speed`)));
      this.more = disclosure('More', ICON.more, 'vr-more', 'vr-more');
      this.elapsed = h('span', { className: 'vr-time' });
      this.seek = h('input', { type: 'range', className: 'vr-seek', min: 0, max: doc.total, step: 'any', value: 0, 'aria-label': 'Position in the page' });
      this.stretch = h('span', { className: 'vr-stretch' });
      const marks = h('span', { className: 'vr-marks', 'aria-hidden': 'true' }, this.stretch,
        ...doc.offsets.slice(1).map((t) => { const m = h('span', { className: 'vr-mark' }); m.style.left = `${(100 * t) / doc.total}%`; return m; }));
      const timeline = h('div', { className: 'vr-timeline vr-live' }, this.seek, marks);
      this.caption = h('p', { className: 'vr-caption vr-live', hidden: doc.onPage });
      this.status = status;
      this.skip = button('Skip to next section', ICON.next);
      this.follow = button('Back to the current sentence', ICON.down, 'vr-follow');
      this.click = this.toggle('Click to listen', 'click', doc.onPage);
      this.wordsBtn = this.toggle('Highlight each word', 'words', doc.onPage && doc.hasWords && highlights());
      const d = doc.download;
      this.download = d ? h('a', { className: 'vr-btn vr-link', href: d.href, download: '' }, icon(ICON.file),
        h('span', { className: 'vr-label' }, `Download (MP3, ${minutes(d.duration)}, ${(d.bytes / 1e6).toFixed(1)} MB)`)) : '';
      this.help = h('div', { className: 'vr-help', id: 'vr-help', hidden: true }, ...MainView.helpText());
      this.helpBtn = disclosure('Keyboard shortcuts', '', 'vr-toggle', 'vr-help');
      this.items = doc.sections.map((s) => button(s.heading, '', 'vr-item'));
      this.panel = h('div', { className: 'vr-panel', id: 'vr-more', hidden: true },
        h('div', { className: 'vr-row' }, this.click, this.wordsBtn, this.download, this.helpBtn), this.help,
        h('p', { className: 'vr-list-label', id: 'vr-list-label' }, `Sections (${n})`),
        h('ol', { className: 'vr-list', 'aria-labelledby': 'vr-list-label' },
          ...doc.sections.map((s, i) => h('li', { className: `vr-l${s.level}`, lang: doc.lang }, this.items[i]))));
      // English, whatever the page's language. The wrapper is the layout's container (the player
      // itself cannot be: a container would trap the fixed mini-player).
      this.player = h('div', { className: 'vr-player vr-rest', role: 'region', 'aria-label': 'Listen to this page', lang: 'en' },
        h('div', { className: 'vr-row' }, this.play, this.previous, this.next, this.more),
        h('div', { className: 'vr-row vr-live' }, h('p', { className: 'vr-info' }, this.elapsed, ` / ${clock(doc.total)} · `, this.now), this.rate),
        timeline, this.caption,
        h('div', { className: 'vr-row vr-alert' }, status, this.skip, this.follow), this.panel);
      this.el = h('div', { className: 'vr-main' }, this.player);
      this.wire();
      this.last = {};
    }

    toggle(label, name, offered) {
      const b = button(label, '', 'vr-toggle');
      b.setAttribute('aria-pressed', 'false');
      b.hidden = !offered;
      click(b, () => emit(b, EV.OPTION, { name, on: b.getAttribute('aria-pressed') !== 'true' }));
      return b;
    }

    static helpText() {
      const rows = [['K', 'Play or pause'], ['J and L', `Back or forward ${STEP} seconds`],
        ['P and N', 'Previous or next section'], ['< and >', 'Slower or faster'], ['S', 'Show or hide this menu'],
        ['?', 'Show or hide these shortcuts'], ['Escape', 'Close this menu'],
        ['On the timeline', `Arrows: ${NUDGE} seconds. Page Up, Page Down: previous, next section. Home, End: start, end`]];
      return [h('p', {}, 'These keys work while focus is in the player, not while typing in a field.'),
        h('dl', {}, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]))];
    }

    wire() {
      const on = click;
      const doc = this.doc;
      const go = (i) => emit(this.el, EV.PLAY, { section: i });
      on(this.play, () => {
        const s = this.state;
        if (s.playing) return emit(this.el, EV.PAUSE);
        emit(this.el, EV.PLAY, !s.started && s.resume ? { section: s.resume.section, time: s.resume.time } : undefined);
      });
      on(this.previous, () => go(this.state.section - 1));
      on(this.next, () => go(this.state.section + 1));
      on(this.skip, () => go(this.state.section + 1));
      on(this.follow, () => emit(this.el, EV.OPTION, { name: 'follow', on: true }));
      on(this.more, () => this.open(this.panel.hidden));
      on(this.helpBtn, () => this.openHelp(this.help.hidden));
      this.items.forEach((b, i) => on(b, () => go(i)));
      this.rate.addEventListener('change', () => emit(this.el, EV.RATE, { rate: +this.rate.value }));
      this.seek.addEventListener('input', () => emit(this.el, EV.SEEK, { time: +this.seek.value }));
      // The timeline's keys move through the whole page (natively they move by 1%).
      this.seek.addEventListener('keydown', (e) => {
        const s = this.state;
        const keys = {
          ArrowRight: s.time + NUDGE, ArrowUp: s.time + NUDGE, ArrowLeft: s.time - NUDGE, ArrowDown: s.time - NUDGE,
          PageUp: doc.offsets[Math.max(0, s.section - 1)], PageDown: doc.offsets[s.section + 1] ?? doc.total,
          Home: 0, End: doc.total,
        };
        if (!(e.key in keys) || e.altKey || e.ctrlKey || e.metaKey) return;
        e.preventDefault();
        emit(this.el, EV.SEEK, { time: clamp(keys[e.key], 0, doc.total) });
      });
    }

    open(on) {
      show(this.panel, on, () => this.more.focus());
      this.more.setAttribute('aria-expanded', String(on));
    }

    openHelp(on) {
      if (on) this.open(true);
      show(this.help, on, () => this.helpBtn.focus());
      this.helpBtn.setAttribute('aria-expanded', String(on));
    }

    focusPlay(scroll) {
      this.play.focus({ preventScroll: true });
      if (scroll) this.el.scrollIntoView({ block: 'nearest', behavior: reduced() ? 'instant' : 'smooth' });
    }

    render(s) {
      this.state = s;
      const last = this.last;
      const doc = this.doc;
      const rescue = () => this.play.focus();
      const rest = !s.started;
      if (rest !== last.rest) {
        if (rest && this.el.querySelector('.vr-live:focus-within')) rescue();
        this.player.classList.toggle('vr-rest', rest);
      }
      const label = s.playing ? 'Pause' : rest ? (s.resume ? `Resume from “${doc.sections[s.resume.section].heading}”` : 'Listen') : 'Play';
      if (label !== last.label) {
        relabel(this.play, label, s.playing ? ICON.pause : ICON.play);
        // At rest it says how long the page lasts; the dot is not read out.
        if (label === 'Listen') this.play.querySelector('.vr-label').append(' ', h('span', { 'aria-hidden': 'true' }, '·'), ` ${minutes(doc.total)}`);
      }
      if (s.section !== last.section) {
        const sec = doc.sections[s.section];
        this.now.textContent = sec.heading;
        this.items.forEach((b, i) => (i === s.section ? b.setAttribute('aria-current', 'true') : b.removeAttribute('aria-current')));
        this.stretch.style.left = `${(100 * doc.offsets[s.section]) / doc.total}%`;
        this.stretch.style.width = `${(100 * sec.duration) / doc.total}%`;
      }
      const second = Math.floor(s.time);
      // A focused slider that moves every second makes screen readers chatter: every 15 s instead.
      const quiet = this.el.getRootNode().activeElement === this.seek && s.playing;
      if (second !== last.second && (!quiet || Math.abs(s.time - this.seek.value) >= 15 || s.section !== last.section)) {
        this.seek.value = s.time;
        this.seek.setAttribute('aria-valuetext', `${words(s.time)} of ${words(doc.total)}, ${doc.sections[s.section].heading}`);
      }
      if (second !== last.second) this.elapsed.textContent = clock(s.time);
      if (String(s.rate) !== this.rate.value) this.rate.value = String(s.rate);
      const sentence = doc.sections[s.section].sentences[s.sentence];
      const caption = s.started && sentence ? sentence.text : '';
      if (caption !== last.caption) this.caption.textContent = caption;
      const pressed = (b, on) => b.getAttribute('aria-pressed') !== String(on) && b.setAttribute('aria-pressed', String(on));
      pressed(this.click, s.options.click);
      pressed(this.wordsBtn, s.options.words);
      this.status.classList.toggle('vr-shown', s.alert);
      show(this.skip, s.state === 'error' && s.section + 1 < doc.sections.length, rescue);
      show(this.follow, s.started && !s.options.follow && doc.onPage, rescue);
      Object.assign(last, { rest, label, section: s.section, second, caption });
    }
  }


  class MiniView {
    constructor(doc) {
      this.doc = doc;
      this.play = button('Pause', ICON.pause, 'vr-primary');
      this.next = button('Next section', ICON.next, '', true);
      this.follow = button('Back to the current sentence', ICON.down, '', true);
      this.back = button('Back to the player', ICON.up, '', true);
      this.close = button('Close the mini-player', ICON.close, '', true);
      this.name = h('p', { className: 'vr-mini-name' });
      this.bar = h('span', { className: 'vr-progress-bar' });
      this.el = h('div', { className: 'vr-mini', role: 'region', 'aria-label': 'Audio controls', lang: 'en', hidden: true },
        h('span', { className: 'vr-progress', 'aria-hidden': 'true' }, this.bar),
        h('div', { className: 'vr-row' }, this.play, this.name, this.next, this.follow, this.back, this.close));
      this.closed = false;
      this.last = {};
      const on = click;
      on(this.play, () => emit(this.el, this.state.playing ? EV.PAUSE : EV.PLAY));
      on(this.next, () => emit(this.el, EV.PLAY, { section: this.state.section + 1 }));
      on(this.follow, () => emit(this.el, EV.OPTION, { name: 'follow', on: true }));
      on(this.back, () => emit(this.el, EV.REVEAL, { scroll: true }));
      on(this.close, () => { this.closed = true; this.render(this.state); });
    }

    attach(signal) {
      // Never hide the focused element: scroll it clear if the browser did not.
      document.addEventListener('focusin', () => {
        const el = focusedElement();
        if (this.el.hidden || !el || this.el.contains(el)) return;
        const r = el.getBoundingClientRect();
        const top = innerHeight - this.el.offsetHeight;
        if (r.bottom > top) scrollBy({ top: r.bottom - top + 8, behavior: 'instant' });
      }, { signal });
    }

    detach() {
      this.pad(false);
    }

    // While docked, scroll padding keeps focused and followed text above the bar.
    pad(on) {
      const style = document.documentElement.style;
      const pad = on ? `${this.el.offsetHeight + 8}px` : this.saved;
      if (on && this.saved === undefined) this.saved = style.scrollPaddingBottom;
      if (pad === undefined || pad === this.padded) return;
      style.scrollPaddingBottom = pad;
      this.padded = on ? pad : undefined;
      if (!on) this.saved = undefined;
    }

    render(s) {
      this.state = s;
      if (s.inView) this.closed = false;
      const on = s.mini && s.started && !s.inView && !this.closed;
      if (!on && !this.el.hidden && this.el.contains(this.el.getRootNode().activeElement)) emit(this.el, EV.REVEAL, { scroll: false });
      this.el.hidden = !on;
      this.pad(on);
      if (!on) return;
      const last = this.last;
      if (s.playing !== last.playing) relabel(this.play, s.playing ? 'Pause' : 'Play', s.playing ? ICON.pause : ICON.play);
      if (s.section !== last.section) this.name.textContent = this.doc.sections[s.section].heading;
      this.follow.hidden = s.options.follow || !this.doc.onPage;
      this.bar.style.width = `${(100 * s.time) / this.doc.total}%`;
      Object.assign(last, { playing: s.playing, section: s.section });
    }
  }


  class PageView {
    constructor(host, doc, sheet) {
      this.host = host;
      this.doc = doc;
      [this.heads, this.matches] = mapSections(doc.sections);
      const said = doc.sections.reduce((n, s) => n + s.sentences.length, 0);
      // Unless most of the text is on the page, the player captions the sentence instead.
      this.onPage = 2 * this.matches.flat().filter(Boolean).length >= said;
      this.userScroll = 0;
      this.last = {};
      this.upgradeLinks(sheet);
      if (highlights()) {
        this.marks = { sentence: new Highlight(), word: new Highlight() };
        this.marks.word.priority = 1;
      }
    }

    match(section, sentence) {
      return (this.matches[section] || [])[sentence] || null;
    }

    texts() {
      return this.matches.map((list) => list.map((m) => m && collapse(m.range.toString())));
    }

    attach(signal) {
      const on = (t, type, fn) => t.addEventListener(type, fn, { signal, passive: type !== 'keydown' && type !== 'click' });
      on(document, 'click', (e) => this.onTextClick(e));
      on(document, 'keydown', (e) => this.onTextKey(e));
      on(window, 'scroll', () => this.onScroll());
      // Only a scroll the visitor asked for (wheel, touch, keys, the scrollbar) stops following.
      const intent = (e) => {
        const t = e.target instanceof Element ? e.target : null;
        if (e.type === 'mousedown' ? t === document.documentElement
          : e.type !== 'keydown' || (/^(Page|Arrow(Up|Down)|Home|End| $)/.test(e.key) && !isField(t) && !(t && t.closest(TAG)))) {
          this.userScroll = Date.now();
        }
      };
      for (const type of ['wheel', 'touchmove', 'keydown', 'mousedown']) on(window, type, intent);
      if (this.marks) Object.entries(this.marks).forEach(([k, hl]) => CSS.highlights.set(MARK[k], hl));
    }

    detach() {
      if (this.marks) Object.values(MARK).forEach((k) => CSS.highlights.delete(k));
      this.paint(null, null);
    }

    // "Listen to this section" links become "Listen from here" buttons, each in a shadow root
    // so that host CSS such as button{display:none} cannot hide it.
    upgradeLinks(sheet) {
      const done = new Set();
      const control = (i) => {
        const span = h('span', { className: 'vr-listen-control' });
        const root = span.attachShadow({ mode: 'open' });
        const b = button('Listen from here', ICON.play);
        // The visible words start the name (WCAG 2.5.3); the heading tells the buttons apart.
        b.setAttribute('aria-label', `Listen from here: ${this.doc.sections[i].heading}`);
        click(b, () => emit(this.host, EV.PLAY, { section: i }));
        root.adoptedStyleSheets = [sheet];
        root.append(b);
        done.add(i);
        return span;
      };
      for (const a of document.querySelectorAll('.vr-listen a[data-vr-section]')) {
        const i = this.doc.sections.findIndex((s) => s.id === a.dataset.vrSection);
        if (i >= 0) a.replaceWith(control(i));
      }
      this.heads.forEach((el, i) => el && !done.has(i) && el.after(control(i)));
    }

    render(s) {
      const last = this.last;
      if (s.options.click !== !!last.click) this.setClickMode(s.options.click);
      const m = s.started ? this.match(s.section, s.sentence) : null;
      const words = m && s.options.words && s.word >= 0 && this.doc.sections[s.section].sentences[s.sentence].words;
      const word = words && words[s.word] ? m.part(words[s.word][1], words[s.word][2]) : null;
      const key = m && `${s.section}.${s.sentence}`;
      const wordKey = word && `${key}.${s.word}`;
      if (key !== last.key || wordKey !== last.wordKey) this.paint(m && m.range, word);
      if (s.options.follow && (!last.follow || s.section !== last.section)) this.userScroll = 0;
      if (m && s.options.follow && (key !== last.key || !last.follow)) this.follow(m.range);
      Object.assign(last, { key, wordKey, click: s.options.click, follow: s.options.follow, section: s.section });
      this.state = s;
    }

    paint(range, word) {
      if (this.marks) {
        this.marks.sentence.clear();
        this.marks.word.clear();
        if (range) this.marks.sentence.add(range);
        if (word) this.marks.word.add(word);
        return;
      }
      // Without the Highlight API the block gets a class; its text is never changed.
      if (this.block) this.block.classList.remove('vr-reading');
      this.block = range && blockOf(range.startContainer);
      if (this.block) this.block.classList.add('vr-reading');
    }

    bottom() {
      return innerHeight - (parseFloat(getComputedStyle(document.documentElement).scrollPaddingBottom) || 0);
    }

    follow(range) {
      const r = range.getBoundingClientRect();
      const bottom = this.bottom();
      if (!r.height || (r.top >= 0 && r.bottom <= bottom)) return;
      let top = scrollY + r.top - innerHeight / 4;
      // Keep a focused player control in view if the sentence fits below it.
      const focus = this.host.shadowRoot.activeElement && focusedElement();
      const keep = focus ? scrollY + focus.getBoundingClientRect().top - 8 : top;
      if (keep < top && r.bottom - (keep - scrollY) <= bottom) top = keep;
      scrollTo({ top, behavior: reduced() ? 'instant' : 'smooth' });
    }

    // The visitor scrolled the sentence away: stop following, and offer the way back.
    onScroll() {
      const s = this.state;
      if (!s || !s.started || !s.options.follow || Date.now() - this.userScroll > 1000) return;
      const m = this.match(s.section, s.sentence);
      if (!m) return;
      const r = m.range.getBoundingClientRect();
      if (r.bottom >= 0 && r.top <= this.bottom()) return;
      emit(this.host, EV.OPTION, { name: 'follow', on: false });
    }

    setClickMode(on) {
      const blocks = new Set(this.matches.flat().filter(Boolean).map((m) => blockOf(m.range.startContainer)));
      for (const b of blocks) {
        if (on && !b.hasAttribute('tabindex')) {
          b.tabIndex = 0;
          b.dataset.vrClickable = '';
        } else if (!on && b.hasAttribute('data-vr-clickable')) {
          b.removeAttribute('tabindex');
          b.removeAttribute('data-vr-clickable');
        }
      }
    }

    where(test) {
      const hits = [];
      this.matches.forEach((list, i) => list.forEach((m, k) => m && test(m.range) && hits.push([i, k])));
      return hits;
    }

    playAt([i, k]) {
      emit(this.host, EV.PLAY, { section: i, time: this.doc.sections[i].sentences[k].start });
    }

    onTextClick(e) {
      if (!this.state || !this.state.options.click || e.button !== 0 || !(e.target instanceof Element) || e.target.closest(INTERACTIVE)) return;
      const selection = getSelection();
      if (selection && !selection.isCollapsed) return;
      const p = caretAt(e.clientX, e.clientY);
      if (!p) return;
      const inside = this.where((r) => r.comparePoint(p[0], p[1]) === 0);
      // Between sentences, take the last one started before the click.
      const block = blockOf(p[0]);
      const before = this.where((r) => blockOf(r.startContainer) === block && r.comparePoint(p[0], p[1]) >= 0);
      const hit = inside[0] || before.pop();
      if (hit) this.playAt(hit);
    }

    onTextKey(e) {
      if (!this.state || !this.state.options.click || e.key !== 'Enter' || !(e.target instanceof Element) || !e.target.hasAttribute('data-vr-clickable')) return;
      const hit = this.where((r) => e.target.contains(r.startContainer))[0];
      if (!hit) return;
      e.preventDefault();
      this.playAt(hit);
    }
  }


  class VoiceReader extends HTMLElement {
    static get observedAttributes() { return ['no-mini-player']; }

    connectedCallback() {
      if (this.shadowRoot) {
        if (this.views) this.attach();
        return;
      }
      const root = this.attachShadow({ mode: 'open' });
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
      if (!this.views) return;
      this.audios.forEach((a) => a.pause());
      this.detach();
    }

    attributeChangedCallback() {
      if (this.views) this.render();
    }

    attach() {
      this.abort = new AbortController();
      const signal = this.abort.signal;
      addEventListener('pagehide', () => this.save(), { signal });
      this.views.forEach((v) => v.attach && v.attach(signal));
      this.observer = new IntersectionObserver(([entry]) => { this.inView = entry.isIntersecting; this.render(); });
      this.observer.observe(this.main.el);
    }

    detach() {
      this.abort.abort();
      this.views.forEach((v) => v.detach && v.detach());
      this.observer.disconnect();
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
      const manifest = await response.json();
      if (manifest.version !== 1 || !Array.isArray(manifest.sections) || !manifest.sections.length) throw new Error('manifest: not version 1');
      return manifest;
    }

    broken(sheet, error) {
      this.shadowRoot.adoptedStyleSheets = [sheet];
      this.setState('error');
      this.say('Sorry, the audio player could not load. The audio links on this page still work.');
      emit(this, EV.FAIL, { message: String(error && error.message) });
    }

    build(sheet, manifest) {
      this.manifest = manifest;
      const sections = manifest.sections;
      // Words arrive as steps from the word before (docs/architecture.md): made absolute once here.
      for (const x of sections.flatMap((s) => s.sentences)) {
        let time = Math.floor(x.start * 100 + 0.5);
        let end = 0;
        if (Array.isArray(x.words)) x.words = x.words.map(([step, gap, length]) => {
          time += step;
          end += gap + length;
          return [time / 100, end - length, length];
        });
      }
      this.urls = sections.map((s) => new URL(s.audio, this.base).href);
      this.key = `voice-reader:${manifest.document.slug}:${hash(sections.map((s) => s.audio).join('|'))}`;
      let t = 0;
      this.offsets = sections.map((s) => { const start = t; t += s.duration; return start; });
      this.total = t;
      const d = manifest.download;
      const doc = {
        sections, offsets: this.offsets, total: t, lang: manifest.document.lang || '',
        download: d && d.audio && d.bytes > 0 ? { ...d, href: new URL(d.audio, this.base).href } : null,
        hasWords: sections.some((s) => s.sentences.some((x) => Array.isArray(x.words) && x.words.length)),
      };
      this.page = new PageView(this, doc, sheet);
      doc.onPage = this.page.onPage;
      this.current = 0;
      this.started = false;
      this.alert = false;
      this.inView = true;
      this.savedAt = 0;
      this.rate = RATES.includes(store.get('voice-reader:rate')) ? store.get('voice-reader:rate') : 1;
      this.options = { click: false, follow: true, words: store.get('voice-reader:words') !== false };
      // Two <audio>: the next section buffers in the other, so the join is seamless.
      this.audios = [0, 1].map(() => h('audio', { preload: 'none', preservesPitch: true }));
      this.audio = this.audios[0];
      this.main = new MainView(doc, this.statusEl);
      this.mini = new MiniView(doc);
      this.views = [this.main, this.mini, this.page];
      this.shadowRoot.adoptedStyleSheets = [sheet];
      this.slotEl.remove();
      this.shadowRoot.prepend(this.main.el, this.mini.el);
      this.shadowRoot.append(...this.audios);
      this.wire();
      this.attach();
      this.load(this.audio, 0, 'metadata');
      this.offerResume();
      this.sectionChanged();
      this.setState('ready');
      emit(this, EV.READY, { sections: sections.length });
    }

    wire() {
      const media = (type, fn) => this.audios.forEach((a) => a.addEventListener(type, (e) => e.target === this.audio && fn()));
      media('playing', () => { this.setState('playing'); this.claimSession(); this.preloadNext(); this.tick(); });
      media('pause', () => {
        if (this.audio.ended || this.stateName === 'error') return;
        this.setState('paused');
        this.save();
        this.say('Paused');
      });
      media('ended', () => (this.current + 1 < this.manifest.sections.length ? this.start(this.current + 1) : this.finished()));
      media('timeupdate', () => this.tock());
      media('seeked', () => this.render());
      media('error', () => this.failed());
      const intent = (type, fn) => this.addEventListener(type, (e) => { e.stopPropagation(); fn(e.detail || {}); });
      intent(EV.PLAY, (d) => (d.section === undefined ? this.play() : this.playSection(d.section, d.time)));
      intent(EV.PAUSE, () => this.pause());
      intent(EV.SEEK, (d) => this.seek(d.time));
      intent(EV.RATE, (d) => { this.playbackRate = d.rate; });
      intent(EV.OPTION, (d) => this.setOption(d.name, d.on));
      intent(EV.REVEAL, (d) => {
        // Back at the player, the page must not scroll off again to follow the text.
        if (d.scroll) this.setOption('follow', false);
        this.main.focusPlay(d.scroll);
      });
      this.shadowRoot.addEventListener('keydown', (e) => this.onKey(e));
    }


    get state() { return this.stateName; }
    get section() { return this.current; }
    get sections() {
      return (this.manifest ? this.manifest.sections : []).map((s, i) => ({ id: s.id, heading: s.heading, level: s.level, start: this.offsets[i], duration: s.duration }));
    }
    get duration() { return this.total || 0; }
    get sectionTime() { return this.audio && +this.audio.dataset.i === this.current ? this.audio.currentTime : 0; }
    get currentTime() { return this.offsets ? this.offsets[this.current] + this.sectionTime : 0; }
    set currentTime(t) { this.seek(t); }
    get paused() { return !this.audio || this.audio.paused; }
    get media() { return this.audio || null; }
    get playbackRate() { return this.rate || 1; }
    set playbackRate(r) {
      if (!RATES.includes(r)) return;
      this.rate = r;
      this.audios.forEach((a) => { a.defaultPlaybackRate = r; a.playbackRate = r; });
      store.set('voice-reader:rate', r);
      this.render();
    }
    get wordHighlight() { return !!(this.options && this.options.words); }
    set wordHighlight(on) { this.setOption('words', !!on); }
    pageText() { return this.page ? this.page.texts() : []; }

    play() {
      if (!this.manifest) return;
      if (!this.started || this.stateName === 'error') return this.playSection(this.current, this.sectionTime);
      this.audio.playbackRate = this.rate;
      this.go(this.audio.play());
      this.say('Playing');
    }

    pause() { if (this.audio) this.audio.pause(); }
    next() { this.playSection(this.current + 1); }
    previous() { this.playSection(this.current - 1); }
    playSection(i, t = 0) {
      if (this.options) this.options.follow = true; // asked for: follow the text again
      this.start(i, t);
    }

    seek(time) {
      if (!this.manifest) return;
      time = clamp(+time || 0, 0, this.total);
      let i = this.offsets.length - 1;
      while (i > 0 && this.offsets[i] > time) i--;
      const t = Math.min(time - this.offsets[i], this.manifest.sections[i].duration);
      if (i === this.current && +this.audio.dataset.i === i) {
        this.audio.currentTime = t;
        this.render();
      } else {
        this.start(i, t, !this.audio.paused);
      }
    }

    setState(state) {
      this.stateName = state;
      this.dataset.state = state;
      this.render();
      emit(this, EV.STATE, { state });
    }

    setOption(name, on) {
      if (!this.options || !(name in this.options)) return;
      this.options[name] = on;
      if (name === 'words') store.set('voice-reader:words', on);
      if (name === 'click') this.say(on ? 'Click to listen is on: click a sentence, or press Enter on a paragraph.' : 'Click to listen is off.');
      this.render();
    }

    snapshot() {
      const t = this.sectionTime;
      const sentences = this.manifest.sections[this.current].sentences;
      let sentence = -1;
      sentences.forEach((x, k) => { if (x.start <= t) sentence = k; });
      let word = -1;
      const list = sentence >= 0 && sentences[sentence].words;
      if (Array.isArray(list)) list.forEach(([start], j) => { if (start <= t) word = j; });
      return {
        state: this.stateName, started: this.started, playing: !this.audio.paused,
        section: this.current, sentence, word, sectionTime: t, time: this.offsets[this.current] + t,
        rate: this.rate, options: { ...this.options }, alert: this.alert, inView: this.inView,
        mini: !this.hasAttribute('no-mini-player'),
        resume: this.resume,
      };
    }

    render() {
      if (!this.views) return;
      const s = this.snapshot();
      this.views.forEach((v) => v.render(s));
    }

    say(message) {
      const el = this.statusEl;
      if (el.textContent !== message) { el.textContent = message; return; }
      el.textContent = '';
      setTimeout(() => { el.textContent = message; }, 150);
    }

    load(audio, i, preload) {
      audio.preload = preload;
      audio.dataset.i = i;
      audio.defaultPlaybackRate = this.rate;
      audio.src = this.urls[i];
    }

    // Go to section i at t seconds and play (always on a visitor's action or a section's end).
    start(i, t = 0, play = true) {
      if (!this.manifest || i < 0 || i >= this.manifest.sections.length) return;
      let cur = this.audio;
      const other = this.audios.find((x) => x !== cur);
      if (+other.dataset.i === i && !other.error) {
        cur.pause();
        cur = other;
      } else if (+cur.dataset.i !== i || cur.error || !cur.src) {
        this.load(cur, i, 'auto');
      }
      const changed = i !== this.current;
      this.audio = cur;
      this.current = i;
      this.started = true;
      this.alert = false;
      if (Math.abs(cur.currentTime - t) > 0.05) cur.currentTime = t;
      cur.playbackRate = this.rate;
      if (play) {
        this.setState(cur.paused ? 'loading' : 'playing'); // an element already playing fires no 'playing'
        this.go(cur.play());
        this.say(`Playing section ${i + 1} of ${this.manifest.sections.length}: ${this.manifest.sections[i].heading}`);
      } else {
        this.setState('paused');
      }
      if (changed || play) this.sectionChanged();
      this.save();
    }

    // Buffer the next section once this one plays: on a slow link the one asked for comes first.
    preloadNext() {
      const next = this.audios.find((x) => x !== this.audio);
      const i = this.current + 1;
      if (i < this.manifest.sections.length && (+next.dataset.i !== i || next.error)) this.load(next, i, 'auto');
    }

    // play() can be refused (autoplay rules, no audio device) or cut short; say so, never throw.
    go(promise) {
      promise.catch((error) => {
        if (error.name === 'AbortError') return;
        if (this.audio.error || error.name === 'NotSupportedError') return this.failed();
        this.alert = true;
        this.setState('paused');
        this.say('The browser did not let the audio start. Press Play to try again.');
      });
    }

    failed() {
      if (this.stateName === 'error') return;
      const s = this.manifest.sections[this.current];
      const more = this.current + 1 < this.manifest.sections.length;
      this.alert = true;
      this.setState('error');
      this.say(`Sorry, section ${this.current + 1} (${s.heading}) could not be loaded.${more ? ' You can skip to the next section.' : ''}`);
      emit(this, EV.FAIL, { section: s.id });
    }

    finished() {
      this.started = false;
      this.resume = null;
      store.drop(this.key);
      this.current = 0;
      this.load(this.audio, 0, 'metadata');
      this.setState('ended');
      this.sectionChanged();
      this.say('Finished: you have heard the whole page.');
    }

    offerResume() {
      const saved = store.get(this.key);
      if (!saved || !this.manifest.sections[saved.i] || (saved.i === 0 && saved.t < 5)) return;
      this.resume = { section: saved.i, time: saved.t };
    }

    save() {
      if (!this.started) return;
      this.savedAt = Date.now();
      store.set(this.key, { i: this.current, t: Math.floor(this.sectionTime) });
    }

    claimSession() {
      const ms = navigator.mediaSession;
      if (!ms || !window.MediaMetadata) return;
      const heading = this.manifest.sections[this.current].heading;
      ms.metadata = new MediaMetadata({ title: this.manifest.document.title, artist: heading, album: heading });
      const handlers = {
        play: () => this.play(), pause: () => this.pause(), nexttrack: () => this.next(),
        previoustrack: () => this.previous(), seekbackward: () => this.seek(this.currentTime - STEP),
        seekforward: () => this.seek(this.currentTime + STEP),
      };
      for (const [action, fn] of Object.entries(handlers)) {
        try { ms.setActionHandler(action, fn); } catch { /* this browser lacks the action */ }
      }
    }

    sectionChanged() {
      const s = this.manifest.sections[this.current];
      this.render();
      emit(this, EV.SECTION, { index: this.current, id: s.id, heading: s.heading });
    }

    // Render every frame while playing: timeupdate comes only every quarter second.
    tick() {
      if (this.audio.paused || !this.isConnected) return;
      this.render();
      requestAnimationFrame(() => this.tick());
    }

    tock() {
      if (this.audio.paused) this.render();
      if (!this.audio.paused && Date.now() - this.savedAt > SAVE_MS) this.save();
    }

    onKey(e) {
      if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      const target = e.composedPath()[0];
      if (e.key === 'Escape') return this.main.open(false);
      if (isField(target)) return;
      const action = KEYS[e.key.toLowerCase()];
      if (!action) return;
      e.preventDefault();
      const rate = (dir) => { this.playbackRate = RATES[clamp(RATES.indexOf(this.rate) + dir, 0, RATES.length - 1)]; this.say(`Speed ${this.rate}×`); };
      ({
        toggle: () => (this.paused ? this.play() : this.pause()), back: () => this.seek(this.currentTime - STEP),
        fwd: () => this.seek(this.currentTime + STEP), previous: () => this.previous(), next: () => this.next(),
        more: () => this.main.open(this.main.panel.hidden), help: () => this.main.openHelp(this.main.help.hidden),
        slower: () => rate(-1), faster: () => rate(1),
      })[action]();
    }
  }

  customElements.define(TAG, VoiceReader);
})();
