package api

import (
	"bufio"
	"encoding/csv"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/bnp/undersigned/server/internal/countries"
	"github.com/bnp/undersigned/server/internal/privacy"
	"github.com/bnp/undersigned/server/internal/store"
)

type adminSignatureView struct {
	ID         string  `json:"id"`
	Name       *string `json:"name"` // the published name (tiers initials, public) only
	Email      *string `json:"email"`
	Provider   string  `json:"email_provider"`
	Country    string  `json:"country"`
	Comment    *string `json:"comment"`
	Visibility string  `json:"visibility"`
	Updates    bool    `json:"updates"`
	// Sealed parts exist but are not shown: opening them needs the
	// coalition's identity (an audited export).
	NameSealed  bool       `json:"name_sealed"`
	HasComment  bool       `json:"has_comment"`
	CountOnly   bool       `json:"count_only"`
	Ref         string     `json:"ref"`
	Status      string     `json:"status"`
	Flagged     bool       `json:"flagged"`
	FlagReason  string     `json:"flag_reason"`
	CreatedAt   time.Time  `json:"created_at"`
	ConfirmedAt *time.Time `json:"confirmed_at"`
}

// viewSignature shows staff a signature without opening anything sealed:
// counts, countries, tiers and flags are what staff need day to day. With
// an opener (the coalition identity, for one audited export) the sealed
// name, comment and address are opened too.
func (s *server) viewSignature(sig store.Signature, open *privacy.Opener) adminSignatureView {
	v := adminSignatureView{ID: sig.ID, Provider: sig.EmailProvider, Country: sig.Country,
		Visibility: sig.Visibility, Updates: sig.Updates, Ref: sig.RefCode,
		NameSealed: sig.NameSealed != nil, HasComment: sig.HasComment || sig.Comment != nil, CountOnly: sig.CountOnly,
		Status: sig.Status, Flagged: sig.Flagged, FlagReason: sig.FlagReason, CreatedAt: sig.CreatedAt, ConfirmedAt: sig.ConfirmedAt}
	if sig.Visibility != store.VisibilityPrivate {
		v.Name = sig.Name
	}
	if open != nil {
		if sig.Name != nil {
			v.Name = sig.Name // a row from before sealing
		}
		if name, err := open.OpenOptional(sig.NameSealed); err == nil && name != nil {
			v.Name = name
		}
		v.Comment = sig.Comment
		if comment, err := open.OpenOptional(sig.CommentSealed); err == nil && comment != nil {
			v.Comment = comment
		}
		if email, err := open.OpenOptional(sig.EmailSealed); err == nil {
			v.Email = email
		}
	}
	return v
}

// signatureFilter reads the staff filter from the query string.
func (s *server) signatureFilter(c *fiber.Ctx, campaignID string) (store.SignatureFilter, error) {
	f := fieldErrors{}
	var filter store.SignatureFilter
	switch st := c.Query("status"); st {
	case "", store.SignaturePending, store.SignatureConfirmed, store.SignatureInvalidated:
		filter.Status = st
	default:
		f.set("status", errOneOf("pending", "confirmed", "invalidated"))
	}
	if country := strings.ToUpper(c.Query("country")); country != "" {
		if !countries.Valid(country) {
			f.set("country", errCountry())
		}
		filter.Country = country
	}
	if email := c.Query("email"); email != "" {
		canonical, _, err := privacy.CanonicalEmail(email)
		if err != nil {
			f.set("email", errEmail())
		}
		filter.EmailHash = "none" // a closed campaign's hashes are gone: nothing matches
		if h, err := s.Hasher.EmailHash(c.UserContext(), campaignID, canonical); err == nil {
			filter.EmailHash = h
		}
	}
	if domain := c.Query("domain"); domain != "" {
		canonical, err := privacy.CanonicalDomain(domain)
		if err != nil {
			f.set("domain", errDomain())
		}
		filter.EmailDomainHash = s.Keys.DomainHash(canonical)
	}
	if v := c.Query("flagged"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			f.set("flagged", errOneOf("true", "false"))
		}
		filter.Flagged = &b
	}
	filter.RefCode = c.Query("ref")
	return filter, f.err()
}

const adminSignaturesPage = 100

// signatureQueryShown are the search parameters the audit log keeps with
// their values; email and domain are kept by name only (queryDetail).
var signatureQueryShown = []string{"status", "country", "flagged", "ref", "cursor"}

