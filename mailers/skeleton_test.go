package mailers

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// texts that escapers and html/template's URL filter treat apart.
var trickyTexts = []string{
	"", "plain", "http://localhost:8080/reset/abc-DEF_123", "https://x.example/a?b=1&c=2#d", "mailto:a@b.example",
	"javascript:alert(1)", "JavaScript:x", "data:text/html,<b>", "/relative:path", "Belarus: release them",
	`<script>"&'+=</script>`, "O'Brien & Sons", "Алесь Бяляцкі", "Łukasz 😀 €", "a\u2028b", "a\u00a0b",
	"tab\tnew\nline\r", "nul\x00x", "%41%zz", "qXzJaJzXq", "{{.Lang}}", "\\u0022",
}

func randomText(r *rand.Rand) string {
	if r.IntN(3) == 0 {
		return trickyTexts[r.IntN(len(trickyTexts))]
	}
	var b strings.Builder
	for range r.IntN(24) {
		switch r.IntN(6) {
		case 0:
			b.WriteString([]string{"é", "ж", "€", "😀", "\u00a0", "\u2028", "\ufffd"}[r.IntN(7)])
		default:
			b.WriteByte(byte(r.IntN(128)))
		}
	}
	return b.String()
}

// randomParams fills a kind's parameters: random texts (a third of them
// empty), and random numbers and flags.
func randomParams(t *testing.T, k kind, r *rand.Rand) []byte {
	p := k.params()
	v := reflect.ValueOf(p).Elem()
	for i := range v.NumField() {
		switch f := v.Field(i); f.Kind() {
		case reflect.Int, reflect.Int64:
			f.SetInt(int64(r.IntN(4) * 7))
		case reflect.Bool:
			f.SetBool(r.IntN(2) == 0)
		}
	}
	for _, s := range p.(printedTexts).printedTexts() {
		*s = ""
		if r.IntN(3) > 0 {
			*s = randomText(r)
		}
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Every kind rendered from its skeleton is, byte for byte, what executing
// its templates gives: subject, both parts and headers, in every language,
// whatever its texts hold.
func TestSkeletonRendersWhatTheTemplatesDo(t *testing.T) {
	c, err := NewCatalog(Site{ContactEmail: "team@example.org", SenderName: "undersigned"})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	kinds, fast, all := 0, 0, 0
	for _, name := range c.Kinds() {
		k := c.kinds[name]
		if _, ok := k.params().(printedTexts); !ok {
			continue
		}
		kinds++
		for _, lang := range append(Languages, "de", "ru-RU") {
			for range 80 {
				params := randomParams(t, k, r)
				got, err := c.Render(name, lang, params)
				if err != nil {
					t.Fatal(err)
				}
				p := k.params()
				if err := json.Unmarshal(params, p); err != nil {
					t.Fatal(err)
				}
				all++
				if _, ok := c.fromSkeleton(name, lang, p, p.(printedTexts)); ok {
					fast++
				}
				want, err := c.execute(name, lang, p)
				if err != nil {
					t.Fatal(err)
				}
				if !sameEmail(got, want) {
					t.Fatalf("%s/%s with %s:\nskeleton %#v\ntemplates %#v", name, lang, params, got, want)
				}
			}
		}
	}
	if kinds < 8 {
		t.Errorf("only %d kinds list their printed texts", kinds)
	}
	// Random texts hold characters no place learned (a lone '%', U+2028)
	// about half the time; the others must have come from skeletons.
	if fast < all/4 {
		t.Errorf("%d of %d messages rendered from a skeleton", fast, all)
	}
	t.Logf("%d of %d messages rendered from a skeleton", fast, all)
}

// The skeleton is what renders the queue's everyday messages: links,
// names, titles with quotes and Cyrillic, not only texts of letters.
func TestSkeletonServesEverydayMessages(t *testing.T) {
	c, err := NewCatalog(Site{})
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]any{
		KindPasswordReset: &PasswordResetParams{Link: "http://localhost:8080/reset/Zm9v-YmFy_0", Minutes: 30},
		KindSignatureConfirm: &SignatureConfirmParams{Campaign: `«Свабоду» "political" prisoners & O'Brien`, Days: 7,
			ConfirmLink: "https://example.org/confirm/abc?x=1&y=2", WithdrawLink: "https://example.org/withdraw/def",
			Name: "Алесь Бяляцкі", Shown: "Алесь Б."},
		KindSignerUpdate: &SignerUpdateParams{Subject: "News: <b>", Body: "Hello *all*", BodyHTML: "<p>Hello <em>all</em></p>",
			Campaign: "C", Link: "https://example.org/c", Unsub: DigestUnsubscribe{Page: "https://example.org/unsubscribe/t", OneClick: "https://example.org/api/u?token=t"}},
	}
	for name, p := range cases {
		for _, lang := range Languages {
			if _, ok := c.fromSkeleton(name, lang, p, p.(printedTexts)); !ok {
				t.Errorf("%s/%s: rendered the slow way", name, lang)
			}
		}
	}
	// A link html/template would refuse is rendered the slow way, refused.
	e, err := c.Render(KindPasswordReset, "en", []byte(`{"link":"javascript:alert(1)","minutes":30}`))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(e.HTML, `href="javascript:`) || !strings.Contains(e.HTML, `href="#ZgotmplZ"`) {
		t.Errorf("an unsafe link reached the HTML part:\n%s", e.HTML)
	}
}

func BenchmarkRender(b *testing.B) {
	c, err := NewCatalog(Site{})
	if err != nil {
		b.Fatal(err)
	}
	params := []byte(`{"campaign":"Release all political prisoners","confirm_link":"http://localhost:8080/confirm/abcdefghijklmnop","withdraw_link":"http://localhost:8080/withdraw/qrstuvwxyz","days":7,"name":"Alena K.","shown":"Alena K."}`)
	b.Run("skeleton", func(b *testing.B) {
		for range b.N {
			if _, err := c.Render(KindSignatureConfirm, "be", params); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("templates", func(b *testing.B) {
		for range b.N {
			p := &SignatureConfirmParams{}
			if err := json.Unmarshal(params, p); err != nil {
				b.Fatal(err)
			}
			if _, err := c.execute(KindSignatureConfirm, "be", p); err != nil {
				b.Fatal(err)
			}
		}
	})
}
