// The page's own words, in the language of the person it acts as. The sandbox serves them
// (GET /sandbox/api/texts?language=) from smsbot's message catalogs: this page keeps none.

let words = {};
let language = null;

export async function loadTexts(wanted) {
  if (wanted === language) return false;
  const response = await fetch(`/sandbox/api/texts?language=${encodeURIComponent(wanted)}`);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  words = await response.json();
  language = wanted;
  return true;
}

// One of the words, its {placeholders} filled with `params`.
export function t(key, params = {}) {
  const text = words[key] ?? "";
  return typeof text === "string"
    ? text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole))
    : text;
}

export function textsLanguage() {
  return language;
}

// Slack's locale for the language ("en-US", "zh-CN"): dates and times are written in it.
export function locale() {
  return words.locale || "en-US";
}
