// Site search in the header: Pagefind (one index per page language), loaded when the field gets focus.
// Combobox + listbox: arrows choose, Enter opens, Esc or a tap outside closes, "/" focuses; the count is announced.
// Results are built with DOM calls only: the site's Trusted Types policy admits no HTML strings.
(() => {
  "use strict";
  const box = document.getElementById("site-search");
  const header = document.querySelector(".md-header__inner");
  if (!box || !header) return;
  const ui = JSON.parse(box.dataset.strings);
  const input = document.getElementById("site-search-input");
  const panel = document.getElementById("site-search-panel");
  const list = document.getElementById("site-search-results");
  const count = document.getElementById("site-search-count");
  const typeSel = document.getElementById("site-search-type");
  const roleSel = document.getElementById("site-search-role");
  const yearSel = document.getElementById("site-search-year");  // only when there are earlier years
  const anchor = header.querySelector(".md-header__option") || header.querySelector("[data-md-component=palette]");
  header.insertBefore(box, anchor ? anchor.closest(".md-header__option") || anchor : null);
  // the "/" key hint only where there is a keyboard to press it (a fine pointer that can hover)
  if (matchMedia("(hover: hover) and (pointer: fine)").matches) input.placeholder = ui.placeholder_key;
  box.hidden = false;

  // Keywords (data/*.yml `keywords:`) are Pagefind metadata, searched but never shown: `keywords` holds the
  // page's, weighted here; `keywords-<heading id>` names the section each list belongs to.
  const RANKING = { metaWeights: { title: 5, keywords: 6 } };
  const SECTION_KEYWORDS = "keywords-";
  const EXCERPT = 170;  // excerpt length in half-width characters (a CJK character counts two)

  let pagefind = null, loading = null, active = -1, timer = 0, serial = 0;

  function load() {
    if (!loading) {
      const url = new URL(box.dataset.pagefind, location.href);
      loading = import(url.href).then(async (pf) => {
        // noWorker: Pagefind would start its Web Worker from a URL string, a sink Trusted Types refuse
        await pf.options({ baseUrl: new URL("..", url).pathname, noWorker: true, ranking: RANKING });
        await pf.init();
        pagefind = pf;
      }).catch(() => { count.textContent = ui.error; });
    }
    return loading;
  }

  function open(show) {
    panel.hidden = !show;
    input.setAttribute("aria-expanded", String(show && list.children.length > 0));
  }

  function filters() {
    const f = {};
    if (typeSel.value) f.type = typeSel.value;
    if (roleSel.value) f.role = roleSel.value;
    else f.scope = "all";  // the CIR and SEA views repeat the full guidelines: only on request
    f.edition = (yearSel && yearSel.value) || "current";  // earlier years' guidelines: only on request
    return f;
  }

  // for comparing texts: one width, one case, single spaces, no hyphen inside a word (re-contracting)
  const plain = (text) => text.normalize("NFKC").toLowerCase().replace(/[\s\u200b]+/g, " ")
    .replace(/(?<=\p{L})[-\u2010\u2011](?=\p{L})/gu, "").trim();
  const compact = (text) => plain(text).replace(/ /g, "");

  // What a result needs from Pagefind's data, copied at once: Pagefind hands out one shared object per page
  // and rewrites its match positions on every search.
  async function snapshot(result) {
    const d = await result.data();
    const zws = d.raw_content.includes("\u200b");  // CJK pages: Pagefind cuts their words with U+200B
    const words = (zws ? d.raw_content.split("\u200b") : d.raw_content.split(/[^\S\uFEFF]+/))
      .map((w) => w.replace(/&lt;/g, "<").replace(/&gt;/g, ">"));  // undo Pagefind's own escaping of < and >
    const heads = d.anchors.filter((a) => /^h\d$/i.test(a.element) && a.text.trim())
      .sort((a, b) => a.location - b.location);
    const sections = heads.map((a, i) => ({
      id: a.id, title: a.text, start: a.location, end: i + 1 < heads.length ? heads[i + 1].location : words.length,
    }));
    if (!sections.length || sections[0].start > 0) {
      sections.unshift({ id: "", title: d.meta.title, start: 0, end: sections.length ? sections[0].start : words.length });
    }
    sections[0].top = true;  // the page's own heading: the result is the page
    return {
      id: result.id, url: d.url, title: d.meta.title, low: (d.filters.rank || []).includes("low"),
      zws, words, sections, weighted: d.weighted_locations.map((l) => ({ location: l.location, score: l.balanced_score })),
      keywords: new Map(Object.entries(d.meta).filter(([k]) => k.startsWith(SECTION_KEYWORDS))
        .map(([k, v]) => [k.slice(SECTION_KEYWORDS.length), plain(v)])),
    };
  }

  const within = (sec, location) => location >= sec.start && location < sec.end;
  const textOf = (page, sec) => page.words.slice(sec.start, sec.end).join(page.zws ? "" : " ");

  // The query's words without the little words every page has (particles, articles: data/ui search.ignore).
  const ignore = new Set(ui.ignore.split(" "));
  function terms(q) {
    const words = Intl.Segmenter
      ? [...new Intl.Segmenter(document.documentElement.lang, { granularity: "word" }).segment(q)]
          .filter((s) => s.isWordLike).map((s) => s.segment)
      : q.split(/\s+/);
    return words.filter((w) => !ignore.has(w.toLowerCase()));
  }

  // The words as typed (between spaces), without the little words. A text holds one when it has it whole:
  // anywhere for CJK words; for others as a word, a final s or es aside (form, forms; not format).
  const parts = (q) => plain(q).split(" ").filter((w) => w && !ignore.has(w));
  const escape = (w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  function matcher(word) {
    if (/[\u3040-\u30ff\u3400-\u9fff]/.test(word)) return (text) => text.replace(/ /g, "").includes(word.replace(/ /g, ""));
    const stem = word.replace(/(?<=\w{3})e?s$/, "");
    const re = new RegExp(`(?<![\\p{L}\\p{N}])(?:${escape(word)}|${escape(stem)})(?:e?s)?(?![\\p{L}\\p{N}])`, "u");
    return (text) => re.test(text);
  }
  const holds = (text, tests) => tests.length > 0 && tests.every((test) => test(text));

  // The best place on the page for the query: the section whose heading, then whose keywords hold every word
  // typed; whose text holds the query as typed; whose heading, keywords and text together hold its words;
  // then the one holding most of the query's words (each searched on its own, a rare word counting more than
  // one many sections hold); then Pagefind's weight. Sections without a match are not candidates; without
  // any, the page itself.
  function best(page, query, hits) {
    const phrase = [matcher(plain(query))], typed = parts(query).map(matcher);
    let pick = page.sections[0], top = -1;
    for (const sec of page.sections) {
      const here = page.weighted.filter((l) => within(sec, l.location));
      const title = plain(sec.title), keywords = page.keywords.get(sec.id) || "", text = plain(textOf(page, sec));
      const words = hits.get(`${page.id}#${sec.id}`) || 0;
      const score = (holds(title, typed) ? 4e9 : 0) + (holds(keywords, typed) ? 3e9 : 0)
        + (holds(text, phrase) ? 2e9 : 0) + (typed.length > 1 && holds(`${title} ${keywords} ${text}`, typed) ? 1e9 : 0)
        + words * 1e8 + Math.min(here.reduce((n, l) => n + l.score, 0), 9e7);
      if (!here.length && !score) continue;
      if (score > top) { pick = sec; top = score; }
    }
    return { sec: pick, tier: Math.floor(Math.max(top, 0) / 1e9) };
  }

  // Which sections hold each of the query's words (searched on its own; in the text or the section's keywords):
  // a section scores 1 / (number of sections holding the word) for each word it holds.
  async function wordsPerSection(words, pages) {
    const hits = new Map();
    if (words.length < 2) return hits;
    for (const word of words) {
      const found = await pagefind.search(word, { filters: filters() });
      const located = new Map();
      for (const r of found ? found.results.filter((res) => pages.some((page) => page.id === res.id)) : []) {
        located.set(r.id, (await r.data()).weighted_locations.map((l) => l.location));  // copied at once (see snapshot)
      }
      const holding = pages.flatMap((page) => page.sections
        .filter((sec) => (page.keywords.get(sec.id) || "").includes(plain(word))
          || (located.get(page.id) || []).some((l) => within(sec, l)))
        .map((sec) => `${page.id}#${sec.id}`));
      for (const key of holding) hits.set(key, (hits.get(key) || 0) + 1 / holding.length);
    }
    return hits;
  }

  // Pagefind finds pages holding every word of the query. When fewer than three do (e.g. the query's words
  // are cut differently from the page's), pages holding most of its words follow them (a word of one CJK
  // character, 料 of キャンセル料, is in too many pages to count).
  async function searchAllOrAny(q) {
    const words = terms(q);
    const found = await pagefind.search(words.join(" ") || q, { filters: filters() });
    if (!found || found.results.length >= 3 || words.length < 2) return found;
    const some = words.filter((w) => w.length > 1 || !/[\u3040-\u30ff\u3400-\u9fff]/.test(w));
    const each = await Promise.all(some.map((w) => pagefind.search(w, { filters: filters() })));
    const byId = new Map();
    for (const res of each) {
      for (const r of res ? res.results : []) {
        const seen = byId.get(r.id);
        byId.set(r.id, { ...r, score: (seen ? seen.score : 0) + r.score, hits: (seen ? seen.hits : 0) + 1 });
      }
    }
    const all = new Set(found.results.map((r) => r.id));
    const more = [...byId.values()].filter((r) => !all.has(r.id)).sort((a, b) => b.hits - a.hits || b.score - a.score);
    return { results: [...found.results, ...more] };
  }

  async function search() {
    const q = input.value.trim();
    const mine = ++serial;
    if (!q) { list.replaceChildren(); count.textContent = ""; open(true); return; }
    count.textContent = pagefind ? "" : ui.loading;
    await load();
    if (!pagefind || mine !== serial) return;
    const found = await searchAllOrAny(q);
    if (mine !== serial || !found) return;
    const top = found.results.slice(0, 8);
    const pages = await Promise.all(top.map(snapshot));
    const hits = await wordsPerSection(terms(q), pages);
    if (mine !== serial) return;
    // Pagefind's order, but a page whose best section holds more of the query first (see best), and the
    // accessibility statement and other pages about the site itself (filter rank:low) after the content
    const places = pages.map((page) => ({ page, ...best(page, q, hits) }))
      .sort((a, b) => a.page.low - b.page.low || b.tier - a.tier);
    list.replaceChildren(...places.map((p, i) => option(p.page, p.sec, i, q)));
    active = -1;
    input.removeAttribute("aria-activedescendant");
    const n = found.results.length;
    count.textContent = n === 1 ? ui.count_one : n ? ui.count.replace("{n}", n) : ui.none;
    open(true);
  }

  // The excerpt: the section's text from the start of the sentence (else clause) where its matches are
  // densest, without the heading (shown above it), matches marked as whole words.
  const SENTENCE = /[。．！？!?.]["'”’」』）)]*\s*$/;
  const CLAUSE = /[、，,;；:：]\s*$/;
  const CLOSING = /^\s*[」』）)\]”’]/;  // 「…という。」が: no sentence starts inside the brackets
  const bare = (text) => compact(text).replace(/[\p{P}\p{S}]/gu, "");
  const width = (text) => [...text].reduce((n, c) => n + (/[\u1100-\uffdc]/.test(c) ? 2 : 1), 0);

  // Past the heading's words and the full stop Pagefind put after it (punctuation aside, they spell it).
  function afterHeading(page, sec) {
    const heading = bare(sec.top ? page.title : sec.title);
    let from = sec.start, seen = "";
    while (from < sec.end && seen.length < heading.length) {
      seen += bare(page.words[from]);
      if (!heading.startsWith(seen)) return sec.start;
      from += 1;
    }
    while (from < sec.end && !bare(page.words[from])) from += 1;
    return from;
  }

  // A match worth marking: not a short start of a query word (Pagefind's fallback when a word is not in the
  // index: "or" for organization); on CJK pages a one-character word (者 of 参加者) only next to another
  // match or when typed on its own (車 通勤).
  function marks(page, from, end, query) {
    const at = new Set(page.weighted.map((l) => l.location).filter((l) => l >= from && l < end));
    const queried = terms(query).map(bare), typed = new Set(parts(query).map(bare));
    const fallback = (w) => queried.some((q) => q.startsWith(w) && q !== w && (w.length < 3 || w.length * 2 < q.length));
    return new Set([...at].filter((l) => {
      const word = bare(page.words[l]);
      if (fallback(word)) return false;
      return !page.zws || word.length > 1 || at.has(l - 1) || at.has(l + 1) || typed.has(word);
    }));
  }

  // The first match of the run of words holding the most (Pagefind's weight, shared among the section's
  // matches of the same word: a rare word counts more), else where the text starts.
  function densest(page, marked, from) {
    const span = page.zws ? 40 : 24, weight = new Map(page.weighted.map((l) => [l.location, l.score]));
    const times = new Map();
    for (const l of marked) times.set(bare(page.words[l]), (times.get(bare(page.words[l])) || 0) + 1);
    const score = new Map([...marked].map((l) => [l, (weight.get(l) || 0) / times.get(bare(page.words[l]))]));
    let pivot = from, most = -1;
    for (const l of [...marked].sort((a, b) => a - b)) {
      const sum = [...marked].filter((m) => m >= l && m < l + span).reduce((n, m) => n + (score.get(m) || 0), 0);
      if (sum > most) { pivot = l; most = sum; }
    }
    return pivot;
  }

  function excerpt(page, sec, query) {
    const { words, zws } = page;
    const from = afterHeading(page, sec);
    const marked = marks(page, from, sec.end, query);
    const pivot = densest(page, marked, from);
    let start = from, lead = "";
    if (pivot > from) {
      const reach = Math.max(from, pivot - (zws ? 30 : 20));
      const back = (re) => {
        for (let j = pivot - 1; j >= reach; j--) if (re.test(words[j]) && !CLOSING.test(words[j + 1])) return j + 1;
        return -1;
      };
      const sentence = back(SENTENCE), clause = back(CLAUSE);
      if (sentence >= 0) start = sentence;
      else if (clause >= 0) { start = clause; lead = "…"; }
      else if (reach > from) { start = reach; lead = "…"; }
    }
    // the end: where the length runs out, or an earlier sentence end past 60 % of it
    let end = start, used = 0, stop = -1;
    while (end < sec.end && (used < EXCERPT || end <= pivot)) {
      used += width(words[end]) + (zws ? 0 : 1);
      end += 1;
      if (used > EXCERPT * 0.6 && end > pivot && SENTENCE.test(words[end - 1]) && !CLOSING.test(words[end] || "")) stop = end;
    }
    const cut = end < sec.end && stop > 0 ? stop : end;
    const out = document.createDocumentFragment();
    if (lead) out.append(lead);
    let mark = null;
    for (let i = start; i < cut; i++) {
      let word = words[i];
      if (zws && /^\.\s+$/.test(word) && i > start && !/[A-Za-z]\s*$/.test(words[i - 1])) word = "。";  // Pagefind's block separator
      const gap = !zws && i > start ? " " : "";
      if (marked.has(i)) {
        const [, pre, core, post] = word.match(/^([\s\p{P}]*)(.*?)([\s\p{P}]*)$/u);
        if (mark && !pre) mark.append(gap + core);
        else {
          out.append(gap + pre);
          mark = document.createElement("mark");
          mark.textContent = core;
          out.append(mark);
        }
        if (post) { out.append(post); mark = null; }
      } else {
        out.append(gap + word);
        mark = null;
      }
    }
    if (cut < sec.end && cut !== stop) out.append("…");
    out.normalize();
    return out;
  }

  function option(page, sec, i, query) {
    const li = document.createElement("li");
    li.id = `site-search-option-${i}`;
    li.setAttribute("role", "option");
    li.setAttribute("aria-selected", "false");
    const a = document.createElement("a");
    a.href = sec.top ? page.url : `${page.url.split("#")[0]}#${sec.id}`;
    a.tabIndex = -1;
    const title = document.createElement("span");
    title.className = "site-search__title";
    title.textContent = page.title;
    a.append(title);
    if (!sec.top && sec.title !== page.title) {
      const section = document.createElement("span");
      section.className = "site-search__section";
      section.textContent = sec.title;
      a.append(section);
    }
    const text = document.createElement("span");
    text.className = "site-search__excerpt";
    text.append(excerpt(page, sec, query));
    a.append(text);
    li.append(a);
    li.addEventListener("mousedown", (e) => e.preventDefault());
    return li;
  }

  function move(step) {
    const items = [...list.children];
    if (!items.length) return;
    if (active >= 0) items[active].setAttribute("aria-selected", "false");
    active = (active + step + items.length) % items.length;
    items[active].setAttribute("aria-selected", "true");
    items[active].scrollIntoView({ block: "nearest" });
    input.setAttribute("aria-activedescendant", items[active].id);
  }

  input.addEventListener("focus", () => { load(); open(true); });
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(search, 60); });
  typeSel.addEventListener("change", search);
  roleSel.addEventListener("change", search);
  if (yearSel) yearSel.addEventListener("change", search);
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown") { e.preventDefault(); open(true); move(1); }
    else if (e.key === "ArrowUp") { e.preventDefault(); move(-1); }
    else if (e.key === "Enter") {
      const target = list.children[Math.max(active, 0)];
      if (target) { e.preventDefault(); location.href = target.querySelector("a").href; }
    } else if (e.key === "Escape") {
      if (!panel.hidden) { e.preventDefault(); open(false); } else { input.value = ""; list.replaceChildren(); }
    }
  });
  box.addEventListener("focusout", (e) => { if (!box.contains(e.relatedTarget)) open(false); });
  // a tap or click outside closes the results, also where tapping plain text keeps the field focused (iOS)
  document.addEventListener("pointerdown", (e) => { if (!panel.hidden && !box.contains(e.target)) open(false); });
  document.addEventListener("keydown", (e) => {
    const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName) || document.activeElement.isContentEditable;
    if (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) { e.preventDefault(); input.focus(); }
  });
})();