// adminListSignatures searches a campaign's signatures. Every page read is
// audited with its row count (privacy rule 10).
func (s *server) adminListSignatures(c *fiber.Ctx) error {
	camp, err := s.adminCampaign(c)
	if err != nil {
		return err
	}
	filter, err := s.signatureFilter(c, camp.ID)
	if err != nil {
		return err
	}
	sigs, err := s.Store.SearchSignatures(c.UserContext(), camp.ID, filter, c.Query("cursor"), adminSignaturesPage)
	if err != nil {
		return err
	}
	if err := s.Store.Audit(c.UserContext(), auditBy(c, "signatures.list", camp.Slug, int64(len(sigs)), queryDetail(c, signatureQueryShown, "email", "domain"))); err != nil {
		return err
	}
	items := make([]adminSignatureView, len(sigs))
	for i, sig := range sigs {
		items[i] = s.viewSignature(sig, nil)
	}
	next := ""
	if len(sigs) == adminSignaturesPage {
		next = sigs[len(sigs)-1].ID
	}
	return c.JSON(fiber.Map{"items": items, "next_cursor": next})
}

// exportSignatures streams a campaign's signatures as CSV, audited first
// with the number of rows, with every cell safe to open in a spreadsheet.
// Sealed parts (private names, comments, addresses) stay empty: see
// exportSignaturesOpened.
func (s *server) exportSignatures(c *fiber.Ctx) error {
	return s.streamExport(c, nil, "signatures.export")
}

// identityInput carries the coalition identity for one request. It is
// held in memory for that request only, never stored or logged.
type identityInput struct {
	Identity string `json:"identity"`
}

// readIdentity reads and checks the coalition identity of a request: it
// must open what this server seals now.
func (s *server) readIdentity(c *fiber.Ctx) (*privacy.Opener, error) {
	var in identityInput
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	return s.openerFrom(in.Identity)
}

func (s *server) openerFrom(identity string) (*privacy.Opener, error) {
	if strings.TrimSpace(identity) == "" {
		return nil, errValidation("identity", "the coalition's identity (AGE-SECRET-KEY-1…) is needed to open sealed data")
	}
	open, err := privacy.ParseIdentity(identity)
	if err != nil {
		return nil, errValidation("identity", "is not an age identity (AGE-SECRET-KEY-1…)")
	}
	if !open.Fits(s.Coalition) {
		return nil, errValidation("identity", "does not open what this server seals: it matches none of SEAL_RECIPIENTS")
	}
	return open, nil
}

// exportSignaturesOpened is the audited export with sealed data opened:
// POST {"identity": "AGE-SECRET-KEY-1…"}, filters in the query string.
func (s *server) exportSignaturesOpened(c *fiber.Ctx) error {
	open, err := s.readIdentity(c)
	if err != nil {
		return err
	}
	return s.streamExport(c, open, "signatures.export_opened")
}

func (s *server) streamExport(c *fiber.Ctx, open *privacy.Opener, action string) error {
	camp, err := s.adminCampaign(c)
	if err != nil {
		return err
	}
	filter, err := s.signatureFilter(c, camp.ID)
	if err != nil {
		return err
	}
	n, err := s.Store.CountSignatures(c.UserContext(), camp.ID, filter)
	if err != nil {
		return err
	}
	if err := s.Store.Audit(c.UserContext(), auditBy(c, action, camp.Slug, n, queryDetail(c, signatureQueryShown, "email", "domain"))); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+camp.Slug+`-signatures.csv"`)
	ctx := c.UserContext()
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		out := csv.NewWriter(w)
		_ = out.Write([]string{"id", "name", "email", "country", "comment", "visibility", "updates", "count_only", "ref", "status", "flagged", "created_at", "confirmed_at"})
		_, err := s.Store.EachSignature(ctx, camp.ID, filter, func(sig store.Signature) error {
			v := s.viewSignature(sig, open)
			confirmed := ""
			if v.ConfirmedAt != nil {
				confirmed = v.ConfirmedAt.Format(time.RFC3339)
			}
			return out.Write([]string{v.ID, safeCell(deref(v.Name)), safeCell(deref(v.Email)), v.Country,
				safeCell(deref(v.Comment)), v.Visibility, strconv.FormatBool(v.Updates), strconv.FormatBool(v.CountOnly), safeCell(v.Ref), v.Status,
				strconv.FormatBool(v.Flagged), v.CreatedAt.Format(time.RFC3339), confirmed})
		})
		out.Flush()
		if err != nil {
			_, _ = w.WriteString("\nexport interrupted; do not use this file\n")
		}
	})
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// safeCell neutralises a cell a spreadsheet would run as a formula.
func safeCell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

