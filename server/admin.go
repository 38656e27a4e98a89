package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/bnp/undersigned/server/internal/auth"
	"github.com/bnp/undersigned/server/internal/config"
	"github.com/bnp/undersigned/server/internal/store"
)

// generatedAdminEmail is the login of the admin generated on a first start
// without ADMIN_EMAIL.
const generatedAdminEmail = "admin@localhost"

// ensureFirstAdmin creates the first admin when there is no staff account:
// from ADMIN_EMAIL and ADMIN_PASSWORD when set, otherwise with a generated
// password printed once to the console (and never logged).
func ensureFirstAdmin(ctx context.Context, st *store.Store, cfg config.Config, console io.Writer) error {
	n, err := st.CountUsers(ctx)
	if err != nil || n > 0 {
		return err
	}
	email, password, generated := cfg.AdminEmail, cfg.AdminPassword, false
	if email == "" {
		email, password, generated = generatedAdminEmail, auth.NewPassword(), true
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	u := store.User{Email: email, PasswordHash: hash, Role: store.RoleAdmin}
	err = st.CreateUser(ctx, &u, &store.AuditEntry{ActorEmail: "system", Action: "user.create", Detail: "first admin"})
	if errors.Is(err, store.ErrConflict) {
		return nil // another instance created it at the same moment
	} else if err != nil {
		return err
	}
	slog.Info("first admin created", "user_id", u.ID, "generated", generated)
	if generated {
		fmt.Fprintf(console, "\n"+
			"  ┌──────────────────────────────────────────────────────────────┐\n"+
			"  │ First admin created. These credentials are shown only once. │\n"+
			"  │   email:    %-48s │\n"+
			"  │   password: %-48s │\n"+
			"  │ Sign in at /admin and change the password.                   │\n"+
			"  └──────────────────────────────────────────────────────────────┘\n\n",
			email, password)
	}
	return nil
}
