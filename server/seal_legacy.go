package main

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/bnp/undersigned/server/internal/privacy"
	"github.com/bnp/undersigned/server/internal/store"
)

// sealLegacy seals what signatures made before sealing still hold in a
// readable form (an address under DATA_KEY, a private name, a comment), a
// page at a time from housekeeping, and returns how many rows it sealed.
func sealLegacy(ctx context.Context, st *store.Store, keys privacy.Keys, sealer *privacy.Coalition) (int64, error) {
	rows, err := st.LegacySignatures(ctx, 500)
	if err != nil {
		return 0, err
	}
	for _, r := range rows {
		var email *string
		if r.EmailEncrypted != nil {
			if plain, err := keys.Decrypt(*r.EmailEncrypted); err == nil {
				if email, err = sealer.SealOptional(&plain); err != nil {
					return 0, err
				}
			}
		}
		var name *string
		if r.Visibility == store.VisibilityPrivate {
			if name, err = sealer.SealOptional(r.Name); err != nil {
				return 0, err
			}
		}
		comment, err := sealer.SealOptional(r.Comment)
		if err != nil {
			return 0, err
		}
		if err := st.SealLegacySignature(ctx, r.ID, r.Visibility == store.VisibilityPrivate, email, name, comment); err != nil {
			return 0, err
		}
	}
	return int64(len(rows)), nil
}

// runSealLegacy seals legacy rows at start and then hourly, until none is
// left; it ends with ctx.
func runSealLegacy(ctx context.Context, st *store.Store, keys privacy.Keys, sealer *privacy.Coalition) {
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		for {
			n, err := sealLegacy(ctx, st, keys, sealer)
			if err != nil {
				if !errors.Is(err, context.Canceled) {
					slog.Error("seal legacy signatures", "err", err)
				}
				break
			}
			if n == 0 {
				break
			}
			slog.Info("sealed legacy signatures", "rows", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
