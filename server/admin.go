package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"unicode/utf8"

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
		lines := []string{
			"First admin created. These credentials are shown only once.",
			"  email:    " + email,
			"  password: " + password,
			"Sign in at " + cfg.PublicURL.String() + "/admin and change the password.",
		}
		width := 0
		for _, l := range lines {
			width = max(width, utf8.RuneCountInString(l))
		}
		bar := strings.Repeat("─", width+2)
		fmt.Fprintf(console, "\n  ┌%s┐\n", bar)
		for _, l := range lines {
			fmt.Fprintf(console, "  │ %s%s │\n", l, strings.Repeat(" ", width-utf8.RuneCountInString(l)))
		}
		fmt.Fprintf(console, "  └%s┘\n\n", bar)
	}
	return nil
}
