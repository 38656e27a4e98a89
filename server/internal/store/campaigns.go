package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
)

// Campaign statuses.
const (
	StatusDraft  = "draft"
	StatusOpen   = "open"
	StatusClosed = "closed"
)

// Campaign is a petition or statement with its calls and translations.
type Campaign struct {
	ID            string
	Slug          string
	Title         string
	Summary       string
	Body          string // Markdown, as the editor wrote it
	BodyHTML      string `gorm:"column:body_html"` // rendered and sanitised on write
	Language      string
	Goal          int64
	Status        string
	OpensAt       *time.Time
	ClosesAt      *time.Time
	ClosedAt      *time.Time
	RetentionDays int
	// ContactEmail and SenderName say who runs the campaign and where to
	// write (digests' Reply-To and footers); nil: the site's defaults.
	ContactEmail *string
	SenderName   *string
	CreatedAt    time.Time
	UpdatedAt    time.Time

	Calls        []Call        `gorm:"foreignKey:CampaignID"`
	Translations []Translation `gorm:"foreignKey:CampaignID"`
}

// Call is one demand of a campaign, addressed to one or more audiences.
type Call struct {
	ID         string
	CampaignID string
	Position   int
	Audiences  Audiences
	Text       string
}

// Translation is a campaign's content in another language; Calls follows
// the campaign's call order.
type Translation struct {
	CampaignID string `gorm:"primaryKey"`
	Language   string `gorm:"primaryKey"`
	Title      string
	Summary    string
	Body       string
	BodyHTML   string `gorm:"column:body_html"`
	Calls      Texts
}

// TableName names the translations table.
func (Translation) TableName() string { return "campaign_translations" }

func withContent(db *gorm.DB) *gorm.DB {
	return db.Preload("Calls", func(db *gorm.DB) *gorm.DB { return db.Order("position") }).
		Preload("Translations", func(db *gorm.DB) *gorm.DB { return db.Order("language") })
}

// PublicCampaigns lists open and closed campaigns, newest first, without
// their rendered bodies, with their calls and translations: enough for
// Served to tell which translations are complete.
func (s *Store) PublicCampaigns(ctx context.Context) ([]Campaign, error) {
	var cs []Campaign
	err := s.conn(ctx).Omit("body", "body_html").
		Preload("Calls", func(db *gorm.DB) *gorm.DB { return db.Order("position") }).
		Preload("Translations", func(db *gorm.DB) *gorm.DB { return db.Omit("body_html").Order("language") }).
		Where("status IN ?", []string{StatusOpen, StatusClosed}).
		Order("created_at DESC, id").Find(&cs).Error
	return cs, translate("public campaigns", err)
}

// AllCampaigns lists every campaign, drafts included, newest first.
func (s *Store) AllCampaigns(ctx context.Context) ([]Campaign, error) {
	var cs []Campaign
	err := withContent(s.conn(ctx)).Order("created_at DESC, id").Find(&cs).Error
	return cs, translate("all campaigns", err)
}

// CampaignBySlug returns one campaign with its calls and translations.
func (s *Store) CampaignBySlug(ctx context.Context, slug string) (Campaign, error) {
	var c Campaign
	err := withContent(s.conn(ctx)).Where("slug = ?", slug).Take(&c).Error
	return c, translate("campaign by slug", err)
}

// CountCampaigns counts every campaign.
func (s *Store) CountCampaigns(ctx context.Context) (int64, error) {
	var n int64
	err := s.conn(ctx).Model(&Campaign{}).Count(&n).Error
	return n, translate("count campaigns", err)
}

// CreateCampaign inserts c with its calls and translations in one
// transaction with its audit record. A taken slug is ErrConflict.
func (s *Store) CreateCampaign(ctx context.Context, c *Campaign, audit *AuditEntry) error {
	c.ID = newID()
	if err := numberCalls(c.Calls, nil); err != nil {
		return err
	}
	return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Omit("Calls", "Translations").Create(c).Error; err != nil {
			return translate("create campaign", err)
		}
		if err := saveContent(tx, c); err != nil {
			return err
		}
		return writeAudit(tx, audit, c.Slug)
	})
}

