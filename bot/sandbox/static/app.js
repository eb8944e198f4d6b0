// The sandbox page: a small Slack client for the emulated workspace. It reads what one person
// sees from /sandbox/api/page, re-reads it whenever /sandbox/api/events says the workspace
// changed, and sends what the person does to the sandbox, which hands it to the bot as Slack would.
// Its words are in the person's Slack language, served by the sandbox (texts.js).

import { el, renderBlocks } from "./blocks.js";
import { escapeHtml, mrkdwn } from "./mrkdwn.js";
import { loadTexts, locale, t, textsLanguage } from "./texts.js";

const DEFAULT_USER = "U0SENDER01";
const DEFAULT_CHANNEL = "C0GENERAL1";

const query = new URLSearchParams(location.search);
const state = {
  user: query.get("user") || localStorage.getItem("sandbox.user") || DEFAULT_USER,
  channel: query.get("channel") || DEFAULT_CHANNEL,
  thread: query.get("thread") || null,
  tab: query.get("tab") || "messages", // for the app's DM: "home" or "messages"
  page: null,
  modalValues: {}, // view id -> Slack's state.values as the person has filled them
  shown: { modal: "stale", home: "stale" }, // what is on screen, to redraw only what changed
};
permalinkFromLocation();

// ------------------------------------------------------------------ talking to the sandbox

async function api(path, body) {
  const response = await fetch(path, body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ user: state.user, ...body }),
  });
  const answer = await response.json().catch(() => ({ ok: false, error: `HTTP ${response.status}` }));
  if (!answer.ok && answer.error) throw new Error(answer.error);
  return answer;
}

async function upload(path, file, params) {
  const search = new URLSearchParams({ user: state.user, name: file.name, ...params });
  const response = await fetch(`${path}?${search}`, { method: "POST", body: file });
  const answer = await response.json();
  if (!answer.ok) throw new Error(answer.error || `HTTP ${response.status}`);
  return answer;
}

let refreshing = null;
let refreshAgain = false;

async function refresh() {
  if (refreshing) {
    refreshAgain = true;
    return refreshing;
  }
  refreshing = (async () => {
    do {
      refreshAgain = false;
      const params = new URLSearchParams({ user: state.user, channel: state.channel || "" });
      if (state.thread) params.set("thread", state.thread);
      try {
        state.page = await api(`/sandbox/api/page?${params}`);
        if (await loadTexts(state.page.language)) applyTexts();
        render();
      } catch (error) {
        showToast(t("load_failed", { error: error.message }));
      }
    } while (refreshAgain);
  })();
  try {
    await refreshing;
  } finally {
    refreshing = null;
  }
}

function listen() {
  const events = new EventSource("/sandbox/api/events");
  events.addEventListener("change", () => refresh());
  events.addEventListener("open", () => document.body.classList.remove("offline"));
  events.addEventListener("error", () => document.body.classList.add("offline"));
}

// ------------------------------------------------------------------ names

const names = {
  user: (id) => state.page?.users.find((u) => u.id === id)?.real_name || id,
  channel: (id) => state.page?.channels.find((c) => c.id === id)?.name || id,
  group: (id) => (id === "S0APPROVE1" ? "sms-approvers" : id),
  people: () => (state.page?.users || []).filter((u) => !u.is_bot),
  channelList: () => (state.page?.channels || []).filter((c) => c.kind === "channel"),
  isPermalink: (url) => url.startsWith(`${location.origin}/archives/`),
};

function permalinkFromLocation() {
  const match = location.pathname.match(/^\/archives\/([A-Z0-9]+)\/p(\d+)(\d{6})$/);
  if (!match) return;
  state.channel = match[1];
  const ts = `${match[2]}.${match[3]}`;
  state.thread = new URLSearchParams(location.search).get("thread_ts") || ts;
  state.tab = "messages";
  history.replaceState(null, "", "/");
}

function openPermalink(url) {
  const match = new URL(url).pathname.match(/^\/archives\/([A-Z0-9]+)\/p(\d+)(\d{6})$/);
  if (!match) return false;
  const ts = `${match[2]}.${match[3]}`;
  navigate({ channel: match[1], thread: new URL(url).searchParams.get("thread_ts") || ts, tab: "messages" });
  return true;
}

