// User-interface strings of the classroom pages (instructor login, the
// instructor's classrooms, the dashboard, the join page), in English and
// French. The language itself is chosen by i18n.js.

import { lang } from './i18n.js';

const strings = {
  en: {
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
    reconnecting: 'reconnecting…',
    connecting: 'connecting…',
    noLearners: 'Nobody has joined yet.',
    learner: 'Learner',
    done: 'Done',
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
    yourName: 'Your name',
    joinButton: 'Join',
    joining: 'Starting your three nodes…',
    welcomeBack: 'Welcome back, {name}. Taking you to your session…',
    classInfo: 'Lab: {lab} · sessions of {minutes} minutes',
    classClosed: 'This class is closed. Ask your instructor.',
    classFull: 'This class is full. Ask your instructor.',
    full: 'The playground is full, retrying in {n} s',
    backHome: 'Back to the home page',
  },
  fr: {
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
    reconnecting: 'reconnexion…',
    connecting: 'connexion…',
    noLearners: 'Personne n’a encore rejoint la classe.',
    learner: 'Apprenant',
    done: 'Faits',
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
    yourName: 'Votre nom',
    joinButton: 'Rejoindre',
    joining: 'Démarrage de vos trois nœuds…',
    welcomeBack: 'Bon retour, {name}. Ouverture de votre session…',
    classInfo: 'Lab : {lab} · sessions de {minutes} minutes',
    classClosed: 'Cette classe est fermée. Demandez à votre formateur.',
    classFull: 'Cette classe est complète. Demandez à votre formateur.',
    full: 'Le playground est plein, nouvel essai dans {n} s',
    backHome: 'Retour à l’accueil',
  },
};

// ct returns the classroom string for key in the current language, with
// {name} placeholders replaced from vars.
export function ct(key, vars) {
  let s = (strings[lang()] || strings.en)[key] ?? strings.en[key] ?? key;
  if (vars) {
    for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v));
  }
  return s;
}

// applyClassText translates the elements under root marked with data-ct
// (text) or data-ct-placeholder (placeholder attribute).
export function applyClassText(root) {
  for (const el of root.querySelectorAll('[data-ct]')) el.textContent = ct(el.dataset.ct);
  for (const el of root.querySelectorAll('[data-ct-placeholder]')) el.placeholder = ct(el.dataset.ctPlaceholder);
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
  const t = Date.parse(iso || '');
  if (Number.isNaN(t)) return ct('never');
  return new Date(t).toLocaleTimeString(lang(), { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

// switchLangButton wires a button that toggles between English and French
// and calls onChange after the switch.
export function switchLangButton(button, setLang, t, onChange) {
  const label = () => { button.textContent = t('otherLang'); };
  label();
  button.addEventListener('click', () => {
    setLang(lang() === 'fr' ? 'en' : 'fr');
    applyClassText(document);
    label();
    if (onChange) onChange();
  });
}
