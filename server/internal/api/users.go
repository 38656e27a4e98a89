package api

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/bnp/undersigned/server/internal/auth"
	"github.com/bnp/undersigned/server/internal/config"
	"github.com/bnp/undersigned/server/internal/store"
)

type userInput struct {
	Email    *string `json:"email"`
	Password *string `json:"password"`
	Role     *string `json:"role"`
	Disabled *bool   `json:"disabled"`
}

func validPassword(f fieldErrors, pw string) {
	if n := utf8.RuneCountInString(pw); n < config.MinPasswordLength || n > 256 {
		f.set("password", fe(codePassword, "must be "+strconv.Itoa(config.MinPasswordLength)+" to 256 characters", config.MinPasswordLength, 256))
	}
}

func validRole(f fieldErrors, role string) {
	if !store.Role(role).Valid() {
		f.set("role", errOneOf("admin", "editor", "moderator", "viewer"))
	}
}

func (s *server) listUsers(c *fiber.Ctx) error {
	users, err := s.Store.ListUsers(c.UserContext())
	if err != nil {
		return err
	}
	items := make([]userView, len(users))
	for i, u := range users {
		items[i] = viewUser(u)
	}
	return c.JSON(fiber.Map{"items": items})
}

func (s *server) createUser(c *fiber.Ctx) error {
	var in userInput
	if err := decode(c, &in); err != nil {
		return err
	}
	f := fieldErrors{}
	if in.Email == nil || in.Password == nil || in.Role == nil {
		for name, missing := range map[string]bool{"email": in.Email == nil, "password": in.Password == nil, "role": in.Role == nil} {
			if missing {
				f.set(name, errRequired())
			}
		}
		return f.err()
	}
	email := strings.ToLower(strings.TrimSpace(*in.Email))
	if !plainAddress(email) {
		f.set("email", errEmail())
	}
	validPassword(f, *in.Password)
	validRole(f, *in.Role)
	if in.Disabled != nil {
		f.set("disabled", fe(codeNotOnCreate, "cannot be set when creating an account"))
	}
	if err := f.err(); err != nil {
		return err
	}
	hash, err := auth.HashPassword(*in.Password)
	if err != nil {
		return err
	}
	u := store.User{Email: email, PasswordHash: hash, Role: store.Role(*in.Role)}
	err = s.Store.CreateUser(c.UserContext(), &u, auditBy(c, "user.create", "", 1, "role="+*in.Role))
	if errors.Is(err, store.ErrConflict) {
		return errField("email", fe(codeAlreadyAccount, "already has an account"))
	} else if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(viewUser(u))
}

func (s *server) updateUser(c *fiber.Ctx) error {
	var in userInput
	if err := decode(c, &in); err != nil {
		return err
	}
	f := fieldErrors{}
	if in.Email != nil {
		f.set("email", fe(codeUnchangeable, "cannot be changed; create a new account"))
	}
	ch := store.UserChanges{Disabled: in.Disabled}
	var what []string
	if in.Role != nil {
		validRole(f, *in.Role)
		r := store.Role(*in.Role)
		ch.Role = &r
		what = append(what, "role="+*in.Role)
	}
	if in.Disabled != nil {
		what = append(what, "disabled="+strconv.FormatBool(*in.Disabled))
	}
	if in.Password != nil {
		validPassword(f, *in.Password)
		what = append(what, "password")
	}
	if err := f.err(); err != nil {
		return err
	}
	if in.Password != nil {
		hash, err := auth.HashPassword(*in.Password)
		if err != nil {
			return err
		}
		ch.PasswordHash = &hash
	}
	id := c.Params("id")
	u, err := s.Store.UpdateUser(c.UserContext(), id, ch, auditBy(c, "user.update", id, 1, strings.Join(what, " ")))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return errNotFound("user")
	case errors.Is(err, store.ErrLastAdmin):
		return errConflict(reasonLastAdmin, store.ErrLastAdmin.Error())
	case err != nil:
		return err
	}
	return c.JSON(viewUser(u))
}
