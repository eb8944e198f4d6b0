// Slack's text formatting (mrkdwn) to HTML: *bold*, _italic_, ~strike~, `code`, ```pre```,
// > quotes, :emoji:, and the <…> entities: links, @user, #channel, @group, !here, !date.

import { locale, t } from "./texts.js";

const EMOJI = {
  x: "❌", white_check_mark: "✅", heavy_check_mark: "✔️", warning: "⚠️", tada: "🎉",
  hourglass_flowing_sand: "⏳", hourglass: "⌛", wastebasket: "🗑️", rocket: "🚀", bar_chart: "📊",
  inbox_tray: "📥", outbox_tray: "📤", page_facing_up: "📄", memo: "📝", mag: "🔍", bell: "🔔",
  no_entry: "⛔", no_entry_sign: "🚫", stopwatch: "⏱️", clock3: "🕒", calendar: "📅", pause_button: "⏸️",
  arrow_forward: "▶️", black_square_for_stop: "⏹️", email: "📧", iphone: "📱", speech_balloon: "💬",
  information_source: "ℹ️", bulb: "💡", lock: "🔒", key: "🔑", link: "🔗", paperclip: "📎",
  large_green_circle: "🟢", large_yellow_circle: "🟡", red_circle: "🔴", white_circle: "⚪",
  thumbsup: "👍", "+1": "👍", eyes: "👀", wave: "👋", repeat: "🔁", envelope: "✉️", sparkles: "✨",
};

export function escapeHtml(text) {
  return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

// Slack escapes only these three in message text.
function decodeSlack(text) {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

function emojify(html) {
  return html.replace(/:([a-z0-9_+\-]+):/g, (whole, name) => EMOJI[name] ?? whole);
}

function ordinal(n) {
  const suffixes = ["th", "st", "nd", "rd"];
  const tens = n % 100;
  return n + (suffixes[(tens - 20) % 10] || suffixes[tens] || suffixes[0]);
}

// <!date^1700000000^{date_short_pretty} at {time}|fallback>, in the reader's own time zone
// and Slack language.
function formatSlackDate(seconds, format) {
  const when = new Date(Number(seconds) * 1000);
  const dayDiff = (() => {
    const start = (d) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
    return Math.round((start(when) - start(new Date())) / 86400000);
  })();
  const relative = { 0: t("today"), [-1]: t("yesterday"), 1: t("tomorrow") }[dayDiff] || undefined;
  const dates = locale().startsWith("en") ? englishDates(when) : localDates(when, locale());
  dates.date_pretty = relative ?? dates.date;
  dates.date_short_pretty = relative ?? dates.date_short;
  dates.date_long_pretty = relative ?? dates.date_long;
  return format.replace(/\{(\w+)\}/g, (whole, token) => dates[token] ?? whole);
}

function dateNumber(when) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${when.getFullYear()}-${pad(when.getMonth() + 1)}-${pad(when.getDate())}`;
}

// As Slack writes them in English: "December 4th, 2026".
function englishDates(when) {
  const month = (style) => when.toLocaleString("en-US", { month: style });
  const weekday = when.toLocaleString("en-US", { weekday: "long" });
  return {
    date_num: dateNumber(when),
    date: `${month("long")} ${ordinal(when.getDate())}, ${when.getFullYear()}`,
    date_short: `${month("short")} ${when.getDate()}, ${when.getFullYear()}`,
    date_long: `${weekday}, ${month("long")} ${ordinal(when.getDate())}, ${when.getFullYear()}`,
    time: when.toLocaleTimeString("en-US", { hour: "numeric", minute: "2-digit" }),
    time_secs: when.toLocaleTimeString("en-US", { hour: "numeric", minute: "2-digit", second: "2-digit" }),
  };
}

// In another language, as its locale writes them: "2026年12月4日星期五".
function localDates(when, tag) {
  const day = { year: "numeric", month: "long", day: "numeric" };
  return {
    date_num: dateNumber(when),
    date: when.toLocaleDateString(tag, day),
    date_short: when.toLocaleDateString(tag, { ...day, month: "short" }),
    date_long: when.toLocaleDateString(tag, { ...day, weekday: "long" }),
    time: when.toLocaleTimeString(tag, { hour: "numeric", minute: "2-digit" }),
    time_secs: when.toLocaleTimeString(tag, { hour: "numeric", minute: "2-digit", second: "2-digit" }),
  };
}

// One <…> entity as HTML; `names` resolves ids to names.
function entity(inner, names) {
  const [target, label] = splitOnce(inner, "|");
  if (target.startsWith("@")) {
    const id = target.slice(1);
    return `<span class="mention" data-user-id="${escapeHtml(id)}">@${escapeHtml(label || names.user(id))}</span>`;
  }
  if (target.startsWith("#")) {
    const id = target.slice(1);
    return `<span class="mention channel-mention" data-channel-id="${escapeHtml(id)}">#${escapeHtml(label || names.channel(id))}</span>`;
  }
  if (target.startsWith("!date^")) {
    const [, seconds, format] = target.split("^");
    return `<time title="${escapeHtml(label || "")}">${escapeHtml(formatSlackDate(seconds, format || "{date}"))}</time>`;
  }
  if (target.startsWith("!subteam^")) {
    return `<span class="mention">@${escapeHtml(label || names.group(target.slice(9)))}</span>`;
  }
  if (target.startsWith("!")) {
    return `<span class="mention">@${escapeHtml(label || target.slice(1))}</span>`;
  }
  const href = decodeSlack(target);
  const safe = /^(https?:|mailto:|tel:|\/)/i.test(href) ? href : "#";
  const permalink = names.isPermalink(href) ? ` data-permalink="${escapeHtml(href)}"` : "";
  return `<a href="${escapeHtml(safe)}" target="_blank" rel="noopener"${permalink}>${escapeHtml(decodeSlack(label || target))}</a>`;
}

