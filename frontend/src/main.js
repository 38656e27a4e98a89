import { mount } from 'svelte';
import './app.css';
import './pages.css';
import App from './App.svelte';
import { getLang, ready } from './lib/i18n.js';
import { takeOver } from './lib/takeover.js';

// /embed/{slug} is the widget partners frame on their sites: no header, no
// footer, only the count and a button (the server lets any site frame it).
const embed = location.pathname.match(/^\/embed\/([a-z0-9-]+)\/?$/);
const target = document.getElementById('app');
// The embed's page starts loading beside the language's strings.
const embedPage = embed && import('./pages/Embed.svelte');

// Mount once the reader's language has loaded (Belarusian and Russian are
// lazy chunks, i18n.js), so that no English flashes first; `ready` settles
// in English when they cannot be fetched.
ready.then(() => {
  // index.html says "en"; the interface may have been picked in another language.
  document.documentElement.lang = getLang();
  if (embed) {
    const refCode = new URLSearchParams(location.search).get('ref') ?? '';
    embedPage.then((page) =>
      mount(page.default, { target, props: { slug: embed[1], refCode: /^[a-z0-9][a-z0-9-]{0,31}$/.test(refCode) ? refCode : '' } }),
    );
  } else if (target.dataset.ssr) {
    // The server rendered this page for readers without JavaScript: replace it
    // with the same page, live, once the app has its data.
    takeOver((fresh) => mount(App, { target: fresh }), target);
  } else {
    mount(App, { target });
  }
});
