/** The storefront's appointment strings; every key exists in every locale (tested). */

export type SchedulingLocale = "en" | "fr" | "it";

const en = {
  "mine.open": "My appointments",
  "mine.title": "My appointments",
  "mine.close": "Close",
  "mine.refresh": "Refresh",
  "mine.loading": "Loading your appointments…",
  "mine.none": "You have no upcoming appointments. Ask in the chat to book one.",
  "mine.failed": "Your appointments could not be loaded; please try again.",
  "mine.with": "With {names}",
  "mine.held": "Held until {time}, not yet confirmed",
  "mine.cancel": "Cancel",
  "mine.cancelAsk": "Cancel this appointment?",
  "mine.cancelYes": "Yes, cancel it",
  "mine.keep": "Keep it",
  "mine.cancelled": "Cancelled: {type} on {when}.",
  "mine.reschedule": "Reschedule",
  "mine.choose": "Choose a new time",
  "mine.move": "Move it",
  "mine.back": "Back",
  "mine.noSlots": "No other time is free in the next days.",
  "mine.moved": "Moved: {type} now on {when}.",
  "mine.pickFirst": "Choose a time first.",
  "mine.changeFailed": "That did not work: {reason}",
};

type Strings = Record<keyof typeof en, string>;
export type SchedulingKey = keyof typeof en;

const fr: Strings = {
  "mine.open": "Mes rendez-vous",
  "mine.title": "Mes rendez-vous",
  "mine.close": "Fermer",
  "mine.refresh": "Actualiser",
  "mine.loading": "Chargement de vos rendez-vous…",
  "mine.none": "Vous n'avez aucun rendez-vous à venir. Demandez dans le chat pour en prendre un.",
  "mine.failed": "Impossible de charger vos rendez-vous ; veuillez réessayer.",
  "mine.with": "Avec {names}",
  "mine.held": "Réservé jusqu'à {time}, pas encore confirmé",
  "mine.cancel": "Annuler",
  "mine.cancelAsk": "Annuler ce rendez-vous ?",
  "mine.cancelYes": "Oui, l'annuler",
  "mine.keep": "Le garder",
  "mine.cancelled": "Annulé : {type} le {when}.",
  "mine.reschedule": "Déplacer",
  "mine.choose": "Choisissez un nouvel horaire",
  "mine.move": "Déplacer",
  "mine.back": "Retour",
  "mine.noSlots": "Aucun autre horaire n'est libre dans les prochains jours.",
  "mine.moved": "Déplacé : {type} désormais le {when}.",
  "mine.pickFirst": "Choisissez d'abord un horaire.",
  "mine.changeFailed": "Cela n'a pas fonctionné : {reason}",
};

const it: Strings = {
  "mine.open": "I miei appuntamenti",
  "mine.title": "I miei appuntamenti",
  "mine.close": "Chiudi",
  "mine.refresh": "Aggiorna",
  "mine.loading": "Caricamento dei tuoi appuntamenti…",
  "mine.none": "Non hai appuntamenti in programma. Chiedi in chat per prenotarne uno.",
  "mine.failed": "Impossibile caricare i tuoi appuntamenti; riprova.",
  "mine.with": "Con {names}",
  "mine.held": "Riservato fino alle {time}, non ancora confermato",
  "mine.cancel": "Annulla",
  "mine.cancelAsk": "Annullare questo appuntamento?",
  "mine.cancelYes": "Sì, annullalo",
  "mine.keep": "Mantienilo",
  "mine.cancelled": "Annullato: {type} il {when}.",
  "mine.reschedule": "Sposta",
  "mine.choose": "Scegli un nuovo orario",
  "mine.move": "Spostalo",
  "mine.back": "Indietro",
  "mine.noSlots": "Nessun altro orario è libero nei prossimi giorni.",
  "mine.moved": "Spostato: {type} ora il {when}.",
  "mine.pickFirst": "Scegli prima un orario.",
  "mine.changeFailed": "Non ha funzionato: {reason}",
};

export const SCHEDULING_STRINGS: Readonly<Record<SchedulingLocale, Strings>> = { en, fr, it };

export function st(locale: string, key: SchedulingKey, params?: Readonly<Record<string, string>>): string {
  const table = SCHEDULING_STRINGS[(locale in SCHEDULING_STRINGS ? locale : "en") as SchedulingLocale];
  let text = table[key];
  for (const [name, value] of Object.entries(params ?? {})) text = text.replace(`{${name}}`, value);
  return text;
}
