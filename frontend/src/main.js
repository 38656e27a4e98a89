import { mount } from 'svelte';
import './app.css';
import './pages.css';
import App from './App.svelte';
import { getLang } from './lib/i18n.js';
import { takeOver } from './lib/takeover.js';

// index.html says "en"; the interface may have been picked in another language.
document.documentElement.lang = getLang();

// /embed/{slug} is the widget partners frame on their sites: no header, no
// footer, only the count and a button (the server lets any site frame it).
const embed = location.pathname.match(/^\/embed\/([a-z0-9-]+)\/?$/);
const target = document.getElementById('app');
if (embed) {
  const refCode = new URLSearchParams(location.search).get('ref') ?? '';
  import('./pages/Embed.svelte').then((page) =>
    mount(page.default, { target, props: { slug: embed[1], refCode: /^[a-z0-9][a-z0-9-]{0,31}$/.test(refCode) ? refCode : '' } }),
  );
} else if (target.dataset.ssr) {
  // The server rendered this page for readers without JavaScript: replace it
  // with the same page, live, once the app has its data.
  takeOver((fresh) => mount(App, { target: fresh }), target);
} else {
  mount(App, { target });
}
