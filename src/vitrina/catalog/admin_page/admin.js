// Catalog administration: a thin page over the admin API (/api/admin/brands/{brand}/catalog).
"use strict";

const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem("vitrina_admin_token") || "";

function show(value, ok) {
  $("output").textContent = typeof value === "string" ? value : JSON.stringify(value, null, 2);
  $("output").className = ok ? "ok" : "error";
}

async function call(method, path, body, contentType) {
  const headers = { Authorization: `Bearer ${token}` };
  if (body !== undefined) headers["Content-Type"] = contentType || "application/json";
  const response = await fetch(path, {
    method,
    headers,
    credentials: "omit",
    body: body === undefined ? undefined : contentType ? body : JSON.stringify(body),
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    show(data, false);
    throw new Error(data && data.detail ? data.detail : response.statusText);
  }
  return data;
}

const base = () => `/api/admin/brands/${encodeURIComponent($("brand").value.trim())}/catalog`;

// A product as read by the API, turned back into the body PUT expects.
function toUpsert(p) {
  return {
    slug: p.slug,
    name: p.name,
    description: p.description,
    currency: p.base_price.currency,
    base_price: p.base_price.amount,
    stock: p.stock,
    active: p.active,
    position: p.position,
    asset_sha256: p.asset_sha256,
    option_groups: p.option_groups.map((g) => ({
      id: g.id,
      name: g.name,
      min_choices: g.min_choices,
      max_choices: g.max_choices,
      options: g.options.map((o) => ({
        id: o.id,
        name: o.name,
        description: o.description,
        price_delta: o.price_delta.amount,
        default: o.default,
        effects: o.effects,
      })),
    })),
    rules: p.rules.map((r) => ({ id: r.id, kind: r.kind, option: r.option, targets: r.targets, message: r.message })),
    explainers: p.explainers.map((e) => ({ id: e.id, part: e.part, title: e.title, text: e.text })),
  };
}

async function loadProducts() {
  const products = await call("GET", `${base()}/products`);
  const rows = $("products");
  rows.replaceChildren();
  for (const p of products) {
    const tr = document.createElement("tr");
    const cells = [p.slug, p.name.en, `${p.base_price.amount} ${p.base_price.currency}`, p.stock, p.active ? "yes" : "no",
      p.option_groups.reduce((n, g) => n + g.options.length, 0), p.rules.length, p.explainers.length];
    for (const value of cells) {
      const td = document.createElement("td");
      td.textContent = String(value);
      tr.append(td);
    }
    tr.style.cursor = "pointer";
    tr.addEventListener("click", () => {
      $("editor").value = JSON.stringify(toUpsert(p), null, 2);
    });
    rows.append(tr);
  }
  $("status").textContent = `${products.length} products`;
}

$("signin-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const response = await fetch("/api/auth/login", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    credentials: "omit",
    body: JSON.stringify({ email: $("email").value, password: $("password").value }),
  });
  const data = await response.json();
  if (!response.ok) return show(data, false);
  token = data.token;
  sessionStorage.setItem("vitrina_admin_token", token);
  start();
});

function start() {
  $("signin").hidden = true;
  $("workspace").hidden = false;
  loadProducts().catch(() => {});
}

$("load").addEventListener("click", () => loadProducts().catch(() => {}));
$("new").addEventListener("click", () => {
  $("editor").value = JSON.stringify({
    slug: "new-product", name: { en: "New product", fr: "", it: "" }, description: { en: "Describe it.", fr: "", it: "" },
    currency: "EUR", base_price: "0.00", stock: 0, active: false, position: 0, asset_sha256: null,
    option_groups: [], rules: [], explainers: [],
  }, null, 2);
});
$("save").addEventListener("click", async () => {
  let body;
  try { body = JSON.parse($("editor").value); } catch (err) { return show(`Not valid JSON: ${err.message}`, false); }
  const saved = await call("PUT", `${base()}/products/${encodeURIComponent(body.slug)}`, body).catch(() => null);
  if (saved) { show(saved, true); loadProducts().catch(() => {}); }
});
$("delete").addEventListener("click", async () => {
  let slug;
  try { slug = JSON.parse($("editor").value).slug; } catch { return show("Select a product first.", false); }
  if (!confirm(`Delete ${slug}?`)) return;
  await call("DELETE", `${base()}/products/${encodeURIComponent(slug)}`).then(() => { show(`${slug} deleted`, true); loadProducts(); }).catch(() => {});
});
$("upload").addEventListener("click", async () => {
  const file = $("glb").files[0];
  if (!file) return show("Choose a .glb file.", false);
  const label = encodeURIComponent($("label").value);
  const asset = await call("POST", `${base()}/assets?label=${label}`, await file.arrayBuffer(), "model/gltf-binary").catch(() => null);
  if (asset) show(asset, true);
});
$("import-file").addEventListener("change", async () => {
  const file = $("import-file").files[0];
  if (file) $("import-body").value = await file.text();
});
$("import").addEventListener("click", async () => {
  const text = $("import-body").value.trim();
  const type = text.startsWith("[") || text.startsWith("{") ? "application/json" : "text/csv";
  const dry = $("dry-run").checked;
  const report = await call("POST", `${base()}/import?dry_run=${dry}`, text, type).catch(() => null);
  if (report) { show(report, !report.rows.some((r) => r.action === "error")); if (!dry) loadProducts().catch(() => {}); }
});

if (token) start();
