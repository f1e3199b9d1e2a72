/** The supervisor dashboard's strings in English, French and Italian (same keys in each,
 * tested); the language is the console's. */

import { locale } from "../console/strings";

const en = {
  "tab": "Dashboard",
  "title": "Supervisor dashboard",
  "filter.brand": "Brand",
  "filter.channel": "Channel",
  "filter.queue": "Queue",
  "filter.period": "Period",
  "filter.all": "All",
  "period.today": "Today",
  "period.24h": "Last 24 hours",
  "period.7d": "Last 7 days",
  "period.30d": "Last 30 days",
  "csv": "Export CSV",
  "updated": "Updated {time}",
  "visitors_now": "Visitors in the store now",
  "conversations": "Conversations",
  "containment_rate": "Bot containment",
  "handoff_rate": "Handoff rate",
  "queue_length": "Waiting in queue",
  "oldest_wait_s": "Longest wait now",
  "mean_wait_s": "Mean wait",
  "mean_first_response_s": "First response",
  "mean_handle_s": "Handle time",
  "csat_mean": "CSAT",
  "csat_satisfied": "Satisfied (4-5)",
  "bookings": "Bookings",
  "chart.states": "Conversations by state",
  "chart.live": "Live: visitors, queue, conversations",
  "reasons": "Handoff reasons",
  "reasons.none": "No handoff in this period.",
  "none": "—",
};

type Key = keyof typeof en;

const fr: Record<Key, string> = {
  "tab": "Tableau de bord",
  "title": "Tableau de bord du superviseur",
  "filter.brand": "Marque",
  "filter.channel": "Canal",
  "filter.queue": "File",
  "filter.period": "Période",
  "filter.all": "Tous",
  "period.today": "Aujourd'hui",
  "period.24h": "Dernières 24 heures",
  "period.7d": "7 derniers jours",
  "period.30d": "30 derniers jours",
  "csv": "Exporter en CSV",
  "updated": "Mis à jour à {time}",
  "visitors_now": "Visiteurs dans la boutique",
  "conversations": "Conversations",
  "containment_rate": "Résolu par l'assistant",
  "handoff_rate": "Taux de transfert",
  "queue_length": "En file d'attente",
  "oldest_wait_s": "Plus longue attente",
  "mean_wait_s": "Attente moyenne",
  "mean_first_response_s": "Première réponse",
  "mean_handle_s": "Durée de traitement",
  "csat_mean": "Satisfaction",
  "csat_satisfied": "Satisfaits (4-5)",
  "bookings": "Rendez-vous",
  "chart.states": "Conversations par état",
  "chart.live": "En direct : visiteurs, file, conversations",
  "reasons": "Motifs de transfert",
  "reasons.none": "Aucun transfert sur la période.",
  "none": "—",
};

const it: Record<Key, string> = {
  "tab": "Cruscotto",
  "title": "Cruscotto del supervisore",
  "filter.brand": "Marchio",
  "filter.channel": "Canale",
  "filter.queue": "Coda",
  "filter.period": "Periodo",
  "filter.all": "Tutti",
  "period.today": "Oggi",
  "period.24h": "Ultime 24 ore",
  "period.7d": "Ultimi 7 giorni",
  "period.30d": "Ultimi 30 giorni",
  "csv": "Esporta CSV",
  "updated": "Aggiornato alle {time}",
  "visitors_now": "Visitatori nel negozio ora",
  "conversations": "Conversazioni",
  "containment_rate": "Risolte dall'assistente",
  "handoff_rate": "Tasso di passaggio",
  "queue_length": "In coda",
  "oldest_wait_s": "Attesa più lunga",
  "mean_wait_s": "Attesa media",
  "mean_first_response_s": "Prima risposta",
  "mean_handle_s": "Tempo di gestione",
  "csat_mean": "Soddisfazione",
  "csat_satisfied": "Soddisfatti (4-5)",
  "bookings": "Appuntamenti",
  "chart.states": "Conversazioni per stato",
  "chart.live": "In diretta: visitatori, coda, conversazioni",
  "reasons": "Motivi del passaggio",
  "reasons.none": "Nessun passaggio nel periodo.",
  "none": "—",
};

export const DASHBOARD_STRINGS = { en, fr, it } as const;
export type DashboardKey = Key;

export function d(key: Key, params?: Readonly<Record<string, string | number>>): string {
  const table: Record<Key, string> = DASHBOARD_STRINGS[locale()] ?? en;
  let text = table[key];
  for (const [name, value] of Object.entries(params ?? {})) text = text.replaceAll(`{${name}}`, String(value));
  return text;
}