function navigate(change) {
  Object.assign(state, change);
  const params = new URLSearchParams({ user: state.user, channel: state.channel });
  if (state.thread) params.set("thread", state.thread);
  if (isAppChannel() && state.tab === "home") params.set("tab", "home");
  history.replaceState(null, "", `/?${params}`);
  if (isAppChannel() && state.tab === "home") api("/sandbox/api/home", {}).catch((e) => showToast(e.message));
  refresh();
}

function isAppChannel() {
  return state.channel?.startsWith("D");
}

// ------------------------------------------------------------------ the page's own words

function applyTexts() {
  document.documentElement.lang = locale();
  document.title = t("title");
  for (const node of document.querySelectorAll("[data-text]")) node.textContent = t(node.dataset.text);
  for (const attribute of ["aria-label", "title", "placeholder"]) {
    for (const node of document.querySelectorAll(`[data-text-${attribute}]`)) {
      node.setAttribute(attribute, t(node.getAttribute(`data-text-${attribute}`)));
    }
  }
  const guide = t("guide");
  document.getElementById("guide-title").textContent = guide.title;
  // The guide's steps are HTML made by the sandbox: its words escaped, its links its own.
  document.getElementById("guide-steps").replaceChildren(...guide.steps.map((step) => el("li", { html: step })));
  document.getElementById("guide-roles").textContent = guide.roles;
  document.getElementById("guide-languages").textContent = guide.languages;
  document.getElementById("language-switch").replaceChildren(
    ...t("languages").map((language) => el("option", { value: language.code }, language.name)));
  state.shown = { modal: "stale", home: "stale" }; // their frames are in the page's words too
}

// ------------------------------------------------------------------ rendering

function render() {
  const page = state.page;
  renderUsers(page);
  renderSidebar(page);
  renderMain(page);
  renderThread(page);
  renderModal(page);
}

function renderUsers(page) {
  const select = document.getElementById("user-switch");
  const people = page.users.filter((u) => !u.is_bot);
  const wanted = people.map((u) => `${u.id}:${u.role_label}`).join("|");
  if (select.dataset.people !== wanted) {
    select.replaceChildren(...people.map((u) => el("option", { value: u.id }, `${u.real_name} — ${u.role_label}`)));
    select.dataset.people = wanted;
  }
  select.value = state.user;
  document.getElementById("language-switch").value = page.language;
  const me = people.find((u) => u.id === state.user);
  document.getElementById("me").textContent = me ? me.real_name : "";
  document.getElementById("team").textContent = page.team.name;
}

function renderSidebar(page) {
  const channels = document.getElementById("channel-list");
  const apps = document.getElementById("app-list");
  const item = (channel, label) => el("li", {}, el("button", {
    type: "button", class: `nav-item ${channel.id === state.channel ? "active" : ""}`, "data-channel-id": channel.id,
    onclick: () => navigate({ channel: channel.id, thread: null, tab: channel.kind === "dm" ? state.tab : "messages" }),
  }, label));
  channels.replaceChildren(...page.channels.filter((c) => c.kind === "channel").map((c) => item(c, `# ${c.name}`)));
  apps.replaceChildren(...page.channels.filter((c) => c.kind === "dm").map((c) => item(c, `⚡ ${c.name}`)));
}

function renderMain(page) {
  const header = document.getElementById("channel-header");
  const tabs = document.getElementById("app-tabs");
  const messages = document.getElementById("messages");
  const home = document.getElementById("home");
  const composer = document.getElementById("composer");
  const channel = page.channel;
  if (!channel) {
    header.textContent = t("choose_channel");
    messages.replaceChildren();
    return;
  }
  const onHome = channel.kind === "dm" && state.tab === "home";
  header.replaceChildren(el("h1", {}, channel.kind === "dm" ? `⚡ ${channel.name}` : `# ${channel.name}`));
  tabs.hidden = channel.kind !== "dm";
  for (const button of tabs.querySelectorAll("button")) {
    button.classList.toggle("active", button.dataset.tab === (onHome ? "home" : "messages"));
  }
  messages.hidden = onHome;
  composer.hidden = onHome;
  home.hidden = !onHome;
  if (onHome) {
    renderHome(page, home);
    return;
  }
  document.getElementById("message-box").placeholder =
    channel.kind === "dm" ? t("message_app", { name: channel.name }) : t("message_channel", { channel: channel.name });
  renderMessageList(messages, page.messages, { inThread: false });
}

