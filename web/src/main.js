// The entry point of the bundle: the stylesheets, and the code of the page
// named by <body data-page>.

import '@xterm/xterm/css/xterm.css';
import './style.css';
import { startHome } from './home.js';
import { startSession } from './session.js';
import { startInstructor, startInstructorLogin } from './instructor.js';
import { startDashboard } from './dashboard.js';
import { startJoin } from './join.js';
import { startContinue } from './continue.js';

const pages = {
  home: startHome,
  session: startSession,
  'instructor-login': startInstructorLogin,
  instructor: startInstructor,
  classroom: startDashboard,
  join: startJoin,
  continue: startContinue,
};

const start = pages[document.body.dataset.page];
if (start) start();
