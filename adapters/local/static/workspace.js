// The local workspace page: plays Slack for `xpost local`.
// It polls /api/state and renders channels, Block Kit messages, modals and the X
// timeline; what a person does goes to /api/* and from there, signed, to the bot's
// /slack/events, exactly as Slack would send it. No build step, no framework.
"use strict";

const POLL_MS = 700;
const page = {
  me: localStorage.getItem("xpost-local-user") || "U_STAFF",
  channel: localStorage.getItem("xpost-local-channel") || "",
  lastState: "",
  state: null,
  modalKey: "",
  // The bot's last field errors per open modal: Slack keeps them shown until the next
  // submission; the state the page polls does not carry them.
  modalErrors: {},
  seen: {},
};

const $ = (selector) => document.querySelector(selector);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "html") node.innerHTML = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// -- Slack mrkdwn, enough for what the bot writes -------------------------------

function escapeHtml(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function decodeSlackEntities(text) {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

function userName(id) {
  const user = (page.state?.users || []).find((u) => u.id === id);
  return user ? user.name : id;
}

function inline(raw) {
  // <url|label>, <@U123>, <#C123|name>, <!here> first; everything else is escaped text.
  const parts = [];
  let last = 0;
  for (const match of raw.matchAll(/<([^<>]+)>/g)) {
    parts.push(styleText(escapeHtml(decodeSlackEntities(raw.slice(last, match.index)))));
    const [target, label] = match[1].split("|");
    if (target.startsWith("@")) parts.push(`<span class="mention">@${escapeHtml(userName(target.slice(1)))}</span>`);
    else if (target.startsWith("#")) parts.push(`<span class="mention">#${escapeHtml(label || target.slice(1))}</span>`);
    else if (target.startsWith("!")) parts.push(`<span class="mention">@${escapeHtml(target.slice(1))}</span>`);
    else parts.push(`<a href="${escapeHtml(decodeSlackEntities(target))}" target="_blank" rel="noopener">${escapeHtml(decodeSlackEntities(label || target))}</a>`);
    last = match.index + match[0].length;
  }
  parts.push(styleText(escapeHtml(decodeSlackEntities(raw.slice(last)))));
  return parts.join("");
}

function styleText(html) {
  return html
    .replace(/(^|[\s(（「])(https?:\/\/[^\s<>"（）「」]+)/g, '$1<a href="$2" target="_blank" rel="noopener">$2</a>')
    .replace(/`([^`\n]+)`/g, '<code class="bk-code">$1</code>')
    .replace(/(^|[\s(「（])\*([^*\n]+)\*/g, "$1<strong>$2</strong>")
    .replace(/(^|[\s(「（])_([^_\n]+)_/g, "$1<em>$2</em>")
    .replace(/(^|[\s(「（])~([^~\n]+)~/g, "$1<del>$2</del>");
}

function mrkdwn(raw) {
  const out = [];
  const chunks = String(raw).split("```");
  chunks.forEach((chunk, index) => {
    if (index % 2 === 1) {
      out.push(`<pre class="bk-pre">${escapeHtml(decodeSlackEntities(chunk.replace(/^\n/, "")))}</pre>`);
      return;
    }
    const lines = chunk.split("\n").map((line) => {
      const quoted = line.match(/^(&gt;|>)\s?(.*)$/);
      return quoted ? `<blockquote>${inline(quoted[2])}</blockquote>` : inline(line);
    });
    out.push(lines.join("<br>").replace(/<\/blockquote><br>/g, "</blockquote>"));
  });
  return out.join("");
}

function textObject(obj) {
  if (!obj) return el("span");
  if (typeof obj === "string") return el("span", { class: "text", html: mrkdwn(obj) });
  if (obj.type === "mrkdwn") return el("span", { class: "text", html: mrkdwn(obj.text || "") });
  return el("span", { class: "text", style: "white-space: pre-wrap", text: obj.text || "" });
}

function plain(obj) {
  return obj ? (typeof obj === "string" ? obj : obj.text || "") : "";
}

// -- Block Kit ---------------------------------------------------------------

function renderBlocks(blocks, context) {
  return (blocks || []).map((block) => renderBlock(block, context));
}

function renderBlock(block, context) {
  switch (block.type) {
    case "header":
      return el("div", { class: "bk bk-header", text: plain(block.text) });
    case "section": {
      const main = el("div", { class: "bk-section-main" });
      if (block.text) main.append(textObject(block.text));
      if (block.fields) {
        main.append(el("div", { class: "bk-fields" }, block.fields.map((f) => el("div", {}, textObject(f)))));
      }
      const section = el("div", { class: "bk bk-section", "data-block-id": block.block_id }, main);
      if (block.accessory) section.append(renderElement(block.accessory, block, context));
      return section;
    }
    case "context":
      return el("div", { class: "bk bk-context" }, (block.elements || []).map((item) =>
        item.type === "image" ? el("img", { src: item.image_url, alt: item.alt_text || "" }) : textObject(item)));
    case "divider":
      return el("hr", { class: "bk bk-divider" });
    case "image":
      return el("figure", { class: "bk bk-image" },
        block.title ? el("div", { class: "title", text: plain(block.title) }) : null,
        el("img", { src: block.image_url || block.slack_file?.url || "", alt: block.alt_text || "" }));
    case "actions":
      return el("div", { class: "bk bk-actions", "data-block-id": block.block_id },
        (block.elements || []).map((item) => renderElement(item, block, context)));
    case "input":
      return renderInput(block);
    case "rich_text":
      return el("div", { class: "bk" }, (block.elements || []).map(renderRichText));
    default:
      return el("div", { class: "bk bk-unknown", text: `[${block.type}]` });
  }
}

function renderRichText(part) {
  const inlineText = (elements) => (elements || []).map((item) => {
    if (item.type === "link") return el("a", { href: item.url, target: "_blank", text: item.text || item.url });
    if (item.type === "user") return el("span", { class: "mention", text: "@" + userName(item.user_id) });
    if (item.type === "emoji") return item.unicode ? String.fromCodePoint(...item.unicode.split("-").map((h) => parseInt(h, 16))) : `:${item.name}:`;
    const node = el(item.style?.code ? "code" : "span", { text: item.text || "" });
    if (item.style?.bold) node.style.fontWeight = "bold";
    if (item.style?.italic) node.style.fontStyle = "italic";
    return node;
  });
  const wrap = (cls) => el("div", { class: cls, style: "white-space: pre-wrap" }, inlineText(part.elements));
  if (part.type === "rich_text_quote") return wrap("bk-quote");
  if (part.type === "rich_text_preformatted") return el("pre", { class: "bk-pre" }, inlineText(part.elements));
  if (part.type === "rich_text_list") return el("ul", {}, (part.elements || []).map((item) => el("li", {}, renderRichText(item))));
  return wrap("");
}

function renderElement(element, block, context) {
  const base = { action_id: element.action_id, block_id: block.block_id };
  switch (element.type) {
    case "button": {
      const style = element.style === "primary" || element.style === "danger" ? element.style : "";
      return el("button", {
        type: "button", class: `bk-button ${style}`, "data-action-id": element.action_id,
        "data-style": style || "default", text: plain(element.text),
        onclick: (event) => {
          const button = event.currentTarget;
          button.disabled = true;  // one click, one delivery; the card update replaces it
          if (element.url) window.open(element.url, "_blank", "noopener");
          act(context, { ...base, type: "button", value: element.value || "", text: element.text })
            .finally(() => { button.disabled = false; });
        },
      });
    }
    case "static_select":
    case "overflow": {
      const select = el("select", { "data-action-id": element.action_id },
        el("option", { value: "", text: plain(element.placeholder) || "選択…" }),
        optionsOf(element).map((o) => el("option", { value: o.value, text: plain(o.text) })));
      select.addEventListener("change", () => {
        const option = optionsOf(element).find((o) => o.value === select.value);
        if (option) act(context, { ...base, type: element.type, selected_option: option });
      });
      return select;
    }
    case "image":
      return el("img", { class: "bk-accessory-image", src: element.image_url, alt: element.alt_text || "", width: 72 });
    case "datepicker": {
      const input = el("input", { type: "date", value: element.initial_date || "", "data-action-id": element.action_id });
      input.addEventListener("change", () => act(context, { ...base, type: "datepicker", selected_date: input.value }));
      return input;
    }
    default:
      return el("span", { class: "bk-unknown", text: `[${element.type}]` });
  }
}

function optionsOf(element) {
  if (element.options) return element.options;
  return (element.option_groups || []).flatMap((group) => group.options);
}

// -- modal inputs --------------------------------------------------------------

function renderInput(block) {
  const element = block.element || {};
  const id = `in-${block.block_id}-${element.action_id}`;
  const wrap = el("div", { class: "bk bk-input", "data-block-id": block.block_id, "data-action-id": element.action_id, "data-type": element.type },
    el("label", { class: "bk-label", for: id }, plain(block.label), block.optional ? el("span", { class: "optional", text: "（任意）" }) : null));
  let field;
  switch (element.type) {
    case "plain_text_input":
      field = element.multiline
        ? el("textarea", { id, placeholder: plain(element.placeholder) })
        : el("input", { id, type: "text", placeholder: plain(element.placeholder) });
      field.value = element.initial_value || "";
      if (element.max_length) field.maxLength = element.max_length;
      break;
    case "static_select":
    case "external_select":
      field = el("select", { id },
        el("option", { value: "", text: plain(element.placeholder) || "選択してください" }),
        optionsOf(element).map((o) => el("option", { value: o.value, text: plain(o.text) })));
      field.value = element.initial_option?.value || "";
      break;
    case "multi_static_select":
      field = el("select", { id, multiple: true }, optionsOf(element).map((o) => el("option", {
        value: o.value, text: plain(o.text),
        selected: (element.initial_options || []).some((i) => i.value === o.value) })));
      break;
    case "datepicker":
      field = el("input", { id, type: "date", value: element.initial_date || "" });
      break;
    case "timepicker":
      field = el("input", { id, type: "time", value: element.initial_time || "" });
      break;
    case "datetimepicker": {
      const initial = element.initial_date_time ? new Date(element.initial_date_time * 1000) : null;
      const local = initial ? new Date(initial.getTime() - initial.getTimezoneOffset() * 60000).toISOString().slice(0, 16) : "";
      field = el("input", { id, type: "datetime-local", value: local });
      break;
    }
    case "checkboxes":
    case "radio_buttons": {
      const kind = element.type === "checkboxes" ? "checkbox" : "radio";
      const initial = element.initial_options || (element.initial_option ? [element.initial_option] : []);
      field = el("div", { id }, (element.options || []).map((o) => el("label", { class: "bk-choice" },
        el("input", { type: kind, name: id, value: o.value, checked: initial.some((i) => i.value === o.value) }),
        " ", plain(o.text))));
      break;
    }
    case "file_input":
      field = el("input", { id, type: "file", "data-testid": "file-input", multiple: (element.max_files || 1) > 1,
        accept: (element.filetypes || []).map((t) => "." + t).join(",") || undefined });
      break;
    default:
      field = el("span", { class: "bk-unknown", text: `[${element.type}]` });
  }
  wrap.append(field);
  if (block.hint) wrap.append(el("div", { class: "hint", text: plain(block.hint) }));
  wrap.append(el("div", { class: "error", "data-error-for": block.block_id }));
  return wrap;
}

async function readInputs(container) {
  const values = {};
  for (const wrap of container.querySelectorAll(".bk-input")) {
    const blockId = wrap.dataset.blockId;
    const actionId = wrap.dataset.actionId;
    const type = wrap.dataset.type;
    const field = wrap.querySelector("input, textarea, select");
    let value = { type };
    if (type === "plain_text_input") value.value = field.value === "" ? null : field.value;
    else if (type === "static_select" || type === "external_select") {
      const option = field.value ? optionsOf(blockOf(blockId)).find((o) => o.value === field.value) : null;
      value.selected_option = option || null;
    } else if (type === "multi_static_select") {
      const chosen = [...field.selectedOptions].map((o) => o.value);
      value.selected_options = optionsOf(blockOf(blockId)).filter((o) => chosen.includes(o.value));
    } else if (type === "datepicker") value.selected_date = field.value || null;
    else if (type === "timepicker") value.selected_time = field.value || null;
    else if (type === "datetimepicker") value.selected_date_time = field.value ? Math.floor(new Date(field.value).getTime() / 1000) : null;
    else if (type === "checkboxes") {
      const chosen = [...wrap.querySelectorAll("input:checked")].map((i) => i.value);
      value.selected_options = (blockOf(blockId).options || []).filter((o) => chosen.includes(o.value));
    } else if (type === "radio_buttons") {
      const chosen = wrap.querySelector("input:checked");
      value.selected_option = chosen ? (blockOf(blockId).options || []).find((o) => o.value === chosen.value) : null;
    } else if (type === "file_input") {
      value.files = await Promise.all([...field.files].map(readFile));
    }
    (values[blockId] ||= {})[actionId] = value;
  }
  return values;
}

function blockOf(blockId) {
  const block = (page.state?.modal?.view?.blocks || []).find((b) => b.block_id === blockId);
  return block?.element || {};
}

function readFile(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve({ name: file.name, mimetype: file.type || "application/octet-stream",
      content_base64: String(reader.result).split(",", 2)[1] || "" });
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

function renderModal(modal) {
  const root = $("#modal-root");
  const key = modal ? JSON.stringify([modal.id, modal.hash || "", modal.view]) : "";
  if (key === page.modalKey) {
    if (modal) showErrors(modal.errors || page.modalErrors[modal.id] || {});
    return;
  }
  page.modalKey = key;
  root.replaceChildren();
  if (!modal) return;
  const view = modal.view;
  const context = { view_id: modal.id };
  const body = el("div", { class: "modal-body" }, renderBlocks(view.blocks, context));
  const form = el("form", { class: "modal", "data-testid": "modal", "data-callback-id": view.callback_id || "" },
    el("header", {}, el("span", { text: plain(view.title) }),
      el("button", { type: "button", "aria-label": "閉じる", "data-testid": "modal-x", text: "×", onclick: () => closeModal(modal.id) })),
    body,
    el("footer", {},
      el("button", { type: "button", class: "secondary", "data-testid": "modal-close", text: plain(view.close) || "キャンセル", onclick: () => closeModal(modal.id) }),
      view.submit ? el("button", { type: "submit", class: "primary", "data-testid": "modal-submit", text: plain(view.submit) }) : null));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const submit = form.querySelector("[data-testid=modal-submit]");
    submit.disabled = true;
    try {
      const values = await readInputs(body);
      const answer = await post("/api/submit", { view_id: modal.id, values });
      page.modalErrors = answer.errors ? { [modal.id]: answer.errors } : {};
      showErrors(answer.errors || {});
    } finally {
      submit.disabled = false;
    }
  });
  root.append(el("div", { class: "modal-backdrop" }, form));
  const first = form.querySelector("textarea, input, select");
  if (first) first.focus();
  showErrors(modal.errors || page.modalErrors[modal.id] || {});
}

function showErrors(errors) {
  for (const node of document.querySelectorAll("[data-error-for]")) {
    node.textContent = errors[node.dataset.errorFor] || "";
  }
}

async function closeModal(viewId) {
  await post("/api/close", { view_id: viewId });
  page.modalKey = "";
  $("#modal-root").replaceChildren();
}

// -- talking to the page's server ---------------------------------------------

async function post(path, body) {
  const response = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ as: page.me, ...body }) });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok || answer.ok === false) toast(answer.error || `エラー / error ${response.status}`);
  refresh();
  return answer;
}