function renderHome(page, home) {
  const view = page.home;
  const key = view ? `${view.id}:${view.hash}` : "none";
  if (state.shown.home === key) return;
  state.shown.home = key;
  if (!view) {
    home.replaceChildren(el("p", { class: "empty" }, t("loading_home")));
    return;
  }
  home.replaceChildren(renderBlocks(view.blocks, viewEnv(view)));
}

// Messages are keyed by ts and re-drawn only when they change, so a selection or a scroll
// position survives the many small updates of a live progress message.
function renderMessageList(container, entries, { inThread }) {
  const nearBottom = container.scrollHeight - container.scrollTop - container.clientHeight < 80;
  const existing = new Map(Array.from(container.children).map((node) => [node.dataset.key, node]));
  const nodes = entries.map((entry) => {
    const key = `${entry.ephemeral ? "e" : "m"}${entry.ts}`;
    const signature = JSON.stringify([entry, inThread, textsLanguage()]);
    const old = existing.get(key);
    if (old && old.dataset.signature === signature) return old;
    const node = renderMessage(entry, { inThread });
    node.dataset.key = key;
    node.dataset.signature = signature;
    return node;
  });
  if (nodes.length === 0) {
    container.replaceChildren(el("p", { class: "empty" }, inThread ? "" : t("no_messages")));
    return;
  }
  container.replaceChildren(...nodes);
  const place = `${state.channel}:${inThread ? state.thread : ""}`;
  if (nearBottom || container.dataset.scrolled !== place) {
    container.scrollTop = container.scrollHeight;
    container.dataset.scrolled = place;
  }
}

function authorOf(entry) {
  if (entry.is_bot) return state.page.bot.name;
  return names.user(entry.user);
}

function time(ts) {
  return new Date(Number(ts) * 1000).toLocaleTimeString(locale(), { hour: "numeric", minute: "2-digit" });
}

function renderMessage(entry, { inThread }) {
  const content = el("div", { class: "msg-content" });
  if (entry.blocks?.length) {
    content.append(renderBlocks(entry.blocks, messageEnv(entry)));
  } else if (entry.text) {
    content.append(el("div", { class: "msg-text", html: mrkdwn(entry.text, names) }));
  }
  for (const attachment of entry.attachments || []) content.append(renderAttachment(attachment, entry));
  for (const file of entry.files || []) content.append(renderFile(file));
  const meta = el("div", { class: "msg-meta" },
    el("span", { class: "author" }, authorOf(entry)),
    entry.is_bot ? el("span", { class: "app-badge" }, t("app_badge")) : null,
    el("span", { class: "time", title: entry.ts }, time(entry.ts)),
    entry.edited ? el("span", { class: "edited" }, t("edited")) : null);
  const body = el("div", { class: "msg-body" }, meta, content);
  // A reply also sent to the channel: Slack shows where it came from, and opens its thread.
  const thread = entry.broadcast ? entry.thread_ts : entry.ts;
  if (entry.broadcast && !inThread) {
    content.before(el("button", { type: "button", class: "broadcast-link", onclick: () => navigate({ thread }) },
      t("replied_to_thread")));
  }
  if (entry.ephemeral) body.append(el("div", { class: "ephemeral-note" }, `👁 ${t("only_you")}`));
  if (!inThread && !entry.ephemeral && entry.reply_count > 0) {
    const last = entry.latest_reply ? ` · ${t("last_reply", { time: time(entry.latest_reply) })}` : "";
    body.append(el("button", { type: "button", class: "replies-link", onclick: () => navigate({ thread: entry.ts }) },
      entry.replies_label, el("span", { class: "last-reply" }, last)));
  }
  const tools = !inThread && !entry.ephemeral
    ? el("div", { class: "msg-tools" }, el("button", {
        type: "button", class: "reply-button", title: t("reply_in_thread"), "aria-label": t("reply_in_thread"),
        onclick: () => navigate({ thread }),
      }, `💬 ${t("reply_button")}`))
    : null;
  const initial = authorOf(entry).slice(0, 1).toUpperCase();
  return el("div", { class: `msg ${entry.ephemeral ? "ephemeral" : ""} ${entry.is_bot ? "from-app" : ""}`,
                     "data-ts": entry.ts },
    el("div", { class: `avatar ${entry.is_bot ? "app" : ""}`, "aria-hidden": "true" }, entry.is_bot ? "⚡" : initial),
    body, tools);
}

