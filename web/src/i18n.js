// User-interface strings in English and French, and the learner's language
// preference (kept in localStorage).

const LANG_KEY = 'playground.lang';

export const LANGS = ['en', 'fr'];

const strings = {
  en: {
    product: 'Lab Playground',
    blurb: 'Three Docker nodes on a private network, a terminal on each, and a guided lab that checks your work. Nothing to install.',
    startTitle: 'Start the Docker Swarm lab',
    language: 'Language',
    start: 'Start',
    starting: 'Starting your three nodes…',
    phaseNodes: 'Creating your three nodes…',
    openPort: 'Open',
    extend: 'More time',
    endingSoon: 'This session ends in {min} min: click More time to keep working, or save what you need.',
    startFree: 'Free playground (no lab)',
    freePlayground: 'Free playground',
    addNode: 'Add node',
    addingNode: 'Adding a node…',
    maxNodes: 'A session has at most {n} nodes.',
    removeNode: 'Remove {node}',
    confirmRemoveNode: 'Remove {node}? Its containers, images and files go with it.',
    portPlaceholder: 'port',
    openPortTitle: 'Open port {port} of {node} in a new tab',
    sharePort: 'share',
    unsharePort: 'stop sharing',
    sharePortTitle: 'Make a link that opens this port for anyone who has it',
    unsharePortTitle: 'Shared at {url}: take the link back',
    portShared: 'Link to port {port} copied: anyone who has it can open the port until you stop sharing.',
    portSharedCopy: 'Anyone with this link can open port {port} until you stop sharing:',
    portUnshared: 'Port {port} is no longer shared.',
    phaseEngines: 'Nodes up; starting their Docker engines…',
    phaseImages: 'Loading the lab’s images into the nodes…',
    full: 'The playground is full, retrying in {n} s',
    yourSessions: 'Your sessions',
    noSessions: 'No live sessions.',
    resume: 'Resume',
    expiresIn: '{time} left',
    loading: 'Loading…',
    joinTitle: 'Join a class',
    classCode: 'Class code',
    yourName: 'Your name',
    join: 'Join',
    joining: 'Joining…',
    networkError: 'The server cannot be reached. Check your connection.',
    otherLang: 'Français',
    restart: 'Restart lab',
    end: 'End session',
    confirmEnd: 'End this session? Your three nodes and everything on them will be deleted.',
    confirmRestart: 'Restart the lab from the beginning? Your progress will be cleared.',
    timeLeft: '{time} left',
    expired: 'Session expired',
    expiredBanner: 'This session has expired. Start a new one from the home page.',
    sessionNotFound: 'Session not found.',
    sessionEnded: 'session ended',
    loggedOut: 'logged out: log in again to watch',
    endedBanner: 'This session has ended.',
    backHome: 'Back to the home page',
    connecting: 'connecting…',
    reconnecting: 'reconnecting…',
    disconnected: 'disconnected',
    connected: 'connected',
    nodeUnavailable: 'node unavailable',
    restartNode: 'Restart node',
    restartingNode: 'restarting the node…',
    readonly: 'read-only',
    shellPid: 'shell pid {pid}',
    progress: '{done}/{total} sections',
    run: 'Run',
    check: 'Check',
    checking: 'Checking…',
    markDone: 'Mark as done',
    done: 'Done ✓',
    sections: 'Sections',
  },
  fr: {
    product: 'Lab Playground',
    blurb: 'Trois nœuds Docker sur un réseau privé, un terminal sur chacun, et un lab guidé qui vérifie votre travail. Rien à installer.',
    startTitle: 'Démarrer le lab Docker Swarm',
    language: 'Langue',
    start: 'Démarrer',
    starting: 'Démarrage de vos trois nœuds…',
    phaseNodes: 'Création de vos trois nœuds…',
    openPort: 'Ouvrir',
    extend: 'Plus de temps',
    endingSoon: 'Cette session se termine dans {min} min : cliquez sur Plus de temps pour continuer, ou gardez ce dont vous avez besoin.',
    startFree: 'Bac à sable libre (sans lab)',
    freePlayground: 'Bac à sable libre',
    addNode: 'Ajouter un nœud',
    addingNode: 'Ajout d’un nœud…',
    maxNodes: 'Une session a au plus {n} nœuds.',
    removeNode: 'Retirer {node}',
    confirmRemoveNode: 'Retirer {node} ? Ses conteneurs, images et fichiers partent avec lui.',
    portPlaceholder: 'port',
    openPortTitle: 'Ouvrir le port {port} de {node} dans un nouvel onglet',
    sharePort: 'partager',
    unsharePort: 'ne plus partager',
    sharePortTitle: 'Créer un lien qui ouvre ce port à qui l’a',
    unsharePortTitle: 'Partagé à {url} : reprendre le lien',
    portShared: 'Lien vers le port {port} copié : qui l’a peut ouvrir le port jusqu’à ce que vous arrêtiez le partage.',
    portSharedCopy: 'Qui a ce lien peut ouvrir le port {port} jusqu’à l’arrêt du partage :',
    portUnshared: 'Le port {port} n’est plus partagé.',
    phaseEngines: 'Nœuds créés ; démarrage de leurs moteurs Docker…',
    phaseImages: 'Chargement des images du lab dans les nœuds…',
    full: 'Le playground est plein, nouvel essai dans {n} s',
    yourSessions: 'Vos sessions',
    noSessions: 'Aucune session en cours.',
    resume: 'Reprendre',
    expiresIn: 'encore {time}',
    loading: 'Chargement…',
    joinTitle: 'Rejoindre une classe',
    classCode: 'Code de la classe',
    yourName: 'Votre nom',
    join: 'Rejoindre',
    joining: 'Connexion…',
    networkError: 'Le serveur est injoignable. Vérifiez votre connexion.',
    otherLang: 'English',
    restart: 'Recommencer le lab',
    end: 'Terminer la session',
    confirmEnd: 'Terminer cette session ? Vos trois nœuds et tout leur contenu seront supprimés.',
    confirmRestart: 'Recommencer le lab depuis le début ? Votre progression sera effacée.',
    timeLeft: 'encore {time}',
    expired: 'Session expirée',
    expiredBanner: 'Cette session a expiré. Démarrez-en une nouvelle depuis la page d’accueil.',
    sessionNotFound: 'Session introuvable.',
    sessionEnded: 'session terminée',
    loggedOut: 'déconnecté : reconnectez-vous pour suivre',
    endedBanner: 'Cette session est terminée.',
    backHome: 'Retour à l’accueil',
    connecting: 'connexion…',
    reconnecting: 'reconnexion…',
    disconnected: 'déconnecté',
    connected: 'connecté',
    nodeUnavailable: 'nœud indisponible',
    restartNode: 'Redémarrer le nœud',
    restartingNode: 'redémarrage du nœud…',
    readonly: 'lecture seule',
    shellPid: 'shell pid {pid}',
    progress: '{done}/{total} sections',
    run: 'Exécuter',
    check: 'Vérifier',
    checking: 'Vérification…',
    markDone: 'Marquer comme fait',
    done: 'Fait ✓',
    sections: 'Sections',
  },
};

