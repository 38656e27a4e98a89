package housekeeping

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/store"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

// theJobs are the privacy and clean-up duties of docs/privacy.md. Dropping
// one from the list, or renaming it, fails here; the behaviour test below
// fails too for each job it has a fixture for.
var theJobs = []string{
	"close campaigns past their closing time",
	"shred closed campaigns' dedup keys",
	"scrub updates sent after close",
	"destroy past days' ip salts",
	"purge ip hashes",
	"delete unconfirmed signatures",
	"anonymise signatures past retention",
	"purge endorsement ip hashes",
	"delete unverified endorsements",
	"anonymise endorsement contacts past retention",
	"purge rate limits",
	"finish sent digests",
	"purge sessions",
	"purge password resets",
	"purge dev outbox",
	"checkpoint the SQLite log",
}

func TestEveryJobIsListed(t *testing.T) {
	t.Parallel()
	var names []string
	for _, j := range jobs {
		names = append(names, j.name)
	}
	if !slices.Equal(names, theJobs) {
		t.Fatalf("jobs = %q,\nwant %q", names, theJobs)
	}
}

// TestRunDoesEveryJob gives the jobs work and checks, by the rows Run
// reports and by what is left in the database, that each did it.
func TestRunDoesEveryJob(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		t.Parallel()
		ctx := context.Background()
		past := time.Now().Add(-time.Hour).UTC()
		camp := store.Campaign{Slug: "closing", Title: "Closing", Language: "en", Status: store.StatusOpen, ClosesAt: &past, RetentionDays: 30}
		if err := db.CreateCampaign(ctx, &camp, nil); err != nil {
			t.Fatal(err)
		}
		_, windowEnd, err := db.Hit(ctx, "k", time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		u := store.User{Email: "a@example.org", PasswordHash: "x", Role: store.RoleAdmin}
		if err := db.CreateUser(ctx, &u, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateSession(ctx, u.ID, "hash", -time.Hour); err != nil {
			t.Fatal(err)
		}
		if err := db.AcceptIntake(ctx, store.IntakePasswordReset, "", "", "reset"); err != nil {
			t.Fatal(err)
		}
		_, err = db.ProcessIntake(ctx, 10, func(store.IntakeEntry) (store.Intent, error) {
			return store.ResetIntent{Email: u.Email, TokenHash: "reset", TTL: -time.Hour, Mail: store.Mail{Kind: "password_reset"}}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.WriteOutbox(ctx, &store.OutboxEntry{Kind: "x", Recipient: "a@example.org"}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Until(windowEnd) + time.Millisecond) // the counter's window has ended

		rows, err := Run(ctx, db.Store, time.Now().Add(72*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"close campaigns past their closing time", "purge rate limits", "purge sessions",
			"purge password resets", "purge dev outbox"} {
			if rows[name] < 1 {
				t.Errorf("%s: %d rows", name, rows[name])
			}
		}
		for _, name := range theJobs {
			if _, ran := rows[name]; !ran {
				t.Errorf("%s did not run", name)
			}
		}
		for table, want := range map[string]int64{"rate_limits": 0, "sessions": 0, "password_resets": 0, "dev_outbox": 0} {
			if n, err := db.CountRows(ctx, table); err != nil || n != want {
				t.Errorf("%s: %d rows (%v), want %d", table, n, err, want)
			}
		}
		if c, err := db.CampaignBySlug(ctx, "closing"); err != nil || c.Status != store.StatusClosed {
			t.Errorf("campaign past its closing time: %q, %v", c.Status, err)
		}
	})
}
