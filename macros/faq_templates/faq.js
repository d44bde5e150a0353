// FAQ gate: derive the key from the password (PBKDF2), decrypt the FAQ (AES-GCM) with Web Crypto, show it.
// The password never leaves this page: the form has no named field, its button is enabled only here, and every
// submit is cancelled. "Stay unlocked" (off unless ticked) keeps the key as a non-extractable CryptoKey in
// IndexedDB, for this tab's session and at most KEEP_HOURS: the browser stores it, but no script can read its
// bytes, and the password itself is never stored.
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const form = $("faq-unlock"), input = $("faq-password"), error = $("faq-error"), status = $("faq-status");
  const gate = $("faq-gate"), content = $("faq-content"), toggle = $("faq-toggle"), submit = $("faq-submit");
  const aad = `jet-faq:${document.documentElement.dataset.faqEdition}`;  // from the page, never from the payload
  const KEEP_HOURS = 8, DB = "jet-faq", STORE = "keys", SESSION = "jet-faq-session";
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

  function damaged() {
    form.querySelectorAll("input, button").forEach((el) => { el.disabled = true; });
    error.textContent = ui.damaged;
  }

  async function deriveKey(password) {
    const material = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveKey"]);
    return crypto.subtle.deriveKey(
      { name: "PBKDF2", hash: payload.kdf.hash, iterations: payload.kdf.iterations, salt: bytes(payload.kdf.salt) },
      material, { name: "AES-GCM", length: 256 }, false, ["decrypt"]);
  }

  const decrypt = (key, sealed, data) => crypto.subtle.decrypt(
    { name: "AES-GCM", iv: bytes(sealed.nonce), additionalData: new TextEncoder().encode(data) }, key, bytes(sealed.data));

  // Returns the FAQ HTML, or throws "wrong" (the key does not open the check) or "damaged" (the document does not
  // open: altered, or a payload of another edition).
  async function open(key) {
    try { await decrypt(key, payload.check, "check"); } catch (e) { throw new Error("wrong"); }
    try { return new TextDecoder().decode(await decrypt(key, payload.doc, aad)); } catch (e) { throw new Error("damaged"); }
  }

  // The one way HTML enters this page: the decrypted FAQ (authenticated by AES-GCM, written by our build), through
  // the one Trusted Types policy the site's CSP allows. Without Trusted Types the string is used as it is.
  const policy = window.trustedTypes
    ? trustedTypes.createPolicy("jet-faq", { createHTML: (html) => html })
    : { createHTML: (html) => html };

  function show(html) {
    content.innerHTML = policy.createHTML(html);
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

  // One IndexedDB transaction on the key store; resolves with what `work` returned once the transaction is done.
  function transaction(mode, work) {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "session" });
      request.onerror = () => reject(request.error);
      request.onsuccess = () => {
        const db = request.result, tx = db.transaction(STORE, mode), out = work(tx.objectStore(STORE));
        tx.oncomplete = () => { db.close(); resolve(out); };
        tx.onerror = tx.onabort = () => { db.close(); reject(tx.error); };
      };
    });
  }

  // A key is kept under a random id held in sessionStorage (gone with the tab), with the build's salt (a rebuild
  // makes it useless) and an expiry; expired keys of any tab are deleted whenever a gate page opens.
  function remember(key) {
    let session = sessionStorage.getItem(SESSION);
    if (!session) {
      session = crypto.randomUUID();
      sessionStorage.setItem(SESSION, session);
    }
    const expires = Date.now() + KEEP_HOURS * 3600 * 1000;
    return transaction("readwrite", (store) => { store.put({ session, salt: payload.kdf.salt, key, expires }); });
  }

  function recall() {
    const session = sessionStorage.getItem(SESSION);
    return transaction("readwrite", (store) => {
      const found = {};
      store.openCursor().onsuccess = (event) => {
        const cursor = event.target.result;
        if (!cursor) return;
        const kept = cursor.value;
        if (kept.expires <= Date.now() || (kept.session === session && kept.salt !== payload.kdf.salt)) cursor.delete();
        else if (kept.session === session) found.key = kept.key;
        cursor.continue();
      };
      return found;
    }).then((found) => found.key || null);
  }

  function forget() {
    sessionStorage.removeItem(SESSION);
    return transaction("readwrite", (store) => { store.clear(); }).catch(() => {});
  }

  function lock() {
    forget();
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
    submit.disabled = true;
    say(ui.checking);
    try {
      const key = await deriveKey(input.value);
      const html = await open(key);
      if ($("faq-remember").checked) await remember(key).catch(() => {});
      input.value = "";
      show(html);
    } catch (e) {
      say("");
      if (e.message === "damaged") { damaged(); return; }
      fail(ui.wrong);
    }
    submit.disabled = false;
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
  toggle.disabled = false;
  form.addEventListener("submit", (event) => event.preventDefault());  // whatever happens below: never navigate

  if (!payload) { damaged(); return; }
  if (!window.crypto || !crypto.subtle) { error.textContent = ui.unsupported; return; }
  form.addEventListener("submit", unlock);
  submit.disabled = false;
  recall()
    .then((key) => key && open(key).then(show))
    .catch((e) => { if (e.message === "damaged") damaged(); else forget(); });
})();