function splitOnce(text, separator) {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ""] : [text.slice(0, at), text.slice(at + 1)];
}

// Formats one line of text (no code fences): entities and inline code are set aside first,
// so that formatting marks inside them stay as written.
function inline(text, names) {
  const held = [];
  const hold = (html) => `\u0000${held.push(html) - 1}\u0000`;
  let work = text.replace(/`([^`\n]+)`/g, (_, code) => hold(`<code>${escapeHtml(decodeSlack(code))}</code>`));
  work = work.replace(/<([^<>\n]+)>/g, (_, inner) => hold(entity(inner, names)));
  let html = escapeHtml(decodeSlack(work));
  html = html
    .replace(/(^|[^\w*])\*(?=\S)([^*\n]*?\S)\*(?=[^\w*]|$)/g, "$1<b>$2</b>")
    .replace(/(^|[^\w_])_(?=\S)([^_\n]*?\S)_(?=[^\w_]|$)/g, "$1<i>$2</i>")
    .replace(/(^|[^\w~])~(?=\S)([^~\n]*?\S)~(?=[^\w~]|$)/g, "$1<s>$2</s>");
  html = emojify(html);
  return html.replace(/\u0000(\d+)\u0000/g, (_, n) => held[Number(n)]);
}

export function mrkdwn(text, names) {
  const parts = String(text ?? "").split("```");
  return parts.map((part, index) => {
    if (index % 2 === 1) {
      return `<pre>${escapeHtml(decodeSlack(part.replace(/^\n/, "")))}</pre>`;
    }
    const lines = part.split("\n");
    const out = [];
    let quote = [];
    const flush = () => {
      if (quote.length) out.push(`<blockquote>${quote.join("<br>")}</blockquote>`);
      quote = [];
    };
    for (const line of lines) {
      if (line.startsWith(">") || line.startsWith("&gt;")) {
        quote.push(inline(line.replace(/^(>|&gt;) ?/, ""), names));
      } else {
        flush();
        out.push(inline(line, names));
      }
    }
    flush();
    return out.join("<br>").replace(/<br>(<blockquote>)/g, "$1").replace(/(<\/blockquote>)<br>/g, "$1");
  }).join("");
}

function plainText(text) {
  return escapeHtml(text ?? "").replace(/\n/g, "<br>");
}

// A text object (plain_text or mrkdwn) as HTML.
export function textObject(object, names) {
  if (!object) return "";
  if (object.type === "mrkdwn") return mrkdwn(object.text, names);
  const html = plainText(object.text);
  return object.emoji === false ? html : emojify(html);
}
