package api

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bnp/undersigned/server/internal/countries"
	"github.com/bnp/undersigned/server/internal/store"
)

// contactInput is the body of POST (name, email and region required) and
// PATCH (any subset) of a contact, and one row of a CSV import.
type contactInput struct {
	Name              *string   `json:"name"`
	Email             *string   `json:"email"`
	Title             *string   `json:"title"`
	Institution       *string   `json:"institution"`
	Region            *string   `json:"region"`
	Country           *string   `json:"country"`
	Language          *string   `json:"language"`
	Tags              *[]string `json:"tags"`
	Subscribed        *bool     `json:"subscribed"`
	ResubscribeReason *string   `json:"resubscribe_reason"`
}

var tagPattern = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N} _-]{0,39}$`)

const maxTags = 20

// applyContact validates in and writes it onto c.
func applyContact(f fieldErrors, c *store.Contact, in contactInput, creating bool) {
	if creating {
		for name, missing := range map[string]bool{"name": in.Name == nil, "email": in.Email == nil, "region": in.Region == nil} {
			if missing {
				f.add(name, "is required")
			}
		}
	}
	text(f, "name", in.Name, &c.Name, 1, 200)
	if in.Email != nil {
		c.Email = strings.ToLower(strings.TrimSpace(*in.Email))
		if !plainAddress(c.Email) {
			f.add("email", "must be an email address")
		}
	}
	text(f, "title", in.Title, &c.Title, 0, 200)
	text(f, "institution", in.Institution, &c.Institution, 0, 200)
	if in.Region != nil {
		c.Region = strings.ToLower(strings.TrimSpace(*in.Region))
		if c.Region != store.RegionEU && c.Region != store.RegionUS && c.Region != store.RegionOther {
			f.add("region", "must be eu, us or other")
		}
	}
	if in.Country != nil {
		c.Country = strings.ToUpper(strings.TrimSpace(*in.Country))
		if c.Country != "" && !countries.Valid(c.Country) {
			f.add("country", "must be a two-letter country code, or empty")
		}
	}
	if in.Language != nil {
		c.Language = strings.ToLower(strings.TrimSpace(*in.Language))
		if c.Language == "" {
			c.Language = "en"
		}
		if !languagePattern.MatchString(c.Language) {
			f.add("language", "must be a language code such as en, be or ru")
		}
	}
	if in.Tags != nil {
		tags := make([]string, 0, len(*in.Tags))
		for _, t := range *in.Tags {
			t = strings.TrimSpace(t)
			if t == "" {
				continue
			}
			if !tagPattern.MatchString(t) || utf8.RuneCountInString(t) > 40 {
				f.add("tags", "each tag is 1 to 40 letters, digits, spaces, - or _")
			}
			tags = append(tags, t)
		}
		if len(tags) > maxTags {
			f.add("tags", "at most 20 tags")
		}
		c.Tags = strings.Join(tags, ",")
	}
}

type contactView struct {
	ID                string   `json:"id"`
	Name              string   `json:"name"`
	Email             string   `json:"email"`
	Title             string   `json:"title"`
	Institution       string   `json:"institution"`
	Region            string   `json:"region"`
	Country           string   `json:"country"`
	Language          string   `json:"language"`
	Tags              []string `json:"tags"`
	Subscribed        bool     `json:"subscribed"`
	ResubscribeReason string   `json:"resubscribe_reason,omitempty"`
	// Bouncing: the address was refused for good; no digest goes to it
	// until staff clear the mark.
	Bouncing     bool       `json:"bouncing"`
	BouncedAt    *time.Time `json:"bounced_at,omitempty"`
	BounceReason string     `json:"bounce_reason,omitempty"`
}

func viewContact(c store.Contact) contactView {
	tags := []string{}
	if c.Tags != "" {
		tags = strings.Split(c.Tags, ",")
	}
	return contactView{ID: c.ID, Name: c.Name, Email: c.Email, Title: c.Title, Institution: c.Institution,
		Region: c.Region, Country: c.Country, Language: c.Language, Tags: tags,
		Subscribed: c.UnsubscribedAt == nil, ResubscribeReason: c.ResubscribeReason,
		Bouncing: c.BouncedAt != nil, BouncedAt: c.BouncedAt, BounceReason: c.BounceReason}
}
