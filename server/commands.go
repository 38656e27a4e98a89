package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/mail"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/bnp/undersigned/server/internal/auth"
	"github.com/bnp/undersigned/server/internal/config"
	"github.com/bnp/undersigned/server/internal/store"
)

func migrateCommand(ctx context.Context, stdout io.Writer) error {
	cfg, err := config.FromOS()
	if err != nil {
		return err
	}
	setupLogging(cfg.LogLevel)
	st, err := store.OpenWith(ctx, cfg.DatabaseURL, cfg.SQLitePath(), storeOptions(cfg), mailCipher(cfg))
	if err != nil {
		return err
	}
	defer st.Close()
	v, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "schema at version %d\n", v)
	return err
}

// userCommand: user create --email E --role R. The password is asked for on
// a terminal (no echo); otherwise, or when left empty, one is generated and
// printed.
func userCommand(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: undersigned user create --email E --role admin|editor|moderator|viewer")
	}
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	email := fs.String("email", "", "the staff member's email address")
	role := fs.String("role", "", "admin, editor, moderator or viewer")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	addr := strings.ToLower(strings.TrimSpace(*email))
	if a, err := mail.ParseAddress(addr); err != nil || a.Address != addr {
		return errors.New("--email must be a bare email address (no name, no angle brackets)")
	}
	if !store.Role(*role).Valid() {
		return errors.New("--role must be admin, editor, moderator or viewer")
	}
	cfg, err := config.FromOS()
	if err != nil {
		return err
	}
	password, generated, err := askPassword(stdin, stdout)
	if err != nil {
		return err
	}
	st, err := store.OpenWith(ctx, cfg.DatabaseURL, cfg.SQLitePath(), storeOptions(cfg), mailCipher(cfg))
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		return err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	u := store.User{Email: addr, PasswordHash: hash, Role: store.Role(*role)}
	err = st.CreateUser(ctx, &u, &store.AuditEntry{ActorEmail: "command line", Action: "user.create", Detail: "role=" + *role})
	if errors.Is(err, store.ErrConflict) {
		return errors.New("that email already has an account")
	} else if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s (%s), id %s\n", addr, *role, u.ID)
	if generated {
		fmt.Fprintf(stdout, "password (shown once): %s\n", password)
	}
	return nil
}

func askPassword(stdin io.Reader, stdout io.Writer) (string, bool, error) {
	f, isFile := stdin.(*os.File)
	if !isFile || !term.IsTerminal(int(f.Fd())) {
		return auth.NewPassword(), true, nil
	}
	fmt.Fprintf(stdout, "Password (at least %d characters; empty to generate one): ", config.MinPasswordLength)
	pw, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(stdout)
	if err != nil {
		return "", false, err
	}
	if len(pw) == 0 {
		return auth.NewPassword(), true, nil
	}
	if len(pw) < config.MinPasswordLength {
		return "", false, fmt.Errorf("the password must be at least %d characters", config.MinPasswordLength)
	}
	fmt.Fprint(stdout, "Again: ")
	again, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(stdout)
	if err != nil {
		return "", false, err
	}
	if string(again) != string(pw) {
		return "", false, errors.New("the passwords differ")
	}
	return string(pw), false, nil
}
