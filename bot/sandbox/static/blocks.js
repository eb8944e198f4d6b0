// Block Kit to DOM: the blocks of messages, modals and the Home tab, with their interactive
// elements wired to `env` (see app.js), which turns a click or a choice into a request to the
// sandbox, and so into the signed block_actions Slack would send the app.

import { mrkdwn, textObject } from "./mrkdwn.js";
import { t } from "./texts.js";

let nextId = 0;
const uid = (prefix) => `${prefix}-${++nextId}`;

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "html") node.innerHTML = value;
    else if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null) node.append(child);
  }
  return node;
}

function textHtml(object, env) {
  return textObject(object, env.names);
}

function optionLabel(option) {
  return option?.text?.text ?? option?.value ?? "";
}

// Options of a select: flat, whether given as options or option_groups.
function allOptions(element) {
  if (element.option_groups) return element.option_groups.flatMap((group) => group.options || []);
  return element.options || [];
}

function plainOption(option) {
  return { text: option.text, value: option.value };
}

export function renderBlocks(blocks, env) {
  const fragment = document.createDocumentFragment();
  for (const block of blocks || []) fragment.append(renderBlock(block, env));
  return fragment;
}

function renderBlock(block, env) {
  const render = BLOCKS[block.type] || unknownBlock;
  const node = render(block, env);
  node.classList.add("block", `block-${block.type}`);
  if (block.block_id) node.dataset.blockId = block.block_id;
  return node;
}

function unknownBlock(block) {
  return el("div", { class: "block-unsupported" }, t("unsupported", { type: block.type }));
}

const BLOCKS = {
  header: (block, env) => el("div", { role: "heading", "aria-level": "3", html: textHtml(block.text, env) }),
  divider: () => el("hr"),
  section(block, env) {
    const body = el("div", { class: "section-body" });
    if (block.text) body.append(el("div", { class: "section-text", html: textHtml(block.text, env) }));
    if (block.fields?.length) {
      body.append(el("div", { class: "section-fields" },
        block.fields.map((field) => el("div", { class: "section-field", html: textHtml(field, env) }))));
    }
    const node = el("div", {}, body);
    if (block.accessory) {
      node.append(el("div", { class: "accessory" }, renderElement(block.accessory, block, env, { accessory: true })));
    }
    return node;
  },
  context: (block, env) => el("div", {}, (block.elements || []).map((element) =>
    element.type === "image"
      ? el("img", { class: "context-image", src: imageUrl(element, env), alt: element.alt_text || "" })
      : el("span", { class: "context-text", html: textHtml(element, env) }))),
  image(block, env) {
    const image = el("img", { src: imageUrl(block, env), alt: block.alt_text || "", loading: "lazy" });
    image.addEventListener("error", () => image.replaceWith(
      el("div", { class: "image-missing" }, `🖼 ${t("image_unreachable", { image: block.alt_text || t("image") })}`)));
    return el("figure", {}, block.title ? el("figcaption", { html: textHtml(block.title, env) }) : null, image);
  },
  actions: (block, env) => el("div", {}, (block.elements || []).map((element) => renderElement(element, block, env))),
  input: renderInput,
  rich_text: (block, env) => el("div", {}, (block.elements || []).map((element) => richElement(element, env))),
  file: (block) => el("div", { class: "file-card" }, `📄 ${block.external_id || t("remote_file")}`),
  video: (block, env) => el("div", { class: "video-card" },
    el("a", { href: block.title_url || block.video_url, target: "_blank", rel: "noopener", html: textHtml(block.title, env) })),
  markdown: (block, env) => el("div", { html: mrkdwn(block.text, env.names) }),
};

function imageUrl(image, env) {
  if (image.slack_file?.id) return env.fileUrl(image.slack_file.id);
  return image.image_url || image.slack_file?.url || "";
}

// ------------------------------------------------------------------ rich text

