// Navigation behaviour in place of Material's script bundle (not loaded: 35 KB, and it fetches a sitemap.xml
// next to every alternate link): the menu drawer by keyboard, and the table of contents following the reading.
(() => {
  const drawer = document.getElementById("__drawer");
  const menuLabel = document.querySelector('.md-header label[for="__drawer"]');
  const sidebar = document.querySelector(".md-sidebar--primary");
  const narrow = window.matchMedia("(max-width: 76.2344em)"); // where Material shows the menu as a drawer
  const focusable = ":scope > .md-nav__list a[href], :scope > .md-nav__list button:not([hidden])";

  // Material opens the drawer and its levels with a <label> for a hidden checkbox: it works without JavaScript
  // but is no button. Each gets a real button placed before it that drives the same checkbox and says its
  // state; the label stays for the theme's CSS and is hidden while its button stands in for it.
  const buttonFor = (label, name, after) => {
    const toggle = document.getElementById(label.htmlFor);
    const button = document.createElement("button");
    button.type = "button";
    button.className = label.className;
    button.dataset.for = toggle.id;
    if (name) button.setAttribute("aria-label", name);
    button.append(...[...label.childNodes].map((node) => node.cloneNode(true)));
    const sync = () => button.setAttribute("aria-expanded", String(toggle.checked));
    toggle.addEventListener("change", sync);
    sync();
    button.addEventListener("click", () => {
      toggle.click(); // checks or unchecks it and fires "change", as a click on the label does
      if (after) setTimeout(() => after(toggle), 50); // once the level has slid into view
    });
    label.before(button);
    return button;
  };

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
      const covered = [...level.querySelectorAll(":scope > .md-nav__title"), ...item.querySelectorAll(":scope > .md-nav__link")];
      covered.concat([...item.parentElement.children].filter((li) => li !== item)).forEach((e) => (e.inert = true));
      level = item.querySelector(":scope > .md-nav");
    }
  };
  const focusIn = (toggle) => {
    const level = shownLevel();
    const opener = sidebar.querySelector(`button.md-nav__link[data-for="${toggle.id}"]`);
    (toggle.checked ? level.querySelector(focusable) : opener)?.focus();
  };

  if (drawer && menuLabel && sidebar) {
    const menu = buttonFor(menuLabel, document.currentScript.dataset.menu, () => drawer.checked && shownLevel().querySelector(focusable)?.focus());
    menuLabel.hidden = true;
    const levels = [...sidebar.querySelectorAll('label[for^="__nav_"], label[for="__toc"]')].map((l) => [l, buttonFor(l, null, focusIn)]);
    const fit = () => {
      // in the drawer each level opens with its button; on a wide screen the labels are section headings
      levels.forEach(([label, button]) => ((label.hidden = narrow.matches), (button.hidden = !narrow.matches)));
      shownLevel();
    };
    // while the drawer is open, the page under it is out of reach (the header stays: it closes the drawer)
    const under = [".md-content", ".md-sidebar--secondary", ".md-footer"].map((s) => document.querySelector(s));
    const cover = () => {
      under.forEach((e) => e && (e.inert = drawer.checked && narrow.matches));
      if (!drawer.checked && sidebar.contains(document.activeElement)) menu.focus(); // focus leaves with the drawer
    };
    const close = () => drawer.checked && drawer.click();
    narrow.addEventListener("change", () => fit() || cover());
    drawer.addEventListener("change", cover);
    sidebar.addEventListener("change", shownLevel);
    // coming back to a page (or reloading it), a browser restores the checkbox of a drawer left open, or the
    // whole page as it was left: the page starts with the drawer closed (HTML allows no autocomplete="off" here)
    const fresh = performance.getEntriesByType("navigation")[0]?.type === "navigate";
    window.addEventListener("pageshow", (event) => (event.persisted || !fresh) && close());
    fit();
    cover();
    document.addEventListener("keydown", (event) => {
      if (event.key !== "Escape" || !drawer.checked) return;
      close();
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
