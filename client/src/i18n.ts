/** UI strings in English, French and Italian; every key exists in every locale (tested). */

export type Locale = "en" | "fr" | "it";
export const LOCALES: readonly Locale[] = ["en", "fr", "it"];

const en = {
  loading: "Loading the storefront…",
  unavailable: "This storefront is not available.",
  "conn.idle": "Not connected",
  "conn.connecting": "Connecting…",
  "conn.online": "Connected",
  "conn.reconnecting": "Connection lost, reconnecting…",
  "conn.offline": "Offline",
  "conn.replaced": "Opened in another tab",
  "chat.title": "Chat",
  "chat.placeholder": "Write a message",
  "chat.send": "Send",
  "chat.label": "Message",
  "chat.log": "Conversation",
  "chat.rateLimited": "Slow down: too many messages.",
  "chat.tooLong": "That message is too long.",
  "chat.notSent": "Not connected: the message was not sent.",
  "ui.language": "Language",
  "ui.sound": "Read bot and advisor lines aloud",
  "ui.mode2d": "Accessible 2D mode",
  "ui.mode3d": "3D mode",
  "ui.enterVr": "Enter VR",
  "ui.exitVr": "Exit VR",
  "ui.zone": "Go to",
  "ui.help": "Move: WASD or arrow keys, drag to look, click the floor to walk, click a stand to inspect.",
  "ui.noWebgl": "3D is not available in this browser: showing the accessible 2D storefront.",
  "avatar.open": "Your avatar",
  "avatar.title": "Your avatar",
  "avatar.body": "Body",
  "avatar.body.slim": "Slim",
  "avatar.body.regular": "Regular",
  "avatar.body.broad": "Broad",
  "avatar.skin": "Skin tone",
  "avatar.hair": "Hair",
  "avatar.hair.short": "Short",
  "avatar.hair.long": "Long",
  "avatar.hair.bun": "Bun",
  "avatar.hair.none": "None",
  "avatar.hairColor": "Hair colour",
  "avatar.top": "Top",
  "avatar.bottom": "Trousers",
  "avatar.save": "Save",
  "avatar.close": "Close",
  "avatar.saved": "Saved in this browser; others see it from your next step into a room.",
  "badge.customer": "Customer",
  "badge.advisor": "Advisor",
  "badge.bot": "Guide",
  "product.products": "Products",
  "product.inspect": "Inspect",
  "product.configure": "Configure",
  "product.close": "Close",
  "product.price": "Price",
  "product.base": "Base price",
  "product.options": "Options",
  "product.total": "Total",
  "product.invalid": "This combination is not possible:",
  "product.save": "Save and share",
  "product.saved": "Saved. Share this link:",
  "product.explain": "How it works",
  "product.prev": "Previous",
  "product.next": "Next",
  "product.step": "Step {n} of {total}",
  "product.none": "No products here yet.",
  "product.loading": "Loading the model…",
  "product.loadFailed": "The 3D model could not be loaded.",
  "product.inspectHelp": "Drag to turn, scroll or pinch to zoom.",
  "booking.title": "Book an appointment",
  "booking.hint": "Ask in the chat, for example: “Book a test drive on Friday afternoon”.",
  "people.title": "People here",
  "people.none": "Nobody else is here yet.",
  "voice.title": "Voice call",
  "voice.call": "Call {name}",
  "voice.none": "Nobody here to call yet.",
  "voice.calling": "Calling {name}…",
  "voice.ringing": "{name} is calling you",
  "voice.connecting": "Connecting the call with {name}…",
  "voice.connected": "In a call with {name}",
  "voice.ended": "Call ended ({duration})",
  "voice.declined": "Call declined",
  "voice.noAnswer": "No answer",
  "voice.accept": "Accept",
  "voice.decline": "Decline",
  "voice.mute": "Mute",
  "voice.unmute": "Unmute",
  "voice.hangUp": "Hang up",
  "voice.cancel": "Cancel",
  "voice.muted": "Your microphone is off",
  "voice.peerMuted": "{name} turned their microphone off",
  "voice.forbidden": "You can call the advisor serving you, and advisors their customer.",
  "voice.busy": "Already in a call.",
  "voice.microphone": "The microphone is not available.",
  "voice.failed": "The call could not connect.",
  "voice.unavailable": "This person cannot be called right now.",
} as const;