function richElement(element, env) {
  switch (element.type) {
    case "rich_text_section":
      return el("p", {}, (element.elements || []).map((part) => richInline(part, env)));
    case "rich_text_preformatted":
      return el("pre", {}, (element.elements || []).map((part) => richInline(part, env)));
    case "rich_text_quote":
      return el("blockquote", {}, (element.elements || []).map((part) => richInline(part, env)));
    case "rich_text_list": {
      const list = el(element.style === "ordered" ? "ol" : "ul", { class: `indent-${element.indent || 0}` });
      for (const item of element.elements || []) list.append(el("li", {}, Array.from(richElement(item, env).childNodes)));
      return list;
    }
    default:
      return el("span", { class: "block-unsupported" }, `[${element.type}]`);
  }
}

function richInline(part, env) {
  let node;
  switch (part.type) {
    case "text": node = document.createTextNode(part.text); break;
    case "link": node = el("a", { href: part.url, target: "_blank", rel: "noopener" }, part.text || part.url); break;
    case "emoji": node = el("span", { html: mrkdwn(`:${part.name}:`, env.names) }); break;
    case "user": node = el("span", { class: "mention" }, `@${env.names.user(part.user_id)}`); break;
    case "usergroup": node = el("span", { class: "mention" }, `@${env.names.group(part.usergroup_id)}`); break;
    case "channel": node = el("span", { class: "mention" }, `#${env.names.channel(part.channel_id)}`); break;
    case "broadcast": node = el("span", { class: "mention" }, `@${part.range}`); break;
    case "date": node = el("span", { html: mrkdwn(`<!date^${part.timestamp}^${part.format}|>`, env.names) }); break;
    default: node = el("span", {}, part.text || "");
  }
  const style = part.style || {};
  for (const [flag, tag] of [["code", "code"], ["bold", "b"], ["italic", "i"], ["strike", "s"]]) {
    if (style[flag]) node = el(tag, {}, node);
  }
  return node;
}

// ------------------------------------------------------------------ interactive elements

function renderElement(element, block, env, { accessory = false } = {}) {
  const blockId = block.block_id;
  const render = ELEMENTS[element.type];
  if (!render) return el("span", { class: "block-unsupported" }, `[${element.type}]`);
  const node = render(element, blockId, env, { accessory, inInput: false });
  node.dataset.actionId = element.action_id || "";
  return node;
}

// What pressing or choosing sends: outside inputs every element sends block_actions at once.
function act(env, element, blockId, extra) {
  return env.act(element, blockId, extra);
}

const ELEMENTS = {
  button(element, blockId, env) {
    const button = el("button", {
      type: "button", class: `btn ${element.style || ""}`.trim(), html: textHtml(element.text, env),
      "data-value": element.value,
    });
    button.addEventListener("click", async () => {
      if (element.confirm && !(await env.confirm(element.confirm))) return;
      if (element.url) window.open(element.url, "_blank", "noopener");
      button.disabled = true;
      try {
        await act(env, element, blockId, {});
      } finally {
        button.disabled = false;
      }
    });
    return button;
  },
  image: (element, blockId, env) => el("img", { class: "accessory-image", src: imageUrl(element, env), alt: element.alt_text || "" }),
  overflow(element, blockId, env) {
    const wrapper = el("div", { class: "overflow" });
    const menu = el("div", { class: "overflow-menu", role: "menu", hidden: true });
    const toggle = el("button", { type: "button", class: "btn overflow-toggle", "aria-label": t("more_actions"),
                                  "aria-haspopup": "menu" }, "⋯");
    toggle.addEventListener("click", () => { menu.hidden = !menu.hidden; });
    for (const option of element.options || []) {
      menu.append(el("button", {
        type: "button", role: "menuitem", class: "overflow-item", html: textHtml(option.text, env),
        onclick: async () => {
          menu.hidden = true;
          if (element.confirm && !(await env.confirm(element.confirm))) return;
          if (option.url) window.open(option.url, "_blank", "noopener");
          await act(env, element, blockId, { selected_option: plainOption(option) });
        },
      }));
    }
    wrapper.append(toggle, menu);
    return wrapper;
  },
  static_select: selectElement,
  external_select: selectElement,
  users_select: selectElement,
  conversations_select: selectElement,
  channels_select: selectElement,
  multi_static_select: selectElement,
  multi_external_select: selectElement,
  multi_users_select: selectElement,
  multi_conversations_select: selectElement,
  multi_channels_select: selectElement,
  datepicker: (element, blockId, env, where) => pickerElement(element, blockId, env, where, "date", "selected_date",
    element.initial_date),
  timepicker: (element, blockId, env, where) => pickerElement(element, blockId, env, where, "time", "selected_time",
    element.initial_time),
  datetimepicker: (element, blockId, env, where) => pickerElement(element, blockId, env, where, "datetime-local",
    "selected_date_time", element.initial_date_time
      ? new Date(element.initial_date_time * 1000).toISOString().slice(0, 16) : undefined),
  plain_text_input: textElement,
  email_text_input: textElement,
  url_text_input: textElement,
  number_input: textElement,
  rich_text_input: textElement,
  checkboxes: choiceElement,
  radio_buttons: choiceElement,
  file_input: fileElement,
};

