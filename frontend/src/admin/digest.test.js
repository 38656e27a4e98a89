import { describe, expect, it } from 'vitest';
import { digestActions, linkParts, sendProgress, shouldPoll } from './digest.js';

describe('digest sending', () => {
  it('computes progress from the counts, finished when all are handled', () => {
    expect(sendProgress({ recipients: 10, sent: 3, failed: 1, pending: 6 })).toEqual({ recipients: 10, sent: 3, failed: 1, done: 4, pending: 6, finished: false });
    expect(sendProgress({ recipients: 2, sent: 2, failed: 0 }).finished).toBe(true);
    expect(sendProgress(undefined)).toMatchObject({ recipients: 0, done: 0, finished: false });
    expect(sendProgress({ recipients: 1, sent: 5, failed: 0 }).done).toBe(1);
  });

  it('polls only while sending', () => {
    expect(shouldPoll({ status: 'sending' })).toBe(true);
    expect(shouldPoll({ status: 'sent' })).toBe(false);
    expect(shouldPoll(null)).toBe(false);
  });

  it('offers test and send on drafts, cancel while sending, nothing after', () => {
    expect(digestActions('draft')).toEqual(['test', 'send', 'cancel']);
    expect(digestActions('sending')).toEqual(['cancel']);
    expect(digestActions('sent')).toEqual([]);
    expect(digestActions('cancelled')).toEqual([]);
  });
});

describe('email HTML shown in the console', () => {
  it('loses its styles, stylesheets and scripts, keeps its content', async () => {
    const { withoutStyles } = await import('./digest.js');
    const html = `<html><head><style>p{color:red}</style><link rel="stylesheet" href="/x.css"></head>
<body style="margin:0"><table role="presentation" style='width:100%' cellpadding="0"><tr><td STYLE=padding:4px>
<p class="x" style="color: #333; font-family: a, b">Dear <strong style="x">colleagues</strong> style="kept text"</p><script>alert(1)</script></td></tr></table></body></html>`;
    const out = withoutStyles(html);
    expect(out).not.toMatch(/<style|<link|<script|<[^>]*\sstyle=/i);
    expect(out).toContain('<table role="presentation" cellpadding="0">');
    expect(out).toContain('<p class="x">Dear <strong>colleagues</strong> style="kept text"</p>');
  });
});

describe('linkParts', () => {
  it('marks each web address of a text as a link, without trailing punctuation', () => {
    expect(linkParts('Confirm: http://localhost:8080/confirm/abc.\nThanks')).toEqual([
      { text: 'Confirm: ' },
      { text: 'http://localhost:8080/confirm/abc', href: 'http://localhost:8080/confirm/abc' },
      { text: '.\nThanks' },
    ]);
    expect(linkParts('no links')).toEqual([{ text: 'no links' }]);
    expect(linkParts('')).toEqual([]);
  });
});
