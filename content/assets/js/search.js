// Site search in the header: Pagefind (one index per page language), loaded when the field gets focus.
// Combobox + listbox: arrows choose, Enter opens, Esc closes, "/" focuses; the result count is announced.
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
  const anchor = header.querySelector(".md-header__option") || header.querySelector("[data-md-component=palette]");
  header.insertBefore(box, anchor ? anchor.closest(".md-header__option") || anchor : null);
  box.hidden = false;

  let pagefind = null, loading = null, active = -1, timer = 0, serial = 0;

  function load() {
    if (!loading) {
      const url = new URL(box.dataset.pagefind, location.href);
      loading = import(url.href).then(async (pf) => {
        await pf.options({ baseUrl: new URL("..", url).pathname });
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
    return f;
  }

  // The best place on the page for the query: the section (sub-result) whose heading, then whose text holds
  // the whole query; then the one holding the most query words (each word searched on its own); then
  // Pagefind's weight.
  function best(data, query, hits) {
    const plain = (text) => text.normalize("NFKC").toLowerCase().replace(/\s+/g, " ");
    const phrase = plain(query);
    const subs = (data.sub_results || []).filter((sub) => sub.url);
    let pick = data, top = -1;
    for (const sub of subs) {
      const text = plain(`${sub.title} ${sub.excerpt.replace(/<[^>]+>/g, "")}`);
      const weight = (sub.weighted_locations || []).reduce((n, l) => n + l.balanced_score, 0);
      const score = (plain(sub.title).includes(phrase) ? 4e9 : 0) + (text.includes(phrase) ? 2e9 : 0)
        + (hits.get(sub.url) || 0) * 1e8 + Math.min(weight, 9e7);
      if (score > top) { pick = sub; top = score; }
    }
    return pick;
  }

  // How many of the query's words each section holds: every word searched on its own, within these pages.
  async function wordsPerSection(words, pages) {
    const hits = new Map();
    if (words.length < 2) return hits;
    const ids = new Set(pages.map((r) => r.id));
    for (const word of words) {
      const found = await pagefind.search(word, { filters: filters() });
      const mine = found ? found.results.filter((r) => ids.has(r.id)) : [];
      for (const data of await Promise.all(mine.map((r) => r.data()))) {
        for (const sub of data.sub_results || []) hits.set(sub.url, (hits.get(sub.url) || 0) + 1);
      }
    }
    return hits;
  }

  // The query's words without the little words every page has (particles, articles: data/ui search.ignore).
  const ignore = new Set(ui.ignore.split(" "));
  function terms(q) {
    const words = Intl.Segmenter
      ? [...new Intl.Segmenter(document.documentElement.lang, { granularity: "word" }).segment(q)]
          .filter((s) => s.isWordLike).map((s) => s.segment)
      : q.split(/\s+/);
    return words.filter((w) => !ignore.has(w.toLowerCase()));
  }

  // Pagefind finds pages holding every word of the query. When fewer than three do (e.g. the query's words
  // are cut differently from the page's), pages holding most of its words follow them.
  async function searchAllOrAny(q) {
    const words = terms(q);
    const found = await pagefind.search(words.join(" ") || q, { filters: filters() });
    if (!found || found.results.length >= 3 || words.length < 2) return found;
    const each = await Promise.all(words.map((w) => pagefind.search(w, { filters: filters() })));
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
    const [datas, hits] = await Promise.all([Promise.all(top.map((r) => r.data())), wordsPerSection(terms(q), top)]);
    if (mine !== serial) return;
    list.replaceChildren(...datas.map((data, i) => option(data, best(data, q, hits), i)));
    active = -1;
    input.removeAttribute("aria-activedescendant");
    const n = found.results.length;
    count.textContent = n === 1 ? ui.count_one : n ? ui.count.replace("{n}", n) : ui.none;
    open(true);
  }

  function option(data, place, i) {
    const li = document.createElement("li");
    li.id = `site-search-option-${i}`;
    li.setAttribute("role", "option");
    li.setAttribute("aria-selected", "false");
    const a = document.createElement("a");
    a.href = place.url;
    a.tabIndex = -1;
    const title = document.createElement("span");
    title.className = "site-search__title";
    title.textContent = data.meta.title;
    a.append(title);
    if (place !== data && place.title !== data.meta.title) {
      const section = document.createElement("span");
      section.className = "site-search__section";
      section.textContent = place.title;
      a.append(section);
    }
    const excerpt = document.createElement("span");
    excerpt.className = "site-search__excerpt";
    excerpt.innerHTML = place.excerpt;  // Pagefind's excerpt: escaped text with <mark> around matches
    a.append(excerpt);
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
  document.addEventListener("keydown", (e) => {
    const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName) || document.activeElement.isContentEditable;
    if (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) { e.preventDefault(); input.focus(); }
  });
})();
