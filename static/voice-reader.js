/* The <voice-reader> element: docs/widget.md. */
(() => {
  'use strict';
  const TAG = 'voice-reader';
  if (!window.customElements || customElements.get(TAG)) return;

  const script = document.currentScript || document.querySelector('script[src*="voice-reader"]');
  const CSS_URL = new URL('voice-reader.css', script?.src || location.href).href;
  const MARK = { sentence: 'voice-reader-sentence', word: 'voice-reader-word' };
  const STEP = 10;
  const NUDGE = 5;
  const RATES = [0.75, 1, 1.25, 1.5, 1.75, 2];
  const SAVE_MS = 3000;
  // In screens: where following puts the sentence, and how far it may drift.
  const FOLLOW_AT = 1 / 6;
  const FOLLOW_UNTIL = 1 / 3;
  const SKIP = 'script,style,noscript,template,voice-reader,.vr-listen';
  const BLOCK = 'p,li,dd,dt,td,th,blockquote,figcaption,h1,h2,h3,h4,h5,h6';
  const INTERACTIVE = 'a,button,input,select,textarea,label,summary,[contenteditable],.vr-listen,' + TAG;
  // Alt+Shift+L, by code: Option+L types "¬" on a Mac.
  const SELECTION_KEY = 'KeyL';
  // Intents up from the views, then what the element tells the page.
  const EVENTS = {
    PLAY: 'voice-reader-play-request', PAUSE: 'voice-reader-pause-request',
    SEEK: 'voice-reader-seek-request', RATE: 'voice-reader-rate-request',
    OPTION: 'voice-reader-option-request', REVEAL: 'voice-reader-reveal-request',
    READY: 'voice-reader-ready', STATE: 'voice-reader-state',
    SECTION: 'voice-reader-section', FAIL: 'voice-reader-error',
  };
  const ICON = {
    play: 'M8 5v14l11-7z', pause: 'M6 5h4v14H6zm8 0h4v14h-4z',
    next: 'M6 18l8.5-6L6 6zm10-12h2v12h-2z',
    more: 'M7 10l5 5 5-5z', close: 'M5 7l2-2 5 5 5-5 2 2-5 5 5 5-2 2-5-5-5 5-2-2 5-5z',
    down: 'M12 20l8-8h-5V4H9v8H4z',
    back: 'M12 5V1L7 6l5 5V7a6 6 0 1 1-6 6H4a8 8 0 1 0 8-8z',
  };

  function make(tag, props = {}, ...children) {
    const element = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (key in element && !key.includes('-')) element[key] = value;
      else element.setAttribute(key, value);
    }
    element.append(...children);
    return element;
  }

  function icon(path) {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    const shape = document.createElementNS(ns, 'path');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    shape.setAttribute('d', path);
    svg.append(shape);
    return svg;
  }

  // `short`: a word of the label (WCAG 2.5.3), shown where the label has no room.
  function button(label, iconPath, className = '', short = '') {
    const control = make('button', { type: 'button', className: `vr-btn ${className}${short ? ' vr-has-short' : ''}` },
      ...(iconPath ? [icon(iconPath)] : []), make('span', { className: 'vr-label' }, label));
    if (short) {
      control.ariaLabel = label;
      control.append(make('span', { className: 'vr-short', 'aria-hidden': 'true' }, short));
    }
    // No focus from a press, as in Safari: following keeps a focused control on screen.
    control.addEventListener('pointerdown', (event) => event.preventDefault());
    return control;
  }

  function disclosure(label, iconPath, className, panelId) {
    const control = button(label, iconPath, className);
    control.ariaExpanded = false;
    control.setAttribute('aria-controls', panelId);
    return control;
  }

  const onClick = (element, handler) => element.addEventListener('click', handler);

  function relabel(control, label, iconPath) {
    control.querySelector('.vr-label').textContent = label;
    if (iconPath) control.querySelector('path').setAttribute('d', iconPath);
  }

  const plural = (count, unit) => `${count} ${unit}${count === 1 ? '' : 's'}`;

  function spokenTime(seconds) {
    seconds = Math.max(0, Math.round(seconds));
    const parts = [[Math.floor(seconds / 3600), 'hour'], [Math.floor(seconds / 60) % 60, 'minute'], [seconds % 60, 'second']];
    return parts.filter(([count]) => count).map(([count, unit]) => plural(count, unit)).join(' ') || '0 seconds';
  }

  const roughMinutes = (seconds) => (seconds < 30 ? 'less than a minute' : plural(Math.round(seconds / 60), 'minute'));

  function clockTime(seconds) {
    seconds = Math.max(0, Math.floor(seconds || 0));
    return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
  }

  const hashText = (text) => ([...text].reduce((hash, char) => Math.imul(hash ^ char.charCodeAt(0), 0x01000193), 0x811c9dc5) >>> 0).toString(36);

  // Storage can be off (private modes).
  const store = {
    get(key) { try { return JSON.parse(localStorage.getItem(key)); } catch { return null; } },
    set(key, value) { try { localStorage.setItem(key, JSON.stringify(value)); } catch { /* see above */ } },
  };

  const collapse = (text) => String(text).replace(/\s+/g, ' ').trim();
  const isField = (element) => !!element && (element.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(element.tagName));
  const blockOf = (node) => (node.nodeType === 1 ? node : node.parentElement).closest(BLOCK);
  const clamp = (value, low, high) => Math.min(high, Math.max(low, value));
  const scrolling = () => (matchMedia('(prefers-reduced-motion: reduce)').matches ? 'instant' : 'smooth');
  const highlights = () => !!(window.Highlight && window.CSS?.highlights);
  const hasFocus = (element) => element.contains(element.getRootNode().activeElement);
  const sectionAt = (offsets, time) => Math.max(0, offsets.findLastIndex((start) => start <= time));

  function caretAt(left, top) {
    if (document.caretPositionFromPoint) {
      const caret = document.caretPositionFromPoint(left, top);
      return caret && [caret.offsetNode, caret.offset];
    }
    const range = document.caretRangeFromPoint?.(left, top);
    return range && [range.startContainer, range.startOffset];
  }

  const emit = (target, type, detail) => target.dispatchEvent(new CustomEvent(type, { bubbles: true, composed: true, detail }));

  function show(element, on, rescue) {
    if (!on && !element.hidden && hasFocus(element) && rescue) rescue();
    element.hidden = !on;
  }

  // Adopted: CSP style-src does not apply to constructed sheets.
  let sheetPromise, counter;
  function loadSheet() {
    sheetPromise ||= fetch(CSS_URL).then((response) => (response.ok ? response.text() : '')).catch(() => '').then((css) => {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      // The page needs the ::highlight rules.
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
      return sheet;
    });
    return sheetPromise;
  }

  function textBetween(start, end) {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
      acceptNode: (node) => (node.parentElement.closest(SKIP) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
    });
    const after = Node.DOCUMENT_POSITION_FOLLOWING | Node.DOCUMENT_POSITION_CONTAINED_BY;
    const nodes = [];
    walker.currentNode = start;
    for (let node = walker.nextNode(); node && !(end?.compareDocumentPosition(node) & after); node = walker.nextNode()) nodes.push(node);
    return nodes;
  }

  function charMap(text) {
    const map = [];
    let count = 0;
    let space = true;
    for (let i = 0; i < text.length; i++) {
      if (!/\s/.test(text[i])) { map[i] = count++; space = false; } else if (!space) { count++; space = true; }
    }
    return map;
  }

  function rangesFor(sentences, nodes) {
    const chars = [];
    const where = [];
    let space = true;
    for (const node of nodes) {
      for (let i = 0; i < node.data.length; i++) {
        const char = node.data[i];
        if (char === '\u00ad') continue;
        const blank = /\s/.test(char);
        if (blank && space) continue;
        space = blank;
        chars.push(blank ? ' ' : char);
        where.push(node, i);
      }
    }
    const text = chars.join('');
    const span = (first, last) => {
      const range = new Range();
      range.setStart(where[2 * first], where[2 * first + 1]);
      range.setEnd(where[2 * last], where[2 * last + 1] + 1);
      return range;
    };
    let from = 0;
    return sentences.map((sentence) => {
      const wanted = collapse(sentence.text);
      const at = wanted ? text.indexOf(wanted, from) : -1;
      if (at < 0) return null;
      from = at + wanted.length;
      let map;
      const part = (offset, length) => {
        map ||= charMap(sentence.text);
        const first = map[offset];
        const last = map[offset + length - 1];
        return first === undefined || last === undefined || last < first ? null : span(at + first, at + last);
      };
      return { range: span(at, from - 1), part };
    });
  }

  function findHeadings(sections) {
    const headings = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')];
    const used = new Set();
    return sections.map((section) => {
      let heading = document.getElementById(section.id);
      if (!heading || !/^H[1-6]$/.test(heading.tagName) || used.has(heading)) {
        heading = headings.find((other) => !used.has(other) && collapse(other.textContent) === collapse(section.heading)) || null;
      }
      if (heading) used.add(heading);
      return heading;
    });
  }

  class MainView {
    constructor(doc, { status, onPage }) {
      this.doc = doc;
      this.play = button('Play', ICON.play, 'vr-primary');
      this.previous = button('Previous section', ICON.next, 'vr-live vr-stack vr-flip', 'Previous');
      this.next = button('Next section', ICON.next, 'vr-live vr-stack', 'Next');
      this.now = make('p', { className: 'vr-now' });
      this.rate = make('select', { className: 'vr-select vr-live', 'aria-label': 'Speed' },
        ...RATES.map((rate) => make('option', { value: rate }, `${rate}× speed`)));
      this.more = disclosure('More', ICON.more, 'vr-more', 'vr-more');
      this.elapsed = make('span');
      this.seek = make('input', { type: 'range', className: 'vr-seek', min: 0, max: doc.total, step: 'any', value: 0, 'aria-label': 'Position in the page' });
      this.back = button(`Back ${STEP} seconds`, ICON.back, 'vr-skip', String(STEP));
      this.forward = button(`Forward ${STEP} seconds`, ICON.back, 'vr-skip vr-flip', String(STEP));
      this.stretches = doc.sections.map((section, i) => {
        const stretch = make('span', { className: `vr-stretch${section.level > 2 ? '' : ' vr-main-mark'}` });
        stretch.style.left = `${(100 * doc.offsets[i]) / doc.total}%`;
        stretch.style.width = `${(100 * section.duration) / doc.total}%`;
        return stretch;
      });
      this.bubble = make('span', { className: 'vr-bubble', hidden: true });
      this.timeline = make('div', { className: 'vr-timeline' }, this.seek,
        make('span', { className: 'vr-marks', 'aria-hidden': 'true' }, ...this.stretches), this.bubble);
      this.caption = make('p', { className: 'vr-caption vr-live', hidden: onPage });
      this.skip = button('Skip to next section', ICON.next);
      this.follow = button('Back to the sentence', ICON.down, 'vr-follow');
      this.onPage = onPage;
      this.click = this.toggle('Click to listen', 'click', onPage);
      this.wordsToggle = this.toggle('Highlight each word', 'words', onPage && doc.hasWords && highlights());
      const download = doc.download;
      this.download = download ? make('a', { className: 'vr-btn vr-link', href: download.href, download: '' },
        make('span', { className: 'vr-label' }, `Download (MP3, ${roughMinutes(download.duration)}, ${(download.bytes / 1e6).toFixed(1)} MB)`)) : '';
      this.help = make('div', { className: 'vr-help', id: 'vr-help', hidden: true }, ...MainView.helpText());
      this.helpToggle = disclosure('Keyboard shortcuts', '', 'vr-toggle', 'vr-help');
      this.items = doc.sections.map((section) => button(section.heading, '', 'vr-item'));
      this.list = make('ol', { className: 'vr-list', 'aria-labelledby': 'vr-list-label' },
        ...doc.sections.map((section, i) => make('li', { className: `vr-l${section.level}`, lang: doc.lang }, this.items[i],
          make('span', { className: 'vr-length' }, clockTime(section.duration)))));
      this.panel = make('div', { className: 'vr-panel', id: 'vr-more', hidden: true },
        make('div', { className: 'vr-row vr-options' }, this.click, this.wordsToggle, this.download, this.helpToggle), this.help,
        ...(doc.voice ? [make('p', { className: 'vr-voice' }, `Read by a computer voice: ${doc.voice}`)] : []),
        make('p', { className: 'vr-list-label', id: 'vr-list-label' }, `Sections (${doc.sections.length})`), this.list);
      // English whatever the page's language. The wrapper is the layout's container.
      this.player = make('div', { className: 'vr-player vr-rest', role: 'region', 'aria-label': 'Listen to this page', lang: 'en' },
        make('div', { className: 'vr-row' }, this.play, this.previous, this.next, this.more),
        make('div', { className: 'vr-row vr-live' }, this.now, make('p', { className: 'vr-time' }, this.elapsed, ` / ${clockTime(doc.total)}`), this.rate),
        make('div', { className: 'vr-row vr-live' }, this.timeline, this.back, this.forward), this.caption,
        make('div', { className: 'vr-row vr-alert' }, status, this.skip, this.follow), this.panel);
      this.el = make('div', { className: 'vr-main' }, this.player);
      this.last = {};
      this.wire();
    }

    toggle(label, name, offered) {
      const control = button(label, '', 'vr-toggle');
      control.hidden = !offered;
      onClick(control, () => emit(control, EVENTS.OPTION, { name, on: control.ariaPressed !== 'true' }));
      return control;
    }

    static helpText() {
      const rows = [['K', 'Play or pause'], ['J and L', `Back or forward ${STEP} seconds`],
        ['P and N', 'Previous or next section'], ['< and >', 'Slower or faster'], ['S', 'Show or hide this menu'],
        ['?', 'Show or hide these shortcuts'], ['Escape', 'Close this menu'],
        ['On the timeline', `Arrows: ${NUDGE} seconds. Page Up, Page Down: previous, next section. Home, End: start, end`],
        ['Alt+Shift+L', 'In the page: listen to the selected text']];
      return [make('p', {}, 'These keys work while focus is in the player, not in a field.'),
        make('dl', {}, ...rows.flatMap(([key, action]) => [make('dt', {}, key), make('dd', {}, action)]))];
    }

    wire() {
      const doc = this.doc;
      const intent = (type, detail) => emit(this.el, type, detail);
      const playSection = (i) => intent(EVENTS.PLAY, { section: i });
      onClick(this.play, () => {
        const state = this.state;
        if (state.playing) return intent(EVENTS.PAUSE);
        intent(EVENTS.PLAY, !state.started && state.resume ? { ...state.resume } : undefined);
      });
      onClick(this.previous, () => playSection(this.state.section - 1));
      onClick(this.next, () => playSection(this.state.section + 1));
      onClick(this.skip, () => playSection(this.state.section + 1));
      onClick(this.back, () => intent(EVENTS.SEEK, { time: this.state.time - STEP }));
      onClick(this.forward, () => intent(EVENTS.SEEK, { time: this.state.time + STEP }));
      onClick(this.follow, () => intent(EVENTS.OPTION, { name: 'follow', on: true }));
      onClick(this.more, () => this.openMore());
      onClick(this.helpToggle, () => this.toggleHelp());
      this.items.forEach((item, i) => onClick(item, () => playSection(i)));
      this.rate.addEventListener('change', () => intent(EVENTS.RATE, { rate: +this.rate.value }));
      const seek = this.seek;
      const seekTo = (time) => {
        this.point(time);
        intent(EVENTS.SEEK, { time });
      };
      seek.addEventListener('input', () => seekTo(+seek.value));
      // The timeline's keys move through the whole page (natively they move by 1%).
      seek.addEventListener('keydown', (event) => {
        const { time, section } = this.state;
        const keys = {
          ArrowRight: time + NUDGE, ArrowUp: time + NUDGE, ArrowLeft: time - NUDGE, ArrowDown: time - NUDGE,
          PageUp: doc.offsets[Math.max(0, section - 1)], PageDown: doc.offsets[section + 1] ?? doc.total,
          Home: 0, End: doc.total,
        };
        if (!(event.key in keys) || event.altKey || event.ctrlKey || event.metaKey) return;
        event.preventDefault();
        seekTo(clamp(keys[event.key], 0, doc.total));
      });
      const timeline = this.timeline;
      timeline.addEventListener('pointermove', (event) => {
        if (event.target !== seek) return;
        this.hovering = true;
        const box = seek.getBoundingClientRect();
        this.point(clamp((event.clientX - box.left - 10) / (box.width - 20), 0, 1) * doc.total);
      });
      timeline.addEventListener('pointerleave', () => {
        this.hovering = false;
        this.point(hasFocus(seek) ? +seek.value : null);
      });
      seek.addEventListener('focus', () => this.point(+seek.value));
      seek.addEventListener('blur', () => this.point(null));
    }

    point(time) {
      const bubble = this.bubble;
      bubble.hidden = time === null;
      if (time === null) return;
      const doc = this.doc;
      bubble.textContent = `${doc.sections[sectionAt(doc.offsets, time)].heading} · ${clockTime(time)}`;
      const thumb = 10 + (time / doc.total) * (this.timeline.clientWidth - 20);
      const room = this.timeline.parentElement.clientWidth - bubble.offsetWidth;
      bubble.style.left = `${Math.max(0, Math.min(thumb - bubble.offsetWidth / 2, room))}px`;
    }

    openMore(on = this.panel.hidden) {
      show(this.panel, on, () => this.more.focus());
      this.more.ariaExpanded = on;
      if (!on) return this.point(null);
      const current = this.items[this.state?.section || 0];
      this.list.scrollTop = current.offsetTop - this.list.offsetTop - this.list.clientHeight / 3;
      this.panel.scrollIntoView({ block: 'nearest', behavior: scrolling() });
    }

    toggleHelp() {
      const on = this.help.hidden;
      if (on) this.openMore(true);
      show(this.help, on, () => this.helpToggle.focus());
      this.helpToggle.ariaExpanded = on;
    }

    inUse() {
      return !!this.el.querySelector(':focus-visible, :active');
    }

    attach(signal) {
      // The sheet covers the page: a press outside, focus leaving or Escape anywhere closes it.
      const outside = (event) => !event.composedPath().includes(this.el);
      document.addEventListener('pointerdown', (event) => outside(event) && this.openMore(false), { signal });
      document.addEventListener('keydown', (event) => event.key === 'Escape' && this.openMore(false), { signal });
      this.el.addEventListener('focusout', (event) => {
        if (event.relatedTarget && !this.el.contains(event.relatedTarget)) this.openMore(false);
      }, { signal });
    }

    focusPlay(scroll) {
      this.play.focus({ preventScroll: true });
      if (scroll) this.el.scrollIntoView({ block: 'nearest', behavior: scrolling() });
    }

    render(state) {
      this.state = state;
      const last = this.last;
      const doc = this.doc;
      const rescue = () => this.play.focus();
      const rest = !state.started;
      if (rest !== last.rest) {
        if (rest && this.el.querySelector('.vr-live:focus-within')) rescue();
        this.player.classList.toggle('vr-rest', rest);
      }
      const resume = rest && state.resume ? doc.sections[state.resume.section].heading : '';
      const label = state.playing ? 'Pause' : !rest ? 'Play' : resume ? 'Resume' : 'Listen';
      if (label + resume !== last.label) {
        relabel(this.play, label, state.playing ? ICON.pause : ICON.play);
        const after = resume ? make('span', { className: 'vr-resume' }, resume) : rest ? roughMinutes(doc.total) : '';
        if (after) this.play.querySelector('.vr-label').append(' ', make('span', { 'aria-hidden': 'true' }, '·'), ' ', after);
      }
      if (state.section !== last.section) {
        this.now.textContent = doc.sections[state.section].heading;
        this.items.forEach((item, i) => { item.ariaCurrent = i === state.section ? 'true' : null; });
        this.stretches.forEach((stretch, i) => {
          stretch.classList.toggle('vr-current', i === state.section);
          stretch.classList.toggle('vr-heard', i < state.section);
        });
      }
      const second = Math.floor(state.time);
      const focused = hasFocus(this.seek);
      if (second !== last.second) {
        this.elapsed.textContent = clockTime(state.time);
        if (focused && !this.hovering) this.point(state.time);
        // A focused slider moving every second makes screen readers chatter: every 15 s.
        if (!focused || !state.playing || Math.abs(state.time - this.seek.value) >= 15 || state.section !== last.section) {
          this.seek.value = state.time;
          this.seek.ariaValueText = `${spokenTime(state.time)} of ${spokenTime(doc.total)}, ${doc.sections[state.section].heading}`;
        }
      }
      if (String(state.rate) !== this.rate.value) this.rate.value = String(state.rate);
      const sentence = doc.sections[state.section].sentences[state.sentence];
      const caption = state.started && sentence ? sentence.text : '';
      if (caption !== last.caption) this.caption.textContent = caption;
      const pressed = (control, on) => control.ariaPressed !== String(on) && (control.ariaPressed = on);
      pressed(this.click, state.options.click);
      pressed(this.wordsToggle, state.options.words);
      this.player.classList.toggle('vr-alerting', state.alert);
      show(this.skip, state.state === 'error' && state.section + 1 < doc.sections.length, rescue);
      show(this.follow, state.started && !state.options.follow && this.onPage, rescue);
      Object.assign(last, { rest, label: label + resume, section: state.section, second, caption });
    }
  }

  class MiniView {
    constructor(doc, { onPage }) {
      this.doc = doc;
      this.onPage = onPage;
      this.play = button('Pause', ICON.pause, 'vr-primary');
      this.next = button('Next section', ICON.next, 'vr-stack', 'Next');
      this.follow = button('Back to the sentence', ICON.down);
      this.back = button('Back to the player', ICON.down, 'vr-up');
      this.close = button('Close the mini-player', ICON.close, '', 'Close');
      this.name = make('span', { className: 'vr-mini-name' });
      this.time = make('span', { className: 'vr-time' });
      this.el = make('div', { className: 'vr-mini', role: 'region', 'aria-label': 'Audio controls', lang: 'en', hidden: true },
        make('div', { className: 'vr-mini-bar' },
          make('div', { className: 'vr-row' }, this.play, make('p', { className: 'vr-mini-info' }, this.name, this.time), this.next),
          make('div', { className: 'vr-row' }, this.follow, this.back, this.close)));
      this.closed = false;
      this.last = {};
      const intent = (type, detail) => emit(this.el, type, detail);
      onClick(this.play, () => intent(this.state.playing ? EVENTS.PAUSE : EVENTS.PLAY));
      onClick(this.next, () => intent(EVENTS.PLAY, { section: this.state.section + 1 }));
      onClick(this.follow, () => intent(EVENTS.OPTION, { name: 'follow', on: true }));
      onClick(this.back, () => intent(EVENTS.REVEAL, { scroll: true }));
      onClick(this.close, () => { this.closed = true; this.render(this.state); });
    }

    attach(signal) {
      // Never hide the focused element (the browser shows our own).
      document.addEventListener('focusin', () => {
        const focused = document.activeElement;
        if (this.el.hidden || !focused || focused.localName === TAG) return;
        const box = focused.getBoundingClientRect();
        const top = innerHeight - this.el.offsetHeight;
        if (box.bottom > top) scrollBy({ top: box.bottom - top + 8, behavior: 'instant' });
      }, { signal });
    }

    detach() {
      this.pad(false);
    }

    pad(on) {
      const style = document.documentElement.style;
      const padding = on ? `${this.el.offsetHeight + 8}px` : this.saved;
      if (on && this.saved === undefined) this.saved = style.scrollPaddingBottom;
      if (padding === undefined || padding === this.padded) return;
      style.scrollPaddingBottom = padding;
      this.padded = on ? padding : undefined;
      if (!on) this.saved = undefined;
    }

    render(state) {
      this.state = state;
      if (state.inView) this.closed = false;
      const on = state.mini && state.started && !state.inView && !this.closed;
      if (!on && !this.el.hidden && hasFocus(this.el)) emit(this.el, EVENTS.REVEAL, { scroll: false });
      this.el.hidden = !on;
      this.follow.hidden = state.options.follow || !this.onPage;
      this.pad(on);
      if (!on) return;
      const last = this.last;
      if (state.playing !== last.playing) relabel(this.play, state.playing ? 'Pause' : 'Play', state.playing ? ICON.pause : ICON.play);
      if (state.section !== last.section) this.name.textContent = this.doc.sections[state.section].heading;
      const second = Math.floor(state.time);
      if (second !== last.second) this.time.textContent = `${clockTime(state.time)} / ${clockTime(this.doc.total)}`;
      Object.assign(last, { playing: state.playing, section: state.section, second });
    }
  }

  class PageView {
    constructor(host, doc, sheet) {
      this.host = host;
      this.doc = doc;
      const headings = this.headings = findHeadings(doc.sections);
      // Controls first: each DOM change updates every live Range.
      this.upgradeLinks(sheet);
      this.matches = headings.map((heading, i) => (heading
        ? rangesFor(doc.sections[i].sentences, textBetween(heading, headings.slice(i + 1).find(Boolean)))
        : []));
      // Without most of the text on the page, the player captions the sentence.
      this.onPage = 2 * this.matches.flat().filter(Boolean).length >= doc.sections.flatMap((section) => section.sentences).length;
      this.userScroll = 0;
      this.last = {};
      this.pick = button('Listen to the selection', ICON.play, 'vr-primary', 'Listen');
      this.pick.ariaKeyShortcuts = 'Alt+Shift+L';
      this.el = make('div', { className: 'vr-pick', hidden: true }, this.pick);
      // A tap's own selection changes must not hide it.
      this.pick.addEventListener('pointerdown', () => { this.pressed = Date.now(); });
      onClick(this.pick, () => this.playSelection());
      if (highlights()) {
        this.marks = { sentence: new Highlight(), word: new Highlight() };
        this.marks.word.priority = 1;
      }
    }

    holdsText() {
      return this.onPage;
    }

    match(section, sentence) {
      return this.matches[section]?.[sentence] || null;
    }

    texts() {
      return this.matches.map((list) => list.map((found) => found && collapse(found.range.toString())));
    }

    attach(signal) {
      const on = (target, type, handler) => target.addEventListener(type, handler, { signal, passive: type !== 'keydown' && type !== 'click' });
      on(document, 'click', (event) => this.onTextClick(event));
      on(document, 'keydown', (event) => this.onTextKey(event));
      on(document, 'selectionchange', () => this.onSelection());
      on(window, 'scroll', () => this.onScroll());
      // Only the visitor's own scroll (wheel, touch, keys, scroll bar) stops following.
      const intent = (event) => {
        const target = event.target instanceof Element ? event.target : null;
        if (event.type === 'mousedown' ? target === document.documentElement
          : event.type !== 'keydown' || (/^(Page|Arrow(Up|Down)|Home|End| $)/.test(event.key) && !isField(target) && !target?.closest(TAG))) {
          this.userScroll = Date.now();
        }
      };
      for (const type of ['wheel', 'touchmove', 'keydown', 'mousedown']) on(window, type, intent);
      if (this.marks) Object.entries(this.marks).forEach(([name, highlight]) => CSS.highlights.set(MARK[name], highlight));
    }

    detach() {
      if (this.marks) Object.values(MARK).forEach((name) => CSS.highlights.delete(name));
      this.paint(null, null);
      this.el.hidden = true;
    }

    // In shadow roots, which host CSS cannot hide; none for the title: the player is there.
    upgradeLinks(sheet) {
      const sections = this.doc.sections;
      const done = new Set();
      const headingOnly = (i) => sections[i].level < 2 && sections[i].sentences.length < 2;
      const control = (i) => {
        const span = make('span', { className: 'vr-listen-control' });
        const root = span.attachShadow({ mode: 'open' });
        const listen = button('Listen from here', ICON.play, '', 'Listen');
        listen.ariaLabel = `Listen from here: ${sections[i].heading}`;
        onClick(listen, () => emit(this.host, EVENTS.PLAY, { section: i }));
        root.adoptedStyleSheets = [sheet];
        root.append(listen);
        return span;
      };
      for (const link of document.querySelectorAll('.vr-listen a[data-vr-section]')) {
        const i = sections.findIndex((section) => section.id === link.dataset.vrSection);
        if (i < 0) continue;
        done.add(i);
        if (headingOnly(i)) link.closest('.vr-listen').remove();
        else link.replaceWith(control(i));
      }
      this.headings.forEach((heading, i) => heading && !done.has(i) && !headingOnly(i) && heading.after(control(i)));
    }

    render(state) {
      const last = this.last;
      if (state.options.click !== !!last.click) this.setClickMode(state.options.click);
      const found = state.started ? this.match(state.section, state.sentence) : null;
      const words = found && state.options.words && state.word >= 0 && this.doc.sections[state.section].sentences[state.sentence].words;
      const word = words && words[state.word] ? found.part(words[state.word][1], words[state.word][2]) : null;
      const key = found && `${state.section}.${state.sentence}`;
      const wordKey = word && `${key}.${state.word}`;
      if (key !== last.key || wordKey !== last.wordKey) this.paint(found?.range, word);
      if (state.options.follow && (!last.follow || state.section !== last.section)) this.userScroll = 0;
      const waiting = state.usingPlayer;
      if (found && state.options.follow && !waiting && (key !== last.key || !last.follow || last.waiting)) this.follow(found.range);
      Object.assign(last, { key, wordKey, click: state.options.click, follow: state.options.follow, section: state.section, waiting });
      this.state = state;
    }

    paint(range, word) {
      if (this.marks) {
        this.marks.sentence.clear();
        this.marks.word.clear();
        if (range) this.marks.sentence.add(range);
        if (word) this.marks.word.add(word);
        return;
      }
      if (this.block) this.block.classList.remove('vr-reading');
      this.block = range && blockOf(range.startContainer);
      if (this.block) this.block.classList.add('vr-reading');
    }

    bottom() {
      return innerHeight - (parseFloat(getComputedStyle(document.documentElement).scrollPaddingBottom) || 0);
    }

    // Never fights the visitor's scroll, nor hides a control with keyboard focus.
    follow(range) {
      const box = range.getBoundingClientRect();
      const bottom = this.bottom();
      if (!box.height || Date.now() - this.userScroll < 1000 || (box.top >= 0 && box.top <= innerHeight * FOLLOW_UNTIL && box.bottom <= bottom)) return;
      let by = box.top - innerHeight * FOLLOW_AT;
      // Our Listen buttons hold their focus in their own shadow roots.
      const focused = document.activeElement || document.body;
      const listen = focused.matches('.vr-listen-control') && focused.shadowRoot.activeElement;
      const focusBox = (focused === this.host || (listen || focused).matches(':focus-visible')) && focused.getBoundingClientRect();
      if (focusBox && focusBox.bottom > 0 && focusBox.top < bottom) by = clamp(by, focusBox.bottom - bottom, focusBox.top);
      if (Math.abs(by) >= 1) scrollBy({ top: by, behavior: scrolling() });
    }

    onScroll() {
      if (!this.el.hidden) this.onSelection();
      const state = this.state;
      if (!state || !state.started || !state.options.follow || Date.now() - this.userScroll > 1000) return;
      const found = this.match(state.section, state.sentence);
      if (!found) return;
      const box = found.range.getBoundingClientRect();
      if (box.bottom >= 0 && box.top <= this.bottom()) return;
      emit(this.host, EVENTS.OPTION, { name: 'follow', on: false });
    }

    onSelection() {
      const selection = getSelection();
      let range = selection?.rangeCount && !selection.isCollapsed ? selection.getRangeAt(0) : null;
      if (range?.commonAncestorContainer.getRootNode() !== document) range = null;
      const hits = range ? this.where((sentence) => range.comparePoint(sentence.startContainer, sentence.startOffset) <= 0
        && range.comparePoint(sentence.endContainer, sentence.endOffset) >= 0) : [];
      if (Date.now() - this.pressed < 500) return;
      this.selected = hits.length ? [hits[0], hits.pop()] : null;
      this.el.hidden = !this.selected;
      if (!this.selected) return;
      const box = range.getBoundingClientRect();
      const pick = this.el;
      pick.style.top = `${clamp(box.bottom + (matchMedia('(pointer: coarse)').matches ? 28 : 6), 0, innerHeight - pick.offsetHeight)}px`;
      pick.style.left = `${clamp(box.right - pick.offsetWidth, 0, innerWidth - pick.offsetWidth)}px`;
    }

    playSelection() {
      if (!this.selected) return;
      const [[firstSection, firstSentence], [lastSection, lastSentence]] = this.selected;
      const sections = this.doc.sections;
      emit(this.host, EVENTS.PLAY, {
        section: firstSection, time: sections[firstSection].sentences[firstSentence].start,
        end: this.doc.offsets[lastSection] + sections[lastSection].sentences[lastSentence].end,
      });
      this.el.hidden = true;
    }

    setClickMode(on) {
      const blocks = new Set(this.matches.flat().filter(Boolean).map((found) => blockOf(found.range.startContainer)));
      for (const block of blocks) {
        if (on && !block.hasAttribute('tabindex')) {
          block.tabIndex = 0;
          block.dataset.vrClickable = '';
        } else if (!on && block.hasAttribute('data-vr-clickable')) {
          block.removeAttribute('tabindex');
          block.removeAttribute('data-vr-clickable');
        }
      }
    }

    where(test) {
      const hits = [];
      this.matches.forEach((list, i) => list.forEach((found, sentence) => found && test(found.range) && hits.push([i, sentence])));
      return hits;
    }

    playAt([section, sentence]) {
      emit(this.host, EVENTS.PLAY, { section, time: this.doc.sections[section].sentences[sentence].start });
    }

    onTextClick(event) {
      if (!this.state || !this.state.options.click || event.button !== 0 || !(event.target instanceof Element) || event.target.closest(INTERACTIVE)) return;
      const selection = getSelection();
      if (selection && !selection.isCollapsed) return;
      const caret = caretAt(event.clientX, event.clientY);
      if (!caret) return;
      const [node, offset] = caret;
      const inside = this.where((range) => range.comparePoint(node, offset) === 0);
      // Between sentences, take the last one started before the click.
      const block = blockOf(node);
      const before = this.where((range) => blockOf(range.startContainer) === block && range.comparePoint(node, offset) >= 0);
      const hit = inside[0] || before.pop();
      if (hit) this.playAt(hit);
    }

    onTextKey(event) {
      if (event.altKey && event.shiftKey && event.code === SELECTION_KEY && !event.ctrlKey && !event.metaKey) {
        this.onSelection();
        if (this.el.hidden) return;
        event.preventDefault();
        return this.playSelection();
      }
      const target = event.target;
      if (!this.state || !this.state.options.click || event.key !== 'Enter' || !(target instanceof Element) || !target.hasAttribute('data-vr-clickable')) return;
      const hit = this.where((range) => target.contains(range.startContainer))[0];
      if (!hit) return;
      event.preventDefault();
      this.playAt(hit);
    }
  }

  class VoiceReader extends HTMLElement {
    static observedAttributes = ['no-mini-player'];

    connectedCallback() {
      if (this.shadowRoot) {
        if (this.views) this.attach();
        return;
      }
      const root = this.attachShadow({ mode: 'open' });
      this.slotElement = make('slot');
      // Present from the start, so its first message is heard.
      this.statusElement = make('p', { className: 'vr-status', role: 'status' });
      root.append(this.slotElement, this.statusElement);
      this.setState('loading');
      Promise.all([loadSheet(), this.loadManifest()]).then(
        ([sheet, manifest]) => this.build(sheet, manifest),
        (error) => loadSheet().then((sheet) => this.broken(sheet, error)),
      );
    }

    disconnectedCallback() {
      if (!this.views) return;
      this.audios.forEach((audio) => audio.pause());
      this.detach();
    }

    attributeChangedCallback() {
      if (this.views) this.render();
    }

    attach() {
      this.abort = new AbortController();
      const signal = this.abort.signal;
      addEventListener('pagehide', () => this.save(), { signal });
      for (const type of ['focusin', 'focusout']) this.shadowRoot.addEventListener(type, () => this.render(), { signal });
      this.views.forEach((view) => view.attach(signal));
      this.observer = new IntersectionObserver(([entry]) => { this.inView = entry.isIntersecting; this.render(); });
      this.observer.observe(this.main.el);
    }

    detach() {
      this.abort.abort();
      this.views.forEach((view) => view.detach?.());
      this.observer.disconnect();
      this.releaseSession();
    }

    manifestUrl() {
      const manifest = this.getAttribute('manifest');
      const slug = this.getAttribute('document');
      const src = this.getAttribute('src');
      if (manifest) return new URL(manifest, document.baseURI).href;
      if (slug && src) return new URL(`api/documents/${encodeURI(slug)}/manifest.json`, src.replace(/\/?$/, '/')).href;
      throw new Error('voice-reader needs manifest, or document and src');
    }

    async loadManifest() {
      const response = await fetch(this.manifestUrl());
      this.manifestHref = response.url;
      if (!response.ok) throw new Error(`manifest: HTTP ${response.status}`);
      const manifest = await response.json();
      if (manifest.version !== 1 || !Array.isArray(manifest.sections) || !manifest.sections.length) throw new Error('manifest: not version 1');
      return manifest;
    }

    broken(sheet, error) {
      this.shadowRoot.adoptedStyleSheets = [sheet];
      this.setState('error');
      this.say('Sorry, the audio player could not load. The audio links on this page still work.');
      emit(this, EVENTS.FAIL, { message: String(error?.message) });
    }

    build(sheet, manifest) {
      this.manifest = manifest;
      const sections = manifest.sections;
      // Words arrive as steps from the word before (docs/architecture.md).
      for (const sentence of sections.flatMap((section) => section.sentences)) {
        let time = Math.floor(sentence.start * 100 + 0.5);
        let end = 0;
        if (Array.isArray(sentence.words)) sentence.words = sentence.words.map(([step, gap, length]) => {
          time += step;
          end += gap + length;
          return [time / 100, end - length, length];
        });
      }
      this.audioUrls = sections.map((section) => new URL(section.audio, this.manifestHref).href);
      if (manifest.listening) {
        this.beacon = new URL(manifest.listening, this.manifestHref).href;
        counter ||= document.head.appendChild(make('script', { src: new URL('voice-reader-listening.js', CSS_URL).href }));
      }
      this.storageKey = `voice-reader:${manifest.document.slug}:${hashText(this.audioUrls.join())}`;
      let total = 0;
      this.offsets = sections.map((section) => { const start = total; total += section.duration; return start; });
      this.total = total;
      const download = manifest.download;
      const doc = Object.freeze({
        sections, offsets: this.offsets, total, lang: manifest.document.lang || '',
        download: download?.audio && download.bytes > 0 ? { ...download, href: new URL(download.audio, this.manifestHref).href } : null,
        hasWords: sections.some((section) => section.sentences.some((sentence) => Array.isArray(sentence.words) && sentence.words.length)),
        voice: manifest.voice?.description || '',
      });
      this.page = new PageView(this, doc, sheet);
      const onPage = this.page.holdsText();
      this.current = 0;
      this.started = false;
      this.alert = false;
      this.inView = true;
      this.savedAt = 0;
      this.stopAt = null;
      this.rate = RATES.includes(store.get('voice-reader:rate')) ? store.get('voice-reader:rate') : 1;
      this.options = { click: false, follow: true, words: store.get('voice-reader:words') !== false };
      // The next section buffers in the other <audio>: a seamless join.
      this.audios = [0, 1].map(() => make('audio', { preload: 'none', preservesPitch: true }));
      this.audio = this.audios[0];
      this.main = new MainView(doc, { status: this.statusElement, onPage });
      this.mini = new MiniView(doc, { onPage });
      this.views = [this.main, this.mini, this.page];
      this.shadowRoot.adoptedStyleSheets = [sheet];
      this.slotElement.remove();
      this.shadowRoot.prepend(this.main.el, this.mini.el, this.page.el);
      this.shadowRoot.append(...this.audios);
      this.wire();
      if (this.isConnected) this.attach();
      this.load(this.audio, 0, 'metadata');
      this.offerResume();
      this.sectionChanged();
      this.setState('ready');
      emit(this, EVENTS.READY, { sections: sections.length });
    }

    wire() {
      const media = (type, handler) => this.audios.forEach((audio) => audio.addEventListener(type, (event) => event.target === this.audio && handler()));
      media('playing', () => { this.setState('playing'); this.claimSession(); this.preloadNext(); this.tick(); });
      media('pause', () => {
        if (this.audio.ended || !this.audio.paused || this.stateName === 'error') return;
        this.setState('paused');
        this.save();
        this.say('Paused');
      });
      media('ended', () => this.sectionEnded());
      media('timeupdate', () => (this.audio.paused ? this.render() : Date.now() - this.savedAt > SAVE_MS && this.save()));
      media('seeked', () => this.render());
      media('error', () => this.failed());
      const intent = (type, handler) => this.addEventListener(type, (event) => { event.stopPropagation(); handler(event.detail || {}); });
      intent(EVENTS.PLAY, (detail) => (detail.section === undefined ? this.play() : this.playSection(detail.section, detail.time, detail.end)));
      intent(EVENTS.PAUSE, () => this.pause());
      intent(EVENTS.SEEK, (detail) => this.seek(detail.time));
      intent(EVENTS.RATE, (detail) => { this.playbackRate = detail.rate; });
      intent(EVENTS.OPTION, (detail) => this.setOption(detail.name, detail.on));
      intent(EVENTS.REVEAL, (detail) => {
        if (detail.scroll) this.setOption('follow', false);
        this.main.focusPlay(detail.scroll);
      });
      this.shadowRoot.addEventListener('keydown', (event) => this.onKey(event));
    }

    get state() { return this.stateName; }
    get section() { return this.current; }
    get sections() {
      return (this.manifest?.sections || []).map(({ id, heading, level, duration }, i) => ({ id, heading, level, start: this.offsets[i], duration }));
    }
    get duration() { return this.total || 0; }
    get sectionTime() { return +this.audio?.dataset.section === this.current ? this.audio.currentTime : 0; }
    get currentTime() { return this.offsets ? this.offsets[this.current] + this.sectionTime : 0; }
    set currentTime(time) { this.seek(time); }
    get paused() { return !this.audio || this.audio.paused; }
    get media() { return this.audio || null; }
    get listening() { return this.beacon || null; }
    get playbackRate() { return this.rate || 1; }
    set playbackRate(rate) {
      if (!RATES.includes(rate)) return;
      this.rate = rate;
      this.audios.forEach((audio) => { audio.defaultPlaybackRate = rate; audio.playbackRate = rate; });
      store.set('voice-reader:rate', rate);
      this.render();
    }
    get wordHighlight() { return !!this.options?.words; }
    set wordHighlight(on) { this.setOption('words', !!on); }
    pageText() { return this.page?.texts() || []; }

    play() {
      if (!this.manifest) return;
      this.stopAt = null;
      if (!this.started || this.stateName === 'error') return this.playSection(this.current, this.sectionTime);
      this.audio.playbackRate = this.rate;
      this.go(this.audio.play());
      this.say('Playing');
    }

    pause() { if (this.audio) this.audio.pause(); }
    next() { this.playSection(this.current + 1); }
    previous() { this.playSection(this.current - 1); }
    playSection(index, seconds = 0, end = null) {
      if (this.options) this.options.follow = true; // asked for: follow the text again
      this.start(index, seconds, true, end);
    }

    seek(time) {
      if (!this.manifest) return;
      this.stopAt = null;
      time = clamp(+time || 0, 0, this.total);
      const index = sectionAt(this.offsets, time);
      const seconds = Math.min(time - this.offsets[index], this.manifest.sections[index].duration);
      if (index === this.current && +this.audio.dataset.section === index) {
        this.audio.currentTime = seconds;
        this.render();
      } else {
        this.start(index, seconds, !this.audio.paused, null);
      }
    }

    setState(state) {
      this.stateName = state;
      this.dataset.state = state;
      this.render();
      emit(this, EVENTS.STATE, { state });
    }

    setOption(name, on) {
      if (!this.options || !(name in this.options)) return;
      this.options[name] = on;
      if (name === 'words') store.set('voice-reader:words', on);
      if (name === 'click') this.say(on ? 'Click to listen is on: click a sentence, or press Enter on a paragraph.' : 'Click to listen is off.');
      this.render();
    }

    viewState() {
      const time = this.sectionTime;
      const sentences = this.manifest.sections[this.current].sentences;
      const sentence = sentences.findLastIndex((candidate) => candidate.start <= time);
      const words = sentence >= 0 && sentences[sentence].words;
      return {
        state: this.stateName, started: this.started, playing: !this.audio.paused,
        section: this.current, sentence, word: Array.isArray(words) ? words.findLastIndex(([start]) => start <= time) : -1,
        time: this.offsets[this.current] + time,
        rate: this.rate, options: { ...this.options }, alert: this.alert, inView: this.inView,
        mini: !this.hasAttribute('no-mini-player'), resume: this.resume,
        usingPlayer: this.main.inUse(),
      };
    }

    render() {
      if (!this.views) return;
      const state = this.viewState();
      this.views.forEach((view) => view.render(state));
    }

    say(message) {
      const status = this.statusElement;
      if (status.textContent !== message) { status.textContent = message; return; }
      status.textContent = '';
      setTimeout(() => { status.textContent = message; }, 150);
    }

    load(audio, index, preload) {
      audio.preload = preload;
      audio.dataset.section = index;
      audio.defaultPlaybackRate = this.rate;
      audio.src = this.audioUrls[index];
    }

    start(index, seconds = 0, play = true, end = null) {
      if (!this.manifest || index < 0 || index >= this.manifest.sections.length) return;
      let audio = this.audio;
      const other = this.audios.find((candidate) => candidate !== audio);
      if (+other.dataset.section === index && !other.error) {
        audio.pause();
        audio = other;
      } else if (+audio.dataset.section !== index || audio.error || !audio.src) {
        this.load(audio, index, 'auto');
      }
      const changed = index !== this.current;
      this.audio = audio;
      this.current = index;
      this.started = true;
      this.alert = false;
      this.stopAt = end;
      if (Math.abs(audio.currentTime - seconds) > 0.05) audio.currentTime = seconds;
      audio.playbackRate = this.rate;
      if (play) {
        this.setState(audio.paused ? 'loading' : 'playing'); // an element already playing fires no 'playing'
        this.go(audio.play());
        this.say(`Playing section ${index + 1} of ${this.manifest.sections.length}: ${this.manifest.sections[index].heading}`);
      } else {
        this.setState('paused');
      }
      if (changed || play) this.sectionChanged();
      this.save();
    }

    sectionEnded() {
      const next = this.current + 1;
      if (this.stopAt !== null && this.stopAt <= (this.offsets[next] ?? this.total) + 0.05) {
        this.stopAt = null;
        this.setState('paused');
        return this.save();
      }
      if (next < this.offsets.length) this.start(next, 0, true, this.stopAt);
      else this.finished();
    }

    // Once this one plays: on a slow link it comes first.
    preloadNext() {
      const spare = this.audios.find((audio) => audio !== this.audio);
      const next = this.current + 1;
      if (next < this.manifest.sections.length && (+spare.dataset.section !== next || spare.error)) this.load(spare, next, 'auto');
    }

    // play() can be refused (autoplay rules, no device) or cut short: say so.
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
      const section = this.manifest.sections[this.current];
      const more = this.current + 1 < this.manifest.sections.length;
      this.alert = true;
      this.setState('error');
      this.say(`Sorry, section ${this.current + 1} (${section.heading}) could not be loaded.${more ? ' You can skip to the next section.' : ''}`);
      emit(this, EVENTS.FAIL, { section: section.id });
    }

    finished() {
      this.started = false;
      this.resume = null;
      store.set(this.storageKey, null);
      this.current = 0;
      this.load(this.audio, 0, 'metadata');
      this.setState('ended');
      this.sectionChanged();
      this.say('Finished: you have heard the whole page.');
    }

    offerResume() {
      const saved = store.get(this.storageKey);
      if (!saved || !this.manifest.sections[saved.section] || (saved.section === 0 && saved.time < 5)) return;
      this.resume = { section: saved.section, time: saved.time };
    }

    save() {
      if (!this.started) return;
      this.savedAt = Date.now();
      store.set(this.storageKey, { section: this.current, time: Math.floor(this.sectionTime) });
    }

    claimSession() {
      const session = navigator.mediaSession;
      if (!session || !window.MediaMetadata) return;
      const heading = this.manifest.sections[this.current].heading;
      session.metadata = new MediaMetadata({ title: this.manifest.document.title, artist: heading, album: heading });
      this.session({
        play: () => this.play(), pause: () => this.pause(), nexttrack: () => this.next(), previoustrack: () => this.previous(),
        seekbackward: () => this.seek(this.currentTime - STEP), seekforward: () => this.seek(this.currentTime + STEP),
      });
    }

    releaseSession() {
      if (!this.sessionActions) return;
      this.session(Object.fromEntries(this.sessionActions.map((action) => [action, null])));
      navigator.mediaSession.metadata = null;
      this.sessionActions = null;
    }

    session(handlers) {
      for (const [action, handler] of Object.entries(handlers)) {
        try { navigator.mediaSession.setActionHandler(action, handler); } catch { /* this browser lacks it */ }
      }
      this.sessionActions = Object.keys(handlers);
    }

    sectionChanged() {
      const section = this.manifest.sections[this.current];
      this.render();
      emit(this, EVENTS.SECTION, { index: this.current, id: section.id, heading: section.heading });
    }

    // Every frame: timeupdate comes every quarter second.
    tick() {
      if (this.audio.paused || !this.isConnected) return;
      if (this.stopAt !== null && this.currentTime >= this.stopAt) {
        this.stopAt = null;
        return this.pause();
      }
      this.render();
      requestAnimationFrame(() => this.tick());
    }

    onKey(event) {
      if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
      const target = event.composedPath()[0];
      if (isField(target)) return;
      const rate = (direction) => {
        this.playbackRate = RATES[clamp(RATES.indexOf(this.rate) + direction, 0, RATES.length - 1)];
        this.say(`Speed ${this.rate}×`);
      };
      // Only while focus is in the player (WCAG 2.1.4).
      const action = {
        k: () => (this.paused ? this.play() : this.pause()), j: () => this.seek(this.currentTime - STEP),
        l: () => this.seek(this.currentTime + STEP), p: () => this.previous(), n: () => this.next(),
        s: () => this.main.openMore(), '?': () => this.main.toggleHelp(), '<': () => rate(-1), '>': () => rate(1),
      }[event.key.toLowerCase()];
      if (!action) return;
      event.preventDefault();
      action();
    }
  }

  customElements.define(TAG, VoiceReader);
})();
