import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { lang } from './lib/i18n.js';

// index.html says "en"; the interface may have been picked in another language.
document.documentElement.lang = lang;

mount(App, { target: document.getElementById('app') });
