package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Endorsement statuses: the contact verifies the address, then a moderator
// reviews it.
const (
	EndorsementUnverified     = "unverified"
	EndorsementAwaitingReview = "awaiting_review"
	EndorsementApproved       = "approved"
	EndorsementRejected       = "rejected"
)

// OrgTypes are the kinds of organisation that may endorse.
var OrgTypes = []string{"ngo", "trade_union", "media", "diaspora", "party", "academic", "other"}

// Endorsement is one organisation's co-signature of a campaign, of all its
// calls (AllCalls) or of those in CallIDs.
type Endorsement struct {
	ID           string
	CampaignID   string
	Organization string
	NameKey      string
	DisplayName  string
	OrgType      string
	Country      string
	Website      string
	WebsiteHost  string
	Statement    string
	AllCalls     bool
	Confidential bool
	// ContactName and ContactEmail are the contact person as the server
	// may use them (the review emails): never written in plain text, but
	// kept in ContactEncrypted ({"name","email"} JSON, sealed with the
	// store's cipher for this row) until review is done or the campaign
	// closes; nil once gone.
	ContactName      *string `gorm:"-"`
	ContactEmail     *string `gorm:"-"`
	ContactEncrypted *string
	// ContactHash finds a repeated submission from the same contact while
	// unverified: HMAC of the address under the campaign's deduplication
	// key (privacy.CampaignHasher.ExistingContactHash), given by the caller.
	ContactHash *string
	// ContactSealed is the contact person ({"name","email"} JSON) sealed to
	// the coalition: the copy that stays once review is done.
	ContactSealed   *string
	Language        string
	Status          string
	RejectReason    string
	VerifyTokenHash *string
	TokenExpiresAt  time.Time
	Resends         int
	DuplicateOf     *string
	IPHash          *string `gorm:"column:ip_hash"`
	CreatedAt       time.Time
	VerifiedAt      *time.Time
	ReviewedAt      *time.Time
	ReviewedBy      string
	AnonymisedAt    *time.Time

	// CallIDs are the calls it supports, in the campaign's order: every
	// call of the campaign when AllCalls. On Endorse, the chosen subset
	// (empty: all calls).
	CallIDs []string `gorm:"-"`
}

type endorsementCall struct {
	EndorsementID string `gorm:"primaryKey"`
	CallID        string `gorm:"primaryKey"`
}

func (endorsementCall) TableName() string { return "endorsement_calls" }

// EndorseIntent asks the intake to record an organisation's endorsement.
// If the same organisation (by normalised name and country) already has an
// unverified endorsement of the campaign from the same contact address,
// that one takes the new details and token and the email is queued again,
// at most MaxResends times. Another address makes a row of its own, so
// nobody can take over a pending link by submitting the organisation's
// name; both reach the moderators, the later one flagged as a duplicate
// once verified. A call id that is not one of the campaign's (the campaign
// changed since the request was checked) makes it all-calls.
type EndorseIntent struct {
	// Endorsement is the new endorsement with its calls, token hash and
	// creation time (now if zero); the store sets its id, key and status.
	Endorsement *Endorsement
	// Verify is the verification email, queued when the endorsement is new
	// or renewed; its Ref is set to the endorsement's id.
	Verify Mail
}

func (in EndorseIntent) lockKey() string {
	e := in.Endorsement
	return "endorsement:" + e.CampaignID + ":" + orgNameKey(e.Organization) + ":" + e.Country
}

