// FAQ gate: derive the key from the password (PBKDF2), decrypt the FAQ (AES-GCM) with Web Crypto, render it.
// The password never leaves this page; "stay unlocked" keeps only the derived key in sessionStorage.
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const form = $("faq-unlock"), input = $("faq-password"), error = $("faq-error"), status = $("faq-status");
  const gate = $("faq-gate"), content = $("faq-content"), toggle = $("faq-toggle");
  let ui = {};
  try { ui = JSON.parse($("faq-strings").textContent); } catch (e) { /* strings missing: page damaged */ }
  const say = (text) => { status.textContent = ""; setTimeout(() => { status.textContent = text; }, 30); };
  const fail = (text) => {
    error.textContent = text;
    input.setAttribute("aria-invalid", "true");
    input.focus();
  };
  const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

  let payload = null;
  try {
    payload = JSON.parse($("faq-payload").textContent);
    for (const part of [payload.kdf.salt, payload.check.nonce, payload.check.data, payload.doc.nonce, payload.doc.data]) {
      if (typeof part !== "string") throw new Error("incomplete");
    }
  } catch (e) {
    payload = null;
  }
  const storeKey = payload ? `jet-faq-key:${payload.kdf.salt}` : "";

  function damaged() {
    form.querySelectorAll("input, button").forEach((el) => { el.disabled = true; });
    error.textContent = ui.damaged;
  }

  async function deriveKey(password) {
    const material = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveKey"]);
    return crypto.subtle.deriveKey(
      { name: "PBKDF2", hash: payload.kdf.hash, iterations: payload.kdf.iterations, salt: bytes(payload.kdf.salt) },
      material, { name: "AES-GCM", length: 256 }, true, ["decrypt"]);
  }

  const decrypt = (key, sealed, aad) => crypto.subtle.decrypt(
    { name: "AES-GCM", iv: bytes(sealed.nonce), additionalData: new TextEncoder().encode(aad) }, key, bytes(sealed.data));

  // Returns the FAQ HTML, or throws "wrong" (the key does not open the check) or "damaged" (the document does not open).
  async function open(key) {
    try { await decrypt(key, payload.check, "check"); } catch (e) { throw new Error("wrong"); }
    try { return new TextDecoder().decode(await decrypt(key, payload.doc, payload.aad)); } catch (e) { throw new Error("damaged"); }
  }

  function show(html) {
    content.innerHTML = html;
    gate.hidden = true;
    content.hidden = false;
    $("faq-lock").addEventListener("click", lock);
    $("faq-print").addEventListener("click", () => window.print());
    setUpFilter();
    const target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target && content.contains(target)) {
      target.setAttribute("tabindex", "-1");
      target.focus();
      target.scrollIntoView();
    } else {
      $("main").focus();
    }
    say(ui.unlocked);
  }

  async function remember(key) {
    const raw = new Uint8Array(await crypto.subtle.exportKey("raw", key));
    sessionStorage.setItem(storeKey, btoa(String.fromCharCode(...raw)));
  }

  function lock() {
    sessionStorage.removeItem(storeKey);
    content.replaceChildren();
    content.hidden = true;
    gate.hidden = false;
    input.value = "";
    input.focus();
    say(ui.locked);
  }

  async function unlock(event) {
    event.preventDefault();
    error.textContent = "";
    input.removeAttribute("aria-invalid");
    if (!input.value) { fail(ui.empty); return; }
    $("faq-submit").disabled = true;
    say(ui.checking);
    try {
      const key = await deriveKey(input.value);
      const html = await open(key);
      if ($("faq-remember").checked) await remember(key);
      input.value = "";
      show(html);
    } catch (e) {
      if (e.message === "damaged") damaged(); else fail(ui.wrong);
      say("");
    } finally {
      $("faq-submit").disabled = false;
    }
  }

  function setUpFilter() {
    const box = $("faq-q"), count = $("faq-count");
    const entries = [...content.querySelectorAll(".faq-entry")];
    const norm = (s) => s.normalize("NFKC").toLowerCase();
    const total = entries.length;
    count.textContent = ui.count.replace("{n}", total).replace("{total}", total);
    box.addEventListener("input", () => {
      const q = norm(box.value.trim());
      let shown = 0;
      for (const entry of entries) {
        unmark(entry);
        const hit = !q || norm(entry.textContent).includes(q);
        entry.hidden = !hit;
        if (hit) { shown += 1; if (q) mark(entry, q, norm); }
      }
      content.querySelectorAll(".faq-category").forEach((cat) => {
        cat.hidden = !cat.querySelector(".faq-entry:not([hidden])");
      });
      count.textContent = (shown ? ui.count : ui.none).replace("{n}", shown).replace("{total}", total);
    });
  }

  function unmark(root) {
    root.querySelectorAll("mark").forEach((m) => m.replaceWith(document.createTextNode(m.textContent)));
    root.normalize();
  }

  // Wrap every match of q in <mark> (matching on NFKC-lowercased text, one character for one character).
  function mark(root, q, norm) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    for (const node of nodes) {
      const text = node.textContent;
      if (norm(text).length !== text.length) continue;
      const lower = norm(text);
      let at = lower.indexOf(q);
      if (at < 0) continue;
      const frag = document.createDocumentFragment();
      let from = 0;
      while (at >= 0) {
        frag.append(text.slice(from, at));
        const m = document.createElement("mark");
        m.textContent = text.slice(at, at + q.length);
        frag.append(m);
        from = at + q.length;
        at = lower.indexOf(q, from);
      }
      frag.append(text.slice(from));
      node.replaceWith(frag);
    }
  }

  toggle.addEventListener("click", () => {
    const showing = input.type === "text";
    input.type = showing ? "password" : "text";
    toggle.setAttribute("aria-pressed", String(!showing));
    toggle.querySelector(".faq-toggle-text").textContent = showing ? ui.show : ui.hide;
  });

  if (!payload) { damaged(); return; }
  if (!window.crypto || !crypto.subtle) { error.textContent = ui.unsupported; return; }
  form.addEventListener("submit", unlock);
  const stored = sessionStorage.getItem(storeKey);
  if (stored) {
    crypto.subtle.importKey("raw", bytes(stored), "AES-GCM", true, ["decrypt"])
      .then(open).then(show)
      .catch((e) => { sessionStorage.removeItem(storeKey); if (e.message === "damaged") damaged(); });
  }
})();
