/** Fails on a text an advisor can read that does not come from the console catalogue: the
 * console's sources (and its scheduling tabs) are read as text, and every string literal
 * that ends up in the page — a child or text attribute of `el(...)`, a button label, an
 * `append`, a `textContent` or `placeholder` assignment — must be a catalogue call, a
 * catalogue key, or free of words (" · ", "—", "/", "✓"…). */

import { describe, expect, it } from "vitest";
import { CONSOLE_STRINGS } from "./strings";
import consoleHtml from "../../console.html?raw";

const KEYS = new Set(Object.keys(CONSOLE_STRINGS.en));
/** Attributes whose value is read (or heard) by the advisor. */
const TEXT_ATTRS = new Set(["aria-label", "aria-description", "aria-roledescription", "placeholder", "title", "alt"]);
/** Names, not words to translate. */
const ALLOWED = new Set(["Vitrina"]);

type Tok =
  | { kind: "str"; value: string }
  | { kind: "tpl"; quasis: string[]; exprs: Tok[][] }
  | { kind: "id"; value: string }
  | { kind: "p"; value: string };

const KEYWORDS_BEFORE_EXPR = new Set(["return", "typeof", "case", "in", "of", "new", "delete", "void", "throw", "else", "yield", "await"]);

/** A small TypeScript lexer: strings, templates (with their expressions), identifiers and
 * punctuation; comments and regular expressions are skipped. */
function lex(src: string, start = 0, inTemplate = false): { toks: Tok[]; end: number } {
  const toks: Tok[] = [];
  let i = start;
  let depth = 0;
  const regexAllowed = () => {
    const last = toks[toks.length - 1];
    if (!last) return true;
    if (last.kind === "str" || last.kind === "tpl") return false;
    if (last.kind === "id") return KEYWORDS_BEFORE_EXPR.has(last.value);
    return !(last.value === ")" || last.value === "]" || last.value === "}");
  };
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "/" && src[i + 1] === "/") {
      i = src.indexOf("\n", i);
      if (i < 0) i = src.length;
    } else if (c === "/" && src[i + 1] === "*") {
      i = src.indexOf("*/", i + 2) + 2;
    } else if (c === "/" && regexAllowed()) {
      i++;
      let inClass = false;
      while (i < src.length && (inClass || src[i] !== "/")) {
        if (src[i] === "\\") i++;
        else if (src[i] === "[") inClass = true;
        else if (src[i] === "]") inClass = false;
        i++;
      }
      i++;
      while (/[a-z]/.test(src[i] ?? "")) i++;
      toks.push({ kind: "p", value: "regex" });
    } else if (c === '"' || c === "'") {
      let value = "";
      i++;
      while (src[i] !== c) {
        if (src[i] === "\\") {
          value += src[i + 1];
          i += 2;
        } else value += src[i++];
      }
      i++;
      toks.push({ kind: "str", value });
    } else if (c === "`") {
      const quasis: string[] = [];
      const exprs: Tok[][] = [];
      let text = "";
      i++;
      while (src[i] !== "`") {
        if (src[i] === "\\") {
          text += src[i + 1];
          i += 2;
        } else if (src[i] === "$" && src[i + 1] === "{") {
          quasis.push(text);
          text = "";
          const inner = lex(src, i + 2, true);
          exprs.push(inner.toks);
          i = inner.end + 1;
        } else text += src[i++];
      }
      quasis.push(text);
      i++;
      toks.push({ kind: "tpl", quasis, exprs });
    } else if (/[A-Za-z_$]/.test(c)) {
      let value = "";
      while (/[\w$]/.test(src[i] ?? "")) value += src[i++];
      toks.push({ kind: "id", value });
    } else {
      if (inTemplate && c === "}" && depth === 0) return { toks, end: i };
      if (c === "{") depth++;
      if (c === "}") depth--;
      const two = src.slice(i, i + 3) === "===" || src.slice(i, i + 3) === "!==" ? 3 : ["==", "=>", "!=", "<=", ">=", "?.", "??", "&&", "||"].includes(src.slice(i, i + 2)) ? 2 : 1;
      toks.push({ kind: "p", value: src.slice(i, i + two) });
      i += two;
    }
  }
  return { toks, end: i };
}

const isP = (tok: Tok | undefined, value: string) => tok?.kind === "p" && tok.value === value;

