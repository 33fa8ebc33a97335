// The Parley web playground: plain script, no build step. The server
// renders every card (render/html escapes all text); this script places
// the fragments, streams text in, and posts messages and clicks.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const page = { csrf: "", seq: 0, people: [], as: "", conv: "", source: null, gen: 0, sending: false, pending: null };

  const newID = () => crypto.randomUUID().replaceAll("-", "");

  // convOfHash reads the conversation id from the URL's hash: one the
  // server would take, else none.
  const convOfHash = () => {
    const id = location.hash.slice(1);
    return /^[A-Za-z0-9_-]{1,64}$/.test(id) ? id : "";
  };

  function showStatus(text) {
    $("status").textContent = text || "";
    $("status").hidden = !text;
  }

  async function api(path, body) {
    const opts = body === undefined ? {} : {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Parley-CSRF": page.csrf },
      body: JSON.stringify(body),
    };
    const resp = await fetch(path, opts);
    const data = await resp.json().catch(() => ({}));
    if (!resp.ok) {
      const err = new Error(data.error || resp.statusText);
      err.status = resp.status;
      throw err;
    }
    return data;
  }

  // post sends body, once more with the same event id if the answer was
  // lost or the page's secret is stale: the bot drops the repeat.
  async function post(path, body) {
    try {
      return await api(path, body);
    } catch (err) {
      if (err.status === 403) await load();
      else if (err.status !== undefined) throw err;
      return api(path, body);
    }
  }

  function showError(msg) {
    $("error").textContent = msg || "";
    $("error").hidden = !msg;
  }

  function sidebar(convs) {
    const ul = $("conversations");
    ul.replaceChildren();
    for (const c of convs) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = "#" + c.id;
      a.dataset.conv = c.id;
      a.textContent = c.title;
      if (c.id === page.conv) a.setAttribute("aria-current", "page");
      li.append(a);
      ul.append(li);
    }
  }

  function render(m) {
    let el = document.querySelector(`#messages [data-id="${CSS.escape(m.id)}"]`);
    if (!el) {
      el = document.createElement("div");
      el.className = "msg";
      el.dataset.id = m.id;
      $("messages").append(el);
    }
    el.dataset.from = m.from || "bot";
    el.classList.toggle("private", !!m.to);
    const who = document.createElement("div");
    who.className = "who";
    who.textContent = m.from ? m.fromName || m.from : page.botName;
    const body = document.createElement("div");
    body.className = "body";
    if (m.streaming || !m.html) {
      body.classList.add("stream");
      body.textContent = m.text;
    } else {
      body.innerHTML = m.html; // rendered and escaped by render/html
    }
    el.replaceChildren(who, body);
    if (m.file) {
      const f = document.createElement("div");
      f.className = "file";
      const a = document.createElement("a");
      a.href = "files/" + encodeURIComponent(m.file.id);
      a.download = m.file.name;
      a.textContent = `📎 ${m.file.name} (${m.file.size} bytes)`;
      f.append(a);
      el.append(f);
    }
    if (m.reactions && m.reactions.length) {
      const r = document.createElement("div");
      r.className = "reactions";
      for (const e of m.reactions) {
        const s = document.createElement("span");
        s.textContent = ":" + e + ":";
        r.append(s);
      }
      el.append(r);
    }
    el.scrollIntoView({ block: "end" });
  }

  // load reads the state afresh. Only the latest call shows what it read:
  // an older answer arriving last would show another conversation.
  async function load() {
    const gen = ++page.gen;
    const q = new URLSearchParams({ as: page.as, conv: page.conv });
    const st = await api("api/state?" + q);
    if (gen !== page.gen) return;
    Object.assign(page, { csrf: st.csrf, seq: st.seq, people: st.people, botName: st.botName });
    $("bot-name").textContent = st.botName;
    const sel = $("person");
    if (sel.options.length !== st.people.length) {
      sel.replaceChildren(...st.people.map((p) => new Option(p.name || p.id, p.id)));
    }
    if (!st.people.some((p) => p.id === page.as)) page.as = st.people[0].id;
    sel.value = page.as;
    sidebar(st.conversations);
    $("messages").replaceChildren();
    st.messages.forEach(render);
    showStatus(st.status);
    showError("");
    listen();
  }

  // reload is load, retried with a growing delay while it fails (the bot
  // restarting, the network away).
  let reloadTimer = 0;
  function reload(delay = 1000) {
    clearTimeout(reloadTimer);
    load().catch((err) => {
      showError("reconnecting… (" + err.message + ")");
      reloadTimer = setTimeout(() => reload(Math.min(delay * 2, 30000)), delay);
    });
  }

  function listen() {
    if (page.source) page.source.close();
    const q = new URLSearchParams({ as: page.as, since: page.seq });
    const src = new EventSource("api/events?" + q);
    page.source = src;
    let lost = false;
    src.onerror = () => {
      if (page.source !== src) return;
      lost = true;
      showError("reconnecting…");
      // Closed for good (an error answer, not a dropped connection):
      // the browser will not try again; read the state afresh.
      if (src.readyState === EventSource.CLOSED) reload();
    };
    src.onopen = () => {
      // Back after a break: read what the page may have missed.
      if (lost && page.source === src) reload();
    };
    const on = (type, fn) => src.addEventListener(type, (e) => fn(JSON.parse(e.data)));
    on("message", (m) => {
      if (m.conv === page.conv) render(m);
      refreshSidebar();
    });
    on("delta", (d) => {
      const body = document.querySelector(`#messages [data-id="${CSS.escape(d.id)}"] .body`);
      if (d.conv === page.conv && body) body.textContent += d.text;
    });
    on("status", (s) => {
      if (s.conv === page.conv) showStatus(s.text);
    });
    on("removed", (r) => {
      document.querySelector(`#messages [data-id="${CSS.escape(r.id)}"]`)?.remove();
      refreshSidebar();
    });
    on("reset", () => reload());
  }

  let sidebarTimer = 0;
  function refreshSidebar() {
    clearTimeout(sidebarTimer);
    sidebarTimer = setTimeout(async () => {
      try {
        sidebar((await api("api/state?" + new URLSearchParams({ as: page.as }))).conversations);
      } catch (err) {
        showError(err.message);
      }
    }, 200);
  }

  // send posts the composer's text, once: a second Enter while it is on
  // its way does nothing, and sending again the text that failed reuses
  // its event id, so that if it did reach the bot it is answered once.
  async function send(e) {
    e.preventDefault();
    if (page.sending) return;
    const text = $("text").value.trim();
    if (!text) return;
    if (!page.conv) {
      page.conv = newID().slice(0, 20);
      history.replaceState(null, "", "#" + page.conv);
    }
    const p = page.pending;
    const eventId = p && p.conv === page.conv && p.as === page.as && p.text === text ? p.eventId : newID();
    page.pending = { conv: page.conv, as: page.as, text, eventId };
    page.sending = true;
    $("send").disabled = true;
    try {
      await post(`api/conversations/${encodeURIComponent(page.conv)}/messages`, { eventId, as: page.as, text });
      $("text").value = "";
      page.pending = null;
      showError("");
    } catch (err) {
      showError(err.message); // the text stays, to send again
    } finally {
      page.sending = false;
      $("send").disabled = false;
    }
  }

  async function act(el, action) {
    const msg = el.closest(".msg");
    if (!msg || !action) return;
    try {
      await post("api/actions", { eventId: newID(), as: page.as, conv: page.conv, message: msg.dataset.id, action });
      showError("");
    } catch (err) {
      showError(err.message);
    }
  }

  $("composer").addEventListener("submit", send);
  $("text").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) send(e);
  });
  $("messages").addEventListener("click", (e) => {
    const b = e.target.closest("button[data-action]");
    if (b) act(b, b.dataset.action);
  });
  $("messages").addEventListener("change", (e) => {
    if (e.target.closest("[data-select]")) act(e.target, e.target.value);
  });
  $("person").addEventListener("change", (e) => {
    page.as = e.target.value;
    localStorage.setItem("parley.as", page.as);
    reload();
  });
  $("new-conversation").addEventListener("click", () => {
    page.conv = "";
    history.replaceState(null, "", location.pathname + location.search);
    showStatus("");
    reload();
  });
  window.addEventListener("hashchange", () => {
    page.conv = convOfHash();
    showStatus("");
    reload();
  });

  page.as = localStorage.getItem("parley.as") || "";
  page.conv = convOfHash();
  reload();
})();
