package web

import (
	"html/template"
	"time"
)

// Campaign is a campaign as its page shows it, already in the reader's
// language where it has a translation (Language is then that of the text).
type Campaign struct {
	Slug, Title, Summary, Language, Status string
	Goal, SignatureCount, EndorsementCount int64
	ClosesAt                               *time.Time
	// BodyHTML is the statement, sanitised by the markdown package.
	BodyHTML template.HTML
	Calls    []Call
	// Open reports whether it takes signatures now.
	Open bool
}

// Call is one call of a statement.
type Call struct {
	ID        string
	Audiences []string
	Text      string
}

// CallGroup is the calls addressed to one side, as the SPA's CallGroups
// shows them.
type CallGroup struct {
	Key, Heading string
	Calls        []Call
}

// Groups splits the calls by whom they address, as lib/calls.js does: a
// call to Belarus and to the EU appears in both groups.
func (c Campaign) Groups(t *T) []CallGroup {
	var belarus, intl []Call
	for _, call := range c.Calls {
		b, i := false, false
		for _, a := range call.Audiences {
			switch a {
			case "belarus":
				b = true
			case "eu", "us", "intl":
				i = true
			}
		}
		if b {
			belarus = append(belarus, call)
		}
		if i {
			intl = append(intl, call)
		}
	}
	var out []CallGroup
	if len(belarus) > 0 {
		out = append(out, CallGroup{"belarus", t.S("calls.belarus"), belarus})
	}
	if len(intl) > 0 {
		out = append(out, CallGroup{"international", t.S("calls.international"), intl})
	}
	return out
}

// Endorser is an organisation on the public list.
type Endorser struct {
	Name, OrgType, Country, Statement string
	WebsiteHref, WebsiteLabel         string
	AllCalls                          bool
	Calls                             []Call
}

// Form is a form's state: the values as sent, each field's error as a
// message key, a whole-form message key, and the signed form token.
type Form struct {
	Values  map[string]string
	Checked map[string]bool
	// Multi holds the values of fields that repeat (the endorse form's calls).
	Multi   map[string][]string
	Errors  map[string]string
	Message string
	// MessageText is a whole-form message already translated (a plural).
	MessageText string
	Token       string
	// Done is set once the form was accepted; SentTo is the address mailed.
	Done   bool
	SentTo string
}

// V is the value of a field.
func (f Form) V(name string) string { return f.Values[name] }

// CampaignBody is the campaign page's body.
type CampaignBody struct {
	Campaign  Campaign
	Endorsers []Endorser
	Sign      Form
	Ref       string
	Countries []string
}

// EndorseBody is the endorse page's body.
type EndorseBody struct {
	Campaign  Campaign
	Form      Form
	OrgTypes  []string
	Countries []string
}

// HomeBody is the home page's body.
type HomeBody struct {
	Campaigns []Campaign
}

// TokenBody is the body of the pages behind email links. Kind is confirm,
// withdraw, unsubscribe or endorseConfirm; State is ask, done or invalid.
type TokenBody struct {
	Kind, State, Action string
	// Campaign is the slug to go back to once done (may be empty).
	Campaign string
	// Receipt is a fresh confirmation's receipt, shown this once.
	Receipt string
	Form    Form
}

// MessageBody is a page of one notice: a refused or failed form post.
type MessageBody struct {
	Title, Text, Back, BackText string
}

// PrivacySection is one section of the privacy page: a list of Items, or
// one paragraph when there are none.
type PrivacySection struct {
	Key   string
	Items []string
}

// PrivacySections are the privacy page's sections, as Privacy.svelte lists them.
var PrivacySections = []PrivacySection{
	{"stored", []string{"name", "choice", "email"}},
	{"shown", []string{"private", "initials", "public", "cells"}},
	{"email", nil}, {"ip", nil},
	{"keep", []string{"unconfirmed", "retention"}},
	{"withdraw", nil}, {"third", nil},
}