export type StringKey = keyof typeof en;
type Strings = Record<StringKey, string>;

const fr: Strings = {
  loading: "Chargement de la boutique…",
  unavailable: "Cette boutique n'est pas disponible.",
  "conn.idle": "Non connecté",
  "conn.connecting": "Connexion…",
  "conn.online": "Connecté",
  "conn.reconnecting": "Connexion perdue, reconnexion…",
  "conn.offline": "Hors ligne",
  "conn.replaced": "Ouvert dans un autre onglet",
  "chat.title": "Discussion",
  "chat.placeholder": "Écrire un message",
  "chat.send": "Envoyer",
  "chat.label": "Message",
  "chat.log": "Conversation",
  "chat.rateLimited": "Doucement : trop de messages.",
  "chat.tooLong": "Ce message est trop long.",
  "chat.notSent": "Non connecté : le message n'a pas été envoyé.",
  "ui.language": "Langue",
  "ui.sound": "Lire à voix haute le guide et les conseillers",
  "ui.mode2d": "Mode 2D accessible",
  "ui.mode3d": "Mode 3D",
  "ui.enterVr": "Entrer en VR",
  "ui.exitVr": "Quitter la VR",
  "ui.zone": "Aller à",
  "ui.help": "Se déplacer : ZQSD, WASD ou flèches, glisser pour regarder, cliquer au sol pour marcher, cliquer sur un stand pour l'examiner.",
  "ui.noWebgl": "La 3D n'est pas disponible dans ce navigateur : voici la boutique 2D accessible.",
  "avatar.open": "Votre avatar",
  "avatar.title": "Votre avatar",
  "avatar.body": "Silhouette",
  "avatar.body.slim": "Fine",
  "avatar.body.regular": "Moyenne",
  "avatar.body.broad": "Large",
  "avatar.skin": "Teint",
  "avatar.hair": "Coiffure",
  "avatar.hair.short": "Courte",
  "avatar.hair.long": "Longue",
  "avatar.hair.bun": "Chignon",
  "avatar.hair.none": "Aucune",
  "avatar.hairColor": "Couleur des cheveux",
  "avatar.top": "Haut",
  "avatar.bottom": "Pantalon",
  "avatar.save": "Enregistrer",
  "avatar.close": "Fermer",
  "avatar.saved": "Enregistré dans ce navigateur ; les autres le voient dès votre prochaine entrée dans une salle.",
  "badge.customer": "Client",
  "badge.advisor": "Conseiller",
  "badge.bot": "Guide",
  "product.products": "Produits",
  "product.inspect": "Examiner",
  "product.configure": "Configurer",
  "product.close": "Fermer",
  "product.price": "Prix",
  "product.base": "Prix de base",
  "product.options": "Options",
  "product.total": "Total",
  "product.invalid": "Cette combinaison n'est pas possible :",
  "product.save": "Enregistrer et partager",
  "product.saved": "Enregistré. Lien à partager :",
  "product.explain": "Comment ça marche",
  "product.prev": "Précédent",
  "product.next": "Suivant",
  "product.step": "Étape {n} sur {total}",
  "product.none": "Pas encore de produits ici.",
  "product.loading": "Chargement du modèle…",
  "product.loadFailed": "Le modèle 3D n'a pas pu être chargé.",
  "product.inspectHelp": "Glisser pour tourner, molette ou pincement pour zoomer.",
  "booking.title": "Prendre rendez-vous",
  "booking.hint": "Demandez dans la discussion, par exemple : « Réserver un essai vendredi après-midi ».",
  "people.title": "Personnes présentes",
  "people.none": "Personne d'autre pour l'instant.",
  "voice.title": "Appel vocal",
  "voice.call": "Appeler {name}",
  "voice.none": "Personne à appeler pour l'instant.",
  "voice.calling": "Appel vers {name}…",
  "voice.ringing": "{name} vous appelle",
  "voice.connecting": "Connexion de l'appel avec {name}…",
  "voice.connected": "En appel avec {name}",
  "voice.ended": "Appel terminé ({duration})",
  "voice.declined": "Appel refusé",
  "voice.noAnswer": "Pas de réponse",
  "voice.accept": "Accepter",
  "voice.decline": "Refuser",
  "voice.mute": "Couper le micro",
  "voice.unmute": "Réactiver le micro",
  "voice.hangUp": "Raccrocher",
  "voice.cancel": "Annuler",
  "voice.muted": "Votre micro est coupé",
  "voice.peerMuted": "{name} a coupé son micro",
  "voice.forbidden": "Vous pouvez appeler le conseiller qui s'occupe de vous, et les conseillers leur client.",
  "voice.busy": "Déjà en appel.",
  "voice.microphone": "Le micro n'est pas disponible.",
  "voice.failed": "L'appel n'a pas pu aboutir.",
  "voice.unavailable": "Cette personne ne peut pas être appelée pour l'instant.",
};

