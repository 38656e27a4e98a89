// The console's one session and the reactive view of who is signed in.

import { createSession } from './session.js';

/** Who is signed in (null: nobody) and whether the first refresh has answered. */
export const auth = $state({ user: null, ready: false });

export const session = createSession({
  onChange(user) {
    auth.user = user;
  },
});

/** Restore the session from the refresh cookie, once, when the console opens. */
export async function restore() {
  try {
    await session.refresh();
  } catch {
    // The server could not be reached: show the sign-in form, which says so on use.
  } finally {
    auth.ready = true;
  }
}