function act(context, action) {
  return post("/api/action", { ...context, action });
}

let toastTimer = 0;
function toast(text) {
  const node = $("#toast");
  node.textContent = text;
  node.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { node.hidden = true; }, 5000);
}

// -- rendering the state ---------------------------------------------------------

function renderState(state) {
  page.state = state;
  const conversations = [...state.channels, ...state.dms];
  if (!conversations.some((c) => c.id === page.channel)) page.channel = state.channels[0]?.id || "";
  document.querySelectorAll(".identity-button").forEach((b) =>
    b.classList.toggle("active", b.dataset.user === state.me.id));
  $("#me-name").textContent = `${state.me.name}（${state.me.role === "chief" ? "課長" : "職員"}）`;

  renderSidebar($("#channel-list"), state.channels.map((c) => [c, `# ${c.name}（${c.title}）`]));
  renderSidebar($("#dm-list"), state.dms.map((c) => [c, c.title]));

  const current = conversations.find((c) => c.id === page.channel);
  if (current) {
    page.seen[current.id] = current.messages.length;
    $("#conversation-title").textContent = current.kind === "dm" ? current.title : `# ${current.name}`;
    $("#conversation-subtitle").textContent = current.kind === "dm" ? "ダイレクトメッセージ" : current.title;
    renderMessages(current);
  }
  renderTimeline(state.timeline, state.account);
  renderSaved(state);
  renderModal(state.modal);
}

