package mailqueue

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/bnp/undersigned/mailers"
	"github.com/bnp/undersigned/server/internal/store"
)

// Outbox is the transport used when no SMTP_URL is set: it writes each
// message to the dev outbox table, where staff read it in the console, and
// logs that it did (never the address).
type Outbox struct{ Store *store.Store }

// Send writes m to the dev outbox.
func (o Outbox) Send(ctx context.Context, m *mailers.Message) error {
	headers, _ := json.Marshal(m.Headers)
	e := store.OutboxEntry{MessageID: m.MessageID, Kind: m.Kind, Recipient: m.To, Subject: m.Subject,
		Headers: string(headers), BodyText: m.Text, BodyHTML: m.HTML}
	if err := o.Store.WriteOutbox(ctx, &e); err != nil {
		return err
	}
	slog.Info("mail written to the dev outbox", "kind", m.Kind, "outbox_id", e.ID)
	return nil
}