// The options a select offers: its own, the workspace's people or channels.
function selectOptions(element, env) {
  if (/users_select$/.test(element.type)) {
    return env.names.people().map((person) => ({ text: { type: "plain_text", text: person.real_name }, value: person.id }));
  }
  if (/(conversations|channels)_select$/.test(element.type)) {
    return env.names.channelList().map((c) => ({ text: { type: "plain_text", text: `#${c.name}` }, value: c.id }));
  }
  return allOptions(element);
}

function selectedOf(element) {
  const key = { users_select: "initial_user", conversations_select: "initial_conversation",
                channels_select: "initial_channel" }[element.type];
  if (key && element[key]) return [element[key]];
  if (element.initial_option) return [element.initial_option.value];
  if (element.initial_options) return element.initial_options.map((o) => o.value);
  const many = { multi_users_select: "initial_users", multi_conversations_select: "initial_conversations",
                 multi_channels_select: "initial_channels" }[element.type];
  return (many && element[many]) || [];
}

// Slack's state entry for a select, from the chosen values.
function selectEntry(element, options, values) {
  const chosen = values.map((value) => options.find((o) => o.value === value)).filter(Boolean).map(plainOption);
  const type = element.type;
  if (type === "users_select") return { type, selected_user: values[0] ?? null };
  if (type === "conversations_select") return { type, selected_conversation: values[0] ?? null };
  if (type === "channels_select") return { type, selected_channel: values[0] ?? null };
  if (type === "multi_users_select") return { type, selected_users: values };
  if (type === "multi_conversations_select") return { type, selected_conversations: values };
  if (type === "multi_channels_select") return { type, selected_channels: values };
  if (type.startsWith("multi_")) return { type, selected_options: chosen };
  return { type, selected_option: chosen[0] ?? null };
}

function entryValues(entry) {
  if (!entry) return undefined;
  for (const key of ["selected_user", "selected_conversation", "selected_channel"]) {
    if (key in entry) return entry[key] ? [entry[key]] : [];
  }
  for (const key of ["selected_users", "selected_conversations", "selected_channels"]) {
    if (key in entry) return entry[key] || [];
  }
  if ("selected_options" in entry) return (entry.selected_options || []).map((o) => o.value);
  if ("selected_option" in entry) return entry.selected_option ? [entry.selected_option.value] : [];
  return undefined;
}