type invalidationInput struct {
	Domain        string `json:"domain"`
	Country       string `json:"country"`
	From          string `json:"from"`
	To            string `json:"to"`
	ExpectedCount *int64 `json:"expected_count"`
	// Reason is the public reason code of the invalidated leaves of the
	// transparency log (store.InvalidationReasons); "other" if not given.
	Reason string `json:"reason"`
}

// invalidateSignatures counts (without expected_count) or invalidates
// (with the count just seen) a campaign's signatures by email domain,
// country or time range.
func (s *server) invalidateSignatures(c *fiber.Ctx) error {
	var in invalidationInput
	if err := decode(c, &in); err != nil {
		return err
	}
	camp, err := s.adminCampaign(c)
	if err != nil {
		return err
	}
	f := fieldErrors{}
	var filter store.SignatureFilter
	if in.Domain == "" && in.Country == "" && in.From == "" && in.To == "" {
		f.set("domain", fe(codeFilterRequired, "give at least one of domain, country, from and to"))
	}
	if in.Domain != "" {
		canonical, err := privacy.CanonicalDomain(in.Domain)
		if err != nil {
			f.set("domain", errDomain())
		}
		filter.EmailDomainHash = s.Keys.DomainHash(canonical)
	}
	if in.Country != "" {
		filter.Country = strings.ToUpper(in.Country)
		if !countries.Valid(filter.Country) {
			f.set("country", errCountry())
		}
	}
	filter.From = parseTimeField(f, "from", in.From)
	filter.To = parseTimeField(f, "to", in.To)
	if filter.From != nil && filter.To != nil && !filter.To.After(*filter.From) {
		f.set("to", fe(codeAfter, "must be after from", "from"))
	}
	if in.Reason == "" {
		in.Reason = store.ReasonOther
	} else if !slices.Contains(store.InvalidationReasons, in.Reason) {
		f.add("reason", "must be one of "+strings.Join(store.InvalidationReasons, ", "))
	}
	if in.ExpectedCount != nil && *in.ExpectedCount < 0 {
		f.set("expected_count", fe(codeDryRunMismatch, "must be the count returned by the dry run"))
	}
	if err := f.err(); err != nil {
		return err
	}
	if in.ExpectedCount == nil {
		pending, confirmed := filter, filter
		pending.Status, confirmed.Status = store.SignaturePending, store.SignatureConfirmed
		np, err := s.Store.CountSignatures(c.UserContext(), camp.ID, pending)
		if err != nil {
			return err
		}
		nc, err := s.Store.CountSignatures(c.UserContext(), camp.ID, confirmed)
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"dry_run": true, "matching": np + nc})
	}
	// The domain is not written down: it can name a signer (see queryDetail).
	detail := "country=" + in.Country + " from=" + in.From + " to=" + in.To + " reason=" + in.Reason
	if in.Domain != "" {
		detail = "domain=(given) " + detail
	}
	n, err := s.Store.InvalidateSignatures(c.UserContext(), camp.ID, filter, *in.ExpectedCount, in.Reason,
		auditBy(c, "signatures.invalidate", camp.Slug, 0, detail))
	if errors.Is(err, store.ErrCountChanged) {
		return errConflict(reasonCountChanged, err.Error())
	} else if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"dry_run": false, "invalidated": n})
}

func parseTimeField(f fieldErrors, name, v string) *time.Time {
	if v == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		f.set(name, errTimestamp())
		return nil
	}
	t = t.UTC()
	return &t
}

// surge shows staff a campaign's signatures per hour by country and by
// email domain, to spot a flood from one place or one domain.
func (s *server) surge(c *fiber.Ctx) error {
	camp, err := s.adminCampaign(c)
	if err != nil {
		return err
	}
	hours := c.QueryInt("hours", 48)
	if hours < 1 || hours > 24*31 {
		return errField("hours", errRange(1, 744))
	}
	since := time.Now().UTC().Add(-time.Duration(hours) * time.Hour)
	byCountry, err := s.Store.SignaturesByHour(c.UserContext(), camp.ID, since, false)
	if err != nil {
		return err
	}
	byDomain, err := s.Store.SignaturesByHour(c.UserContext(), camp.ID, since, true)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"since": since, "by_country": nonNil(byCountry), "by_domain": nonNil(byDomain)})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
