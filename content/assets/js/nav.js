// Navigation behaviour in place of Material's script bundle (not loaded: 35 KB, and it fetches a sitemap.xml
// next to every alternate link): the menu drawer by keyboard, and the table of contents following the reading.
(() => {
  const drawer = document.getElementById("__drawer");
  const menu = document.querySelector('.md-header label[for="__drawer"]');
  const sidebar = document.querySelector(".md-sidebar--primary");
  const narrow = window.matchMedia("(max-width: 76.2344em)"); // where Material shows the menu as a drawer
  const focusable = ":scope > .md-nav__list a[href], :scope > .md-nav__list [role=button]";

  // A label that opens the drawer or a level inside it becomes a button: focusable, Enter/Space, state announced
  const asButton = (label, name, after) => {
    const toggle = document.getElementById(label.htmlFor);
    if (!toggle) return;
    const active = () => label.getAttribute("role") === "button";
    const sync = () => active() && label.setAttribute("aria-expanded", String(toggle.checked));
    label.setAttribute("role", "button");
    label.tabIndex = 0;
    if (name) label.setAttribute("aria-label", name);
    sync();
    if (label.dataset.button) return; // listeners once, however often the screen width changes
    label.dataset.button = "1";
    toggle.addEventListener("change", sync);
    label.addEventListener("keydown", (event) => {
      if (!active() || (event.key !== "Enter" && event.key !== " ")) return;
      event.preventDefault();
      toggle.checked = !toggle.checked;
      toggle.dispatchEvent(new Event("change", { bubbles: true }));
      if (after) setTimeout(() => after(toggle), 50); // once the level has slid into view
    });
  };
  const plain = (label) => ["role", "aria-expanded", "tabindex"].forEach((a) => label.removeAttribute(a));

  // In the drawer a level slides over the one it opened from: only the level on show takes focus
  const shownLevel = () => {
    sidebar.querySelectorAll("[inert]").forEach((e) => (e.inert = false));
    let level = sidebar.querySelector(".md-nav--primary");
    if (!narrow.matches) return level;
    sidebar.querySelectorAll(".md-nav__toggle:not(:checked) ~ .md-nav").forEach((n) => (n.inert = true)); // closed
    for (;;) {
      const open = level.querySelector(":scope > .md-nav__list > .md-nav__item > .md-nav__toggle:checked");
      if (!open) return level;
      const item = open.parentElement;
      const covered = [level.querySelector(":scope > .md-nav__title"), ...item.querySelectorAll(":scope > .md-nav__link")];
      covered.concat([...item.parentElement.children].filter((li) => li !== item)).forEach((e) => e && (e.inert = true));
      level = item.querySelector(":scope > .md-nav");
    }
  };
  const focusIn = (toggle) => {
    const level = shownLevel();
    const opener = sidebar.querySelector(`.md-nav__link[for="${toggle.id}"]`);
    (toggle.checked ? level.querySelector(focusable) : opener)?.focus();
  };

  if (drawer && menu && sidebar) {
    asButton(menu, document.currentScript.dataset.menu, () => drawer.checked && shownLevel().querySelector(focusable)?.focus());
    const labels = [...sidebar.querySelectorAll('label[for^="__nav_"], label[for="__toc"]')];
    const fit = () => {
      labels.forEach((l) => (narrow.matches ? asButton(l, null, focusIn) : plain(l))); // wide: section headings
      shownLevel();
    };
    // while the drawer is open, the page under it is out of reach (the header stays: it closes the drawer)
    const under = [".md-content", ".md-sidebar--secondary", ".md-footer"].map((s) => document.querySelector(s));
    const cover = () => under.forEach((e) => e && (e.inert = drawer.checked && narrow.matches));
    narrow.addEventListener("change", () => fit() || cover());
    drawer.addEventListener("change", cover);
    sidebar.addEventListener("change", shownLevel);
    fit();
    cover();
    document.addEventListener("keydown", (event) => {
      if (event.key !== "Escape" || !drawer.checked) return;
      drawer.checked = false;
      drawer.dispatchEvent(new Event("change"));
      menu.focus();
    });
  }

  // Table of contents: mark the section being read and keep its link in sight
  const links = [...document.querySelectorAll('.md-sidebar--secondary .md-nav--secondary a[href^="#"]')];
  const targets = links.map((a) => document.getElementById(decodeURIComponent(a.hash.slice(1))));
  if (!links.length || targets.includes(null)) return;
  const wrap = links[0].closest(".md-sidebar__scrollwrap");
  let current = null;
  let pending = false;
  const update = () => {
    pending = false;
    const top = (document.querySelector(".md-header")?.offsetHeight || 0) + 16;
    let index = 0;
    targets.forEach((t, i) => {
      if (t.getBoundingClientRect().top <= top) index = i;
    });
    const link = links[index];
    if (link === current) return;
    current?.classList.remove("md-nav__link--active");
    current?.removeAttribute("aria-current");
    link.classList.add("md-nav__link--active");
    link.setAttribute("aria-current", "location");
    current = link;
    if (!wrap) return;
    const seen = wrap.getBoundingClientRect();
    const at = link.getBoundingClientRect();
    if (at.top < seen.top || at.bottom > seen.bottom) wrap.scrollTop += at.top - seen.top - seen.height / 2;
  };
  const schedule = () => {
    if (!pending) {
      pending = true;
      requestAnimationFrame(update);
    }
  };
  window.addEventListener("scroll", schedule, { passive: true });
  window.addEventListener("resize", schedule, { passive: true });
  window.addEventListener("load", schedule, { once: true }); // measured once the page is laid out and painted
})();