func (in EndorseIntent) apply(s *Store, tx *gorm.DB) (IntakeOutcome, error) {
	e := in.Endorsement
	if e.CreatedAt.IsZero() {
		e.CreatedAt = now()
	}
	e.ID, e.Status = newID(), EndorsementUnverified
	e.NameKey = orgNameKey(e.Organization)
	if e.DisplayName == "" {
		e.DisplayName = e.Organization
	}
	if err := checkCalls(tx, e.CampaignID, e.CallIDs); errors.Is(err, ErrUnknownCall) {
		e.CallIDs = nil
	} else if err != nil {
		return 0, err
	}
	e.AllCalls = len(e.CallIDs) == 0
	if err := s.sealContact(e, e.ID); err != nil {
		return 0, err
	}
	res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(e)
	if res.Error != nil {
		return 0, translate("endorse", res.Error)
	}
	if res.RowsAffected == 1 {
		if err := saveEndorsementCalls(tx, e.ID, e.CallIDs); err != nil {
			return 0, err
		}
		in.Verify.Ref = e.ID
		return OutcomeCreated, s.enqueue(tx, in.Verify)
	}
	var existing Endorsement
	if e.ContactHash == nil {
		return OutcomeUnchanged, nil
	}
	err := tx.Select("id").Where("campaign_id = ? AND name_key = ? AND country = ? AND contact_hash = ? AND status = ? AND resends < ?",
		e.CampaignID, e.NameKey, e.Country, *e.ContactHash, EndorsementUnverified, MaxResends).Take(&existing).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return OutcomeUnchanged, nil
	} else if err != nil {
		return 0, translate("endorse again", err)
	}
	if err := s.sealContact(e, existing.ID); err != nil { // bound to the row it goes to
		return 0, err
	}
	upd := tx.Model(&Endorsement{}).Where("id = ? AND status = ? AND resends < ?", existing.ID, EndorsementUnverified, MaxResends).
		Updates(map[string]any{
			"organization": e.Organization, "display_name": e.DisplayName, "org_type": e.OrgType,
			"website": e.Website, "website_host": e.WebsiteHost, "statement": e.Statement,
			"all_calls": e.AllCalls, "confidential": e.Confidential, "contact_encrypted": e.ContactEncrypted,
			"contact_sealed": e.ContactSealed, "language": e.Language, "verify_token_hash": e.VerifyTokenHash,
			"token_expires_at": e.TokenExpiresAt, "resends": gorm.Expr("resends + 1"), "ip_hash": e.IPHash,
		})
	if upd.Error != nil {
		return 0, translate("endorse again", upd.Error)
	}
	if upd.RowsAffected == 0 {
		return OutcomeUnchanged, nil
	}
	if err := tx.Where("endorsement_id = ?", existing.ID).Delete(&endorsementCall{}).Error; err != nil {
		return 0, translate("endorse again", err)
	}
	if err := saveEndorsementCalls(tx, existing.ID, e.CallIDs); err != nil {
		return 0, err
	}
	in.Verify.Ref = existing.ID
	return OutcomeResent, s.enqueue(tx, in.Verify)
}

// contactAt is where an endorsement's encrypted contact is bound.
func contactAt(id string) string { return "endorsements.contact_encrypted:" + id }

// endorsementContact is the contact person as contact_encrypted keeps it.
type endorsementContact struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// sealContact encrypts e's contact person for row id into
// e.ContactEncrypted (nil when e has none).
func (s *Store) sealContact(e *Endorsement, id string) error {
	e.ContactEncrypted = nil
	if e.ContactName == nil && e.ContactEmail == nil {
		return nil
	}
	c := endorsementContact{}
	if e.ContactName != nil {
		c.Name = *e.ContactName
	}
	if e.ContactEmail != nil {
		c.Email = *e.ContactEmail
	}
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("store: seal contact: %w", err)
	}
	v, err := s.seal(string(b), contactAt(id))
	if err != nil {
		return err
	}
	e.ContactEncrypted = &v
	return nil
}

// openContact fills e's ContactName and ContactEmail from its encrypted
// contact, in memory.
func (s *Store) openContact(e *Endorsement) error {
	e.ContactName, e.ContactEmail = nil, nil
	if e.ContactEncrypted == nil {
		return nil
	}
	plain, err := s.open(*e.ContactEncrypted, contactAt(e.ID))
	if err != nil {
		return err
	}
	var c endorsementContact
	if err := json.Unmarshal([]byte(plain), &c); err != nil {
		return fmt.Errorf("store: open contact: %w", err)
	}
	e.ContactName, e.ContactEmail = &c.Name, &c.Email
	return nil
}

// checkCalls refuses call ids that are not distinct calls of the campaign.
func checkCalls(tx *gorm.DB, campaignID string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	var n int64
	if err := tx.Model(&Call{}).Where("campaign_id = ? AND id IN ?", campaignID, ids).Count(&n).Error; err != nil {
		return translate("check calls", err)
	}
	if n != int64(len(ids)) {
		return ErrUnknownCall
	}
	return nil
}

func saveEndorsementCalls(tx *gorm.DB, endorsementID string, callIDs []string) error {
	if len(callIDs) == 0 {
		return nil
	}
	rows := make([]endorsementCall, len(callIDs))
	for i, id := range callIDs {
		rows[i] = endorsementCall{EndorsementID: endorsementID, CallID: id}
	}
	return translate("save endorsement calls", tx.Create(&rows).Error)
}

// EndorsementMail builds an email about an endorsement, inside the
// transaction that changes it; the store addresses it.
type EndorsementMail func(e Endorsement, c Campaign) Mail

