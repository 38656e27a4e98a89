// A campaign in the reader's language where the campaign has a translation
// in it; otherwise as written. Calls are translated by position.

/**
 * @param {{language?: string, title: string, summary: string, body_html: string,
 *   calls?: {id: string, audiences: string[], text: string}[],
 *   translations?: Record<string, {title?: string, summary?: string, body_html?: string, calls?: string[]}>}} campaign
 * @param {string} lang the interface language
 * @returns {typeof campaign} with `language` set to the language of the text shown
 */
export function localizeCampaign(campaign, lang) {
  const tr = campaign.language === lang ? null : campaign.translations?.[lang];
  if (!tr || !tr.title) return campaign;
  return {
    ...campaign,
    language: lang,
    title: tr.title,
    summary: tr.summary || campaign.summary,
    body_html: tr.body_html || campaign.body_html,
    calls: (campaign.calls ?? []).map((call, i) => ({ ...call, text: tr.calls?.[i] || call.text })),
  };
}