let current = 'en';

// storedLang returns the saved preference, or '' when there is none.
export function storedLang() {
  try {
    const v = localStorage.getItem(LANG_KEY);
    return LANGS.includes(v) ? v : '';
  } catch {
    return '';
  }
}

// setLang makes lang the language of the interface and remembers it.
export function setLang(lang) {
  if (!LANGS.includes(lang)) lang = 'en';
  current = lang;
  document.documentElement.lang = lang;
  try {
    localStorage.setItem(LANG_KEY, lang);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  applyI18n(document);
}

// lang returns the language of the interface.
export function lang() {
  return current;
}

// initialLang picks the language before anything is shown: the saved
// preference, else the browser's, else English.
export function initialLang() {
  const saved = storedLang();
  if (saved) return saved;
  const nav = (navigator.language || '').slice(0, 2).toLowerCase();
  return LANGS.includes(nav) ? nav : 'en';
}

// t returns the string for key in the current language, with {name}
// placeholders replaced from vars.
export function t(key, vars) {
  let s = strings[current][key] ?? strings.en[key] ?? key;
  if (vars) {
    for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v));
  }
  return s;
}

// applyI18n translates the elements under root marked with data-i18n (text)
// or data-i18n-placeholder (placeholder attribute).
export function applyI18n(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  }
}