// The sidebar and the messages are updated in place, one node per item, and a node is
// only rebuilt when its content changed: a poll never swaps out a button mid-click.
function renderSidebar(list, items) {
  const nodes = items.map(([c, label]) => {
    const unseen = c.id === page.channel ? 0
      : Math.max(0, c.messages.length - (page.seen[c.id] ?? c.messages.length));
    return keyed(list, c.id, [label, unseen, c.id === page.channel], () => el("li", {}, el("button", {
      type: "button", class: c.id === page.channel ? "active" : "", "data-testid": `channel-${c.name}`,
      "data-channel-id": c.id, onclick: () => selectChannel(c.id),
    }, el("span", { text: label }), unseen ? el("span", { class: "badge", text: unseen }) : null)));
  });
  reconcile(list, nodes);
}

function keyed(container, id, content, build) {
  const key = JSON.stringify(content);
  const existing = [...container.children].find((node) => node.dataset.key === id);
  if (existing && existing.dataset.content === key) return existing;
  const node = build();
  node.dataset.key = id;
  node.dataset.content = key;
  return node;
}

function reconcile(container, nodes) {
  nodes.forEach((node, index) => {
    if (container.children[index] !== node) container.insertBefore(node, container.children[index] || null);
  });
  while (container.children.length > nodes.length) container.lastElementChild.remove();
}

