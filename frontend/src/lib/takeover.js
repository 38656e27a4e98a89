// Taking over a page the server rendered (issue 13). Without JavaScript the
// server's HTML is the whole page; with it, the SPA builds the same page off
// screen and swaps it in once its data has arrived, so that the reader never
// sees a "Loading…" in place of the text already there. What the reader typed
// into the server's form in the meantime is carried into the SPA's.

let pending = 0;
let waiters = [];

/** Count a load the first render waits for; call the returned function when it is done. */
export function begin() {
  pending++;
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    pending--;
    // A load that ends may render a part that starts another (a lazy page, then
    // its data): look again once Svelte's effects have run.
    setTimeout(() => {
      if (pending === 0) for (const resolve of waiters.splice(0)) resolve();
    }, 0);
  };
}

/** A promise counted by begin() until it settles; returns the promise itself. */
export function track(promise) {
  const end = begin();
  promise.then(end, end);
  return promise;
}

/** Resolves once no counted load is pending (after effects have started), or after timeout ms. */
export function settled(timeout = 3000) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeout);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    // Effects start their loads after mounting: look once they have run.
    setTimeout(() => {
      if (pending === 0) done();
      else waiters.push(done);
    }, 0);
  });
}

/** The part of a field's id after its form's prefix: "sign-name" and "s1-name" both give "name". */
const suffix = (id) => id.slice(id.indexOf('-') + 1);

/**
 * Carry what the reader changed in the server's fields into the SPA's, matched by
 * id suffix, and the focus with it. Svelte's bindings listen to input and change events.
 * @param {HTMLElement} from the server-rendered #app
 * @param {HTMLElement} to the SPA's #app, not yet in the document
 */
export function carryOver(from, to) {
  let focus = null;
  for (const el of from.querySelectorAll('input[id], textarea[id], select[id]')) {
    if (el.type === 'hidden') continue;
    const twin = to.querySelector(`[id$="-${CSS.escape(suffix(el.id))}"]`);
    if (!twin || twin.tagName !== el.tagName) continue;
    if (document.activeElement === el) focus = twin;
    if (el.type === 'checkbox' || el.type === 'radio') {
      if (el.checked === el.defaultChecked || twin.checked === el.checked) continue;
      twin.checked = el.checked;
      twin.dispatchEvent(new Event('change', { bubbles: true }));
    } else if (el.tagName === 'SELECT' ? el.selectedIndex !== [...el.options].findIndex((o) => o.defaultSelected) : el.value !== el.defaultValue) {
      twin.value = el.value;
      twin.dispatchEvent(new Event('input', { bubbles: true }));
      twin.dispatchEvent(new Event('change', { bubbles: true }));
    }
  }
  return focus;
}

/**
 * Mount the app over a server-rendered #app: off screen first, then in its place.
 * @param {(target: HTMLElement) => void} mountApp
 * @param {HTMLElement} server
 */
export async function takeOver(mountApp, server) {
  const fresh = document.createElement('div');
  fresh.id = server.id;
  // A form the SPA also has, sent before the swap, is held and sent by the
  // SPA's form once it is in place (with its proof of work); the others (the
  // language buttons, the buttons of the pages behind email links) go to the
  // server as they would without JavaScript.
  let held = null;
  const hold = (event) => {
    if (!hasFields(event.target)) return;
    event.preventDefault();
    held = event.target;
  };
  server.addEventListener('submit', hold);
  mountApp(fresh);
  await settled();
  server.removeEventListener('submit', hold);
  const twin = held && twinForm(held, fresh);
  if (held && !twin) {
    held.submit(); // the app has no such form (yet): let the server answer it
    return;
  }
  const focus = carryOver(server, fresh);
  const y = window.scrollY;
  server.replaceWith(fresh);
  window.scrollTo(0, y);
  focus?.focus({ preventScroll: true });
  twin?.requestSubmit();
}

/** Whether a form has fields a person fills in (the sign and endorse forms, not a lone button). */
const hasFields = (form) => Boolean(form.querySelector?.('input[id]:not([type=hidden]), textarea[id], select[id]'));

/** The SPA's form that has the same fields as a server form, or null. */
function twinForm(form, app) {
  for (const el of form.querySelectorAll('input[id]:not([type=hidden]), textarea[id], select[id]')) {
    const twin = app.querySelector(`[id$="-${CSS.escape(suffix(el.id))}"]`)?.closest('form');
    if (twin) return twin;
  }
  return null;
}
