package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/bnp/undersigned/server/internal/ratelimit"
)

// Login limits count failed attempts only: every attempt is counted as it
// starts (so that a burst cannot pass before its failures are recorded)
// and a success takes its hits back. An attacker who knows a staff address
// therefore cannot lock its owner out:
//   - per client: one machine cannot try many accounts;
//   - per account and client: one machine cannot guess at one account;
//   - per account from anywhere, a far higher ceiling: past it, an attack
//     from many machines is slowed to one attempt per machine and minute,
//     which still lets the owner in at the first try.
var (
	loginPerClient        = ratelimit.Rule{Name: "login-ip", Max: 30, Window: 15 * time.Minute}
	loginPerAccountClient = ratelimit.Rule{Name: "login-account-ip", Max: 10, Window: 15 * time.Minute}
	loginPerAccount       = ratelimit.Rule{Name: "login-account", Max: 100, Window: 15 * time.Minute}
	loginSlowed           = ratelimit.Rule{Name: "login-slowed", Max: 1, Window: time.Minute}
)

// admitLogin applies the login limits to one attempt on the account with
// this (lower-cased) email. It returns succeeded, to call when the password
// was right, which takes back the attempt's hits.
func (s *server) admitLogin(c *fiber.Ctx, email string) (succeeded func(), err error) {
	client := s.clientHash(c)
	account := s.Keys.Hash("login", email)
	counted := []struct {
		rule ratelimit.Rule
		key  string
	}{
		{loginPerClient, client},
		{loginPerAccountClient, account + ":" + client},
	}
	for _, r := range counted {
		if err := s.allow(c, r.rule, r.key); err != nil {
			return nil, err
		}
	}
	ok, _, err := s.Limiter.Allow(c.UserContext(), loginPerAccount, account)
	if err != nil {
		return nil, err
	}
	counted = append(counted, struct {
		rule ratelimit.Rule
		key  string
	}{loginPerAccount, account})
	if !ok {
		if err := s.allow(c, loginSlowed, account+":"+client); err != nil {
			return nil, err
		}
	}
	return func() {
		for _, r := range counted {
			// A refund that fails leaves one failure too many counted:
			// not worth failing a good login for.
			_ = s.Limiter.Refund(c.UserContext(), r.rule, r.key)
		}
	}, nil
}
