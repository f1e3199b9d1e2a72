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
  "centre.eraseConfirm": "Erase everything this store holds about you? This cannot be undone.",
  "centre.erasing": "Erasing…",
  "centre.erased": "Your data has been erased.",
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
    "Effacer tout ce que cette boutique détient sur vous ? C'est irréversible.",
  "centre.erasing": "Effacement…",
  "centre.erased": "Vos données ont été effacées.",
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
  "centre.eraseConfirm": "Cancellare tutto ciò che questo negozio conserva su di te? È irreversibile.",
  "centre.erasing": "Cancellazione…",
  "centre.erased": "I tuoi dati sono stati cancellati.",
  "centre.failed": "Qualcosa è andato storto; riprova.",
  "centre.close": "Chiudi",
};

export const PRIVACY_STRINGS: Record<PrivacyLocale, Record<PrivacyKey, string>> = { en, fr, it };

export function pt(locale: string, key: PrivacyKey): string {
  const table = PRIVACY_STRINGS[(locale in PRIVACY_STRINGS ? locale : "en") as PrivacyLocale];
  return table[key];
}