const it: Strings = {
  loading: "Caricamento del negozio…",
  unavailable: "Questo negozio non è disponibile.",
  "conn.idle": "Non connesso",
  "conn.connecting": "Connessione…",
  "conn.online": "Connesso",
  "conn.reconnecting": "Connessione persa, riconnessione…",
  "conn.offline": "Offline",
  "conn.replaced": "Aperto in un'altra scheda",
  "chat.title": "Chat",
  "chat.placeholder": "Scrivi un messaggio",
  "chat.send": "Invia",
  "chat.label": "Messaggio",
  "chat.log": "Conversazione",
  "chat.rateLimited": "Piano: troppi messaggi.",
  "chat.tooLong": "Il messaggio è troppo lungo.",
  "chat.notSent": "Non connesso: il messaggio non è stato inviato.",
  "ui.language": "Lingua",
  "ui.sound": "Leggi ad alta voce la guida e i consulenti",
  "ui.mode2d": "Modalità 2D accessibile",
  "ui.mode3d": "Modalità 3D",
  "ui.enterVr": "Entra in VR",
  "ui.exitVr": "Esci dalla VR",
  "ui.zone": "Vai a",
  "ui.help": "Muoviti: WASD o frecce, trascina per guardare, clicca sul pavimento per camminare, clicca su uno stand per esaminarlo.",
  "ui.noWebgl": "Il 3D non è disponibile in questo browser: ecco il negozio 2D accessibile.",
  "avatar.open": "Il tuo avatar",
  "avatar.title": "Il tuo avatar",
  "avatar.body": "Corporatura",
  "avatar.body.slim": "Snella",
  "avatar.body.regular": "Media",
  "avatar.body.broad": "Robusta",
  "avatar.skin": "Carnagione",
  "avatar.hair": "Capelli",
  "avatar.hair.short": "Corti",
  "avatar.hair.long": "Lunghi",
  "avatar.hair.bun": "Chignon",
  "avatar.hair.none": "Nessuno",
  "avatar.hairColor": "Colore dei capelli",
  "avatar.top": "Maglia",
  "avatar.bottom": "Pantaloni",
  "avatar.save": "Salva",
  "avatar.close": "Chiudi",
  "avatar.saved": "Salvato in questo browser; gli altri lo vedono dal tuo prossimo ingresso in una sala.",
  "badge.customer": "Cliente",
  "badge.advisor": "Consulente",
  "badge.bot": "Guida",
  "product.products": "Prodotti",
  "product.inspect": "Esamina",
  "product.configure": "Configura",
  "product.close": "Chiudi",
  "product.price": "Prezzo",
  "product.base": "Prezzo base",
  "product.options": "Opzioni",
  "product.total": "Totale",
  "product.invalid": "Questa combinazione non è possibile:",
  "product.save": "Salva e condividi",
  "product.saved": "Salvato. Link da condividere:",
  "product.explain": "Come funziona",
  "product.prev": "Precedente",
  "product.next": "Successivo",
  "product.step": "Passo {n} di {total}",
  "product.none": "Ancora nessun prodotto qui.",
  "product.loading": "Caricamento del modello…",
  "product.loadFailed": "Impossibile caricare il modello 3D.",
  "product.inspectHelp": "Trascina per ruotare, rotella o pizzico per lo zoom.",
  "booking.title": "Prenota un appuntamento",
  "booking.hint": "Chiedi in chat, per esempio: «Prenota un test drive venerdì pomeriggio».",
  "people.title": "Persone presenti",
  "people.none": "Ancora nessun altro qui.",
  "voice.title": "Chiamata vocale",
  "voice.call": "Chiama {name}",
  "voice.none": "Ancora nessuno da chiamare.",
  "voice.calling": "Chiamata a {name}…",
  "voice.ringing": "{name} ti sta chiamando",
  "voice.connecting": "Connessione della chiamata con {name}…",
  "voice.connected": "In chiamata con {name}",
  "voice.ended": "Chiamata terminata ({duration})",
  "voice.declined": "Chiamata rifiutata",
  "voice.noAnswer": "Nessuna risposta",
  "voice.accept": "Accetta",
  "voice.decline": "Rifiuta",
  "voice.mute": "Disattiva microfono",
  "voice.unmute": "Riattiva microfono",
  "voice.hangUp": "Riaggancia",
  "voice.cancel": "Annulla",
  "voice.muted": "Il tuo microfono è disattivato",
  "voice.peerMuted": "{name} ha disattivato il microfono",
  "voice.forbidden": "Puoi chiamare il consulente che ti segue, e i consulenti il loro cliente.",
  "voice.busy": "Già in una chiamata.",
  "voice.microphone": "Il microfono non è disponibile.",
  "voice.failed": "Impossibile stabilire la chiamata.",
  "voice.unavailable": "Questa persona non può essere chiamata ora.",
};