/** The index of the bracket closing the one at `open`. */
function closing(toks: Tok[], open: number): number {
  let depth = 0;
  for (let i = open; i < toks.length; i++) {
    const tok = toks[i];
    if (tok.kind !== "p") continue;
    if (["(", "[", "{"].includes(tok.value)) depth++;
    if ([")", "]", "}"].includes(tok.value) && --depth === 0) return i;
  }
  return toks.length;
}

/** A call's arguments (the tokens between the brackets at `open` and its match), split at top-level commas. */
function args(toks: Tok[], open: number): Tok[][] {
  const end = closing(toks, open);
  const out: Tok[][] = [[]];
  for (let i = open + 1; i < end; i++) {
    const tok = toks[i];
    if (tok.kind === "p" && ["(", "[", "{"].includes(tok.value)) {
      const close = closing(toks, i);
      out[out.length - 1].push(...toks.slice(i, close + 1));
      i = close;
    } else if (isP(tok, ",")) out.push([]);
    else out[out.length - 1].push(tok);
  }
  return out.filter((a) => a.length);
}

function wordy(text: string): boolean {
  return /\p{L}/u.test(text) && !KEYS.has(text) && !ALLOWED.has(text.trim());
}

/** The literals in an expression that would be shown as they are: not a catalogue key, not
 * an argument of a call (a catalogue call's key, `join(", ")`'s separator; the calls that
 * show their arguments, `el(...)` and `button(...)`, are checked where they are). */
function shownLiterals(toks: Tok[]): string[] {
  const found: string[] = [];
  for (let i = 0; i < toks.length; i++) {
    const tok = toks[i];
    if (tok.kind === "id" && isP(toks[i + 1], "(")) {
      i = closing(toks, i + 1);
    } else if (tok.kind === "str") {
      const compared = [toks[i - 1], toks[i + 1]].some((near) => near?.kind === "p" && ["===", "!==", "==", "!="].includes(near.value));
      if (!compared && wordy(tok.value)) found.push(tok.value);
    } else if (tok.kind === "tpl") {
      const text = tok.quasis.join("${}");
      if (wordy(tok.quasis.join(""))) found.push(text);
      for (const expr of tok.exprs) found.push(...shownLiterals(expr));
    }
  }
  return found;
}

/** The text attributes' values in an attribute object `{ ... }`. */
function attributeLiterals(toks: Tok[]): string[] {
  if (!isP(toks[0], "{")) return shownLiterals(toks);
  const found: string[] = [];
  for (const entry of args(toks, 0)) {
    const [name, colon, ...value] = entry;
    if (!isP(colon, ":") || !name || (name.kind !== "str" && name.kind !== "id")) continue;
    if (TEXT_ATTRS.has(name.value)) found.push(...shownLiterals(value));
  }
  return found;
}

/** Every literal a page built by this source would show without the catalogue. */
export function untranslated(src: string): string[] {
  const found: string[] = [];
  const walk = (toks: Tok[]) => {
    for (let i = 0; i < toks.length; i++) {
      const tok = toks[i];
      if (tok.kind === "tpl") tok.exprs.forEach(walk);
      if (tok.kind !== "id") continue;
      const method = isP(toks[i - 1], ".");
      if (isP(toks[i + 1], "(")) {
        const list = args(toks, i + 1);
        if (tok.value === "el" && !method) {
          if (list[1]) found.push(...attributeLiterals(list[1]));
          for (const child of list.slice(2)) found.push(...shownLiterals(child));
        } else if (tok.value === "button" && list[0]) {
          found.push(...shownLiterals(list[0]));
        } else if (method && ["append", "prepend", "replaceChildren", "replaceWith", "before", "after"].includes(tok.value)) {
          for (const child of list) found.push(...shownLiterals(child));
        } else if (method && tok.value === "setAttribute" && list[0]?.[0]?.kind === "str" && TEXT_ATTRS.has(list[0][0].value) && list[1]) {
          found.push(...shownLiterals(list[1]));
        }
      } else if (method && ["textContent", "innerText", "placeholder", "title", "ariaLabel"].includes(tok.value) && isP(toks[i + 1], "=")) {
        let end = i + 2;
        let depth = 0;
        for (; end < toks.length; end++) {
          const next = toks[end];
          if (next.kind !== "p") continue;
          if (["(", "[", "{"].includes(next.value)) depth++;
          else if ([")", "]", "}"].includes(next.value)) {
            if (depth-- === 0) break;
          } else if ((next.value === ";" || next.value === ",") && depth === 0) break;
        }
        found.push(...shownLiterals(toks.slice(i + 2, end)));
      }
    }
  };
  walk(lex(src).toks);
  return found;
}