function renderMessages(conversation) {
  const box = $("#messages");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  if (box.dataset.channel !== conversation.id) box.replaceChildren();
  if (!conversation.messages.length) {
    box.replaceChildren(el("div", { class: "empty", text: "まだメッセージはありません / no messages yet" }));
  } else {
    box.querySelectorAll(".empty").forEach((node) => node.remove());
    reconcile(box, conversation.messages.map((m) => keyed(box, m.ts, [m, page.me], () => renderMessage(conversation, m))));
  }
  if (atBottom || box.dataset.channel !== conversation.id) box.scrollTop = box.scrollHeight;
  box.dataset.channel = conversation.id;
}

function renderMessage(conversation, m) {
  const context = { channel: conversation.id, message_ts: m.ts };
  const body = el("div", { class: "message-body" },
    el("div", { class: "meta" }, el("strong", { text: m.user_name }), m.time || "", m.edited ? "（更新済み / edited）" : ""),
    m.blocks && m.blocks.length ? renderBlocks(m.blocks, context) : el("div", { class: "text", html: mrkdwn(m.text || "") }),
    m.ephemeral ? el("div", { class: "ephemeral-note", text: "あなただけに表示されています / only visible to you" }) : null);
  return el("div", { class: `message${m.ephemeral ? " ephemeral" : ""}${m.reply ? " reply" : ""}`, "data-testid": "message", "data-ts": m.ts, "data-bot": m.bot ? "1" : "0" },
    el("div", { class: `avatar${m.bot ? " bot" : ""}`, text: (m.user_name || "?").slice(0, 1) }), body);
}

