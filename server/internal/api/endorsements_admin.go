package api

import (
	"bufio"
	"encoding/csv"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/bnp/undersigned/mailers"
	"github.com/bnp/undersigned/server/internal/store"
)

type duplicateView struct {
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
	Status      string `json:"status"`
}

// adminEndorsementView is an endorsement as moderators see it: everything,
// confidential ones and the contact person included.
type adminEndorsementView struct {
	ID           string   `json:"id"`
	Campaign     string   `json:"campaign"`
	Organization string   `json:"organization"`
	DisplayName  string   `json:"display_name"`
	OrgType      string   `json:"org_type"`
	Country      string   `json:"country"`
	Website      string   `json:"website"`
	Statement    string   `json:"statement"`
	AllCalls     bool     `json:"all_calls"`
	Calls        []string `json:"calls"`
	Confidential bool     `json:"confidential"`
	ContactName  *string  `json:"contact_name"`
	ContactEmail *string  `json:"contact_email"`
	// ContactSealed: the contact person is kept sealed to the coalition
	// (after review, only so).
	ContactSealed bool           `json:"contact_sealed"`
	Language      string         `json:"language"`
	Status        string         `json:"status"`
	RejectReason  string         `json:"reject_reason"`
	DuplicateOf   *duplicateView `json:"duplicate_of"`
	CreatedAt     time.Time      `json:"created_at"`
	VerifiedAt    *time.Time     `json:"verified_at"`
	ReviewedAt    *time.Time     `json:"reviewed_at"`
	ReviewedBy    string         `json:"reviewed_by"`
}

func viewEndorsement(r store.ReviewedEndorsement) adminEndorsementView {
	v := adminEndorsementView{ID: r.ID, Campaign: r.CampaignSlug, Organization: r.Organization, DisplayName: r.DisplayName,
		OrgType: r.OrgType, Country: r.Country, Website: r.Website, Statement: r.Statement, AllCalls: r.AllCalls,
		Calls: r.CallIDs, Confidential: r.Confidential, ContactName: r.ContactName, ContactEmail: r.ContactEmail,
		Language: r.Language, Status: r.Status, RejectReason: r.RejectReason, CreatedAt: r.CreatedAt,
		VerifiedAt: r.VerifiedAt, ReviewedAt: r.ReviewedAt, ReviewedBy: r.ReviewedBy, ContactSealed: r.ContactSealed != nil}
	if r.DuplicateOf != nil {
		v.DuplicateOf = &duplicateView{ID: *r.DuplicateOf, DisplayName: deref(r.DuplicateName), Status: deref(r.DuplicateStatus)}
	}
	return v
}

// endorsementFilter reads ?status= (awaiting_review by default, or all)
// and ?campaign= (a slug) for staff lists and exports.
func (s *server) endorsementFilter(c *fiber.Ctx, defaultStatus string) (store.EndorsementFilter, error) {
	f := fieldErrors{}
	var filter store.EndorsementFilter
	switch st := c.Query("status", defaultStatus); st {
	case "all":
	case store.EndorsementUnverified, store.EndorsementAwaitingReview, store.EndorsementApproved, store.EndorsementRejected:
		filter.Status = st
	default:
		f.set("status", errOneOf("awaiting_review", "approved", "rejected", "unverified", "all"))
	}
	if slug := c.Query("campaign"); slug != "" {
		camp, err := s.Store.CampaignBySlug(c.UserContext(), slug)
		if errors.Is(err, store.ErrNotFound) {
			f.set("campaign", fe(codeUnknownCampaign, "is not a campaign's slug"))
		} else if err != nil {
			return filter, err
		}
		filter.CampaignID = camp.ID
	}
	return filter, f.err()
}

const adminEndorsementsPage = 100

// endorsementQueryShown are the parameters the audit log keeps (queryDetail).
var endorsementQueryShown = []string{"status", "campaign", "cursor"}

// adminListEndorsements is the review queue: oldest first, with counts by
// status (confidential endorsements included). Every page read is audited,
// since it shows contact persons.
func (s *server) adminListEndorsements(c *fiber.Ctx) error {
	filter, err := s.endorsementFilter(c, store.EndorsementAwaitingReview)
	if err != nil {
		return err
	}
	rows, err := s.Store.ListEndorsements(c.UserContext(), filter, c.Query("cursor"), adminEndorsementsPage)
	if err != nil {
		return err
	}
	counts, err := s.Store.EndorsementStatusCounts(c.UserContext(), filter.CampaignID)
	if err != nil {
		return err
	}
	if err := s.Store.Audit(c.UserContext(), auditBy(c, "endorsements.list", c.Query("campaign"), int64(len(rows)), queryDetail(c, endorsementQueryShown))); err != nil {
		return err
	}
	items := make([]adminEndorsementView, len(rows))
	for i, r := range rows {
		items[i] = viewEndorsement(r)
	}
	next := ""
	if len(rows) == adminEndorsementsPage {
		next = rows[len(rows)-1].ID
	}
	return c.JSON(fiber.Map{"items": items, "counts": counts, "next_cursor": next})
}