/** Texts and text attributes written in an HTML page. */
export function untranslatedHtml(html: string): string[] {
  const body = html.replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>|<!--[\s\S]*?-->/g, "");
  const texts = [...body.matchAll(/>([^<]+)</g)].map((m) => m[1].trim());
  const attrs = [...body.matchAll(/\s(aria-label|placeholder|title|alt)="([^"]*)"/g)].map((m) => m[2]);
  return [...texts, ...attrs].filter(wordy);
}

/** The console's sources as text, by path (Vite reads them; no Node API needed). */
const SOURCES: Record<string, string> = Object.fromEntries(
  Object.entries({
    ...import.meta.glob<string>(["./*.ts", "!./*.test.ts", "!./strings.ts"], { query: "?raw", import: "default", eager: true }),
    ...import.meta.glob<string>(["../scheduling/console.ts", "../scheduling/agenda.ts", "../scheduling/resources.ts"], { query: "?raw", import: "default", eager: true }),
    ...import.meta.glob<string>(["../training/console.ts"], { query: "?raw", import: "default", eager: true }),
  }),
);

describe("the console's visible texts", () => {
  it("are read from every console source", () => {
    expect(Object.keys(SOURCES)).toEqual(expect.arrayContaining(["./view.ts", "./customer360.ts", "./main.ts", "./state.ts", "../scheduling/agenda.ts"]));
  });

  it.each(Object.keys(SOURCES))("all come from the catalogue in %s", (path) => {
    expect(untranslated(SOURCES[path])).toEqual([]);
  });

  it("all come from the catalogue in console.html", () => {
    expect(consoleHtml).toContain('id="console"');
    expect(untranslatedHtml(consoleHtml)).toEqual([]);
  });

  it("are not copies of an English catalogue text kept in the code", () => {
    const english = new Set(Object.values(CONSOLE_STRINGS.en).filter((text) => text.length > 3 && /[A-Z ]/.test(text)));
    for (const [path, src] of Object.entries(SOURCES)) {
      const literals = lex(src).toks.flatMap((tok) => (tok.kind === "str" ? [tok.value] : []));
      expect(literals.filter((text) => english.has(text)), path).toEqual([]);
    }
  });
});

describe("the untranslated-text check", () => {
  it("finds words written in the code, wherever the page shows them", () => {
    const src = `
      const a = el("p", {}, "Nobody waiting");
      const b = el("ul", { class: "list", "aria-label": "Queue" }, el("li", {}, t("queue.empty")));
      const c = this.button("Send", async () => api.reply(id, "x y"));
      status.textContent = error instanceof ApiError ? error.detail : "Sign-in failed.";
      view.header.append(\`\${name} — \${escalated ? " · escalated" : ""}\`);
      const d = el("textarea", { rows: 3, placeholder: \`Reply to \${name}\` });
      box.setAttribute("aria-label", "Transfer to");
    `;
    expect(untranslated(src)).toEqual(["Nobody waiting", "Queue", "Send", "Sign-in failed.", " · escalated", "Reply to ${}", "Transfer to"]);
  });

  it("accepts catalogue calls, keys, API values and texts without words", () => {
    const src = `
      // el("p", {}, "a comment is not shown")
      const pattern = /^email: "quoted"/;
      const a = el("li", { class: "empty", "data-id": "queue:general" }, t("queue.empty"), " · ", \`\${a.name} (\${a.active}/\${a.capacity})\`);
      const b = el("option", { value: "not_solved" }, labelOf("disposition", "not_solved"));
      const c = button("agenda.previous", "agenda-prev", () => show());
      side.append(el("dd", {}, value ?? "—"), " ✓");
    `;
    expect(untranslated(src + 'box.append(c.state === "bot" ? el("b", {}, t("state.bot")) : "");')).toEqual([]);
    expect(untranslatedHtml('<html lang="en"><head><title>Vitrina</title></head><body><main id="console"></main></body></html>')).toEqual([]);
    expect(untranslatedHtml("<title>Vitrina — agent console</title>")).toEqual(["Vitrina — agent console"]);
  });
});