// After a restart the proposals are still in Redis, but the stand-ins' channels and
// timeline start empty: say so, so nobody thinks the proposals were lost.
function renderSaved(state) {
  const saved = (state.account?.proposals || []).length;
  const empty = [...state.channels, ...state.dms].every((c) => c.messages.length === 0);
  const node = $("#saved-note");
  node.hidden = !(saved && empty);
  node.textContent = `保存されている投稿案が ${saved} 件あります。/xpost list で一覧できます`
    + "（チャンネルの会話と X の代役のタイムラインは再起動で消えます）。"
    + ` / ${saved} saved proposal(s): /xpost list shows them.`;
}

function renderTimeline(timeline, account) {
  const status = $("#account-status");
  if (account) {
    status.classList.toggle("suspended", !!account.suspended);
    status.textContent = account.suspended
      ? `⛔ 運用停止中 / suspended${account.reason ? `（${account.reason}）` : ""}`
      : `✅ 運用中 / active・承認待ち ${account.pending ?? 0} 件`;
  }
  const who = timeline?.account ? `${timeline.account.name} ` : "";
  const handle = timeline?.account ? `@${timeline.account.username}` : "";
  const byPost = Object.fromEntries((account?.proposals || []).filter((p) => p.x_post_id).map((p) => [p.x_post_id, p]));
  const when = (at) => new Date(at).toLocaleString("ja-JP", { timeZone: "Asia/Tokyo" });
  const card = (post) => {
    const proposal = byPost[post.id];
    const label = proposal ? (proposal.corrects ? `${proposal.id}（${proposal.corrects} の訂正）` : proposal.id) : "";
    return el("article", { class: `x-post${proposal?.corrects ? " correction" : ""}`, "data-testid": "x-post", "data-post-id": post.id },
      el("div", { class: "who" }, el("strong", { text: who }), el("span", { text: handle })),
      el("div", { class: "body", text: post.text }),
      (post.media || []).length ? el("div", { class: "media", "data-testid": "x-post-media", text: `🖼 画像 ${post.media.length} 枚 / ${post.media.length} image(s)` }) : null,
      el("div", { class: "when", text: when(post.created_at) + (label ? ` ・${label}` : "") +
        (post.deleted_at ? ` ・削除 ${when(post.deleted_at)}` : "") }));
  };
  const posts = timeline?.posts || [];
  $("#timeline").replaceChildren(...(posts.length ? posts.map(card) : [el("div", { class: "empty", text: "まだ投稿はありません / no posts yet" })]));
  $("#deleted").replaceChildren(...(timeline?.deleted || []).map(card));
}

