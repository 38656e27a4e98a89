package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/bnp/undersigned/server/internal/store"
	"github.com/bnp/undersigned/server/internal/store/storetest"
)

func TestMigrateIsIdempotentAndCurrent(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		ctx := context.Background()
		v, err := db.Migrate(ctx)
		if err != nil || v < 1 {
			t.Fatalf("second migrate: version %d, %v", v, err)
		}
		ok, err := db.SchemaCurrent(ctx)
		if err != nil || !ok {
			t.Fatalf("schema current = %v, %v", ok, err)
		}
	})
}

func TestSchemaBehindIsReported(t *testing.T) {
	t.Parallel()
	for _, kind := range storetest.Kinds(t) {
		t.Run(string(kind), func(t *testing.T) {
			db := storetest.Open(t, kind)
			ok, err := db.SchemaCurrent(context.Background())
			if err != nil || ok {
				t.Fatalf("unmigrated schema current = %v, %v; want false", ok, err)
			}
		})
	}
}

func TestCampaignRoundTrip(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		ctx := context.Background()
		opens := time.Date(2026, 1, 2, 3, 4, 5, 600000000, time.UTC)
		c := &store.Campaign{Slug: "free-them", Title: "Free them", Language: "en", Status: store.StatusOpen,
			RetentionDays: 90, OpensAt: &opens,
			Calls:        []store.Call{{Audiences: store.Audiences{"us", "eu"}, Text: "one"}, {Audiences: store.Audiences{"belarus"}, Text: "two"}},
			Translations: []store.Translation{{Language: "be", Title: "Вызваліць", Calls: store.Texts{"адзін", "два"}}},
		}
		if err := db.CreateCampaign(ctx, c, nil); err != nil {
			t.Fatal(err)
		}
		got, err := db.CampaignBySlug(ctx, "free-them")
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Calls) != 2 || got.Calls[0].Text != "one" || got.Calls[0].Audiences[0] != "eu" || got.Calls[1].Position != 2 {
			t.Fatalf("calls = %+v", got.Calls)
		}
		if !got.OpensAt.Equal(opens) {
			t.Fatalf("opens_at = %v, want %v", got.OpensAt, opens)
		}
		if len(got.Translations) != 1 || got.Translations[0].Calls[1] != "два" {
			t.Fatalf("translations = %+v", got.Translations)
		}
		dup := &store.Campaign{Slug: "free-them", Title: "x", Language: "en", Status: store.StatusDraft, RetentionDays: 90}
		if err := db.CreateCampaign(ctx, dup, nil); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate slug: %v, want ErrConflict", err)
		}
		got.Calls = []store.Call{got.Calls[1], {Audiences: store.Audiences{"intl"}, Text: "three"}}
		if err := db.UpdateCampaign(ctx, &got, nil); err != nil {
			t.Fatal(err)
		}
		again, _ := db.CampaignBySlug(ctx, "free-them")
		if len(again.Calls) != 2 || again.Calls[0].Text != "two" || again.Calls[0].Position != 1 || again.Calls[1].Text != "three" {
			t.Fatalf("after update calls = %+v", again.Calls)
		}
		again.Calls[0].ID = "not-a-call"
		if err := db.UpdateCampaign(ctx, &again, nil); !errors.Is(err, store.ErrUnknownCall) {
			t.Fatalf("foreign call id: %v", err)
		}
	})
}

func TestRateLimitCountsWithinWindow(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db storetest.DB) {
		ctx := context.Background()
		for want := 1; want <= 3; want++ {
			n, reset, err := db.Hit(ctx, "k", time.Hour)
			if err != nil || n != want || !reset.After(time.Now()) {
				t.Fatalf("hit %d: n=%d reset=%v err=%v", want, n, reset, err)
			}
		}
	})
}
