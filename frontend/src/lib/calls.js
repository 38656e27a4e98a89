// A statement's calls are shown in two groups, by whom they address. A call
// addressed to both Belarus and the international community appears in both.

const international = new Set(['eu', 'us', 'intl']);

/**
 * @param {{id: number|string, audiences: string[], text: string}[]} calls in statement order
 * @returns {{belarus: typeof calls, international: typeof calls}} each in statement order
 */
export function groupCalls(calls) {
  const groups = { belarus: [], international: [] };
  for (const call of calls ?? []) {
    const audiences = call.audiences ?? [];
    if (audiences.includes('belarus')) groups.belarus.push(call);
    if (audiences.some((a) => international.has(a))) groups.international.push(call);
  }
  return groups;
}
