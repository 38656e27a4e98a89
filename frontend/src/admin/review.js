// Pure helpers of the endorsement review queue.

/** The review statuses, in the order the filter offers them. */
export const reviewStatuses = ['awaiting_review', 'approved', 'rejected', 'unverified', 'all'];

/**
 * What a moderator may do with an endorsement in a status.
 * @param {string} status
 * @returns {string[]} among approve, reject, revoke, rename
 */
export function reviewActions(status) {
  switch (status) {
    case 'awaiting_review':
      return ['approve', 'reject', 'rename'];
    case 'approved':
      return ['revoke', 'rename'];
    case 'rejected':
    case 'unverified':
      return ['rename'];
    default:
      return [];
  }
}

/**
 * The calls an endorsement supports, numbered as in the statement.
 * @param {{all_calls: boolean, calls: string[]}} endorsement
 * @param {{id: string, text: string}[]} campaignCallList
 * @returns {{number: number | null, id: string, text: string}[]}
 */
export function endorsedCalls(endorsement, campaignCallList) {
  if (endorsement.all_calls) return [];
  return (endorsement.calls ?? []).map((id) => {
    const i = campaignCallList.findIndex((c) => c.id === id);
    return i < 0 ? { number: null, id, text: '' } : { number: i + 1, id, text: campaignCallList[i].text };
  });
}
