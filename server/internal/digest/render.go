package digest

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/bnp/undersigned/mailers"
)

// tokenPlaceholder stands for a contact's unsubscribe token in a digest
// rendered once per language: as long as a token and of letters only, so
// that no escaping (HTML, URL, quoted-printable) treats it differently.
const tokenPlaceholder = "zzUnsubscribeTokenPlaceholderZzzzzzzzzzzzz"

type renderKey struct{ digest, lang string }

// Render renders a digest delivery from its stored params (the digest's
// and the contact's ids), rendering each digest once per language and
// putting each contact's unsubscribe links in: a digest to 100,000
// contacts is rendered a few times, not 100,000. It reports false for
// anything else (other kinds, complete test sends), which the queue
// renders itself. The result is the same as Expand then Render.
func (x *Service) Render(ctx context.Context, kind, lang string, params []byte) (mailers.Email, bool, error) {
	if kind != mailers.KindDigest || x.Catalog == nil {
		return mailers.Email{}, false, nil
	}
	var ref deliveryRef
	if err := json.Unmarshal(params, &ref); err != nil || ref.Digest == "" || ref.Contact == "" {
		return mailers.Email{}, false, nil
	}
	key := renderKey{ref.Digest, lang}
	x.mu.Lock()
	e, ok := x.rendered[key]
	x.mu.Unlock()
	if !ok {
		c, err := x.content(ctx, ref.Digest)
		if err != nil {
			return mailers.Email{}, true, err
		}
		p, err := json.Marshal(Params(c, lang, x.withToken(tokenPlaceholder)))
		if err != nil {
			return mailers.Email{}, true, err
		}
		if e, err = x.Catalog.Render(kind, lang, p); err != nil {
			return mailers.Email{}, true, err
		}
		x.mu.Lock()
		if x.rendered == nil || len(x.rendered) > 64 {
			x.rendered = map[renderKey]mailers.Email{}
		}
		x.rendered[key] = e
		x.mu.Unlock()
	}
	token := x.Keys.UnsubscribeToken(ref.Contact)
	out := mailers.Email{Subject: e.Subject, HTML: strings.ReplaceAll(e.HTML, tokenPlaceholder, token),
		Text: strings.ReplaceAll(e.Text, tokenPlaceholder, token)}
	if e.Headers != nil {
		out.Headers = make(map[string]string, len(e.Headers))
		for k, v := range e.Headers {
			out.Headers[k] = strings.ReplaceAll(v, tokenPlaceholder, token)
		}
	}
	return out, true, nil
}