// reviewed answers a review step with the endorsement as it is now, or
// maps the store's refusals.
func (s *server) reviewed(c *fiber.Ctx, err error) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return errNotFound("endorsement")
	case errors.Is(err, store.ErrEndorsementState):
		return errConflict(reasonEndorsementStatus, "this endorsement's status does not allow that (approve or reject one awaiting review; revoke an approval before rejecting it)")
	case err != nil:
		return err
	}
	r, err := s.Store.EndorsementByID(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(viewEndorsement(r))
}

func (s *server) approveEndorsement(c *fiber.Ctx) error {
	mail := func(e store.Endorsement, camp store.Campaign) store.Mail {
		return queued(mailers.EndorsementApproved(e.Language, mailers.EndorsementApprovedParams{
			Campaign: campaignTitleIn(camp, e.Language), Organization: e.DisplayName, Confidential: e.Confidential,
			Link: s.link("/c/" + camp.Slug),
		}))
	}
	id := c.Params("id")
	err := s.Store.ApproveEndorsement(c.UserContext(), id, auditBy(c, "endorsement.approve", id, 1), mail)
	if err == nil {
		s.Mail.Wake()
	}
	return s.reviewed(c, err)
}

func (s *server) rejectEndorsement(c *fiber.Ctx) error {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	reason := strings.TrimSpace(in.Reason)
	if n := len([]rune(reason)); n == 0 || n > maxReason || !printable(reason, true) {
		return errField("reason", errLength(1, 500))
	}
	mail := func(e store.Endorsement, camp store.Campaign) store.Mail {
		return queued(mailers.EndorsementRejected(e.Language, mailers.EndorsementRejectedParams{
			Campaign: campaignTitleIn(camp, e.Language), Organization: e.DisplayName, Reason: reason,
		}))
	}
	id := c.Params("id")
	err := s.Store.RejectEndorsement(c.UserContext(), id, reason, auditBy(c, "endorsement.reject", id, 1), mail)
	if err == nil {
		s.Mail.Wake()
	}
	return s.reviewed(c, err)
}

func (s *server) revokeEndorsement(c *fiber.Ctx) error {
	id := c.Params("id")
	return s.reviewed(c, s.Store.RevokeEndorsement(c.UserContext(), id, auditBy(c, "endorsement.revoke", id, 1)))
}

// updateEndorsement changes the public display name.
func (s *server) updateEndorsement(c *fiber.Ctx) error {
	var in struct {
		DisplayName *string `json:"display_name"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.DisplayName == nil {
		return errField("display_name", errRequired())
	}
	name := strings.Join(strings.Fields(*in.DisplayName), " ")
	if !validOrganization(name) {
		return errField("display_name", errLength(2, 200))
	}
	id := c.Params("id")
	err := s.Store.SetEndorsementDisplayName(c.UserContext(), id, name, auditBy(c, "endorsement.rename", id, 1, "display_name="+name))
	return s.reviewed(c, err)
}

// exportEndorsements streams a campaign's endorsements as CSV (every
// status unless ?status= says otherwise), audited first with the number of
// rows, with every cell safe to open in a spreadsheet. Calls are given by
// their number in the statement.
func (s *server) exportEndorsements(c *fiber.Ctx) error {
	camp, err := s.adminCampaign(c)
	if err != nil {
		return err
	}
	filter, err := s.endorsementFilter(c, "all")
	if err != nil {
		return err
	}
	filter.CampaignID = camp.ID
	n, err := s.Store.CountEndorsements(c.UserContext(), filter)
	if err != nil {
		return err
	}
	if err := s.Store.Audit(c.UserContext(), auditBy(c, "endorsements.export", camp.Slug, n, queryDetail(c, endorsementQueryShown))); err != nil {
		return err
	}
	number := map[string]string{}
	for i, call := range camp.Calls {
		number[call.ID] = strconv.Itoa(i + 1)
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+camp.Slug+`-endorsements.csv"`)
	ctx := c.UserContext()
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		out := csv.NewWriter(w)
		_ = out.Write([]string{"id", "organization", "display_name", "org_type", "country", "website", "statement", "calls",
			"confidential", "contact_name", "contact_email", "status", "reject_reason", "duplicate_of", "created_at",
			"verified_at", "reviewed_at", "reviewed_by"})
		_, err := s.Store.EachEndorsement(ctx, filter, func(r store.ReviewedEndorsement) error {
			calls := "all"
			if !r.AllCalls {
				nums := make([]string, len(r.CallIDs))
				for i, id := range r.CallIDs {
					nums[i] = number[id]
				}
				calls = strings.Join(nums, " ")
			}
			return out.Write([]string{r.ID, safeCell(r.Organization), safeCell(r.DisplayName), r.OrgType, r.Country,
				safeCell(r.Website), safeCell(r.Statement), calls, strconv.FormatBool(r.Confidential),
				safeCell(deref(r.ContactName)), safeCell(deref(r.ContactEmail)), r.Status, safeCell(r.RejectReason),
				deref(r.DuplicateOf), r.CreatedAt.Format(time.RFC3339), timeCell(r.VerifiedAt), timeCell(r.ReviewedAt),
				safeCell(r.ReviewedBy)})
		})
		out.Flush()
		if err != nil {
			_, _ = w.WriteString("\nexport interrupted; do not use this file\n")
		}
	})
	return nil
}

func timeCell(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.RFC3339)
}
