// Whether a campaign takes signatures (and endorsements) now: open, and
// inside its opening window. The server decides the same way (a sign or an
// endorse outside the window is a 409); pages ask first, so that they offer
// no form that would be refused.

/**
 * @param {{status: string, opens_at?: string | null, closes_at?: string | null}} campaign
 * @param {number} [now] milliseconds since the epoch
 */
export function takesSignatures(campaign, now = Date.now()) {
  if (campaign?.status !== 'open') return false;
  if (campaign.opens_at && Date.parse(campaign.opens_at) > now) return false;
  return !(campaign.closes_at && Date.parse(campaign.closes_at) < now);
}