// VerifyEndorsement marks the endorsement of a verification token as
// awaiting review, flags a likely duplicate, and queues a notice (built by
// notice) to every active staff member who may review it (admins, editors,
// moderators), in one transaction.
// Verifying twice is harmless and notifies nobody again. An unknown or
// expired token, or one of an endorsement already reviewed, is ErrNotFound.
func (s *Store) VerifyEndorsement(ctx context.Context, tokenHash string, notice EndorsementMail) (Endorsement, error) {
	t := now()
	var e Endorsement
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("verify_token_hash = ?", tokenHash).Take(&e).Error; err != nil {
			return translate("verify endorsement", err)
		}
		switch {
		case e.Status == EndorsementAwaitingReview:
			return nil
		case e.Status != EndorsementUnverified || !e.TokenExpiresAt.After(t):
			return translate("verify endorsement", gorm.ErrRecordNotFound)
		}
		dup, err := findDuplicate(tx, e)
		if err != nil {
			return err
		}
		res := tx.Model(&Endorsement{}).Where("id = ? AND status = ?", e.ID, EndorsementUnverified).
			Updates(map[string]any{"status": EndorsementAwaitingReview, "verified_at": t, "duplicate_of": dup, "contact_hash": nil})
		if res.Error != nil {
			return translate("verify endorsement", res.Error)
		}
		if res.RowsAffected == 0 {
			return nil // verified at the same moment by another request, which tells the reviewers
		}
		e.Status, e.VerifiedAt, e.DuplicateOf = EndorsementAwaitingReview, &t, dup
		var camp Campaign
		if err := tx.Select("id, slug, title, language").Where("id = ?", e.CampaignID).Take(&camp).Error; err != nil {
			return translate("verify endorsement", err)
		}
		var reviewers []string
		err = tx.Model(&User{}).Where("role IN ? AND disabled = ?", []string{string(RoleAdmin), string(RoleEditor), string(RoleModerator)}, false).
			Order("email").Pluck("email", &reviewers).Error
		if err != nil {
			return translate("verify endorsement", err)
		}
		mails := make([]Mail, len(reviewers))
		for i, to := range reviewers {
			m := notice(e, camp)
			m.Recipient, m.Ref = to, e.CampaignID
			mails[i] = m
		}
		return s.enqueue(tx, mails...)
	})
	return e, err
}

// findDuplicate returns the earliest other verified endorsement of the same
// campaign that looks like the same organisation: the same normalised name
// and country, or the same website host.
func findDuplicate(tx *gorm.DB, e Endorsement) (*string, error) {
	var ids []string
	q := tx.Model(&Endorsement{}).Where("campaign_id = ? AND id <> ? AND status <> ?", e.CampaignID, e.ID, EndorsementUnverified)
	if e.WebsiteHost != "" {
		q = q.Where("((name_key = ? AND country = ?) OR website_host = ?)", e.NameKey, e.Country, e.WebsiteHost)
	} else {
		q = q.Where("name_key = ? AND country = ?", e.NameKey, e.Country)
	}
	if err := q.Order("created_at, id").Limit(1).Pluck("id", &ids).Error; err != nil {
		return nil, translate("find duplicate endorsement", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return &ids[0], nil
}

// orgSuffixes are legal-form words that do not tell two organisations
// apart: "Viasna e.V." and "Viasna" are the same one.
var orgSuffixes = map[string]bool{
	"inc": true, "incorporated": true, "ltd": true, "limited": true, "llc": true, "plc": true,
	"corp": true, "co": true, "gmbh": true, "ggmbh": true, "ev": true, "ag": true, "sa": true,
	"asbl": true, "vzw": true, "ngo": true, "npo": true, "ong": true, "zs": true, "ops": true,
}

// orgPrefixes are legal-form words written before the name, as in
// "ОО «Вясна»".
var orgPrefixes = map[string]bool{"оо": true, "гоо": true, "ооо": true, "ао": true, "уп": true, "ngo": true}

// EndorsementSubject names the endorsement a request may renew: its
// organisation's name as compared (orgNameKey) and its country.
func EndorsementSubject(organization, country string) string {
	return orgNameKey(organization) + "\x00" + country
}

// orgNameKey normalises an organisation's name for comparison: lower case,
// punctuation dropped (so "e.V." is "ev"), spaces collapsed, a leading
// "the" and legal-form words before or after the name removed.
func orgNameKey(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		case unicode.IsSpace(r) || r == '-' || r == '/' || r == '&':
			b.WriteRune(' ')
		}
	}
	words := strings.Fields(b.String())
	for len(words) > 1 && (words[0] == "the" || orgPrefixes[words[0]]) {
		words = words[1:]
	}
	for len(words) > 1 && orgSuffixes[words[len(words)-1]] {
		words = words[:len(words)-1]
	}
	return strings.Join(words, " ")
}