function selectChannel(id) {
  page.channel = id;
  localStorage.setItem("xpost-local-channel", id);
  page.lastState = "";
  refresh();
}

function selectUser(id) {
  page.me = id;
  localStorage.setItem("xpost-local-user", id);
  page.lastState = "";
  page.modalKey = "";
  refresh();
}

let refreshing = false;
async function refresh() {
  if (refreshing) return;
  refreshing = true;
  try {
    const response = await fetch(`/api/state?as=${encodeURIComponent(page.me)}`, { cache: "no-store" });
    const text = await response.text();
    const state = JSON.parse(text);
    // An answer for the identity before a switch is not this person's view: drop it.
    if (text !== page.lastState && state.me.id === page.me) {
      page.lastState = text;
      renderState(state);
    }
  } catch (error) {
    console.warn("state refresh failed", error);
  } finally {
    refreshing = false;
  }
}

async function send(text) {
  if (!text.trim()) return;
  $("#composer").value = "";
  await post("/api/send", { channel: page.channel, text });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".identity-button").forEach((button) =>
    button.addEventListener("click", () => selectUser(button.dataset.user)));
  $("#composer-form").addEventListener("submit", (event) => {
    event.preventDefault();
    send($("#composer").value);
  });
  $("#composer").addEventListener("keydown", (event) => {
    // As in Slack: Enter sends, Shift+Enter is a new line. An Enter that confirms a
    // Japanese IME conversion (isComposing / keyCode 229) must never send.
    if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) return;
    event.preventDefault();
    send($("#composer").value);
  });
  $("#open-modal").addEventListener("click", () => send(page.state?.modal_command || "/xpost"));
  refresh();
  setInterval(refresh, POLL_MS);
});
