// How often the transparency logs publish, in words: "10 minutes",
// "10 хвілін" — from the server's LOG_BATCH_INTERVAL (GET /site), with
// CLDR's plural rules, never a fixed "ten minutes".

import { getSite } from './api.js';
import { t, tn } from './i18n.js';

/**
 * The interval as a phrase that fits "within about …" / "about every …",
 * in whole minutes (at least one); "a few minutes" while it is unknown.
 * @param {number | null | undefined} seconds
 */
export function intervalPhrase(seconds) {
  if (!Number.isFinite(seconds) || seconds <= 0) return t('log.interval.unknown');
  return tn('log.interval', Math.max(1, Math.round(seconds / 60)));
}

/** The configured interval in seconds, or null when the server cannot say. */
export async function logIntervalSeconds() {
  try {
    const site = await getSite();
    return typeof site?.log_interval_seconds === 'number' ? site.log_interval_seconds : null;
  } catch {
    return null;
  }
}