function renderAttachment(attachment, entry) {
  const box = el("div", { class: "attachment", style: `border-color: ${escapeHtml(attachment.color || "#ddd")}` });
  if (attachment.pretext) box.append(el("div", { html: mrkdwn(attachment.pretext, names) }));
  if (attachment.title) box.append(el("div", { class: "attachment-title" }, attachment.title));
  if (attachment.text) box.append(el("div", { html: mrkdwn(attachment.text, names) }));
  if (attachment.blocks) box.append(renderBlocks(attachment.blocks, messageEnv(entry)));
  for (const field of attachment.fields || []) {
    box.append(el("div", { class: "section-field" }, el("b", {}, field.title), el("div", { html: mrkdwn(field.value, names) })));
  }
  return box;
}

function fileUrl(file) {
  return `${file.url}?user=${encodeURIComponent(state.user)}`;
}

function renderFile(file) {
  const link = el("a", { href: fileUrl(file), class: "file-card", download: file.name, "data-file-id": file.id },
    el("span", { class: "file-icon" }, file.filetype === "csv" || file.filetype === "xlsx" ? "📊" : "📄"),
    el("span", { class: "file-name" }, file.title || file.name),
    el("span", { class: "file-type" }, `${(file.filetype || "").toUpperCase()} · ${Math.max(1, Math.round(file.size / 1024))} KB`));
  if (!file.mimetype?.startsWith("image/")) return link;
  return el("figure", { class: "file-image" },
    el("img", { src: fileUrl(file), alt: file.alt_txt || file.title || file.name, loading: "lazy" }),
    el("figcaption", {}, file.title || file.name));
}

function renderThread(page) {
  const pane = document.getElementById("thread");
  const thread = page.thread;
  document.body.classList.toggle("with-thread", Boolean(thread));
  pane.hidden = !thread;
  if (!thread) return;
  const where = `${page.channel.kind === "dm" ? "" : "#"}${page.channel.name}`;
  document.getElementById("thread-title").textContent = t("thread_in", { channel: where });
  const list = document.getElementById("thread-messages");
  renderMessageList(list, [thread.root, ...thread.replies], { inThread: true });
  const count = list.querySelector(".reply-count");
  if (!count && thread.replies.length) {
    list.children[0].after(el("div", { class: "reply-count" }, thread.replies_label));
  }
}

// ------------------------------------------------------------------ elements' environments

function messageEnv(entry) {
  return {
    names,
    errors: {},
    value: () => undefined,
    remember: () => {},
    act: (element, blockId, extra) => api("/sandbox/api/action", {
      action_id: element.action_id, block_id: blockId, channel: entry.channel, ts: entry.ts, ...extra,
    }).catch((e) => showToast(e.message)),
    suggest: (element, blockId, value) => api("/sandbox/api/suggest", {
      action_id: element.action_id, block_id: blockId, channel: entry.channel, ts: entry.ts, value,
    }).then((a) => a.options).catch(() => []),
    upload: (file) => upload("/sandbox/api/file", file, {}).then((a) => a.file),
    fileUrl: (id) => `/sandbox/files/${id}/file?user=${encodeURIComponent(state.user)}`,
    confirm: askToConfirm,
  };
}