function selectElement(element, blockId, env, where) {
  const multiple = element.type.startsWith("multi_");
  const external = /external_select$/.test(element.type);
  const id = uid("select");
  const select = el("select", { id, class: "select", multiple, "data-action-id": element.action_id });
  let options = external ? [element.initial_option, ...(element.initial_options || [])].filter(Boolean)
                         : selectOptions(element, env);
  const fill = (chosen) => {
    select.replaceChildren();
    if (!multiple) {
      select.append(el("option", { value: "", disabled: true, selected: chosen.length === 0 },
                       element.placeholder?.text || t("select_an_item")));
    }
    const add = (parent, option) => parent.append(el("option", {
      value: option.value, selected: chosen.includes(option.value) }, optionLabel(option)));
    if (element.option_groups && !external) {
      for (const group of element.option_groups) {
        const optgroup = el("optgroup", { label: group.label?.text || "" });
        for (const option of group.options || []) add(optgroup, option);
        select.append(optgroup);
      }
    } else {
      for (const option of options) add(select, option);
    }
  };
  // The person's own choice stays while it is still on offer (Slack keeps an input's state).
  const typed = where.inInput ? entryValues(env.value(blockId, element.action_id)) : undefined;
  const known = (values) => values.filter((v) => options.some((o) => o.value === v));
  let chosen = typed && (external || known(typed).length === typed.length) ? typed : selectedOf(element);
  fill(chosen);
  if (where.inInput) env.remember(blockId, element.action_id, selectEntry(element, options, chosen));
  if (external) {
    let loaded = false;
    select.addEventListener("focus", async () => {
      if (loaded) return;
      loaded = true;
      options = await env.suggest(element, blockId, "");
      fill(Array.from(select.selectedOptions).map((o) => o.value).filter(Boolean));
    });
  }
  select.addEventListener("change", () => {
    const values = Array.from(select.selectedOptions).map((o) => o.value).filter(Boolean);
    const entry = selectEntry(element, options, values);
    if (where.inInput) env.remember(blockId, element.action_id, entry);
    if (!where.inInput || where.dispatch) {
      const extra = entry.selected_option ? { selected_option: entry.selected_option } : { value: values.join(",") };
      act(env, element, blockId, extra);
    }
  });
  return select;
}

function pickerElement(element, blockId, env, where, inputType, key, initial) {
  const input = el("input", { type: inputType, id: uid("picker"), class: "picker", "data-action-id": element.action_id });
  const typed = where.inInput ? env.value(blockId, element.action_id) : undefined;
  input.value = (typed && typed[key]) || initial || "";
  const entry = () => {
    let value = input.value || null;
    if (value && key === "selected_date_time") value = Math.floor(new Date(value).getTime() / 1000);
    return { type: element.type, [key]: value };
  };
  if (where.inInput) env.remember(blockId, element.action_id, entry());
  input.addEventListener("change", () => {
    if (where.inInput) env.remember(blockId, element.action_id, entry());
    if (!where.inInput || where.dispatch) act(env, element, blockId, { value: input.value });
  });
  return input;
}

function textElement(element, blockId, env, where) {
  const multiline = element.multiline || element.type === "rich_text_input";
  const types = { email_text_input: "email", url_text_input: "url", number_input: "number" };
  const input = el(multiline ? "textarea" : "input", {
    id: uid("text"), class: "text-input", type: multiline ? undefined : types[element.type] || "text",
    placeholder: element.placeholder?.text, maxlength: element.max_length, minlength: element.min_length,
    "data-action-id": element.action_id, rows: multiline ? 4 : undefined,
  });
  const typed = where.inInput ? env.value(blockId, element.action_id) : undefined;
  const valueKey = element.type === "rich_text_input" ? "rich_text_value" : "value";
  const initial = element.type === "rich_text_input" ? "" : element.initial_value;
  input.value = typed?.[valueKey] ?? initial ?? "";
  const entry = () => ({ type: element.type, value: input.value === "" ? null : input.value });
  if (where.inInput) env.remember(blockId, element.action_id, entry());
  input.addEventListener("input", () => env.remember(blockId, element.action_id, entry()));
  if (where.dispatch) {
    const triggers = element.dispatch_action_config?.trigger_actions_on || ["on_enter_pressed"];
    if (triggers.includes("on_character_entered")) {
      let timer;
      input.addEventListener("input", () => {
        clearTimeout(timer);
        timer = setTimeout(() => act(env, element, blockId, { value: input.value }), 400);
      });
    }
    if (triggers.includes("on_enter_pressed")) {
      input.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && !event.shiftKey) {
          event.preventDefault();
          act(env, element, blockId, { value: input.value });
        }
      });
    }
  }
  return input;
}

