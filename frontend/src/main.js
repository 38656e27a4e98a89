import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { getLang } from './lib/i18n.js';

// index.html says "en"; the interface may have been picked in another language.
document.documentElement.lang = getLang();

mount(App, { target: document.getElementById('app') });