function viewEnv(view) {
  const values = (state.modalValues[view.id] ||= structuredClone(view.state_values || {}));
  return {
    names,
    errors: view.errors || {},
    value: (blockId, actionId) => values[blockId]?.[actionId],
    remember: (blockId, actionId, entry) => { (values[blockId] ||= {})[actionId] = entry; },
    act: (element, blockId, extra) => api("/sandbox/api/action", {
      action_id: element.action_id, block_id: blockId, view_id: view.id, values: inputValues(view), ...extra,
    }).catch((e) => showToast(e.message)),
    suggest: (element, blockId, value) => api("/sandbox/api/suggest", {
      action_id: element.action_id, block_id: blockId, view_id: view.id, value,
    }).then((a) => a.options).catch(() => []),
    upload: (file) => upload("/sandbox/api/file", file, {}).then((a) => a.file),
    fileUrl: (id) => `/sandbox/files/${id}/file?user=${encodeURIComponent(state.user)}`,
    confirm: askToConfirm,
  };
}

// Slack's state.values of a view: every input block's current entry.
function inputValues(view) {
  const values = state.modalValues[view.id] || {};
  const out = {};
  for (const block of view.blocks) {
    if (block.type !== "input" || !block.element?.action_id) continue;
    const entry = values[block.block_id]?.[block.element.action_id];
    if (entry) (out[block.block_id] ||= {})[block.element.action_id] = entry;
  }
  return out;
}

// ------------------------------------------------------------------ modals

function renderModal(page) {
  const root = document.getElementById("modal-root");
  const stack = page.modal?.stack || [];
  const view = stack[stack.length - 1];
  const key = view ? `${view.id}:${view.hash}:${JSON.stringify(view.errors)}` : null;
  if (state.shown.modal === key) return;
  state.shown.modal = key;
  if (!view) {
    root.replaceChildren();
    return;
  }
  const close = (target) => api("/sandbox/api/close", { view_id: target.id }).catch((e) => showToast(e.message));
  const title = view.title?.text || "";
  const submit = view.submit
    ? el("button", { type: "submit", class: "btn primary" }, view.submit.text)
    : null;
  const form = el("form", { class: "modal", role: "dialog", "aria-modal": "true", "aria-label": title,
                            "data-view-id": view.id, "data-view-hash": view.hash,
                            "data-callback-id": view.callback_id },
    el("header", { class: "modal-header" },
      stack.length > 1 ? el("button", { type: "button", class: "modal-back", "aria-label": t("back"),
                                        onclick: () => close(view) }, "←") : null,
      el("h2", {}, title),
      el("button", { type: "button", class: "modal-x", "aria-label": t("close"), onclick: () => close(stack[0]) }, "×")),
    el("div", { class: "modal-body" }, renderBlocks(view.blocks, viewEnv(view))),
    el("footer", { class: "modal-footer" },
      el("button", { type: "button", class: "btn", onclick: () => close(view) }, view.close?.text || t("cancel")),
      submit));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!submit) return;
    submit.disabled = true;
    submit.textContent = "…";
    try {
      const answer = await api("/sandbox/api/submit", { view_id: view.id, values: inputValues(view) });
      if (answer.problems?.length) showToast(t("slack_would_show", { problems: answer.problems.join("; ") }));
    } catch (error) {
      showToast(error.message);
    } finally {
      submit.disabled = false;
      submit.textContent = view.submit.text;
      state.shown.modal = "stale"; // errors or not, show what the app answered
      refresh();
    }
  });
  root.replaceChildren(el("div", { class: "modal-backdrop" }, form));
}

function askToConfirm(confirm) {
  return new Promise((resolve) => {
    const root = document.getElementById("confirm-root");
    const done = (answer) => { root.replaceChildren(); resolve(answer); };
    root.replaceChildren(el("div", { class: "modal-backdrop confirm" },
      el("div", { class: "modal small", role: "alertdialog", "aria-label": confirm.title?.text || t("are_you_sure") },
        el("header", { class: "modal-header" }, el("h2", {}, confirm.title?.text || t("are_you_sure"))),
        el("div", { class: "modal-body", html: mrkdwn(confirm.text?.text || "", names) }),
        el("footer", { class: "modal-footer" },
          el("button", { type: "button", class: "btn", onclick: () => done(false) }, confirm.deny?.text || t("cancel")),
          el("button", { type: "button", class: `btn ${confirm.style === "danger" ? "danger" : "primary"}`,
                         onclick: () => done(true) }, confirm.confirm?.text || t("yes"))))));
  });
}

