// User-interface strings of every page (the learner's and the classroom
// pages) in English and French, in one table, and the learner's language
// preference (kept in localStorage).

const LANG_KEY = 'playground.lang';

export const LANGS = ['en', 'fr'];

const strings = {
  en: {
    product: 'Lab Playground',
    blurb: 'Real Docker hosts on a private network, a terminal on each, and a guided lab that checks your work. Nothing to install.',
    startTitle: 'Start a lab',
    language: 'Language',
    start: 'Start',
    starting: 'Starting your nodes…',
    phaseNodes: 'Creating your nodes…',
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
    anotherDevice: 'Another device',
    deviceLoading: 'Looking for your link…',
    deviceExplain: 'To continue on another computer or browser, open a link of yours there: it becomes you, with your sessions and progress. Keep the link to yourself, as you would a password.',
    deviceMake: 'Make a link',
    deviceCopied: 'Link copied.',
    deviceNew: 'This link works until {date}; a new one replaces it.',
    deviceActive: 'You have a link that works until {date} (opened {n} times). It is shown only when made: make a new one to see it.',
    deviceReplace: 'New link',
    deviceStop: 'Stop this link',
    deviceStopped: 'The link is stopped: it opens nothing any more. Browsers that already opened it stay yours.',
    continueTitle: 'Continue on this device',
    continueClass: 'This link continues the work of {name} in the class “{classroom}”.',
    continueAnon: 'This link continues the work of a learner of this playground.',
    continueSession: 'Their session of {lab} is running.',
    continueEnded: 'Their session has ended; you will see their sessions on the home page.',
    continueUntil: 'The link works until {date}.',
    continueLeaves: 'This browser has {n} session(s) of its own: after continuing, it will no longer reach them.',
    continueHere: 'Continue here',
    continuing: 'Opening the session…',
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
    confirmEnd: 'End this session? Its nodes and everything on them will be deleted.',
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
    doneEarlier: 'Done earlier ✓ — this check does not pass any more (a later step may have changed the nodes):',
    quizSubmit: 'Answer',
    quizAnswer: 'Your answer',
    quizPick: 'Pick an answer first.',
    quizRight: 'Right ✓',
    quizRightEarlier: 'Answered right ✓',
    quizWrong: 'Not right ✗.',
    quizzesLeft: 'The checks pass. Answer the quiz of this section to finish it ({n} left).',
    quizCell: 'Quiz {id}: {attempts} answers',
    sections: 'Sections',
    // Copy and paste, files, and the lab's code and file blocks.
    copyFailed: 'The browser did not let the page copy; use Ctrl+C in the text instead.',
    nothingSelected: 'Select some text first.',
    pasteBlocked: 'The browser does not let the page read the clipboard here: paste with Ctrl+V or the browser’s menu.',
    menu_copy: 'Copy (Ctrl+Shift+C)',
    menu_paste: 'Paste (Ctrl+Shift+V)',
    menu_selectAll: 'Select all',
    menu_uploadFiles: 'Upload files…',
    menu_downloadFile: 'Download a file…',
    uploadTitle: 'Upload files to {node} (or drop them on its terminal)',
    uploaded: '{name} uploaded to {path}.',
    uploadFailed: '{name} was not uploaded: {why}',
    uploadCancelled: 'Upload cancelled.',
    downloadPlaceholder: 'path of a file, e.g. /root/notes.txt',
    download: 'Download',
    downloaded: '{name} downloaded ({size} bytes).',
    downloadFailed: 'Nothing downloaded: {why}',
    copyCode: 'Copy',
    labProblemsKept: 'The latest version of this lab fails lint; the page shows the last good one. Fix:',
    labProblemsNone: 'This lab fails lint, so it is not served. Fix:',
    codeCopied: 'Copied',
    writeFile: 'Write file',
    fileWritten: 'Written to {path} on {node}.',
    fileNotWritten: 'Not written: {why}',
    chooseLab: 'Lab',
    labNodes: '{n} nodes',
    labNode: '1 node',
    // The classroom pages: instructor login, classrooms, dashboard, join page.
    loginTitle: 'Instructor login',
    email: 'Email',
    password: 'Password',
    logIn: 'Log in',
    loggingIn: 'Logging in…',
    logOut: 'Log out',
    yourClassrooms: 'Your classrooms',
    newClassroom: 'New classroom',
    className: 'Class name',
    lab: 'Lab',
    sessionMinutes: 'Session length (minutes)',
    seats: 'Seats (empty: no limit)',
    create: 'Create classroom',
    creating: 'Creating…',
    classrooms: 'Classrooms',
    code: 'Code',
    learners: 'Learners',
    status: 'Status',
    created: 'Created',
    open: 'open',
    closed: 'closed',
    openDashboard: 'Dashboard',
    noClassrooms: 'No classrooms yet: create one above.',
    labsWithProblems: 'Labs with problems',
    labsWithProblemsHelp: 'These labs of the run-time labs folder fail lint in their latest version. Fix the files; the server reads them again as you save.',
    labServedEarlier: 'its last good version is served',
    labNotServed: 'not served',
    exportCsv: 'Export CSV',
    exportJson: 'Export JSON',
    closeClass: 'Close class',
    confirmClose: 'Close this class? Every learner’s session ends now; their progress is kept.',
    closedBanner: 'This class is closed: learners can no longer join or work in it. Their progress is kept.',
    closedCount: 'Class closed; {n} sessions ended.',
    joinWith: 'Join at',
    orCode: 'or type the code on the home page',
    copyLink: 'Copy link',
    copied: 'Copied',
    seatCount: '{n} learners',
    seatCountOne: '1 learner',
    seatCountOf: '{n} / {seats} seats',
    readySeatsTitle: 'Seats ready before the class',
    readySeatsInput: 'Seats to make ready',
    readyNone: 'ready: ask for as many as you expect learners, a few minutes before they join',
    readyOf: 'ready of {asked} asked; more on the way',
    readyAll: 'ready: each learner who joins takes one at once',
    makeReady: 'Make ready',
    readySaved: 'Asked for {n} ready seats.',
    live: 'live',
    noLearners: 'Nobody has joined yet.',
    learner: 'Learner',
    doneColumn: 'Done',
    lastActivity: 'Last activity',
    section: 'Section',
    attempts: 'Attempts',
    lastAttempt: 'Last attempt',
    completed: 'Completed',
    closePane: 'Close',
    watchNote: 'Read-only view: you see what the learner sees; nothing you type reaches their terminals.',
    noSession: 'No session yet.',
    sessionState: 'session {status}',
    sessionEndedNote: 'This learner’s session has ended; their terminals are gone.',
    ago: '{t} ago',
    never: '—',
    pending: 'pending',
    failed: 'failed',
    passed: 'done',
    classroomNotFound: 'Classroom not found.',
    joinAClass: 'Join a class',
    joinButton: 'Join',
    joiningNodes: 'Starting your nodes…',
    welcomeBack: 'Welcome back, {name}. Taking you to your session…',
    classInfo: 'Lab: {lab} · sessions of {minutes} minutes',
    classClosed: 'This class is closed. Ask your instructor.',
    classFull: 'This class is full. Ask your instructor.',
  },
  fr: {
    product: 'Lab Playground',
    blurb: 'De vrais hôtes Docker sur un réseau privé, un terminal sur chacun, et un lab guidé qui vérifie votre travail. Rien à installer.',
    startTitle: 'Démarrer un lab',
    language: 'Langue',
    start: 'Démarrer',
    starting: 'Démarrage de vos nœuds…',
    phaseNodes: 'Création de vos nœuds…',
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
    anotherDevice: 'Autre appareil',
    deviceLoading: 'Recherche de votre lien…',
    deviceExplain: 'Pour continuer sur un autre ordinateur ou navigateur, ouvrez-y un lien à vous : il devient vous, avec vos sessions et votre progression. Gardez ce lien pour vous, comme un mot de passe.',
    deviceMake: 'Créer un lien',
    deviceCopied: 'Lien copié.',
    deviceNew: 'Ce lien fonctionne jusqu’au {date} ; un nouveau le remplace.',
    deviceActive: 'Vous avez un lien qui fonctionne jusqu’au {date} (ouvert {n} fois). Il n’est montré qu’à sa création : créez-en un nouveau pour le voir.',
    deviceReplace: 'Nouveau lien',
    deviceStop: 'Arrêter ce lien',
    deviceStopped: 'Le lien est arrêté : il n’ouvre plus rien. Les navigateurs qui l’ont déjà ouvert restent les vôtres.',
    continueTitle: 'Continuer sur cet appareil',
    continueClass: 'Ce lien reprend le travail de {name} dans la classe « {classroom} ».',
    continueAnon: 'Ce lien reprend le travail d’un apprenant de ce playground.',
    continueSession: 'Sa session de {lab} est en cours.',
    continueEnded: 'Sa session est terminée ; ses sessions seront sur la page d’accueil.',
    continueUntil: 'Le lien fonctionne jusqu’au {date}.',
    continueLeaves: 'Ce navigateur a {n} session(s) à lui : après avoir continué, il ne les atteindra plus.',
    continueHere: 'Continuer ici',
    continuing: 'Ouverture de la session…',
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
    confirmEnd: 'Terminer cette session ? Ses nœuds et tout leur contenu seront supprimés.',
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
    doneEarlier: 'Fait plus tôt ✓ — cette vérification ne passe plus (une étape suivante a peut-être changé les nœuds) :',
    quizSubmit: 'Répondre',
    quizAnswer: 'Votre réponse',
    quizPick: 'Choisissez d’abord une réponse.',
    quizRight: 'Juste ✓',
    quizRightEarlier: 'Bonne réponse donnée ✓',
    quizWrong: 'Pas tout à fait ✗.',
    quizzesLeft: 'Les vérifications passent. Répondez à la question de cette section pour la terminer ({n} restante(s)).',
    quizCell: 'Question {id} : {attempts} réponse(s)',
    sections: 'Sections',
    // Copier-coller, fichiers, blocs de code et de fichier du lab.
    copyFailed: 'Le navigateur n’a pas laissé la page copier ; utilisez Ctrl+C dans le texte.',
    nothingSelected: 'Sélectionnez d’abord du texte.',
    pasteBlocked: 'Ici, le navigateur ne laisse pas la page lire le presse-papiers : collez avec Ctrl+V ou le menu du navigateur.',
    menu_copy: 'Copier (Ctrl+Maj+C)',
    menu_paste: 'Coller (Ctrl+Maj+V)',
    menu_selectAll: 'Tout sélectionner',
    menu_uploadFiles: 'Envoyer des fichiers…',
    menu_downloadFile: 'Télécharger un fichier…',
    uploadTitle: 'Envoyer des fichiers sur {node} (ou les déposer sur son terminal)',
    uploaded: '{name} envoyé dans {path}.',
    uploadFailed: '{name} n’a pas été envoyé : {why}',
    uploadCancelled: 'Envoi annulé.',
    downloadPlaceholder: 'chemin d’un fichier, ex. /root/notes.txt',
    download: 'Télécharger',
    downloaded: '{name} téléchargé ({size} octets).',
    downloadFailed: 'Rien n’a été téléchargé : {why}',
    copyCode: 'Copier',
    labProblemsKept: 'La dernière version de ce lab ne passe pas la vérification ; la page montre la dernière bonne. À corriger :',
    labProblemsNone: 'Ce lab ne passe pas la vérification : il n’est pas servi. À corriger :',
    codeCopied: 'Copié',
    writeFile: 'Écrire le fichier',
    fileWritten: 'Écrit dans {path} sur {node}.',
    fileNotWritten: 'Fichier non écrit : {why}',
    chooseLab: 'Lab',
    labNodes: '{n} nœuds',
    labNode: '1 nœud',
    // The classroom pages: instructor login, classrooms, dashboard, join page.
    loginTitle: 'Connexion formateur',
    email: 'E-mail',
    password: 'Mot de passe',
    logIn: 'Se connecter',
    loggingIn: 'Connexion…',
    logOut: 'Se déconnecter',
    yourClassrooms: 'Vos classes',
    newClassroom: 'Nouvelle classe',
    className: 'Nom de la classe',
    lab: 'Lab',
    sessionMinutes: 'Durée des sessions (minutes)',
    seats: 'Places (vide : sans limite)',
    create: 'Créer la classe',
    creating: 'Création…',
    classrooms: 'Classes',
    code: 'Code',
    learners: 'Apprenants',
    status: 'État',
    created: 'Créée',
    open: 'ouverte',
    closed: 'fermée',
    openDashboard: 'Tableau de bord',
    noClassrooms: 'Aucune classe : créez-en une ci-dessus.',
    labsWithProblems: 'Labs à corriger',
    labsWithProblemsHelp: 'La dernière version de ces labs du dossier des labs ne passe pas la vérification. Corrigez les fichiers : le serveur les relit à chaque enregistrement.',
    labServedEarlier: 'sa dernière bonne version est servie',
    labNotServed: 'non servi',
    exportCsv: 'Exporter en CSV',
    exportJson: 'Exporter en JSON',
    closeClass: 'Fermer la classe',
    confirmClose: 'Fermer cette classe ? Les sessions de tous les apprenants s’arrêtent ; leur progression est conservée.',
    closedBanner: 'Cette classe est fermée : on ne peut plus la rejoindre ni y travailler. La progression est conservée.',
    closedCount: 'Classe fermée ; {n} sessions arrêtées.',
    joinWith: 'Rejoindre via',
    orCode: 'ou saisir le code sur la page d’accueil',
    copyLink: 'Copier le lien',
    copied: 'Copié',
    seatCount: '{n} apprenants',
    seatCountOne: '1 apprenant',
    seatCountOf: '{n} / {seats} places',
    readySeatsTitle: 'Places prêtes avant le cours',
    readySeatsInput: 'Places à préparer',
    readyNone: 'prêtes : demandez-en autant que d’apprenants attendus, quelques minutes avant leur arrivée',
    readyOf: 'prêtes sur {asked} demandées ; les autres arrivent',
    readyAll: 'prêtes : chaque apprenant qui rejoint en prend une aussitôt',
    makeReady: 'Préparer',
    readySaved: '{n} places prêtes demandées.',
    live: 'en direct',
    noLearners: 'Personne n’a encore rejoint la classe.',
    learner: 'Apprenant',
    doneColumn: 'Faits',
    lastActivity: 'Dernière activité',
    section: 'Section',
    attempts: 'Essais',
    lastAttempt: 'Dernier essai',
    completed: 'Terminée',
    closePane: 'Fermer',
    watchNote: 'Vue en lecture seule : vous voyez ce que voit l’apprenant ; rien de ce que vous tapez n’atteint ses terminaux.',
    noSession: 'Pas encore de session.',
    sessionState: 'session {status}',
    sessionEndedNote: 'La session de cet apprenant est terminée ; ses terminaux n’existent plus.',
    ago: 'il y a {t}',
    never: '—',
    pending: 'à faire',
    failed: 'échec',
    passed: 'fait',
    classroomNotFound: 'Classe introuvable.',
    joinAClass: 'Rejoindre une classe',
    joinButton: 'Rejoindre',
    joiningNodes: 'Démarrage de vos nœuds…',
    welcomeBack: 'Bon retour, {name}. Ouverture de votre session…',
    classInfo: 'Lab : {lab} · sessions de {minutes} minutes',
    classClosed: 'Cette classe est fermée. Demandez à votre formateur.',
    classFull: 'Cette classe est complète. Demandez à votre formateur.',
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

// ago says how long ago a time was, briefly: "12 s", "3 min", "1 h 05".
export function ago(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  return `${h} h ${String(m % 60).padStart(2, '0')}`;
}

// clock formats an RFC 3339 time as a local time of day, or '—'.
export function clock(iso) {
  const at = Date.parse(iso || '');
  if (Number.isNaN(at)) return t('never');
  return new Date(at).toLocaleTimeString(lang(), { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

// switchLangButton wires a button that toggles between English and French
// and calls onChange after the switch.
export function switchLangButton(button, onChange) {
  const label = () => { button.textContent = t('otherLang'); };
  label();
  button.addEventListener('click', () => {
    setLang(lang() === 'fr' ? 'en' : 'fr');
    label();
    if (onChange) onChange();
  });
}
