// lensengine studio: polls the engine's state, shows the gallery, sends lens switches and settings.
// Plain JavaScript, no libraries, nothing from the internet.
"use strict";

const token = new URLSearchParams(location.search).get("token") || sessionStorage.getItem("studio-token") || "";
if (token) sessionStorage.setItem("studio-token", token);
const headers = token ? { "X-Studio-Token": token } : {};
const $ = (id) => document.getElementById(id);

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}

async function getJSON(path) {
  const response = await fetch(path, { headers, credentials: "same-origin", cache: "no-store" });
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
}

async function postJSON(path, body) {
  const response = await fetch(path, {
    method: "POST",
    credentials: "same-origin",
    headers: { ...headers, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
  if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
  return data;
}

// ---- live state ---------------------------------------------------------------------------------------------
let current = { lens: null, pending: null };
let settingsFilled = false;
const STAGE_NAMES = ["capture", "track", "align", "lens", "superres", "blend", "output"];

function renderState(s) {
  current = s;
  $("run-dot").className = "dot " + (s.running ? "on" : "off");
  const route = $("route-text");
  route.replaceChildren(
    el("b", {}, s.input.name), ` ${s.input.size}  →  `, el("b", {}, s.enabled ? s.lens : `${s.lens} (off)`),
    "  →  ", el("b", {}, s.output.name), ` ${s.output.size}`,
  );
  $("note").hidden = !s.note;
  $("note").textContent = s.note || "";
  $("lens-name").textContent = s.lens;
  $("badge-lens").textContent = s.enabled ? s.lens : "lens off";
  $("lens-pending").hidden = !s.pending;
  $("lens-pending").textContent = s.pending ? `loading ${s.pending}…` : "";
  const toggle = $("lens-enabled");
  if (!toggle.matches(":focus")) toggle.checked = s.enabled;
  $("lens-enabled-label").textContent = s.enabled ? "Lens on" : "Lens off";
  $("m-fps").textContent = s.fps.toFixed(1);
  $("m-latency").textContent = s.latency_ms == null ? "–" : s.latency_ms.toFixed(0);
  $("m-faces").textContent = s.faces;
  $("m-dropped").textContent = s.dropped;
  $("m-repeated").textContent = s.repeated ? `${s.repeated} repeated` : "";
  const values = STAGE_NAMES.filter((n) => n in s.stages).map((n) => [n, s.stages[n]]);
  const most = Math.max(1, ...values.map(([, v]) => v));
  $("stages").replaceChildren(...values.map(([name, ms]) =>
    el("div", { class: "stage-row", dataset: { stage: name } },
      el("span", { class: "name" }, name),
      el("div", { class: "bar" }, el("div", { class: "fill", style: `width:${(100 * ms / most).toFixed(1)}%` })),
      el("span", { class: "ms" }, `${ms.toFixed(1)} ms`))));
  $("messages").hidden = !s.messages.length;
  $("messages").replaceChildren(...s.messages.map((m) => el("div", {}, m)));
  if (!settingsFilled) fillSettings(s);
  markGallery();
}

function fillSettings(s) {
  const form = $("settings");
  const select = form.elements.superres;
  select.replaceChildren(...s.superres_choices.map((c) => el("option", { value: c }, c)));
  form.elements.max_faces.value = s.settings.max_faces;
  select.value = s.settings.superres;
  form.elements.input.value = s.settings.input;
  form.elements.output_size.value = s.settings.output_size;
  settingsFilled = true;
}

async function pollState() {
  try {
    renderState(await getJSON("/api/state"));
  } catch (error) {
    $("run-dot").className = "dot off";
    $("route-text").textContent = "engine stopped";
  }
  setTimeout(pollState, 500);
}

// ---- preview ------------------------------------------------------------------------------------------------
const preview = $("preview");
preview.addEventListener("load", () => { $("preview-waiting").hidden = true; });
preview.addEventListener("error", () => {
  $("preview-waiting").hidden = false;
  setTimeout(() => { preview.src = "/preview.mjpg?t=" + Date.now(); }, 1500);
});

// ---- gallery ------------------------------------------------------------------------------------------------
function speed(ms) {
  if (ms == null) return "…";
  return ms < 1 ? "<1 ms" : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
}

function lensCard(lens) {
  let pic;
  if (lens.thumb) pic = el("img", { src: `/thumbs/${lens.thumb}`, alt: `${lens.name} on a face` });
  else if (lens.state === "failed") pic = el("div", { class: "fail", title: lens.error || "" }, "no preview");
  else pic = el("span", { class: "rendering" }, "rendering…");
  const kind = lens.neural ? `${lens.kind} · neural` : lens.kind;
  return el("button", {
      type: "button", class: "lens-card", title: `${lens.qualified}\n${lens.description}`,
      dataset: { lens: lens.name, state: lens.state }, onclick: () => chooseLens(lens.name),
    },
    el("div", { class: "pic" }, pic,
      el("span", { class: "kind" + (lens.neural ? " neural" : "") }, kind),
      lens.ms == null ? null : el("span", { class: "speed", title: "time per call on one face" }, speed(lens.ms))),
    el("div", { class: "meta" },
      el("div", { class: "title" }, lens.name.replaceAll("_", "_\u200b")),
      el("div", { class: "sub" }, lens.backend)));
}

function markGallery() {
  for (const card of document.querySelectorAll(".lens-card")) {
    card.classList.toggle("active", card.dataset.lens === current.lens && current.enabled !== false);
    card.classList.toggle("loading", card.dataset.lens === current.pending);
  }
}

let galleryKey = "";
async function pollGallery() {
  let done = false;
  try {
    const data = await getJSON("/api/lenses");
    const key = JSON.stringify(data.lenses.map((l) => [l.name, l.state, l.thumb]));
    if (key !== galleryKey) {
      galleryKey = key;
      $("gallery").replaceChildren(...data.lenses.map(lensCard));
      markGallery();
    }
    done = data.done;
    const count = data.lenses.length;
    $("gallery-hint").textContent = done ? `${count} installed · click to switch` : "rendering thumbnails…";
  } catch (error) { /* the state poll shows that the engine stopped */ }
  setTimeout(pollGallery, done ? 10000 : 1000);
}

async function chooseLens(name) {
  try {
    if (!current.enabled) await postJSON("/api/enabled", { enabled: true });
    if (name !== current.lens) await postJSON("/api/lens", { name });
    current.pending = name === current.lens ? null : name;
    markGallery();
  } catch (error) {
    showSettingsMessage(error.message, false);
  }
}

$("lens-enabled").addEventListener("change", async (event) => {
  try {
    await postJSON("/api/enabled", { enabled: event.target.checked });
  } catch (error) {
    showSettingsMessage(error.message, false);
  }
});

// ---- settings -----------------------------------------------------------------------------------------------
function showSettingsMessage(text, ok) {
  const box = $("settings-error");
  box.textContent = text;
  box.className = "form-error" + (ok ? " ok" : "");
}

$("settings").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const changed = {};
  const s = current.settings || {};
  const maxFaces = form.elements.max_faces.value.trim();
  if (maxFaces !== String(s.max_faces)) changed.max_faces = /^\d+$/.test(maxFaces) ? Number(maxFaces) : maxFaces;
  for (const name of ["superres", "input", "output_size"]) {
    const value = form.elements[name].value.trim();
    if (value !== String(s[name])) changed[name] = value;
  }
  if (!Object.keys(changed).length) { showSettingsMessage("nothing changed", true); return; }
  $("settings-apply").disabled = true;
  showSettingsMessage("applying…", true);
  try {
    await postJSON("/api/settings", changed);
    showSettingsMessage("applied", true);
  } catch (error) {
    showSettingsMessage(error.message, false);
  } finally {
    $("settings-apply").disabled = false;
  }
});

// ---- doctor -------------------------------------------------------------------------------------------------
function renderDoctor(d) {
  const box = $("doctor");
  if (!d.sections || !d.sections.length) {
    box.replaceChildren(el("div", { class: "muted" }, d.running ? "checking this machine…" : (d.summary || "")));
    return;
  }
  const parts = [];
  for (const section of d.sections) {
    parts.push(el("h3", {}, section.title));
    for (const f of section.findings) {
      const mark = { ok: "✓", problem: "!", skipped: "–", info: "i" }[f.status] || "i";
      parts.push(el("div", { class: `finding ${f.status}` }, el("span", { class: "icon" }, mark),
        el("div", {}, el("div", {}, f.text), f.fix ? el("div", { class: "fix" }, f.fix) : null)));
    }
  }
  parts.push(el("div", { class: "summary" }, d.running ? "checking again…" : d.summary));
  box.replaceChildren(...parts);
}

async function pollDoctor() {
  let running = true;
  try {
    const d = await getJSON("/api/doctor");
    renderDoctor(d);
    running = d.running || !d.sections;
  } catch (error) { /* shown by the state poll */ }
  if (running) setTimeout(pollDoctor, 1500);
}

$("doctor-run").addEventListener("click", async () => {
  try { renderDoctor(await postJSON("/api/doctor", {})); } catch (error) { /* ignore */ }
  setTimeout(pollDoctor, 1000);
});

pollState();
pollGallery();
pollDoctor();
