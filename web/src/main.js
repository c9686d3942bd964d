// The entry point of the bundle: the stylesheets, and the code of the page
// named by <body data-page>.

import '@xterm/xterm/css/xterm.css';
import './style.css';
import { startHome } from './home.js';
import { startSession } from './session.js';

const pages = { home: startHome, session: startSession };

const start = pages[document.body.dataset.page];
if (start) start();