// ------------------------------------------------------------------ composer and uploads

async function sendFromComposer(box, threadTs) {
  const text = box.value.trim();
  if (!text) return;
  const error = box.closest("form").querySelector(".composer-error");
  error.textContent = "";
  try {
    if (text.startsWith("/") && !threadTs) {
      await api("/sandbox/api/command", { channel: state.channel, text });
    } else {
      await api("/sandbox/api/message", { channel: state.channel, text, thread_ts: threadTs });
    }
    box.value = "";
  } catch (failure) {
    error.textContent = failure.message;
  }
}

async function shareFiles(files) {
  for (const file of files) {
    try {
      showToast(t("uploading_file", { name: file.name }));
      await upload("/sandbox/api/share", file, { channel: state.channel });
      hideToast();
    } catch (error) {
      showToast(`${file.name}: ${error.message}`);
    }
  }
}

let toastTimer;
function hideToast() {
  document.getElementById("toast").hidden = true;
}

function showToast(text) {
  const toast = document.getElementById("toast");
  toast.textContent = text;
  toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { toast.hidden = true; }, 5000);
}

function wire() {
  document.getElementById("user-switch").addEventListener("change", (event) => {
    state.user = event.target.value;
    localStorage.setItem("sandbox.user", state.user);
    state.shown = { modal: "stale", home: "stale" };
    const visible = state.page?.channels.some((c) => c.id === state.channel && c.kind === "channel");
    navigate({ channel: visible ? state.channel : DEFAULT_CHANNEL, thread: state.thread });
  });
  // The person's Slack language: the page's words, and what smsbot says to them.
  document.getElementById("language-switch").addEventListener("change", async (event) => {
    try {
      await api("/sandbox/api/language", { language: event.target.value, channel: state.channel });
    } catch (error) {
      showToast(error.message);
    }
    state.shown = { modal: "stale", home: "stale" };
    navigate({}); // the Home tab, if open, is asked for again
  });
  for (const [formId, boxId, thread] of [["composer", "message-box", false], ["thread-composer", "thread-box", true]]) {
    const form = document.getElementById(formId);
    const box = document.getElementById(boxId);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      sendFromComposer(box, thread ? state.thread : null);
    });
    box.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        sendFromComposer(box, thread ? state.thread : null);
      }
    });
  }
  const fileInput = document.getElementById("file-input");
  document.getElementById("attach").addEventListener("click", () => fileInput.click());
  fileInput.addEventListener("change", async () => {
    await shareFiles(Array.from(fileInput.files));
    fileInput.value = "";
  });
  const main = document.getElementById("main");
  main.addEventListener("dragover", (event) => { event.preventDefault(); main.classList.add("dropping"); });
  main.addEventListener("dragleave", () => main.classList.remove("dropping"));
  main.addEventListener("drop", (event) => {
    event.preventDefault();
    main.classList.remove("dropping");
    shareFiles(Array.from(event.dataTransfer.files));
  });
  document.getElementById("close-thread").addEventListener("click", () => navigate({ thread: null }));
  for (const button of document.querySelectorAll("#app-tabs button")) {
    button.addEventListener("click", () => navigate({ tab: button.dataset.tab, thread: null }));
  }
  document.getElementById("guide-toggle").addEventListener("click", () => {
    const guide = document.getElementById("guide");
    guide.hidden = !guide.hidden;
    localStorage.setItem("sandbox.guide", guide.hidden ? "hidden" : "shown");
  });
  if (localStorage.getItem("sandbox.guide") === "hidden") document.getElementById("guide").hidden = true;
  // Links inside messages: a permalink to this workspace opens in the page, as in Slack.
  document.addEventListener("click", (event) => {
    const link = event.target.closest?.("a[data-permalink]");
    if (link && openPermalink(link.dataset.permalink)) event.preventDefault();
    const sample = event.target.closest?.("[data-guide-channel]");
    if (sample) navigate({ channel: sample.dataset.guideChannel, thread: null, tab: "messages" });
    if (!event.target.closest?.(".overflow")) {
      for (const menu of document.querySelectorAll(".overflow-menu")) menu.hidden = true;
    }
  });
}

wire();
navigate({});
listen();
