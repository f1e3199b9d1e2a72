/** The privacy UI's own strings; every key exists in every locale (tested). */

export type PrivacyLocale = "en" | "fr" | "it";

const en = {
  "prompt.title": "Your privacy in this store",
  "prompt.intro":
    "The store works without any of the options below. Choose what you allow; you can change it at any time in the Privacy centre.",
  "prompt.accept": "Accept all",
  "prompt.refuse": "Refuse all",
  "prompt.choose": "Choose",
  "prompt.save": "Save my choices",
  "prompt.alwaysOn": "Always on",
  "centre.title": "Privacy centre",
  "centre.choices": "What you allow",
  "centre.saved": "Saved.",
  "centre.history": "History of your choices",
  "centre.granted": "allowed",
  "centre.withdrawn": "refused",
  "centre.yourData": "Your data",
  "centre.download": "Download my data",
  "centre.preparing": "Preparing your copy…",
  "centre.ready": "Your copy is ready:",
  "centre.downloadLink": "download the ZIP file",
  "centre.erase": "Erase my data",
  "centre.eraseConfirm": "Erase your data? What this visit holds goes at once; a customer account you signed in to goes to the data-protection officer.",
  "centre.erasing": "Erasing…",
  "centre.erasedSession": "What this visit held (your chat in the store, your choices, the signals of this browser) has been erased.",
  "centre.referred": "Your customer account (profile, contact details, contracts) is not erased yet: it has gone to the data-protection officer, who will answer by {date}. Until then nothing of it is deleted.",
  "centre.hold.financing_contract": "Kept for a legal reason: your financing contract is still running, and its records must be kept while it runs and for the period the law sets afterwards.",
  "centre.requestStatus": "Status of the request for your account: {status}.",
  "centre.status.review": "with the data-protection officer",
  "centre.status.pending": "being processed",
  "centre.status.running": "being processed",
  "centre.status.done": "done, your account data has been erased",
  "centre.status.failed": "not completed; the data-protection officer follows it up",
  "centre.failed": "Something went wrong; please try again.",
  "centre.close": "Close",
} as const;

export type PrivacyKey = keyof typeof en;

const fr: Record<PrivacyKey, string> = {
  "prompt.title": "Votre vie privée dans cette boutique",
  "prompt.intro":
    "La boutique fonctionne sans aucune des options ci-dessous. Choisissez ce que vous autorisez ; vous pouvez changer d'avis à tout moment dans l'Espace confidentialité.",
  "prompt.accept": "Tout accepter",
  "prompt.refuse": "Tout refuser",
  "prompt.choose": "Choisir",
  "prompt.save": "Enregistrer mes choix",
  "prompt.alwaysOn": "Toujours actif",
  "centre.title": "Espace confidentialité",
  "centre.choices": "Ce que vous autorisez",
  "centre.saved": "Enregistré.",
  "centre.history": "Historique de vos choix",
  "centre.granted": "autorisé",
  "centre.withdrawn": "refusé",
  "centre.yourData": "Vos données",
  "centre.download": "Télécharger mes données",
  "centre.preparing": "Préparation de votre copie…",
  "centre.ready": "Votre copie est prête :",
  "centre.downloadLink": "télécharger le fichier ZIP",
  "centre.erase": "Effacer mes données",
  "centre.eraseConfirm":
    "Effacer vos données ? Ce que contient cette visite part tout de suite ; un compte client auquel vous vous êtes connecté est transmis au délégué à la protection des données.",
  "centre.erasing": "Effacement…",
  "centre.erasedSession": "Ce que cette visite contenait (votre chat dans la boutique, vos choix, les signaux de ce navigateur) a été effacé.",
  "centre.referred": "Votre compte client (profil, coordonnées, contrats) n'est pas encore effacé : il a été transmis au délégué à la protection des données, qui répondra d'ici le {date}. D'ici là, rien n'en est supprimé.",
  "centre.hold.financing_contract": "Conservé pour une raison légale : votre contrat de financement est en cours, et ses pièces doivent être gardées pendant sa durée et le délai fixé par la loi ensuite.",
  "centre.requestStatus": "État de la demande pour votre compte : {status}.",
  "centre.status.review": "chez le délégué à la protection des données",
  "centre.status.pending": "en cours de traitement",
  "centre.status.running": "en cours de traitement",
  "centre.status.done": "terminée, les données de votre compte ont été effacées",
  "centre.status.failed": "non aboutie ; le délégué à la protection des données en assure le suivi",
  "centre.failed": "Une erreur est survenue ; veuillez réessayer.",
  "centre.close": "Fermer",
};

const it: Record<PrivacyKey, string> = {
  "prompt.title": "La tua privacy in questo negozio",
  "prompt.intro":
    "Il negozio funziona senza nessuna delle opzioni qui sotto. Scegli cosa consentire; puoi cambiare idea in qualsiasi momento nel Centro privacy.",
  "prompt.accept": "Accetta tutto",
  "prompt.refuse": "Rifiuta tutto",
  "prompt.choose": "Scegli",
  "prompt.save": "Salva le mie scelte",
  "prompt.alwaysOn": "Sempre attivo",
  "centre.title": "Centro privacy",
  "centre.choices": "Cosa consenti",
  "centre.saved": "Salvato.",
  "centre.history": "Cronologia delle tue scelte",
  "centre.granted": "consentito",
  "centre.withdrawn": "rifiutato",
  "centre.yourData": "I tuoi dati",
  "centre.download": "Scarica i miei dati",
  "centre.preparing": "Preparazione della copia…",
  "centre.ready": "La tua copia è pronta:",
  "centre.downloadLink": "scarica il file ZIP",
  "centre.erase": "Cancella i miei dati",
  "centre.eraseConfirm": "Cancellare i tuoi dati? Ciò che contiene questa visita va via subito; un account cliente a cui hai effettuato l'accesso viene inoltrato al responsabile della protezione dei dati.",
  "centre.erasing": "Cancellazione…",
  "centre.erasedSession": "Ciò che questa visita conteneva (la tua chat nel negozio, le tue scelte, i segnali di questo browser) è stato cancellato.",
  "centre.referred": "Il tuo account cliente (profilo, recapiti, contratti) non è ancora cancellato: è stato inoltrato al responsabile della protezione dei dati, che risponderà entro il {date}. Fino ad allora non ne viene eliminato nulla.",
  "centre.hold.financing_contract": "Conservato per un motivo legale: il tuo contratto di finanziamento è in corso, e i suoi documenti vanno conservati per la sua durata e per il periodo stabilito dalla legge dopo.",
  "centre.requestStatus": "Stato della richiesta per il tuo account: {status}.",
  "centre.status.review": "presso il responsabile della protezione dei dati",
  "centre.status.pending": "in lavorazione",
  "centre.status.running": "in lavorazione",
  "centre.status.done": "completata, i dati del tuo account sono stati cancellati",
  "centre.status.failed": "non completata; il responsabile della protezione dei dati se ne occupa",
  "centre.failed": "Qualcosa è andato storto; riprova.",
  "centre.close": "Chiudi",
};

export const PRIVACY_STRINGS: Record<PrivacyLocale, Record<PrivacyKey, string>> = { en, fr, it };

export function pt(locale: string, key: PrivacyKey): string {
  const table = PRIVACY_STRINGS[(locale in PRIVACY_STRINGS ? locale : "en") as PrivacyLocale];
  return table[key];
}