function choiceElement(element, blockId, env, where) {
  const box = el("div", { class: "choices", role: element.type === "radio_buttons" ? "radiogroup" : "group" });
  const name = uid("choice");
  const typed = where.inInput ? entryValues(env.value(blockId, element.action_id)) : undefined;
  const chosen = typed ?? selectedOf(element);
  const kind = element.type === "radio_buttons" ? "radio" : "checkbox";
  const entry = () => {
    const picked = (element.options || []).filter((o, i) => box.querySelectorAll("input")[i].checked).map(plainOption);
    return kind === "radio" ? { type: element.type, selected_option: picked[0] ?? null }
                            : { type: element.type, selected_options: picked };
  };
  for (const option of element.options || []) {
    const id = uid("opt");
    const input = el("input", { type: kind, id, name, value: option.value, checked: chosen.includes(option.value) });
    input.addEventListener("change", () => {
      const current = entry();
      if (where.inInput) env.remember(blockId, element.action_id, current);
      if (!where.inInput || where.dispatch) {
        act(env, element, blockId, current.selected_option ? { selected_option: current.selected_option } : {});
      }
    });
    box.append(el("div", { class: "choice" }, input, el("label", { for: id, html: textHtml(option.text, env) })));
  }
  if (where.inInput) env.remember(blockId, element.action_id, entry());
  return box;
}

function fileElement(element, blockId, env) {
  const accept = (element.filetypes || []).map((type) => `.${type}`).join(",");
  const input = el("input", { type: "file", id: uid("file"), class: "file-picker", accept: accept || undefined,
                              multiple: (element.max_files || 10) > 1, "data-action-id": element.action_id });
  const list = el("div", { class: "file-chosen" });
  const typed = env.value(blockId, element.action_id);
  const show = (files) => list.replaceChildren(...files.map((f) => el("div", { class: "file-chip" }, `📄 ${f.name}`)));
  show(typed?.files || []);
  env.remember(blockId, element.action_id, { type: "file_input", files: typed?.files || [] });
  input.addEventListener("change", async () => {
    list.replaceChildren(el("div", { class: "file-chip uploading" }, t("uploading")));
    const files = [];
    for (const file of Array.from(input.files).slice(0, element.max_files || 10)) files.push(await env.upload(file));
    env.remember(blockId, element.action_id, { type: "file_input", files });
    show(files);
  });
  return el("div", { class: "file-input" }, input, list);
}

function renderInput(block, env) {
  const element = block.element || {};
  const render = ELEMENTS[element.type];
  const where = { inInput: true, dispatch: Boolean(block.dispatch_action) };
  const control = render ? render(element, block.block_id, env, where)
                         : el("span", { class: "block-unsupported" }, `[${element.type}]`);
  const controlId = control.id || control.querySelector?.("input,select,textarea")?.id;
  const label = el("label", { class: "input-label", for: controlId },
    el("span", { html: textHtml(block.label, env) }),
    block.optional ? el("span", { class: "optional" }, ` ${t("optional")}`) : null);
  const node = el("div", {}, label, control);
  if (block.hint) node.append(el("div", { class: "input-hint", html: textHtml(block.hint, env) }));
  const error = env.errors?.[block.block_id];
  if (error) {
    node.classList.add("has-error");
    node.append(el("div", { class: "input-error", role: "alert" }, `⚠ ${error}`));
  }
  return node;
}

export { el };
