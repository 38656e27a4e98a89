// English interface strings. Other languages copy these keys; a key missing
// there falls back to this file. {name} marks a value filled in by t().

export default {
  'site.name': 'undersigned',
  'site.tagline': 'Petitions and statements of Belarusian civil society',
  'nav.label': 'Main',
  'nav.campaigns': 'Campaigns',
  'skip': 'Skip to content',
  'footer.privacy': 'This site loads nothing from other websites and does not track you.',

  'loading': 'Loading…',
  'error.title': 'Something went wrong',
  'error.network': 'The server could not be reached. Check your connection and try again.',
  'error.generic': 'The page could not be loaded. Please try again later.',
  'error.retry': 'Try again',

  'list.title': 'Campaigns',
  'list.empty': 'There are no public campaigns yet.',
  'list.read': 'Read and sign',

  'campaign.status.open': 'Open for signatures',
  'campaign.status.closed': 'Closed',
  'campaign.status.draft': 'Draft',
  'campaign.signatures.one': '{count} signature',
  'campaign.signatures.other': '{count} signatures',
  'campaign.goal': 'Goal: {goal}',
  'campaign.progress': 'Signatures toward the goal',
  'campaign.closes': 'Open until {date}',
  'campaign.closed': 'Closed on {date}',
  'campaign.endorsements.one': '{count} organisation has endorsed this statement',
  'campaign.endorsements.other': '{count} organisations have endorsed this statement',
  'campaign.statement': 'The statement',
  'campaign.calls': 'Our calls',
  'calls.belarus': 'To the Belarusian authorities',
  'calls.international': 'To the EU, its member states, the US and international institutions',

  'notfound.title': 'Page not found',
  'notfound.text': 'There is no page at this address. It may have moved, or the link may be mistyped.',
  'notfound.home': 'See all campaigns',
};