// UpdateCampaign stores c, which was read by CampaignBySlug and changed:
// calls with an id are kept and updated, calls without one are added, calls
// no longer listed are removed, and translations are replaced.
// A call id that is not one of this campaign's calls is ErrUnknownCall.
func (s *Store) UpdateCampaign(ctx context.Context, c *Campaign, audit *AuditEntry) error {
	return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		var known []string
		if err := tx.Model(&Call{}).Where("campaign_id = ?", c.ID).Pluck("id", &known).Error; err != nil {
			return translate("update campaign", err)
		}
		if err := numberCalls(c.Calls, known); err != nil {
			return err
		}
		res := tx.Omit("Calls", "Translations", "created_at").Save(c)
		if res.Error != nil {
			return translate("update campaign", res.Error)
		}
		if res.RowsAffected == 0 {
			return translate("update campaign", gorm.ErrRecordNotFound)
		}
		ids := make([]string, len(c.Calls))
		for i, call := range c.Calls {
			ids[i] = call.ID
		}
		del := tx.Where("campaign_id = ?", c.ID)
		if len(ids) > 0 {
			del = del.Where("id NOT IN ?", ids)
		}
		if err := del.Delete(&Call{}).Error; err != nil {
			return translate("update campaign calls", err)
		}
		if err := tx.Where("campaign_id = ?", c.ID).Delete(&Translation{}).Error; err != nil {
			return translate("update campaign translations", err)
		}
		if err := saveContent(tx, c); err != nil {
			return err
		}
		return writeAudit(tx, audit, c.Slug)
	})
}

// ErrUnknownCall names a call id that the campaign does not have.
var ErrUnknownCall = errors.New("unknown call id")

// numberCalls gives new calls an id and every call its position, and
// refuses ids that are not among known.
func numberCalls(calls []Call, known []string) error {
	for i := range calls {
		switch {
		case calls[i].ID == "":
			calls[i].ID = newID()
		case !slices.Contains(known, calls[i].ID):
			return fmt.Errorf("store: call %d: %w", i+1, ErrUnknownCall)
		}
		calls[i].Position = i + 1
	}
	return nil
}

func saveContent(tx *gorm.DB, c *Campaign) error {
	for i := range c.Calls {
		c.Calls[i].CampaignID = c.ID
		if err := tx.Save(&c.Calls[i]).Error; err != nil {
			return translate("save call", err)
		}
	}
	for i := range c.Translations {
		c.Translations[i].CampaignID = c.ID
		if err := tx.Create(&c.Translations[i]).Error; err != nil {
			return translate("save translation", err)
		}
	}
	return nil
}

// DeleteCampaign deletes a campaign and everything that belongs to it.
func (s *Store) DeleteCampaign(ctx context.Context, slug string, audit *AuditEntry) error {
	return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Where("slug = ?", slug).Delete(&Campaign{})
		if res.Error != nil {
			return translate("delete campaign", res.Error)
		}
		if res.RowsAffected == 0 {
			return translate("delete campaign", gorm.ErrRecordNotFound)
		}
		return writeAudit(tx, audit, slug)
	})
}

// CloseDue closes the open campaigns whose closing time has passed, so
// that they show as closed and their retention period (privacy rule 4)
// starts. It starts now, minutes after the closing time, not at it: a
// closing date typed a year in the past must not anonymise every
// signature at the next housekeeping run, beyond undoing.
func (s *Store) CloseDue(ctx context.Context) (int64, error) {
	t := now()
	res := s.conn(ctx).Model(&Campaign{}).
		Where("status = ? AND closes_at IS NOT NULL AND closes_at <= ?", StatusOpen, t).
		Updates(map[string]any{"status": StatusClosed, "closed_at": t, "updated_at": t})
	return res.RowsAffected, translate("close due campaigns", res.Error)
}

// CampaignByID returns one campaign with its calls and translations.
func (s *Store) CampaignByID(ctx context.Context, id string) (Campaign, error) {
	var c Campaign
	err := withContent(s.conn(ctx)).Where("id = ?", id).Take(&c).Error
	return c, translate("campaign by id", err)
}
