package api

import (
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/bnp/undersigned/server/internal/auth"
	"github.com/bnp/undersigned/server/internal/privacy"
	"github.com/bnp/undersigned/server/internal/store"
)

const contactsPage = 100

func (s *server) listContacts(c *fiber.Ctx) error {
	f := store.ContactFilter{Query: strings.TrimSpace(c.Query("q")), Region: c.Query("region"), Tag: c.Query("tag")}
	contacts, err := s.Store.SearchContacts(c.UserContext(), f, c.Query("cursor"), contactsPage)
	if err != nil {
		return err
	}
	items := make([]contactView, len(contacts))
	for i, ct := range contacts {
		items[i] = viewContact(ct)
	}
	next := ""
	if len(contacts) == contactsPage {
		next = contacts[len(contacts)-1].ID
	}
	return c.JSON(fiber.Map{"items": items, "next_cursor": next})
}

// newContact gives a contact its id and the hash of its unsubscribe token.
func (s *server) newContact() store.Contact {
	id := store.NewContactID()
	return store.Contact{ID: id, Language: "en", UnsubscribeTokenHash: auth.HashToken(s.Keys.UnsubscribeToken(id))}
}

func (s *server) createContact(c *fiber.Ctx) error {
	var in contactInput
	if err := decode(c, &in); err != nil {
		return err
	}
	ct := s.newContact()
	f := fieldErrors{}
	applyContact(f, &ct, in, true)
	if in.Subscribed != nil || in.ResubscribeReason != nil {
		f.set("subscribed", fe(codeNewSubscribed, "a new contact is subscribed"))
	}
	if err := f.err(); err != nil {
		return err
	}
	err := s.Store.CreateContact(c.UserContext(), &ct, auditBy(c, "contact.create", "", 1))
	if errors.Is(err, store.ErrConflict) {
		return errField("email", fe(codeAlreadyContact, "is already a contact"))
	} else if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(viewContact(ct))
}

// updateContact changes a contact. Re-subscribing someone who unsubscribed
// needs a recorded reason: they asked not to be written to.
func (s *server) updateContact(c *fiber.Ctx) error {
	var in contactInput
	if err := decode(c, &in); err != nil {
		return err
	}
	ct, err := s.Store.ContactByID(c.UserContext(), c.Params("id"))
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound("contact")
	} else if err != nil {
		return err
	}
	f := fieldErrors{}
	applyContact(f, &ct, in, false)
	detail := ""
	if in.Subscribed != nil {
		switch {
		case *in.Subscribed && ct.UnsubscribedAt != nil:
			reason := ""
			if in.ResubscribeReason != nil {
				reason = strings.TrimSpace(*in.ResubscribeReason)
			}
			if reason == "" || len(reason) > 500 {
				f.set("resubscribe_reason", fe(codeResubscribeReason, "say (in at most 500 characters) why this contact, who unsubscribed, may be written to again", 500))
			}
			ct.UnsubscribedAt, ct.ResubscribeReason, detail = nil, reason, "resubscribed: "+reason
		case !*in.Subscribed && ct.UnsubscribedAt == nil:
			t := time.Now().UTC().Truncate(time.Millisecond)
			ct.UnsubscribedAt, detail = &t, "unsubscribed by staff"
		}
	}
	if err := f.err(); err != nil {
		return err
	}
	err = s.Store.SaveContact(c.UserContext(), &ct, auditBy(c, "contact.update", ct.ID, 1, detail))
	if errors.Is(err, store.ErrConflict) {
		return errField("email", fe(codeAlreadyContact, "is already a contact"))
	} else if err != nil {
		return err
	}
	return c.JSON(viewContact(ct))
}

// clearContactBounce lets digests go to a contact whose address bounced
// (staff corrected it, or the mailbox is back).
func (s *server) clearContactBounce(c *fiber.Ctx) error {
	ct, err := s.Store.ClearContactBounce(c.UserContext(), c.Params("id"), auditBy(c, "contact.bounce_clear", c.Params("id"), 1))
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound("contact")
	} else if err != nil {
		return err
	}
	return c.JSON(viewContact(ct))
}

func (s *server) deleteContact(c *fiber.Ctx) error {
	err := s.Store.DeleteContact(c.UserContext(), c.Params("id"), auditBy(c, "contact.delete", c.Params("id"), 1))
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound("contact")
	} else if err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// unsubscribe takes a token as JSON {token} (the SPA's page), or as the
// query string with the RFC 8058 body List-Unsubscribe=One-Click that mail
// clients POST, form-encoded or multipart as the RFC allows. Unsubscribing
// twice is harmless.
func (s *server) unsubscribe(c *fiber.Ctx) error {
	token := c.Query("token")
	ct := strings.ToLower(c.Get(fiber.HeaderContentType))
	if strings.HasPrefix(ct, fiber.MIMEApplicationForm) || strings.HasPrefix(ct, fiber.MIMEMultipartForm) {
		if c.FormValue("List-Unsubscribe") != "One-Click" {
			return errField("List-Unsubscribe", fe(codeOneClick, "must be One-Click"))
		}
	} else {
		var in tokenInput
		if err := decode(c, &in); err != nil {
			return err
		}
		token = in.Token
	}
	if token == "" || len(token) > 200 {
		return errField("token", errRequired())
	}
	if token == s.Keys.UnsubscribeToken(testContact) {
		// A staff test send: its link works as a real one would, and changes nothing.
		return c.JSON(fiber.Map{"status": "test"})
	}
	if privacy.IsUpdateUnsubscribeToken(token) {
		return s.unsubscribeSigner(c, token)
	}
	err := s.Store.Unsubscribe(c.UserContext(), auth.HashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return &Error{Status: fiber.StatusNotFound, Code: "not_found", Message: "this unsubscribe link is not valid"}
	} else if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"status": "unsubscribed"})
}

// testContact stands for the recipient of a staff test send in its
// unsubscribe link.
const testContact = "test"

// unsubscribeLink answers a GET on the List-Unsubscribe address, as a mail
// client that opens it in a browser does: it leads to the unsubscribe
// page, which asks before changing anything (a link scanner's GET must not
// unsubscribe anyone).
func (s *server) unsubscribeLink(c *fiber.Ctx) error {
	token := c.Query("token")
	if token == "" || len(token) > 200 || strings.ContainsAny(token, "/?#%") {
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	return c.Redirect("/unsubscribe/"+token, fiber.StatusSeeOther)
}
