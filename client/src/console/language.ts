/** The console's language in the page: chosen at start-up, changed with the picker in the
 * header or on the sign-in form, saved for the next visit, and set on `<html lang>`. */

import { el } from "../ui/dom";
import { CONSOLE_LOCALE_KEY, LANGUAGE_NAMES, LOCALES, chooseLocale, locale, setLocale, t, type Locale } from "./strings";

function stored(): string | null {
  try {
    return localStorage.getItem(CONSOLE_LOCALE_KEY);
  } catch {
    return null; // storage refused (private mode, policy): the choice lasts for the page only
  }
}

/** Applies `next` to the page; `remember` when the advisor chose it. */
export function applyLocale(next: Locale, remember: boolean): void {
  setLocale(next);
  if (remember) {
    try {
      localStorage.setItem(CONSOLE_LOCALE_KEY, next);
    } catch {
      // as above
    }
  }
  document.documentElement.lang = next;
  document.title = t("page.title");
}

export function startLocale(): void {
  const browser = navigator.languages?.length ? navigator.languages : [navigator.language];
  applyLocale(chooseLocale(new URLSearchParams(location.search).get("lang"), stored(), browser), false);
}

/** A labelled language menu; `onChange` runs after the new language is applied. The menu
 * itself stays (and keeps the focus) when the page is relabelled: only its label changes. */
export function languagePicker(onChange: (next: Locale) => void): { element: HTMLLabelElement; relabel(): void } {
  const select = el("select", { name: "language", "data-testid": "console-language" });
  for (const code of LOCALES) select.append(el("option", { value: code, selected: code === locale(), lang: code }, LANGUAGE_NAMES[code]));
  select.addEventListener("change", () => {
    applyLocale(select.value as Locale, true);
    onChange(select.value as Locale);
  });
  const text = el("span", {}, t("ui.language"));
  return {
    element: el("label", { class: "language" }, text, " ", select),
    relabel: () => {
      text.textContent = t("ui.language");
      select.value = locale();
    },
  };
}
