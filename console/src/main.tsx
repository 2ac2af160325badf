// The console's entry: renders the app into #app (index.html loads this file as a module; no inline script).
import { render } from 'preact';
import { App } from './app.js';

const root = document.getElementById('app');
if (root === null) throw new Error('index.html has no #app element');
root.replaceChildren();
render(<App />, root);