export const STRINGS: Readonly<Record<Locale, Strings>> = { en, fr, it };

let current: Locale = "en";
const listeners = new Set<(locale: Locale) => void>();

export function isLocale(value: unknown): value is Locale {
  return value === "en" || value === "fr" || value === "it";
}

/** The first supported language the browser prefers, else English. */
export function pickLocale(preferred: readonly string[], stored: string | null): Locale {
  if (isLocale(stored)) return stored;
  for (const tag of preferred) {
    const base = tag.toLowerCase().split("-")[0];
    if (isLocale(base)) return base;
  }
  return "en";
}

export function locale(): Locale {
  return current;
}

export function setLocale(next: Locale): void {
  if (next === current) return;
  current = next;
  for (const listener of listeners) listener(next);
}

export function onLocaleChange(listener: (locale: Locale) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function t(key: StringKey, params?: Readonly<Record<string, string | number>>): string {
  let text = STRINGS[current][key];
  if (params) {
    for (const [name, value] of Object.entries(params)) text = text.replace(`{${name}}`, String(value));
  }
  return text;
}

/** A text given per locale by the server ({"en": .., "fr": ..}) in the current language. */
export function localized(text: unknown, fallback = ""): string {
  if (typeof text === "string") return text;
  if (text && typeof text === "object") {
    const map = text as Record<string, unknown>;
    for (const key of [current, "en", ...Object.keys(map)]) {
      const value = map[key];
      if (typeof value === "string") return value;
    }
  }
  return fallback;
}
