// The console's entry: renders the app into #app (index.html loads this file as a module; no inline script).
import { render } from 'preact';
import { App } from './app.js';
import { watchMailTokens } from './mail-token.js';

// Before anything else (the first render, the first API call): a mail link's token leaves the URL and history.
watchMailTokens(window);

const root = document.getElementById('app');
if (root === null) throw new Error('index.html has no #app element');
root.replaceChildren();
render(<App />, root);
